"""Deadlines that have passed: what is still possible, by when, and never a missed filing first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from assistant.domain import Action, Assessment
from assistant.errors import ConfigError
from assistant.rules.playbook import load_playbook
from tests.builders import claim_record, post_denial, write
from tests.conftest import TODAY


def kinds(a: Assessment) -> list[Action]:
    return [x.action for x in a.actions]


def nothing_missed_first(a: Assessment) -> None:
    first = a.actions[0]
    assert first.deadline is None or first.deadline >= TODAY
    assert a.deadline is None or a.deadline >= TODAY


def add_appeal(services, claim_id: str, level: int, status: str, *, sent: str | None = None,  # type: ignore[no-untyped-def]
               outcome: str | None = None, decided: str | None = None) -> None:
    services.conn.execute(
        "INSERT INTO appeals (claim_pk, level, template, status, drafted_date, sent_date, outcome, decided_date) "
        "SELECT pk, ?, 'generic', ?, coalesce(?, '2026-01-01'), ?, ?, ? FROM claims WHERE claim_id = ?",
        (level, status, sent, sent, outcome, decided, claim_id))


# --------------------------------------------------------------------------- appeals


def test_a_missed_redetermination_offers_the_reopening_year_first(services) -> None:
    write(services.conn, claim_record("MN", dos=date(2026, 5, 20)))
    post_denial(services.conn, "MN", "CO", "50", 225.0, remit_date=date(2026, 6, 1))
    a = services.assess("MN")
    assert kinds(a) == [Action.REOPENING, Action.APPEAL, Action.WRITE_OFF]
    reopening, late, write_off = a.actions
    # 120 days from receipt, presumed 5 days after the notice: 2026-10-04; reopening: 1 year (S69)
    assert "the redetermination deadline passed on 2026-10-04 (53 days ago)" in reopening.reason
    assert reopening.deadline == date(2027, 6, 1) and "until 2027-06-01" in reopening.reason
    assert a.deadline == date(2027, 6, 1) and a.deadline_kind == "reopening"
    assert late.level == 1 and late.deadline is None and "good cause" in late.reason
    assert late.template == "medicare_redetermination"
    assert "write off $225.00" in write_off.reason
    nothing_missed_first(a)


def test_after_the_reopening_year_a_medicare_denial_is_a_write_off_candidate(services) -> None:
    write(services.conn, claim_record("OLD", dos=date(2025, 8, 20)))
    post_denial(services.conn, "OLD", "CO", "50", 225.0, remit_date=date(2025, 9, 1))
    a = services.assess("OLD")
    assert kinds(a) == [Action.WRITE_OFF, Action.REOPENING, Action.APPEAL]
    assert "passed on 2026-01-04 and the reopening year ended 2026-09-01" in a.actions[0].reason
    assert a.actions[1].deadline == date(2029, 9, 1)  # with good cause, 4 years (S69)
    assert a.deadline_kind == "reopening_good_cause"
    nothing_missed_first(a)


@pytest.mark.parametrize(("payer", "missed"), [("Aetna", "2026-07-31"), ("Humana MA", "2026-08-05")])
def test_a_missed_appeal_elsewhere_is_a_call_then_a_write_off(services, payer: str, missed: str) -> None:
    from assistant.domain import PayerKind, PayerSettingsRecord
    from assistant.ingest import ParsedBatch, write_batch
    from assistant.storage import transaction

    with transaction(services.conn):  # a Medicare Advantage plan: 65 days from the remittance (S90, S91)
        write_batch(services.conn, ParsedBatch(payer_settings=[
            PayerSettingsRecord("Humana MA", PayerKind.MEDICARE_ADVANTAGE)]), "tester", "settings")
    write(services.conn, claim_record("LATE", payer=payer, dos=date(2026, 5, 20)))
    post_denial(services.conn, "LATE", "CO", "50", 225.0, remit_date=date(2026, 6, 1))
    a = services.assess("LATE")
    assert kinds(a) == [Action.CALL_PAYER, Action.WRITE_OFF]
    assert f"deadline passed on {missed}" in a.actions[0].reason and "late" in a.actions[0].reason
    assert a.deadline is None
    nothing_missed_first(a)


def test_a_missed_reconsideration_counts_from_the_redetermination_decision(services) -> None:
    write(services.conn, claim_record("L2", dos=date(2026, 1, 5)))
    post_denial(services.conn, "L2", "CO", "50", 225.0, remit_date=date(2026, 1, 10))
    add_appeal(services, "L2", 1, "decided", sent="2026-02-01", outcome="lost", decided="2026-03-01")
    a = services.assess("L2")
    assert kinds(a) == [Action.REOPENING, Action.APPEAL, Action.WRITE_OFF]
    # 180 days from receipt of the decision of 2026-03-01: 2026-09-02 (S66)
    assert "the reconsideration deadline passed on 2026-09-02" in a.actions[0].reason
    assert a.actions[0].deadline == date(2027, 1, 10)  # one year from the initial determination
    late = a.actions[1]
    assert late.level == 2 and late.template == "medicare_reconsideration" and late.deadline is None
    nothing_missed_first(a)


def test_a_drafted_reconsideration_keeps_its_window_from_the_decision(services) -> None:
    write(services.conn, claim_record("DR", dos=date(2026, 6, 5)))
    post_denial(services.conn, "DR", "CO", "50", 225.0, remit_date=date(2026, 6, 10))
    add_appeal(services, "DR", 1, "decided", sent="2026-07-01", outcome="lost", decided="2026-11-01")
    add_appeal(services, "DR", 2, "drafted")
    first = services.assess("DR").actions[0]
    assert first.action is Action.APPEAL and first.level == 2
    assert first.deadline == date(2027, 5, 5)  # 2026-11-01 + 5 + 180


# --------------------------------------------------------------------------- timely filing


def test_a_claim_never_sent_in_time_is_written_off(services) -> None:
    write(services.conn, replace(claim_record("UNSENT", payer="Aetna", dos=date(2025, 9, 1)), submitted_date=None))
    a = services.assess("UNSENT")
    assert kinds(a) == [Action.WRITE_OFF]
    assert "timely filing limit for 2025-09-01 passed on 2025-11-30" in a.actions[0].reason


def test_a_claim_sent_in_time_and_never_answered_is_refiled_with_proof(services) -> None:
    write(services.conn, claim_record("LOST", payer="Aetna", dos=date(2026, 1, 30), submitted=date(2026, 2, 3)))
    a = services.assess("LOST")
    assert kinds(a) == [Action.CALL_PAYER, Action.NEW_CLAIM, Action.WRITE_OFF]
    assert "timely filing ended 2026-04-30" in a.actions[0].reason
    assert "accepted 999/277CA for the 2026-02-03 submission" in a.actions[1].reason
    assert all(x.deadline is None for x in a.actions) and a.deadline is None


def test_a_claim_sent_after_the_limit_is_a_write_off_candidate(services) -> None:
    write(services.conn, claim_record("TOO-LATE", payer="Aetna", dos=date(2026, 6, 1), submitted=date(2026, 9, 15)))
    a = services.assess("TOO-LATE")
    assert kinds(a) == [Action.WRITE_OFF, Action.CALL_PAYER]
    assert "after the timely filing limit of 2026-08-30" in a.actions[0].reason
    assert "999/277CA" in a.actions[1].reason


# --------------------------------------------------------------------------- corrected claims


def _gp_denial(services) -> None:  # type: ignore[no-untyped-def]
    write(services.conn, claim_record("GP", payer="Aetna", dos=date(2026, 9, 10),
                                      lines=(("97530", ("GP",), 2, 150.0),)))
    post_denial(services.conn, "GP", "CO", "4", 150.0, line=1, remit_date=date(2026, 10, 1))


def test_a_corrected_claim_follows_timely_filing_without_a_window_of_its_own(services) -> None:
    _gp_denial(services)
    a = services.assess("GP")
    assert a.actions[0].action is Action.RESUBMIT_CORRECTED
    assert a.actions[0].deadline == date(2026, 12, 9) and a.deadline_kind == "timely_filing"


def test_a_corrected_claim_fits_the_payers_window(services) -> None:
    _gp_denial(services)
    services.conn.execute("UPDATE payers SET corrected_claim_days = 90 WHERE name = 'Aetna'")
    a = services.assess("GP")
    assert a.actions[0].action is Action.RESUBMIT_CORRECTED
    assert a.actions[0].deadline == date(2026, 12, 30) and a.deadline_kind == "corrected_claim"
    services.conn.execute("UPDATE payers SET corrected_claim_days = 30 WHERE name = 'Aetna'")
    late = services.assess("GP")
    # the window closed 2026-10-31; the reconsideration is open until 2026-11-30
    assert kinds(late) == [Action.APPEAL, Action.WRITE_OFF]
    assert "the corrected-claim window passed on 2026-10-31" in late.actions[0].reason
    assert late.actions[0].deadline == date(2026, 11, 30) and late.deadline_kind == "appeal_level_1"
    # the late appeal argues the category with the playbook's own letter for it, not a generic one
    coding_letter = load_playbook(services.locations.playbook_files).appeal_letter_for(late.category)
    assert late.actions[0].template == coding_letter is not None


# --------------------------------------------------------------------------- the rule in code


def test_a_missed_action_is_never_first_even_without_late_rules(services) -> None:
    write(services.conn, claim_record("BARE", payer="Aetna", dos=date(2026, 5, 20)))
    post_denial(services.conn, "BARE", "CO", "50", 225.0, remit_date=date(2026, 6, 1))
    practice = services.locations.playbook_files[1]
    practice.parent.mkdir(parents=True, exist_ok=True)
    practice.write_text('[[late]]\nid = "late-appeal"\ndisabled = true\n\n'
                        '[[late]]\nid = "late-any"\ndisabled = true\n')
    a = services.assess("BARE")
    assert kinds(a) == [Action.CALL_PAYER, Action.APPEAL]
    assert a.actions[0].reason.startswith("The reconsideration deadline passed on 2026-07-31: ask Aetna")
    assert a.actions[1].deadline == date(2026, 7, 31)  # still listed, last
    assert a.deadline is None


def test_a_practice_late_rule_replaces_the_shipped_one(services) -> None:
    write(services.conn, claim_record("MINE", payer="Aetna", dos=date(2026, 5, 20)))
    post_denial(services.conn, "MINE", "CO", "50", 225.0, remit_date=date(2026, 6, 1))
    practice = services.locations.playbook_files[1]
    practice.parent.mkdir(parents=True, exist_ok=True)
    practice.write_text('[[late]]\nid = "late-appeal"\npriority = 80\nlapsed = ["appeal"]\n'
                        '[[late.actions]]\naction = "write_off"\n'
                        'reason = "{missed_what} passed {missed_days} days ago: our policy is to write off."\n')
    [only] = services.assess("MINE").actions
    assert only.action is Action.WRITE_OFF
    assert only.reason == "the reconsideration deadline passed 118 days ago: our policy is to write off."


def test_a_late_rule_naming_an_unknown_action_is_a_clear_error(tmp_path: Path) -> None:
    from assistant.paths import package_data

    practice = tmp_path / "playbook.toml"
    practice.write_text('[[late]]\nid = "x"\nlapsed = ["pray"]\n[[late.actions]]\naction = "wait"\nreason = "r"\n')
    with pytest.raises(ConfigError, match="late 'x': lapsed: unknown action 'pray'"):
        load_playbook([package_data("playbook.toml"), practice])
