"""Appeal outcomes by level, letter template, payer and denial category.

The cohort is the appeals sent in the period (by sent date; an appeal not sent yet by its
draft date). Overturn rate = (won + partly won) / decided. The category is the one of the
denial the appeal answered: the claim's latest adjudication with a denial on or before the
appeal was drafted, else its first denial.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.reports.adjudication import UNCATEGORIZED, adjudications
from assistant.reports.common import (
    COUNT,
    DAYS,
    MONEY,
    RATE,
    Column,
    Figure,
    Query,
    Section,
    mean_days,
    money,
    rate,
    result,
)
from assistant.storage.reporting import AppealRow, Ledger, appeal_rows, load_ledger

WON, PARTLY_WON, LOST = "won", "partly_won", "lost"


def appeal_day(appeal: AppealRow) -> date:
    return appeal.sent_date or appeal.drafted_date


def appeal_categories(ledger: Ledger, appeals: Iterable[AppealRow]) -> dict[int, str]:
    """Appeal pk -> the category of the denial it answered."""
    out: dict[int, str] = {}
    cache: dict[int, list[tuple[date | None, str | None]]] = {}
    for appeal in appeals:
        claim = ledger.claims.get(appeal.claim_pk)
        if claim is None:
            continue
        if claim.pk not in cache:
            cache[claim.pk] = [(a.day, a.main_category) for a in adjudications(ledger, claim) if a.denied]
        denials = cache[claim.pk]
        before = [cat for day, cat in denials if day is None or day <= appeal.drafted_date]
        category = before[-1] if before else denials[0][1] if denials else claim.category
        out[appeal.pk] = category or UNCATEGORIZED
    return out


@dataclass
class Outcomes:
    appeals: int = 0
    sent: int = 0
    decided: int = 0
    won: int = 0
    partly_won: int = 0
    lost: int = 0
    pending: int = 0  # sent, no decision yet
    recovered_cents: int = 0
    days_to_decision: list[int] = field(default_factory=list)

    def add(self, appeal: AppealRow) -> None:
        self.appeals += 1
        if appeal.sent_date is not None:
            self.sent += 1
        if appeal.outcome not in (WON, PARTLY_WON, LOST):
            self.pending += 1 if appeal.sent_date is not None else 0
        else:
            self.decided += 1
            self.won += appeal.outcome == WON
            self.partly_won += appeal.outcome == PARTLY_WON
            self.lost += appeal.outcome == LOST
            if appeal.sent_date and appeal.decided_date and appeal.decided_date >= appeal.sent_date:
                self.days_to_decision.append((appeal.decided_date - appeal.sent_date).days)
        self.recovered_cents += appeal.recovered_cents or 0

    @property
    def overturn_rate(self) -> float | None:
        return rate(self.won + self.partly_won, self.decided)


COLUMNS = [Column("appeals", "Appeals", COUNT), Column("sent", "Sent", COUNT),
           Column("pending", "Awaiting decision", COUNT), Column("decided", "Decided", COUNT),
           Column("won", "Won", COUNT),
           Column("partly_won", "Partly won", COUNT), Column("lost", "Lost", COUNT),
           Column("overturn_rate", "Overturn rate", RATE), Column("recovered", "Recovered", MONEY),
           Column("days_to_decision", "Days to decision", DAYS)]


def _row(o: Outcomes) -> list[Any]:
    return [o.appeals, o.sent, o.pending, o.decided, o.won, o.partly_won, o.lost, o.overturn_rate,
            o.recovered_cents, mean_days(o.days_to_decision)]


def cohort(conn: sqlite3.Connection, query: Query) -> list[AppealRow]:
    return [a for a in appeal_rows(conn, query.payer_pk) if query.in_period(appeal_day(a))]


def run(conn: sqlite3.Connection, query: Query) -> dict[str, Any]:
    appeals = cohort(conn, query)
    ledger = load_ledger(conn, query.payer_pk) if appeals else Ledger()
    categories = appeal_categories(ledger, appeals)
    total = Outcomes()
    for a in appeals:
        total.add(a)
    figures = [
        Figure("appeals", "Appeals", total.appeals, COUNT),
        Figure("sent", "Sent", total.sent, COUNT),
        Figure("pending", "Sent, awaiting decision", total.pending, COUNT),
        Figure("decided", "Decided", total.decided, COUNT),
        Figure("won", "Won", total.won, COUNT),
        Figure("partly_won", "Partly won", total.partly_won, COUNT),
        Figure("lost", "Lost", total.lost, COUNT),
        Figure("overturn_rate", "Overturn rate", total.overturn_rate, RATE,
               note="(won + partly won) / decided"),
        Figure("recovered", "Recovered", money(total.recovered_cents), MONEY),
        Figure("days_to_decision", "Average days from sending to decision", mean_days(total.days_to_decision),
               DAYS),
    ]

    def breakdown(name: str, title: str, key: str, label: str,
                  group_of: Callable[[AppealRow], Any]) -> Section:
        section = Section(name, title, [Column(key, label, COUNT if key == "level" else "text"), *COLUMNS])
        groups: dict[Any, Outcomes] = defaultdict(Outcomes)
        for a in appeals:
            groups[group_of(a)].add(a)
        for group, o in sorted(groups.items()):
            section.add(group, *_row(o))
        return section

    sections = [
        breakdown("by_level", "By level", "level", "Level", lambda a: a.level),
        breakdown("by_template", "By letter template", "template", "Template", lambda a: a.template),
        breakdown("by_payer", "By payer", "payer", "Payer", lambda a: a.payer),
        breakdown("by_category", "By denial category", "category", "Category", lambda a: categories[a.pk]),
    ]
    return result(query, empty=not appeals, figures=figures, sections=sections)
