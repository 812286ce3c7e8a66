"""Documentation audit by therapist, with the denied dollars each kind of problem caused.

For every claim with service in the period the rules' own checks run (`plan-of-care`,
`progress-report`, `authorization` from `rules/checks.py`, errors and warnings only); a visit
without minutes is a service day with a timed code whose minutes neither the claim nor the
day's note records. A claim's initial denials (see `adjudication`) are attributed to a
problem when their category is one the problem causes (PROBLEMS below) and the claim has
that problem; a denial can be attributed to more than one problem of the same claim, so the
per-problem dollars may add up to more than the claim's.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.domain import Category, Finding
from assistant.reports.adjudication import first_adjudication
from assistant.reports.common import COUNT, DATE, MONEY, Column, Figure, Query, Section, money, result
from assistant.reports.findings import contexts
from assistant.rules.checks import CHECKS, ERROR, WARNING
from assistant.rules.codes import cpt
from assistant.rules.context import ClaimContext
from assistant.storage.reporting import ClaimRow, Ledger, load_ledger

_DOCUMENTS = (Category.MEDICAL_NECESSITY.value, Category.MISSING_INFORMATION.value)


@dataclass(frozen=True)
class Problem:
    key: str
    label: str
    short: str  # column heading
    categories: tuple[str, ...]  # denial categories this problem causes
    rule: str | None = None  # the check that finds it (None: computed here)
    phrases: tuple[str, ...] = ()  # which of the rule's findings (by their wording) are this problem


_AUTH = (Category.AUTHORIZATION.value,)
PROBLEMS: tuple[Problem, ...] = (
    Problem("minutes_missing", "Visits without minutes", "No minutes",
            (Category.FREQUENCY.value, *_DOCUMENTS)),
    Problem("progress_overdue", "Progress report overdue", "Progress overdue", _DOCUMENTS, "progress-report"),
    Problem("plan_unsigned", "Plan of care not certified in time", "POC unsigned", _DOCUMENTS, "plan-of-care",
            ("not certified within",)),
    Problem("plan_lapsed", "Plan of care lapsed", "POC lapsed", _DOCUMENTS, "plan-of-care",
            ("certification ended",)),
    Problem("plan_missing", "No plan of care on file", "No POC", _DOCUMENTS, "plan-of-care",
            ("no plan of care on file",)),
    Problem("plan_late", "Plan of care certified late", "POC late", _DOCUMENTS, "plan-of-care",
            ("certified late",)),
    Problem("auth_used_up", "Authorization used up", "Auth used up", _AUTH, "authorization", ("used up",)),
    Problem("auth_expired", "Authorization expired or not yet valid", "Auth expired", _AUTH, "authorization",
            ("expired on", "starts later")),
    Problem("auth_missing", "No authorization on file", "No auth", _AUTH, "authorization",
            ("no authorization on file", "is not on file")),
)
_RULES = sorted({p.rule for p in PROBLEMS if p.rule})


def problem_of(finding: Finding) -> Problem | None:
    """The documentation problem a finding reports; None for advice (info) and other findings."""
    if finding.severity not in (ERROR, WARNING):
        return None
    for p in PROBLEMS:
        if p.rule == finding.rule and (not p.phrases or any(ph in finding.message for ph in p.phrases)):
            return p
    return None


def days_without_minutes(ctx: ClaimContext) -> list[date]:
    """Service days with a timed line whose minutes are unknown (claim and note both silent)."""
    days = set()
    for line in ctx.claim.lines:
        info = cpt(line.code)
        if info is not None and info.timed and line.minutes is None:
            days.add(line.service_date or ctx.claim.dos_from)
    return sorted(days)


@dataclass(frozen=True)
class Found:
    problem: Problem
    message: str
    visits: int = 1


def audit_claim(ctx: ClaimContext) -> list[Found]:
    """The documentation problems of one claim, each once (with its first finding's words)."""
    found: dict[str, Found] = {}
    missing = days_without_minutes(ctx)
    if missing:
        minutes = PROBLEMS[0]
        found[minutes.key] = Found(minutes, "no minutes recorded for the timed codes on "
                                   f"{', '.join(map(str, missing))}", len(missing))
    for rule in _RULES:
        for finding in CHECKS[rule](ctx):
            p = problem_of(finding)
            if p is not None and p.key not in found:
                found[p.key] = Found(p, finding.message)
    return list(found.values())


@dataclass
class _Tally:
    claims: set[int] = field(default_factory=set)
    problem_claims: set[int] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    denied_cents: int = 0


def run(conn: sqlite3.Connection, query: Query) -> dict[str, Any]:
    ledger = load_ledger(conn, query.payer_pk)
    claims = sorted((c for c in ledger.claims.values() if query.in_period(c.dos_from)),
                    key=lambda c: (c.dos_from, c.claim_id))
    audited = {ctx.claim.pk: audit_claim(ctx) for ctx in contexts(conn, [c.pk for c in claims], query.today)}
    therapists: dict[str, _Tally] = defaultdict(_Tally)
    problems: dict[str, _Tally] = defaultdict(_Tally)
    detail = Section("findings", "Claims with documentation problems", [
        Column("claim_id", "Claim"), Column("therapist", "Therapist"), Column("payer", "Payer"),
        Column("dos", "Service date", DATE), Column("problem", "Problem"),
        Column("finding", "Finding", long=True),
        Column("denied", "Denied (matching)", MONEY)])
    total_denied = 0
    for claim in claims:
        therapist = ledger.provider_name(claim.provider_pk)
        t = therapists[therapist]
        t.claims.add(claim.pk)
        found = audited.get(claim.pk)
        if not found:
            continue
        t.problem_claims.add(claim.pk)
        denied = _denied_by_category(ledger, claim)
        caused: set[str] = set()
        for f in found:
            t.counts[f.problem.key] += f.visits
            cents = sum(denied.get(cat, 0) for cat in f.problem.categories)
            tally = problems[f.problem.key]
            tally.claims.add(claim.pk)
            tally.counts["visits"] += f.visits
            tally.denied_cents += cents
            if cents:
                tally.problem_claims.add(claim.pk)
            caused.update(cat for cat in f.problem.categories if denied.get(cat))
            detail.add(claim.claim_id, therapist, claim.payer, claim.dos_from.isoformat(), f.problem.label,
                       f.message, cents)
        claim_caused = sum(denied[cat] for cat in caused)
        t.denied_cents += claim_caused
        total_denied += claim_caused
    checked = sum(len(t.claims) for t in therapists.values())
    with_problem = sum(len(t.problem_claims) for t in therapists.values())
    figures = [
        Figure("claims_checked", "Claims checked", checked, COUNT),
        Figure("claims_with_problems", "Claims with a documentation problem", with_problem, COUNT),
        *(Figure(p.key, p.label, _count(problems.get(p.key), p), COUNT) for p in PROBLEMS),
        Figure("denied", "Initial denied dollars on those claims (matching categories)", money(total_denied),
               MONEY),
    ]
    sections = [_by_therapist(therapists), _by_problem(problems), detail]
    return result(query, empty=checked == 0, figures=figures, sections=sections)


def _count(tally: _Tally | None, problem: Problem) -> int:
    """Visits for missing minutes, claims for the rest."""
    if tally is None:
        return 0
    return tally.counts["visits"] if problem.key == "minutes_missing" else len(tally.claims)


def _denied_by_category(ledger: Ledger, claim: ClaimRow) -> dict[str, int]:
    adj = first_adjudication(ledger, claim)
    out: dict[str, int] = defaultdict(int)
    for item in adj.denials if adj else ():
        out[item.category] += item.amount_cents
    return out


def _by_therapist(therapists: dict[str, _Tally]) -> Section:
    section = Section("by_therapist", "By therapist", [
        Column("therapist", "Therapist"), Column("claims", "Claims", COUNT),
        Column("claims_with_problems", "With a problem", COUNT),
        *(Column(p.key, p.short, COUNT) for p in PROBLEMS), Column("denied", "Denied $ caused", MONEY)])
    for name, t in sorted(therapists.items(), key=lambda kv: (-kv[1].denied_cents, -len(kv[1].problem_claims),
                                                             kv[0])):
        section.add(name, len(t.claims), len(t.problem_claims), *(t.counts.get(p.key, 0) for p in PROBLEMS),
                    t.denied_cents)
    return section


def _by_problem(problems: dict[str, _Tally]) -> Section:
    section = Section("by_problem", "By problem", [
        Column("problem", "Problem"), Column("claims", "Claims", COUNT), Column("visits", "Visits", COUNT),
        Column("denied_claims", "Claims denied for it", COUNT), Column("denied", "Denied $ caused", MONEY),
        Column("categories", "Denial categories counted")])
    for p in PROBLEMS:
        t = problems.get(p.key)
        if t is None:
            continue
        section.add(p.label, len(t.claims), t.counts["visits"], len(t.problem_claims), t.denied_cents,
                    ", ".join(p.categories))
    return section
