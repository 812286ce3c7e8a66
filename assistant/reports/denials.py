"""Initial denials: rate and dollars by category, CARC, payer, procedure code, rendering provider
and month, and the root causes with the upstream fix each points to.

The cohort is every claim whose first adjudication falls in the period (by remittance date);
see `adjudication` for what counts as a denial.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.reports import root_causes
from assistant.reports.adjudication import Adjudication, DenialItem, first_adjudications, spread
from assistant.reports.common import (
    COUNT,
    MONEY,
    RATE,
    TEXT,
    Column,
    Figure,
    Query,
    Section,
    money,
    month,
    rate,
    result,
)
from assistant.reports.findings import rules_found
from assistant.rules.codes import carc
from assistant.storage.reporting import ClaimRow, Ledger, LineRow, load_ledger

TOP_CAUSES = 20


@dataclass
class _Tally:
    """Adjudicated and denied claims (or lines) with their dollars, for one row of a breakdown."""

    adjudicated: set[Any] = field(default_factory=set)
    denied: set[Any] = field(default_factory=set)
    billed_cents: int = 0
    denied_cents: int = 0


def cohort(ledger: Ledger, query: Query) -> list[tuple[ClaimRow, Adjudication]]:
    """Claims whose first adjudication is in the period, oldest first."""
    firsts = first_adjudications(ledger)
    found = [(ledger.claims[pk], adj) for pk, adj in firsts.items() if query.in_period(adj.day)]
    return sorted(found, key=lambda pair: (pair[1].day is None, pair[1].day, pair[0].claim_id))


def run(conn: sqlite3.Connection, query: Query) -> dict[str, Any]:
    ledger = load_ledger(conn, query.payer_pk)
    claims = cohort(ledger, query)
    adjudicated = len(claims)
    billed = sum(c.billed_cents for c, _ in claims)
    denied = [(c, a) for c, a in claims if a.denied]
    denied_cents = sum(a.denied_cents for _, a in denied)
    fully = sum(1 for _, a in denied if a.posting.paid_cents <= 0)

    figures = [
        Figure("claims_adjudicated", "Claims adjudicated (first time)", adjudicated, COUNT),
        Figure("claims_denied", "Claims with a denial", len(denied), COUNT),
        Figure("claims_fully_denied", "Claims denied in full", fully, COUNT),
        Figure("denial_rate", "Initial denial rate (claims)", rate(len(denied), adjudicated), RATE),
        Figure("billed", "Billed on adjudicated claims", money(billed), MONEY),
        Figure("denied", "Denied dollars", money(denied_cents), MONEY),
        Figure("denial_rate_dollars", "Initial denial rate (dollars)", rate(denied_cents, billed), RATE),
    ]
    sections = [
        _by_category(claims, adjudicated, denied_cents),
        _by_carc(claims, denied_cents),
        _by_group("by_payer", "By payer", "payer", "Payer", claims, lambda c, a: c.payer),
        _by_code(ledger, claims),
        _by_group("by_provider", "By rendering provider", "provider", "Rendering provider", claims,
                  lambda c, a: ledger.provider_name(c.provider_pk)),
        _by_group("by_month", "By month of first adjudication", "month", "Month", claims,
                  lambda c, a: month(a.day), keep_order=True),
    ]
    found = rules_found(conn, [c.pk for c, a in denied], query.today)
    groups = _groups(ledger, claims, found)
    causes, fixes = _root_causes(groups), _fixes(groups, denied_cents)
    sections += [fixes, causes]
    return result(query, empty=adjudicated == 0, figures=figures, sections=sections,
                  root_causes=causes.records(), fixes=fixes.records())


def _by_category(claims: list[tuple[ClaimRow, Adjudication]], adjudicated: int, total: int) -> Section:
    section = Section("by_category", "By category", [
        Column("category", "Category"), Column("claims", "Claims denied", COUNT),
        Column("denial_rate", "Rate of adjudicated", RATE), Column("denied", "Denied", MONEY),
        Column("share", "Share of denied $", RATE)])
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for claim, adj in claims:
        for item in adj.denials:
            t = tallies[item.category]
            t.denied.add(claim.pk)
            t.denied_cents += item.amount_cents
    for category, t in sorted(tallies.items(), key=lambda kv: (-kv[1].denied_cents, kv[0])):
        section.add(category, len(t.denied), rate(len(t.denied), adjudicated), t.denied_cents,
                    rate(t.denied_cents, total))
    return section


def _by_carc(claims: list[tuple[ClaimRow, Adjudication]], total: int) -> Section:
    section = Section("by_carc", "By reason code (CARC)", [
        Column("carc", "Code"), Column("meaning", "Meaning"), Column("category", "Category"),
        Column("claims", "Claims", COUNT), Column("denied", "Denied", MONEY),
        Column("share", "Share of denied $", RATE)])
    tallies: dict[tuple[str, str, str], _Tally] = defaultdict(_Tally)
    for claim, adj in claims:
        for item in adj.denials:
            t = tallies[(item.label, item.code, item.category)]
            t.denied.add(claim.pk)
            t.denied_cents += item.amount_cents
    for (label, code, category), t in sorted(tallies.items(), key=lambda kv: (-kv[1].denied_cents, kv[0])):
        info = carc(code) if code else None
        meaning = info.meaning if info else ("payer did not recognise the patient (CLP02 4)"
                                             if label == "CLP02-4" else "unknown code" if code else
                                             "nothing paid, no reason given")
        section.add(label, meaning, category, len(t.denied), t.denied_cents, rate(t.denied_cents, total))
    return section


def _rate_columns(key: str, label: str, unit: str = "Claims") -> list[Column]:
    return [Column(key, label), Column("adjudicated", f"{unit} adjudicated", COUNT),
            Column("denied_count", f"{unit} denied", COUNT), Column("denial_rate", "Denial rate", RATE),
            Column("billed", "Billed", MONEY), Column("denied", "Denied", MONEY),
            Column("denial_rate_dollars", "Denial rate ($)", RATE)]


def _by_group(name: str, title: str, key: str, label: str, claims: list[tuple[ClaimRow, Adjudication]],
              group_of: Any, keep_order: bool = False) -> Section:
    section = Section(name, title, _rate_columns(key, label))
    tallies: dict[str, _Tally] = {}
    for claim, adj in claims:
        t = tallies.setdefault(group_of(claim, adj), _Tally())
        t.adjudicated.add(claim.pk)
        t.billed_cents += claim.billed_cents
        if adj.denied:
            t.denied.add(claim.pk)
            t.denied_cents += adj.denied_cents
    items = sorted(tallies.items()) if keep_order else sorted(
        tallies.items(), key=lambda kv: (-kv[1].denied_cents, -len(kv[1].adjudicated), kv[0]))
    for group, t in items:
        section.add(group, len(t.adjudicated), len(t.denied), rate(len(t.denied), len(t.adjudicated)),
                    t.billed_cents, t.denied_cents, rate(t.denied_cents, t.billed_cents))
    return section


def line_denials(ledger: Ledger, claim: ClaimRow, adj: Adjudication) -> dict[int | None, int]:
    """Denied cents per billed line (None: a payer's line matched to no billed line).

    Claim-level denials are shared over the claim's lines by charge (`spread`).
    """
    lines = ledger.lines.get(claim.pk, [])
    out: dict[int | None, int] = defaultdict(int)
    for item in adj.denials:
        if item.line_pk is not None or item.code_billed is not None:
            out[item.line_pk] += item.amount_cents
        else:
            for line, cents in spread(item.amount_cents, lines):
                out[line.pk] += cents
    return out


def _by_code(ledger: Ledger, claims: list[tuple[ClaimRow, Adjudication]]) -> Section:
    section = Section("by_code", "By procedure code", _rate_columns("code", "Code", "Lines"))
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for claim, adj in claims:
        lines = ledger.lines.get(claim.pk, [])
        denied = line_denials(ledger, claim, adj) if adj.denied else {}
        for line in lines:
            t = tallies[line.code]
            t.adjudicated.add(line.pk)
            t.billed_cents += line.charge_cents
            if denied.get(line.pk):
                t.denied.add(line.pk)
                t.denied_cents += denied[line.pk]
        unmatched = denied.get(None, 0)
        if unmatched:  # a denied payer line without a billed line: counted under its own code
            for item in adj.denials:
                if item.line_pk is None and item.code_billed is not None:
                    t = tallies[item.code_billed]
                    t.denied_cents += item.amount_cents
    for code, t in sorted(tallies.items(), key=lambda kv: (-kv[1].denied_cents, kv[0])):
        section.add(code, len(t.adjudicated), len(t.denied), rate(len(t.denied), len(t.adjudicated)),
                    t.billed_cents, t.denied_cents, rate(t.denied_cents, t.billed_cents))
    return section


@dataclass
class _Group:
    denials: root_causes.Denials
    modifiers: str
    claims: set[int] = field(default_factory=set)
    lines: int = 0
    cents: int = 0

    @property
    def cause(self) -> root_causes.Cause | None:
        return root_causes.cause_for(self.denials)

    def fix(self) -> str:
        cause = self.cause
        if cause is not None:
            return root_causes.fix_text(cause, self.denials)
        info = carc(self.denials.carc)
        return info.advice if info else ""

    def source(self) -> str:
        cause = self.cause
        return cause.source if cause else "fact sheet 6.2 (S63)"


def _groups(ledger: Ledger, claims: list[tuple[ClaimRow, Adjudication]],
            found: dict[int, dict[int | None, frozenset[str]]]) -> list[_Group]:
    """Denials grouped by (category, CARC, code, modifier pattern, provider, payer), largest first.

    A group's fix is matched on what its denials have in common with the rules' findings on
    their lines (any of them: `findings` in root_causes.toml).
    """
    groups: dict[tuple[str, ...], _Group] = {}
    for claim, adj in claims:
        lines = ledger.lines.get(claim.pk, [])
        for item in adj.denials:
            key, group = _group_of(ledger, claim, item, lines, found.get(claim.pk, {}))
            existing = groups.get(key)
            if existing is None:
                groups[key] = existing = group
            elif not group.denials.findings <= existing.denials.findings:
                existing.denials = replace(existing.denials,
                                           findings=existing.denials.findings | group.denials.findings)
            existing.claims.add(claim.pk)
            existing.lines += 1 if item.code_billed is not None else 0
            existing.cents += item.amount_cents
    return sorted(groups.values(), key=lambda g: (-g.cents, -len(g.claims), g.denials.label,
                                                 g.denials.code or "", g.denials.provider))


def _root_causes(groups: list[_Group]) -> Section:
    section = Section("root_causes", "Top root causes", [
        Column("rank", "#", COUNT), Column("category", "Category"), Column("carc", "Code"),
        Column("procedure", "Procedure"), Column("modifiers", "Modifiers"),
        Column("provider", "Rendering provider"), Column("payer", "Payer"), Column("claims", "Claims", COUNT),
        Column("lines", "Lines", COUNT), Column("denied", "Denied", MONEY),
        Column("cause", "Rule", TEXT), Column("summary", "Root cause", TEXT, long=True),
        Column("fix", "Upstream fix", TEXT, long=True), Column("source", "Source", TEXT, long=True)])
    for rank, g in enumerate(groups[:TOP_CAUSES], 1):
        d = g.denials
        cause = g.cause
        section.add(rank, d.category, d.label, d.code or "(whole claim)", g.modifiers, d.provider, d.payer,
                    len(g.claims), g.lines, g.cents, cause.id if cause else None,
                    root_causes.describe(d, g.modifiers, len(g.claims)), g.fix(), g.source())
    return section


def _fixes(groups: list[_Group], total_cents: int) -> Section:
    """The root causes rolled up by the upstream fix they point to, per payer: what one change saves."""
    section = Section("fixes", "Upstream fixes", [
        Column("rank", "#", COUNT), Column("cause", "Rule"), Column("payer", "Payer"),
        Column("codes", "Reason codes"), Column("claims", "Claims", COUNT), Column("lines", "Lines", COUNT),
        Column("denied", "Denied", MONEY), Column("share", "Share of denied $", RATE),
        Column("provider", "Mostly therapist"), Column("provider_share", "Their share of it", RATE),
        Column("procedures", "Procedures"), Column("fix", "Upstream fix", TEXT, long=True),
        Column("source", "Source", TEXT, long=True)])
    rollup: dict[tuple[str, str], list[_Group]] = defaultdict(list)
    for g in groups:
        cause = g.cause
        rollup[(cause.id if cause else g.denials.label, g.denials.payer)].append(g)
    rows = []
    for (cause_id, payer), members in rollup.items():
        cents = sum(g.cents for g in members)
        claims = set().union(*(g.claims for g in members))
        by_provider: dict[str, int] = defaultdict(int)
        by_code: dict[str, int] = defaultdict(int)
        for g in members:
            by_provider[g.denials.provider] += g.cents
            by_code[g.denials.code or "(whole claim)"] += g.cents
        provider = max(by_provider, key=lambda p: (by_provider[p], p))
        codes = sorted(by_code, key=lambda c: (-by_code[c], c))
        labels = sorted({g.denials.label for g in members})
        rows.append((cents, len(claims), cause_id, payer, ", ".join(labels), sum(g.lines for g in members),
                     provider, rate(by_provider[provider], cents),
                     ", ".join(codes[:3]) + (f" (+{len(codes) - 3})" if len(codes) > 3 else ""),
                     members[0].fix(), members[0].source()))
    rows.sort(key=lambda r: (-r[0], -r[1], r[2], r[3]))
    for rank, row in enumerate(rows[:TOP_CAUSES], 1):
        cents, n, cause_id, payer, label_text, lines, provider, share, code_text, fix, source = row
        section.add(rank, cause_id, payer, label_text, n, lines, cents, rate(cents, total_cents), provider,
                    share, code_text, fix, source)
    return section


def _group_of(ledger: Ledger, claim: ClaimRow, item: DenialItem, lines: list[LineRow],
              found: dict[int | None, frozenset[str]]) -> tuple[tuple[str, ...], _Group]:
    """The root-cause key of one denial, and a group holding what its fix is matched on."""
    provider = ledger.provider_name(item.provider_pk)
    if item.code_billed is not None:
        modifiers = root_causes.modifier_pattern(item.modifiers)
        mod_sets: tuple[frozenset[str], ...] = (frozenset(item.modifiers),)
        line_no = next((line.line_no for line in lines if line.pk == item.line_pk), None)
        rules = found.get(None, frozenset())
        if line_no is not None:
            rules |= found.get(line_no, frozenset())
    else:
        modifiers = ""
        mod_sets = tuple(frozenset(line.modifiers) for line in lines) or (frozenset(),)
        rules = frozenset().union(*found.values())
    key = (item.category, item.label, item.code_billed or "", modifiers, provider, claim.payer)
    denials = root_causes.Denials(
        category=item.category, carc=item.code, label=item.label, code=item.code_billed,
        modifier_sets=mod_sets, payer=claim.payer, payer_kind=claim.payer_kind, provider=provider,
        findings=rules)
    return key, _Group(denials, modifiers)
