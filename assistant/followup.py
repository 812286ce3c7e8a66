"""Working a claim: notes with call details, work status, follow-up date (tickler), assignee.

Every function writes inside the caller's transaction and appends to the audit trail who
changed what, with before and after. Given `expected_version` (the claim's version when the
user read it), a function refuses with `StaleWrite` if someone changed the claim since.
Changing a claim bumps its version; a note alone does not (it changes no field).

A write-off needs a reason and moves the balance to `adjusted_cents`, and records it in
`written_off_cents` so recomputing the claim (a later 835, a patient payment) keeps it;
leaving `written_off` puts back what the last write-off took. Setting `waiting_payer`, `appealed`
or `corrected_resubmitted` without a follow-up date sets one (data/ranking.toml [tickler])
so the claim comes back when the payer should have answered; `written_off` and `closed`
clear it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from assistant.domain import CLOSED_WORK_STATUSES, WorkStatus
from assistant.errors import InvalidInput, NotFound, StaleWrite
from assistant.storage import audit

MAX_NOTE = 4000


@dataclass(frozen=True)
class Change:
    """One field of one claim, as the audit trail records it."""

    claim_id: str
    field: str
    before: object
    after: object


def _claim(conn: sqlite3.Connection, claim_pk: int, expected_version: int | None) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT pk, claim_id, version, work_status, follow_up_date, assignee, balance_cents, "
        "adjusted_cents, written_off_cents FROM claims WHERE pk = ?", (claim_pk,)).fetchone()
    if row is None:
        raise NotFound(f"no claim with key {claim_pk}")
    if expected_version is not None and row["version"] != expected_version:
        raise StaleWrite(f"claim {row['claim_id']} changed since you read it (version "
                         f"{expected_version}, now {row['version']}); nothing was saved; reload it")
    return row


def _write(conn: sqlite3.Connection, row: sqlite3.Row, values: Mapping[str, Any], *, user: str,
           kind: str, note: str | None = None, details: Mapping[str, object] | None = None) -> list[Change]:
    """Set changed columns, bump the version once, and audit each field."""
    changed = {col: value for col, value in values.items() if row[col] != value}
    if not changed:
        return []
    columns = dict(changed)
    if "follow_up_date" in columns:
        value = columns["follow_up_date"]
        columns["follow_up_day"] = date.fromisoformat(value).toordinal() if value else None
    sets = ", ".join(f"{col} = ?" for col in columns)
    conn.execute(
        f"UPDATE claims SET {sets}, version = version + 1, "
        f"updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE pk = ?",
        (*columns.values(), row["pk"]))
    changes = []
    for col, after in changed.items():
        audit.record(conn, claim_pk=row["pk"], user=user, kind=kind, field=col, before=row[col],
                     after=after, note=note, details=details)
        changes.append(Change(row["claim_id"], col, row[col], after))
    return changes


def _clean(text: str | None, what: str, *, required: bool = False, limit: int = 200) -> str | None:
    value = " ".join(text.split()) if text is not None and what != "note" else (text or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"a {what} is required")
        return None
    if len(value) > limit:
        raise InvalidInput(f"the {what} is longer than {limit} characters")
    return value


def add_note(conn: sqlite3.Connection, claim_pk: int, text: str, *, user: str, today: date,
             rep: str | None = None, reference: str | None = None, outcome: str | None = None,
             promised: date | None = None, follow_up: date | None = None,
             expected_version: int | None = None, details: Mapping[str, object] | None = None
             ) -> list[Change]:
    """A note, with the call's details when it records one (payer representative, reference
    number, outcome, the date the payer promised). A promised date with no follow-up date
    given becomes the follow-up date, when it is after today."""
    row = _claim(conn, claim_pk, expected_version)
    body = _clean(text, "note", required=True, limit=MAX_NOTE)
    call = {"rep": _clean(rep, "representative name"), "reference": _clean(reference, "reference number"),
            "outcome": _clean(outcome, "outcome"),
            "promised_date": promised.isoformat() if promised else None}
    info = {k: v for k, v in {**call, **(details or {})}.items() if v is not None}
    audit.record(conn, claim_pk=claim_pk, user=user, kind="note", note=body, details=info or None)
    changes = [Change(row["claim_id"], "note", None, body)]
    if follow_up is None and promised is not None and promised > today:
        follow_up = promised
    if follow_up is not None:
        changes += set_follow_up(conn, claim_pk, follow_up, user=user, today=today,
                                 note="set with a note", details=details)
    return changes


def start_work(conn: sqlite3.Connection, claim_pk: int, *, user: str, why: str) -> list[Change]:
    """A `new` claim somebody has started on (an appeal drafted) is `in_progress`, so the team
    sees it is being handled; any other status is the specialist's to change. A note alone
    changes nothing: notes never conflict with another user's change."""
    row = _claim(conn, claim_pk, None)
    if row["work_status"] != WorkStatus.NEW.value:
        return []
    return _write(conn, row, {"work_status": WorkStatus.IN_PROGRESS.value}, user=user, kind="status",
                  note=f"worked: {why}")


def set_follow_up(conn: sqlite3.Connection, claim_pk: int, day: date | None, *, user: str, today: date,
                  note: str | None = None, expected_version: int | None = None,
                  details: Mapping[str, object] | None = None) -> list[Change]:
    """Set (or with None clear) the follow-up date: the claim hides from `today` until then."""
    row = _claim(conn, claim_pk, expected_version)
    if day is not None and day < today:
        raise InvalidInput(f"follow-up date {day} is in the past (today is {today})")
    if day is not None and WorkStatus(row["work_status"]) in CLOSED_WORK_STATUSES:
        raise InvalidInput(f"claim {row['claim_id']} is {row['work_status']}: reopen it before "
                           "setting a follow-up date")
    return _write(conn, row, {"follow_up_date": day.isoformat() if day else None}, user=user,
                  kind="follow_up", note=note, details=details)


def assign(conn: sqlite3.Connection, claim_pk: int, assignee: str | None, *, user: str,
           expected_version: int | None = None, details: Mapping[str, object] | None = None
           ) -> list[Change]:
    """Give the claim to a user (None: nobody)."""
    row = _claim(conn, claim_pk, expected_version)
    who = _clean(assignee, "user name", limit=80)
    return _write(conn, row, {"assignee": who}, user=user, kind="assign", details=details)


def _last_write_off(conn: sqlite3.Connection, claim_pk: int) -> int:
    row = conn.execute(
        "SELECT details FROM activities WHERE claim_pk = ? AND kind = 'write_off' "
        "AND field = 'balance_cents' ORDER BY pk DESC LIMIT 1", (claim_pk,)).fetchone()
    if row is None or not row["details"]:
        return 0
    return int(json.loads(row["details"]).get("amount_cents", 0))


def set_status(conn: sqlite3.Connection, claim_pk: int, status: WorkStatus | str, *, user: str,
               today: date, reason: str | None = None, follow_up: date | None = None,
               expected_version: int | None = None, tickler_days: Mapping[WorkStatus, int] | None = None,
               details: Mapping[str, object] | None = None) -> list[Change]:
    """Change the work status (the practice's side; the payer's status is separate)."""
    try:
        new = WorkStatus(status)
    except ValueError:
        raise InvalidInput(f"unknown work status {status!r}; one of "
                           f"{', '.join(s.value for s in WorkStatus)}") from None
    row = _claim(conn, claim_pk, expected_version)
    old = WorkStatus(row["work_status"])
    why = _clean(reason, "reason")
    if new is WorkStatus.WRITTEN_OFF and why is None:
        raise InvalidInput(f"a write-off needs a reason (claim {row['claim_id']}): say why with --reason")
    if follow_up is not None and follow_up < today:
        raise InvalidInput(f"follow-up date {follow_up} is in the past (today is {today})")
    if follow_up is not None and new in CLOSED_WORK_STATUSES:
        raise InvalidInput(f"a {new.value} claim takes no follow-up date")
    if new is old:
        changes: list[Change] = []
        if follow_up is not None:
            changes += set_follow_up(conn, claim_pk, follow_up, user=user, today=today, details=details)
        return changes
    info = dict(details or {})
    if why:
        info["reason"] = why
    changes = _write(conn, row, {"work_status": new.value}, user=user, kind="status", note=why,
                     details=info or None)
    if new is WorkStatus.WRITTEN_OFF and row["balance_cents"] > 0:
        amount = row["balance_cents"]
        money = {"balance_cents": 0, "adjusted_cents": row["adjusted_cents"] + amount,
                 "written_off_cents": row["written_off_cents"] + amount}
        changes += _money(conn, claim_pk, money, user=user, kind="write_off", note=why,
                          details={**info, "amount_cents": amount})
    elif old is WorkStatus.WRITTEN_OFF:
        amount = min(_last_write_off(conn, claim_pk), row["written_off_cents"])
        if amount > 0:
            money = {"balance_cents": row["balance_cents"] + amount,
                     "adjusted_cents": row["adjusted_cents"] - amount,
                     "written_off_cents": row["written_off_cents"] - amount}
            changes += _money(conn, claim_pk, money, user=user, kind="write_off_reversed", note=why,
                              details={**info, "amount_cents": amount})
    if new in CLOSED_WORK_STATUSES:
        if row["follow_up_date"] is not None:
            changes += set_follow_up(conn, claim_pk, None, user=user, today=today,
                                     note=f"cleared: claim {new.value}", details=details)
    else:
        due = follow_up
        days = (tickler_days or {}).get(new)
        if due is None and days is not None and not _future(row["follow_up_date"], today):
            due = today + timedelta(days=days)
        if due is not None:
            changes += set_follow_up(conn, claim_pk, due, user=user, today=today,
                                     note=None if follow_up else f"tickler for {new.value}",
                                     details=details)
    return changes


def _future(iso: str | None, today: date) -> bool:
    return iso is not None and date.fromisoformat(iso) > today


def _money(conn: sqlite3.Connection, claim_pk: int, values: Mapping[str, int], *, user: str, kind: str,
           note: str | None, details: Mapping[str, object]) -> list[Change]:
    row = _claim(conn, claim_pk, None)
    return _write(conn, row, values, user=user, kind=kind, note=note, details=details)


BULK_ACTIONS = ("status", "follow_up", "assign", "note")


def bulk(conn: sqlite3.Connection, claim_pks: Sequence[int], action: str, value: Any, *, user: str,
         today: date, reason: str | None = None,
         expected_versions: Mapping[int, int] | None = None,
         tickler_days: Mapping[WorkStatus, int] | None = None) -> list[Change]:
    """One action over a selection, all or nothing (the caller's transaction).

    `value`: a work status, a follow-up date (or None), a user name (or None), a note text.
    With `expected_versions` (claim pk -> version read), one stale claim refuses them all.
    """
    if action not in BULK_ACTIONS:
        raise InvalidInput(f"unknown bulk action {action!r}; one of {', '.join(BULK_ACTIONS)}")
    pks = list(dict.fromkeys(claim_pks))
    if not pks:
        raise InvalidInput("no claims selected")
    versions = expected_versions or {}
    info = {"bulk": len(pks)}
    changes: list[Change] = []
    for pk in pks:
        expected = versions.get(pk)
        if action == "status":
            changes += set_status(conn, pk, value, user=user, today=today, reason=reason,
                                  expected_version=expected, tickler_days=tickler_days, details=info)
        elif action == "follow_up":
            changes += set_follow_up(conn, pk, value, user=user, today=today, note=reason,
                                     expected_version=expected, details=info)
        elif action == "assign":
            changes += assign(conn, pk, value, user=user, expected_version=expected, details=info)
        else:
            changes += add_note(conn, pk, value, user=user, today=today, expected_version=expected,
                                details=info)
    return changes
