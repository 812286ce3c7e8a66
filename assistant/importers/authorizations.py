"""Prior authorizations from CSV: which patient may receive how many visits or units, when.

Columns (found by the names in `[authorization_columns]` of `assistant/data/csv_columns.toml`):
account, number, approved, start, end are required; payer, unit_kind (visits | units,
default visits), used (default 0) and codes (CPT/HCPCS separated by spaces, commas or
semicolons; empty: any code) are optional. Errors name the file, line and column; the
patients must exist already (import their claims first).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from assistant.domain import AuthorizationRecord
from assistant.errors import AssistantError, ImportFailed
from assistant.importers.tabular import Columns, RowReader, header_key, read_table
from assistant.ingest import ParsedBatch
from assistant.paths import package_data

_REQUIRED = ("account", "number", "approved", "start", "end")
_UNIT_KINDS = {"visits": "visits", "visit": "visits", "v": "visits", "units": "units", "unit": "units",
               "u": "units"}
_CODE = re.compile(r"[A-Z0-9]{5}\Z")
_MAX_COUNT = 100_000


def _columns() -> dict[str, list[str]]:
    with package_data("csv_columns.toml").open("rb") as fh:
        return {key: list(names) for key, names in tomllib.load(fh)["authorization_columns"].items()}


def parse_authorizations(path: Path) -> ParsedBatch:
    """Every authorization row of one CSV file."""
    wanted = _columns()

    def is_header(cells: list[str]) -> bool:
        keys = {header_key(c) for c in cells}
        return sum(any(header_key(n) in keys for n in wanted[f]) for f in _REQUIRED) >= 3

    table = read_table(path, is_header, wanted="header row with account, number, approved, start and end")
    columns = Columns(table.headers, wanted)
    for fld in _REQUIRED:
        if fld not in columns:
            looked = ", ".join(repr(n) for n in wanted[fld][:4])
            raise ImportFailed(table.name, f"line {table.header_line}",
                               f"no column for '{fld}' (looked for {looked} ...)")
    batch = ParsedBatch()
    batch.warnings.extend(table.totals_warning())
    seen: dict[tuple[str, str], int] = {}
    for line, cells in table.rows:
        row = RowReader(table.name, columns, line, cells)
        try:
            record = _authorization(row)
        except AssistantError:
            raise
        except Exception as exc:  # the safety net: an unforeseen row is still located
            raise ImportFailed(table.name, f"line {line}",
                               f"cannot read this row ({type(exc).__name__})") from None
        key = (record.account, record.number)
        if key in seen:
            raise row.fail("number", f"authorization {record.number} for account {record.account} is also "
                                     f"on line {seen[key]}")
        seen[key] = line
        batch.authorizations.append(record)
    return batch


def _authorization(row: RowReader) -> AuthorizationRecord:
    values = {fld: row.text(fld) for fld in _REQUIRED}
    for fld, value in values.items():
        if not value:
            raise row.fail(fld, "is empty")
    start, end = row.date("start"), row.date("end")
    assert start is not None and end is not None
    if end < start:
        raise row.fail("end", "ends before the authorization starts")
    approved = row.whole("approved", what="a whole number of visits or units", maximum=_MAX_COUNT)
    used = row.whole("used", what="a whole number of visits or units", maximum=_MAX_COUNT) or 0
    kind_text = row.text("unit_kind").strip().lower()
    unit_kind = _UNIT_KINDS.get(kind_text, "") if kind_text else "visits"
    if not unit_kind:
        raise row.fail("unit_kind", "must be visits or units")
    codes = tuple(c for c in re.split(r"[\s,;|/]+", row.text("codes").upper()) if c)
    if any(not _CODE.match(code) for code in codes):
        raise row.fail("codes", "must be CPT/HCPCS codes separated by spaces, commas or semicolons")
    return AuthorizationRecord(
        account=values["account"],
        number=values["number"],
        approved=approved or 0,
        start_date=start,
        end_date=end,
        payer_name=row.text("payer") or None,
        unit_kind=unit_kind,
        used=used,
        codes=codes,
    )
