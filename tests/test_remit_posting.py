"""Posting 835s to claims written through the real writer: matching, money, status, audit."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from assistant.services import Services
from assistant.storage.claims import ClaimFilter
from tests.builders import claim_record, write
from tests.remit_builders import clp, file_835, remittance, svc

# The default claim: 97530-GO x2 $150 and 97110-GO x1 $75 on 2026-09-01, billed $225.


def post(services: Services, tmp_path: Path, *claims: Any, name: str = "era.835",
         **kwargs: Any) -> dict[str, Any]:
    path = file_835(tmp_path, name, remittance(*claims, **kwargs))
    (result,) = services.import_835([path])
    assert result["status"] == "imported", result["error"]
    return result


def paid_in_full() -> Any:
    return clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30)), svc("97110", 75, 60, ("CO", "45", 15)))


def test_paid_claim(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    result = post(services, tmp_path, paid_in_full())
    assert (result["matched"], result["unmatched"], result["balanced"]) == (1, 0, True)
    data = services.claim("C1")
    assert data["status"] == "paid"
    assert (data["paid"], data["adjusted"], data["balance"]) == (180.0, 45.0, 0.0)
    assert [ln["paid"] for ln in data["lines"]] == [120.0, 60.0]
    assert [[(a["group"], a["code"]) for a in ln["adjustments"]] for ln in data["lines"]] == [
        [("CO", "45")], [("CO", "45")]]
    assert data["payer_claim_number"] == "ICN1"
    row = services.conn.execute("SELECT last_remit_date, version FROM claims WHERE claim_id = 'C1'").fetchone()
    assert (row[0], row[1]) == ("2026-09-20", 2)


def test_partially_paid_claim_keeps_the_denied_line_in_the_balance(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30)),
                                 svc("97110", 75, 0, ("CO", "50", 75), remarks=("N115",))))
    data = services.claim("C1")
    assert data["status"] == "partially_paid"
    assert (data["paid"], data["adjusted"], data["balance"]) == (120.0, 30.0, 75.0)
    assert data["lines"][1]["remarks"] == ["N115"]


def test_denied_claim_co50_n115_is_listed_as_denied(services: Services, tmp_path: Path, run_cli, db_path) -> None:
    write(services.conn, claim_record("C1"), claim_record("C2", account="A1002", last="Chen"))
    post(services, tmp_path, clp("C1", "1", svc("97530", 150, 0), svc("97110", 75, 0),
                                 adjustments=[("CO", "50", 225)], remarks=["N115"]))
    data = services.claim("C1")
    assert data["status"] == "denied"
    assert (data["paid"], data["adjusted"], data["balance"]) == (0.0, 0.0, 225.0)
    assert data["adjustments"] == [{"group": "CO", "code": "50", "amount": 225.0, "quantity": None}]
    assert data["remarks"] == ["N115"]
    listed = run_cli("claims", "--status", "denied", "--json", "--db", str(db_path))
    assert [c["claim_id"] for c in listed.json()] == ["C1"]


def test_clp02_4_is_denied_whatever_the_adjustments(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, clp("C1", "4", svc("97530", 150, 0, ("PR", "96", 150)),
                                 svc("97110", 75, 0, ("PR", "96", 75))))
    assert services.claim("C1")["status"] == "denied"


def test_paid_zero_with_only_patient_responsibility_is_paid_not_denied(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, clp("C1", "1", svc("97530", 150, 0, ("CO", "45", 30), ("PR", "1", 120)),
                                 svc("97110", 75, 0, ("CO", "45", 15), ("PR", "1", 60))))
    data = services.claim("C1")
    assert data["status"] == "paid"
    assert (data["paid"], data["patient_responsibility"], data["balance"]) == (0.0, 180.0, 180.0)


def test_forwarded_claim(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, clp("C1", "19", svc("97530", 150, 96, ("CO", "45", 30), ("PR", "2", 24)),
                                 svc("97110", 75, 48, ("CO", "45", 15), ("PR", "2", 12))))
    data = services.claim("C1")
    assert data["status"] == "forwarded"
    assert (data["paid"], data["patient_responsibility"], data["balance"]) == (144.0, 36.0, 36.0)


def test_reversal_and_correction(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_in_full(), name="first.835", trace="T1")
    reversal = clp("C1", "22", svc("97530", -150, -120, ("CO", "45", -30)),
                   svc("97110", -75, -60, ("CO", "45", -15)))
    correction = clp("C1", "1", svc("97530", 150, 100, ("CO", "45", 30), ("PR", "2", 20)),
                     svc("97110", 75, 60, ("CO", "45", 15)), number="ICN2", original="ICN1")
    result = post(services, tmp_path, reversal, correction, name="second.835", trace="T2")
    assert result["balanced"] and result["matched"] == 2
    data = services.claim("C1")
    assert data["status"] == "paid"
    assert (data["paid"], data["adjusted"], data["patient_responsibility"], data["balance"]) == (
        160.0, 45.0, 20.0, 20.0)
    assert data["payer_claim_number"] == "ICN2"
    assert [ln["paid"] for ln in data["lines"]] == [100.0, 60.0]
    rows = services.conn.execute(
        "SELECT pk, status_code, reversal_of_pk, reversed_by_pk FROM claim_payments ORDER BY pk").fetchall()
    first, rev, corr = (tuple(r) for r in rows)
    assert first[3] == rev[0] and rev[2] == first[0] and corr[2:] == (None, None)
    # Only the live (corrected) posting's adjustments show on the claim.
    assert [a["code"] for ln in data["lines"] for a in ln["adjustments"]] == ["45", "2", "45"]
    postings = [a for a in data["activities"] if a["kind"] == "posting"]
    assert [(a["before"], a["after"]) for a in postings] == [
        ("submitted", "paid"), ("paid", "reversed"), ("reversed", "paid")]
    assert postings[1]["details"]["reversal_of"] == first[0]
    assert postings[1]["details"]["balance_after"] == 22500


def test_reversal_alone_leaves_the_claim_reversed_and_open(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_in_full(), name="first.835", trace="T1")
    post(services, tmp_path, clp("C1", "22", svc("97530", -150, -120, ("CO", "45", -30)),
                                 svc("97110", -75, -60, ("CO", "45", -15))), name="second.835", trace="T2")
    data = services.claim("C1")
    assert (data["status"], data["paid"], data["adjusted"], data["balance"]) == ("reversed", 0.0, 0.0, 225.0)
    assert [ln["paid"] for ln in data["lines"]] == [0.0, 0.0]


def test_reversal_with_nothing_on_file_is_recorded_with_a_warning(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    result = post(services, tmp_path, clp("C1", "22", svc("97530", -150, -120, ("CO", "45", -30)),
                                          svc("97110", -75, -60, ("CO", "45", -15))))
    assert any("no earlier payment on file to undo" in w for w in result["warnings"])
    data = services.claim("C1")
    assert (data["status"], data["paid"], data["balance"]) == ("reversed", 0.0, 225.0)


def test_payer_dropped_the_modifier(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    result = post(services, tmp_path, clp("C1", "1", svc("97110", 75, 60, ("CO", "45", 15), modifiers=()),
                                          svc("97530", 150, 120, ("CO", "45", 30), modifiers=("GP",))))
    assert not any("matches no billed line" in w for w in result["warnings"])
    assert [ln["paid"] for ln in services.claim("C1")["lines"]] == [120.0, 60.0]


def test_bundled_code_matches_by_svc06_original(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1", lines=(("97140", ("GO",), 1, 70.0), ("97530", ("GO",), 2, 150.0))))
    post(services, tmp_path, clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30)),
                                 svc("97530", 70, 0, ("CO", "97", 70), original="97140")))
    data = services.claim("C1")
    lines = {ln["code"]: ln for ln in data["lines"]}
    assert lines["97140"]["adjustments"] == [{"group": "CO", "code": "97", "amount": 70.0, "quantity": None}]
    assert lines["97530"]["paid"] == 120.0
    assert data["status"] == "partially_paid"


def test_lines_match_by_control_number_first(services: Services, tmp_path: Path) -> None:
    record = claim_record("C1", lines=(("97110", ("GO",), 1, 75.0), ("97110", ("GO",), 1, 75.0)))
    lines = tuple(dataclasses.replace(line, control_number=f"C1-{line.line_no}") for line in record.lines)
    write(services.conn, dataclasses.replace(record, lines=lines))
    post(services, tmp_path, clp("C1", "1", svc("97110", 75, 0, ("CO", "50", 75), control="C1-2"),
                                 svc("97110", 75, 60, ("CO", "45", 15), control="C1-1")))
    assert [ln["paid"] for ln in services.claim("C1")["lines"]] == [60.0, 0.0]


def test_a_line_that_matches_nothing_is_kept_with_a_warning(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    result = post(services, tmp_path, clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30)),
                                          svc("97999", 80, 0, ("CO", "204", 80))), )
    assert any("service 97999 matches no billed line" in w for w in result["warnings"])
    row = services.conn.execute("SELECT line_pk, code FROM line_payments WHERE code = '97999'").fetchone()
    assert tuple(row) == (None, "97999")


def test_match_by_payer_claim_number(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, clp("C1", "1", svc("97530", 150, 0, ("CO", "16", 150)),
                                 svc("97110", 75, 0, ("CO", "16", 75)), number="ICN77"), name="a.835", trace="T1")
    post(services, tmp_path, clp("GARBLED-ID", "1", svc("97530", 150, 120, ("CO", "45", 30)),
                                 svc("97110", 75, 60, ("CO", "45", 15)), number="ICN78", original="ICN77"),
         name="b.835", trace="T2")
    method = services.conn.execute(
        "SELECT match_method FROM claim_payments ORDER BY pk DESC LIMIT 1").fetchone()[0]
    assert method == "payer_claim_number"
    data = services.claim("C1")  # the first (CO-16) paid 0 and stays live; the second pays
    assert (data["paid"], data["balance"], data["status"]) == (180.0, 0.0, "paid")


def test_match_by_patient_dates_and_charge(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"), claim_record("C2", account="A2", last="Chen", first="Li"))
    result = post(services, tmp_path, clp("WRONG", "1", svc("97530", 150, 120, ("CO", "45", 30)),
                                          svc("97110", 75, 60, ("CO", "45", 15)),
                                          number="X9", last="CHEN", first="LI", member="NOPE"))
    assert result["matched"] == 1
    assert services.claim("C2")["status"] == "paid" and services.claim("C1")["status"] == "submitted"
    method = services.conn.execute("SELECT match_method FROM claim_payments").fetchone()[0]
    assert method == "patient_dates_charge"


def test_two_claims_fitting_by_patient_is_left_unmatched(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"), claim_record("C2"))
    result = post(services, tmp_path, clp("WRONG", "1", svc("97530", 150, 120, ("CO", "45", 30)),
                                          svc("97110", 75, 60, ("CO", "45", 15)), number="X9"))
    assert (result["matched"], result["unmatched"]) == (0, 1)
    assert any("fits 2 claims" in w for w in result["warnings"])


def test_unmatched_queue_and_posting_from_it(services: Services, tmp_path: Path, run_cli, db_path) -> None:
    write(services.conn, claim_record("C1"))
    result = post(services, tmp_path, clp("NOBODY", "1", svc("97530", 150, 120, ("CO", "45", 30)),
                                          svc("97110", 75, 60, ("CO", "45", 15)), number="X9",
                                          last="ZED", member="Z1", charge=225))
    assert (result["matched"], result["unmatched"]) == (0, 1)
    listed = run_cli("unmatched", "--json", "--db", str(db_path)).json()
    assert [(p["claim_id"], p["paid"], p["file"], p["trace_number"]) for p in listed] == [
        ("NOBODY", 180.0, "era.835", "TRC1")]
    assert "patient_name" not in listed[0]
    human = run_cli("unmatched", "--db", str(db_path)).stdout
    assert "NOBODY" in human and "ZED" not in human
    one = run_cli("unmatched", str(listed[0]["id"]), "--show-names", "--json", "--db", str(db_path)).json()
    assert (one["patient_name"], one["member_id"]) == ("ZED, MARIA", "Z1")
    assert [ln["code"] for ln in one["lines"]] == ["97530", "97110"]
    posted = run_cli("unmatched", str(listed[0]["id"]), "--post-to", "C1", "--json", "--db", str(db_path))
    assert posted.exit_code == 0, posted.stderr
    assert posted.json()["status"] == "paid"
    services.close()
    data = services.claim("C1")
    assert (data["status"], data["paid"], data["balance"]) == ("paid", 180.0, 0.0)
    assert [ln["paid"] for ln in data["lines"]] == [120.0, 60.0]
    *_, posting, closed = data["activities"]
    assert posting["details"]["match"] == "manual"
    assert (closed["kind"], closed["field"], closed["after"], data["work_status"]) == (
        "settled", "work_status", "closed", "closed")
    assert run_cli("unmatched", "--json", "--db", str(db_path)).json() == []


def test_every_posting_is_audited(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_in_full())
    (entry,) = [a for a in services.claim("C1")["activities"] if a["kind"] == "posting"]
    assert (entry["field"], entry["before"], entry["after"]) == ("payer_status", "submitted", "paid")
    assert entry["details"]["trace"] == "TRC1" and entry["details"]["clp02"] == "1"
    assert (entry["details"]["balance_before"], entry["details"]["balance_after"]) == (22500, 0)
    assert entry["user"] == "tester"


def test_same_remittance_in_a_different_file_is_not_posted_again(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_in_full(), name="a.835")
    path = file_835(tmp_path, "b.835", remittance(paid_in_full()), control=99)  # other envelope
    (result,) = services.import_835([path])
    assert result["status"] == "imported"
    assert result["transactions"][0]["posted"] is False
    assert any("already posted from a.835" in w for w in result["warnings"])
    assert services.claim("C1")["paid"] == 180.0


def test_plb_is_kept_per_remittance(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    result = post(services, tmp_path, paid_in_full(), plb=[("WO", 50, "OVERPAY1"), ("L6", -2.5, None)])
    assert result["transactions"][0]["plb_total"] == 47.5
    assert result["transactions"][0]["payment_amount"] == 132.5 and result["balanced"]
    rows = services.conn.execute(
        "SELECT reason_code, reference, amount_cents FROM plb_adjustments ORDER BY pk").fetchall()
    assert [tuple(r) for r in rows] == [("WO", "OVERPAY1", 5000), ("L6", None, -250)]


@pytest.mark.parametrize("status, expected", [("25", "submitted"), ("23", "forwarded")])
def test_informational_and_not_ours(services: Services, tmp_path: Path, status: str, expected: str) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, clp("C1", status, svc("97530", 150, 0, ("OA", "23", 150)),
                                 svc("97110", 75, 0, ("OA", "23", 75))))
    assert services.claim("C1")["status"] == expected


def test_claims_filter_still_works_after_posting(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"), claim_record("C2", account="A2", last="Chen"))
    post(services, tmp_path, paid_in_full())
    assert [c["claim_id"] for c in services.claims(ClaimFilter(payer_status="paid"))] == ["C1"]


def test_an_837_then_the_835_that_answers_it(services: Services, tmp_path: Path) -> None:
    from datetime import date

    from tests.conftest import FIXTURES

    (imported,) = services.import_paths("837", [FIXTURES / "837" / "medicare_self.837"])
    assert imported.status == "imported", imported.error
    day = date(2026, 11, 3)
    result = post(services, tmp_path, clp(
        "OT261101A1", "1",
        svc("97530", 150, 96, ("CO", "45", 30), ("PR", "2", 24), day=day, control="OT261101A1L1"),
        svc("97110", 90, 0, ("CO", "50", 90), day=day, control="OT261101A1L2", remarks=("N115",)),
        last="RIVERA", member="1EG4TE5MK73"))
    assert (result["matched"], result["unmatched"], result["balanced"]) == (1, 0, True)
    data = services.claim("OT261101A1")
    assert (data["status"], data["paid"], data["adjusted"], data["balance"]) == (
        "partially_paid", 96.0, 30.0, 114.0)
    assert [(ln["paid"], ln["remarks"]) for ln in data["lines"]] == [(96.0, []), (0.0, ["N115"])]


# --------------------------------------------------------------------------- files from real payers' habits

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_a_claim_the_payer_split_into_two_clps_keeps_both_parts(services: Services) -> None:
    """UHC answers CR1101's three lines in two CLPs: the first denies the bundled line (CO-97, no
    REF*6R: matched by SVC06) and leaves a $30 copay, the second pays the other line. The claim
    is partially paid and the patient owes the copay, whichever CLP came last."""
    services.import_paths("837", [FIXTURES / "837" / "ranges_12dx_crlf.837"])
    (result,) = services.import_835([FIXTURES / "835" / "uhc_split_bundled.835"])
    assert (result["matched"], result["unmatched"], result["balanced"]) == (2, 0, True)
    data = services.claim("CR1101")
    assert data["status"] == "partially_paid"
    assert (data["paid"], data["patient_responsibility"]) == (384.0, 30.0)
    assert (data["adjusted"], data["balance"]) == (36.0, 180.0)  # CO-45 60 - 24; $150 CO-97 + $30 copay open
    lines = {ln["line"]: ln for ln in data["lines"]}
    assert [(a["group"], a["code"]) for a in lines[1]["adjustments"]] == [("CO", "97")]
    assert (lines[1]["paid"], lines[2]["paid"], lines[3]["paid"]) == (0.0, 240.0, 144.0)


def test_a_reprocessing_of_the_same_lines_still_supersedes_the_first_answer(services: Services,
                                                                             tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, clp("C1", "4", svc("97530", 150, 0, ("CO", "50", 150)),
                                 svc("97110", 75, 0, ("CO", "50", 75))), name="denied.835")
    post(services, tmp_path, clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30)),
                                 svc("97110", 75, 60, ("CO", "45", 15)), number="ICN2"),
         name="paid.835", trace="T2")
    data = services.claim("C1")
    assert (data["status"], data["paid"]) == ("paid", 180.0)


def test_an_upper_cased_claim_id_from_the_payer_finds_the_lower_case_claim(services: Services) -> None:
    services.import_paths("837", [FIXTURES / "837" / "homegrown_lowercase.837"])
    (result,) = services.import_835([FIXTURES / "835" / "noridian_upper_case_and_unmatched.835"])
    assert (result["matched"], result["unmatched"]) == (1, 1)
    row = services.conn.execute(
        "SELECT match_method FROM claim_payments WHERE patient_control_number = 'CR1402'").fetchone()
    assert row[0] == "pcn"
    assert services.claim("cr1402")["paid"] == 92.8


def test_a_queued_payment_posted_when_its_claim_arrives_gives_the_claim_the_payer_claim_number(
        services: Services) -> None:
    services.import_835([FIXTURES / "835" / "noridian_upper_case_and_unmatched.835"])
    assert [q["claim_id"] for q in services.unmatched()] == ["CR1402", "ZZ88001"]
    (imported,) = services.import_paths("837", [FIXTURES / "837" / "late_claim.837"])
    # The payer's claim id is not ours: it fits PEM1101 by patient, dates and charge.
    assert imported.counts["queued_payments_posted"] == 1
    assert [q["claim_id"] for q in services.unmatched()] == ["CR1402"]
    data = services.claim("PEM1101")
    assert (data["status"], data["paid"], data["balance"]) == ("paid", 96.0, 24.0)
    assert data["payer_claim_number"] == "22632400055500"
