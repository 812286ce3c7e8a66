"""Where the ranked table's rows come from: one page of a list at a time, in a worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.services import Services


FIRST_PAGE = 200  # rows read before the first frame; later pages come as the table asks


@dataclass(frozen=True)
class Page:
    offset: int
    rows: list[dict[str, Any]]
    total: int
    total_balance: float | None = None
    description: str = ""


@dataclass(frozen=True)
class ClaimsSource:
    """Every claim, newest service first, for a database that has no worklists yet."""

    name: str = "claims"
    search: str = ""

    def fetch(self, services: Services, offset: int, limit: int) -> Page:
        from assistant.storage.claims import ClaimFilter

        rows = services.claims(ClaimFilter(limit=offset + limit))
        total = int(services.summary()["claims"])
        return Page(offset, [_as_worklist_row(r, i, services.today)
                             for i, r in enumerate(rows[offset:], offset + 1)], total)


def _as_worklist_row(row: dict[str, Any], rank: int, today: date) -> dict[str, Any]:
    return {**row, "rank": rank, "dos": row["dos_from"],
            "age_days": (today - date.fromisoformat(row["dos_from"])).days,
            "payer_status": row["status"], "category": None, "next_action": row["work_status"],
            "days_left": None, "why": ""}


def default_source() -> ClaimsSource:
    """What the app opens on."""
    return ClaimsSource()
