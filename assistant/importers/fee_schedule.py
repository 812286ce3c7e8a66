"""Payer fee schedules from CSV: the allowed amount per unit a payer should pay for a code.

Columns (found by the names in `[fee_schedule_columns]` of `assistant/data/csv_columns.toml`):
payer, code and allowed are required; modifier (one per row; empty: any modifier),
effective_from and effective_to (empty: open-ended) are optional. Errors name the file,
line and column; payers are resolved when the file is written (they must be known).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.errors import AssistantError, ImportFailed
from assistant.importers.tabular import Columns, RowReader, header_key, read_table
from assistant.paths import package_data

_REQUIRED = ("payer", "code", "allowed")
_CODE = re.compile(r"[A-Z0-9]{5}\Z")
_MODIFIER = re.compile(r"[A-Z0-9]{2}\Z")
_MAX_CENTS = 10_000_000  # $100,000 per unit: anything above is a typo


@dataclass(frozen=True)
class FeeRecord:
    line: int  # in the file, for errors found when writing
    payer: str
    code: str
    modifier: str  # "" : any modifier
    allowed_cents: int  # per unit
    effective_from: date | None
    effective_to: date | None


@dataclass(frozen=True)
class FeeSchedule:
    name: str
    payer_column: str  # the file's own header, to locate an unknown payer
    records: tuple[FeeRecord, ...]


def _columns() -> dict[str, list[str]]:
    with package_data("csv_columns.toml").open("rb") as fh:
        return {key: list(names) for key, names in tomllib.load(fh)["fee_schedule_columns"].items()}


def parse_fee_schedule(path: Path) -> FeeSchedule:
    """Every fee row of one CSV file; a repeated (payer, code, modifier, start) is an error."""
    wanted = _columns()

    def is_header(cells: list[str]) -> bool:
        keys = {header_key(c) for c in cells}
        return all(any(header_key(n) in keys for n in wanted[f]) for f in _REQUIRED)

    table = read_table(path, is_header, wanted="header row with payer, code and allowed amount")
    columns = Columns(table.headers, wanted)
    records: list[FeeRecord] = []
    seen: dict[tuple[str, str, str, date | None], int] = {}
    for line, cells in table.rows:
        row = RowReader(table.name, columns, line, cells)
        try:
            record = _fee(row)
        except AssistantError:
            raise
        except Exception as exc:  # the safety net: an unforeseen row is still located
            raise ImportFailed(table.name, f"line {line}",
                               f"cannot read this row ({type(exc).__name__})") from None
        key = (record.payer.lower(), record.code, record.modifier, record.effective_from)
        if key in seen:
            raise row.fail("code", f"{record.code}{' ' + record.modifier if record.modifier else ''} for "
                                   f"this payer and start date is also on line {seen[key]}")
        seen[key] = line
        records.append(record)
    if not records:
        raise ImportFailed(table.name, None, "holds no fee rows below its header")
    return FeeSchedule(table.name, columns.header("payer"), tuple(records))


def _fee(row: RowReader) -> FeeRecord:
    for fld in _REQUIRED:
        if not row.text(fld):
            raise row.fail(fld, "is empty")
    code = row.text("code").upper()
    if not _CODE.match(code):
        raise row.fail("code", "not a CPT/HCPCS code (5 letters or digits)")
    modifier = row.text("modifier").upper()
    if modifier and not _MODIFIER.match(modifier):
        raise row.fail("modifier", "one modifier per row (2 letters or digits); leave it empty for any")
    cents = row.cents("allowed")
    assert cents is not None
    if cents < 0 or cents > _MAX_CENTS:
        raise row.fail("allowed", "must be an amount from 0 to 100,000")
    start, end = row.date("effective_from"), row.date("effective_to")
    if start and end and end < start:
        raise row.fail("effective_to", "ends before the fee starts")
    return FeeRecord(row.line, row.text("payer"), code, modifier, cents, start, end)
