"""Reading CSV exports: encoding, delimiter, the header row and columns found by name.

Exports from practice-management systems differ in every detail: a title block above the
header, semicolons or tabs, Windows-1252 text, "Claim #" or "Patient Control Number".
`read_table` finds the header by looking for the columns a kind of file needs; `Columns`
says which header each of our fields came from, so errors can name the export's own
column ("aging.csv: line 14: column 'DOS': not a date"). Cell values never appear in
errors: they may be patient data.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from assistant.dates import parse_flexible
from assistant.errors import ImportFailed, InvalidInput
from assistant.money import to_cents

DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_ROWS = 25
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?\Z")
_MAX_AMOUNT_CHARS = 20
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)\Z")
# A comma followed by exactly two digits at the end is a decimal comma; "1,240" stays thousands.
_DECIMAL_COMMA = re.compile(r"^[-(]?\$?\d{1,3}(?:\.\d{3})*,\d{2}\)?\Z|^[-(]?\$?\d+,\d{2}\)?\Z")


def header_key(text: str) -> str:
    """"Claim #" and "claim_no" compare as "claim#" and "claimno": case and spacing ignored."""
    return re.sub(r"[\s_.\-/()]+", "", text.strip().lower().lstrip("\ufeff"))


# A totals line under the data ("Grand Total", "Totals for Aetna:", "Report total (12)", "Count: 42"),
# but not a payer named "Total Health Care".
_SUMMARY = re.compile(r"(?:(?:grand|report|page|sub-?)\s*)?totals?(?:\s*(?:[:(\-]|for\b).*)?"
                      r"|(?:record\s*)?count\s*:.*|end of report.*", re.IGNORECASE)


@dataclass
class Table:
    name: str
    header_line: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)
    totals_lines: tuple[int, ...] = ()  # summary rows left out of `rows`

    def totals_warning(self) -> list[str]:
        """The warning an importer gives for the totals rows it did not read as data."""
        if not self.totals_lines:
            return []
        shown = ", ".join(str(n) for n in self.totals_lines[:5])
        return [f"{len(self.totals_lines)} totals row(s) skipped (lines {shown})"]


def is_summary_row(cells: Sequence[str]) -> bool:
    """A report's totals row: its first filled cell says "Total", "Grand Total", "Count:" ..."""
    first = next((cell for cell in cells if cell), "")
    return bool(_SUMMARY.fullmatch(first.strip()))


def read_text(path: Path, encoding: str | None = None) -> str:
    """The file as text: UTF-8 (with or without BOM), else Windows-1252 as Excel writes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(path.name, None, f"cannot read ({exc.strerror})") from None
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ImportFailed(path.name, None, f"is not {encoding} text") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _rows(text: str, delimiter: str, name: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text.replace("\x00", ""), newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, [cell.strip() for cell in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFailed(name, f"line {start}", f"cannot read this row ({exc})") from None
    return rows


def read_table(path: Path, is_header: Callable[[list[str]], bool], *, delimiter: str | None = None,
               encoding: str | None = None, header_line: int | None = None,
               wanted: str = "a header row") -> Table:
    """Rows after the header; the header is the first row `is_header` accepts."""
    text = read_text(path, encoding)
    if not text.strip():
        raise ImportFailed(path.name, None, "the file is empty")
    candidates = (delimiter,) if delimiter else DELIMITERS
    best: Table | None = None
    for candidate in candidates:
        rows = _rows(text, candidate, path.name)
        for position, (line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
            if header_line is not None and line != header_line:
                continue
            if is_header(cells):
                body = [r for r in rows[position + 1:] if any(r[1])]
                totals = tuple(r[0] for r in body if is_summary_row(r[1]))
                table = Table(path.name, line, cells,
                              [r for r in body if r[0] not in totals] if totals else body, totals)
                rank = (table.header_line, -len(table.headers))
                if best is None or rank < (best.header_line, -len(best.headers)):
                    best = table
                break
    if best is None:
        where = f"line {header_line}" if header_line else None
        raise ImportFailed(path.name, where, f"no {wanted} found in the first {HEADER_SEARCH_ROWS} lines")
    return best


@dataclass(frozen=True)
class Column:
    index: int
    header: str


class Columns:
    """Our field names -> the export's columns, resolved from names or synonym lists."""

    def __init__(self, headers: Sequence[str], wanted: Mapping[str, Sequence[str]]) -> None:
        keys = [header_key(h) for h in headers]
        taken: set[int] = set()
        self.found: dict[str, Column] = {}
        for fld, names in wanted.items():
            for candidate in names:
                key = header_key(candidate)
                index = next((i for i, k in enumerate(keys) if k == key and i not in taken), None)
                if index is not None:
                    self.found[fld] = Column(index, headers[index])
                    taken.add(index)
                    break

    def __contains__(self, fld: str) -> bool:
        return fld in self.found

    def header(self, fld: str) -> str:
        return self.found[fld].header

    def cell(self, cells: Sequence[str], fld: str) -> str:
        column = self.found.get(fld)
        if column is None or column.index >= len(cells):
            return ""
        return cells[column.index].strip()


class RowReader:
    """Typed values from one row, with errors that name the file, line and column."""

    def __init__(self, name: str, columns: Columns, line: int, cells: Sequence[str],
                 date_format: str | None = None) -> None:
        self.name = name
        self.columns = columns
        self.line = line
        self.cells = cells
        self.date_format = date_format

    def fail(self, fld: str, reason: str) -> ImportFailed:
        header = self.columns.header(fld) if fld in self.columns else fld
        return ImportFailed(self.name, f"line {self.line}", f"column {header!r}: {reason}")

    def text(self, fld: str) -> str:
        return self.columns.cell(self.cells, fld)

    def date(self, fld: str) -> date | None:
        raw = self.text(fld)
        if not raw:
            return None
        raw = _TIME_SUFFIX.sub("", raw).strip()
        try:
            if self.date_format:
                return datetime.strptime(raw, self.date_format).date()
            return parse_flexible(raw)
        except (ValueError, InvalidInput):
            raise self.fail(fld, "not a date") from None

    def cents(self, fld: str) -> int | None:
        raw = self.text(fld)
        if not raw:
            return None
        if len(raw) > _MAX_AMOUNT_CHARS:
            raise self.fail(fld, "not an amount")
        raw = raw.replace(" ", "")
        if "e" in raw.lower():
            raise self.fail(fld, "not an amount")  # no exponents ("1e999"), no "NaN"
        if _DECIMAL_COMMA.match(raw):
            raw = raw.replace(".", "").replace(",", ".")  # 1.240,50 as European exports write it
        try:
            return to_cents(raw)
        except InvalidInput:
            raise self.fail(fld, "not an amount") from None

    def decimal(self, fld: str, *, what: str = "a number") -> Decimal | None:
        raw = self.text(fld).replace(",", "")
        if not raw:
            return None
        if not _PLAIN_NUMBER.match(raw):
            raise self.fail(fld, f"not {what}")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise self.fail(fld, f"not {what}") from None
        if not value.is_finite() or len(raw) > 12:
            raise self.fail(fld, f"not {what}")
        return value

    def whole(self, fld: str, *, what: str = "a whole number", maximum: int = 1_000_000) -> int | None:
        value = self.decimal(fld, what=what)
        if value is None:
            return None
        if value != value.to_integral_value() or not 0 <= value <= maximum:
            raise self.fail(fld, f"not {what}")
        return int(value)
