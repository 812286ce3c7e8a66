"""Working claims: notes with call details, statuses, ticklers, assignees, bulk; all audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.errors import InvalidInput, StaleWrite
from assistant.services import Services
from tests.conftest import TODAY
from tests.worklist_cases import ids, practice


@pytest.fixture
def svc(services: Services) -> Services:
    practice(services)
    return services


def claim(svc: Services, claim_id: str) -> dict:  # type: ignore[type-arg]
    return dict(svc.conn.execute("SELECT * FROM claims WHERE claim_id = ?", (claim_id,)).fetchone())


def entries(svc: Services, claim_id: str, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [a for a in svc.history(claim_id) if a["kind"] == kind]


def test_a_call_note_keeps_rep_reference_outcome_and_promised_date(svc: Services) -> None:
    promised = TODAY + timedelta(days=10)
    result = svc.note("NORESP", "Claim on file, in review", rep="Ann B", reference="REF-88412",
                      outcome="reprocessing", promised=promised)
    [note] = entries(svc, "NORESP", "note")
    assert note["note"] == "Claim on file, in review" and note["user"] == "tester"
    assert note["details"] == {"rep": "Ann B", "reference": "REF-88412", "outcome": "reprocessing",
                               "promised_date": promised.isoformat()}
    # The promised date becomes the tickler: the claim leaves today until then.
    [follow] = entries(svc, "NORESP", "follow_up")
    assert (follow["field"], follow["before"], follow["after"]) == ("follow_up_date", None, promised.isoformat())
    assert result["follow_up_date"] == promised.isoformat()
    assert "NORESP" not in ids(svc.worklist(limit=None))


def test_a_note_alone_changes_no_field_and_keeps_the_version(svc: Services) -> None:
    before = claim(svc, "AUTH")["version"]
    svc.note("AUTH", "Left a voicemail for the auth department", expected_version=before)
    assert claim(svc, "AUTH")["version"] == before
    with pytest.raises(InvalidInput, match="a note is required"):
        svc.note("AUTH", "   ")


def test_status_changes_are_in_the_history_with_before_and_after(svc: Services) -> None:
    svc.set_status("DEN-SOON", "in_progress")
    svc.set_status("DEN-SOON", "appealed")
    changes = [(a["before"], a["after"]) for a in entries(svc, "DEN-SOON", "status")]
    assert changes == [("new", "in_progress"), ("in_progress", "appealed")]
    # Appealed without a date: a tickler at the payer's decision time brings it back.
    assert claim(svc, "DEN-SOON")["follow_up_date"] == (TODAY + timedelta(days=60)).isoformat()
    assert entries(svc, "DEN-SOON", "follow_up")[0]["note"] == "tickler for appealed"


def test_a_given_follow_up_date_wins_over_the_tickler(svc: Services) -> None:
    svc.set_status("NORESP", "waiting_payer", follow_up=TODAY + timedelta(days=3))
    assert claim(svc, "NORESP")["follow_up_date"] == (TODAY + timedelta(days=3)).isoformat()
    svc.set_status("AUTH", "waiting_payer")
    assert claim(svc, "AUTH")["follow_up_date"] == (TODAY + timedelta(days=14)).isoformat()


def test_a_write_off_needs_a_reason_and_writes_the_balance_off(svc: Services) -> None:
    before = claim(svc, "DEN-LATER")
    with pytest.raises(InvalidInput, match="a write-off needs a reason"):
        svc.set_status("DEN-LATER", "written_off")
    assert claim(svc, "DEN-LATER") == before  # nothing written
    svc.set_status("DEN-LATER", "written_off", reason="not worth appealing")
    after = claim(svc, "DEN-LATER")
    assert after["balance_cents"] == 0 and after["adjusted_cents"] == before["adjusted_cents"] + 22500
    assert after["rank_value"] is None and "DEN-LATER" not in ids(svc.worklist("denials-medicare"))
    money = {a["field"]: (a["before"], a["after"], a["note"]) for a in entries(svc, "DEN-LATER", "write_off")}
    assert money == {"balance_cents": ("22500", "0", "not worth appealing"),
                     "adjusted_cents": (str(before["adjusted_cents"]), str(before["adjusted_cents"] + 22500),
                                        "not worth appealing"),
                     "written_off_cents": ("0", "22500", "not worth appealing")}
    # Reopened: what the write-off took comes back.
    svc.set_status("DEN-LATER", "in_progress", reason="patient sent new records")
    reopened = claim(svc, "DEN-LATER")
    assert reopened["balance_cents"] == 22500 and reopened["adjusted_cents"] == before["adjusted_cents"]
    assert reopened["written_off_cents"] == 0
    assert "DEN-LATER" in ids(svc.worklist("denials-medicare"))


def test_closing_clears_the_follow_up_date(svc: Services) -> None:
    svc.follow_up("AUTH", TODAY + timedelta(days=5))
    svc.set_status("AUTH", "closed")
    assert claim(svc, "AUTH")["follow_up_date"] is None
    with pytest.raises(InvalidInput, match="reopen it"):
        svc.follow_up("AUTH", TODAY + timedelta(days=5))


def test_a_stale_write_is_refused_and_writes_nothing(svc: Services) -> None:
    version = claim(svc, "AUTH")["version"]
    svc.assign("AUTH", "jlee", expected_version=version)  # someone else saves first
    history = svc.history("AUTH")
    with pytest.raises(StaleWrite, match="AUTH changed since you read it"):
        svc.set_status("AUTH", "in_progress", expected_version=version)
    with pytest.raises(StaleWrite):
        svc.note("AUTH", "too late", expected_version=version)
    assert svc.history("AUTH") == history and claim(svc, "AUTH")["work_status"] == "new"


def test_follow_up_dates_are_today_or_later(svc: Services) -> None:
    with pytest.raises(InvalidInput, match="in the past"):
        svc.follow_up("AUTH", TODAY - timedelta(days=1))
    svc.follow_up("AUTH", TODAY)
    assert "AUTH" in ids(svc.worklist(limit=None))
    svc.follow_up("AUTH", None)
    assert claim(svc, "AUTH")["follow_up_date"] is None


def test_a_snoozed_claim_leaves_today_and_comes_back_on_its_date(svc: Services) -> None:
    svc.follow_up("AUTH", date(2026, 12, 10))
    assert "AUTH" not in ids(svc.worklist(limit=None))
    later = Services(svc.locations, today=date(2026, 12, 9), user="tester")
    assert "AUTH" not in ids(later.worklist(limit=None))
    later.close()
    back = Services(svc.locations, today=date(2026, 12, 10), user="tester")
    row = next(r for r in back.worklist(limit=None)["rows"] if r["claim_id"] == "AUTH")
    assert "follow-up due today" in row["why"] and row["components"]["follow_up"] == 10.0
    back.close()


def test_an_overdue_follow_up_rises(services: Services) -> None:
    from tests.builders import claim_record, post_denial, write

    write(services.conn, *[claim_record(c, account=c, dos=TODAY - timedelta(days=60)) for c in ("TWIN-A", "TWIN-B")])
    for c in ("TWIN-A", "TWIN-B"):
        post_denial(services.conn, c, "CO", "50", 225.0, remarks=("N115",), remit_date=TODAY - timedelta(days=30))
    services.refresh_claims([1, 2])
    first = services.worklist()["rows"]
    assert first[0]["score"] == first[1]["score"]
    services.follow_up("TWIN-B", TODAY + timedelta(days=1))
    scores = {}
    for days in (1, 5, 31, 60):
        seen = Services(services.locations, today=TODAY + timedelta(days=days), user="tester")
        rows = seen.worklist()["rows"]
        assert rows[0]["claim_id"] == "TWIN-B"
        scores[days] = rows[0]["components"]["follow_up"]
        assert rows[0]["score"] - rows[1]["score"] == pytest.approx(scores[days], abs=0.02)
        seen.close()
    assert scores == {1: 10.0, 5: 12.0, 31: 25.0, 60: 25.0}  # 0.5 a day overdue, up to 30 days


def test_assign_and_unassign(svc: Services) -> None:
    svc.assign("NORESP", "jlee")
    svc.assign("NORESP", None)
    assert [(a["before"], a["after"]) for a in entries(svc, "NORESP", "assign")] == [(None, "jlee"), ("jlee", None)]


def test_bulk_actions_apply_to_every_claim_in_one_go(svc: Services) -> None:
    result = svc.bulk(["DEN-SOON", "DEN-LATER", "AUTH"], "assign", "jlee")
    assert result["changed"] == 3
    assert all(claim(svc, c)["assignee"] == "jlee" for c in ("DEN-SOON", "DEN-LATER", "AUTH"))
    assert all(entries(svc, c, "assign")[0]["details"] == {"bulk": 3} for c in ("DEN-SOON", "AUTH"))
    svc.bulk(["DEN-SOON", "DEN-LATER"], "status", "appealed")
    assert {claim(svc, c)["work_status"] for c in ("DEN-SOON", "DEN-LATER")} == {"appealed"}
    svc.bulk(["DEN-SOON", "AUTH"], "note", "Batch: sent to the lead for review")
    assert len(entries(svc, "AUTH", "note")) == 1
    svc.bulk(["DEN-SOON", "AUTH"], "follow_up", TODAY + timedelta(days=7))
    assert claim(svc, "AUTH")["follow_up_date"] == (TODAY + timedelta(days=7)).isoformat()


def test_a_bulk_action_is_all_or_nothing(svc: Services) -> None:
    before = {c: claim(svc, c) for c in ("DEN-SOON", "NORESP")}
    with pytest.raises(InvalidInput, match="a write-off needs a reason"):
        svc.bulk(["DEN-SOON", "NORESP"], "status", "written_off")
    stale = {"DEN-SOON": before["DEN-SOON"]["version"], "NORESP": before["NORESP"]["version"] - 1}
    with pytest.raises(StaleWrite, match="NORESP"):
        svc.bulk(["DEN-SOON", "NORESP"], "assign", "jlee", expected_versions=stale)
    assert {c: claim(svc, c) for c in before} == before
    with pytest.raises(InvalidInput, match="unknown bulk action"):
        svc.bulk(["DEN-SOON"], "delete", None)


def test_a_work_status_the_program_does_not_know_is_refused(svc: Services) -> None:
    with pytest.raises(InvalidInput, match="unknown work status 'pending'"):
        svc.set_status("AUTH", "pending")
