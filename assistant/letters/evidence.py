"""What an appeal needs from the record, what the record holds, and what is missing.

A letter template names the evidence it needs (`evidence = [...]` in its header); each
need is checked here against the claim's notes, plans of care, authorizations and
coverages. A gap says what is missing; a *blocking* gap is one that makes the appeal fail
as it stands, and names the better action. The rules each check applies are cited from
the fact sheet (sections 4, 5, 6.2, 7).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any

from assistant.domain import Action, Assessment, ClaimView, DocType, Finding, PayerKind, UnitRule
from assistant.errors import ConfigError
from assistant.letters.choice import appeal_letters
from assistant.rules.codes import carc, ncci_modifiers, rarc, setting, writes_off
from assistant.storage.appeals import AppealView, appeals_for_claim, denial_notice
from assistant.storage.claims import note_minutes
from assistant.storage.clinical import (
    AuthorizationView,
    CoverageView,
    DocumentStub,
    HistoryLine,
    PlanOfCareView,
    authorizations,
    coverages,
    document_stubs,
    history_lines,
    plans_of_care,
)
from assistant.storage.documents import DocumentView, documents_for_claim

# How a treatment note says two services were in separate time blocks (fact sheet 5.1, S41).
DISTINCT_WORDS = ("separate", "distinct", "followed by", "then ", "different", "after ", "before ",
                  "time block", "block")


def _progress_report_every() -> int:
    """Fact sheet 4: a progress report at least every 10 treatment days (rules' thresholds.toml)."""
    return int(setting("progress_report", "every_treatment_days"))


def _certify_within_days() -> int:
    """Fact sheet 4: the plan certified within 30 days of the first treatment (thresholds.toml)."""
    return int(setting("plan_of_care", "certify_within_days"))


@dataclass(frozen=True)
class Gap:
    need: str
    message: str
    blocking: bool = False
    instead: Action | None = None  # the better action when the gap blocks the appeal

    def as_dict(self) -> dict[str, Any]:
        return {"need": self.need, "message": self.message, "blocking": self.blocking,
                "instead": self.instead.value if self.instead else None}


@dataclass(frozen=True)
class Evidence:
    """What the record holds for one claim."""

    documents: tuple[DocumentView, ...]
    service_dates: tuple[date, ...]
    plans: tuple[PlanOfCareView, ...]
    plan: PlanOfCareView | None  # in effect on the first service date
    progress_report: DocumentView | None  # latest progress report / re-evaluation by the last service date
    treatment_days_since_report: int | None
    authorization: AuthorizationView | None
    authorization_use: dict[date, float] = field(default_factory=dict)  # running count per service date
    minutes: dict[tuple[str, str], int] = field(default_factory=dict)  # (ISO date, code) -> minutes
    coverages: tuple[CoverageView, ...] = ()
    appeals: tuple[AppealView, ...] = ()
    denial_date: date | None = None

    def notes_on(self, day: date) -> list[DocumentView]:
        return [d for d in self.documents if d.doc_date == day and d.doc_type is DocType.DAILY_NOTE]


def _service_dates(view: ClaimView) -> tuple[date, ...]:
    days = {line.service_date or view.dos_from for line in view.lines}
    return tuple(sorted(days or {view.dos_from}))


def _covers(plan: PlanOfCareView, day: date) -> bool:
    return plan.start_date <= day <= plan.end_date


def _plan_in_effect(plans: Sequence[PlanOfCareView], day: date) -> PlanOfCareView | None:
    covering = [p for p in plans if _covers(p, day)]
    if covering:
        return max(covering, key=lambda p: p.start_date)
    started = [p for p in plans if p.start_date <= day]
    return max(started, key=lambda p: p.start_date) if started else None


def _authorization(view: ClaimView, auths: Sequence[AuthorizationView],
                   dates: Sequence[date]) -> AuthorizationView | None:
    codes = {line.code for line in view.lines}
    fitting = [
        a for a in auths
        if (a.payer_pk in (None, view.payer.pk))
        and all(a.covers(d) for d in dates)
        and (not a.codes or codes & set(a.codes))
    ]
    if fitting:
        return max(fitting, key=lambda a: a.start_date)
    number = (view.prior_auth or "").strip()
    return next((a for a in auths if number and a.number == number), None)


def _treated_on(history: Sequence[HistoryLine], stubs: Sequence[DocumentStub]) -> list[date]:
    """Days the patient was treated: a daily note or a billed line (voided claims aside)."""
    days = {h.service_date for h in history if h.frequency_code != "8"}
    days |= {d.doc_date for d in stubs if d.doc_type is DocType.DAILY_NOTE}
    return sorted(days)


def _treatment_days_since(treated: Sequence[date], documents: Sequence[DocumentView],
                          plan: PlanOfCareView | None, report: DocumentView | None,
                          last: date) -> int | None:
    """Treatment days through `last` since the latest progress report (or the episode's start).

    Fact sheet 4: a progress report at least every 10 treatment days, day 1 being the
    first day of the episode (S28 p.200); the report's own day is covered by it.
    """
    if report is not None and (plan is None or report.doc_date >= plan.start_date):
        return len([d for d in treated if report.doc_date < d <= last])
    starts = [d.doc_date for d in documents if d.doc_type is DocType.EVALUATION and d.doc_date <= last]
    if plan is not None:
        starts.append(plan.start_date)
    if not starts:
        return None
    start = min(starts) if plan is None else max(starts)
    return len([d for d in treated if start <= d <= last])


def _authorization_use(view: ClaimView, auth: AuthorizationView, history: Sequence[HistoryLine],
                       last: date) -> dict[date, float]:
    """Running count of the authorization's visits (or units) per billed day through `last`."""
    billed: dict[date, float] = {}
    for h in history:
        if (h.payer_pk == view.payer.pk and h.frequency_code != "8"
                and auth.start_date <= h.service_date <= last and (not auth.codes or h.code in auth.codes)):
            billed[h.service_date] = billed.get(h.service_date, 0.0) + h.units
    use, running = {}, 0.0
    for day in sorted(billed):
        running += 1 if auth.unit_kind == "visits" else billed[day]
        use[day] = running
    return use


def gather(conn: sqlite3.Connection, view: ClaimView) -> Evidence:
    dates = _service_dates(view)
    documents = tuple(documents_for_claim(conn, view.patient.pk, view.dos_from, view.dos_to))
    patient = [view.patient.pk]
    history = history_lines(conn, patient)[view.patient.pk]
    plans = tuple(plans_of_care(conn, patient)[view.patient.pk])
    plan = _plan_in_effect(plans, dates[0])
    reports = [d for d in documents if d.doc_type in (DocType.PROGRESS_REPORT, DocType.RE_EVALUATION)
               and d.doc_date <= dates[-1]]
    progress = max(reports, key=lambda d: (d.doc_date, d.pk)) if reports else None
    treated = _treated_on(history, document_stubs(conn, patient)[view.patient.pk])
    auth = _authorization(view, authorizations(conn, patient)[view.patient.pk], dates)
    denial_date, _ = denial_notice(conn, view.pk)
    return Evidence(
        documents=documents,
        service_dates=dates,
        plans=plans,
        plan=plan,
        progress_report=progress,
        treatment_days_since_report=_treatment_days_since(treated, documents, plan, progress, dates[-1]),
        authorization=auth,
        authorization_use=_authorization_use(view, auth, history, dates[-1]) if auth else {},
        minutes=note_minutes(conn, view.patient.pk, view.dos_from, view.dos_to),
        coverages=tuple(coverages(conn, patient)[view.patient.pk]),
        appeals=tuple(appeals_for_claim(conn, view.pk)),
        denial_date=denial_date or view.last_remit_date,
    )


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class Situation:
    """What the checks need besides the record: the claim, and knowledge from the rules."""

    view: ClaimView
    is_timed: Callable[[str], bool]
    timely_filing_days: int | None = None
    findings: tuple[Finding, ...] = ()
    unit_rule: UnitRule | None = None
    supported_units: Callable[[Mapping[str, int]], int | None] = lambda _minutes: None
    needs: frozenset[str] = frozenset()  # what the letter asks for (set by gaps_for)

    @property
    def medicare(self) -> bool:
        return self.view.payer.kind is PayerKind.MEDICARE

    @property
    def correction(self) -> Action:
        """Fact sheet 7.4: Medicare Part B cannot take a replacement claim; it reopens."""
        return Action.REOPENING if self.medicare else Action.RESUBMIT_CORRECTED


Check = Callable[[Evidence, Situation], list[Gap]]


def _d(day: date) -> str:
    return f"{day:%m/%d/%Y}"


def _notes(ev: Evidence, s: Situation) -> list[Gap]:
    if ev.documents:
        return []
    return [Gap("notes", "no therapy notes are on file for this claim's episode; an appeal without the "
                "record will fail: import the notes (`ar-assistant import notes`) before sending",
                blocking=True, instead=Action.SEND_RECORDS)]


def _daily_note(ev: Evidence, s: Situation) -> list[Gap]:
    if not ev.documents:
        return []
    missing = [d for d in ev.service_dates if not ev.notes_on(d)]
    if not missing:
        return []
    days = ", ".join(_d(d) for d in missing)
    return [Gap("daily_note", f"no treatment note on file for {days}: a service without its note is not "
                "payable on appeal (fact sheet 4, S29); find the signed note, or write the line off",
                blocking=True, instead=Action.SEND_RECORDS)]


def _plan_of_care(ev: Evidence, s: Situation) -> list[Gap]:
    first, last = ev.service_dates[0], ev.service_dates[-1]
    if ev.plan is None:
        return [Gap("plan_of_care", f"no plan of care on file covers {_d(first)}"
                    + (": Medicare pays therapy only under a plan of care (fact sheet 4, S28 p.177); "
                       "obtain the plan and its certification before appealing" if s.medicare else
                       "; attach the plan of care with its goals"),
                    blocking=s.medicare)]
    if not _covers(ev.plan, last):
        return [Gap("plan_of_care", f"the plan of care ended {_d(ev.plan.end_date)}, before {_d(last)}: "
                    "a recertification must cover the later dates (fact sheet 4, S28 p.181)",
                    blocking=s.medicare)]
    if not ev.plan.goals:
        return [Gap("plan_of_care", "the plan of care on file lists no goals; the payer looks for "
                    "measurable functional goals (fact sheet 4, S28 p.177)")]
    return []


def _certification(ev: Evidence, s: Situation) -> list[Gap]:
    plan = ev.plan
    if plan is None:
        return []
    if plan.certified_date is None:
        return [Gap("certification", "the plan of care is not certified (no physician/NPP signature "
                    "date on file); Medicare accepts a delayed certification with the reason for the "
                    "delay (fact sheet 4, S28 p.182): obtain it, then appeal",
                    blocking=s.medicare)]
    late = (plan.certified_date - plan.start_date).days
    if late > _certify_within_days():
        return [Gap("certification", f"the plan of care was certified {late} days after it started "
                    f"(due within {_certify_within_days()}); state the reason for the delayed "
                    "certification in the letter (fact sheet 4, S28 p.181-182)")]
    return []


def _progress_report(ev: Evidence, s: Situation) -> list[Gap]:
    days = ev.treatment_days_since_report
    every = _progress_report_every()
    if ev.progress_report is None and (days is None or days > every):
        return [Gap("progress_report", "no progress report on file for this period; the payer looks for "
                    "progress toward each goal (fact sheet 4, S28 p.195)")]
    if days is not None and days > every:
        since = _d(ev.progress_report.doc_date) if ev.progress_report else "the start of care"
        return [Gap("progress_report", f"{days} treatment days since the last progress report "
                    f"({since}); Medicare requires one at least every {every} "
                    "treatment days (fact sheet 4, S28 p.200)")]
    return []


def _line_minutes(ev: Evidence, s: Situation) -> list[tuple[int, str, date, int | None]]:
    rows = []
    for line in s.view.lines:
        if not s.is_timed(line.code):
            continue
        day = line.service_date or s.view.dos_from
        minutes = line.minutes if line.minutes is not None else ev.minutes.get((day.isoformat(), line.code))
        rows.append((line.line_no, line.code, day, minutes))
    return rows


def _minutes(ev: Evidence, s: Situation) -> list[Gap]:
    missing = [(no, code) for no, code, _, minutes in _line_minutes(ev, s) if minutes is None]
    if not missing:
        return []
    lines = ", ".join(f"line {no} ({code})" for no, code in missing)
    return [Gap("minutes", f"no treatment minutes recorded for the timed {lines}; without minutes per "
                "code the units cannot be shown (fact sheet 3 and 4, S29): add them from the note",
                blocking=True, instead=Action.SEND_RECORDS)]


def _authorization_check(ev: Evidence, s: Situation) -> list[Gap]:
    auth = ev.authorization
    if auth is None:
        return [Gap("authorization", "no authorization on file covers the service dates; the appeal "
                    "will fail unless the payer grants a retro-authorization: request one, or write "
                    "the claim off (fact sheet 6.2, CARC 197)",
                    blocking=True, instead=Action.REQUEST_AUTH)]
    over = [d for d in ev.service_dates if ev.authorization_use.get(d, 0) > auth.approved]
    if over:
        count = ev.authorization_use[over[0]]
        return [Gap("authorization", f"authorization {auth.number} approved {auth.approved} "
                    f"{auth.unit_kind}; {_d(over[0])} was number {count:g}: ask the payer to extend the "
                    "authorization before appealing (fact sheet 6.2, CARC 198)",
                    blocking=True, instead=Action.REQUEST_AUTH)]
    return []


def _timely_submission(ev: Evidence, s: Situation) -> list[Gap]:
    view = s.view
    if s.medicare and any(a.code == "29" for a in view.all_adjustments):
        return [Gap("timely_submission", "Medicare does not hear appeals of timely-filing denials (an "
                    "untimely claim is not an initial determination, fact sheet 6.2 CARC 29): write it "
                    "off unless you hold proof it was filed in time, then ask for a reopening",
                    blocking=True, instead=Action.WRITE_OFF)]
    if view.submitted_date is None:
        return [Gap("timely_submission", "no submission date on file: attach the clearinghouse "
                    "acceptance report (999/277CA) that proves timely submission, or the appeal will fail",
                    blocking=True, instead=Action.WRITE_OFF)]
    if s.timely_filing_days is not None:
        age = (view.submitted_date - view.dos_from).days
        if age > s.timely_filing_days:
            return [Gap("timely_submission", f"first submitted {age} days after the service, past the "
                        f"payer's {s.timely_filing_days}-day limit: only proof of an earlier submission "
                        "or a good-cause exception can win; otherwise write it off",
                        blocking=True, instead=Action.WRITE_OFF)]
    return []


def _other_coverage(ev: Evidence, s: Situation) -> list[Gap]:
    others = [c for c in ev.coverages if c.payer_pk != s.view.payer.pk]
    if others:
        return []
    return [Gap("other_coverage", "no other coverage on file for the patient: confirm with the patient "
                "which plan is primary (coordination-of-benefits questionnaire) before appealing",
                instead=Action.VERIFY_ELIGIBILITY)]


def _medicare_number(ev: Evidence, s: Situation) -> list[Gap]:
    if s.view.member_id or s.view.patient.member_id:
        return []
    return [Gap("medicare_number", "no Medicare number on file; a redetermination request must carry "
                "it (42 CFR 405.944, fact sheet 7.1 S67)", blocking=True)]


def _prior_decision(ev: Evidence, s: Situation) -> list[Gap]:
    decided = [a for a in ev.appeals if a.outcome in ("lost", "partly_won")]
    if decided:
        return []
    return [Gap("prior_decision", "no earlier appeal decision is on file; a reconsideration names the "
                "redetermination decision and its date (fact sheet 7.1, S66): record it with "
                "`ar-assistant appeal-decided`")]


def _distinct_time(ev: Evidence, s: Situation) -> list[Gap]:
    gaps: list[Gap] = []
    denied = [line for line in s.view.lines if any(_denies(a.group, a.code, a.amount_cents)
                                                   for a in line.adjustments)]
    unmodified = [line for line in denied if not ncci_modifiers() & set(line.modifiers)]
    if unmodified:
        lines = ", ".join(f"line {line.line_no} ({line.code})" for line in unmodified)
        verb = "carries" if len(unmodified) == 1 else "carry"
        gaps.append(Gap("distinct_time", f"{lines} {verb} no 59/X modifier: if the services were in "
                        "separate time blocks, the better action is a corrected claim with the modifier "
                        "(fact sheet 5 and 7.4)", blocking=True, instead=s.correction))
    notes = [d for day in ev.service_dates for d in ev.notes_on(day)]
    if notes and not any(word in d.text.lower() for d in notes for word in DISTINCT_WORDS):
        gaps.append(Gap("distinct_time", "the treatment note does not say the services were performed in "
                        "separate time blocks; 59/X is valid only then (fact sheet 5.1, S41): add the "
                        "therapist's time-stamped statement before appealing"))
    return gaps


def _denies(group: str, code: str, amount_cents: int) -> bool:
    """A denial, not a contractual write-off (CO-45, CO-253) or the patient's share."""
    return amount_cents > 0 and group != "PR" and not writes_off(group, code)


def _other_than_appeal(actions: Sequence[Action]) -> Action | None:
    return next((a for a in actions if a is not Action.APPEAL), None)


def appealability(view: ClaimView, assessment: Assessment) -> list[Gap]:
    """Why this denial should not be appealed at all, with the better action.

    A code the payer gives no appeal rights for (MA130; CO-29 at Medicare), or a claim whose
    only adjustments are contractual (CO-45 is the contract, not a denial), blocks; when the
    rules recommend something else first (a duplicate: wait for the original), it is said.
    """
    kind = view.payer.kind
    adjustments = list(view.all_adjustments)
    denials = [a for a in adjustments if _denies(a.group, a.code, a.amount_cents)]
    better = next((a.action for a in assessment.actions
                   if a.action not in (Action.APPEAL, Action.REOPENING)), None)
    gaps: list[Gap] = []
    for code in dict.fromkeys(a.code for a in denials):
        info = carc(code)
        if info is not None and not info.appealable_for(kind):
            where = f" at {kind.value.replace('_', ' ')}" if kind in info.not_appealable_for else ""
            gaps.append(Gap("appealable", f"CARC {code} ({info.meaning}) cannot be appealed{where}: "
                            f"{info.notes or info.advice}", blocking=True,
                            instead=better or _other_than_appeal(info.actions)))
    for code in dict.fromkeys(view.all_remarks):
        remark = rarc(code)
        if remark is not None and remark.appealable is False:
            gaps.append(Gap("appealable", f"remark {code} ({remark.meaning}): the denial carries no "
                            "appeal rights", blocking=True,
                            instead=better or _other_than_appeal(remark.actions)))
    if not denials and any(writes_off(a.group, a.code) and a.amount_cents > 0 for a in adjustments):
        gaps.append(Gap("appealable", "the claim holds only contractual adjustments (such as CO-45), "
                        "which are the contract, not a denial: write them off, or dispute an "
                        "underpayment (allowed below the contract rate) as a payment dispute",
                        blocking=True, instead=Action.WRITE_OFF))
    if not gaps and denials and assessment.actions and better is not None and not any(
            a.action in (Action.APPEAL, Action.REOPENING) for a in assessment.actions):
        first = assessment.actions[0]
        gaps.append(Gap("appealable", f"the rules recommend {first.action.value.replace('_', ' ')}, "
                        f"not an appeal: {first.reason}", instead=first.action))
    return gaps


def _threshold_modifier(ev: Evidence, s: Situation) -> list[Gap]:
    """Fact sheet 2.2: Medicare's CARC 119 above the therapy threshold means KX was missing."""
    if not s.medicare:
        return []
    missing = [line for line in s.view.lines
               if any(a.code == "119" for a in line.adjustments) and "KX" not in line.modifiers]
    if not missing:
        return []
    lines = ", ".join(f"line {line.line_no} ({line.code})" for line in missing)
    return [Gap("threshold_modifier", f"{lines} has no KX modifier: above the annual therapy threshold "
                "Medicare pays only with KX; when the record supports the need, the better action is a "
                "reopening that adds KX (fact sheet 2.2 and 6.2, CARC 119)",
                blocking=True, instead=Action.REOPENING)]


@cache
def _check_policy() -> tuple[frozenset[str], dict[str, str]]:
    data = appeal_letters()["claim_checks"]
    return frozenset(data["correctable"]), dict(data["covered"])


def _findings(ev: Evidence, s: Situation) -> list[Gap]:
    """Claim check errors (the rules' findings), weighed for an appeal.

    A billing error (units, modifiers, codes, diagnoses) blocks: a claim billed wrong is
    corrected, not appealed. A finding about evidence this letter checks itself (plan of
    care, progress report, authorization ...) is left to that check; any other error is
    listed so the biller sees it before sending.
    """
    correctable, covered = _check_policy()
    gaps = []
    for f in s.findings:
        if f.severity != "error" or covered.get(f.rule) in s.needs:
            continue
        text = f"claim check {f.rule}: {f.message}" + (f" ({f.fix})" if f.fix else "")
        if f.rule in correctable:
            gaps.append(Gap("claim_check", text, blocking=True, instead=s.correction))
        else:
            gaps.append(Gap("claim_check", text))
    return gaps


CHECKS: dict[str, Check] = {
    "notes": _notes,
    "daily_note": _daily_note,
    "plan_of_care": _plan_of_care,
    "certification": _certification,
    "progress_report": _progress_report,
    "minutes": _minutes,
    "authorization": _authorization_check,
    "timely_submission": _timely_submission,
    "other_coverage": _other_coverage,
    "medicare_number": _medicare_number,
    "prior_decision": _prior_decision,
    "distinct_time": _distinct_time,
    "threshold_modifier": _threshold_modifier,
    "claim_checks": _findings,
}


def gaps_for(needs: Sequence[str], ev: Evidence, situation: Situation,
             template: str = "template") -> list[Gap]:
    """The gaps for what a template needs, blocking ones first."""
    unknown = [n for n in needs if n not in CHECKS]
    if unknown:
        raise ConfigError(f"template {template}: unknown evidence {', '.join(unknown)}; "
                          f"known: {', '.join(CHECKS)}")
    situation = replace(situation, needs=frozenset(needs))
    gaps = [gap for need in dict.fromkeys(needs) for gap in CHECKS[need](ev, situation)]
    return sorted(gaps, key=lambda g: not g.blocking)
