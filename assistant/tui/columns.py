"""The ranked table's columns: how a worklist row reads, cell by cell."""

from __future__ import annotations

from assistant.money import fmt, to_cents
from assistant.tui.widgets.ranked_table import Column, Row

URGENT_DAYS = 7
SOON_DAYS = 30


def words(value: object) -> str:
    """`medical_necessity` -> `medical necessity`; None -> empty."""
    return "" if value is None else str(value).replace("_", " ")


def money(value: object) -> str:
    return "" if value is None else fmt(to_cents(value))  # type: ignore[arg-type]


def days_left(row: Row) -> str:
    left = row.get("days_left")
    if left is None:
        return ""
    return "overdue" if left < 0 else f"{left}d"


def _deadline_tone(row: Row) -> str | None:
    left = row.get("days_left")
    if left is None:
        return None
    if left <= URGENT_DAYS:
        return "urgent"
    return "soon" if left <= SOON_DAYS else None


def _age(row: Row) -> str:
    age = row.get("age_days")
    return "" if age is None else f"{age}d"


def _category(row: Row) -> str:
    return words(row.get("category")) or words(row.get("payer_status"))


WORKLIST_COLUMNS: tuple[Column, ...] = (
    Column("rank", "#", 5, lambda r: str(r.get("rank", "")), align="right"),
    Column("claim_id", "Claim", 12, lambda r: str(r["claim_id"])),
    Column("patient", "Patient", 18, lambda r: str(r.get("patient") or ""), drop=5, grow=8),
    Column("payer", "Payer", 14, lambda r: str(r.get("payer") or ""), drop=3, grow=14),
    Column("age_days", "Age", 5, _age, align="right", drop=2),
    Column("balance", "Balance", 11, lambda r: money(r.get("balance")), align="right"),
    Column("category", "Category", 16, _category, drop=4, grow=8),
    Column("next_action", "Next action", 17, lambda r: words(r.get("next_action")), grow=7),
    Column("days_left", "Left", 7, days_left, align="right", tone=_deadline_tone),
    # The reason panel under the table says it in full: the first to go when space is short.
    Column("why", "Why", 20, lambda r: str(r.get("why") or ""), flex=True, tone=lambda _r: "muted",
           drop=1),
)
