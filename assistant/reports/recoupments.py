"""Recoupments: money payers took back, from reversals (CLP02 22) and provider-level adjustments (PLB).

A reversal undoes an earlier payment (its amounts carry the opposite sign); the correction
is the claim's next adjudication after it, and the net change is correction minus original
(fact sheet 8.6). A PLB amount is positive when withheld from the payment and negative when
added (0.9); recovery codes (WO, 72, FB ...: `data/plb_reasons.toml`) withheld are take-backs.
Both are counted by remittance date. The two are shown apart, never summed: a PLB WO may
recover the very overpayment a reversal made visible.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from assistant.reports.adjudication import is_adjudication
from assistant.reports.common import COUNT, DATE, MONEY, Column, Figure, Query, Section, money, result
from assistant.rules.codes import load_data
from assistant.storage.reporting import (
    Ledger,
    ProviderAdjustmentRow,
    ReversalRow,
    claims_by_payer_number,
    load_ledger,
    provider_adjustment_rows,
    reversal_rows,
)


@dataclass(frozen=True)
class PlbReason:
    code: str
    meaning: str
    takeback: bool
    source: str


@cache
def plb_reasons() -> dict[str, PlbReason]:
    raw = load_data("plb_reasons.toml")["plb"]
    return {code: PlbReason(code, e["meaning"], bool(e.get("takeback", False)), e["source"])
            for code, e in raw.items()}


def plb_reason(code: str) -> PlbReason:
    return plb_reasons().get(code.strip().upper()) or PlbReason(code, "unknown PLB reason", False, "")


@dataclass(frozen=True)
class Reversal:
    row: ReversalRow
    correction_paid_cents: int | None

    @property
    def taken_back_cents(self) -> int:
        return -self.row.paid_cents

    @property
    def net_cents(self) -> int:
        """What the reversal and its correction changed: negative when the payer took money back."""
        return self.row.paid_cents + (self.correction_paid_cents or 0)


def _correction(ledger: Ledger, row: ReversalRow) -> int | None:
    if row.claim_pk is None:
        return None
    later = [p for p in ledger.postings.get(row.claim_pk, [])
             if p.pk > row.pk and is_adjudication(p)]
    return min(later, key=lambda p: p.pk).paid_cents if later else None


def claim_of(reference: str | None, claims: dict[str, str]) -> str | None:
    """The claim a PLB reference names: a payer claim number or a claim id, alone or among other
    words ("WO 0226244000784 OT2608110005")."""
    if not reference:
        return None
    for token in [reference.strip(), *re.split(r"[\s:;,/]+", reference.strip())]:
        if token in claims:
            return claims[token]
    return None


def _payer_ok(query: Query, payer_pk: int | None) -> bool:
    return query.payer_pk is None or payer_pk == query.payer_pk


def run(conn: sqlite3.Connection, query: Query) -> dict[str, Any]:
    rows = [r for r in reversal_rows(conn) if query.in_period(r.day) and _payer_ok(query, r.payer_pk)]
    ledger = load_ledger(conn, query.payer_pk) if rows else Ledger()
    reversals = [Reversal(r, _correction(ledger, r)) for r in rows]
    plb = [p for p in provider_adjustment_rows(conn)
           if query.in_period(p.day) and _payer_ok(query, p.payer_pk)]
    takeback = [p for p in plb if p.amount_cents > 0 and plb_reason(p.reason_code).takeback]
    deducted = [p for p in plb if p.amount_cents > 0 and not plb_reason(p.reason_code).takeback]
    added = [p for p in plb if p.amount_cents < 0]
    corrected = [r for r in reversals if r.correction_paid_cents is not None]
    figures = [
        Figure("reversals", "Payments reversed (CLP02 22)", len(reversals), COUNT),
        Figure("reversed", "Reversed", money(sum(r.taken_back_cents for r in reversals)), MONEY),
        Figure("corrections", "Reversals followed by a correction", len(corrected), COUNT),
        Figure("corrections_paid", "Paid by the corrections",
               money(sum(r.correction_paid_cents or 0 for r in corrected)), MONEY),
        Figure("reversal_net", "Net change from reversals and corrections",
               money(sum(r.net_cents for r in reversals)), MONEY),
        Figure("plb_takebacks", "PLB take-backs (WO, 72, FB ... withheld)",
               money(sum(p.amount_cents for p in takeback)), MONEY),
        Figure("plb_other_withheld", "Other PLB amounts withheld",
               money(sum(p.amount_cents for p in deducted)), MONEY),
        Figure("plb_added", "PLB amounts added (interest, returns ...)",
               money(-sum(p.amount_cents for p in added)), MONEY),
    ]
    by_payer = _by_payer(reversals, plb)
    sections = [by_payer, _by_reason(plb), _reversal_lines(reversals), _plb_lines(conn, plb)]
    return result(query, empty=not reversals and not plb, figures=figures, sections=sections)


def _by_payer(reversals: list[Reversal], plb: list[ProviderAdjustmentRow]) -> Section:
    section = Section("by_payer", "By payer", [
        Column("payer", "Payer"), Column("reversals", "Reversals", COUNT),
        Column("reversed", "Reversed", MONEY),
        Column("reversal_net", "Net of corrections", MONEY), Column("plb_takebacks", "PLB take-backs", MONEY),
        Column("plb_other_withheld", "Other PLB withheld", MONEY), Column("plb_added", "PLB added", MONEY)])
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for r in reversals:
        row = rows[r.row.payer]
        row[0] += 1
        row[1] += r.taken_back_cents
        row[2] += r.net_cents
    for p in plb:
        row = rows[p.payer]
        if p.amount_cents < 0:
            row[5] -= p.amount_cents
        elif plb_reason(p.reason_code).takeback:
            row[3] += p.amount_cents
        else:
            row[4] += p.amount_cents
    for payer, values in sorted(rows.items(), key=lambda kv: (-(kv[1][1] + kv[1][3]), kv[0])):
        section.add(payer, *values)
    return section


def _by_reason(plb: list[ProviderAdjustmentRow]) -> Section:
    section = Section("by_plb_reason", "PLB adjustments by reason", [
        Column("reason", "Reason"), Column("meaning", "Meaning"), Column("adjustments", "Adjustments", COUNT),
        Column("withheld", "Withheld", MONEY), Column("added", "Added", MONEY)])
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for p in plb:
        g = groups[p.reason_code]
        g[0] += 1
        if p.amount_cents > 0:
            g[1] += p.amount_cents
        else:
            g[2] -= p.amount_cents
    for code, (n, withheld, added_) in sorted(groups.items(), key=lambda kv: (-kv[1][1], kv[0])):
        section.add(code, plb_reason(code).meaning, n, withheld, added_)
    return section


def _reversal_lines(reversals: list[Reversal]) -> Section:
    section = Section("reversals", "Reversals", [
        Column("date", "Remittance date", DATE), Column("payer", "Payer"), Column("claim_id", "Claim"),
        Column("payer_claim_number", "Payer claim #"), Column("original_paid", "Originally paid", MONEY),
        Column("reversed", "Reversed", MONEY), Column("correction_paid", "Correction paid", MONEY),
        Column("net", "Net change", MONEY)])
    for r in sorted(reversals, key=lambda r: (r.row.day or date.min, r.row.pk)):
        section.add(r.row.day.isoformat() if r.row.day else None, r.row.payer,
                    r.row.claim_id or f"(unmatched {r.row.patient_control_number})", r.row.payer_claim_number,
                    r.row.original_paid_cents, r.taken_back_cents, r.correction_paid_cents, r.net_cents)
    return section


def _plb_lines(conn: sqlite3.Connection, plb: list[ProviderAdjustmentRow]) -> Section:
    section = Section("plb", "Provider-level adjustments (PLB)", [
        Column("date", "Remittance date", DATE), Column("payer", "Payer"), Column("reason", "Reason"),
        Column("meaning", "Meaning"), Column("reference", "Reference"), Column("claim_id", "Claim"),
        Column("trace", "Trace #"), Column("amount", "Amount (+ withheld, - added)", MONEY)])
    claims = claims_by_payer_number(conn) if plb else {}
    for p in sorted(plb, key=lambda p: (p.day or date.min, p.pk)):
        claim = claim_of(p.reference, claims)
        section.add(p.day.isoformat() if p.day else None, p.payer, p.reason_code,
                    plb_reason(p.reason_code).meaning, p.reference, claim, p.trace_number, p.amount_cents)
    return section
