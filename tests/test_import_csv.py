"""CSV AR aging exports: both layouts, mapping files, located errors, any cell content."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.domain import PayerKind
from assistant.errors import ImportFailed
from assistant.importers.csv_claims import load_mapping, parse_claims_csv, split_patient_name
from assistant.importers.identifiers import derived_account
from assistant.ingest import ParsedBatch
from tests.conftest import FIXTURES

FCSV = FIXTURES / "csv"
DOCS = Path(__file__).resolve().parents[1] / "docs"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_one_row_per_claim_gives_claims_without_lines() -> None:
    batch = parse_claims_csv(FCSV / "aging_claims.csv")
    assert [c.claim_id for c in batch.claims] == ["OT250301A1", "OT250315B2", "OT250402C3"]
    rivera, nguyen, patel = batch.claims
    assert rivera.lines == ()
    assert (rivera.billed_cents, rivera.paid_cents, rivera.balance_cents) == (124050, 98000, 26050)
    assert (rivera.dos_from, rivera.dos_to, rivera.submitted_date) == (
        date(2025, 3, 1), date(2025, 3, 1), date(2025, 3, 5))
    assert (rivera.patient.account, rivera.patient.last_name, rivera.patient.first_name) == ("A1001", "Rivera", "Maria")
    assert rivera.patient.dob == date(1950, 4, 2)
    assert rivera.payer.name == "Medicare Part B" and rivera.payer.payer_id == "01112"
    assert rivera.payer.kind is PayerKind.MEDICARE and rivera.assignee == "jkim"
    assert nguyen.dos_from == date(2025, 3, 15) and nguyen.assignee is None
    assert nguyen.payer.kind is PayerKind.COMMERCIAL
    assert patel.paid_cents == -1200 and patel.payer.kind is PayerKind.COMMERCIAL  # "(12.00)", "BCBS"
    assert batch.warnings == ["1 row(s) without a claim id skipped (lines 5)"]


def test_one_row_per_line_groups_rows_by_claim() -> None:
    batch = parse_claims_csv(FCSV / "aging_lines.csv")
    assert batch.warnings == []
    assert [c.claim_id for c in batch.claims] == ["OT250301A1", "OT250303A1", "OT250315B2"]
    first, second, third = batch.claims
    assert [(ln.line_no, ln.code, ln.modifiers, ln.units, ln.minutes, ln.charge_cents) for ln in first.lines] == [
        (1, "97530", ("GO",), Decimal(2), 38, 15000), (2, "97110", ("GO",), Decimal(1), 15, 9000)]
    assert first.billed_cents == 24000 and first.paid_cents == 24000 and first.balance_cents == 0
    assert first.diagnoses == ("M6281", "Z9181")
    assert first.patient.account == derived_account("1EG4TE5MK73") == second.patient.account
    assert first.payer.kind is PayerKind.MEDICARE  # "MB" as a claim filing indicator
    assert second.lines[0].modifiers == ("GO", "KX")
    assert (third.dos_from, third.dos_to, third.billed_cents) == (date(2025, 3, 15), date(2025, 3, 17), 31500)
    assert [ln.service_date for ln in third.lines] == [date(2025, 3, 15), date(2025, 3, 17)]
    assert third.balance_cents == 31500 and third.payer.kind is PayerKind.COMMERCIAL


def test_a_mapping_file_for_an_odd_export() -> None:
    batch = parse_claims_csv(FCSV / "pm_export.txt", FCSV / "pm_export.toml")
    [claim] = batch.claims
    assert claim.claim_id == "OT261101A1" and claim.patient.account == "A1001"
    assert (claim.patient.last_name, claim.patient.first_name) == ("RIVERA", "MARIA")
    assert claim.payer.kind is PayerKind.MEDICARE  # from [defaults]
    assert claim.dos_from == date(2026, 3, 11)
    assert [(ln.line_no, ln.code, ln.charge_cents) for ln in claim.lines] == [(1, "97530", 15000), (2, "97110", 9000)]
    assert (claim.billed_cents, claim.paid_cents, claim.balance_cents) == (24000, 0, 24000)  # line_amounts summed


def test_the_shipped_example_mapping_is_valid() -> None:
    mapping = load_mapping(DOCS / "csv-mapping.example.toml")
    assert mapping.columns["claim_id"] == ["Claim No."] and mapping.date_format == "%m/%d/%Y"
    assert mapping.defaults == {"payer_kind": "commercial"}
    assert mapping.columns["code"] == ["CPT", "HCPCS"]


def test_amounts_that_differ_between_a_claims_rows_are_line_amounts(tmp_path: Path) -> None:
    """A claim total is the same on every row, so rows that disagree give amounts per line."""
    text = ("Claim ID,Account,Payer,DOS,CPT,Charge,Paid\n"
            "C1,A1,Aetna,2026-01-05,97530,100,40\nC1,A1,Aetna,2026-01-05,97110,50,10\n"
            "C2,A1,Aetna,2026-01-06,97530,100,30\nC2,A1,Aetna,2026-01-06,97110,50,30\n")
    batch = parse_claims_csv(write(tmp_path, "paid.csv", text))
    assert [c.paid_cents for c in batch.claims] == [5000, 6000]  # the whole file is per line
    assert "read per line and summed" in batch.warnings[0]


def test_a_mapping_that_says_claim_totals_keeps_the_first_rows_amount(tmp_path: Path) -> None:
    text = ("Claim ID,Account,Payer,DOS,CPT,Charge,Paid\n"
            "C1,A1,Aetna,2026-01-05,97530,100,40\nC1,A1,Aetna,2026-01-05,97110,50,10\n")
    mapping = write(tmp_path, "m.toml", "[csv]\nline_amounts = false\n")
    batch = parse_claims_csv(write(tmp_path, "paid.csv", text), mapping)
    assert batch.claims[0].paid_cents == 4000
    assert "rows disagree on 'Paid'" in batch.warnings[0]


def test_an_aging_detail_report_with_a_title_block_and_totals_rows() -> None:
    """As a PM system prints it: title lines, per-line amounts in dollars, a subtotal row
    without a claim id and a "Grand Total" row at the bottom."""
    batch = parse_claims_csv(FCSV / "kareo_aging_detail.csv")
    assert [c.claim_id for c in batch.claims] == ["WP5001", "WP5002", "WP5003"]
    quinn, obrien, smith = batch.claims
    assert (quinn.billed_cents, quinn.paid_cents, quinn.balance_cents) == (30500, 0, 30500)
    assert [(ln.code, ln.modifiers, ln.units) for ln in quinn.lines] == [
        ("97165", ("GO",), Decimal(1)), ("97530", ("GO", "KX"), Decimal(2))]
    assert quinn.diagnoses == ("M6281", "R2689") and quinn.payer.kind is PayerKind.MEDICARE
    assert (obrien.patient.last_name, obrien.paid_cents, obrien.balance_cents) == ("O'Brien", 9600, 5400)
    assert (smith.patient.last_name, smith.billed_cents) == ("Smith Jr", 112000)
    assert batch.warnings[:2] == ["1 totals row(s) skipped (lines 12)",
                                  "1 row(s) without a claim id skipped (lines 10)"]


def test_a_semicolon_export_with_decimal_commas_and_first_last_names() -> None:
    batch = parse_claims_csv(FCSV / "euro_export.csv", FCSV / "euro_mapping.toml")
    nunez, cruz = batch.claims
    assert (nunez.patient.last_name, nunez.patient.first_name) == ("Núñez", "José")
    assert (cruz.patient.last_name, cruz.patient.first_name) == ("de la Cruz", "Mary Ann")
    assert nunez.billed_cents == 117050 and nunez.lines[1].modifiers == ("GO", "59")
    assert (cruz.paid_cents, cruz.balance_cents) == (4000, 6000)


def test_month_name_dates_and_other_headers_need_no_mapping() -> None:
    """"Nov 3, 2026" and "Feb 9 1955"; "Pt", "Ins 1", "Amt Billed", "Amt Rec'd", "Bal Due"."""
    greene, ito = parse_claims_csv(FCSV / "ticket_aging.csv").claims
    assert (greene.claim_id, greene.dos_from, greene.submitted_date) == (
        "T-3301", date(2026, 11, 3), date(2026, 11, 5))
    assert (greene.patient.dob, greene.payer.name) == (date(1955, 2, 9), "Medicare Part B")
    assert (greene.billed_cents, greene.paid_cents, greene.balance_cents) == (24000, 15000, 10000)
    assert (ito.dos_from, ito.patient.last_name) == (date(2026, 10, 28), "Ito")


@pytest.mark.parametrize(("text", "last", "first"), [
    ("Maria Rivera", "Rivera", "Maria"), ("Rivera, Maria J", "Rivera", "Maria J"),
    ("Robert Smith Jr", "Smith Jr", "Robert"), ("Ludwig van Beethoven", "van Beethoven", "Ludwig"),
    ("Anne Le", "Le", "Anne"), ("Mary A. Smith", "Smith", "Mary A."), ("Cher", "Cher", "")])
def test_first_last_names_keep_particles_and_suffixes_with_the_last_name(text: str, last: str,
                                                                          first: str) -> None:
    assert split_patient_name(text) == (last, first)


BAD_ROWS = [
    ("Claim ID,Account,Payer,DOS,Billed\nC1,A1,Aetna,2026-01-05,100\nC2,A1,Aetna,2026-13-45,100\n",
     "aging.csv: line 3: column 'DOS': not a date"),
    ("Claim ID,Account,Payer,DOS,Billed\nC1,A1,Aetna,2026-01-05,12x\n",
     "aging.csv: line 2: column 'Billed': not an amount"),
    ("Claim ID,Account,Payer,DOS,CPT,Charge,Units\nC1,A1,Aetna,2026-01-05,97530,10,two\n",
     "aging.csv: line 2: column 'Units': not a unit count"),
    ("Claim ID,Account,Payer,DOS,CPT,Charge\nC1,A1,Aetna,2026-01-05,9753,10\n",
     "aging.csv: line 2: column 'CPT': not a procedure code"),
    ("Claim ID,Account,Payer,DOS,CPT,Charge,Modifiers\nC1,A1,Aetna,2026-01-05,97530,10,GOX\n",
     "aging.csv: line 2: column 'Modifiers': modifiers must be up to four 2-character codes"),
    ("Claim ID,Account,Payer,DOS,Billed\nC1,A1,Aetna,,100\n",
     "aging.csv: line 2: column 'DOS': no date of service"),
    ("Claim ID,Account,Payer,DOS,DOS To,Billed\nC1,A1,Aetna,2026-01-05,2026-01-01,100\n",
     "aging.csv: line 2: column 'DOS To': ends before the date of service starts"),
    ("Claim ID,Account,Payer,DOS,Billed\nC1,A1,Aetna,2026-01-05,100\nC1,A1,Aetna,2026-01-06,100\n",
     "aging.csv: line 3: claim C1 is also on line 2"),
    ("Claim ID,Account,Payer,Billed\nC1,A1,Aetna,100\n",
     "aging.csv: line 1: no column for the date of service 'dos_from'"),
    ("Claim ID,Account,DOS,Billed\nC1,A1,2026-01-05,100\n",
     "aging.csv: line 1: no column for the payer 'payer'"),
    ("Claim ID,Payer,DOS,Billed\nC1,Aetna,2026-01-05,100\n",
     "aging.csv: line 1: no column for the patient 'account'"),
    ("Patient,DOS,Billed\nX,2026-01-05,100\n", "aging.csv: no header row with a claim id column found"),
]


@pytest.mark.parametrize(("text", "message"), BAD_ROWS)
def test_bad_rows_and_missing_columns_are_located(text: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_claims_csv(write(tmp_path, "aging.csv", text))
    assert str(caught.value).startswith(message), str(caught.value)


def test_errors_never_quote_patient_data(tmp_path: Path) -> None:
    text = "Claim ID,Patient,Account,DOB,Payer,DOS,Billed\nC1,\"Rivera, Maria\",A1,1950-02-30,Aetna,2026-01-05,1\n"
    with pytest.raises(ImportFailed) as caught:
        parse_claims_csv(write(tmp_path, "aging.csv", text))
    assert str(caught.value) == "aging.csv: line 2: column 'DOB': not a date"


MAPPING_ERRORS = [
    ("[columns]\nclaim = 'X'\n", "m.toml: columns.claim: unknown field"),
    ("[csv]\nseparator = ';'\n", "m.toml: csv.separator: unknown option"),
    ("[defaults]\npayer_kind = 'hmo'\n", "m.toml: defaults.payer_kind: 'hmo' is not one of medicare"),
    ("[csv]\ndelimiter = ';;'\n", "m.toml: csv.delimiter: must be one character"),
    ("[columns]\nclaim_id = 3\n", "m.toml: columns.claim_id: must be a header name"),
    ("[csv\n", "m.toml: not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), MAPPING_ERRORS)
def test_mapping_errors_name_the_key(text: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_claims_csv(FCSV / "aging_claims.csv", write(tmp_path, "m.toml", text))
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_mapped_header_the_export_lacks_is_named(tmp_path: Path) -> None:
    mapping = write(tmp_path, "m.toml", "[csv]\nuse_defaults = false\n[columns]\nclaim_id = 'Claim #'\n"
                                        "dos_from = 'Service Day'\npayer = 'Payer'\naccount = 'Account'\n")
    with pytest.raises(ImportFailed) as caught:
        parse_claims_csv(FCSV / "aging_claims.csv", mapping)
    assert str(caught.value).startswith("aging_claims.csv: line 1: no column for the date of service 'dos_from' "
                                        "(looked for 'Service Day')")


def test_csv_through_services_keeps_paid_and_balance(services) -> None:
    [result] = services.import_paths("csv", [FCSV / "aging_claims.csv"])
    assert result.status == "imported" and result.created == 3
    assert result.as_dict()["claims"] == 3 and result.as_dict()["lines"] == 0
    claim = services.claim("OT250301A1")
    assert (claim["billed"], claim["paid"], claim["balance"], claim["assignee"]) == (1240.5, 980.0, 260.5, "jkim")


def test_csv_cli_with_a_mapping(run_cli, db_path) -> None:
    db = str(db_path)
    run_cli("init", "--db", db)
    result = run_cli("import", "csv", str(FCSV / "pm_export.txt"), "--mapping", str(FCSV / "pm_export.toml"),
                     "--db", db, "--json")
    assert result.exit_code == 0, result.stderr
    [data] = result.json()
    assert (data["status"], data["claims"], data["lines"]) == ("imported", 1, 2)
    rows = run_cli("claims", "--db", db, "--json").json()
    assert [(r["claim_id"], r["payer_kind"], r["billed"]) for r in rows] == [("OT261101A1", "medicare", 240.0)]


def test_mapping_is_refused_for_other_kinds(services) -> None:
    from assistant.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.import_paths("837", [FCSV / "aging_claims.csv"], mapping=FCSV / "pm_export.toml")


_CELLS = st.one_of(st.text(max_size=12), st.sampled_from(["", "$1,240.50", "(12.00)", "2026-01-05", "3/4/26",
                                                        "97530-GO", "GO 59", "1e9", "NaN", "-1", "1.5"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(st.lists(_CELLS, min_size=8, max_size=8), max_size=6))
def test_any_cells_give_claims_or_a_located_error(tmp_path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Claim ID", "Account", "Payer", "DOS", "CPT", "Charge", "Units", "Paid"])
    writer.writerows(rows)
    path = tmp_path / "fuzz.csv"
    path.write_text(out.getvalue())
    try:
        batch = parse_claims_csv(path)
    except ImportFailed as exc:
        assert exc.file == "fuzz.csv" and exc.where is not None and exc.where.startswith("line ")
    else:
        assert isinstance(batch, ParsedBatch)
