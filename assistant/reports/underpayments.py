"""Underpayments: paid lines whose allowed amount is below what the payer's fee schedule says.

Each paid line of a live adjudication (not reversed) by the claim's own payer (a secondary's
payment is what the primary left, not its fee schedule) with service in the period is compared:
allowed = AMT*B6 when the payer sent it, else paid + patient responsibility (PR) +
sequestration (CO-253, a cut of the payment, not of the allowed amount); expected = the fee
in force on the date of service for the payer, code and modifier x the units paid (SVC05,
else billed), never more than the line's charge (payers allow the lesser of the two). At
Medicare a line with CO (an OTA's service) is expected at 85% of a fee that is not CO's own
(fact sheet 2.3, S25). A line is underpaid when allowed falls short by more than a cent per
unit (rounding). A multiple-procedure reduction (CO-59) is noted: the payer may be right.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.domain import PayerKind
from assistant.reports.adjudication import is_adjudication, is_denial, is_later_payer, is_live
from assistant.reports.common import (
    COUNT,
    DATE,
    MONEY,
    RATE,
    Column,
    Figure,
    Query,
    Section,
    money,
    rate,
    result,
)
from assistant.rules.codes import setting
from assistant.storage.fee_schedule import Fee, fee_table
from assistant.storage.reporting import load_ledger

SEQUESTRATION = "253"
MULTIPLE_PROCEDURE = "59"
ASSISTANT = "CO"


def expected_cents(fee: Fee, units: float, charge_cents: int, modifiers: tuple[str, ...], day: date,
                   payer_kind: str) -> tuple[int, str]:
    """What the payer should allow for the line, and why when it is not simply fee x units."""
    cents = round(fee.allowed_cents * units)
    notes = []
    if (payer_kind == PayerKind.MEDICARE.value and ASSISTANT in modifiers and fee.modifier != ASSISTANT
            and day >= setting("assistant", "co_payment_from")):
        percent = int(setting("assistant", "co_payment_percent"))
        cents = cents * percent // 100
        notes.append(f"CO: {percent}% of the fee")
    if charge_cents < cents:
        cents = charge_cents
        notes.append("the charge is below the fee")
    return cents, "; ".join(notes)


@dataclass(frozen=True)
class Compared:
    claim_id: str
    payer: str
    day: date
    code: str
    modifiers: str
    units: float
    fee_cents: int
    expected_cents: int
    allowed_cents: int
    allowed_from: str  # "AMT*B6" | "paid + PR"
    paid_cents: int
    note: str

    @property
    def short_cents(self) -> int:
        return self.expected_cents - self.allowed_cents

    @property
    def underpaid(self) -> bool:
        return self.short_cents > max(1, math.ceil(self.units))


def run(conn: sqlite3.Connection, query: Query) -> dict[str, Any]:
    fees = fee_table(conn)
    compared: list[Compared] = []
    without_fee = 0
    if fees:
        ledger = load_ledger(conn, query.payer_pk)
        for claim in ledger.claims.values():
            lines = {line.pk: line for line in ledger.lines.get(claim.pk, [])}
            for posting in ledger.postings.get(claim.pk, []):
                if not is_live(posting) or not is_adjudication(posting) or is_later_payer(claim, posting):
                    continue  # a secondary's payment is what the primary left, not its fee schedule
                adjustments = defaultdict(list)
                for a in ledger.adjustments.get(posting.pk, []):
                    adjustments[a.line_payment_pk].append(a)
                for lp in ledger.line_payments.get(posting.pk, []):
                    line = lines.get(lp.line_pk) if lp.line_pk is not None else None
                    if line is None or not query.in_period(line.service_date):
                        continue
                    adj = adjustments.get(lp.pk, [])
                    if lp.paid_cents <= 0 and any(is_denial(a) for a in adj):
                        continue  # a denial, not an underpayment
                    if lp.allowed_cents is not None:
                        allowed, source = lp.allowed_cents, "AMT*B6"
                    else:
                        allowed = lp.paid_cents + sum(a.amount_cents for a in adj if a.group == "PR"
                                                      or a.code == SEQUESTRATION)
                        source = "paid + PR"
                    if allowed <= 0:
                        continue
                    fee = fees.expected(claim.payer_pk, line.code, line.modifiers, line.service_date)
                    if fee is None:
                        without_fee += 1
                        continue
                    units = lp.units if lp.units and lp.units > 0 else line.units
                    expected, why = expected_cents(fee, units, line.charge_cents, line.modifiers,
                                                   line.service_date, claim.payer_kind)
                    notes = [why] if why else []
                    if any(a.code == MULTIPLE_PROCEDURE and a.group != "PR" for a in adj):
                        notes.append("multiple-procedure reduction (CO-59)")
                    compared.append(Compared(
                        claim.claim_id, claim.payer, line.service_date, line.code, " ".join(line.modifiers),
                        units, fee.allowed_cents, expected, allowed, source, lp.paid_cents, "; ".join(notes)))
    under = [c for c in compared if c.underpaid]
    short = sum(c.short_cents for c in under)
    expected_total = sum(c.expected_cents for c in compared)
    figures = [
        Figure("lines_compared", "Paid lines compared with the fee schedule", len(compared), COUNT),
        Figure("lines_without_fee", "Paid lines with no fee on file", without_fee, COUNT),
        Figure("lines_underpaid", "Lines underpaid", len(under), COUNT),
        Figure("underpaid_rate", "Share of compared lines underpaid", rate(len(under), len(compared)), RATE),
        Figure("expected", "Expected allowed on compared lines", money(expected_total), MONEY),
        Figure("allowed", "Allowed on compared lines", money(sum(c.allowed_cents for c in compared)), MONEY),
        Figure("short", "Underpaid by", money(short), MONEY),
    ]
    sections = [
        _breakdown("by_payer", "By payer", "payer", "Payer", compared, lambda c: c.payer),
        _breakdown("by_code", "By procedure code", "code", "Code", compared, lambda c: c.code),
        _lines(under),
    ]
    named: dict[str, Any] = {}
    if not fees:
        named["note"] = "no fee schedule loaded: `ar-assistant import fee-schedule FILE.csv`"
    return result(query, empty=not compared, figures=figures, sections=sections, **named)


def _breakdown(name: str, title: str, key: str, label: str, compared: list[Compared],
               group_of: Any) -> Section:
    section = Section(name, title, [
        Column(key, label), Column("lines", "Lines compared", COUNT),
        Column("underpaid", "Lines underpaid", COUNT),
        Column("expected", "Expected", MONEY), Column("allowed", "Allowed", MONEY),
        Column("short", "Underpaid by", MONEY)])
    groups: dict[str, list[Compared]] = defaultdict(list)
    for c in compared:
        groups[group_of(c)].append(c)
    rows = []
    for group, items in groups.items():
        under = [c for c in items if c.underpaid]
        rows.append((group, len(items), len(under), sum(c.expected_cents for c in items),
                     sum(c.allowed_cents for c in items), sum(c.short_cents for c in under)))
    for row in sorted(rows, key=lambda r: (-r[5], r[0])):
        section.add(*row)
    return section


def _lines(under: list[Compared]) -> Section:
    section = Section("lines", "Underpaid lines", [
        Column("claim_id", "Claim"), Column("payer", "Payer"), Column("date", "Service date", DATE),
        Column("code", "Code"), Column("modifiers", "Modifiers"), Column("units", "Units", COUNT),
        Column("fee", "Fee per unit", MONEY), Column("expected", "Expected", MONEY),
        Column("allowed", "Allowed", MONEY), Column("allowed_from", "Allowed from"),
        Column("paid", "Paid", MONEY), Column("short", "Underpaid by", MONEY), Column("note", "Note")])
    for c in sorted(under, key=lambda c: (-c.short_cents, c.claim_id)):
        section.add(c.claim_id, c.payer, c.day.isoformat(), c.code, c.modifiers, c.units, c.fee_cents,
                    c.expected_cents, c.allowed_cents, c.allowed_from, c.paid_cents, c.short_cents, c.note)
    return section
