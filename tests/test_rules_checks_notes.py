"""OT claim checks that read the patient's whole file: the notes' minutes and treatment days,
every claim billed for the year, and the payer's answers. What the sample showed they missed."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.domain import AuthorizationRecord, Finding, PlanOfCareRecord
from assistant.rules.checks import check_claim
from assistant.rules.context import load_context
from tests.builders import claim_record, note, post_denial, post_remit, write, write_clinical
from tests.conftest import TODAY

D = date(2026, 9, 15)


def findings(services, claim_id: str, rule: str | None = None) -> list[Finding]:  # type: ignore[no-untyped-def]
    found = check_claim(load_context(services.conn, claim_id, TODAY))
    return [f for f in found if rule is None or f.rule == rule]


# --------------------------------------------------------------------------- 8-minute rule


def test_a_code_that_earned_no_unit_still_counts_toward_the_days_total(services) -> None:
    # The note: 97112 22 min, 97129 15, 97130 4, 97535 12 = 53 min = 4 units under CMS total
    # time; 97130's 4 minutes earn no unit of their own and are not billed, but they count.
    lines = (("97112", ("GO",), 2, 148.0), ("97129", ("GO",), 1, 70.0), ("97535", ("GO",), 1, 72.0))
    write(services.conn, claim_record("DAY", dos=D, lines=lines),
          claim_record("SHORT", account="A2", dos=D, lines=lines))
    minutes = [("97112", 22), ("97129", 15), ("97130", 4), ("97535", 12)]
    write_clinical(services.conn, documents=[
        note("A1001", D, minutes=minutes),
        note("A2", D, minutes=[m for m in minutes if m[0] != "97130"])])
    assert findings(services, "DAY", "eight-minute-units") == []
    # Without those 4 minutes the day has 49: 3 units, and 97112's second one is not supported.
    [over] = findings(services, "SHORT", "eight-minute-units")
    assert over.severity == "error" and "97112: 2 units billed, the minutes support 1" in over.message


def test_a_tie_accepts_either_allocation(services) -> None:
    # CMS total time: 97110 20 + 97140 20 = 40 min = 3 units; each has 5 minutes left over, so
    # the clinician chooses which code bills the third (fact sheet 3.3, CMS-2).
    write(services.conn,
          claim_record("TIE-A", dos=D, lines=(("97140", ("GO",), 1, 70.0), ("97110", ("GO",), 2, 136.0))),
          claim_record("TIE-B", account="A2", dos=D,
                       lines=(("97140", ("GO",), 2, 140.0), ("97110", ("GO",), 1, 68.0))),
          claim_record("BOTH", account="A3", dos=D,
                       lines=(("97140", ("GO",), 2, 140.0), ("97110", ("GO",), 2, 136.0))))
    tie = [("97140", 20), ("97110", 20)]
    write_clinical(services.conn, documents=[note(a, D, minutes=tie) for a in ("A1001", "A2", "A3")])
    assert findings(services, "TIE-A", "eight-minute-units") == []
    assert findings(services, "TIE-B", "eight-minute-units") == []
    [both] = findings(services, "BOTH", "eight-minute-units")
    assert both.severity == "error" and "40 timed min" in both.message and "= 3 units" in both.message


def test_an_unbilled_code_the_minutes_support_is_a_warning_unless_another_claim_bills_it(services) -> None:
    write(services.conn, claim_record("PART", dos=D, lines=(("97530", ("GO",), 2, 150.0),)),
          claim_record("REST", account="A2", dos=D, lines=(("97530", ("GO",), 2, 150.0),)),
          claim_record("REST-2", account="A2", dos=D, lines=(("97110", ("GO",), 1, 68.0),)))
    both = [("97530", 30), ("97110", 15)]
    write_clinical(services.conn, documents=[note("A1001", D, minutes=both), note("A2", D, minutes=both)])
    [under] = findings(services, "PART", "eight-minute-units")
    assert under.severity == "warning" and under.line is None and "97110: 0 units billed" in under.message
    assert findings(services, "REST", "eight-minute-units") == []


def test_an_add_on_without_its_base_is_left_to_the_add_on_rule(services) -> None:
    # 97129 15 + 97130 8: 2 units of one service; the claim dropped 97129 and bills 97130 once.
    write(services.conn, claim_record("ORPHAN", dos=D, lines=(("97130", ("GO",), 1, 58.0),)),
          claim_record("OVER", account="A2", dos=D, lines=(("97130", ("GO",), 3, 174.0),)))
    minutes = [("97129", 15), ("97130", 8)]
    write_clinical(services.conn, documents=[note("A1001", D, minutes=minutes), note("A2", D, minutes=minutes)])
    assert findings(services, "ORPHAN", "eight-minute-units") == []
    assert [f.rule for f in findings(services, "ORPHAN") if f.severity == "error"] == ["add-on-without-base"]
    [over] = findings(services, "OVER", "eight-minute-units")
    assert over.severity == "error" and "97130: 3 units billed, the minutes support 2" in over.message


# --------------------------------------------------------------------------- progress reports


def test_treatment_days_before_the_claims_on_file_are_counted_from_the_notes(services) -> None:
    # The episode began in August; its claims here start in September (an older year was not
    # imported), but its daily notes are on file: September 15 is treatment day 12.
    earlier = [date(2026, 8, d) for d in (3, 5, 7, 10, 12, 14, 17, 19)]
    billed = [date(2026, 9, d) for d in (1, 3, 15)]
    write(services.conn, *[claim_record(f"S{i}", dos=d) for i, d in enumerate(billed)])
    write_clinical(services.conn,
                   plans=[PlanOfCareRecord("A1001", date(2026, 8, 3), date(2026, 10, 30),
                                           certified_date=date(2026, 8, 5))],
                   documents=[note("A1001", d) for d in earlier + billed])
    [f] = findings(services, "S2", "progress-report")
    assert "treatment day 11 since the start of the episode (2026-08-03)" in f.message


# --------------------------------------------------------------------------- plan of care


def test_an_uncertified_plan_past_its_30_days_covers_none_of_its_services(services) -> None:
    write(services.conn, claim_record("EARLY", dos=date(2026, 8, 4)),
          claim_record("RECENT", account="A2", dos=date(2026, 11, 10)))
    write_clinical(services.conn, plans=[PlanOfCareRecord("A1001", date(2026, 8, 3), date(2026, 10, 30)),
                                         PlanOfCareRecord("A2", date(2026, 11, 9), date(2027, 1, 30))])
    [early] = findings(services, "EARLY", "plan-of-care")  # today is past 2026-09-02
    assert early.severity == "error" and "not certified within 30 days (due 2026-09-02)" in early.message
    [recent] = findings(services, "RECENT", "plan-of-care")  # still time to sign
    assert recent.severity == "info" and "due by 2026-12-09" in recent.message


# --------------------------------------------------------------------------- authorizations


def test_visits_only_the_notes_show_use_the_authorization(services) -> None:
    # 10 visits approved from August 3; 8 were seen before the claims here begin: the third
    # claim is visit 11. The source capped `used` at what was approved.
    earlier = [date(2026, 8, d) for d in (3, 5, 7, 10, 12, 14, 17, 19)]
    billed = [date(2026, 9, d) for d in (1, 3, 8)]
    write(services.conn, *[claim_record(f"V{i}", payer="Aetna", dos=d, prior_auth="AU1")
                           for i, d in enumerate(billed)])
    write_clinical(services.conn, documents=[note("A1001", d) for d in earlier],
                   authorizations=[AuthorizationRecord("A1001", "AU1", 10, date(2026, 8, 3),
                                                       date(2026, 12, 31), payer_name="Aetna", used=10)])
    [used_up] = findings(services, "V2", "authorization")
    assert used_up.severity == "error" and "visit 11 of 10" in used_up.message


def test_units_used_later_are_not_counted_before_they_happen(services) -> None:
    write(services.conn, *[claim_record(f"U{i}", payer="Aetna", dos=date(2026, 9, d), prior_auth="U1")
                           for i, d in enumerate((1, 8, 15))])  # 3 units each
    write_clinical(services.conn, authorizations=[AuthorizationRecord(
        "A1001", "U1", 12, date(2026, 9, 1), date(2026, 12, 31), unit_kind="units", payer_name="Aetna", used=9)])
    ctx = load_context(services.conn, "U0", TODAY)
    assert ctx.auth_status(date(2026, 9, 1)).used == 3  # the 6 units of later visits come later
    assert load_context(services.conn, "U2", TODAY).auth_status(date(2026, 9, 15)).used == 9


def test_heads_ups_about_an_authorization_are_notes_on_its_latest_claim(services) -> None:
    write(services.conn, *[claim_record(f"H{i}", payer="Aetna", dos=TODAY - timedelta(days=d), prior_auth="H1")
                           for i, d in enumerate((20, 10))])
    write_clinical(services.conn, authorizations=[AuthorizationRecord(
        "A1001", "H1", 12, date(2026, 10, 1), TODAY + timedelta(days=7), payer_name="Aetna")])
    assert findings(services, "H0", "authorization") == []
    [ends] = findings(services, "H1", "authorization")
    assert ends.severity == "info" and "with 10 visits unused" in ends.message


# --------------------------------------------------------------------------- KX


def _priced_year(services, account: str, dollars: int, *, start: date = date(2026, 3, 2)) -> None:  # type: ignore[no-untyped-def]
    """Claims of a Medicare patient whose OT lines were allowed `dollars` in all, $100 a visit."""
    claims = [claim_record(f"{account}-P{i}", account=account, dos=start + timedelta(days=i),
                           lines=(("97530", ("GO",), 2, 150.0),)) for i in range(dollars // 100)]
    write(services.conn, *claims)
    for claim in claims:
        post_remit(services.conn, claim.claim_id, [("CO", "45", 50.0, 1)], paid={1: 80.0}, allowed={1: 100.0},
                   remit_date=start + timedelta(days=40))


def test_kx_counts_claims_billed_and_denied_and_judges_the_day_as_a_whole(services) -> None:
    # $2,300 allowed, then a $150 claim denied for the progress report: the practice billed it
    # and counts it. The next visit's two lines ($150 + $75 at full charge) cross $2,480 on the day.
    _priced_year(services, "A1001", 2300)
    write(services.conn, claim_record("DENIED", dos=date(2026, 6, 1), lines=(("97530", ("GO",), 2, 150.0),)),
          claim_record("KX-DAY", dos=date(2026, 6, 3),
                       lines=(("97530", ("GO", "KX"), 2, 150.0), ("97110", ("GO", "KX"), 1, 75.0))))
    post_denial(services.conn, "DENIED", "CO", "50", 150.0, remarks=["M127"], remit_date=date(2026, 6, 20))
    kx = [f for f in findings(services, "KX-DAY", "kx-threshold") if f.severity != "info"]
    assert kx == []  # line 1 alone stays at $2,400 (its allowed rate), but the day passes $2,480


def test_kx_below_the_threshold_is_still_caught_on_the_upper_bound(services) -> None:
    _priced_year(services, "A1001", 1000)
    write(services.conn, claim_record("EARLY", dos=date(2026, 6, 3), lines=(("97530", ("GO", "KX"), 2, 150.0),)))
    [early] = findings(services, "EARLY", "kx-threshold")
    assert early.severity == "warning" and "at most $1,150.00 of $2,480.00 through 2026-06-03" in early.message


def test_the_same_service_billed_twice_counts_once(services) -> None:
    _priced_year(services, "A1001", 2400)
    write(services.conn, claim_record("ORIG", dos=date(2026, 6, 1), lines=(("97530", ("GO",), 2, 150.0),)),
          claim_record("FIXED", dos=date(2026, 6, 1), lines=(("97530", ("GO",), 2, 150.0),), frequency="7"),
          claim_record("NEXT", dos=date(2026, 6, 5), lines=(("97110", ("GO", "KX"), 1, 75.0),)))
    # $2,400, then June 1 once ($100 at the patient's rate for 2 units of 97530): $2,500 before
    # NEXT; counted twice it would be $2,600.
    kx = findings(services, "NEXT", "kx-threshold")
    assert [f.severity for f in kx] == []
    ctx = load_context(services.conn, "NEXT", TODAY)
    assert ctx.ytd_ot_lines[0].cumulative_cents == 2400_00 + 100_00 + 75_00 * 100 // 150


def test_visits_only_the_notes_show_make_the_year_an_estimate(services) -> None:
    # Earlier visits of the year are on file only as notes (their claims were not imported):
    # the amount on the claims here is no upper bound, and KX cannot be called early.
    _priced_year(services, "A1001", 500, start=date(2026, 5, 4))
    earlier = [date(2026, 1, 5) + timedelta(days=7 * i) for i in range(16)]
    write_clinical(services.conn, documents=[note("A1001", d, minutes=[("97530", 30)]) for d in earlier])
    write(services.conn, claim_record("LATER", dos=date(2026, 6, 3), lines=(("97530", ("GO", "KX"), 2, 150.0),)))
    kx = findings(services, "LATER", "kx-threshold")
    assert not any("below the threshold" in f.message for f in kx)
    # 16 days x 2 units x $50 = $1,600 more: $500 + $1,600 + $100 = $2,200 estimated, no KX needed yet
    assert not any("KX needed" in f.message for f in kx)


# --------------------------------------------------------------------------- timely filing


def test_a_claim_sent_in_time_and_unanswered_is_noted_until_the_limit_passes(services) -> None:
    write(services.conn,
          claim_record("NEAR", payer="Aetna", dos=TODAY - timedelta(days=80), submitted=TODAY - timedelta(days=78)),
          claim_record("PAST", account="A2", payer="Aetna", dos=TODAY - timedelta(days=100),
                       submitted=TODAY - timedelta(days=98)))
    [near] = findings(services, "NEAR", "timely-filing")  # Aetna here: 90 days
    assert near.severity == "info" and "in 10 days (no remittance yet)" in near.message
    assert "277CA" in (near.fix or "")
    [past] = findings(services, "PAST", "timely-filing")
    assert past.severity == "error" and "proof of timely filing" in (past.fix or "")
