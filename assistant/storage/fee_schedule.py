"""The `fee_schedule` table: what each payer should allow per unit of a code, and when."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Fee:
    payer_pk: int
    code: str
    modifier: str  # "" : any modifier
    allowed_cents: int  # per unit
    effective_from: date | None
    effective_to: date | None

    def covers(self, day: date) -> bool:
        return ((self.effective_from is None or day >= self.effective_from)
                and (self.effective_to is None or day <= self.effective_to))


def replace_fees(conn: sqlite3.Connection, fees: Iterable[Fee], source: str) -> tuple[int, int]:
    """Write fees inside the caller's transaction, each replacing the one with the same payer, code,
    modifier and start; returns (new, replaced)."""
    created = replaced = 0
    for fee in fees:
        start = fee.effective_from.isoformat() if fee.effective_from else None
        gone = conn.execute(
            "DELETE FROM fee_schedule WHERE payer_pk = ? AND code = ? AND modifier = ? "
            "AND coalesce(effective_from, '') = coalesce(?, '')",
            (fee.payer_pk, fee.code, fee.modifier, start)).rowcount
        conn.execute(
            "INSERT INTO fee_schedule (payer_pk, code, modifier, allowed_cents, effective_from, "
            "effective_to, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (fee.payer_pk, fee.code, fee.modifier, fee.allowed_cents, start,
             fee.effective_to.isoformat() if fee.effective_to else None, source))
        if gone:
            replaced += 1
        else:
            created += 1
    return created, replaced


class FeeTable:
    """Lookups of the expected allowed amount per unit for a payer, code, modifiers and date."""

    def __init__(self, fees: Iterable[Fee]) -> None:
        self._by_key: dict[tuple[int, str], list[Fee]] = defaultdict(list)
        for fee in fees:
            self._by_key[(fee.payer_pk, fee.code)].append(fee)
        for found in self._by_key.values():
            found.sort(key=lambda f: f.effective_from or date.min, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def expected(self, payer_pk: int, code: str, modifiers: Sequence[str], day: date) -> Fee | None:
        """The fee in force on the day: a row for one of the line's modifiers (the lowest amount when
        several apply, so nothing is flagged on a guess), else the row for any modifier; the latest
        start wins among rows of the same modifier."""
        candidates = [f for f in self._by_key.get((payer_pk, code), ()) if f.covers(day)]
        specific = [f for f in candidates if f.modifier and f.modifier in modifiers]
        if specific:
            latest: dict[str, Fee] = {}
            for f in specific:
                latest.setdefault(f.modifier, f)
            return min(latest.values(), key=lambda f: f.allowed_cents)
        return next((f for f in candidates if not f.modifier), None)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def fee_table(conn: sqlite3.Connection) -> FeeTable:
    return FeeTable(
        Fee(r[0], r[1], r[2], r[3], _date(r[4]), _date(r[5]))
        for r in conn.execute("SELECT payer_pk, code, modifier, allowed_cents, effective_from, effective_to "
                              "FROM fee_schedule"))
