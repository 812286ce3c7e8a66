"""From a claim's context and findings to its category and ranked next actions, through the playbook.

`situation` turns the claim into what the playbook matches on (status, the main denial, the
facts) and the words its reasons are filled with; `next_actions` applies the rules, works
out each action's deadline, level and letter template, and guards three facts no playbook
edit may break: Medicare Part B takes no replacement claim (S71), a decision without
appeal rights (CO-29 at Medicare, MA130, N211 ...) gets no appeal, and a filing after its
own deadline is refused, so an action whose deadline has passed is never offered first (the
playbook's [[late]] rules say what to offer in its place).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.domain import (
    CLOSED_WORK_STATUSES,
    Action,
    AdjustmentView,
    AppealStatus,
    Category,
    DocType,
    Finding,
    NextAction,
    PayerStatus,
    WorkStatus,
)
from assistant.money import fmt
from assistant.rules.codes import (
    amount_in_controversy,
    carc,
    cpt,
    kx_threshold,
    ncci_modifiers,
    rarc,
    writes_off,
)
from assistant.rules.context import AuthStatus, ClaimContext
from assistant.rules.deadlines import (
    appeal_deadline,
    corrected_claim_deadline,
    good_cause_reopening_deadline,
    reopening_deadline,
)
from assistant.rules.playbook import Playbook, PlaybookAction, PlaybookRule

FIXABLE_RULES = frozenset({
    "eight-minute-units", "timed-code-one-line", "discipline-modifier", "assistant-modifier",
    "kx-threshold", "add-on-without-base", "medicare-invalid-code", "ncci-pair", "icd10-format",
    "replacement-claim",
})
DOCUMENTATION_RULES = frozenset({"plan-of-care", "progress-report"})
_DEFAULT_DEADLINE = {
    Action.APPEAL: "appeal", Action.REOPENING: "reopening",
    Action.RESUBMIT_CORRECTED: "corrected_claim", Action.NEW_CLAIM: "timely_filing",
    Action.REQUEST_AUTH: "timely_filing", Action.SEND_RECORDS: "appeal",
}
_MISSED_WHAT = {
    "timely_filing": "the timely filing limit", "reopening": "the reopening year",
    "reopening_good_cause": "the good-cause reopening limit", "corrected_claim": "the corrected-claim window",
}


def label(adj: AdjustmentView) -> str:
    return f"{adj.group}-{adj.code}"


@dataclass(frozen=True)
class Situation:
    """What the playbook matches a claim on, and the words its reasons are filled with."""

    status: str
    category: Category | None
    main: AdjustmentView | None
    codes: tuple[str, ...]
    carcs: frozenset[str]
    group_codes: frozenset[str]
    rarcs: tuple[str, ...]
    facts: frozenset[str]
    words: dict[str, str]
    next_level: int
    appealable: bool
    # The first day after today on which a window closes (timely filing, reopening, appeal), and
    # on which a wait runs out (no answer to a claim, an appeal, a crossover, a won appeal's payment).
    window_turn: date | None = None
    wait_turn: date | None = None


def _status(ctx: ClaimContext) -> str:
    claim = ctx.claim
    if claim.work_status in CLOSED_WORK_STATUSES:
        return "closed"
    if claim.payer_status is PayerStatus.SUBMITTED:
        if claim.submitted_date is None and claim.last_remit_date is None:
            return "unsubmitted"
        return "submitted"
    return claim.payer_status.value


def _main(adjustments: Sequence[AdjustmentView]) -> tuple[AdjustmentView | None, list[AdjustmentView],
                                                          list[AdjustmentView]]:
    """The adjustment that explains the claim: the largest denial, else the largest patient share."""
    totals: dict[tuple[str, str], int] = {}
    for a in adjustments:
        totals[(a.group, a.code)] = totals.get((a.group, a.code), 0) + a.amount_cents
    merged = [AdjustmentView(g, c, amount) for (g, c), amount in totals.items() if amount > 0]
    denials = [a for a in merged if a.group != "PR" and not writes_off(a.group, a.code)]
    patient = [a for a in merged if a.group == "PR"]
    for tier in (denials, patient):
        if tier:
            return max(tier, key=lambda a: a.amount_cents), denials, patient
    return None, denials, patient


def _category(main: AdjustmentView | None, rarcs: Sequence[str]) -> Category | None:
    remark_category = next((info.category for code in rarcs
                            if (info := rarc(code)) is not None and info.category is not None), None)
    if main is None:
        return None
    reason = carc(main.code)
    if reason is None:
        return remark_category
    if reason.generic and remark_category is not None:
        return remark_category
    return reason.category


def _auth_status(ctx: ClaimContext, category: Category | None) -> AuthStatus | None:
    if not ctx.auth_relevant and category is not Category.AUTHORIZATION:
        return None
    statuses = [ctx.auth_status(day) for day in ctx.service_dates]
    return next((s for s in statuses if s.problem in ("used_up", "expired", "not_started", "missing",
                                                      "not_on_file")), statuses[0])


def _next_level(ctx: ClaimContext) -> int:
    """The appeal level to file next: one above an appeal lost, else the level on file, else 1."""
    last = ctx.last_appeal
    if last is not None and last.status is AppealStatus.DECIDED and last.outcome in ("lost", "partly_won"):
        return last.level + 1
    return last.level if last is not None else 1


def _notice(ctx: ClaimContext, level: int) -> date | None:
    """The notice appeal `level` counts from: the remittance for level 1, else the decision of
    the level below as the appeals on file record it."""
    if level <= 1:
        return ctx.claim.last_remit_date
    decided = [a.decided_date for a in ctx.appeals if a.level == level - 1 and a.decided_date is not None]
    return max(decided) if decided else None


def _appeal_text(ctx: ClaimContext) -> str:
    last = ctx.last_appeal
    if last is None:
        return "no appeal on file"
    window = ctx.payer.appeal_level(last.level)
    name = window.name if window else f"level {last.level} appeal"
    text = f"Appeal level {last.level} ({name})"
    if last.status is AppealStatus.DECIDED:
        return text + (f" decided {last.decided_date}" if last.decided_date else " decided") + \
            (f" ({last.outcome.replace('_', ' ')})" if last.outcome else "")
    if last.status is AppealStatus.SENT:
        return text + (f" sent {last.sent_date}" if last.sent_date else " sent")
    return text + f" drafted {last.drafted_date}, not sent"


def _decision_due(ctx: ClaimContext, playbook: Playbook) -> date | None:
    """When the decision on the appeal sent is due: the level's decision time when known
    (Medicare, S65/S74), else the playbook's appeal_response_days."""
    last = ctx.last_appeal
    if last is None or last.status is not AppealStatus.SENT or last.sent_date is None:
        return None
    window = ctx.payer.appeal_level(last.level)
    days = (window.decision_days if window and window.decision_days
            else playbook.days_to_decide(ctx.payer.kind))
    return last.sent_date + timedelta(days=days)


def _minutes_on_file(ctx: ClaimContext) -> bool:
    timed = [line for line in ctx.claim.lines if (info := cpt(line.code)) is not None and info.timed]
    return bool(timed) and all(line.minutes is not None for line in timed)


def _documents_text(ctx: ClaimContext) -> str:
    until = ctx.claim.dos_to
    counts = []
    for doc_type, name in ((DocType.PLAN_OF_CARE, "plan of care"), (DocType.EVALUATION, "evaluation"),
                           (DocType.RE_EVALUATION, "re-evaluation"),
                           (DocType.PROGRESS_REPORT, "progress report"), (DocType.DAILY_NOTE, "daily note")):
        n = len(ctx.documents_of(doc_type, until=until))
        if doc_type is DocType.PLAN_OF_CARE and not n and ctx.plan_for(ctx.claim.dos_from):
            n = 1
        if n:
            counts.append(f"{n} {name}s" if n > 1 else f"1 {name}")
    return ", ".join(counts) + " on file" if counts else "no notes on file"


def situation(ctx: ClaimContext, findings: Sequence[Finding], playbook: Playbook) -> Situation:
    claim = ctx.claim
    adjustments = claim.all_adjustments
    rarcs = claim.all_remarks
    main, denials, patient = _main(adjustments)
    category = _category(main, rarcs)
    status = _status(ctx)
    today = ctx.today
    facts: set[str] = set()

    def fact(name: str, value: object) -> None:
        if value:
            facts.add(name)

    errors = [f for f in findings if f.severity == "error"]
    fixable = [f for f in errors if f.rule in FIXABLE_RULES and f.fix]
    kx_lines = ctx.ytd_ot_lines
    threshold = kx_threshold(kx_lines[0].service_date.year) if kx_lines else None
    kx_needed = bool(threshold and kx_lines and kx_lines[-1].cumulative_cents > threshold.ot_cents)
    auth = _auth_status(ctx, category)
    plan = ctx.plan_for(claim.dos_from)
    since = (today - claim.submitted_date).days if claim.submitted_date else None
    tf_deadline = ctx.timely_filing_deadline
    remit = claim.last_remit_date
    reopen_by = reopening_deadline(remit, ctx.payer) if remit else None
    level = _next_level(ctx)
    notice = _notice(ctx, level)
    appeal_by = appeal_deadline(level, notice, ctx.payer) if notice else None
    ncci = ncci_modifiers()
    last = ctx.last_appeal
    wait_days = playbook.days_to_wait(ctx.payer.kind)
    decision_due = _decision_due(ctx, playbook)
    won = (last is not None and last.status is AppealStatus.DECIDED and last.outcome == "won"
           and (remit is None or last.decided_date is None or remit <= last.decided_date))
    won_wait_ends = (last.decided_date + timedelta(days=wait_days)
                     if won and last is not None and last.decided_date else None)
    aic = amount_in_controversy(today.year, level) if ctx.is_medicare else None
    quiet_ends = remit + timedelta(days=wait_days) if remit is not None else None

    fact("has_denial", denials)
    fact("balance_due", claim.balance_cents > 0)
    fact("patient_balance",
         claim.patient_due_cents > 0 and claim.work_status is not WorkStatus.PATIENT_BILLING)
    fact("patient_billed", claim.work_status is WorkStatus.PATIENT_BILLING)
    fact("has_secondary", ctx.secondary)
    fact("is_secondary_claim", claim.coverage_priority > 1)
    fact("in_processing", status == "submitted" and since is not None and since <= wait_days)
    fact("no_response", status == "submitted" and since is not None and since > wait_days)
    fact("appeal_pending", last is not None and last.status is AppealStatus.SENT)
    fact("appeal_overdue", decision_due is not None and today > decision_due)
    fact("appeal_won", won)
    fact("appeal_won_overdue", won_wait_ends is not None and today > won_wait_ends)
    fact("below_aic", aic is not None and claim.balance_cents < aic)
    fact("quiet_since_remit", quiet_ends is not None and today > quiet_ends)
    fact("appeal_lost", last is not None and last.status is AppealStatus.DECIDED
         and last.outcome in ("lost", "partly_won"))
    fact("awaiting_correction", claim.work_status is WorkStatus.CORRECTED_RESUBMITTED)
    fact("auth_on_file", auth is not None and auth.auth is not None and auth.problem != "used_up")
    fact("auth_used_up", auth is not None and auth.problem == "used_up")
    fact("auth_expired", auth is not None and auth.problem in ("expired", "not_started"))
    fact("auth_missing", auth is not None and auth.problem in ("missing", "not_on_file"))
    fact("auth_number_missing", auth is not None and auth.auth is not None and not claim.prior_auth)
    fact("fixable", fixable)
    fact("units_over", any(f.rule == "eight-minute-units" for f in errors))
    fact("kx_needed", kx_needed)
    fact("kx_present", any("KX" in line.modifiers for line in claim.lines))
    fact("ncci_modifier_missing", any(f.rule == "ncci-pair" for f in findings))
    fact("ncci_modifier_present", any(ncci & set(line.modifiers) for line in claim.lines))
    fact("documentation_gap", any(f.rule in DOCUMENTATION_RULES and f.severity != "info" for f in findings))
    fact("plan_on_file", plan)
    fact("maintenance_plan", plan and any("maint" in g.lower() for g in plan.goals))
    fact("abn_on_file", any("GA" in line.modifiers for line in claim.lines))
    fact("submitted_in_time", claim.submitted_date and claim.submitted_date <= tf_deadline)
    fact("sent_late", claim.submitted_date and claim.submitted_date > tf_deadline)
    fact("minutes_on_file", _minutes_on_file(ctx))
    fact("timely_filing_open", today <= tf_deadline)
    fact("reopening_open", reopen_by and today <= reopen_by)
    fact("appeal_open", appeal_by is None or today <= appeal_by)
    fact("duplicate_on_file", ctx.duplicates)
    fact("has_97010", any(line.code == "97010" for line in claim.lines))
    fact("replacement_allowed", ctx.payer.replacement_claims)
    fact("unknown_code", main is not None and carc(main.code) is None)
    fact("only_contractual", adjustments and not denials and not patient)

    # The main code first, then the other adjustments, then the remarks.
    codes = tuple(dict.fromkeys(([label(main)] if main else []) + [label(a) for a in adjustments]
                                + list(rarcs)))
    main_info = carc(main.code) if main else None
    rarc_infos = [(code, rarc(code)) for code in rarcs]
    rarc_text = "; ".join(f"{code}: {info.meaning[0].lower()}{info.meaning[1:]}" for code, info in rarc_infos
                          if info is not None)
    appealable = True
    if main_info is not None and not main_info.appealable_for(ctx.payer.kind):
        appealable = False
    if any(info is not None and info.appealable is False for _, info in rarc_infos):
        appealable = False
    shown = errors or [f for f in findings if f.severity == "warning"]
    fixes = "; ".join(dict.fromkeys(f.fix for f in fixable if f.fix))
    reports = ctx.documents_of(DocType.PROGRESS_REPORT, until=claim.dos_to)
    window = ctx.payer.appeal_level(level)
    kx_text = "no Medicare OT amounts on file"
    if kx_lines and threshold:
        kx_text = (f"the patient's {threshold.year} OT allowed amount reaches "
                   f"{fmt(kx_lines[-1].cumulative_cents)}, threshold {fmt(threshold.ot_cents)}")
    def turn(*edges: date | None) -> date | None:
        return min((edge + timedelta(days=1) for edge in edges if edge is not None and edge >= today),
                   default=None)

    sent_wait_ends = (claim.submitted_date + timedelta(days=wait_days)
                      if status == "submitted" and claim.submitted_date is not None else None)
    words = {
        "code": label(main) if main else (", ".join(codes) or "no adjustment codes"),
        "codes": ", ".join(codes) or "no adjustment codes",
        "carc": main.code if main else "",
        "group": main.group if main else "",
        "meaning": (main_info.meaning if main_info else
                    f"unknown adjustment reason code {main.code}" if main else "no adjustment"),
        "rarc": rarcs[0] if rarcs else "",
        "rarc_meaning": rarc_infos[0][1].meaning if rarc_infos and rarc_infos[0][1] else "",
        "rarc_text": f"; {rarc_text}" if rarc_text else "",
        "payer": claim.payer.name,
        "payer_kind": ctx.payer.label,
        "amount": fmt(main.amount_cents) if main else fmt(0),
        "balance": fmt(claim.balance_cents),
        "patient_resp": fmt(claim.patient_resp_cents),
        "auth": auth.describe() if auth else "no authorization needed for this payer",
        "findings": "; ".join(f.message for f in shown[:3]) or "no claim errors found",
        "fixes": fixes or "the data the payer named",
        "fixes_text": f" ({fixes})" if fixes else "",
        "dos": (str(claim.dos_from) if claim.dos_from == claim.dos_to
                else f"{claim.dos_from} to {claim.dos_to}"),
        "submitted": str(claim.submitted_date) if claim.submitted_date else "not sent",
        "days_since_submission": str(since) if since is not None else "0",
        "no_response_days": str(wait_days),
        "remit_date": str(remit) if remit else "no remittance",
        "tf_deadline": str(tf_deadline),
        "reopening_deadline": str(reopen_by) if reopen_by else "none",
        "plan": (f"plan of care {plan.start_date} to {plan.end_date}"
                 + (f", certified {plan.certified_date}" if plan.certified_date else ", not certified")
                 + (f", goals: {'; '.join(plan.goals[:2])}" if plan.goals else "")
                 if plan else "no plan of care on file"),
        "progress": (f"last progress report {reports[-1].doc_date}" if reports
                     else "no progress report on file"),
        "notes": _documents_text(ctx),
        "secondary": ctx.secondary.payer_name if ctx.secondary else "the secondary payer",
        "appeal": _appeal_text(ctx),
        "appeal_decided": str(last.decided_date) if last is not None and last.decided_date else "",
        "appeal_decision_due": str(decision_due) if decision_due else "",
        "aic": fmt(aic) if aic is not None else "",
        "days_since_remit": str((today - remit).days) if remit else "",
        "work_status": claim.work_status.value.replace("_", " "),
        "kx": kx_text,
        "duplicates": ", ".join(ctx.duplicates) or "none",
        "level": str(level),
        "level_name": window.name if window else f"level {level} appeal",
        "deadline": "",
        "missed": "", "missed_days": "", "missed_what": "",
    }
    return Situation(
        status=status, category=category, main=main, codes=codes,
        carcs=frozenset(a.code for a in adjustments),
        group_codes=frozenset(label(a) for a in adjustments), rarcs=tuple(rarcs),
        facts=frozenset(facts), words=words, next_level=level, appealable=appealable,
        window_turn=turn(tf_deadline, reopen_by, None if "appeal_pending" in facts else appeal_by),
        wait_turn=turn(sent_wait_ends, decision_due, won_wait_ends, quiet_ends),
    )


def matches(rule: PlaybookRule, s: Situation, ctx: ClaimContext, findings: Sequence[Finding]) -> bool:
    w = rule.when
    kind = ctx.payer.kind.value
    return (
        (not w.status or s.status in w.status)
        and (not w.category or (s.category is not None and s.category.value in w.category))
        and (not w.carc or bool(w.carc & s.carcs))
        and (not w.code or bool(w.code & s.group_codes))
        and (not w.group or (s.main is not None and s.main.group in w.group))
        and (not w.rarc or bool(w.rarc & set(s.rarcs)))
        and (not w.payer_kind or kind in w.payer_kind)
        and kind not in w.not_payer_kind
        and w.facts <= s.facts
        and not (w.not_facts & s.facts)
        and (not w.findings or any(f.rule in w.findings and f.severity != "info" for f in findings))
    )


def _deadline(kind: str | None, level: int, ctx: ClaimContext) -> date | None:
    claim = ctx.claim
    remit = claim.last_remit_date
    if kind == "timely_filing":
        return ctx.timely_filing_deadline
    if kind == "corrected_claim":
        return corrected_claim_deadline(ctx.service_dates[0], remit, ctx.payer)
    if kind == "reopening":
        return reopening_deadline(remit, ctx.payer) if remit else None
    if kind == "reopening_good_cause":
        return good_cause_reopening_deadline(remit, ctx.payer) if remit else None
    if kind == "appeal":
        notice = _notice(ctx, level)
        return appeal_deadline(level, notice, ctx.payer) if notice else None
    return None


def _render(spec: PlaybookAction, action: Action, ctx: ClaimContext, s: Situation,
            playbook: Playbook, note: str = "",
            extra: dict[str, str] | None = None) -> tuple[NextAction, str | None]:
    """The action with its reason filled in, and which deadline it carries."""
    level = spec.level or s.next_level if action is Action.APPEAL else None
    kind = spec.deadline or _DEFAULT_DEADLINE.get(action)
    if action is Action.SEND_RECORDS and s.status not in ("denied", "partially_paid"):
        kind = None
    if kind == "corrected_claim" and not (ctx.payer.corrected_claim_days and ctx.claim.last_remit_date):
        kind = "timely_filing"  # no window of its own: a corrected claim follows timely filing
    deadline = _deadline(kind, level or s.next_level, ctx)
    template = None
    words = {**s.words, **(extra or {})}
    if level is not None:
        by_level = playbook.appeal_templates.get(ctx.payer.kind.value, {})
        template = (by_level.get(level) or spec.template
                    or playbook.appeal_letter_for(s.category) or "generic")
        window = ctx.payer.appeal_level(level)
        words["level"] = str(level)
        words["level_name"] = window.name if window else f"level {level} appeal"
    elif spec.template:
        template = spec.template
    words["deadline"] = str(deadline) if deadline else "as soon as possible"
    if deadline is None:
        kind = None
    elif kind == "appeal":
        kind = f"appeal_level_{level or s.next_level}"
    return NextAction(action, spec.reason.format_map(words) + note, level, template, deadline), kind


def _guarded(spec: PlaybookAction, ctx: ClaimContext, s: Situation) -> tuple[Action, str] | None:
    """The action as the facts allow it: no replacement at Medicare Part B, no appeal without rights."""
    action = spec.action
    if action is Action.RESUBMIT_CORRECTED and not ctx.payer.replacement_claims:
        if "reopening_open" in s.facts or ctx.claim.last_remit_date is None:
            return Action.REOPENING, (f" ({ctx.payer.label} takes no replacement claim: ask for a "
                                      "reopening instead.)")
        return Action.APPEAL, (f" ({ctx.payer.label} takes no replacement claim and the reopening "
                               "year has passed: appeal instead.)")
    if action is Action.APPEAL and not s.appealable:
        return None
    return action, ""


Rendered = tuple[NextAction, str | None]


def _missed_words(action: NextAction, missed: date, kind: str | None, ctx: ClaimContext) -> dict[str, str]:
    """{missed}, {missed_days} and {missed_what} for the action whose deadline passed."""
    what = _MISSED_WHAT.get(kind or "", "the deadline")
    if kind and kind.startswith("appeal_level_"):
        window = ctx.payer.appeal_level(action.level or 1)
        what = f"the {window.name if window else f'level {action.level} appeal'} deadline"
    return {"missed": str(missed), "missed_days": str((ctx.today - missed).days), "missed_what": what}


def _alternatives(action: NextAction, missed: date, kind: str | None, ctx: ClaimContext, s: Situation,
                  findings: Sequence[Finding], playbook: Playbook) -> tuple[int, list[Rendered]] | None:
    """What the first matching [[late]] rule offers in place of a missed action, with the rule's
    priority (None: no rule), leaving out alternatives whose own deadline has passed too."""
    rule = next((r for r in playbook.late_rules if (not r.lapsed or action.action in r.lapsed)
                 and matches(r, s, ctx, findings)), None)
    if rule is None:
        return None
    extra = _missed_words(action, missed, kind, ctx)
    out = []
    for spec in rule.actions:
        guarded = _guarded(spec, ctx, s)
        if guarded is None:
            continue
        rendered = _render(spec, guarded[0], ctx, s, playbook, guarded[1], extra)
        if rendered[0].deadline is None or rendered[0].deadline >= ctx.today:
            out.append(rendered)
    return rule.priority, out


_TOO_LATE_FOR = {
    Action.RESUBMIT_CORRECTED: "a corrected claim", Action.NEW_CLAIM: "a new claim",
    Action.REOPENING: "a reopening", Action.REQUEST_AUTH: "a retro-authorization",
    Action.SEND_RECORDS: "sending the records",
}


def _too_late(action: NextAction, missed: date, kind: str | None, ctx: ClaimContext) -> str:
    """What a still-open first action says about a missed one ("Too late for a corrected claim: ...")."""
    if action.action is Action.APPEAL:
        window = ctx.payer.appeal_level(action.level or 1)
        return f" Too late for {f'a {window.name}' if window else 'an appeal'} (due {missed})."
    what = _TOO_LATE_FOR.get(action.action, action.action.value.replace("_", " "))
    limit = _missed_words(action, missed, kind, ctx)["missed_what"]
    return f" Too late for {what}: {limit} passed on {missed}."


def _replace_missed(actions: list[Rendered], ctx: ClaimContext, s: Situation,
                    findings: Sequence[Finding], playbook: Playbook) -> list[Rendered]:
    """Rule `missed-deadline`: a filing after its own deadline is refused.

    An action whose deadline has passed gives way to what the playbook's [[late]] rules offer
    in its place (the higher-priority rule's offer first when several actions were missed):
    at the first missed action's place when nothing else can still be filed; else after the
    actions that can, the first of which then says what it is too late for. An action already
    offered keeps its place and reason. A missed action no rule covers is kept last, never first.
    """
    today = ctx.today
    still_open = any(a.deadline is not None and a.deadline >= today for a, _ in actions)
    kept: list[Rendered] = []
    offers: list[tuple[int, int, list[Rendered]]] = []  # (late rule priority, order, alternatives)
    missed: list[Rendered] = []
    stale: list[Rendered] = []
    at = None  # where the alternatives go when nothing can still be filed
    for order, (action, kind) in enumerate(actions):
        if action.deadline is None or action.deadline >= today:
            kept.append((action, kind))
            continue
        missed.append((action, kind))
        offer = _alternatives(action, action.deadline, kind, ctx, s, findings, playbook)
        if offer is None:
            stale.append((action, kind))
            continue
        offers.append((offer[0], order, offer[1]))
        at = len(kept) if at is None else at
    if not missed:
        return actions
    alternatives = [a for _, _, alts in sorted(offers, key=lambda o: (-o[0], o[1])) for a in alts]
    if still_open and kept and kept[0][0].deadline is not None:
        first, kind = kept[0]
        note = "".join(_too_late(a, a.deadline, k, ctx) for a, k in missed if a.deadline is not None)
        kept[0] = (NextAction(first.action, first.reason + note, first.level, first.template, first.deadline),
                   kind)
    items = list(kept)
    if still_open or at is None:
        items += alternatives
    else:
        items[at:at] = alternatives
    out: list[Rendered] = []
    for rendered in items + stale:
        if all(rendered[0].action is not placed.action for placed, _ in out):
            out.append(rendered)
    head = out[0][0] if out else None
    if head is not None and head.deadline is not None and head.deadline < today:
        words = _missed_words(head, head.deadline, out[0][1], ctx)
        out.insert(0, (NextAction(Action.CALL_PAYER, (
            f"{words['missed_what'].capitalize()} passed on {words['missed']}: ask {ctx.claim.payer.name} "
            f"what is still possible for {head.action.value.replace('_', ' ')}, else write off "
            f"{s.words['balance']}.")), None))
    return out


@dataclass(frozen=True)
class Route:
    """The playbook's answer for one claim."""

    situation: Situation
    category: Category | None
    actions: tuple[NextAction, ...]
    deadline_kinds: tuple[str | None, ...]  # per action: timely_filing, appeal_level_N, reopening ...
    rules: tuple[str, ...]  # ids of the rules that matched, for "why"
    closed: bool = False  # a window passed and nothing can be filed any more (a call, a write-off)

    @property
    def recheck(self) -> date | None:
        """The first day after today on which the calendar alone may change this answer: a window
        closing, or, while the answer is to wait, the wait running out."""
        waiting = bool(self.actions) and self.actions[0].action is Action.WAIT
        turns = [self.situation.window_turn, self.situation.wait_turn if waiting else None]
        return min((t for t in turns if t is not None), default=None)


def next_actions(ctx: ClaimContext, findings: Sequence[Finding], playbook: Playbook) -> Route:
    s = situation(ctx, findings, playbook)
    category = s.category
    category_set = False
    chosen: list[Rendered] = []
    later: list[Rendered] = []
    matched: list[str] = []
    seen: set[Action] = set()
    stopped = False
    for rule in playbook.rules:
        if stopped and not rule.always:
            continue
        if not matches(rule, s, ctx, findings):
            continue
        matched.append(rule.id)
        if rule.sets_category and not category_set and not rule.always:
            category, category_set = rule.category, True
        for spec in rule.actions:
            guarded = _guarded(spec, ctx, s)
            if guarded is None or guarded[0] in seen:
                continue
            action, note = guarded
            seen.add(action)
            (later if rule.always else chosen).append(_render(spec, action, ctx, s, playbook, note))
        if rule.final and not rule.always:
            stopped = True
    actions = _replace_missed(chosen + later, ctx, s, findings, playbook)
    closed = _nothing_to_file(chosen + later, actions, ctx.today)
    if not actions:  # a practice playbook may leave a claim unmatched: still say something useful
        if "balance_due" in s.facts:
            words = s.words
            fallback = NextAction(Action.CALL_PAYER, f"{words['balance']} open and no playbook rule fits "
                                                     f"({words['codes']}): ask {words['payer']}.")
        else:
            fallback = NextAction(Action.NO_ACTION, "Nothing to do: no balance and no denial on the claim.")
        actions = [(fallback, None)]
    return Route(s, category, tuple(a for a, _ in actions), tuple(k for _, k in actions), tuple(matched),
                 closed)


# Actions that file or bill nothing: what is left when every window has closed.
_NOT_FILINGS = frozenset({Action.CALL_PAYER, Action.WRITE_OFF, Action.WAIT, Action.NO_ACTION})


def _nothing_to_file(planned: list[Rendered], actions: list[Rendered], today: date) -> bool:
    """A deadline the playbook's actions named has passed, and no filing or billing is still
    open: only calls and write-offs are left (the ranking sinks such a claim)."""
    missed = any(a.deadline is not None and a.deadline < today for a, _ in planned)
    return missed and not any(a.action not in _NOT_FILINGS and (a.deadline is None or a.deadline >= today)
                              for a, _ in actions)
