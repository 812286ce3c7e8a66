"""Accident and injury claims: CLM11 and DTP*439 from the 837P (or a CSV injury date) to the
claim view, `claim --json`, the audit trail and the appeal letter's RE block."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.domain import Category, PayerKind, PayerRecord
from assistant.errors import ImportFailed
from assistant.importers.csv_claims import parse_claims_csv
from assistant.importers.x12 import X12Error
from assistant.importers.x837 import parse_837, read_837
from tests import letter_builders as lb
from tests.builders import claim_record, write
from tests.conftest import FIXTURES

WC = FIXTURES / "837" / "workers_comp.837"
CLM = "CLM*WC261105K1*240***11:B:1*Y*A*Y*Y**EM~"
INJURY = "DTP*439*D8*20261009~"


def wc_text(clm: str = CLM, injury: str = INJURY) -> str:
    text = WC.read_text()
    assert CLM in text and INJURY in text and "SE*33*" in text
    text = text.replace(CLM, clm).replace(INJURY + "\n", injury + "\n" if injury else "")
    return text if injury else text.replace("SE*33*", "SE*32*")


# --------------------------------------------------------------------------- parsing


def test_a_workers_comp_claim_carries_employment_and_the_date_of_injury() -> None:
    batch = parse_837(WC)
    assert batch.warnings == []
    [claim] = batch.claims
    assert claim.payer.kind is PayerKind.WORKERS_COMP and claim.payer.name == "SAIF CORPORATION"
    assert (claim.related_causes, claim.accident_date, claim.accident_state) == (
        ("EM",), date(2026, 10, 9), None)


def test_an_auto_accident_carries_its_state_and_up_to_three_causes() -> None:
    [claim] = read_837(wc_text("CLM*WC261105K1*240***11:B:1*Y*A*Y*Y**AA:em:AA:wa~"), "a.837").claims
    assert (claim.related_causes, claim.accident_state) == (("AA", "EM"), "WA")
    [plain] = parse_837(FIXTURES / "837" / "medicare_self.837").claims
    assert (plain.related_causes, plain.accident_date, plain.accident_state) == ((), None, None)


@pytest.mark.parametrize(("clm", "injury", "where", "reason"), [
    ("CLM*WC261105K1*240***11:B:1*Y*A*Y*Y**XX~", INJURY, "segment 21 (CLM)",
     "CLM11 'XX' is not a related cause"),
    ("CLM*WC261105K1*240***11:B:1*Y*A*Y*Y**AA:::W1~", INJURY, "segment 21 (CLM)",
     "CLM11-4 'W1' is not a state code"),
    (CLM, "DTP*439*D8*20261332~", "segment 22 (DTP)", "DTP03 (accident date) is not a CCYYMMDD date"),
    (CLM, "DTP*439*D8*2026-10-09~", "segment 22 (DTP)", "DTP03 (accident date) is not a CCYYMMDD date"),
])
def test_bad_related_causes_and_accident_dates_are_refused_naming_the_segment(
        clm: str, injury: str, where: str, reason: str) -> None:
    with pytest.raises(ImportFailed) as caught:
        read_837(wc_text(clm, injury), "bad.837")
    message = str(caught.value)
    assert message.startswith(f"bad.837: {where}: "), message
    assert reason in message, message
    assert "BAKER" not in message and "WC77120345" not in message


def test_accidents_the_guide_would_refuse_are_warned() -> None:
    no_state = read_837(wc_text("CLM*WC261105K1*240***11:B:1*Y*A*Y*Y**AA~"), "w.837")
    assert no_state.warnings == ["segment 21 (CLM): claim WC261105K1: auto accident (CLM11 AA) without "
                                 "its state (CLM11-4)"]
    no_date = read_837(wc_text("CLM*WC261105K1*240***11:B:1*Y*A*Y*Y**OA~", ""), "w.837")
    assert no_date.warnings == ["segment 21 (CLM): claim WC261105K1: accident (CLM11) without its date "
                                "(DTP*439)"]
    assert read_837(wc_text(CLM, ""), "w.837").warnings == []  # EM: the injury need not be an accident
    late = read_837(wc_text(CLM, "DTP*439*D8*20261106~"), "w.837")
    [claim] = late.claims
    assert claim.accident_date == date(2026, 11, 6)
    assert late.warnings == ["segment 21 (CLM): claim WC261105K1: accident date (DTP*439) after the first "
                             "date of service"]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="AEMOXW:19 ", max_size=14), st.text(alphabet="0123456789-", max_size=10))
def test_any_clm11_and_accident_date_give_a_claim_or_an_error_naming_the_segment(
        related: str, day: str) -> None:
    text = wc_text(f"CLM*WC261105K1*240***11:B:1*Y*A*Y*Y**{related}~", f"DTP*439*D8*{day}~")
    try:
        [claim] = read_837(text, "any.837").claims
    except X12Error as exc:
        assert "any.837: segment 2" in str(exc)
        return
    assert set(claim.related_causes) <= {"AA", "EM", "OA"} and len(claim.related_causes) <= 3
    assert claim.accident_state is None or len(claim.accident_state) == 2
    assert claim.accident_date is not None


# --------------------------------------------------------------------------- stored and shown


def test_the_injury_goes_through_the_import_into_claim_json_and_text(run_cli, db_path, services) -> None:
    db = str(db_path)
    imported = run_cli("import", "837", str(WC), "--db", db)
    assert imported.exit_code == 0, imported.stderr
    shown = run_cli("claim", "WC261105K1", "--db", db, "--json")
    assert shown.exit_code == 0, shown.stderr
    data = shown.json()
    assert data["payer"]["kind"] == "workers_comp"
    assert data["accident"] == {"date": "2026-10-09", "causes": ["EM"], "state": None}
    text = run_cli("claim", "WC261105K1", "--db", db).stdout
    assert "Injury/accident date 2026-10-09 (employment)" in text
    assert run_cli("import", "837", str(FIXTURES / "837" / "medicare_self.837"), "--db", db).exit_code == 0
    assert run_cli("claim", "OT261101A1", "--db", db, "--json").json()["accident"] is None
    assert "Injury/accident" not in run_cli("claim", "OT261101A1", "--db", db).stdout


def test_a_replacement_changing_the_accident_is_audited(services, tmp_path: Path) -> None:
    services.import_paths("837", [WC])
    corrected = wc_text("CLM*WC261105K1*240***11:B:7*Y*A*Y*Y**AA:EM::OR~", "DTP*439*D8*20261012~")
    path = tmp_path / "corrected.837"
    path.write_text(corrected.replace("REF*EA*W3001~", "REF*F8*SAIF26110077~\nREF*EA*W3001~")
                    .replace("SE*33*", "SE*34*"))
    [result] = services.import_paths("837", [path])
    assert result.status == "imported" and result.updated == 1, result.error
    claim = services.claim("WC261105K1")
    assert claim["accident"] == {"date": "2026-10-12", "causes": ["AA", "EM"], "state": "OR"}
    changes = {(a["field"], a["before"], a["after"]) for a in claim["activities"] if a["field"]}
    assert ("accident_date", "2026-10-09", "2026-10-12") in changes
    assert ("accident_causes", "EM", "AA EM") in changes
    assert ("accident_state", None, "OR") in changes


def test_a_csv_injury_date_column_fills_the_accident_date(services, tmp_path: Path) -> None:
    path = tmp_path / "wc.csv"
    path.write_text("Claim #,Patient,Account,DOS,Payer,Billed,Date of Injury\n"
                    "WC1,\"Baker, John\",W3001,11/05/2026,SAIF Corporation,240.00,10/09/2026\n"
                    "WC2,\"Baker, John\",W3001,11/12/2026,SAIF Corporation,240.00,\n")
    first, second = parse_claims_csv(path).claims
    assert (first.accident_date, first.related_causes) == (date(2026, 10, 9), ())
    assert second.accident_date is None
    [result] = services.import_paths("csv", [path])
    assert result.status == "imported", result.error
    assert services.claim("WC1")["accident"] == {"date": "2026-10-09", "causes": [], "state": None}
    assert services.claim("WC2")["accident"] is None


def test_a_csv_without_the_injury_date_keeps_what_the_837_said(services, tmp_path: Path) -> None:
    services.import_paths("837", [WC])
    path = tmp_path / "aging.csv"
    path.write_text("Claim #,Patient,Account,DOS,Payer,Billed,Paid\n"
                    "WC261105K1,\"Baker, John\",W3001,11/05/2026,SAIF Corporation,240.00,0\n")
    [result] = services.import_paths("csv", [path])
    assert result.status == "imported", result.error
    assert services.claim("WC261105K1")["accident"] == {"date": "2026-10-09", "causes": ["EM"],
                                                        "state": None}


# --------------------------------------------------------------------------- the letter


def _letter_re_block(services, record) -> str:
    write(services.conn, record)
    lb.remit(services.conn, record.claim_id, adjustments=[(1, "CO", "50", 150.0)])
    drafter = lb.drafter(services, lambda v: lb.assessment(v.claim_id, Category.MEDICAL_NECESSITY, "CO-50"))
    doc = Document(str(drafter.draft(record.claim_id).path))
    return next(p for p in doc.paragraphs if p.text.startswith("RE:")).text


SAIF = PayerRecord("SAIF Corporation", "SAIF1", PayerKind.WORKERS_COMP)


def test_a_workers_comp_letter_names_the_date_of_injury(services) -> None:
    record = dataclasses.replace(claim_record("WC1", payer="Aetna"), payer=SAIF,
                                 accident_date=date(2026, 8, 14))
    re_block = _letter_re_block(services, record)
    assert "Date of injury: 08/14/2026" in re_block.splitlines()
    assert "Date of accident" not in re_block


def test_an_auto_accident_letter_names_the_date_of_accident(services) -> None:
    record = dataclasses.replace(claim_record("AA1", payer="Aetna"), related_causes=("AA",),
                                 accident_state="OR", accident_date=date(2026, 8, 2))
    re_block = _letter_re_block(services, record)
    assert "Date of accident: 08/02/2026" in re_block.splitlines()
    assert "Date of injury" not in re_block


def test_employment_makes_it_an_injury_and_no_date_shows_nothing(services) -> None:
    employment = dataclasses.replace(claim_record("EM1", payer="Aetna"), related_causes=("EM",),
                                     accident_date=date(2026, 7, 30))
    assert "Date of injury: 07/30/2026" in _letter_re_block(services, employment)
    undated = dataclasses.replace(claim_record("WC2", account="A1002", payer="Aetna"), payer=SAIF,
                                  related_causes=("EM",))
    re_block = _letter_re_block(services, undated)
    assert "Date of injury" not in re_block and "Date of accident" not in re_block
