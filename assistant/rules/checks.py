"""OT claim checks: one function per named rule, each yielding findings {rule, severity, line, message, fix}.

They read only the `ClaimContext`, so the same checks scrub a claim before it is sent (an
837 not yet imported) and explain a denial afterwards. Every rule cites the fact it applies.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import cache
from typing import Any

from assistant.domain import DocType, Finding, LineView, PayerKind, PayerStatus
from assistant.money import fmt
from assistant.rules.codes import (
    carc,
    cpt,
    kx_threshold,
    load_data,
    ncci_modifiers,
    ncci_pairs,
    rarc,
    setting,
)
from assistant.rules.context import ClaimContext, is_assistant
from assistant.rules.icd10 import CodeStatus, code_table, compact, dotted
from assistant.rules.units import units_for

ERROR, WARNING, INFO = "error", "warning", "info"
# Medicare's therapy modifiers and documentation rules are facts for Medicare Part B (fact sheet
# 2.1, 4); these kinds usually follow them, so a miss there is a warning, not an error (D).
FOLLOW_MEDICARE_MODIFIERS = frozenset({PayerKind.MEDICARE_ADVANTAGE, PayerKind.MEDICAID})
FOLLOW_MEDICARE_DOCUMENTATION = frozenset({PayerKind.MEDICARE_ADVANTAGE})
Check = Callable[[ClaimContext], Iterator[Finding]]


def _day(ctx: ClaimContext, line: LineView) -> date:
    return line.service_date or ctx.claim.dos_from


def _lines_by_day(ctx: ClaimContext) -> dict[date, list[LineView]]:
    by_day: dict[date, list[LineView]] = defaultdict(list)
    for line in ctx.claim.lines:
        by_day[_day(ctx, line)].append(line)
    return dict(sorted(by_day.items()))


def _n(units: float) -> str:
    return f"{units:g}"


def _units(units: float) -> str:
    return f"{units:g} unit{'' if units == 1 else 's'}"


# --------------------------------------------------------------------------- units


def eight_minute_units(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `eight-minute-units`: billed units against the minutes, under the payer's unit rule.

    CMS total time (fact sheet 3.1-3.3) or per code (3.4); only for days where every timed
    line's minutes are known. The day's total takes every timed code the notes record, billed
    or not: a code that earned no unit still adds its minutes (3.2). Where equal leftovers
    compete for the last unit, either choice is accepted (3.3). Untimed codes bill 1 unit (0.3).
    """
    for day, lines in _lines_by_day(ctx).items():
        for line in lines:
            info = cpt(line.code)
            if info is not None and not info.timed and line.units > 1 and info.kind != "unlisted":
                yield Finding("eight-minute-units", WARNING, f"{line.code} is untimed: it bills 1 unit "
                              f"per session, {_n(line.units)} billed", line.line_no,
                              f"bill 1 unit of {line.code}")
        timed = [ln for ln in lines if (i := cpt(ln.code)) is not None and i.timed]
        if not timed or any(ln.minutes is None for ln in timed):
            continue
        yield from _judge_units(ctx, day, timed)


def _judge_units(ctx: ClaimContext, day: date, timed: list[LineView]) -> Iterator[Finding]:
    rule = ctx.payer.unit_rule
    minutes: dict[str, int] = defaultdict(int)
    billed: dict[str, float] = defaultdict(float)
    first_line: dict[str, int] = {}
    for ln in timed:
        minutes[ln.code] += ln.minutes or 0
        billed[ln.code] += ln.units
        first_line.setdefault(ln.code, ln.line_no)
    # Timed codes the notes record that this claim does not bill, with what other claims bill.
    elsewhere = _billed_elsewhere(ctx, day)
    for code, noted in ctx.day_minutes.get(day, {}).items():
        if code not in minutes and (info := cpt(code)) is not None and info.timed:
            minutes[code] = noted
            billed[code] = elsewhere.get(code, 0.0)
    result = units_for(minutes, rule)
    # An add-on billed without its base: judge the service as a whole on the add-on's line, for
    # units over what it supports (rule `add-on-without-base` says to bill the base's unit).
    present = {code for code, n in billed.items() if n}
    orphans = {code: base for code in first_line if (info := cpt(code)) is not None and info.is_add_on
               for base in info.add_on_of[:1] if not present & set(info.add_on_of)}

    def fold(units: dict[str, int] | dict[str, float]) -> dict[str, float]:
        out = {code: float(n) for code, n in units.items()}
        for add_on, base in orphans.items():
            out[add_on] = out.get(add_on, 0.0) + out.pop(base, 0.0)
        return out

    got_by_code = fold(billed)
    choices = [fold(units) for units in result.alternatives or (result.units,)]
    codes = sorted(set(got_by_code) | {c for units in choices for c in units},
                   key=lambda c: first_line.get(c, 999))
    want_by_code = min(choices, key=lambda units: sum(abs(got_by_code.get(c, 0.0) - units.get(c, 0.0))
                                                     for c in codes))
    basis = (f"{result.total_minutes} timed min on {day} = {_units(result.total_units)} under "
             f"{'CMS total time' if rule.value == 'cms' else 'the per-code rule'}")
    for code in codes:
        want = int(want_by_code.get(code, 0))
        got = got_by_code.get(code, 0.0)
        on_claim = code in first_line
        if got > want and on_claim:
            yield Finding("eight-minute-units", ERROR,
                          f"{code}: {_units(got)} billed, the minutes support {want} ({basis})",
                          first_line[code], f"bill {_units(want)} of {code}"
                          if want else f"remove {code}: its minutes do not reach a unit")
        elif got < want and code not in orphans and (on_claim or code not in elsewhere):
            yield Finding("eight-minute-units", WARNING,
                          f"{code}: {_units(got)} billed, the minutes support {want} ({basis})",
                          first_line.get(code), f"bill {_units(want)} of {code} if the notes support it")


def _billed_elsewhere(ctx: ClaimContext, day: date) -> dict[str, float]:
    """Units per code the patient's other claims (voids aside) bill for the day."""
    out: dict[str, float] = defaultdict(float)
    for h in ctx.history:
        if h.service_date == day and h.claim_pk != ctx.claim.pk and h.frequency_code != "8":
            out[h.code] += h.units
    return out


def timed_code_one_line(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `timed-code-one-line`: Medicare wants each timed code once per day on one line (R11, S05)."""
    if not ctx.is_medicare:
        return
    for day, lines in _lines_by_day(ctx).items():
        seen: dict[str, int] = {}
        for line in lines:
            info = cpt(line.code)
            if info is None or not info.timed:
                continue
            if line.code in seen:
                yield Finding("timed-code-one-line", ERROR,
                              f"{line.code} is on lines {seen[line.code]} and {line.line_no} for {day}: "
                              "Medicare rejects a timed code split over lines", line.line_no,
                              f"put all {line.code} units for {day} on line {seen[line.code]}")
            else:
                seen[line.code] = line.line_no


# --------------------------------------------------------------------------- modifiers and codes


def discipline_modifier(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `discipline-modifier`: GO on every Medicare OT line; GP/GN do not belong on an OT claim (2.1)."""
    if not ctx.is_ot_claim:
        return
    go_elsewhere = any("GO" in line.modifiers for line in ctx.claim.lines)
    for line in ctx.claim.lines:
        info = cpt(line.code)
        mods = set(line.modifiers)
        wrong = sorted(mods & {"GP", "GN"})
        if wrong:
            yield Finding("discipline-modifier", ERROR,
                          f"{line.code} carries {'/'.join(wrong)} (PT/SLP plan of care) on an OT claim",
                          line.line_no, f"replace {'/'.join(wrong)} with GO")
        elif info is not None and "GO" not in mods:
            if ctx.is_medicare:
                yield Finding("discipline-modifier", ERROR,
                              f"GO missing on {line.code}: Medicare wants GO on every OT line",
                              line.line_no, "add GO")
            elif ctx.payer.kind in FOLLOW_MEDICARE_MODIFIERS or go_elsewhere:
                why = ("the other lines carry it" if go_elsewhere
                       else f"{ctx.payer.label} plans usually follow Medicare")
                yield Finding("discipline-modifier", WARNING, f"GO missing on {line.code}: {why}",
                              line.line_no, "add GO")
        if info is not None and info.discipline == "PT":
            yield Finding("discipline-modifier", WARNING, f"{line.code} is a PT code on an OT claim",
                          line.line_no,
                          f"use the OT code ({'97168' if info.kind == 're_evaluation' else '97165-97167'})")


def assistant_modifier(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `assistant-modifier`: CO when an OTA furnished the service, Medicare, from 2020-01-01 (2.3).

    An OTA is seen as the line's rendering credential or as the author of that day's note.
    """
    severe = _documentation_severity(ctx)
    if severe is None:
        return
    start = setting("assistant", "co_required_from")
    for line in ctx.claim.lines:
        day = _day(ctx, line)
        if day < start or "CO" in line.modifiers or cpt(line.code) is None:
            continue
        by_ota = is_assistant(line.rendering_credential)
        note_by_ota = any(is_assistant(n.author_credential) for n in ctx.notes_on(day))
        if by_ota or note_by_ota:
            who = "the rendering provider is an OTA" if by_ota else f"the note of {day} is by an OTA"
            yield Finding("assistant-modifier", severe,
                          f"CO missing on {line.code}: {who} (required when an OTA furnishes more "
                          "than 10% of the service; paid at 85%)", line.line_no,
                          "add CO next to GO, unless the OT alone furnished the billed minutes")


def kx_threshold_check(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `kx-threshold`: KX once the year's OT allowed amount passes the threshold; not below it (2.2).

    The year's amount counts every claim billed, denied ones too (their lines estimated until
    priced): the practice decides on KX from what it billed, and a denial may yet be overturned.
    """
    if not ctx.is_medicare or not ctx.is_ot_claim:
        return
    ytd = ctx.ytd_ot_lines
    if not ytd:
        return
    year = ytd[0].service_date.year
    threshold = kx_threshold(year)
    if threshold is None:
        yield Finding("kx-threshold", INFO, f"no Medicare OT threshold on file for {year}: KX not checked",
                      None, f"add the {year} figure to thresholds.toml")
        return
    by_no = {line.line_no: line for line in ctx.claim.lines}
    # Which line of a day "crosses" is only the order lines are listed in: KX on any line of a
    # day whose services take the patient past the threshold is fair (its upper bound at day end).
    day_upper = {item.service_date: item.upper_cents for item in ytd if item.complete}
    crossed_review = False
    for item in ytd:
        line = by_no[item.line_no]
        has_kx = "KX" in line.modifiers
        amount = fmt(item.cumulative_cents)
        estimate = (" (estimated from charges where not yet priced, and from the notes of days not "
                    "billed here)" if not item.complete else
                    " (estimated from charges where not yet priced)" if item.estimated else "")
        if item.cumulative_cents > threshold.ot_cents and not has_kx:
            yield Finding("kx-threshold", WARNING if item.estimated else ERROR,
                          f"KX needed on {line.code}: the patient's {year} OT allowed amount reaches "
                          f"{amount}{estimate}, above the {fmt(threshold.ot_cents)} threshold",
                          line.line_no, "add KX if the therapy is medically necessary and documented; "
                          "otherwise bill with an ABN and GA instead")
        elif has_kx and item.service_date in day_upper and day_upper[item.service_date] <= threshold.ot_cents:
            # Judged on the upper bound (unpriced and denied lines at full charge), never a guess.
            yield Finding("kx-threshold", WARNING,
                          f"KX used on {line.code} below the threshold: the patient's {year} OT "
                          f"allowed amount is at most {fmt(day_upper[item.service_date])} of "
                          f"{fmt(threshold.ot_cents)} through {item.service_date}",
                          line.line_no, "remove KX: using it before the threshold is considered abusive")
        if not crossed_review and item.cumulative_cents > threshold.review_cents:
            crossed_review = True
            yield Finding("kx-threshold", INFO,
                          f"the patient's {year} OT allowed amount passes {fmt(threshold.review_cents)} "
                          f"({amount}): claims are open to targeted medical review", line.line_no,
                          "keep the plan of care, progress reports and daily notes complete")


def add_on_without_base(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `add-on-without-base`: 97130 needs 97129, 97551 needs 97550, on the same day (1.2, N122)."""
    for day, lines in _lines_by_day(ctx).items():
        codes = {line.code for line in lines}
        for line in lines:
            info = cpt(line.code)
            if info is not None and info.is_add_on and not codes & set(info.add_on_of):
                base = " or ".join(info.add_on_of)
                yield Finding("add-on-without-base", ERROR,
                              f"{line.code} is an add-on billed without {base} on {day}: it denies "
                              "alone (N122)", line.line_no,
                              f"bill {base} for the first unit and {line.code} for the rest")


def medicare_invalid_code(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `medicare-invalid-code`: codes Medicare does not accept, e.g. 97014 -> G0283 (1.2, S49)."""
    if not ctx.is_medicare:
        return
    for line in ctx.claim.lines:
        info = cpt(line.code)
        if info is not None and info.medicare_status == "I":
            instead = f"bill {info.medicare_replacement} instead" if info.medicare_replacement else \
                "use a code Medicare accepts"
            yield Finding("medicare-invalid-code", ERROR,
                          f"{line.code} is not valid for Medicare ({info.description.lower()})",
                          line.line_no, instead)


def medicare_bundled_code(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `medicare-bundled-code`: 97010 has status B at Medicare, never paid separately (1.2, S48)."""
    if not ctx.is_medicare:
        return
    for line in ctx.claim.lines:
        info = cpt(line.code)
        if info is not None and info.medicare_status == "B":
            yield Finding("medicare-bundled-code", WARNING,
                          f"{line.code} is bundled at Medicare (status B): never paid separately, and "
                          "the patient cannot be billed for it", line.line_no,
                          f"leave {line.code} off the claim (or expect CO-B15 and write it off)")


def ncci_pair(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `ncci-pair`: confirmed NCCI pairs on one day need 59/X on the column-2 line (section 5)."""
    allowed = ncci_modifiers()
    severity = ERROR if ctx.is_medicare else WARNING
    for day, lines in _lines_by_day(ctx).items():
        codes = {line.code for line in lines}
        for pair in ncci_pairs():
            if pair.setting != "practitioner" or pair.indicator is None or not pair.in_force(day):
                continue
            col1 = sorted(codes & pair.column1)
            if not col1:
                continue
            for line in lines:
                if line.code not in pair.column2:
                    continue
                has_mod = bool(allowed & set(line.modifiers))
                other = ", ".join(col1)
                if pair.indicator == 0:
                    yield Finding("ncci-pair", severity,
                                  f"{line.code} with {other} on {day}: NCCI pair with indicator 0, never "
                                  "payable together", line.line_no, f"remove {line.code}")
                elif not has_mod:
                    on_col1 = [ln.line_no for ln in lines
                               if ln.code in pair.column1 and allowed & set(ln.modifiers)]
                    where = (f" (the modifier is on line {on_col1[0]}; it belongs on the column-2 line)"
                             if on_col1 else "")
                    yield Finding("ncci-pair", severity,
                                  f"{line.code} with {other} on {day} without 59/X: NCCI pays only {other}"
                                  f"{where}", line.line_no,
                                  f"if the services were separate and distinct ({pair.note.split(';')[0]}), "
                                  f"add 59 or XE/XS/XP/XU to the {line.code} line; otherwise remove it")


# --------------------------------------------------------------------------- documentation


def _documentation_severity(ctx: ClaimContext) -> str | None:
    """Error at Medicare, warning where the payer usually follows it, None elsewhere."""
    if ctx.is_medicare:
        return ERROR
    return WARNING if ctx.payer.kind in FOLLOW_MEDICARE_DOCUMENTATION else None


def plan_of_care(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `plan-of-care`: Medicare certification within 30 days, and no service after it lapses (4).

    A certification covers the plan or 90 days from its start, whichever is less, or until the
    recertification date when one is set. An evaluation-only visit needs no plan (S28 p.199).
    """
    severe = _documentation_severity(ctx)
    if severe is None or not ctx.claim.lines:
        return
    if all((i := cpt(line.code)) is not None and i.kind == "evaluation" for line in ctx.claim.lines):
        return
    within = int(setting("plan_of_care", "certify_within_days"))
    max_days = int(setting("plan_of_care", "max_certified_days"))
    for day in ctx.service_dates:
        plan = ctx.plan_for(day)
        if plan is None:
            if ctx.tracks_plans:
                yield Finding("plan-of-care", WARNING, f"no plan of care on file for the service on {day}",
                              None, "import the plan of care (with its certification) or check the chart")
            continue
        due = plan.start_date + timedelta(days=within)
        if plan.certified_date is None:
            # Past the 30 days, no service under the plan is covered, the first ones included.
            if ctx.today > due:
                yield Finding("plan-of-care", severe,
                              f"plan of care of {plan.start_date} not certified within 30 days (due "
                              f"{due}); service on {day}", None,
                              "get the physician/NPP's dated signature, with the reason for the delay "
                              "(or the 2025 exception: signed order + plan sent within 30 days)")
            else:
                yield Finding("plan-of-care", INFO,
                              f"plan of care of {plan.start_date} not certified yet: due by {due}", None,
                              "send the plan to the physician/NPP for signature")
        elif plan.certified_date > due:
            yield Finding("plan-of-care", WARNING,
                          f"plan of care of {plan.start_date} certified late ({plan.certified_date}, "
                          f"due {due}): a delayed certification needs its reason documented", None,
                          "keep the documented reason for the delay with the plan")
        ends = min(plan.end_date, plan.start_date + timedelta(days=max_days))
        if plan.recert_due is not None:
            ends = min(ends, plan.recert_due)
        if day > ends:
            yield Finding("plan-of-care", severe,
                          f"service on {day} after the plan of care's certification ended ({ends}); "
                          "no recertified plan on file", None,
                          "recertify the plan (physician/NPP signature) and import it")


def progress_report(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `progress-report`: Medicare wants an OT's progress report at least every 10 treatment days (4).

    Day 1 is the first day of the episode; a report by an OTA does not count.
    """
    severe = _documentation_severity(ctx)
    if severe is None:
        return
    every = int(setting("progress_report", "every_treatment_days"))
    for day in ctx.service_dates:
        start = ctx.episode_start(day)
        if start is None:
            continue
        reports = [d for d in ctx.documents_of(DocType.PROGRESS_REPORT, DocType.RE_EVALUATION, until=day)
                   if d.doc_date >= start]
        valid = [d for d in reports if not is_assistant(d.author_credential)]
        since = valid[-1].doc_date if valid else None
        days = [d for d in ctx.treatment_days if start <= d <= day and (since is None or d > since)]
        if len(days) > every:
            last = f"the last progress report ({since})" if since else f"the start of the episode ({start})"
            by_ota = " (a report by an OTA does not count)" if len(reports) > len(valid) else ""
            yield Finding("progress-report", severe,
                          f"progress report overdue: {day} is treatment day {len(days)} since {last}; "
                          f"one is due at least every {every} treatment days{by_ota}", None,
                          "have the OT write the progress report, dated, before billing further visits")


# --------------------------------------------------------------------------- authorization


def authorization(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `authorization`: missing, expired or used up; a note when it is about to run out or end."""
    if not ctx.auth_relevant:
        return
    warn_days = int(setting("warnings", "authorization_days_left"))
    for day in ctx.service_dates:
        status = ctx.auth_status(day)
        auth = status.auth
        if status.problem == "missing":
            severity = WARNING
            yield Finding("authorization", severity,
                          f"no authorization on file for the service on {day} ({ctx.payer.label} "
                          "plans usually require one)", None,
                          "check whether the plan needs one; request it (or a retro-authorization)")
        elif status.problem == "not_on_file" and ctx.tracks_authorizations:
            yield Finding("authorization", WARNING,
                          f"authorization {ctx.claim.prior_auth} on the claim is not on file", None,
                          "import the authorization or check the number")
        elif status.problem == "expired" and status.expired is not None:
            e = status.expired
            yield Finding("authorization", ERROR,
                          f"authorization {e.number} expired on {e.end_date}; service on {day}", None,
                          "request an extension or a new authorization covering the date")
        elif status.problem == "not_started":
            yield Finding("authorization", ERROR,
                          f"no authorization covers {day}: the one on file starts later", None,
                          "request a retro-authorization for the date")
        elif auth is not None:
            if status.problem == "used_up":
                yield Finding("authorization", ERROR,
                              f"authorization {auth.number} used up: this is {auth.unit_kind[:-1]} "
                              f"{status.used} of {auth.approved} approved ({auth.start_date} to "
                              f"{auth.end_date})", None,
                              "request more visits (retro-authorization) before billing this one")
            # Heads-ups about the visits to come, not errors of this claim: said on the latest
            # claim under the authorization only.
            latest = ctx.last_day_under(auth) <= day
            if status.problem == "running_out" and auth.end_date >= ctx.today and latest:
                yield Finding("authorization", INFO,
                              f"authorization {auth.number} about to run out: {status.remaining} of "
                              f"{auth.approved} {auth.unit_kind} left after {day}", None,
                              "request an extension now, before the last authorized visits are used")
            if (ctx.today <= auth.end_date <= ctx.today + timedelta(days=warn_days)
                    and status.remaining > 0 and latest):
                yield Finding("authorization", INFO,
                              f"authorization {auth.number} ends {auth.end_date} with {status.remaining} "
                              f"{auth.unit_kind} unused", None, "request an extension if care continues")
            if not ctx.claim.prior_auth and not ctx.is_medicare:
                yield Finding("authorization", WARNING,
                              f"the claim does not carry authorization number {auth.number}", None,
                              f"add {auth.number} to the claim (REF*G1)")


def timely_filing(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `timely-filing`: a claim sent late, or not sent, unanswered or denied near its filing limit (7.3).

    A claim sent in time met the limit if the payer received it: near the limit while no
    answer has come, a note to confirm receipt; past it, an error (proof of timely filing).
    """
    claim = ctx.claim
    if claim.payer_status not in (PayerStatus.SUBMITTED, PayerStatus.DENIED) or claim.balance_cents <= 0:
        return
    if claim.work_status.value in ("written_off", "closed"):
        return
    deadline = ctx.timely_filing_deadline
    if claim.submitted_date is not None and claim.submitted_date > deadline:
        yield Finding("timely-filing", ERROR,
                      f"sent {claim.submitted_date}, after the timely filing limit of {deadline}", None,
                      "find proof of an earlier submission (clearinghouse acceptance report)")
        return
    left = (deadline - ctx.today).days
    warn = int(setting("warnings", "timely_filing_days_left"))
    state = ("not sent yet" if claim.submitted_date is None and claim.payer_status is PayerStatus.SUBMITTED
             else "no remittance yet" if claim.payer_status is PayerStatus.SUBMITTED else "denied")
    adjudicated = claim.payer_status is PayerStatus.DENIED and not any(
        a.code == "29" for a in claim.all_adjustments)
    if left < 0 and adjudicated:
        # The payer received and decided it, so the filing limit was met; what the date
        # still changes is whether a corrected claim would be taken as a new submission.
        yield Finding("timely-filing", INFO,
                      f"timely filing ended {deadline}: the payer decided this claim in time, but a "
                      "corrected claim may now be refused as late", None,
                      "prefer an appeal (or reopening) over a corrected claim")
    elif left < 0:
        yield Finding("timely-filing", ERROR,
                      f"timely filing ended {deadline} ({-left} days ago; {state})", None,
                      "find proof of timely filing (clearinghouse acceptance report) before anything else")
    elif left <= warn:
        # Sent in time, the limit is met once the payer has it: until it passes, a note to
        # confirm receipt (the worklist's no-answer follow-up carries the deadline).
        sent = claim.submitted_date is not None and claim.payer_status is PayerStatus.SUBMITTED
        yield Finding("timely-filing", INFO if sent else WARNING,
                      f"timely filing ends {deadline}, in {left} days ({state})", None,
                      "confirm the payer received it (claim status, or the clearinghouse's accepted "
                      "277CA), so a lost claim can be sent again in time" if sent
                      else "send a clean claim before then")


_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$")


def icd10_format(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `icd10-format`: ICD-10-CM codes billable, pointed at, and a sequela never first (837P HI).

    Billable: in the ICD-10-CM code set (data/icd10cm.toml), to its last character; a category
    or a code without its 7th character is not (CARC 16/146). A code set holds from October 1:
    for services before the table's period an unknown or split code is a warning, not an error.
    """
    dx = ctx.claim.diagnoses
    if not dx:
        yield Finding("icd10-format", ERROR, "no diagnosis on the claim", None, "add the ICD-10-CM codes")
        return
    for i, code in enumerate(dx, 1):
        text = code.strip().upper()
        if not _ICD10.match(text) or (len(text.replace(".", "")) > 3 and "." in text
                                       and text.index(".") != 3):
            yield Finding("icd10-format", ERROR, f"diagnosis {i} ({code!r}) is not a well-formed "
                          "ICD-10-CM code", None, "use a letter, a digit, then up to 5 letters/digits "
                          "(e.g. M62.81, sent as M6281)")
        else:
            yield from _billable(ctx, i, text)
    compact = dx[0].replace(".", "").upper()
    if len(compact) == 7 and compact.endswith("S"):
        yield Finding("icd10-format", ERROR, f"diagnosis 1 ({dx[0]}) is a sequela code and cannot be first",
                      None, "put the condition treated first")
    if len({d.replace('.', '').upper() for d in dx}) < len(dx):
        yield Finding("icd10-format", WARNING, "a diagnosis is listed twice", None, "remove the duplicate")
    for line in ctx.claim.lines:
        bad = [p for p in line.dx_pointers if not 1 <= p <= len(dx)]
        if not line.dx_pointers:
            yield Finding("icd10-format", ERROR, f"{line.code} points at no diagnosis", line.line_no,
                          "point the line at its diagnosis (SV107)")
        elif bad:
            yield Finding("icd10-format", ERROR, f"{line.code} points at diagnosis "
                          f"{', '.join(map(str, bad))}, but the claim has {len(dx)}", line.line_no,
                          "fix the diagnosis pointer")


def _billable(ctx: ClaimContext, i: int, code: str) -> Iterator[Finding]:
    table = code_table()
    status = table.status(code)
    if status is CodeStatus.BILLABLE:
        return
    day = ctx.service_dates[0]
    # A split category stays split in later code sets; before the table's period it may not have been.
    later = status is CodeStatus.HEADER and day > table.effective_through
    severity = ERROR if table.in_force(day) or later else WARNING
    if status is CodeStatus.HEADER:
        more = table.completions(code)
        examples = ", ".join(dotted(c) for c in more[:3]) + (" ..." if len(more) > 3 else "")
        if all(len(c) == 7 for c in more) and len(compact(code)) < 7:
            yield Finding("icd10-format", severity,
                          f"diagnosis {i} ({dotted(code)}) is without its 7th character: not billable "
                          f"({examples})", None,
                          "add the 7th character from the chart (A initial, D subsequent, S sequela), "
                          "with X placeholders before it in a short code")
        else:
            yield Finding("icd10-format", severity,
                          f"diagnosis {i} ({dotted(code)}) is a category, not a billable code: it has "
                          f"subcodes ({examples})", None, "use the full code the chart supports")
        return
    placeholder = _with_placeholder(compact(code))
    fixed = dotted(placeholder) if placeholder and table.status(placeholder) is CodeStatus.BILLABLE else None
    hint = f"; with its X placeholder it would be {fixed}" if fixed else ""
    period = (f"{table.release}" if severity == ERROR
              else f"{table.release}: check it was valid on {day}")
    yield Finding("icd10-format", severity,
                  f"diagnosis {i} ({dotted(code)}) is not an ICD-10-CM code ({period}){hint}", None,
                  f"send {fixed}" if fixed else "correct the code from the chart")


def _with_placeholder(code: str) -> str | None:
    """'S6290A' -> 'S6290XA': a 7th character written without the X placeholders before it."""
    if len(code) >= 7 or not code[-1].isalpha():
        return None
    return code[:-1].ljust(6, "X") + code[-1]


def duplicate_claim(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `duplicate-claim`: the same services for the same day already went to this payer (CARC 18)."""
    if ctx.claim.frequency_code in ("7", "8") or not ctx.earlier_duplicates:
        return
    others = ", ".join(ctx.earlier_duplicates)
    yield Finding("duplicate-claim", WARNING,
                  f"the same services on the same day are already on claim {others} to "
                  f"{ctx.claim.payer.name}: a duplicate denies (CO-18)", None,
                  "do not send it; to change the first claim, send a corrected claim (or a reopening at "
                  "Medicare)")


def replacement_claim(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `replacement-claim`: no frequency 7/8 at Medicare Part B (S71); elsewhere it needs REF*F8."""
    freq = ctx.claim.frequency_code
    if freq not in ("7", "8"):
        return
    kind = "replacement" if freq == "7" else "void"
    if not ctx.payer.replacement_claims:
        yield Finding("replacement-claim", ERROR,
                      f"{ctx.payer.label} does not take a {kind} claim (frequency {freq})", None,
                      "ask for a reopening to correct a processed claim; send a new claim (frequency 1) "
                      "if the original was rejected as unprocessable")
    elif not ctx.claim.payer_claim_number:
        yield Finding("replacement-claim", ERROR,
                      f"a {kind} claim (frequency {freq}) needs the payer's claim number of the original",
                      None, "add REF*F8 with the payer claim number (CLP07 of the remittance)")


# --------------------------------------------------------------------------- coordination of benefits


@cache
def _cob_rule(name: str) -> dict[str, Any]:
    rule: dict[str, Any] = load_data("cob_checks.toml")["rule"][name]
    return rule


def _order(priority: int) -> str:
    return {1: "primary", 2: "secondary", 3: "tertiary"}.get(priority, f"payer no. {priority}")


def prior_payer_missing(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `prior-payer-missing`: a claim to a secondary (SBR01 S, T ...) carries each earlier
    payer's adjudication in a 2320 loop (AMT*D, CAS); without it the secondary denies CO-22 with
    MA04/N479 (`data/cob_checks.toml`). Only for claims whose source carries the loops (837P)."""
    claim = ctx.claim
    if claim.coverage_priority <= 1 or ctx.other_payers is None or claim.frequency_code == "8":
        return
    rule = _cob_rule("prior-payer-missing")
    known = {o.priority: o for o in ctx.other_payers if o.priority < claim.coverage_priority}
    denial = f"CO-{rule['denial_carc']}"
    info = carc(rule["denial_carc"])
    remarks = "/".join(rule["denial_rarcs"])
    meaning = rarc(rule["denial_rarcs"][0])
    why = (f"{claim.payer.name} denies it ({denial}{': ' + info.meaning if info else ''}; "
           f"{remarks}{': ' + meaning.meaning if meaning else ''})")
    for place in range(1, claim.coverage_priority):
        other = known.get(place)
        if other is None:
            yield Finding("prior-payer-missing", rule["severity"],
                          f"a claim to the {_order(claim.coverage_priority)} payer names no "
                          f"{_order(place)} payer (2320 loop with SBR01 {'PSTABCDEFGH'[place - 1]}): "
                          f"{why}", None,
                          f"add the {_order(place)} payer's 2320/2330B loops with its adjudication from "
                          "its remittance (AMT*D paid, CAS adjustments, DTP*573 date)")
        elif not other.adjudicated_claim:
            yield Finding("prior-payer-missing", rule["severity"],
                          f"the {_order(place)} payer {other.payer_name} is named without its "
                          f"adjudication (no AMT*D paid amount, CAS or 2430 results): {why}", None,
                          f"add {other.payer_name}'s paid amount (AMT*D), adjustments (CAS) and "
                          "adjudication date (DTP*573) from its remittance")


def prior_payer_paid_total(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `prior-payer-paid-total`: an earlier payer's paid amount on the claim (2320 AMT*D)
    is the sum of what it paid on the lines (its 2430 SVD02)."""
    for other in ctx.other_payers or ():
        if other.paid_cents is None or not other.lines:
            continue
        on_lines = sum(ln.paid_cents for ln in other.lines)
        if on_lines != other.paid_cents:
            yield Finding("prior-payer-paid-total", _cob_rule("prior-payer-paid-total")["severity"],
                          f"{other.payer_name} ({_order(other.priority)}) paid {fmt(other.paid_cents)} "
                          f"on the claim (AMT*D) but {fmt(on_lines)} on its lines (2430 SVD02)", None,
                          f"copy {other.payer_name}'s paid amounts from its remittance: AMT*D is the sum "
                          "of the line payments")


def prior_payer_line_balance(ctx: ClaimContext) -> Iterator[Finding]:
    """Rule `prior-payer-line-balance`: per earlier payer, a line's charge (SV102) is what that
    payer paid on it (SVD02) plus its 2430 CAS adjustments."""
    charges = {line.line_no: line.charge_cents for line in ctx.claim.lines}
    for other in ctx.other_payers or ():
        for ln in other.lines:
            charge = charges.get(ln.line_no)
            accounted = ln.paid_cents + sum(a.amount_cents for a in ln.adjustments)
            if charge is not None and accounted != charge:
                yield Finding("prior-payer-line-balance", _cob_rule("prior-payer-line-balance")["severity"],
                              f"line {ln.line_no}: {other.payer_name} paid {fmt(ln.paid_cents)} and adjusted "
                              f"{fmt(accounted - ln.paid_cents)}, not the line's charge {fmt(charge)}",
                              ln.line_no,
                              f"copy the line's payment and CAS adjustments from {other.payer_name}'s "
                              "remittance so they add up to the charge")


CHECKS: dict[str, Check] = {
    "eight-minute-units": eight_minute_units,
    "timed-code-one-line": timed_code_one_line,
    "discipline-modifier": discipline_modifier,
    "assistant-modifier": assistant_modifier,
    "kx-threshold": kx_threshold_check,
    "add-on-without-base": add_on_without_base,
    "medicare-invalid-code": medicare_invalid_code,
    "medicare-bundled-code": medicare_bundled_code,
    "ncci-pair": ncci_pair,
    "plan-of-care": plan_of_care,
    "progress-report": progress_report,
    "authorization": authorization,
    "timely-filing": timely_filing,
    "icd10-format": icd10_format,
    "replacement-claim": replacement_claim,
    "duplicate-claim": duplicate_claim,
    "prior-payer-missing": prior_payer_missing,
    "prior-payer-paid-total": prior_payer_paid_total,
    "prior-payer-line-balance": prior_payer_line_balance,
}

_SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


def check_claim(ctx: ClaimContext) -> list[Finding]:
    """Every named rule on one claim; errors first, then by line."""
    # A claim-level finding repeated for each date of service is said once.
    findings = list(dict.fromkeys(f for check in CHECKS.values() for f in check(ctx)))
    return sorted(findings, key=lambda f: (_SEVERITY_ORDER[f.severity], f.line or 0))

