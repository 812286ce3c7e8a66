"""Coordination of benefits: a primary's 835, then a secondary's (or a crossover), posted to one claim.

Real 835 text through the real reader and posting; claims through the real writer. The claim:
97530-GO $150 and 97110-GO $75 on 2026-09-01, billed $225, Medicare Part B primary. Medicare
allows $180 (CO-45 $45) and pays 80% ($144), leaving 20% coinsurance ($36, PR-2).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.paths import Locations
from assistant.remit.cob import PayerAnswer, settle_in_order
from assistant.services import Services
from tests.builders import claim_record, write
from tests.conftest import TODAY
from tests.remit_builders import clp, file_835, remittance, svc

AETNA = {"payer": "AETNA", "payer_id": "60054"}
DOS2 = date(2026, 9, 8)
BCBS = {"payer": "BLUE CROSS BLUE SHIELD", "payer_id": "00570"}


def medicare(status: str = "1", **kwargs: Any) -> Any:
    return clp("C1", status, svc("97530", 150, 96, ("CO", "45", 30), ("PR", "2", 24)),
               svc("97110", 75, 48, ("CO", "45", 15), ("PR", "2", 12)), **kwargs)


def secondary(paid: float, *adjustments: tuple[str, str, float], status: str = "2",
              responsibility: float | None = None) -> Any:
    """A secondary's answer at claim level over the whole charge, as Medigap and commercial plans send it."""
    return clp("C1", status, svc("97530", 150, 0), svc("97110", 75, 0), adjustments=list(adjustments),
               paid=paid, number="SEC77", responsibility=responsibility)


def post(services: Services, folder: Path, name: str, *claims: Any, **kwargs: Any) -> dict[str, Any]:
    (result,) = services.import_835([file_835(folder, name, remittance(*claims, **kwargs))])
    assert result["status"] == "imported", result["error"]
    return result


def money(services: Services, claim_id: str = "C1") -> tuple[Any, ...]:
    """(paid, adjusted, patient responsibility, balance) cents, payer status, work status."""
    return tuple(services.conn.execute(
        "SELECT paid_cents, adjusted_cents, patient_resp_cents, balance_cents, payer_status, work_status "
        "FROM claims WHERE claim_id = ?", (claim_id,)).fetchone())


def with_secondary_coverage(services: Services, payer: str = "Aetna") -> None:
    """The patient's secondary coverage, on file from a claim billed to it (SBR01 S)."""
    write(services.conn, claim_record("C1"),
          dataclasses.replace(claim_record("S0", payer=payer), coverage_priority=2))


def test_secondary_pays_the_coinsurance_and_closes_the_claim(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, "medicare.835", medicare())
    assert money(services) == (14400, 4500, 3600, 3600, "paid", "new")
    result = post(services, tmp_path, "aetna.835", secondary(36, ("OA", "23", 189)), trace="AET1", **AETNA)
    assert (result["matched"], result["secondary_payments"]) == (1, 1)
    assert money(services) == (18000, 4500, 0, 0, "paid", "closed")
    notes = [h["note"] for h in services.history("C1") if h["kind"] == "posting"]
    assert "835 CLP02 2 (secondary payer): paid $36.00; balance $36.00 -> $0.00" in notes


def test_secondary_fee_schedule_counted_against_the_whole_charge_is_not_written_off_twice(
        services: Services, tmp_path: Path) -> None:
    # The secondary allows $170 of the $225: it pays $26 over Medicare's $144 and states its CO-45
    # ($55) against the whole charge, the rest ($144) as the prior payer's.
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, "medicare.835", medicare())
    post(services, tmp_path, "medicaid.835", secondary(26, ("CO", "45", 55), ("OA", "23", 144)),
         trace="MCD1", **BCBS)
    # Of the $36 Medicare left, $26 paid and $10 written off: adjusted $45 + $10.
    assert money(services) == (17000, 5500, 0, 0, "paid", "closed")


def test_secondary_leaves_its_deductible_to_the_patient(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, "medicare.835", medicare())
    post(services, tmp_path, "aetna.835", secondary(20, ("OA", "23", 189), ("PR", "1", 16)),
         trace="AET1", **AETNA)
    assert money(services) == (16400, 4500, 1600, 1600, "paid", "new")
    assert services.claim("C1")["patient_due"] == 16.0


def test_secondary_refusal_stays_open_and_the_claim_is_still_partly_paid(
        services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, "medicare.835", medicare())
    post(services, tmp_path, "aetna.835", secondary(0, ("OA", "23", 189), ("CO", "22", 36)),
         trace="AET1", **AETNA)
    assert money(services) == (14400, 4500, 0, 3600, "partially_paid", "new")


def test_order_of_arrival_does_not_change_the_figures(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, "aetna.835", secondary(36, ("OA", "23", 189)), trace="AET1", **AETNA)
    # Before the primary's 835, OA-23 is all the claim knows of Medicare's share.
    assert money(services)[:4] == (3600, 18900, 0, 0)
    post(services, tmp_path, "medicare.835", medicare())
    assert money(services) == (18000, 4500, 0, 0, "paid", "closed")


def test_crossover_forwarded_then_the_medigap_answers(services: Services, tmp_path: Path) -> None:
    with_secondary_coverage(services)
    forwarded = dataclasses.replace(medicare("19", remarks=["MA18"]), crossover_payer="AETNA",
                                    crossover_payer_id="60054")
    post(services, tmp_path, "medicare.835", forwarded, paid_on=TODAY - timedelta(days=6))
    assert money(services) == (14400, 4500, 3600, 3600, "forwarded", "new")
    # Medicare sent it on: wait for the Medigap's remittance, do not bill it again.
    actions = [a["action"] for a in services.next_actions("C1")["actions"]]
    assert actions[0] == "wait" and "bill_secondary" not in actions
    # The Medigap says "processed as primary" (CLP02 1), as some do: its payer is the
    # patient's secondary coverage, so it is still posted as the secondary.
    result = post(services, tmp_path, "aetna.835", secondary(36, ("OA", "23", 189), status="1"),
                  trace="AET1", paid_on=TODAY, **AETNA)
    assert result["secondary_payments"] == 1
    assert money(services) == (18000, 4500, 0, 0, "paid", "closed")


def test_primary_with_a_patient_share_and_a_secondary_on_file_bills_the_secondary(
        services: Services, tmp_path: Path) -> None:
    with_secondary_coverage(services)
    post(services, tmp_path, "medicare.835", medicare())
    actions = [a["action"] for a in services.next_actions("C1")["actions"]]
    assert actions[0] == "bill_secondary"
    post(services, tmp_path, "aetna.835", secondary(20, ("OA", "23", 189), ("PR", "1", 16)),
         trace="AET1", **AETNA)
    # The secondary has answered: what it leaves is the patient's, not another bill to it.
    actions = [a["action"] for a in services.next_actions("C1")["actions"]]
    assert actions[0] == "bill_patient" and "bill_secondary" not in actions


def test_a_secondary_answering_over_what_was_left_only_is_not_billed_again(
        services: Services, tmp_path: Path) -> None:
    # Some secondaries answer the amount left ($36) with no OA-23: its payer says it answered.
    with_secondary_coverage(services)
    post(services, tmp_path, "medicare.835", medicare())
    post(services, tmp_path, "aetna.835", clp("C1", "1", adjustments=[("PR", "1", 16)], charge=36, paid=20,
                                               number="SEC77"), trace="AET1", **AETNA)
    assert money(services) == (16400, 4500, 1600, 1600, "paid", "new")
    actions = [a["action"] for a in services.next_actions("C1")["actions"]]
    assert actions[0] == "bill_patient" and "bill_secondary" not in actions


def test_reversal_of_the_secondary_payment_brings_back_the_primary_state(
        services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, "medicare.835", medicare())
    post(services, tmp_path, "aetna.835", secondary(36, ("OA", "23", 189)), trace="AET1", **AETNA)
    undo = clp("C1", "22", svc("97530", -150, 0), svc("97110", -75, 0), adjustments=[("OA", "23", -189)],
               paid=-36, number="SEC77")
    post(services, tmp_path, "aetna-rev.835", undo, trace="AET2", **AETNA)
    assert money(services)[:4] == (14400, 4500, 3600, 3600)
    assert money(services)[5] == "new"  # reopened: the balance came back


def test_the_same_files_again_change_nothing(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    first = file_835(tmp_path, "medicare.835", remittance(medicare()))
    second = file_835(tmp_path, "aetna.835", remittance(secondary(36, ("OA", "23", 189)), trace="AET1", **AETNA))
    services.import_835([first, second])
    before = money(services)
    activities = services.conn.execute("SELECT count(*) FROM activities").fetchone()[0]
    again = services.import_835([first, second])
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert money(services) == before == (18000, 4500, 0, 0, "paid", "closed")
    assert services.conn.execute("SELECT count(*) FROM activities").fetchone()[0] == activities


@pytest.mark.parametrize("name", ["kpis", "denials"])
def test_reports_do_not_count_the_secondary_oa23(services: Services, tmp_path: Path, name: str) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, "medicare.835", medicare())
    post(services, tmp_path, "aetna.835", secondary(36, ("OA", "23", 189)), trace="AET1", **AETNA)
    report = services.report(name)
    figures = {f["key"]: f["value"] for f in report["figures"]}
    if name == "kpis":
        assert figures["net_collection_rate"] == 100.0  # $180 / ($225 - $45)
        components = next(s for s in report["sections"] if s["name"] == "components")
        row = next(r for r in components["rows"] if r[0] == "net_collection_rate")
        assert row[2] == "charges $225.00 - contractual $45.00"
    else:
        assert (figures["claims_adjudicated"], figures["claims_denied"]) == (1, 0)


def test_a_line_the_primary_denied_stays_open_unless_the_secondary_pays_it(
        services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"), claim_record("C2", account="A1002", last="Chen"))
    denied_line = [svc("97530", 150, 96, ("CO", "45", 30), ("PR", "2", 24)), svc("97110", 75, 0, ("CO", "50", 75))]
    post(services, tmp_path, "medicare.835", clp("C1", "1", *denied_line), clp("C2", "1", *denied_line, last="CHEN"))
    assert money(services, "C1") == (9600, 3000, 2400, 9900, "partially_paid", "new")
    # C1: the secondary pays the coinsurance only, the rest restated as the primary's (OA-23 $201).
    # C2: the secondary also pays the line Medicare denied ($24 + $75).
    post(services, tmp_path, "aetna.835", clp("C1", "2", adjustments=[("OA", "23", 201)], charge=225, paid=24),
         clp("C2", "2", adjustments=[("OA", "23", 126)], charge=225, paid=99, last="CHEN"), trace="AET1", **AETNA)
    assert money(services, "C1") == (12000, 3000, 0, 7500, "partially_paid", "new")
    assert money(services, "C2") == (19500, 3000, 0, 0, "paid", "closed")


@given(st.data())
def test_primary_then_secondary_leaves_what_each_payer_left(data: st.DataObject) -> None:
    """Whatever split the primary makes and however the secondary states its write-off (against
    what was left, or against the whole charge with OA-23), each dollar is counted once."""
    cents = st.integers(min_value=0, max_value=50_000)
    p1, w1, r1, o1 = (data.draw(cents) for _ in range(4))
    billed = p1 + w1 + r1 + o1
    p2 = data.draw(st.integers(0, r1))
    r2 = data.draw(st.integers(0, r1 - p2))
    o2 = data.draw(st.integers(0, r1 - p2 - r2))
    w2 = r1 - p2 - r2 - o2  # the secondary's own contractual share of what was left
    whole_charge = data.draw(st.booleans())
    stated = billed - p2 - r2 - o2 if whole_charge else w2  # its CAS that leave AR (OA-23, CO-45)
    written_off, refused = settle_in_order(billed, [PayerAnswer(p1, r1, o1, w1), PayerAnswer(p2, r2, o2, stated)])
    assert (written_off, refused) == (w1 + w2, o1 + o2)
    assert billed - p1 - p2 - written_off == refused + r2  # the balance: refusals and the patient's share


def test_the_sample_posts_medicare_crossovers_and_their_secondary_answers(tmp_path: Path) -> None:
    """The sample's Medicare patients with a secondary: Medicare forwards (CLP02 19), the
    secondary answers in its own 835 (CLP02 2, OA-23 for Medicare's part). Each claim's payer
    write-off is its payers' own write-offs (CO-45, CO-253 ...), never the restated OA-23."""
    from assistant.rules.codes import writes_off
    from assistant.sample import build_sample

    db = tmp_path / "sample" / "ar.db"
    build_sample(Locations(db=db, config=tmp_path / "config"), today=TODAY, claims=900, seed=11, user="tester")
    services = Services(Locations(db=db, config=tmp_path / "config"), today=TODAY, user="tester")
    try:
        conn = services.conn
        answered = [r[0] for r in conn.execute(
            "SELECT DISTINCT claim_pk FROM claim_payments WHERE status_code = '2' AND claim_pk IS NOT NULL")]
        assert len(answered) >= 20
        own: dict[int, int] = {}
        for claim_pk, group, code, amount in conn.execute(
                "SELECT a.claim_pk, a.group_code, a.reason_code, a.amount_cents FROM adjustments a "
                "JOIN claim_payments cp ON cp.pk = a.claim_payment_pk WHERE cp.reversed_by_pk IS NULL "
                "AND cp.status_code <> '22' AND a.claim_pk IS NOT NULL"):
            if (group, code) != ("OA", "23") and writes_off(group, code):
                own[claim_pk] = own.get(claim_pk, 0) + amount
        for pk, billed, paid, adjusted, written_off, patient_paid, patient_adjusted, balance, status in conn.execute(
                f"SELECT pk, billed_cents, paid_cents, adjusted_cents, written_off_cents, patient_paid_cents, "
                f"patient_adjusted_cents, balance_cents, payer_status FROM claims "
                f"WHERE pk IN ({','.join('?' * len(answered))})", answered):
            assert adjusted - written_off - patient_adjusted == own.get(pk, 0), pk
            assert balance == billed - paid - patient_paid - adjusted, pk
            assert status in ("paid", "partially_paid"), pk
    finally:
        services.close()


def test_a_crossover_or_a_secondary_answer_adds_the_patients_secondary_coverage(
        services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"), claim_record("C2", dos=DOS2))
    forwarded = dataclasses.replace(medicare("19", remarks=["MA18"]), crossover_payer="AETNA",
                                    crossover_payer_id="60054")
    post(services, tmp_path, "medicare.835", forwarded)
    coverages = services.conn.execute(
        "SELECT y.name, v.priority FROM coverages v JOIN payers y ON y.pk = v.payer_pk ORDER BY v.priority").fetchall()
    assert [tuple(c) for c in coverages] == [("Medicare Part B", 1), ("Aetna", 2)]
    # Two months without the crossover's answer: call Aetna, named now that it is on file.
    call = services.next_actions("C1")["actions"][0]
    assert call["action"] == "call_payer" and "call Aetna to confirm it has the claim" in call["reason"]
    history = [h for h in services.history("C1") if h["kind"] == "coverage"]
    assert [h["note"] for h in history] == [
        "835 CLP02 19: Aetna added to the patient's coverages as secondary payer"]
    # The other claim of the patient, answered by Medicare alone with a patient share: bill Aetna.
    post(services, tmp_path, "medicare2.835", clp("C2", "1", svc("97530", 150, 96, ("CO", "45", 30), ("PR", "2", 24),
                                                              day=DOS2),
                                                  svc("97110", 75, 48, ("CO", "45", 15), ("PR", "2", 12), day=DOS2),
                                                  number="ICN2"), trace="T2")
    assert services.next_actions("C2")["actions"][0]["action"] == "bill_secondary"
    # A payer with no coverage on file answering as secondary (CLP02 2) is added as well, once.
    post(services, tmp_path, "bcbs.835", secondary(36, ("OA", "23", 189)), trace="B1", **BCBS)
    post(services, tmp_path, "bcbs2.835", dataclasses.replace(secondary(0, ("OA", "23", 189), ("PR", "1", 36)),
                                                              payer_claim_number="SEC78"), trace="B2", **BCBS)
    priorities = services.conn.execute(
        "SELECT count(*) FROM coverages v JOIN payers y ON y.pk = v.payer_pk "
        "WHERE y.name = 'Blue Cross Blue Shield'").fetchone()[0]
    assert priorities == 1


def test_a_secondarys_line_payments_are_not_underpayments_of_the_primarys_fee_schedule(
        services: Services, tmp_path: Path) -> None:
    fees = tmp_path / "fees.csv"
    fees.write_text("Payer,CPT,Modifier,Allowed\nMedicare Part B,97530,,60.00\nMedicare Part B,97110,,60.00\n")
    write(services.conn, claim_record("C1"))
    [loaded] = services.import_fee_schedule([fees])
    assert loaded.status == "imported", loaded.error
    post(services, tmp_path, "medicare.835", medicare())  # allowed $120 + $60: as the schedule says
    post(services, tmp_path, "aetna.835", clp("C1", "2", svc("97530", 150, 24, ("OA", "23", 126)),
                                              svc("97110", 75, 12, ("OA", "23", 63)), number="SEC77"),
         trace="AET1", **AETNA)
    figures = {f["key"]: f["value"] for f in services.report("underpayments")["figures"]}
    assert (figures["lines_compared"], figures["lines_underpaid"]) == (2, 0)
