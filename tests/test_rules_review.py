"""The playbook read as an AR specialist would: the right first action, specific reasons, the
deadline that matters, and waiting then calling at the right time."""

from __future__ import annotations

from datetime import date

from assistant.domain import Action
from assistant.services import Services
from tests.builders import claim_record, post_denial, post_remit, write

REMIT = date(2026, 10, 1)


def kinds(services, claim_id: str) -> list[Action]:  # type: ignore[no-untyped-def]
    return [a.action for a in services.assess(claim_id).actions]


def add_appeal(services, claim_id: str, status: str, *, sent: str, outcome: str | None = None,  # type: ignore[no-untyped-def]
               decided: str | None = None) -> None:
    services.conn.execute(
        "INSERT INTO appeals (claim_pk, level, template, status, drafted_date, sent_date, outcome, decided_date) "
        "SELECT pk, 1, 'generic', ?, ?, ?, ?, ? FROM claims WHERE claim_id = ?",
        (status, sent, sent, outcome, decided, claim_id))


def test_a_retro_authorization_is_due_in_time_for_the_appeal(services) -> None:
    write(services.conn, claim_record("NOAUTH", payer="Aetna", dos=date(2026, 9, 21)))
    post_denial(services.conn, "NOAUTH", "CO", "197", 225.0, remit_date=REMIT)
    a = services.assess("NOAUTH")
    request, appeal, _ = a.actions
    assert request.action is Action.REQUEST_AUTH and request.deadline == appeal.deadline == date(2026, 11, 30)
    assert "in time to appeal by 2026-11-30" in request.reason
    # not the timely filing limit (2026-12-20), which comes after the appeal window closes
    assert a.deadline == date(2026, 11, 30) and a.deadline_kind == "appeal_level_1"


def test_units_denied_without_minutes_on_file_are_checked_before_appealing(services) -> None:
    write(services.conn,
          claim_record("NOMIN", payer="Aetna", dos=date(2026, 9, 10), lines=(("97530", ("GO",), 3, 225.0),)),
          claim_record("MATCH", account="A2", payer="Aetna", dos=date(2026, 9, 10),
                       lines=(("97530", ("GO",), 3, 225.0),), minutes=[40]))
    for claim_id in ("NOMIN", "MATCH"):
        post_denial(services.conn, claim_id, "CO", "151", 225.0, remarks=["N362"], remit_date=REMIT)
    nomin = services.assess("NOMIN")
    assert [x.action for x in nomin.actions] == [Action.RESUBMIT_CORRECTED, Action.APPEAL]
    assert "no minutes on file" in nomin.actions[0].reason
    assert "the units match" not in " ".join(x.reason for x in nomin.actions)
    match = services.assess("MATCH")
    assert [x.action for x in match.actions] == [Action.APPEAL]
    assert "the units match the minutes on file" in match.actions[0].reason


def test_kx_denied_below_our_threshold_points_at_therapy_elsewhere(services) -> None:
    write(services.conn, claim_record("K", dos=date(2026, 11, 2)))
    post_denial(services.conn, "K", "CO", "119", 225.0, remit_date=date(2026, 11, 20))
    first = services.assess("K").actions[0]
    assert first.action is Action.REOPENING
    assert "therapy elsewhere this year" in first.reason and "$2,480.00" in first.reason
    assert "passed without KX" not in first.reason


def test_a_patient_balance_already_with_patient_billing_waits(services) -> None:
    write(services.conn, claim_record("COINS", dos=date(2026, 9, 10)))
    post_remit(services.conn, "COINS", [("CO", "45", 45.0, 1), ("PR", "2", 36.0, 1)],
               paid={1: 69.0, 2: 75.0}, remit_date=REMIT)
    assert kinds(services, "COINS") == [Action.BILL_PATIENT]
    services.conn.execute("UPDATE claims SET work_status = 'patient_billing' WHERE claim_id = 'COINS'")
    [wait] = services.assess("COINS").actions
    assert wait.action is Action.WAIT and "$36.00" in wait.reason


def test_an_appeal_decision_that_is_late_is_a_call(services) -> None:
    write(services.conn, claim_record("AP", payer="Aetna", dos=date(2026, 7, 20)),
          claim_record("MC", account="A2", dos=date(2026, 7, 20)))
    post_denial(services.conn, "AP", "CO", "50", 225.0, remit_date=date(2026, 8, 1))
    post_denial(services.conn, "MC", "CO", "50", 225.0, remit_date=date(2026, 8, 1))
    add_appeal(services, "AP", "sent", sent="2026-09-01")
    add_appeal(services, "MC", "sent", sent="2026-10-20")
    [call] = services.assess("AP").actions  # no decision time on file: the playbook's 60 days
    assert call.action is Action.CALL_PAYER and "due by 2026-10-31" in call.reason
    medicare = services.assess("MC")  # the MAC's 60 days (S65, S74) run to 2026-12-19
    assert [x.action for x in medicare.actions] == [Action.WAIT] and "due by 2026-12-19" in medicare.actions[0].reason
    assert medicare.recheck == date(2026, 12, 20)
    services.refresh_claims([services.conn.execute("SELECT pk FROM claims WHERE claim_id = 'MC'").fetchone()[0]])
    stored = services.conn.execute("SELECT reassess_day FROM claims WHERE claim_id = 'MC'").fetchone()[0]
    assert stored == date(2026, 12, 20).toordinal()  # the worklist looks at it again that day
    practice = services.locations.playbook_files[1]
    practice.parent.mkdir(parents=True, exist_ok=True)
    practice.write_text("[settings]\nappeal_response_days = { commercial = 120 }\n")
    [wait] = services.assess("AP").actions
    assert wait.action is Action.WAIT and "due by 2026-12-30" in wait.reason


def test_an_appeal_won_waits_for_the_payment_then_calls(services) -> None:
    write(services.conn, claim_record("WON", dos=date(2026, 6, 1)),
          claim_record("WON-LONG", account="A2", dos=date(2026, 6, 1)))
    for claim_id in ("WON", "WON-LONG"):
        post_denial(services.conn, claim_id, "CO", "50", 225.0, remit_date=date(2026, 7, 1))
    add_appeal(services, "WON", "decided", sent="2026-08-01", outcome="won", decided="2026-11-10")
    add_appeal(services, "WON-LONG", "decided", sent="2026-08-01", outcome="won", decided="2026-10-01")
    won = services.assess("WON")
    assert [x.action for x in won.actions] == [Action.WAIT]
    assert "decided 2026-11-10 (won)" in won.actions[0].reason and won.recheck == date(2026, 12, 11)
    [call] = services.assess("WON-LONG").actions  # 56 days and no new remittance
    assert call.action is Action.CALL_PAYER and "reprocessed" in call.reason


def test_a_sent_claim_is_looked_at_again_the_day_it_goes_unanswered(services) -> None:
    write(services.conn, claim_record("NEW", dos=date(2026, 11, 10), submitted=date(2026, 11, 11)))
    a = services.assess("NEW")
    assert [x.action for x in a.actions] == [Action.WAIT]
    assert a.recheck == date(2026, 12, 12)  # day 31 after sending: a call (no_response_days = 30)
    day_before = Services(services.locations, today=date(2026, 12, 11), user="tester")
    that_day = Services(services.locations, today=date(2026, 12, 12), user="tester")
    day_before._conn = that_day._conn = services.conn
    assert day_before.assess("NEW").actions[0].action is Action.WAIT
    assert that_day.assess("NEW").actions[0].action is Action.CALL_PAYER


def test_medicare_adr_records_are_due_by_the_reopening_year(services) -> None:
    write(services.conn, claim_record("ADR", dos=date(2026, 9, 10)))
    post_denial(services.conn, "ADR", "CO", "226", 225.0, remit_date=REMIT)
    send, reopening = services.assess("ADR").actions
    assert send.action is Action.SEND_RECORDS and reopening.action is Action.REOPENING
    assert send.deadline == reopening.deadline == date(2027, 10, 1)  # S69: processed as a reopening


def test_missing_information_says_a_corrected_claim_beats_an_appeal(services) -> None:
    write(services.conn, claim_record("N290", payer="Aetna", dos=date(2026, 9, 10)))
    post_denial(services.conn, "N290", "CO", "16", 225.0, remarks=["N290"], remit_date=REMIT)
    first = services.assess("N290").actions[0]
    assert first.action is Action.RESUBMIT_CORRECTED and "a corrected claim, not an appeal" in first.reason


def test_eligibility_checks_have_no_filing_deadline_of_their_own(services) -> None:
    write(services.conn, claim_record("ELIG", dos=date(2026, 9, 10)))
    post_denial(services.conn, "ELIG", "CO", "27", 225.0, remit_date=REMIT)
    a = services.assess("ELIG")
    verify, reopening, other_payer = a.actions
    assert verify.action is Action.VERIFY_ELIGIBILITY and verify.deadline is None
    assert other_payer.action is Action.NEW_CLAIM and other_payer.deadline is None  # another payer's limit
    assert a.deadline == reopening.deadline == date(2027, 10, 1) and a.deadline_kind == "reopening"


def test_a_medicare_claim_below_the_amount_in_controversy_stops_at_the_reconsideration(services) -> None:
    write(services.conn, claim_record("SMALL", dos=date(2026, 3, 2), lines=(("97530", ("GO",), 2, 150.0),)),
          claim_record("BIG", account="A2", dos=date(2026, 3, 2)))
    for claim_id, amount in (("SMALL", 150.0), ("BIG", 225.0)):
        post_denial(services.conn, claim_id, "CO", "50", amount, remit_date=date(2026, 3, 10))
        for level, decided in ((1, "2026-06-01"), (2, "2026-10-15")):
            services.conn.execute(
                "INSERT INTO appeals (claim_pk, level, template, status, drafted_date, sent_date, outcome, "
                "decided_date) SELECT pk, ?, 'generic', 'decided', ?, ?, 'lost', ? FROM claims WHERE claim_id = ?",
                (level, decided, decided, decided, claim_id))
    small = services.assess("SMALL")
    assert [x.action for x in small.actions] == [Action.WRITE_OFF, Action.APPEAL]
    assert "needs at least $200.00 in controversy" in small.actions[0].reason  # 2026 (S75)
    [hearing] = services.assess("BIG").actions
    assert hearing.action is Action.APPEAL and hearing.level == 3
    assert hearing.deadline == date(2026, 12, 19)  # 60 days from receipt of the decision (S65)


def test_a_crossover_or_transfer_with_no_answer_is_a_call(services) -> None:
    write(services.conn, claim_record("XOVER", dos=date(2026, 9, 1)),
          claim_record("XOVER-NEW", account="A2", dos=date(2026, 11, 1)),
          claim_record("MOVED", account="A3", payer="Aetna", dos=date(2026, 9, 1)))
    post_remit(services.conn, "XOVER", [("CO", "45", 45.0, 1), ("PR", "2", 36.0, 1)],
               paid={1: 69.0, 2: 75.0}, remit_date=REMIT)
    post_remit(services.conn, "XOVER-NEW", [("CO", "45", 45.0, 1), ("PR", "2", 36.0, 1)],
               paid={1: 69.0, 2: 75.0}, remit_date=date(2026, 11, 10))
    services.conn.execute("UPDATE claims SET payer_status = 'forwarded' WHERE claim_id LIKE 'XOVER%'")
    post_denial(services.conn, "MOVED", "OA", "B11", 225.0, remit_date=REMIT)
    [call] = services.assess("XOVER").actions
    assert call.action is Action.CALL_PAYER and "56 days ago" in call.reason
    fresh = services.assess("XOVER-NEW")
    assert [x.action for x in fresh.actions] == [Action.WAIT] and fresh.recheck == date(2026, 12, 11)
    [ask] = services.assess("MOVED").actions
    assert ask.action is Action.CALL_PAYER and "which payer it went to" in ask.reason
