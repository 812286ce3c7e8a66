"""Initial denials: rate and dollars by category, CARC, payer, procedure code, rendering provider
and month, and the root causes with the upstream fix each points to.

The cohort is every claim whose first adjudication falls in the period (by remittance date);
see `adjudication` for what counts as a denial.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
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
from assistant.rules.codes import carc
from assistant.storage.reporting import ClaimRow, Ledger, load_ledger

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
    causes = _root_causes(ledger, claims)
    sections.append(causes)
    return result(query, empty=adjudicated == 0, figures=figures, sections=sections,
                  root_causes=causes.records())


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


def _root_causes(ledger: Ledger, claims: list[tuple[ClaimRow, Adjudication]]) -> Section:
    section = Section("root_causes", "Top root causes", [
        Column("rank", "#", COUNT), Column("category", "Category"), Column("carc", "Code"),
        Column("procedure", "Procedure"), Column("modifiers", "Modifiers"),
        Column("provider", "Rendering provider"), Column("payer", "Payer"), Column("claims", "Claims", COUNT),
        Column("lines", "Lines", COUNT), Column("denied", "Denied", MONEY),
        Column("summary", "Root cause", TEXT), Column("fix", "Upstream fix", TEXT),
        Column("cause", "Rule", TEXT), Column("source", "Source", TEXT)])
    groups: dict[tuple[str, ...], _Group] = {}
    for claim, adj in claims:
        lines = ledger.lines.get(claim.pk, [])
        for item in adj.denials:
            key, group = _group_of(ledger, claim, item, lines)
            existing = groups.get(key)
            if existing is None:
                groups[key] = existing = group
            existing.claims.add(claim.pk)
            existing.lines += 1 if item.code_billed is not None else 0
            existing.cents += item.amount_cents
    ranked = sorted(groups.values(), key=lambda g: (-g.cents, -len(g.claims), g.denials.label,
                                                   g.denials.code or ""))
    for rank, g in enumerate(ranked[:TOP_CAUSES], 1):
        d = g.denials
        cause = root_causes.cause_for(d)
        fix = root_causes.fix_text(cause, d) if cause else (carc(d.carc).advice if carc(d.carc) else "")
        section.add(rank, d.category, d.label, d.code or "(whole claim)", g.modifiers, d.provider, d.payer,
                    len(g.claims), g.lines, g.cents, root_causes.describe(d, g.modifiers, len(g.claims)), fix,
                    cause.id if cause else None, cause.source if cause else "fact sheet 6.2 (S63)")
    return section


def _group_of(ledger: Ledger, claim: ClaimRow, item: DenialItem,
              lines: list[Any]) -> tuple[tuple[str, ...], _Group]:
    provider = ledger.provider_name(item.provider_pk)
    if item.code_billed is not None:
        modifiers = root_causes.modifier_pattern(item.modifiers)
        mod_sets: tuple[frozenset[str], ...] = (frozenset(item.modifiers),)
    else:
        modifiers = ""
        mod_sets = tuple(frozenset(line.modifiers) for line in lines) or (frozenset(),)
    key = (item.category, item.label, item.code_billed or "", modifiers, provider, claim.payer)
    denials = root_causes.Denials(
        category=item.category, carc=item.code, label=item.label, code=item.code_billed,
        modifier_sets=mod_sets, payer=claim.payer, payer_kind=claim.payer_kind, provider=provider,
        provider_credential=ledger.provider_credential(item.provider_pk))
    return key, _Group(denials, modifiers)
