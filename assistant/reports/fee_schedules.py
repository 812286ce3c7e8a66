"""`import fee-schedule`: each CSV file in one transaction, all of it or nothing.

The same bytes twice are a `duplicate`; a row for a payer the database does not know is
rejected with its line and column (import the practice settings or claims first).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.errors import AssistantError, ImportFailed, NotFound
from assistant.importers.fee_schedule import FeeSchedule, parse_fee_schedule
from assistant.ingest import ImportResult, already_imported, record_import, source_digest
from assistant.storage import transaction
from assistant.storage.fee_schedule import Fee, replace_fees
from assistant.storage.payers import resolve_payer

KIND = "fee-schedule"


def _fees(conn: sqlite3.Connection, schedule: FeeSchedule) -> list[Fee]:
    payers: dict[str, int] = {}
    fees = []
    for r in schedule.records:
        key = r.payer.lower()
        if key not in payers:
            try:
                payers[key] = resolve_payer(conn, r.payer).pk
            except NotFound as exc:
                raise ImportFailed(schedule.name, f"line {r.line}",
                                   f"column {schedule.payer_column!r}: {exc.message}") from None
        fees.append(Fee(payers[key], r.code, r.modifier, r.allowed_cents, r.effective_from, r.effective_to))
    return fees


def import_fee_schedule(conn: sqlite3.Connection, path: Path) -> ImportResult:
    name = path.name
    try:
        digest = source_digest(path)
    except OSError as exc:
        return ImportResult(name, KIND, "rejected", error=f"{name}: cannot read ({exc.strerror})")
    if already_imported(conn, KIND, digest):
        return ImportResult(name, KIND, "duplicate")
    try:
        schedule = parse_fee_schedule(path)
        with transaction(conn):
            fees = _fees(conn, schedule)
            created, replaced = replace_fees(conn, fees, name)
            record_import(conn, KIND, digest, name, len(fees), {"created": created, "updated": replaced})
    except AssistantError as exc:
        message = exc.message if isinstance(exc, ImportFailed) else f"{name}: {exc.message}"
        return ImportResult(name, KIND, "rejected", error=message)
    return ImportResult(name, KIND, "imported", records=len(fees), created=created, updated=replaced,
                        counts={"fees": len(fees)})


def import_fee_schedules(conn: sqlite3.Connection, paths: Sequence[Path],
                         progress: Callable[[int, int], None] = lambda _d, _t: None) -> list[ImportResult]:
    results = []
    for done, path in enumerate(paths, 1):
        results.append(import_fee_schedule(conn, path))
        progress(done, len(paths))
    return results
