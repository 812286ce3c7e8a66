"""Deadlines: timely filing from the date of service, appeals from the notice (fact sheet 7.1, 7.3).

Medicare counts a redetermination's 120 days from RECEIPT of the initial determination, and a
notice is presumed received 5 days after its date (S65, S66); the payer's appeal levels say
how many days and whether the receipt rule applies.
"""

from __future__ import annotations

from datetime import date, timedelta

from assistant.rules.payer_rules import PayerRules


def add_one_year(day: date) -> date:
    """The same date a calendar year later; a Feb-29 date is due Feb-28 (S80)."""
    return add_years(day, 1)


def add_years(day: date, years: int) -> date:
    """The same date `years` calendar years later; Feb 29 becomes Feb 28 in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 2, 28)


def timely_filing_deadline(service_date: date, payer: PayerRules) -> date:
    """Last day to file a claim for a service (Part B span claims: each line's from-date)."""
    if payer.timely_filing == "one_year" or payer.timely_filing_days is None:
        return add_one_year(service_date)
    return service_date + timedelta(days=payer.timely_filing_days)


def appeal_deadline(level: int, notice_date: date, payer: PayerRules) -> date | None:
    """Last day to file appeal `level` after a notice (remittance or previous decision) dated so.

    None when the payer has no such level on file (contracted plans: per contract).
    """
    window = payer.appeal_level(level)
    if window is None:
        return None
    return notice_date + timedelta(days=window.receipt_days + window.days)


def reopening_deadline(determination_date: date, payer: PayerRules) -> date | None:
    """Medicare reopening for any reason: 1 year from the initial determination (S69, S70)."""
    if payer.reopening_days is None:
        return None
    return add_one_year(determination_date) if payer.reopening_days == 365 else \
        determination_date + timedelta(days=payer.reopening_days)


def good_cause_reopening_deadline(determination_date: date, payer: PayerRules) -> date | None:
    """Medicare reopening with good cause: up to 4 years from the initial determination (S69)."""
    years = payer.reopening_good_cause_years
    return add_years(determination_date, years) if years is not None else None


def corrected_claim_deadline(service_date: date, remit_date: date | None, payer: PayerRules) -> date:
    """Last day for a corrected (replacement) claim: the payer's own window from the remittance
    when it has one, else the timely filing limit."""
    if payer.corrected_claim_days and remit_date is not None:
        return remit_date + timedelta(days=payer.corrected_claim_days)
    return timely_filing_deadline(service_date, payer)
