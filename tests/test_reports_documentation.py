"""The documentation audit: the rules' own findings by therapist, and the denials they caused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.domain import AuthorizationRecord, PlanOfCareRecord
from tests.builders import OTA, claim_record, note, post_denial, post_remit, write, write_clinical

MINUTES = [30, 15]


@pytest.fixture
def audited(services):  # type: ignore[no-untyped-def]
    """DOC1  Okafor, Medicare: plan of care of Aug 1 never certified, served Sep 15; CO-50 $225  -> $225
    DOC2A Okafor, Aetna: visit 1 of 1 authorized                                          -> nothing
    DOC2B Okafor, Aetna: visit 2 of 1 authorized (used up); CO-197 $225                  -> $225
    DOC3  Okafor, Medicare: no minutes anywhere, no plan on file; CO-151 $150 (frequency) -> $150 (minutes)
    DOC4  Lee (OTA), Medicare: 12th treatment day since Aug 1 without a progress report  -> overdue, no denial
    """
    conn = services.conn
    write(conn,
          claim_record("DOC1", dos=date(2026, 9, 15), minutes=MINUTES),
          claim_record("DOC2A", account="A2", payer="Aetna", dos=date(2026, 9, 1), minutes=MINUTES),
          claim_record("DOC2B", account="A2", payer="Aetna", dos=date(2026, 9, 10), minutes=MINUTES),
          claim_record("DOC3", account="A3", dos=date(2026, 9, 20)),
          claim_record("DOC4", account="A4", dos=date(2026, 8, 20), minutes=MINUTES, rendering=OTA))
    write_clinical(
        conn,
        plans=[PlanOfCareRecord("A1001", date(2026, 8, 1), date(2026, 10, 29)),
               PlanOfCareRecord("A4", date(2026, 8, 1), date(2026, 10, 29), certified_date=date(2026, 8, 5))],
        authorizations=[AuthorizationRecord("A2", "AU1", 1, date(2026, 9, 1), date(2026, 12, 31),
                                            payer_name="Aetna")],
        documents=[note("A4", date(2026, 8, 1) + timedelta(days=i)) for i in range(11)],
    )
    post_denial(conn, "DOC1", "CO", "50", 225.0, remit_date=date(2026, 10, 15))
    post_denial(conn, "DOC2B", "CO", "197", 225.0, remit_date=date(2026, 10, 15))
    post_remit(conn, "DOC3", [("CO", "151", 150.0, 1)], paid={2: 50.0}, remit_date=date(2026, 10, 20))
    return services


def table(data, name):  # type: ignore[no-untyped-def]
    found = next(s for s in data["sections"] if s["name"] == name)
    keys = [c["key"] for c in found["columns"]]
    return {row[0]: dict(zip(keys, row, strict=True)) for row in found["rows"]}


def test_figures(audited) -> None:
    data = audited.report("documentation")
    assert data["empty"] is False
    assert (data["claims_checked"], data["claims_with_problems"]) == (5, 4)
    assert data["minutes_missing"] == 1
    assert data["progress_overdue"] == 1
    assert data["plan_unsigned"] == 1
    assert data["plan_missing"] == 1  # DOC3: plans are kept here, and none covers its patient
    assert data["auth_used_up"] == 1
    assert data["plan_lapsed"] == data["auth_expired"] == data["auth_missing"] == 0
    assert data["denied"] == 600.0  # 225 + 225 + 150


def test_by_therapist_and_problem(audited) -> None:
    data = audited.report("documentation")
    therapists = table(data, "by_therapist")
    okafor = therapists["Dana Okafor (OT)"]
    assert (okafor["claims"], okafor["claims_with_problems"], okafor["denied"]) == (4, 3, 600.0)
    assert (okafor["plan_unsigned"], okafor["auth_used_up"], okafor["minutes_missing"]) == (1, 1, 1)
    lee = therapists["Sam Lee (OTA)"]
    assert (lee["claims"], lee["progress_overdue"], lee["denied"]) == (1, 1, 0.0)
    problems = table(data, "by_problem")
    assert (problems["Plan of care not certified in time"]["denied"],
            problems["Authorization used up"]["denied"],
            problems["Visits without minutes"]["denied"],
            problems["No plan of care on file"]["denied"],  # CO-151 is frequency, not documentation
            problems["Progress report overdue"]["denied"]) == (225.0, 225.0, 150.0, 0.0, 0.0)
    assert list(problems) == ["Visits without minutes", "Progress report overdue",
                              "Plan of care not certified in time", "No plan of care on file",
                              "Authorization used up"]
    findings = next(s for s in data["sections"] if s["name"] == "findings")["rows"]
    assert {(r[0], r[4]) for r in findings} == {
        ("DOC1", "Plan of care not certified in time"), ("DOC2B", "Authorization used up"),
        ("DOC3", "Visits without minutes"), ("DOC3", "No plan of care on file"),
        ("DOC4", "Progress report overdue")}


def test_filters(audited) -> None:
    august = audited.report("documentation", date_to=date(2026, 8, 31))
    assert (august["claims_checked"], august["progress_overdue"], august["denied"]) == (1, 1, 0.0)
    aetna = audited.report("documentation", payer="Aetna")
    assert (aetna["claims_checked"], aetna["auth_used_up"], aetna["denied"]) == (2, 1, 225.0)


def test_empty_database(services) -> None:
    data = services.report("documentation")
    assert data["empty"] is True and data["claims_checked"] == 0 and data["denied"] == 0.0
    assert all(s["rows"] == [] for s in data["sections"])
