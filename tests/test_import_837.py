"""837P import: hand-written files following the implementation guide, broken ones, any input."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.domain import Credential, PayerKind
from assistant.errors import AssistantError, ImportFailed
from assistant.importers.identifiers import derived_account, npi_is_valid
from assistant.importers.x12 import X12Error
from assistant.importers.x837 import parse_837, read_837
from assistant.ingest import ParsedBatch
from tests.conftest import FIXTURES

F837 = FIXTURES / "837"
WELL_FORMED = ["medicare_self.837", "commercial_dependent.837", "two_sets.837", "replacement.837",
               "workers_comp.837",
               "newline_terminated.837"]


def text_of(name: str) -> str:
    return (F837 / name).read_text()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def dump(conn) -> list[str]:
    return list(conn.iterdump())


# --------------------------------------------------------------------------- parsed values


def test_medicare_claim_with_the_patient_as_subscriber() -> None:
    batch = parse_837(F837 / "medicare_self.837")
    assert batch.warnings == []
    assert batch.practice is not None
    assert (batch.practice.name, batch.practice.npi, batch.practice.tax_id) == (
        "HARBOR HAND AND OCCUPATIONAL THERAPY", "1333333338", "931234567")
    assert (batch.practice.address1, batch.practice.city, batch.practice.state, batch.practice.zip) == (
        "100 MAIN ST", "PORTLAND", "OR", "972041234")
    [claim] = batch.claims
    assert claim.claim_id == "OT261101A1"
    assert claim.billed_cents == 24000
    assert (claim.place_of_service, claim.frequency_code, claim.coverage_priority) == ("11", "1", 1)
    assert claim.payer.name == "NORIDIAN JF" and claim.payer.payer_id == "01112"
    assert claim.payer.kind is PayerKind.MEDICARE
    assert claim.member_id == "1EG4TE5MK73" and claim.group_number is None
    patient = claim.patient
    assert patient.account == derived_account("1EG4TE5MK73")
    assert "1EG4TE5MK73" not in patient.account
    assert (patient.last_name, patient.first_name, patient.dob, patient.sex) == (
        "RIVERA", "MARIA", date(1950, 4, 2), "F")
    assert (patient.address1, patient.city, patient.zip) == ("12 ELM ST", "PORTLAND", "97205")
    assert claim.diagnoses == ("M6281", "Z9181")
    assert claim.submitted_date == date(2026, 11, 20)
    assert claim.dos_from == claim.dos_to == date(2026, 11, 3)
    assert claim.billing_provider is not None and claim.billing_provider.is_organization
    assert claim.billing_provider.credential is None
    assert claim.rendering_provider is not None
    assert (claim.rendering_provider.npi, claim.rendering_provider.credential) == ("1234567893", Credential.OT)
    assert claim.referring_provider is not None and claim.referring_provider.npi == "1444444446"
    first, second = claim.lines
    assert (first.line_no, first.code, first.modifiers, first.units, first.charge_cents) == (
        1, "97530", ("GO",), Decimal(2), 15000)
    assert first.dx_pointers == (1, 2) and first.service_date == date(2026, 11, 3)
    assert first.control_number == "OT261101A1L1" and first.minutes == 23 and first.note == "97530 23 MIN"
    assert first.rendering_npi == "1234567893"
    assert (second.code, second.units, second.charge_cents, second.dx_pointers, second.minutes) == (
        "97110", Decimal(1), 9000, (1,), None)
    assert {p.npi for p in batch.providers} == {"1333333338", "1234567893", "1444444446"}


def test_commercial_claim_for_a_dependent_in_2000c() -> None:
    batch = parse_837(F837 / "commercial_dependent.837")
    [claim] = batch.claims
    assert claim.patient.account == "A2044"  # REF*EA wins over the derived account
    assert (claim.patient.last_name, claim.patient.first_name, claim.patient.dob) == (
        "NGUYEN", "LILY", date(2015, 6, 11))
    assert claim.patient.city == "BEAVERTON"
    assert claim.member_id == "W123456789" and claim.group_number == "GRP55012"
    assert claim.payer.kind is PayerKind.COMMERCIAL and claim.payer.payer_id == "60054"
    assert claim.prior_auth == "AUTH778812"
    assert (claim.dos_from, claim.dos_to) == (date(2026, 11, 4), date(2026, 11, 6))
    assert claim.referring_provider is None
    eval_line, ota_line = claim.lines
    assert eval_line.prior_auth is None and eval_line.rendering_npi == "1234567893"
    assert ota_line.modifiers == ("GO", "CO") and ota_line.prior_auth == "AUTH778813"
    assert ota_line.rendering_npi == "1245319599"  # 2420A overrides 2310B on this line only
    assert ota_line.minutes == 31
    providers = {p.npi: p for p in batch.providers}
    assert providers["1245319599"].credential is Credential.OTA
    assert providers["1245319599"].taxonomy == "224Z00000X"


def test_dependent_without_a_record_number_gets_an_account_of_their_own() -> None:
    text = text_of("commercial_dependent.837").replace("REF*EA*A2044~\n", "")
    claim = read_837(text, "dep.837").claims[0]
    assert claim.patient.account == derived_account("W123456789", dependent=("LILY", date(2015, 6, 11)))
    assert claim.patient.account != derived_account("W123456789")


def test_several_claims_and_two_transaction_sets() -> None:
    batch = parse_837(F837 / "two_sets.837")
    assert batch.warnings == []
    assert [c.claim_id for c in batch.claims] == ["OT261110A1", "OT261112A1", "OT261111C3", "OT261020E5"]
    first, second, blue, secondary = batch.claims
    assert first.patient.account == second.patient.account
    assert [len(c.lines) for c in batch.claims] == [1, 2, 2, 1]
    assert blue.payer.kind is PayerKind.COMMERCIAL and blue.group_number == "BC7788"
    assert blue.diagnoses == ("S62101D",)
    assert secondary.coverage_priority == 2 and secondary.payer.kind is PayerKind.MEDICAID
    assert secondary.payer.name == "OREGON MEDICAID"
    # the 2320/2330 loops describe Medicare's part: none of it leaks into the claim
    assert secondary.payer_claim_number is None and secondary.member_id == "OR55512345"
    assert (secondary.dos_from, secondary.dos_to) == (date(2026, 10, 20), date(2026, 10, 22))
    assert secondary.lines[0].service_date == date(2026, 10, 20)
    assert secondary.submitted_date == date(2026, 11, 22)


def test_several_interchanges_in_one_file() -> None:
    second = text_of("commercial_dependent.837").replace(":", ">")  # its ISA16 says '>'
    assert "*>~" in second.splitlines()[0]
    text = text_of("medicare_self.837") + second
    batch = read_837(text, "two-isa.837")
    assert [c.claim_id for c in batch.claims] == ["OT261101A1", "OT261102B7"]
    assert batch.claims[1].lines[1].modifiers == ("GO", "CO")  # the second ISA's own component separator
    assert batch.claims[1].diagnoses == ("F8281", "R278") and batch.claims[1].place_of_service == "11"


def test_replacement_claim_carries_frequency_7_and_the_payer_claim_number() -> None:
    [claim] = parse_837(F837 / "replacement.837").claims
    assert claim.claim_id == "OT261102B7"
    assert (claim.frequency_code, claim.payer_claim_number, claim.billed_cents) == ("7", "AET2611150042", 39000)
    assert claim.lines[1].units == Decimal(3)


def test_newline_terminated_file_reads_like_the_tilde_one() -> None:
    [claim] = parse_837(F837 / "newline_terminated.837").claims
    [original] = parse_837(F837 / "medicare_self.837").claims
    assert claim.claim_id == "OT261105N1" and claim.dos_from == date(2026, 11, 5)
    assert [(ln.code, ln.units, ln.charge_cents) for ln in claim.lines] == [
        (ln.code, ln.units, ln.charge_cents) for ln in original.lines]


def test_crlf_and_indentation() -> None:
    raw = (F837 / "crlf_indented.837").read_bytes()
    assert b"\r\n    " in raw
    [claim] = parse_837(F837 / "crlf_indented.837").claims
    assert claim.claim_id == "OT261107D2" and claim.patient.account == "A2044"
    assert [ln.service_date for ln in claim.lines] == [date(2026, 11, 7)] * 2


def test_fixture_npis_pass_the_check_digit() -> None:
    for name in WELL_FORMED:
        for provider in parse_837(F837 / name).providers:
            assert npi_is_valid(provider.npi), (name, provider.npi)


# --------------------------------------------------------------------------- pyx12


def _x12valid(path: Path) -> str:
    """pyx12 4.0.0 exits 1 even on success: read its 'OK' / 'Failure' line instead."""
    pytest.importorskip("pyx12")
    done = subprocess.run([sys.executable, "-m", "pyx12.scripts.x12valid", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    return done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", WELL_FORMED)
def test_fixtures_are_valid_837p_for_pyx12(name: str, tmp_path: Path) -> None:
    target = tmp_path / name
    target.write_bytes((F837 / name).read_bytes())
    output = _x12valid(target)
    assert f"{name}: OK" in output, output


@pytest.mark.slow
def test_indented_fixture_is_valid_once_the_indentation_is_gone(tmp_path: Path) -> None:
    text = (F837 / "crlf_indented.837").read_text().replace("\r\n", "\n")
    target = write(tmp_path, "flat.837", "\n".join(line.strip() for line in text.splitlines()) + "\n")
    assert "flat.837: OK" in _x12valid(target)


@pytest.mark.slow
def test_pyx12_does_refuse_a_broken_file(tmp_path: Path) -> None:
    target = write(tmp_path, "bad.837", text_of("medicare_self.837").replace("SE*33*0001", "SE*30*0001"))
    assert "bad.837: Failure" in _x12valid(target)


# --------------------------------------------------------------------------- refused files


def _without(text: str, segment: str) -> str:
    assert segment + "~\n" in text
    return text.replace(segment + "~\n", "", 1)


def _no_lines(text: str) -> str:
    return re.sub(r"LX\*1~.*?(?=SE\*)", "", text, flags=re.S)


BROKEN = {
    "clm01 missing": (lambda t: t.replace("CLM*OT261101A1*240", "CLM**240"), "segment 21 (CLM)", "CLM01"),
    "bad charge": (lambda t: t.replace("CLM*OT261101A1*240", "CLM*OT261101A1*24O"), "segment 21 (CLM)",
                   "CLM02 is not an amount"),
    "bad line charge": (lambda t: t.replace("GO*150*UN", "GO*1,50*UN"), "segment 27 (SV1)", "SV102"),
    "bad units": (lambda t: t.replace("*UN*2***", "*UN*two***"), "segment 27 (SV1)", "SV104"),
    "bad date": (lambda t: t.replace("DTP*472*D8*20261103~\nREF*6R*OT261101A1L1",
                                     "DTP*472*D8*20261331~\nREF*6R*OT261101A1L1"), "segment 28 (DTP)", "date"),
    "no procedure": (lambda t: t.replace("SV1*HC:97530:GO*150", "SV1*HC*150"), "segment 27 (SV1)",
                     "procedure code"),
    "line before any claim": (lambda t: _without(t, "CLM*OT261101A1*240***11:B:1*Y*A*Y*Y"), "(LX)",
                              "outside a claim"),
    "sv1 without lx": (lambda t: _without(t, "LX*1"), "segment 26 (SV1)", "outside a line loop"),
    "claim without lines": (_no_lines, "segment 21 (CLM)", "no service lines"),
    "no payer": (lambda t: _without(t, "NM1*PR*2*NORIDIAN JF*****PI*01112"), "segment 20 (CLM)",
                 "no payer (NM1*PR)"),
    "payer in the wrong loop": (lambda t: t.replace("REF*EI*931234567~", "REF*EI*931234567~\nNM1*PR*2*X*****PI*1~"),
                                "segment 14 (NM1)", "payer loop (NM1*PR) outside a subscriber loop"),
    "claim in the billing loop": (lambda t: t.replace("HL*2*1*22*0~\nSBR*P*18*******MB~", ""),
                                  "(NM1)", "outside a subscriber loop"),
    "not an 837": (lambda t: t.replace("ST*837*0001*005010X222A1", "ST*835*0001"), "segment 3 (ST)",
                   "not an 837"),
    "institutional": (lambda t: t.replace("005010X222A1", "005010X223A2"), "segment 3 (ST)", "institutional"),
    "pointer out of range": (lambda t: t.replace("***1:2~", "***1:13~"), "segment 27 (SV1)", "pointers"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_files_are_refused_naming_the_segment(case: str, tmp_path: Path) -> None:
    mutate, where, reason = BROKEN[case]
    path = write(tmp_path, "broken.837", mutate(text_of("medicare_self.837")))
    with pytest.raises(ImportFailed) as caught:
        parse_837(path)
    message = str(caught.value)
    assert message.startswith("broken.837: segment "), message
    assert where in message and reason in message, message
    for phi in ("RIVERA", "MARIA", "19500402", "1EG4TE5MK73"):
        assert phi not in message


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(X12Error, match=r"empty\.837: the file is empty"):
        parse_837(write(tmp_path, "empty.837", "   \n"))
    with pytest.raises(ImportFailed, match=r"missing\.837: cannot read"):
        parse_837(tmp_path / "missing.837")


# --------------------------------------------------------------------------- warnings


def test_warnings_for_totals_counts_and_icd9() -> None:
    text = (text_of("medicare_self.837").replace("CLM*OT261101A1*240", "CLM*OT261101A1*250")
            .replace("SE*33*0001", "SE*31*0001").replace("HI*ABK:M6281*ABF:Z9181", "HI*BK:7282*BF:V1588"))
    batch = read_837(text, "w.837")
    [claim] = batch.claims
    assert claim.billed_cents == 25000 and claim.diagnoses == ("7282", "V1588")
    joined = "\n".join(batch.warnings)
    assert "segment 21 (CLM): claim OT261101A1: CLM02 250.00 is not the sum of its lines 240.00" in joined
    assert "SE01 says 31 segments, the set has 33" in joined
    assert "ICD-9" in joined
    assert len(batch.warnings) == 3


def test_claim_dates_stand_in_for_a_line_without_its_own() -> None:
    text = text_of("medicare_self.837").replace(
        "HI*ABK:M6281*ABF:Z9181~", "DTP*472*RD8*20261101-20261104~\nHI*ABK:M6281*ABF:Z9181~").replace(
        "DTP*472*D8*20261103~\nREF*6R*OT261101A1L2~", "REF*6R*OT261101A1L2~")
    [claim] = read_837(text, "d.837").claims
    assert claim.lines[0].service_date == date(2026, 11, 3)
    assert claim.lines[1].service_date == date(2026, 11, 1)
    assert (claim.lines[0].service_date_to, claim.lines[1].service_date_to) == (None, date(2026, 11, 4))
    assert (claim.dos_from, claim.dos_to) == (date(2026, 11, 1), date(2026, 11, 4))


def test_a_line_billed_for_several_days_keeps_its_period_and_a_change_to_it_is_audited(services, tmp_path) -> None:
    services.import_paths("837", [F837 / "medicare_self.837"])
    spanned = text_of("medicare_self.837").replace("DTP*472*D8*20261103~\nREF*6R*OT261101A1L2~",
                                                   "DTP*472*RD8*20261103-20261105~\nREF*6R*OT261101A1L2~")
    [result] = services.import_paths("837", [write(tmp_path, "span.837", spanned.replace("*1001*", "*1002*"))])
    assert result.status == "imported" and result.updated == 1, result.error
    claim = services.claim("OT261101A1")
    assert [line["service_date_to"] for line in claim["lines"]] == [None, "2026-11-05"]
    notes = [a["note"] for a in claim["activities"] if a["field"] == "lines"]
    assert notes == ["line 2: service date 2026-11-03 -> 2026-11-03..2026-11-05"]


def test_line_place_of_service_stands_in_for_a_missing_claim_one() -> None:
    text = text_of("medicare_self.837").replace("*11:B:1*", "*:B:1*").replace("*UN*2***1:2~", "*UN*2*02**1:2~")
    assert read_837(text, "pos.837").claims[0].place_of_service == "02"


def test_a_solo_ot_billing_under_their_own_npi_renders_the_claim() -> None:
    text = (text_of("medicare_self.837")
            .replace("NM1*85*2*HARBOR HAND AND OCCUPATIONAL THERAPY*****XX*1333333338",
                     "NM1*85*1*OKAFOR*DANA****XX*1234567893")
            .replace("NM1*82*1*OKAFOR*DANA****XX*1234567893~\nPRV*PE*PXC*225X00000X~\n", ""))
    batch = read_837(text, "solo.837")
    claim = batch.claims[0]
    assert claim.rendering_provider == claim.billing_provider
    assert claim.rendering_provider is not None and claim.rendering_provider.credential is Credential.OT
    assert batch.practice is not None and batch.practice.name == "DANA OKAFOR"


# --------------------------------------------------------------------------- any input


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_any_bytes_give_a_batch_or_our_own_error(data: bytes) -> None:
    try:
        result = read_837(data, "fuzz.837")
    except AssistantError as exc:
        assert str(exc).startswith("fuzz.837")
    else:
        assert isinstance(result, ParsedBatch)


ISA = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *261120*0930*^*00501*000000101*0*T*:~"
_VALUES = st.sampled_from(["", "1", "2", "18", "20", "22", "23", "P", "S", "85", "IL", "PR", "QC", "82", "DN",
                           "XX", "MI", "PI", "HC:97530:GO", "HC", "ABK:M6281", "150", "-3", "2.5", "UN",
                           "D8", "RD8", "20261103", "20261103-20261101", "11:B:1", "1:2", "472", "6R", "G1",
                           "F8", "EA", "EI", "BI", "PXC", "225X00000X", "x", "99999999999999999999"])
_SEGMENT_IDS = st.sampled_from(["ST", "BHT", "HL", "SBR", "PAT", "NM1", "N3", "N4", "DMG", "PRV", "REF",
                                "CLM", "DTP", "HI", "LX", "SV1", "NTE", "SVD", "CAS", "LIN", "SE", "GS",
                                "GE", "PER", "AMT", "OI"])
_SEGMENTS = st.builds(lambda sid, els: "*".join([sid, *els]), _SEGMENT_IDS, st.lists(_VALUES, max_size=9))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_SEGMENTS, max_size=40))
def test_any_token_soup_gives_a_batch_or_an_error_naming_a_segment(segments: list[str]) -> None:
    text = ISA + "GS*HC*S*R*20261120*0930*1*X*005010X222A1~ST*837*0001*005010X222A1~" + "~".join(segments) + "~"
    try:
        result = read_837(text, "soup.837")
    except ImportFailed as exc:
        assert exc.file == "soup.837"
        assert exc.where is not None and exc.where.startswith("segment "), str(exc)
    else:
        assert isinstance(result, ParsedBatch)
        for claim in result.claims:
            assert claim.lines and claim.dos_from <= claim.dos_to


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_dropping_or_damaging_any_segment_of_a_real_file_never_escapes(data: st.DataObject) -> None:
    segments = text_of("two_sets.837").split("~\n")
    index = data.draw(st.integers(0, len(segments) - 1))
    damage = data.draw(st.sampled_from(["drop", "empty", "duplicate", "garble"]))
    if damage == "drop":
        del segments[index]
    elif damage == "empty":
        segments[index] = segments[index].split("*")[0]
    elif damage == "duplicate":
        segments.insert(index, segments[index])
    else:
        elements = segments[index].split("*")
        position = data.draw(st.integers(0, len(elements) - 1))
        elements[position] = data.draw(st.sampled_from(["", "X", "-1", "99999999", ":", "HC:", "1:99"]))
        segments[index] = "*".join(elements)
    try:
        read_837("~\n".join(segments), "damaged.837")
    except AssistantError as exc:
        assert str(exc).startswith("damaged.837")


# --------------------------------------------------------------------------- into the database


def _five_claims(third: str = "ok") -> str:
    """One transaction set with five claims for the Medicare patient; the third one may be broken."""
    text = text_of("medicare_self.837")
    head, rest = text.split("CLM*OT261101A1", 1)
    claim = ("CLM*OT261101A1" + rest).split("SE*", 1)[0]
    claims = []
    for n in range(1, 6):
        block = claim.replace("OT261101A1", f"OT2611FIVE{n}")
        if n == 3 and third == "parse":
            block = block.replace("GO*150*UN", "GO*15O*UN")
        if n == 3 and third == "write":
            block = block.replace("OT2611FIVE3", "OT2611FIVE1")  # the same claim twice: the writer refuses
        claims.append(block)
    body = head + "".join(claims)
    count = body[body.index("ST*837"):].count("~") + 1
    return body + f"SE*{count}*0001~\nGE*1*101~\nIEA*1*000000101~\n"


def test_reimporting_through_the_cli_is_a_duplicate_and_changes_nothing(run_cli, db_path, services) -> None:
    db = str(db_path)
    first = run_cli("import", "837", str(F837 / "two_sets.837"), "--db", db, "--json")
    assert first.exit_code == 0, first.stderr
    [result] = first.json()
    assert result["status"] == "imported" and result["created"] == 4
    assert (result["claims"], result["lines"]) == (4, 6)
    before = dump(services.conn)
    again = run_cli("import", "837", str(F837 / "two_sets.837"), "--db", db, "--json")
    assert again.exit_code == 0 and again.json()[0]["status"] == "duplicate"
    assert dump(services.conn) == before
    human = run_cli("import", "837", str(F837 / "two_sets.837"), "--db", db)
    assert human.stdout.strip() == "duplicate two_sets.837: imported before (same bytes); nothing changed"


def test_changed_claim_is_updated_and_audited(run_cli, db_path, services) -> None:
    db = str(db_path)
    assert run_cli("import", "837", str(F837 / "commercial_dependent.837"), "--db", db).exit_code == 0
    result = run_cli("import", "837", str(F837 / "replacement.837"), "--db", db)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("imported  replacement.837: 1 claim, 2 lines (0 new, 1 updated, 0 unchanged)")
    claim = services.claim("OT261102B7")
    assert (claim["frequency_code"], claim["payer_claim_number"], claim["billed"]) == ("7", "AET2611150042", 390.0)
    changes = {(a["field"], a["before"], a["after"]) for a in claim["activities"] if a["field"]}
    assert ("frequency_code", "1", "7") in changes
    assert ("billed_cents", "31500", "39000") in changes
    assert ("payer_claim_number", None, "AET2611150042") in changes
    assert not any(field.endswith("_day") for field, _, _ in changes)
    notes = [a["note"] for a in claim["activities"] if a["field"] == "lines"]
    assert notes == ["line 2: 97530-GO-CO x2 150.00 -> 97530-GO-CO x3 225.00"]
    assert all(a["details"]["source"] == "replacement.837" for a in claim["activities"] if a["field"])


def test_a_resent_original_keeps_the_payer_claim_number(services, tmp_path) -> None:
    services.import_paths("837", [F837 / "replacement.837"])
    resent = write(tmp_path, "resent.837", text_of("commercial_dependent.837").replace("*1015*", "*1016*"))
    [result] = services.import_paths("837", [resent])
    assert result.status == "imported" and result.updated == 1
    assert services.claim("OT261102B7")["payer_claim_number"] == "AET2611150042"


@pytest.mark.parametrize("broken", ["parse", "write"])
def test_a_broken_third_claim_of_five_leaves_the_database_as_it_was(broken: str, services, tmp_path) -> None:
    good = write(tmp_path, "five.837", _five_claims())
    [ok] = services.import_paths("837", [good])
    assert ok.status == "imported" and ok.created == 5
    services.import_paths("837", [F837 / "medicare_self.837"])
    before = dump(services.conn)
    bad = write(tmp_path, "five-bad.837", _five_claims(broken).replace("20261103", "20261104"))
    [result] = services.import_paths("837", [bad])
    assert result.status == "rejected"
    assert result.error is not None and result.error.startswith("five-bad.837: ")
    if broken == "parse":
        assert "(SV1): SV102 is not an amount" in result.error
    else:
        assert "OT2611FIVE1 appears twice" in result.error
    assert dump(services.conn) == before


def test_cli_exit_code_and_one_line_per_file(run_cli, db_path, tmp_path) -> None:
    db = str(db_path)
    run_cli("init", "--db", db)
    bad = write(tmp_path, "bad.837", text_of("medicare_self.837").replace("CLM*OT261101A1", "CLM*"))
    result = run_cli("import", "837", str(F837 / "medicare_self.837"), str(bad), "--db", db)
    assert result.exit_code == 1
    assert result.stdout.strip() == ("imported  medicare_self.837: 1 claim, 2 lines "
                                     "(1 new, 0 updated, 0 unchanged)")
    assert result.stderr.strip() == ("error: bad.837: segment 21 (CLM): claim without a patient "
                                     "control number (CLM01)")
    data = run_cli("import", "837", str(bad), "--db", db, "--json")
    assert data.exit_code == 1
    assert data.json() == [{"file": "bad.837", "kind": "837", "status": "rejected",
                            "error": "bad.837: segment 21 (CLM): claim without a patient control number (CLM01)",
                            "records": 0, "created": 0, "updated": 0, "unchanged": 0, "warnings": [],
                            "claims": 0, "lines": 0, "queued_payments_posted": 0}]


def test_a_folder_of_837_files_imports_each_file(services, tmp_path) -> None:
    folder = tmp_path / "outbox"
    (folder / "nested").mkdir(parents=True)
    (folder / "a.837").write_bytes((F837 / "medicare_self.837").read_bytes())
    (folder / "nested" / "b.837").write_bytes((F837 / "two_sets.837").read_bytes())
    (folder / ".hidden.837").write_text("junk")
    results = services.import_paths("837", [folder])
    assert [(r.file, r.status, r.created) for r in results] == [("a.837", "imported", 1),
                                                                ("b.837", "imported", 4)]
    assert services.summary()["claims"] == 5


def test_a_bad_npi_is_warned_once_per_file() -> None:
    text = text_of("two_sets.837").replace("XX*1234567893", "XX*1234567890")
    batch = read_837(text, "npi.837")
    assert batch.warnings == ["segment 20 (CLM): NPI 1234567890 fails the check digit"]


# --------------------------------------------------------------------------- files from other systems


def test_a_home_grown_file_in_lower_case_reads_like_an_upper_case_one(run_cli, db_path, services) -> None:
    """Segment ids, qualifiers and codes in lower case: the rendering OTA (NM108 'xx') still counts."""
    batch = parse_837(F837 / "homegrown_lowercase.837")
    assert batch.warnings == []
    [claim] = batch.claims
    assert claim.rendering_provider is not None and claim.rendering_provider.npi == "1777888995"
    assert claim.rendering_provider.credential is Credential.OTA
    assert claim.referring_provider is not None and claim.referring_provider.npi == "1999000114"
    assert claim.payer.kind is PayerKind.MEDICARE and claim.patient.sex == "F"
    assert claim.diagnoses == ("M6281", "R2689")
    [line] = claim.lines
    assert (line.code, line.modifiers, line.rendering_npi) == ("97530", ("GO",), "1777888995")
    checked = run_cli("check", str(F837 / "homegrown_lowercase.837"), "--db", str(db_path), "--json")
    rules = {f["rule"] for r in checked.json()["results"] for f in r["findings"]}
    assert "assistant-modifier" in rules  # an OTA's line without CO


def test_a_replacement_audits_diagnoses_and_line_details_and_keeps_the_first_filing_date(services) -> None:
    """CR1001 corrected: a diagnosis fixed, CO removed from line 3 now rendered by the OT."""
    services.import_paths("837", [F837 / "cedar_group.837", F837 / "two_groups.837"])
    [result] = services.import_paths("837", [F837 / "cedar_replace_void.837"])
    assert result.status == "imported" and result.updated == 2, result.error
    claim = services.claim("CR1001")
    changes = {a["field"]: (a["before"], a["after"], a["note"]) for a in claim["activities"] if a["field"]}
    assert changes["diagnoses"][:2] == ("M6281 S62101D Z9889", "M6281 S62101D Z98890")
    assert changes["lines"][2] == ("line 3: 97110-GO-CO x2 107.50 -> 97110-GO x2 107.50; "
                                   "rendering NPI 1777888995 -> 1555666779")
    assert "submitted_date" not in changes  # filed 2026-11-20: the proof of timely filing stays
    assert claim["submitted_date"] == "2026-11-20"
    assert claim["frequency_code"] == "7" and claim["payer_claim_number"] == "RG2026111900077"


def test_a_voided_claim_leaves_ar_and_the_worklists(services, run_cli, db_path) -> None:
    services.import_paths("837", [F837 / "cedar_group.837", F837 / "two_groups.837"])
    services.import_paths("837", [F837 / "cedar_replace_void.837"])
    claim = services.claim("CR1201")
    assert (claim["frequency_code"], claim["billed"], claim["balance"], claim["work_status"]) == (
        "8", 120.0, 0.0, "closed")
    aging = run_cli("aging", "--db", str(db_path), "--json").json()
    assert aging["total_balance"] == 412.5 + 240 + 180 + 265 + 120  # CR1001-CR1004, CR1202; not CR1201
    upcoming = run_cli("--today", "2027-01-15", "worklist", "no-response-30", "--db", str(db_path), "--json")
    assert "CR1201" not in {row["claim_id"] for row in upcoming.json()["rows"]}
    assert "CR1202" in {row["claim_id"] for row in upcoming.json()["rows"]}
    actions = run_cli("next", "CR1201", "--db", str(db_path), "--json").json()["actions"]
    assert [a["action"] for a in actions] == ["no_action"]


def test_a_void_of_a_paid_claim_is_a_credit_until_the_payer_takes_the_money_back(services, tmp_path) -> None:
    from tests.remit_builders import clp, file_835, remittance, svc

    services.import_paths("837", [F837 / "two_groups.837"])
    dos = date(2026, 11, 12)
    paid = clp("CR1201", "1", svc("97530", 120, 96, ("CO", "45", 24), day=dos), number="RG1")
    services.import_835([file_835(tmp_path, "paid.835", remittance(paid, payer="REGENCE BLUECROSS BLUESHIELD"))])
    assert services.claim("CR1201")["balance"] == 0.0
    services.import_paths("837", [F837 / "cedar_replace_void.837"])  # CR1001 is not on file: created
    assert services.claim("CR1201")["balance"] == -96.0  # withdrawn: the $96 paid is the payer's to take back
    back = clp("CR1201", "22", svc("97530", -120, -96, ("CO", "45", -24), day=dos), number="RG1")
    services.import_835([file_835(tmp_path, "back.835", remittance(back, trace="T2",
                                                                  payer="REGENCE BLUECROSS BLUESHIELD"))])
    claim = services.claim("CR1201")
    assert (claim["paid"], claim["balance"], claim["work_status"]) == (0.0, 0.0, "closed")
