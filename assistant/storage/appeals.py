"""The `appeals` table: one row per appeal letter drafted, sent and decided.

Lifecycle logic (what a decision means for the claim, next-level deadlines, audit
entries) lives in `assistant.letters.appeals`; this module only reads and writes rows,
inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.domain import AppealStatus, PayerView
from assistant.storage.claims import payer_view


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class AppealView:
    pk: int
    claim_pk: int
    claim_id: str
    level: int
    template: str
    status: AppealStatus
    drafted_date: date
    sent_date: date | None
    channel: str | None
    deadline: date | None
    letter_path: str | None
    outcome: str | None
    decided_date: date | None
    recovered_cents: int | None
    payer: PayerView
    balance_cents: int


_SELECT = """
    SELECT a.*, c.claim_id, c.balance_cents, c.payer_pk
    FROM appeals a JOIN claims c ON c.pk = a.claim_pk
"""


def _views(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[AppealView]:
    payers = {row["pk"]: payer_view(row) for row in conn.execute("SELECT * FROM payers")} if rows else {}
    return [_view(row, payers[row["payer_pk"]]) for row in rows]


def _view(row: sqlite3.Row, payer: PayerView) -> AppealView:
    return AppealView(
        pk=row["pk"], claim_pk=row["claim_pk"], claim_id=row["claim_id"], level=row["level"],
        template=row["template"], status=AppealStatus(row["status"]),
        drafted_date=date.fromisoformat(row["drafted_date"]), sent_date=_date(row["sent_date"]),
        channel=row["channel"], deadline=_date(row["deadline"]), letter_path=row["letter_path"],
        outcome=row["outcome"], decided_date=_date(row["decided_date"]),
        recovered_cents=row["recovered_cents"], payer=payer, balance_cents=row["balance_cents"],
    )


def appeals_for_claim(conn: sqlite3.Connection, claim_pk: int) -> list[AppealView]:
    """Oldest first: the last one is the appeal in progress (or the latest decided)."""
    rows = conn.execute(_SELECT + " WHERE a.claim_pk = ? ORDER BY a.level, a.pk", (claim_pk,)).fetchall()
    return _views(conn, rows)


def list_appeals(conn: sqlite3.Connection, status: AppealStatus | None = None) -> list[AppealView]:
    sql, params = _SELECT, []
    if status is not None:
        sql += " WHERE a.status = ?"
        params.append(status.value)
    sql += " ORDER BY coalesce(a.deadline, '9999'), c.claim_id, a.level"
    return _views(conn, conn.execute(sql, params).fetchall())


def sent_appeals(conn: sqlite3.Connection, claim_pks: list[int] | None = None) -> list[AppealView]:
    sql = _SELECT + " WHERE a.status = 'sent'"
    params: list[object] = []
    if claim_pks is not None:
        sql += f" AND a.claim_pk IN ({','.join('?' for _ in claim_pks)})"
        params.extend(claim_pks)
    return _views(conn, conn.execute(sql + " ORDER BY a.pk", params).fetchall())


def insert_draft(conn: sqlite3.Connection, *, claim_pk: int, level: int, template: str,
                 drafted: date, deadline: date | None, path: Path | None) -> int:
    cur = conn.execute(
        "INSERT INTO appeals (claim_pk, level, template, status, drafted_date, deadline, letter_path) "
        "VALUES (?, ?, ?, 'drafted', ?, ?, ?)",
        (claim_pk, level, template, drafted.isoformat(), deadline.isoformat() if deadline else None,
         str(path) if path else None),
    )
    return int(cur.lastrowid or 0)


def redraft(conn: sqlite3.Connection, pk: int, *, template: str, drafted: date,
            deadline: date | None, path: Path | None) -> None:
    conn.execute(
        "UPDATE appeals SET template = ?, drafted_date = ?, deadline = ?, letter_path = ? WHERE pk = ?",
        (template, drafted.isoformat(), deadline.isoformat() if deadline else None,
         str(path) if path else None, pk),
    )


def mark_sent(conn: sqlite3.Connection, pk: int, sent: date, channel: str) -> None:
    conn.execute("UPDATE appeals SET status = 'sent', sent_date = ?, channel = ? WHERE pk = ?",
                 (sent.isoformat(), channel, pk))


def mark_decided(conn: sqlite3.Connection, pk: int, outcome: str, decided: date,
                 recovered_cents: int | None) -> None:
    conn.execute(
        "UPDATE appeals SET status = 'decided', outcome = ?, decided_date = ?, recovered_cents = ? "
        "WHERE pk = ?",
        (outcome, decided.isoformat(), recovered_cents, pk),
    )


@dataclass(frozen=True)
class RemittanceOutcome:
    """What one live remittance said about a claim: its payment and its adjustments."""

    claim_payment_pk: int
    day: date
    paid_cents: int
    adjustments: tuple[tuple[str, str, int], ...]  # (group, reason, amount_cents)


def remittances_since(conn: sqlite3.Connection, claim_pk: int, since: date) -> list[RemittanceOutcome]:
    """Live postings for the claim dated after `since` (the day the appeal was sent)."""
    rows = conn.execute(
        """
        SELECT cp.pk, coalesce(r.payment_date, r.production_date) AS day, cp.paid_cents
        FROM claim_payments cp JOIN remittances r ON r.pk = cp.remittance_pk
        WHERE cp.claim_pk = ? AND cp.reversed_by_pk IS NULL AND cp.status_code != '22'
          AND coalesce(r.payment_date, r.production_date) > ?
        ORDER BY day, cp.pk
        """,
        (claim_pk, since.isoformat()),
    ).fetchall()
    outcomes = []
    for pk, day, paid in rows:
        adjustments = tuple(
            (group, reason, amount) for group, reason, amount in conn.execute(
                "SELECT group_code, reason_code, amount_cents FROM adjustments "
                "WHERE claim_payment_pk = ? ORDER BY pk", (pk,))
        )
        outcomes.append(RemittanceOutcome(pk, date.fromisoformat(day), paid, adjustments))
    return outcomes


def set_claim_follow_up(conn: sqlite3.Connection, claim_pk: int, *, work_status: str | None,
                        follow_up: date | None) -> None:
    """Work status and follow-up date after an appeal step; bumps the claim's version."""
    conn.execute(
        "UPDATE claims SET work_status = coalesce(?, work_status), follow_up_date = ?, "
        "follow_up_day = ?, version = version + 1, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE pk = ?",
        (work_status, follow_up.isoformat() if follow_up else None,
         follow_up.toordinal() if follow_up else None, claim_pk),
    )


def denial_notice(conn: sqlite3.Connection, claim_pk: int) -> tuple[date | None, str | None]:
    """Date and payer claim number of the latest live remittance for the claim."""
    row = conn.execute(
        """
        SELECT coalesce(r.payment_date, r.production_date), cp.payer_claim_number
        FROM claim_payments cp JOIN remittances r ON r.pk = cp.remittance_pk
        WHERE cp.claim_pk = ? AND cp.reversed_by_pk IS NULL AND cp.status_code != '22'
        ORDER BY coalesce(r.payment_date, r.production_date) DESC, cp.pk DESC LIMIT 1
        """,
        (claim_pk,),
    ).fetchone()
    if row is None:
        return None, None
    return _date(row[0]), row[1]
