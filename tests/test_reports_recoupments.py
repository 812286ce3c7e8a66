"""The recoupments report: reversals (CLP02 22) with their corrections, and PLB adjustments."""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders import claim_record, post_remit, write


def reverse(conn, claim_id: str, day: date, paid: dict[int, float]) -> None:  # type: ignore[no-untyped-def]
    """A CLP02 22 posting that undoes the claim's latest live payment, linked as 835 posting links it."""
    original = conn.execute(
        "SELECT cp.pk FROM claim_payments cp JOIN claims c ON c.pk = cp.claim_pk WHERE c.claim_id = ? "
        "AND cp.reversed_by_pk IS NULL AND cp.status_code != '22' ORDER BY cp.pk DESC LIMIT 1",
        (claim_id,)).fetchone()[0]
    post_remit(conn, claim_id, [], paid={n: -v for n, v in paid.items()}, status_code="22", remit_date=day,
               payer_claim_number="ICN-" + claim_id)
    reversal = conn.execute("SELECT max(pk) FROM claim_payments").fetchone()[0]
    conn.execute("UPDATE claim_payments SET reversal_of_pk = ? WHERE pk = ?", (original, reversal))
    conn.execute("UPDATE claim_payments SET reversed_by_pk = ? WHERE pk = ?", (reversal, original))


def plb(conn, payer: str, day: str, *adjustments: tuple[str, str | None, int]) -> None:  # type: ignore[no-untyped-def]
    remit = conn.execute(
        "INSERT INTO remittances (payer_pk, payer_name, payment_date, trace_number) "
        "SELECT pk, name, ?, 'TRN-' || ? FROM payers WHERE name = ?", (day, day, payer)).lastrowid
    for code, reference, cents in adjustments:
        conn.execute("INSERT INTO plb_adjustments (remittance_pk, provider_id, reason_code, reference, "
                     "amount_cents) VALUES (?, '1699999995', ?, ?, ?)", (remit, code, reference, cents))


@pytest.fixture
def recouped(services):  # type: ignore[no-untyped-def]
    """RV1 (Medicare): paid 120, reversed on Oct 10, corrected to 100: net -20.
    RV2 (Aetna): paid 150, reversed on Oct 20, no correction: net -150.
    PLB: Medicare Oct 10 WO 20.00 (ICN-RV1) withheld, L6 -3.50 interest added; Aetna Oct 20 CS 12.00 withheld.
    """
    conn = services.conn
    write(conn, claim_record("RV1"), claim_record("RV2", account="A2", payer="Aetna"))
    post_remit(conn, "RV1", [("CO", "45", 105.0, None)], paid={1: 80.0, 2: 40.0}, remit_date=date(2026, 9, 1),
               payer_claim_number="ICN-RV1")
    post_remit(conn, "RV2", [("CO", "45", 75.0, None)], paid={1: 100.0, 2: 50.0}, remit_date=date(2026, 9, 5))
    reverse(conn, "RV1", date(2026, 10, 10), {1: 80.0, 2: 40.0})
    post_remit(conn, "RV1", [("CO", "45", 125.0, None)], paid={1: 70.0, 2: 30.0}, remit_date=date(2026, 10, 10),
               payer_claim_number="ICN-RV1")
    reverse(conn, "RV2", date(2026, 10, 20), {1: 100.0, 2: 50.0})
    plb(conn, "Medicare Part B", "2026-10-10", ("WO", "ICN-RV1", 2000), ("L6", None, -350))
    plb(conn, "Aetna", "2026-10-20", ("CS", "ADJ-9", 1200))
    return services


def table(data, name):  # type: ignore[no-untyped-def]
    found = next(s for s in data["sections"] if s["name"] == name)
    keys = [c["key"] for c in found["columns"]]
    return [dict(zip(keys, row, strict=True)) for row in found["rows"]]


def test_figures(recouped) -> None:
    data = recouped.report("recoupments")
    assert data["empty"] is False
    assert (data["reversals"], data["reversed"]) == (2, 270.0)
    assert (data["corrections"], data["corrections_paid"]) == (1, 100.0)
    assert data["reversal_net"] == -170.0  # (-120 + 100) + (-150)
    assert (data["plb_takebacks"], data["plb_other_withheld"], data["plb_added"]) == (20.0, 12.0, 3.5)


def test_sections(recouped) -> None:
    data = recouped.report("recoupments")
    assert table(data, "by_payer") == [
        {"payer": "Aetna", "reversals": 1, "reversed": 150.0, "reversal_net": -150.0, "plb_takebacks": 0.0,
         "plb_other_withheld": 12.0, "plb_added": 0.0},
        {"payer": "Medicare Part B", "reversals": 1, "reversed": 120.0, "reversal_net": -20.0,
         "plb_takebacks": 20.0, "plb_other_withheld": 0.0, "plb_added": 3.5},
    ]
    reversals = table(data, "reversals")
    assert [(r["claim_id"], r["original_paid"], r["reversed"], r["correction_paid"], r["net"]) for r in reversals] \
        == [("RV1", 120.0, 120.0, 100.0, -20.0), ("RV2", 150.0, 150.0, None, -150.0)]
    lines = table(data, "plb")
    assert [(r["reason"], r["claim_id"], r["amount"]) for r in lines] == [
        ("WO", "RV1", 20.0), ("L6", None, -3.5), ("CS", None, 12.0)]
    assert lines[0]["meaning"].startswith("Overpayment recovery")
    reasons = {r["reason"]: r for r in table(data, "by_plb_reason")}
    assert reasons["L6"]["added"] == 3.5 and reasons["WO"]["withheld"] == 20.0


def test_filters(recouped) -> None:
    late = recouped.report("recoupments", date_from=date(2026, 10, 15))
    assert (late["reversals"], late["reversed"], late["plb_other_withheld"], late["plb_takebacks"]) == \
        (1, 150.0, 12.0, 0.0)
    medicare = recouped.report("recoupments", payer="Medicare")
    assert (medicare["reversals"], medicare["reversal_net"], medicare["plb_takebacks"]) == (1, -20.0, 20.0)


def test_empty_database(services) -> None:
    data = services.report("recoupments")
    assert data["empty"] is True and data["reversals"] == 0 and data["reversed"] == 0.0
    assert all(s["rows"] == [] for s in data["sections"])


def test_a_plb_reference_names_its_claim_among_other_words() -> None:
    from assistant.reports.recoupments import claim_of

    claims = {"ICN-1": "RV1", "RV2": "RV2"}
    assert claim_of("ICN-1", claims) == "RV1"
    assert claim_of("0226244 RV2", claims) == "RV2"
    assert claim_of("WO:ICN-1", claims) == "RV1"
    assert claim_of("OVERPAY1", claims) is None and claim_of(None, claims) is None
