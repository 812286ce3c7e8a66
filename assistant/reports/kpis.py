"""Revenue-cycle KPIs in the fact sheet's terms (section 9), in total and by payer.

- days_in_ar (HFMA): open AR today / average daily charges net of contractual adjustments
  over the window: the period when both ends are given, else the 90 days ending at --to (or
  today), from --from when only that is given. days_in_ar_gross divides by gross charges;
  days_in_payer_ar counts only what payers owe (the open balance less the patients' open share).
- ar_over_90 / ar_over_120: the shared aging's balance over 90 (91-120 and 120+) and over
  120 days, as a share of the open balance, today.
- denial_rate (and denial_rate_dollars): claims (dollars) with a denial on their first
  adjudication / claims (billed dollars) first adjudicated in the period.
- clean_claim_rate: of those claims, the ones whose first adjudication had no denial and
  that were never reworked (no replacement or void claim, not corrected and resubmitted,
  no appeal).
- net_collection_rate: payer and patient payments / (charges - contractual adjustments) for
  adjudicated claims with service in the period; payer_collection_rate: payer payments over
  the same less patient responsibility; patient_collection_rate: patient payments / patient
  responsibility.
- days_to_payment: first payment date - submission date, for claims first paid in the period.
- appeal_overturn_rate: (won + partly won) / decided, for appeals sent in the period.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from assistant.money import fmt
from assistant.reports import appeals as appeal_report
from assistant.reports.adjudication import (
    Adjudication,
    first_adjudications,
    first_payment_day,
    live_contractual_cents,
)
from assistant.reports.aging import Shares, snapshot
from assistant.reports.common import (
    COUNT,
    DATE,
    DAYS,
    MONEY,
    RATE,
    Column,
    Figure,
    Query,
    Section,
    mean_days,
    median_days,
    money,
    rate,
    ratio,
    result,
)
from assistant.rules.codes import load_data
from assistant.storage.reporting import ClaimRow, Ledger, load_ledger

WINDOW_DAYS = 90
REWORK_FREQUENCIES = ("7", "8")
REWORKED = "corrected_resubmitted"


@cache
def targets() -> dict[str, str]:
    raw = load_data("kpi_targets.toml")["kpi"]
    return {key: f"{e['target']} ({e['source']})" for key, e in raw.items()}


def window(query: Query) -> tuple[date, date]:
    """The days whose charges make the average daily revenue of days in AR."""
    if query.date_from and query.date_to:
        return query.date_from, query.date_to
    end = query.date_to or query.today
    if query.date_from:
        return query.date_from, max(end, query.date_from)
    return end - timedelta(days=WINDOW_DAYS - 1), end


def clean(claim: ClaimRow, adj: Adjudication, appealed: set[int]) -> bool:
    return (not adj.denied and claim.frequency_code not in REWORK_FREQUENCIES
            and claim.work_status != REWORKED and claim.pk not in appealed)


@dataclass
class Kpis:
    """The KPIs of one set of claims (the practice, or one payer)."""

    ar_cents: int
    payer_ar_cents: int
    over_90_rate: float | None
    over_120_rate: float | None
    days_in_ar: float | None
    days_in_ar_gross: float | None
    days_in_payer_ar: float | None
    adjudicated: int
    denied: int
    denial_rate: float | None
    denial_rate_dollars: float | None
    clean: int
    clean_claim_rate: float | None
    payments_cents: int  # payers' and patients'
    payer_payments_cents: int
    patient_payments_cents: int
    charges_cents: int
    contractual_cents: int
    patient_cents: int
    net_collection_rate: float | None
    payer_collection_rate: float | None
    patient_collection_rate: float | None
    days_to_payment: float | None
    median_days_to_payment: float | None
    paid_claims: int


def kpis(ledger: Ledger, claims: Iterable[ClaimRow], firsts: dict[int, Adjudication], query: Query,
         shares: Shares) -> Kpis:
    claims = list(claims)
    start, end = window(query)
    days = (end - start).days + 1
    in_window = [c for c in claims if start <= c.dos_from <= end]
    gross = sum(c.billed_cents for c in in_window)
    net = gross - sum(live_contractual_cents(ledger, c.pk) for c in in_window)
    # What payers still owe or refused: the open balance less what the patients still owe.
    payer_ar = sum(max(c.balance_cents - c.patient_due_cents, 0) for c in claims if c.balance_cents > 0)

    first = [(c, firsts[c.pk]) for c in claims if c.pk in firsts and query.in_period(firsts[c.pk].day)]
    denied = [(c, a) for c, a in first if a.denied]
    billed = sum(c.billed_cents for c, _ in first)
    clean_claims = sum(1 for c, a in first if clean(c, a, ledger.appealed))

    collected = [c for c in claims if c.pk in firsts and query.in_period(c.dos_from)]
    payer_payments = sum(c.paid_cents for c in collected)
    patient_payments = sum(c.patient_paid_cents for c in collected)
    payments = payer_payments + patient_payments
    charges = sum(c.billed_cents for c in collected)
    contractual = sum(live_contractual_cents(ledger, c.pk) for c in collected)
    patient = sum(c.patient_resp_cents for c in collected)

    waits = []
    for c in claims:
        paid_on = first_payment_day(ledger, c.pk)
        if paid_on is not None and c.submitted_date is not None and query.in_period(paid_on) \
                and paid_on >= c.submitted_date:
            waits.append((paid_on - c.submitted_date).days)
    return Kpis(
        ar_cents=shares.total, payer_ar_cents=payer_ar,
        over_90_rate=shares.over_90_rate, over_120_rate=shares.over_120_rate,
        days_in_ar=ratio(shares.total * days, net) if net > 0 else None,
        days_in_payer_ar=ratio(payer_ar * days, net) if net > 0 else None,
        days_in_ar_gross=ratio(shares.total * days, gross) if gross > 0 else None,
        adjudicated=len(first), denied=len(denied), denial_rate=rate(len(denied), len(first)),
        denial_rate_dollars=rate(sum(a.denied_cents for _, a in denied), billed),
        clean=clean_claims, clean_claim_rate=rate(clean_claims, len(first)),
        payments_cents=payments, payer_payments_cents=payer_payments, patient_payments_cents=patient_payments,
        charges_cents=charges, contractual_cents=contractual, patient_cents=patient,
        net_collection_rate=rate(payments, charges - contractual) if charges - contractual > 0 else None,
        payer_collection_rate=(rate(payer_payments, charges - contractual - patient)
                               if charges - contractual - patient > 0 else None),
        patient_collection_rate=rate(patient_payments, patient) if patient > 0 else None,
        days_to_payment=mean_days(waits), median_days_to_payment=median_days(waits), paid_claims=len(waits),
    )


def run(conn: sqlite3.Connection, query: Query) -> dict[str, Any]:
    ledger = load_ledger(conn, query.payer_pk)
    firsts = first_adjudications(ledger)
    aging = snapshot(conn, query, period=False)
    total = kpis(ledger, ledger.claims.values(), firsts, query, Shares.of(aging["buckets"]))
    appeals = appeal_report.cohort(conn, query)
    outcomes = appeal_report.Outcomes()
    for a in appeals:
        outcomes.add(a)
    start, end = window(query)
    t = targets()
    figures = [
        Figure("ar_balance", "Open AR", money(total.ar_cents), MONEY),
        Figure("days_in_ar", "Days in AR (HFMA, net of contractual adjustments)", total.days_in_ar, DAYS,
               t.get("days_in_ar"), f"average daily charges of {start} to {end}"),
        Figure("days_in_ar_gross", "Days in AR (gross charges)", total.days_in_ar_gross, DAYS,
               None, f"average daily charges of {start} to {end}"),
        Figure("payer_ar_balance", "Open AR owed by payers (less what patients still owe)",
               money(total.payer_ar_cents), MONEY),
        Figure("days_in_payer_ar", "Days in AR owed by payers", total.days_in_payer_ar, DAYS, None,
               "the patients' open share is left out"),
        Figure("ar_over_90", "Share of AR over 90 days", total.over_90_rate, RATE, t.get("ar_over_90")),
        Figure("ar_over_120", "Share of AR over 120 days", total.over_120_rate, RATE, t.get("ar_over_120")),
        Figure("claims_adjudicated", "Claims first adjudicated", total.adjudicated, COUNT),
        Figure("denial_rate", "Initial denial rate (claims)", total.denial_rate, RATE, t.get("denial_rate")),
        Figure("denial_rate_dollars", "Initial denial rate (dollars)", total.denial_rate_dollars, RATE,
               t.get("denial_rate")),
        Figure("clean_claim_rate", "Clean-claim rate", total.clean_claim_rate, RATE,
               t.get("clean_claim_rate"), "first adjudication without a denial, never reworked"),
        Figure("net_collection_rate", "Net collection rate", total.net_collection_rate, RATE,
               t.get("net_collection_rate"), "payer and patient payments"),
        Figure("payer_collection_rate", "Net collection rate without patient responsibility",
               total.payer_collection_rate, RATE, None, "payer payments only"),
        Figure("patient_collection_rate", "Patient collection rate", total.patient_collection_rate, RATE,
               None, "patient payments / patient responsibility"),
        Figure("days_to_payment", "Average days from submission to first payment", total.days_to_payment,
               DAYS),
        Figure("median_days_to_payment", "Median days from submission to first payment",
               total.median_days_to_payment, DAYS),
        Figure("appeal_overturn_rate", "Appeal overturn rate", outcomes.overturn_rate, RATE,
               t.get("appeal_overturn_rate"), "(won + partly won) / decided"),
    ]
    section = Section("by_payer", "By payer", [
        Column("payer", "Payer"), Column("ar_balance", "Open AR", MONEY),
        Column("payer_ar_balance", "Owed by payer", MONEY),
        Column("ar_over_90", "AR > 90 days", RATE), Column("ar_over_120", "AR > 120 days", RATE),
        Column("days_in_ar", "Days in AR", DAYS), Column("claims_adjudicated", "Claims adjudicated", COUNT),
        Column("denial_rate", "Denial rate", RATE), Column("clean_claim_rate", "Clean-claim rate", RATE),
        Column("net_collection_rate", "Net collection rate", RATE),
        Column("days_to_payment", "Days to payment (avg)", DAYS),
        Column("median_days_to_payment", "Days to payment (median)", DAYS),
        Column("paid_claims", "Claims paid", COUNT)])
    shares_by_payer = {row["payer"]: Shares.of(row["buckets"]) for row in aging["by_payer"]}
    by_payer: dict[str, list[ClaimRow]] = defaultdict(list)
    for claim in ledger.claims.values():
        by_payer[claim.payer].append(claim)
    rows = []
    for payer, claims in by_payer.items():
        k = kpis(ledger, claims, firsts, query, shares_by_payer.get(payer, Shares(0, 0, 0)))
        if not (k.ar_cents or k.adjudicated or k.paid_claims or k.charges_cents):
            continue
        rows.append((payer, k))
    for payer, k in sorted(rows, key=lambda r: (-r[1].ar_cents, r[0])):
        section.add(payer, k.ar_cents, k.payer_ar_cents, k.over_90_rate, k.over_120_rate, k.days_in_ar,
                    k.adjudicated, k.denial_rate, k.clean_claim_rate, k.net_collection_rate,
                    k.days_to_payment, k.median_days_to_payment, k.paid_claims)
    components = Section("components", "How the figures were computed", [
        Column("figure", "Figure"), Column("numerator", "Numerator"), Column("denominator", "Denominator"),
        Column("from", "Window from", DATE), Column("to", "Window to", DATE)])
    components.add("days_in_ar", f"open AR {fmt(total.ar_cents)} x {(end - start).days + 1} days",
                   "charges - contractual adjustments, service in the window", start.isoformat(),
                   end.isoformat())
    adjudicated = f"{total.adjudicated} claims adjudicated"
    components.add("denial_rate", f"{total.denied} claims with a denial", adjudicated, None, None)
    components.add("clean_claim_rate", f"{total.clean} clean claims", adjudicated, None, None)
    components.add("net_collection_rate", f"payer payments {fmt(total.payer_payments_cents)} + patient "
                   f"payments {fmt(total.patient_payments_cents)}",
                   f"charges {fmt(total.charges_cents)} - contractual {fmt(total.contractual_cents)}",
                   None, None)
    components.add("patient_collection_rate", f"patient payments {fmt(total.patient_payments_cents)}",
                   f"patient responsibility {fmt(total.patient_cents)}", None, None)
    components.add("appeal_overturn_rate", f"{outcomes.won + outcomes.partly_won} won or partly won",
                   f"{outcomes.decided} decided", None, None)
    empty = not ledger.claims
    return result(query, empty=empty, figures=figures, sections=[section, components],
                  window={"from": start.isoformat(), "to": end.isoformat()})
