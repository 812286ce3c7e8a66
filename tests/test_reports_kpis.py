"""Revenue-cycle KPIs against a small database whose figures are worked out by hand below."""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders import claim_record, post_denial, post_remit, write


@pytest.fixture
def practice(services):  # type: ignore[no-untyped-def]
    """Six claims of $225 (sent on their service day); today is 2026-11-26.

    K1 Medicare  Sep 1   paid 150, CO-45 75, paid Sep 21 (20 days)        balance 0
    K2 Medicare  Sep 10  CO-50 225 on Oct 1; appeal won                   balance 225 (77 days: 61-90)
    K3 Medicare  Oct 1   paid 120, CO-45 75, PR-2 30, paid Oct 31 (30)    balance 30 (56 days: 31-60)
    K4 Medicare  Nov 1   no remittance                                    balance 225 (25 days: 0-30)
    K5 Aetna     Jul 1   a replacement claim: paid 200, CO-45 25 Jul 11   balance 0
    K6 Aetna     Jul 15  CO-197 225 on Aug 1; appeal lost                 balance 225 (134 days: 120+)
    """
    conn = services.conn
    write(conn, claim_record("K1", dos=date(2026, 9, 1)),
          claim_record("K2", account="A2", dos=date(2026, 9, 10)),
          claim_record("K3", account="A3", dos=date(2026, 10, 1)),
          claim_record("K4", account="A4", dos=date(2026, 11, 1)),
          claim_record("K5", account="A5", payer="Aetna", dos=date(2026, 7, 1), frequency="7"),
          claim_record("K6", account="A6", payer="Aetna", dos=date(2026, 7, 15)))
    post_remit(conn, "K1", [("CO", "45", 50.0, 1), ("CO", "45", 25.0, 2)], paid={1: 100.0, 2: 50.0},
               remit_date=date(2026, 9, 21))
    post_denial(conn, "K2", "CO", "50", 225.0, remit_date=date(2026, 10, 1))
    post_remit(conn, "K3", [("CO", "45", 50.0, 1), ("PR", "2", 20.0, 1), ("CO", "45", 25.0, 2),
                            ("PR", "2", 10.0, 2)], paid={1: 80.0, 2: 40.0}, remit_date=date(2026, 10, 31))
    post_remit(conn, "K5", [("CO", "45", 25.0, 2)], paid={1: 150.0, 2: 50.0}, remit_date=date(2026, 7, 11))
    post_denial(conn, "K6", "CO", "197", 225.0, remit_date=date(2026, 8, 1))
    for claim_id, sent, outcome, decided in (("K2", "2026-10-05", "won", "2026-11-10"),
                                             ("K6", "2026-08-05", "lost", "2026-09-01")):
        conn.execute("INSERT INTO appeals (claim_pk, level, template, status, drafted_date, sent_date, outcome, "
                     "decided_date) SELECT pk, 1, 'x', 'decided', ?, ?, ?, ? FROM claims WHERE claim_id = ?",
                     (sent, sent, outcome, decided, claim_id))
    return services


def test_kpis(practice) -> None:
    data = practice.report("kpis")
    assert data["empty"] is False
    assert data["ar_balance"] == 705.0  # 225 + 30 + 225 + 225
    # Window: the 90 days to Nov 26 (Aug 29 - Nov 26): K1-K4 charged 900, contractual 150.
    assert data["window"] == {"from": "2026-08-29", "to": "2026-11-26"}
    assert data["days_in_ar"] == 84.6  # 705 / (750 / 90)
    assert data["days_in_ar_gross"] == 70.5  # 705 / (900 / 90)
    assert data["payer_ar_balance"] == 675.0  # K3's 30 is the patient's
    assert data["days_in_payer_ar"] == 81.0  # 675 / (750 / 90)
    assert data["ar_over_90"] == 31.9  # K6's 225 of 705
    assert data["ar_over_120"] == 31.9
    assert data["claims_adjudicated"] == 5  # K4 has no remittance
    assert data["denial_rate"] == 40.0  # K2, K6
    assert data["denial_rate_dollars"] == 40.0  # 450 / 1125
    assert data["clean_claim_rate"] == 40.0  # K1, K3: K5 was a replacement claim
    assert data["net_collection_rate"] == 49.5  # 470 / (1125 - 175)
    assert data["payer_collection_rate"] == 51.1  # 470 / (1125 - 175 - 30)
    assert (data["days_to_payment"], data["median_days_to_payment"]) == (20.0, 20.0)  # 20, 30, 10
    assert data["appeal_overturn_rate"] == 50.0
    targets = {f["key"]: f["target"] for f in data["figures"]}
    assert "S97" in targets["days_in_ar"] and targets["denial_rate"].startswith("5% or less")


def test_kpis_by_payer(practice) -> None:
    data = practice.report("kpis")
    section = next(s for s in data["sections"] if s["name"] == "by_payer")
    keys = [c["key"] for c in section["columns"]]
    rows = {r[0]: dict(zip(keys, r, strict=True)) for r in section["rows"]}
    medicare, aetna = rows["Medicare Part B"], rows["Aetna"]
    assert (medicare["ar_balance"], medicare["ar_over_90"], medicare["days_in_ar"]) == (480.0, 0.0, 57.6)
    assert medicare["payer_ar_balance"] == 450.0
    assert (medicare["claims_adjudicated"], medicare["denial_rate"], medicare["clean_claim_rate"]) == (3, 33.3, 66.7)
    assert medicare["net_collection_rate"] == 51.4  # 270 / (675 - 150)
    assert (medicare["days_to_payment"], medicare["paid_claims"]) == (25.0, 2)
    assert (aetna["ar_balance"], aetna["ar_over_120"], aetna["days_in_ar"]) == (225.0, 100.0, None)
    assert (aetna["denial_rate"], aetna["clean_claim_rate"], aetna["days_to_payment"]) == (50.0, 0.0, 10.0)


def test_kpis_for_a_period(practice) -> None:
    data = practice.report("kpis", date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    assert data["window"] == {"from": "2026-10-01", "to": "2026-10-31"}
    assert data["days_in_ar"] == 145.7  # 705 / ((225 - 75) / 31): AR is today's
    assert (data["claims_adjudicated"], data["denial_rate"]) == (2, 50.0)  # K2, K3 first adjudicated in October
    assert data["net_collection_rate"] == 80.0  # K3: 120 / (225 - 75)
    assert data["days_to_payment"] == 30.0
    assert data["appeal_overturn_rate"] == 100.0  # K2's appeal was sent in October


def test_kpis_for_a_payer(practice) -> None:
    data = practice.report("kpis", payer="Aetna")
    assert (data["ar_balance"], data["days_in_ar"], data["denial_rate"]) == (225.0, None, 50.0)
    assert data["appeal_overturn_rate"] == 0.0


def test_empty_database_has_no_figures(services) -> None:
    data = services.report("kpis")
    assert data["empty"] is True
    for key in ("days_in_ar", "ar_over_90", "ar_over_120", "denial_rate", "clean_claim_rate",
                "net_collection_rate", "days_to_payment", "appeal_overturn_rate"):
        assert data[key] is None, key
    assert data["ar_balance"] == data["payer_ar_balance"] == 0.0 and data["days_in_payer_ar"] is None


def test_patient_payments_count_as_collections(practice) -> None:
    """K3's patient pays $20 of the $30 coinsurance, then the practice writes the last $10 off;
    K4's $15 copay is taken before its payer answered."""
    practice.record_payment("K3", 2000, paid_date=date(2026, 11, 20), method="check", reference="501")
    data = practice.report("kpis")
    assert data["ar_balance"] == 685.0  # 705 - 20
    assert data["payer_ar_balance"] == 675.0  # K3's last 10 is still the patient's
    assert data["days_in_ar"] == 82.2  # 685 / (750 / 90)
    assert data["ar_over_90"] == 32.8  # 225 / 685
    assert data["net_collection_rate"] == 51.6  # (470 + 20) / (1125 - 175)
    assert data["payer_collection_rate"] == 51.1  # payers' 470 / (1125 - 175 - 30), as before
    assert data["patient_collection_rate"] == 66.7  # 20 / 30
    components = next(s for s in data["sections"] if s["name"] == "components")
    assert ["net_collection_rate", "payer payments $470.00 + patient payments $20.00",
            "charges $1,125.00 - contractual $175.00", None, None] in components["rows"]

    practice.record_payment("K3", 1000, adjustment=True, reason="small balance write-off")
    practice.record_payment("K4", 1500, paid_date=date(2026, 11, 1), method="card", force=True)
    data = practice.report("kpis")
    assert data["ar_balance"] == 660.0  # 225 + 225 + (225 - 15): K3 is settled
    assert data["payer_ar_balance"] == 660.0  # no patient owes anything now
    assert data["net_collection_rate"] == 51.6  # an adjustment is not a collection; K4 is not adjudicated
    assert data["patient_collection_rate"] == 66.7
    aging = practice.report("aging")
    assert (aging["total_balance"], aging["total_claims"]) == (660.0, 3)
    assert practice.claim("K3")["work_status"] == "closed"
