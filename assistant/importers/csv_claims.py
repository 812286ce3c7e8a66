"""Claims from CSV AR aging exports, for billing systems that cannot send 837P files.

Two layouts, told apart by whether a procedure-code column exists:

- one row per claim (no code column): claims without lines, with their billed, paid and
  balance amounts;
- one row per service line: rows with the same claim id (anywhere in the file) are one
  claim; claim-level columns (patient, payer, billed, paid, balance ...) are read from the
  claim's first row, dates of service span all its rows, billed defaults to the sum of
  the line charges. Paid and balance are claim totals repeated on each row, or amounts
  per line that are summed: per line when `line_amounts = true` in the mapping, or, when
  the mapping does not say, when the rows of any claim in the file disagree on them (a
  claim total is the same on every row).

Columns are found by the synonyms in `assistant/data/csv_columns.toml`, or named by a
mapping file (TOML; `docs/csv-mapping.example.toml` documents every key) that can also set
the delimiter, encoding, date format, header line and defaults such as the payer kind.
Patient account: the account column; else `identifiers.derived_account` from the member
id; else `identifiers.derived_name_account` from name and date of birth.
Totals rows ("Grand Total", "Totals for Aetna:") and rows without a claim id are skipped
with a warning.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.domain import ClaimLineRecord, ClaimRecord, PatientRecord, PayerKind, PayerRecord
from assistant.errors import AssistantError, ImportFailed
from assistant.importers.identifiers import derived_account, derived_name_account
from assistant.importers.tabular import Columns, RowReader, header_key, read_table
from assistant.importers.vocabulary import payer_kind_for_filing_indicator
from assistant.ingest import ParsedBatch
from assistant.paths import package_data

_MAPPING_OPTIONS = frozenset({"delimiter", "encoding", "date_format", "header_line", "line_amounts",
                              "use_defaults"})
_DEFAULTS = frozenset({"payer", "payer_kind", "payer_id", "frequency", "place_of_service",
                       "coverage_priority"})
_PRIORITY_WORDS = {"p": 1, "primary": 1, "1": 1, "s": 2, "secondary": 2, "2": 2,
                   "t": 3, "tertiary": 3, "3": 3}
# Words in a "payer type" / "financial class" cell, tried in order (the first match wins).
_PAYER_KIND_WORDS = (
    ("medicare advantage", PayerKind.MEDICARE_ADVANTAGE),
    ("medicare replacement", PayerKind.MEDICARE_ADVANTAGE),
    ("managed medicare", PayerKind.MEDICARE_ADVANTAGE),
    ("medicare hmo", PayerKind.MEDICARE_ADVANTAGE),
    ("medicare", PayerKind.MEDICARE),
    ("medicaid", PayerKind.MEDICAID),
    ("workers", PayerKind.WORKERS_COMP),
    ("work comp", PayerKind.WORKERS_COMP),
    ("workcomp", PayerKind.WORKERS_COMP),
    ("commercial", PayerKind.COMMERCIAL),
    ("private", PayerKind.COMMERCIAL),
    ("ppo", PayerKind.COMMERCIAL),
    ("hmo", PayerKind.COMMERCIAL),
    ("blue cross", PayerKind.COMMERCIAL),
    ("bcbs", PayerKind.COMMERCIAL),
)
_CODE = re.compile(r"(?:\d{4}[0-9A-Z]|[A-Z]\d{4})\Z")  # CPT (incl. Category II/III) or HCPCS
_SPLIT = re.compile(r"[\s,;:/|+\-]+")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
_NAME_PARTICLES = frozenset({"de", "del", "della", "la", "le", "da", "di", "do", "dos", "das", "du", "van",
                             "von", "der", "den", "ter", "ten", "st", "st.", "bin", "ibn", "al", "el", "mac"})


@dataclass
class CsvMapping:
    """How one export names its columns, and the file options that go with it."""

    columns: dict[str, list[str]]
    delimiter: str | None = None
    encoding: str | None = None
    date_format: str | None = None
    header_line: int | None = None
    line_amounts: bool | None = None  # None: found from the file (rows of a claim disagree)
    defaults: dict[str, str] = field(default_factory=dict)


def default_columns(section: str = "columns") -> dict[str, list[str]]:
    """The header synonyms of one kind of export (a table of csv_columns.toml)."""
    with package_data("csv_columns.toml").open("rb") as fh:
        return {key: list(names) for key, names in tomllib.load(fh)[section].items()}


def load_mapping(path: Path | None, *, section: str = "columns",
                 options_allowed: frozenset[str] | set[str] = _MAPPING_OPTIONS,
                 defaults_allowed: frozenset[str] | set[str] = _DEFAULTS) -> CsvMapping:
    """The default synonyms (`section` of csv_columns.toml), with a mapping file's columns,
    options and defaults on top; another kind of export names its own allowed keys."""
    known = default_columns(section)
    columns = {key: list(names) for key, names in known.items()}
    if path is None:
        return CsvMapping(columns)
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ImportFailed(name, None, f"cannot read ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImportFailed(name, None, f"not valid TOML ({exc})") from None
    unknown = set(raw) - {"csv", "columns", "defaults"}
    if unknown:
        raise ImportFailed(name, sorted(unknown)[0], "unknown section; expected csv, columns, defaults")
    options = _table(raw, "csv", name)
    for key in options:
        if key not in options_allowed:
            raise ImportFailed(name, f"csv.{key}",
                               f"unknown option; one of {', '.join(sorted(options_allowed))}")
    mapped = _table(raw, "columns", name)
    if options.get("use_defaults", True) is False:
        columns = {}
    elif not isinstance(options.get("use_defaults", True), bool):
        raise ImportFailed(name, "csv.use_defaults", "must be true or false")
    for key, value in mapped.items():
        if key not in known:
            raise ImportFailed(name, f"columns.{key}",
                               f"unknown field; one of {', '.join(sorted(known))}")
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise ImportFailed(name, f"columns.{key}", "must be a header name or a list of header names")
        columns[key] = names
    defaults = _table(raw, "defaults", name)
    for key, value in defaults.items():
        if key not in defaults_allowed:
            raise ImportFailed(name, f"defaults.{key}",
                               f"unknown default; one of {', '.join(sorted(defaults_allowed))}")
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ImportFailed(name, f"defaults.{key}", "must be text")
    if "payer_kind" in defaults and str(defaults["payer_kind"]) not in {k.value for k in PayerKind}:
        raise ImportFailed(name, "defaults.payer_kind", f"{defaults['payer_kind']!r} is not one of "
                                                          f"{', '.join(k.value for k in PayerKind)}")
    mapping = CsvMapping(columns, defaults={k: str(v) for k, v in defaults.items()})
    mapping.delimiter = _option_text(options, "delimiter", name)
    if mapping.delimiter is not None:
        mapping.delimiter = {"tab": "\t", "\\t": "\t"}.get(mapping.delimiter, mapping.delimiter)
        if len(mapping.delimiter) != 1:
            raise ImportFailed(name, "csv.delimiter", "must be one character (or \"tab\")")
    mapping.encoding = _option_text(options, "encoding", name)
    mapping.date_format = _option_text(options, "date_format", name)
    if mapping.date_format is not None and "%" not in mapping.date_format:
        raise ImportFailed(name, "csv.date_format", "must be a strftime format such as \"%m/%d/%Y\"")
    header_line = options.get("header_line")
    if header_line is not None and (not isinstance(header_line, int) or isinstance(header_line, bool)
                                    or header_line < 1):
        raise ImportFailed(name, "csv.header_line", "must be a line number (1 = first line)")
    mapping.header_line = header_line
    line_amounts = options.get("line_amounts")
    if line_amounts is not None and not isinstance(line_amounts, bool):
        raise ImportFailed(name, "csv.line_amounts", "must be true or false")
    mapping.line_amounts = line_amounts
    return mapping


def _table(raw: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ImportFailed(name, key, "must be a table ([" + key + "])")
    return value


def _option_text(options: dict[str, Any], key: str, name: str) -> str | None:
    value = options.get(key)
    if value is not None and not isinstance(value, str):
        raise ImportFailed(name, f"csv.{key}", "must be text")
    return value


# --------------------------------------------------------------------------- parsing


def parse_claims_csv(path: Path, mapping: Path | None = None) -> ParsedBatch:
    """Claims (with or without lines) from one AR export."""
    settings = load_mapping(mapping)
    wanted = settings.columns

    def is_header(cells: list[str]) -> bool:
        keys = {header_key(c) for c in cells}
        return any(header_key(n) in keys for n in wanted.get("claim_id", ()))

    table = read_table(path, is_header, delimiter=settings.delimiter, encoding=settings.encoding,
                       header_line=settings.header_line, wanted="header row with a claim id column")
    columns = Columns(table.headers, wanted)
    _require_columns(table.name, table.header_line, columns, settings)
    batch = ParsedBatch()
    batch.warnings.extend(table.totals_warning())
    groups: dict[str, list[RowReader]] = {}
    skipped: list[int] = []
    for line, cells in table.rows:
        row = RowReader(table.name, columns, line, cells, settings.date_format)
        claim_id = row.text("claim_id")
        if not claim_id:
            skipped.append(line)
            continue
        groups.setdefault(claim_id, []).append(row)
    if skipped:
        shown = ", ".join(str(n) for n in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        batch.warnings.append(f"{len(skipped)} row(s) without a claim id skipped (lines {shown})")
    by_line = "code" in columns
    if by_line and settings.line_amounts is None:
        settings.line_amounts = _amounts_per_line(groups)
        if settings.line_amounts:
            batch.warnings.append("paid and balance differ between the rows of a claim, so they are read "
                                  "per line and summed (set csv.line_amounts in a mapping to say otherwise)")
    for claim_id, rows in groups.items():
        if not by_line and len(rows) > 1:
            raise ImportFailed(table.name, f"line {rows[1].line}",
                               f"claim {claim_id} is also on line {rows[0].line}; a claim-level export "
                               "lists each claim once")
        try:
            batch.claims.append(_claim(claim_id, rows, settings, batch.warnings))
        except AssistantError:
            raise
        except Exception as exc:  # the safety net: a row we did not foresee is still located
            raise ImportFailed(table.name, f"line {rows[0].line}",
                               f"cannot read claim {claim_id} ({type(exc).__name__})") from None
    return batch


def _require_columns(name: str, header_line: int, columns: Columns, settings: CsvMapping) -> None:
    where = f"line {header_line}"

    def missing(fld: str, what: str) -> ImportFailed:
        looked = settings.columns.get(fld, [])
        shown = ", ".join(repr(n) for n in looked[:4]) + (" ..." if len(looked) > 4 else "")
        hint = f" (looked for {shown})" if shown else ""
        return ImportFailed(name, where, f"no column for {what}{hint}; name it in a mapping file")

    if "dos_from" not in columns:
        raise missing("dos_from", "the date of service 'dos_from'")
    if "payer" not in columns and "payer" not in settings.defaults:
        raise missing("payer", "the payer 'payer' (or set defaults.payer)")
    if not any(f in columns for f in ("account", "member_id", "patient", "patient_last")):
        raise missing("account", "the patient 'account' (or member id, or patient name)")
    if "code" in columns and "charge" not in columns:
        raise missing("charge", "the line charge 'charge'")
    if "code" not in columns and "billed" not in columns and "charge" not in columns:
        raise missing("billed", "the claim total 'billed'")


def _claim(claim_id: str, rows: list[RowReader], settings: CsvMapping, warnings: list[str]) -> ClaimRecord:
    first = rows[0]
    lines: list[ClaimLineRecord] = []
    starts: list[date] = []
    ends: list[date] = []
    for number, row in enumerate(rows, 1):
        start = row.date("dos_from")
        if start is None:
            raise row.fail("dos_from", "no date of service")
        end = row.date("dos_to") or start
        if end < start:
            raise row.fail("dos_to", "ends before the date of service starts")
        starts.append(start)
        ends.append(end)
        if "code" in row.columns:
            lines.append(_line(row, number, start, end))
    billed = first.cents("billed")
    if billed is None:
        billed = sum(line.charge_cents for line in lines) if lines else first.cents("charge")
    if billed is None:
        raise first.fail("billed" if "billed" in first.columns else "charge", "no billed amount")
    if lines and "billed" in first.columns and billed != sum(line.charge_cents for line in lines):
        warnings.append(f"line {first.line}: claim {claim_id}: billed is not the sum of its line charges")
    paid, balance = _amounts(rows, settings, claim_id, warnings)
    payer_name = first.text("payer") or settings.defaults.get("payer", "")
    if not payer_name:
        raise first.fail("payer", "no payer")
    patient = _patient(first)
    priority_text = first.text("coverage_priority") or settings.defaults.get("coverage_priority", "1")
    priority = _PRIORITY_WORDS.get(priority_text.strip().lower())
    if priority is None:
        raise first.fail("coverage_priority", "not primary, secondary or tertiary")
    return ClaimRecord(
        claim_id=claim_id,
        patient=patient,
        payer=PayerRecord(name=payer_name,
                          payer_id=first.text("payer_id") or settings.defaults.get("payer_id"),
                          kind=_payer_kind(first, settings)),
        lines=tuple(lines),
        billed_cents=billed,
        dos_from=min(starts),
        dos_to=max(ends),
        coverage_priority=priority,
        member_id=patient.member_id,
        place_of_service=first.text("place_of_service") or settings.defaults.get("place_of_service"),
        frequency_code=first.text("frequency") or settings.defaults.get("frequency", "1"),
        prior_auth=first.text("prior_auth") or None,
        payer_claim_number=first.text("payer_claim_number") or None,
        diagnoses=_diagnoses(first.text("diagnoses")),
        submitted_date=first.date("submitted"),
        accident_date=first.date("accident_date"),
        paid_cents=paid,
        balance_cents=balance,
        assignee=first.text("assignee") or None,
    )


def _amounts_per_line(groups: dict[str, list[RowReader]]) -> bool:
    """Whether an export gives paid and balance per line: a claim total is the same on every
    row of the claim, so rows of one claim that disagree can only be line amounts."""
    for rows in groups.values():
        if len(rows) > 1:
            for fld in ("paid", "balance"):
                if len({row.cents(fld) for row in rows} - {None}) > 1:
                    return True
    return False


def _amounts(rows: list[RowReader], settings: CsvMapping, claim_id: str,
             warnings: list[str]) -> tuple[int | None, int | None]:
    """Paid and balance: the first row's, or each line's summed with `line_amounts`."""
    result: list[int | None] = []
    for fld in ("paid", "balance"):
        values = [row.cents(fld) for row in rows]
        present = [v for v in values if v is not None]
        if not present:
            result.append(None)
        elif settings.line_amounts:
            result.append(sum(present))
        else:
            if len(set(present)) > 1:
                warnings.append(f"line {rows[0].line}: claim {claim_id}: rows disagree on "
                                f"{rows[0].columns.header(fld)!r}; the first row's value is used (set "
                                "csv.line_amounts = true if the export gives them per line)")
            result.append(present[0])
    return result[0], result[1]


def _line(row: RowReader, number: int, service_date: date, last_date: date) -> ClaimLineRecord:
    raw_code = row.text("code").upper()
    parts = [p for p in _SPLIT.split(raw_code) if p]
    if not parts or not _CODE.match(parts[0]):
        raise row.fail("code", "not a procedure code")
    code, attached = parts[0], parts[1:]
    # "97530-GO-59" carries its modifiers; "97530 - Ther activities" a description.
    modifiers = attached if all(len(m) == 2 for m in attached) else []
    modifiers += [m for m in _SPLIT.split(row.text("modifiers").upper()) if m]
    for fld in ("modifier1", "modifier2", "modifier3", "modifier4"):
        if row.text(fld):
            modifiers.append(row.text(fld).upper())
    if any(len(m) != 2 or not m.isalnum() for m in modifiers) or len(modifiers) > 4:
        raise row.fail("modifiers" if "modifiers" in row.columns else "code",
                       "modifiers must be up to four 2-character codes")
    units = row.decimal("units", what="a unit count")
    if units is not None and units < 0:
        raise row.fail("units", "not a unit count")
    charge = row.cents("charge")
    if charge is None:
        raise row.fail("charge", "no line charge")
    line_no = row.whole("line_no", what="a line number", maximum=9999) or number
    return ClaimLineRecord(
        line_no=line_no,
        code=code,
        modifiers=tuple(modifiers),
        units=units if units is not None else Decimal(1),
        charge_cents=charge,
        service_date=service_date,
        service_date_to=last_date if last_date != service_date else None,
        minutes=row.whole("minutes", what="a number of minutes", maximum=1440),
        rendering_npi=row.text("rendering_npi") or None,
        prior_auth=row.text("prior_auth") or None,
    )


def _patient(row: RowReader) -> PatientRecord:
    last, first = row.text("patient_last"), row.text("patient_first")
    if not last and row.text("patient"):
        last, first = split_patient_name(row.text("patient"))
    dob = row.date("dob")
    member_id = row.text("member_id") or None
    account = row.text("account")
    if not account:
        if member_id:
            account = derived_account(member_id)
        elif last:
            account = derived_name_account(last, first, dob)
        else:
            raise row.fail("account", "no patient account, member id or name")
    return PatientRecord(account=account, last_name=last, first_name=first, dob=dob, member_id=member_id)


def split_patient_name(text: str) -> tuple[str, str]:
    """"Rivera, Maria J" -> ("Rivera", "Maria J"); "Maria Rivera" -> ("Rivera", "Maria")."""
    text = " ".join(text.split())
    if "," in text:
        last, _, first = text.partition(",")
        return last.strip(), first.strip()
    words = text.split(" ")
    if len(words) < 2:
        return text, ""
    # "Robert Smith Jr" -> ("Smith Jr", "Robert"), as "Smith Jr, Robert" reads;
    # "Mary Ann de la Cruz" -> ("de la Cruz", "Mary Ann").
    suffix = [words.pop()] if len(words) > 2 and words[-1].lower().rstrip(".") in _NAME_SUFFIXES else []
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _NAME_PARTICLES:
        start -= 1
    return " ".join(words[start:] + suffix), " ".join(words[:start])


def _payer_kind(row: RowReader, settings: CsvMapping) -> PayerKind | None:
    text = row.text("payer_kind")
    if text:
        lowered = " ".join(text.lower().replace("_", " ").split())
        for value in PayerKind:
            if lowered == value.value.replace("_", " "):
                return value
        if lowered == "ma":
            # In AR exports "MA" is Medicare Advantage; the filing indicator MA (Part A)
            # does not occur on professional OT claims.
            return PayerKind.MEDICARE_ADVANTAGE
        if len(text) <= 2:
            return payer_kind_for_filing_indicator(text)
        for words, kind in _PAYER_KIND_WORDS:
            if words in lowered:
                return kind
        return PayerKind.OTHER
    default = settings.defaults.get("payer_kind")
    return PayerKind(default) if default else None


def _diagnoses(text: str) -> tuple[str, ...]:
    codes: list[str] = []
    for part in re.split(r"[\s,;|]+", text.upper()):
        code = part.replace(".", "")
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)
