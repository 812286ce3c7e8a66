"""The aging report: the shared AR aging (`assistant.aging`, the worklist's) as report sections.

The figures are the worklist's own: open balances (every claim with a balance above zero)
by age from the first date of service, so the report's total is the worklist's open
balance. --from/--to keep claims whose first date of service is in the period.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from assistant.reports.common import COUNT, MONEY, RATE, Column, Figure, Query, Section, rate, result

OVER_90 = ("91-120", "120+")
OVER_120 = ("120+",)


def snapshot(conn: sqlite3.Connection, query: Query, *, period: bool = True) -> dict[str, Any]:
    """The shared aging for the query's payer (and, with `period`, its service dates)."""
    from assistant.aging import aging

    data: dict[str, Any] = aging(conn, query.today, query.payer.name if query.payer else None,
                                 service_from=query.date_from if period else None,
                                 service_to=query.date_to if period else None)
    return data


def cents(value: float) -> int:
    return round(value * 100)


@dataclass(frozen=True)
class Shares:
    """Open AR and the parts of it over 90 and over 120 days, in cents."""

    total: int
    over_90: int
    over_120: int

    @classmethod
    def of(cls, buckets: list[dict[str, Any]]) -> Shares:
        by_label = {b["label"]: cents(b["balance"]) for b in buckets}
        return cls(sum(by_label.values()), sum(by_label.get(k, 0) for k in OVER_90),
                   sum(by_label.get(k, 0) for k in OVER_120))

    @property
    def over_90_rate(self) -> float | None:
        return rate(self.over_90, self.total)

    @property
    def over_120_rate(self) -> float | None:
        return rate(self.over_120, self.total)


def run(conn: sqlite3.Connection, query: Query) -> dict[str, Any]:
    data = snapshot(conn, query)
    labels = [b["label"] for b in data["buckets"]]
    shares = Shares.of(data["buckets"])
    figures = [
        Figure("open_balance", "Open balance", data["total_balance"], MONEY),
        Figure("open_claims", "Claims with a balance", data["total_claims"], COUNT),
        Figure("ar_over_90", "Share of AR over 90 days", shares.over_90_rate, RATE),
        Figure("ar_over_120", "Share of AR over 120 days", shares.over_120_rate, RATE),
    ]
    buckets = Section("buckets", "Buckets", [
        Column("bucket", "Days since service"), Column("balance", "Balance", MONEY),
        Column("claims", "Claims", COUNT), Column("share", "Share of balance", RATE)])
    for b in data["buckets"]:
        buckets.add(b["label"], cents(b["balance"]), b["claims"], rate(cents(b["balance"]), shares.total))
    money_by_payer = Section("by_payer", "Balance by payer", [
        Column("payer", "Payer"), *(Column(f"balance_{label}", label, MONEY) for label in labels),
        Column("total", "Total", MONEY), Column("over_90", "Over 90 days", RATE)])
    claims_by_payer = Section("claims_by_payer", "Claims by payer", [
        Column("payer", "Payer"), *(Column(f"claims_{label}", label, COUNT) for label in labels),
        Column("total", "Total", COUNT)])
    for row in data["by_payer"]:
        payer_shares = Shares.of(row["buckets"])
        money_by_payer.add(row["payer"], *(cents(b["balance"]) for b in row["buckets"]),
                           cents(row["total_balance"]), payer_shares.over_90_rate)
        claims_by_payer.add(row["payer"], *(b["claims"] for b in row["buckets"]), row["total_claims"])
    money_by_payer.add("Total", *(cents(b["balance"]) for b in data["buckets"]), shares.total,
                       shares.over_90_rate)
    claims_by_payer.add("Total", *(b["claims"] for b in data["buckets"]), data["total_claims"])
    shared = {k: data[k] for k in ("buckets", "by_payer", "total_balance", "total_claims")}
    return result(query, empty=data["total_claims"] == 0, figures=figures,
                  sections=[buckets, money_by_payer, claims_by_payer], **shared)
