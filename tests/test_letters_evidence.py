"""Evidence gaps: what the denial needs that the record lacks, and when that sinks the appeal."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.domain import Action, DocType, Finding
from assistant.errors import ConfigError
from assistant.letters.evidence import Gap, Situation, gaps_for, gather
from assistant.rules.codes import cpt
from assistant.storage.claims import load_claim
from tests import letter_builders as lb
from tests.builders import claim_record, write

DOS = date(2026, 9, 15)


def is_timed(code: str) -> bool:
    info = cpt(code)
    return bool(info and info.timed)
START = date(2026, 8, 20)


def gaps(services, claim_id: str, *needs: str, findings=(), timely=None) -> list[Gap]:
    view = load_claim(services.conn, claim_id)
    situation = Situation(view=view, is_timed=is_timed, timely_filing_days=timely,
                          findings=tuple(findings))
    return gaps_for(needs, gather(services.conn, view), situation)


def needs_of(found: list[Gap]) -> list[tuple[str, bool, Action | None]]:
    return [(g.need, g.blocking, g.instead) for g in found]


def daily(services, day: date = DOS, account: str = "A1001") -> None:
    lb.note(services.conn, day, "Objective: 97530 x 30 min transfers with min A; 97110 x 15 min.",
            account=account, minutes=(("97530", 30), ("97110", 15)))


def test_no_notes_blocks_and_says_to_send_the_record(services) -> None:
    write(services.conn, claim_record("C1", dos=DOS, minutes=(30, 15)))
    found = gaps(services, "C1", "notes", "daily_note")
    assert needs_of(found) == [("notes", True, Action.SEND_RECORDS)]
    assert "no therapy notes" in found[0].message


def test_missing_note_for_a_service_date_blocks(services) -> None:
    write(services.conn, claim_record("C1", dos=DOS))
    lb.note(services.conn, date(2026, 9, 14), "Transfers practiced with min A for thirty minutes.")
    found = gaps(services, "C1", "daily_note")
    assert needs_of(found) == [("daily_note", True, Action.SEND_RECORDS)]
    assert "09/15/2026" in found[0].message
    daily(services)
    assert gaps(services, "C1", "daily_note") == []


def test_plan_of_care_is_required_by_medicare_only(services) -> None:
    write(services.conn, claim_record("C1", dos=DOS),
          claim_record("C2", account="A2002", payer="Aetna", dos=DOS))
    assert needs_of(gaps(services, "C1", "plan_of_care")) == [("plan_of_care", True, None)]
    assert needs_of(gaps(services, "C2", "plan_of_care")) == [("plan_of_care", False, None)]
    lb.plan_of_care(services.conn, START, date(2026, 9, 10), certified=date(2026, 8, 22), goals=["g"])
    assert "ended 09/10/2026" in gaps(services, "C1", "plan_of_care")[0].message
    lb.plan_of_care(services.conn, date(2026, 9, 11), date(2026, 12, 1), certified=date(2026, 9, 12),
                    goals=["Dress independently."])
    assert gaps(services, "C1", "plan_of_care") == []


def test_certification_missing_blocks_medicare_and_late_certification_warns(services) -> None:
    write(services.conn, claim_record("C1", dos=DOS))
    lb.plan_of_care(services.conn, START, date(2026, 11, 17), goals=["g"])
    assert needs_of(gaps(services, "C1", "certification")) == [("certification", True, None)]
    lb.plan_of_care(services.conn, START, date(2026, 11, 17), certified=date(2026, 10, 1), goals=["g"])
    late = gaps(services, "C1", "certification")
    assert needs_of(late) == [("certification", False, None)] and "42 days" in late[0].message


def test_progress_report_every_ten_treatment_days(services) -> None:
    days = [date.fromordinal(START.toordinal() + i) for i in range(0, 24, 2)]  # 12 treatment days
    write(services.conn, *[claim_record(f"C{i}", dos=day) for i, day in enumerate(days)])
    lb.plan_of_care(services.conn, days[0], date(2026, 11, 17), certified=days[0], goals=["g"])
    last = f"C{len(days) - 1}"
    found = gaps(services, last, "progress_report")
    assert needs_of(found) == [("progress_report", False, None)]
    lb.note(services.conn, days[5], "Progress report: goals progressing.", doc_type=DocType.PROGRESS_REPORT)
    assert gaps(services, last, "progress_report") == []
    assert gaps(services, "C3", "progress_report") == []


def test_timed_lines_without_minutes_block(services) -> None:
    write(services.conn, claim_record("C1", dos=DOS, lines=(("97530", ("GO",), 2, 150.0),
                                                             ("97165", ("GO",), 1, 120.0))))
    found = gaps(services, "C1", "minutes")
    assert needs_of(found) == [("minutes", True, Action.SEND_RECORDS)]
    assert "line 1 (97530)" in found[0].message and "97165" not in found[0].message
    lb.note(services.conn, DOS, "97530 x 30 min.", minutes=(("97530", 30),))
    assert gaps(services, "C1", "minutes") == []


def test_authorization_missing_or_used_up(services) -> None:
    write(services.conn, *[claim_record(f"C{d}", account="A3", payer="Aetna", dos=date(2026, 9, d))
                           for d in (1, 3, 5)])
    assert needs_of(gaps(services, "C5", "authorization")) == [("authorization", True, Action.REQUEST_AUTH)]
    lb.authorization(services.conn, "PA-1", 2, date(2026, 8, 1), date(2026, 10, 1), account="A3")
    used_up = gaps(services, "C5", "authorization")
    assert needs_of(used_up) == [("authorization", True, Action.REQUEST_AUTH)]
    assert "approved 2 visits; 09/05/2026 was number 3" in used_up[0].message
    assert gaps(services, "C3", "authorization") == []


def test_timely_filing(services) -> None:
    write(services.conn, claim_record("M1", dos=DOS, submitted=date(2026, 9, 20)),
          claim_record("A1", account="A2", payer="Aetna", dos=DOS, submitted=date(2027, 2, 1)))
    lb.remit(services.conn, "M1", adjustments=[(None, "CO", "29", 225.0)])
    medicare = gaps(services, "M1", "timely_submission")
    assert needs_of(medicare) == [("timely_submission", True, Action.WRITE_OFF)]
    assert "Medicare does not hear appeals" in medicare[0].message
    assert gaps(services, "A1", "timely_submission", timely=180) == []
    late = gaps(services, "A1", "timely_submission", timely=120)
    assert needs_of(late) == [("timely_submission", True, Action.WRITE_OFF)] and "139 days" in late[0].message


def test_bundled_line_without_59_or_x_modifier_points_to_a_correction(services) -> None:
    write(services.conn,
          claim_record("A1", account="A2", payer="Aetna", dos=DOS,
                       lines=(("97140", ("GO",), 1, 70.0), ("97530", ("GO",), 2, 150.0))),
          claim_record("M1", dos=DOS, lines=(("97140", ("GO",), 1, 70.0), ("97530", ("GO", "XS"), 2, 150.0))))
    lb.remit(services.conn, "A1", adjustments=[(2, "CO", "97", 150.0)])
    lb.remit(services.conn, "M1", adjustments=[(2, "CO", "236", 150.0)])
    lb.note(services.conn, DOS, "97140 x 10 min then 97530 x 25 min in a separate block.", account="A2")
    assert needs_of(gaps(services, "A1", "distinct_time")) == [
        ("distinct_time", True, Action.RESUBMIT_CORRECTED)]
    lb.note(services.conn, DOS, "97140 and 97530 worked together on reaching today.")
    found = gaps(services, "M1", "distinct_time")
    assert needs_of(found) == [("distinct_time", False, None)]
    assert "separate time blocks" in found[0].message


def test_medicare_119_without_kx_points_to_a_reopening(services) -> None:
    write(services.conn, claim_record("M1", dos=DOS))
    lb.remit(services.conn, "M1", adjustments=[(1, "CO", "119", 150.0)])
    assert needs_of(gaps(services, "M1", "threshold_modifier")) == [
        ("threshold_modifier", True, Action.REOPENING)]


def test_claim_checks_block_billing_errors_and_leave_evidence_to_its_own_check(services) -> None:
    write(services.conn, claim_record("C1", account="A2", payer="Aetna", dos=DOS))
    findings = [Finding("eight-minute-units", "error", "3 units billed, 40 minutes support 2", 1, "bill 2 units"),
                Finding("plan-of-care", "error", "no plan of care covers the date"),
                Finding("progress-report", "error", "progress report overdue"),
                Finding("note", "warning", "short note")]
    found = gaps(services, "C1", "claim_checks", "plan_of_care", findings=findings)
    assert needs_of(found) == [("claim_check", True, Action.RESUBMIT_CORRECTED),
                               ("claim_check", False, None), ("plan_of_care", False, None)]
    assert found[0].message == "claim check eight-minute-units: 3 units billed, 40 minutes support 2 (bill 2 units)"
    assert found[1].message == "claim check progress-report: progress report overdue"


def test_other_coverage_and_medicare_number(services) -> None:
    write(services.conn, claim_record("C1", dos=DOS))
    assert needs_of(gaps(services, "C1", "other_coverage")) == [
        ("other_coverage", False, Action.VERIFY_ELIGIBILITY)]
    assert gaps(services, "C1", "medicare_number") == []
    write(services.conn, claim_record("C2", payer="Aetna", dos=DOS))
    assert gaps(services, "C1", "other_coverage") == []


def test_blocking_gaps_come_first_and_unknown_needs_are_config_errors(services) -> None:
    write(services.conn, claim_record("C1", account="A2", payer="Aetna", dos=DOS))
    lb.note(services.conn, DOS, "Short note about the session today.", account="A2")
    found = gaps(services, "C1", "plan_of_care", "minutes")
    assert [g.blocking for g in found] == [True, False]
    with pytest.raises(ConfigError, match="unknown evidence nonsense"):
        gaps(services, "C1", "nonsense")


def test_claim_check_policy_names_real_rules_and_real_needs() -> None:
    from assistant.letters.choice import appeal_letters
    from assistant.letters.evidence import CHECKS as NEEDS
    from assistant.rules.checks import CHECKS as RULES

    policy = appeal_letters()["claim_checks"]
    assert set(policy["correctable"]) <= set(RULES)
    assert set(policy["covered"]) <= set(RULES) and set(policy["covered"].values()) <= set(NEEDS)
