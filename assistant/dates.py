"""Dates are `datetime.date`; the database keeps ISO text plus integer day numbers for ranking."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from assistant.errors import InvalidInput


def parse_iso(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {text!r}") from None


def parse_x12(text: str) -> date:
    """CCYYMMDD (D8) as used everywhere in X12 after the ISA."""
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise InvalidInput(f"not a CCYYMMDD date: {text!r}") from None


def parse_flexible(text: str) -> date:
    """Dates as AR exports write them: 2026-03-04, 03/04/2026, 3/4/26, 20260304."""
    raw = text.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y%m%d", "%m-%d-%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(f"not a date: {text!r}")


_RELATIVE = re.compile(r"^(?:in\s+)?\+?\s*(\d{1,4})\s*(d|days?|w|weeks?)?$")


def parse_typed(text: str, today: date) -> date:
    """A date a person types: the `parse_flexible` forms, `today`, `tomorrow`, or a
    distance from today: `+14`, `14d`, `2w`, `in 10 days`."""
    raw = " ".join(text.strip().lower().split())
    if raw == "today":
        return today
    if raw == "tomorrow":
        return today + timedelta(days=1)
    relative = _RELATIVE.match(raw)
    if relative and (raw.startswith(("+", "in ")) or relative.group(2)):
        count = int(relative.group(1))
        return today + timedelta(days=count * 7 if (relative.group(2) or "").startswith("w") else count)
    try:
        return parse_flexible(raw)
    except InvalidInput:
        raise InvalidInput(f"not a date: {text!r} (YYYY-MM-DD, MM/DD/YYYY, today, tomorrow, "
                           "+14, 2w)") from None


def day_number(d: date) -> int:
    """Integer day for fast SQL arithmetic (proleptic ordinal)."""
    return d.toordinal()


def from_day_number(n: int) -> date:
    return date.fromordinal(n)


def x12_date(d: date) -> str:
    return d.strftime("%Y%m%d")
