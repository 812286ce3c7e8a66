"""Revenue-cycle reports: AR aging, denials, KPIs, appeals, underpayments, recoupments, documentation.

`REPORTS` names each report with its title and definition (the full definitions, in the
fact sheet's terms, are in docs/reports.md); `run_report` runs one and returns JSON-ready
data: named figures, `figures` for display, `sections` of tables, and `empty` when there
was nothing to count (figures whose denominator is zero are None, never an error).
"""

from __future__ import annotations

import importlib
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.errors import InvalidInput
from assistant.reports.common import Query


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    definition: str
    module: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "definition": self.definition}


REPORTS: dict[str, ReportSpec] = {spec.name: spec for spec in (
    ReportSpec(
        "aging", "AR aging",
        "Open balances (claims with a balance above zero) in age buckets 0-30, 31-60, 61-90, 91-120 and "
        "120+ days, by payer and in total, in dollars and claims; the total is the worklist's open "
        "balance. --from/--to keep claims whose first date of service is in the period.",
        "assistant.reports.aging"),
    ReportSpec(
        "denials", "Denial analytics",
        "Initial denials: claims whose first adjudication (remittance date) is in the period, the share "
        "with a denial (a non-PR, non-contractual adjustment on a line, or a whole claim, paid nothing) "
        "and the dollars denied, by category, CARC, payer, procedure code, rendering provider and month; "
        "top root causes with the upstream fix each points to.",
        "assistant.reports.denials"),
    ReportSpec(
        "kpis", "Revenue-cycle KPIs",
        "Days in AR (HFMA: open AR / average daily charges net of contractual adjustments), % of AR over "
        "90 and 120 days, initial denial rate, clean-claim rate, net collection rate (payments / "
        "(charges - contractual adjustments)), days from submission to first payment, and appeal "
        "overturn rate, in total and by payer.",
        "assistant.reports.kpis"),
    ReportSpec(
        "appeals", "Appeal outcomes",
        "Appeals sent in the period (drafted ones by their draft date) by level, letter template, payer "
        "and denial category: decided, won, partly won, lost, overturn rate ((won + partly won) / "
        "decided) and dollars recovered.",
        "assistant.reports.appeals"),
    ReportSpec(
        "underpayments", "Underpayments",
        "Paid lines whose allowed amount (AMT*B6, else paid + patient responsibility + sequestration) is "
        "below the payer's fee schedule amount x units (load it with `ar-assistant import fee-schedule`); "
        "lines by date of service.",
        "assistant.reports.underpayments"),
    ReportSpec(
        "recoupments", "Recoupments and reversals",
        "Money payers took back: reversals of earlier payments (CLP02 22) with the correction that "
        "followed, and provider-level adjustments (PLB: positive withheld, negative added), by "
        "remittance date.",
        "assistant.reports.recoupments"),
    ReportSpec(
        "documentation", "Documentation audit",
        "By therapist, for claims with service in the period: visits without minutes, progress reports "
        "overdue, plans of care unsigned, lapsed or missing, authorizations used up, expired or missing "
        "(the rules' own checks), and the initial denied dollars of the matching category on those claims.",
        "assistant.reports.documentation"),
)}


def report_names() -> list[str]:
    return list(REPORTS)


def run_report(conn: sqlite3.Connection, name: str, *, today: date, date_from: date | None = None,
               date_to: date | None = None, payer: str | None = None) -> dict[str, Any]:
    """One report as JSON-ready data (see the module docstring and docs/reports.md)."""
    spec = REPORTS.get(name)
    if spec is None:
        raise InvalidInput(f"no report {name!r}; one of {', '.join(REPORTS)}")
    if date_from and date_to and date_to < date_from:
        raise InvalidInput(f"the period ends ({date_to}) before it starts ({date_from})")
    payer_view = None
    if payer:
        from assistant.storage.payers import resolve_payer

        payer_view = resolve_payer(conn, payer)
    query = Query(today=today, date_from=date_from, date_to=date_to, payer=payer_view)
    module = importlib.import_module(spec.module)
    data: dict[str, Any] = module.run(conn, query)
    return {"report": spec.name, "title": spec.title, "definition": spec.definition, **data}
