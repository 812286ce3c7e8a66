"""Accounts-receivable aging: open balances in 0-30, 31-60, 61-90, 91-120 and 120+ day buckets.

The reports engineer reuses `aging` for the aging report; the worklist screen shows it too.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from assistant.money import as_number

# (label, last day of the bucket); the last bucket has no end.
BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-30", 30), ("31-60", 60), ("61-90", 90), ("91-120", 120), ("120+", None),
)


def _bucket_sql() -> str:
    cases = " ".join(f"WHEN :t - dos_from_day <= {end} THEN {i}"
                     for i, (_, end) in enumerate(BUCKETS) if end is not None)
    return f"CASE {cases} ELSE {len(BUCKETS) - 1} END"


def _buckets(cells: dict[int, tuple[int, int]]) -> list[dict[str, Any]]:
    return [{"label": label, "balance": as_number(cells.get(i, (0, 0))[1]),
             "claims": cells.get(i, (0, 0))[0]} for i, (label, _) in enumerate(BUCKETS)]


def aging(conn: sqlite3.Connection, today: date, payer: str | None = None, *,
          service_from: date | None = None, service_to: date | None = None) -> dict[str, Any]:
    """AR aging in money and counts, overall and by payer.

    Age counts from the date of service (the claim's first service date, `dos_from`) to
    `today`, so a claim is 0 days old on its service day; a service date after `today`
    counts as 0-30. Every claim with a balance above zero is in it, whatever its work
    status, so `total_balance` is the sum of balances above zero and the buckets add up to
    it exactly in cents (the JSON shows dollars to the cent). `payer` narrows it to one
    payer (name, alias or payer id); `service_from`/`service_to` to claims whose first
    service date is in that period (the aging report's --from/--to).

    {today, payer, buckets: [{label, balance, claims}], by_payer: [{payer, payer_kind,
    buckets: [...], total_balance, total_claims}], total_balance, total_claims}; payers
    with the most money owed first.
    """
    params: dict[str, Any] = {"t": today.toordinal()}
    where = "balance_cents > 0"
    payer_name = None
    if payer is not None:
        from assistant.storage.payers import resolve_payer

        found = resolve_payer(conn, payer)
        where += " AND payer_pk = :payer"
        params["payer"] = found.pk
        payer_name = found.name
    if service_from is not None:
        where += " AND dos_from_day >= :service_from"
        params["service_from"] = service_from.toordinal()
    if service_to is not None:
        where += " AND dos_from_day <= :service_to"
        params["service_to"] = service_to.toordinal()
    by_payer: dict[int, dict[int, tuple[int, int]]] = {}
    for payer_pk, bucket, count, balance in conn.execute(
        f"SELECT payer_pk, {_bucket_sql()} AS bucket, count(*), sum(balance_cents) "
        f"FROM claims WHERE {where} GROUP BY payer_pk, bucket", params,
    ):
        by_payer.setdefault(payer_pk, {})[bucket] = (int(count), int(balance))
    payers = {pk: (name, kind) for pk, name, kind in conn.execute("SELECT pk, name, kind FROM payers")}
    overall: dict[int, tuple[int, int]] = {}
    rows = []
    for payer_pk, cells in by_payer.items():
        for bucket, (count, balance) in cells.items():
            total = overall.get(bucket, (0, 0))
            overall[bucket] = (total[0] + count, total[1] + balance)
        name, kind = payers[payer_pk]
        cents = sum(balance for _, balance in cells.values())
        rows.append((cents, name, {
            "payer": name, "payer_kind": kind, "buckets": _buckets(cells),
            "total_balance": as_number(cents),
            "total_claims": sum(count for count, _ in cells.values()),
        }))
    rows.sort(key=lambda item: (-item[0], item[1].lower()))
    return {
        "today": today.isoformat(),
        "payer": payer_name,
        "buckets": _buckets(overall),
        "by_payer": [row for _, _, row in rows],
        "total_balance": as_number(sum(balance for _, balance in overall.values())),
        "total_claims": sum(count for count, _ in overall.values()),
    }
