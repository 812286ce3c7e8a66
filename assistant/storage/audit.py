"""The append-only audit trail: who changed what on which claim, with before and after.

Triggers in the schema refuse UPDATE and DELETE on `activities`; this module only adds.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from assistant.domain import ActivityView


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def describe_change(field: str, before: object, after: object) -> str:
    """A change as people read it: "work status new -> written_off", "balance $35.00 -> $0.00"
    (money fields are stored in cents: `balance_cents`)."""
    name = field.removesuffix("_cents").replace("_", " ")
    if field.endswith("_cents"):
        return f"{name} {_money(before)} -> {_money(after)}"
    return f"{name} {_shown(before)} -> {_shown(after)}"


def _shown(value: object) -> object:
    return "none" if value in (None, "") else value


def _money(cents: object) -> str:
    from assistant.money import fmt

    text = str(cents if cents is not None else "0")
    return fmt(int(text)) if text.lstrip("-").isdigit() else text


def record(
    conn: sqlite3.Connection,
    *,
    claim_pk: int | None,
    user: str,
    kind: str,
    field: str | None = None,
    before: object = None,
    after: object = None,
    note: str | None = None,
    details: Mapping[str, object] | None = None,
) -> int:
    """Append one entry; call inside the transaction that makes the change."""
    cur = conn.execute(
        "INSERT INTO activities (claim_pk, user, kind, field, before, after, note, details) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            claim_pk,
            user,
            kind,
            field,
            _text(before),
            _text(after),
            note,
            json.dumps(dict(details), sort_keys=True, default=str) if details else None,
        ),
    )
    return int(cur.lastrowid or 0)


def history(conn: sqlite3.Connection, claim_pk: int) -> list[ActivityView]:
    rows = conn.execute(
        "SELECT * FROM activities WHERE claim_pk = ? ORDER BY pk", (claim_pk,)
    ).fetchall()
    return [
        ActivityView(
            pk=row["pk"],
            at=row["at"],
            user=row["user"],
            kind=row["kind"],
            field=row["field"],
            before=row["before"],
            after=row["after"],
            note=row["note"],
            details=json.loads(row["details"]) if row["details"] else {},
        )
        for row in rows
    ]


class Entry(NamedTuple):
    """One audit entry for `record_many`; the same fields as `record` takes."""

    claim_pk: int | None
    user: str
    kind: str
    field: str | None = None
    before: object = None
    after: object = None
    note: str | None = None
    details: Mapping[str, object] | str | None = None  # str: already JSON, keys sorted


def record_many(conn: sqlite3.Connection, entries: Iterable[Entry]) -> None:
    """Append many entries at once (a remittance posts thousands); same format as `record`."""
    from assistant.storage.bulk import insert_rows

    insert_rows(conn, "activities", ("claim_pk", "user", "kind", "field", "before", "after", "note",
                                     "details"), [
        (e.claim_pk, e.user, e.kind, e.field, _text(e.before), _text(e.after), e.note,
         e.details if isinstance(e.details, str) or not e.details
         else json.dumps(dict(e.details), sort_keys=True, default=str))
        for e in entries
    ])
