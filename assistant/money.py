"""Money is integer cents everywhere inside; Decimal only at the edges."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from assistant.errors import InvalidInput

_CENT = Decimal("0.01")


def to_cents(text: str | int | float | Decimal) -> int:
    """Parse an X12 R value, a CSV amount ("$1,240.50", "(12.00)") or a number into cents."""
    if isinstance(text, int):
        return text * 100
    if isinstance(text, Decimal | float):
        value = Decimal(str(text))
    else:
        raw = text.strip().replace("$", "").replace(",", "")
        negative = raw.startswith("(") and raw.endswith(")")
        if negative:
            raw = raw[1:-1]
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise InvalidInput(f"not an amount: {text!r}") from None
        if negative:
            value = -value
    if not value.is_finite():
        raise InvalidInput(f"not an amount: {text!r}")
    return int((value * 100).to_integral_value())


def to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(_CENT)


def as_number(cents: int) -> float:
    """Cents as a JSON number with two decimals (json cannot carry Decimal)."""
    return round(cents / 100, 2)


def fmt(cents: int) -> str:
    """$1,240.50 for screens and letters."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{frac:02d}"


def x12_amount(cents: int) -> str:
    """An X12 R value without trailing zeros: 150, 82.5, -12.34."""
    text = f"{to_decimal(cents):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
