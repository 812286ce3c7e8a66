"""The denials report against a small database whose figures are worked out by hand below."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import InvalidInput, NotFound
from tests.builders import OTA, claim_record, post_denial, post_remit, write

OCT1, OCT5, NOV2 = date(2026, 10, 1), date(2026, 10, 5), date(2026, 11, 2)
NO_GO = (("97530", (), 2, 150.0), ("97110", ("GO",), 1, 75.0))


@pytest.fixture
def practice(services):  # type: ignore[no-untyped-def]
    """Six claims adjudicated (one more waiting), each $225: 97530 x2 $150 + 97110 $75.

    P1  Medicare  paid, CO-45 and PR-2 on each line                      no denial
    D1  Medicare  97530 without GO: CO-4 $150 on line 1, line 2 paid      denied $150 (coding)
    D2  Aetna     CO-197 $225 at claim level, nothing paid                denied $225 (authorization)
    D3  Medicare  PR-1 $225 (deductible), nothing paid                    no denial
    D4  Medicare  by an OTA, CO-50 $225 at claim level, November          denied $225 (medical necessity)
    D5  Aetna     line 1 paid, 97110 CO-97 $75 paid nothing               denied $75 (bundling)
    W1  Medicare  no remittance yet                                       not adjudicated
    """
    conn = services.conn
    write(conn, claim_record("P1"), claim_record("D1", account="A2", lines=NO_GO),
          claim_record("D2", account="A3", payer="Aetna"), claim_record("D3", account="A4"),
          claim_record("D4", account="A5", rendering=OTA), claim_record("D5", account="A6", payer="Aetna"),
          claim_record("W1", account="A7"))
    post_remit(conn, "P1", [("CO", "45", 50.0, 1), ("PR", "2", 20.0, 1), ("CO", "45", 25.0, 2),
                            ("PR", "2", 10.0, 2)], paid={1: 80.0, 2: 40.0}, remit_date=OCT1)
    post_remit(conn, "D1", [("CO", "4", 150.0, 1), ("CO", "45", 25.0, 2), ("PR", "2", 10.0, 2)],
               paid={2: 40.0}, remit_date=OCT1)
    post_denial(conn, "D2", "CO", "197", 225.0, remit_date=OCT5)
    post_remit(conn, "D3", [("PR", "1", 225.0, None)], remit_date=OCT1)
    post_denial(conn, "D4", "CO", "50", 225.0, remit_date=NOV2)
    post_remit(conn, "D5", [("CO", "45", 50.0, 1), ("CO", "97", 75.0, 2)], paid={1: 100.0}, remit_date=OCT5)
    return services


def section(data, name):  # type: ignore[no-untyped-def]
    found = next(s for s in data["sections"] if s["name"] == name)
    return [dict(zip([c["key"] for c in found["columns"]], row, strict=True)) for row in found["rows"]]


def test_headline_figures(practice) -> None:
    data = practice.report("denials")
    assert data["empty"] is False
    assert data["claims_adjudicated"] == 6  # W1 has no remittance
    assert data["claims_denied"] == 4  # D1, D2, D4, D5; D3's deductible is not a denial
    assert data["claims_fully_denied"] == 2  # D2, D4
    assert data["denial_rate"] == 66.7  # 4 / 6
    assert data["billed"] == 1350.0  # 6 x 225
    assert data["denied"] == 675.0  # 150 + 225 + 225 + 75
    assert data["denial_rate_dollars"] == 50.0


def test_by_category_and_carc(practice) -> None:
    data = practice.report("denials")
    assert section(data, "by_category") == [
        {"category": "authorization", "claims": 1, "denial_rate": 16.7, "denied": 225.0, "share": 33.3},
        {"category": "medical_necessity", "claims": 1, "denial_rate": 16.7, "denied": 225.0, "share": 33.3},
        {"category": "coding", "claims": 1, "denial_rate": 16.7, "denied": 150.0, "share": 22.2},
        {"category": "bundling", "claims": 1, "denial_rate": 16.7, "denied": 75.0, "share": 11.1},
    ]
    assert [(r["carc"], r["category"], r["denied"]) for r in section(data, "by_carc")] == [
        ("CO-197", "authorization", 225.0), ("CO-50", "medical_necessity", 225.0),
        ("CO-4", "coding", 150.0), ("CO-97", "bundling", 75.0)]


def test_by_payer_code_provider_and_month(practice) -> None:
    data = practice.report("denials")
    payers = {r["payer"]: r for r in section(data, "by_payer")}
    assert payers["Medicare Part B"] == {"payer": "Medicare Part B", "adjudicated": 4, "denied_count": 2,
                                         "denial_rate": 50.0, "billed": 900.0, "denied": 375.0,
                                         "denial_rate_dollars": 41.7}
    assert payers["Aetna"]["denied_count"] == 2 and payers["Aetna"]["denied"] == 300.0
    codes = {r["code"]: r for r in section(data, "by_code")}
    # Claim-level denials are shared over the lines by charge: D2 and D4 give 97530 $150, 97110 $75.
    assert (codes["97530"]["adjudicated"], codes["97530"]["denied_count"], codes["97530"]["denied"]) == (6, 3, 450.0)
    assert (codes["97110"]["adjudicated"], codes["97110"]["denied_count"], codes["97110"]["denied"]) == (6, 3, 225.0)
    providers = {r["provider"]: r for r in section(data, "by_provider")}
    assert (providers["Dana Okafor (OT)"]["adjudicated"], providers["Dana Okafor (OT)"]["denied_count"]) == (5, 3)
    assert providers["Sam Lee (OTA)"]["denial_rate"] == 100.0
    assert [(r["month"], r["adjudicated"], r["denied_count"]) for r in section(data, "by_month")] == [
        ("2026-10", 5, 3), ("2026-11", 1, 1)]


def test_root_causes_name_the_upstream_fix(practice) -> None:
    causes = practice.report("denials")["root_causes"]
    assert [(c["rank"], c["carc"], c["procedure"], c["denied"], c["cause"]) for c in causes] == [
        (1, "CO-197", "(whole claim)", 225.0, "authorization"),
        (2, "CO-50", "(whole claim)", 225.0, "medical-necessity-medicare"),
        (3, "CO-4", "97530", 150.0, "go-missing"),
        (4, "CO-97", "97110", 75.0, "ncci-modifier"),
    ]
    go = causes[2]
    assert go["summary"] == "CO-4 on 97530 without GO at Medicare Part B, 1 claim, therapist Dana Okafor (OT)"
    assert go["fix"].startswith("put GO (not GP or GN) on every Medicare Part B OT line in the charge master")
    assert go["source"].startswith("fact sheet 0.5 and 2.1")
    assert "Sam Lee (OTA)" in causes[1]["fix"]
    assert "without 59/XE/XP/XS/XU" in causes[3]["summary"]


def test_many_claims_with_the_same_cause_are_one_group(services) -> None:
    conn = services.conn
    write(conn, *(claim_record(f"G{i}", account=f"B{i}", lines=NO_GO) for i in range(3)))
    for i in range(3):
        post_remit(conn, f"G{i}", [("CO", "4", 150.0, 1)], paid={2: 50.0}, remit_date=OCT1)
    [cause] = services.report("denials")["root_causes"]
    assert (cause["claims"], cause["lines"], cause["denied"]) == (3, 3, 450.0)
    assert cause["summary"].startswith("CO-4 on 97530 without GO at Medicare Part B, 3 claims")


def test_generic_code_takes_the_remarks_category(services) -> None:
    write(services.conn, claim_record("G1"))
    post_denial(services.conn, "G1", "CO", "A1", 225.0, remarks=["N115"], remit_date=OCT1)
    [row] = section(services.report("denials"), "by_category")
    assert row["category"] == "medical_necessity"


def test_denied_status_without_adjustments_is_an_eligibility_denial(services) -> None:
    write(services.conn, claim_record("X4"))
    post_remit(services.conn, "X4", [], status_code="4", remit_date=OCT1)
    data = services.report("denials")
    assert data["claims_denied"] == 1 and data["denied"] == 225.0
    assert section(data, "by_carc")[0]["carc"] == "CLP02-4"
    assert section(data, "by_category")[0]["category"] == "eligibility"


def test_only_the_first_adjudication_counts(services) -> None:
    """A claim paid after a corrected claim still had an initial denial; a later denial is not one."""
    conn = services.conn
    write(conn, claim_record("R1"), claim_record("R2", account="A2"))
    post_denial(conn, "R1", "CO", "16", 225.0, remarks=["M77"], remit_date=OCT1)
    post_remit(conn, "R1", [("CO", "45", 75.0, 1)], paid={1: 75.0, 2: 75.0}, remit_date=NOV2)
    post_remit(conn, "R2", [("CO", "45", 75.0, 1)], paid={1: 75.0, 2: 75.0}, remit_date=OCT1)
    post_denial(conn, "R2", "CO", "18", 225.0, remit_date=NOV2)
    data = services.report("denials")
    assert (data["claims_adjudicated"], data["claims_denied"]) == (2, 1)
    assert section(data, "by_carc")[0]["carc"] == "CO-16"


def test_period_and_payer_filters(practice) -> None:
    november = practice.report("denials", date_from=date(2026, 11, 1))
    assert (november["claims_adjudicated"], november["claims_denied"], november["denied"]) == (1, 1, 225.0)
    october = practice.report("denials", date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    assert october["claims_adjudicated"] == 5
    aetna = practice.report("denials", payer="aetna")
    assert aetna["payer"] == "Aetna"
    assert (aetna["claims_adjudicated"], aetna["claims_denied"], aetna["denial_rate"]) == (2, 2, 100.0)
    with pytest.raises(NotFound):
        practice.report("denials", payer="Cigna")
    with pytest.raises(InvalidInput, match="ends"):
        practice.report("denials", date_from=date(2026, 11, 1), date_to=date(2026, 10, 1))


def test_empty_database(services) -> None:
    data = services.report("denials")
    assert data["empty"] is True
    assert data["claims_adjudicated"] == 0
    assert data["denial_rate"] is None and data["denial_rate_dollars"] is None
    assert data["root_causes"] == []
    assert all(s["rows"] == [] for s in data["sections"])


def test_root_cause_uses_the_rules_findings(services) -> None:
    """CO-4 on a line an OTA furnished (the day's note is by a COTA) points at the CO modifier."""
    from tests.builders import note, write_clinical

    write(services.conn, claim_record("OTA1", minutes=[30, 15]))
    write_clinical(services.conn, documents=[note("A1001", date(2026, 9, 1), credential="COTA")])
    post_remit(services.conn, "OTA1", [("CO", "4", 150.0, 1), ("CO", "45", 15.0, 2)], paid={2: 60.0},
               remit_date=OCT1)
    [cause] = services.report("denials")["root_causes"]
    assert cause["cause"] == "co-missing" and cause["modifiers"] == "GO"
    assert cause["summary"].startswith("CO-4 on 97530 without CO at Medicare Part B")
    assert cause["fix"].startswith("add CO next to GO when an OTA furnished")
    [fix] = services.report("denials")["fixes"]
    assert (fix["cause"], fix["claims"], fix["denied"], fix["share"]) == ("co-missing", 1, 150.0, 100.0)
