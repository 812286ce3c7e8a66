"""Name and id lookups for reading what people type (the chat engine's indexes)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator


def patient_names(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str, str]]:
    """(pk, account, last name, first name) of every patient."""
    for row in conn.execute("SELECT pk, account, last_name, first_name FROM patients"):
        yield int(row[0]), row[1], row[2], row[3]


def payer_names(conn: sqlite3.Connection) -> list[tuple[int, str, str, list[str]]]:
    """(pk, name, kind, aliases) of every payer, by name."""
    return [(int(r[0]), r[1], r[2], [str(a) for a in json.loads(r[3] or "[]")])
            for r in conn.execute("SELECT pk, name, kind, aliases FROM payers ORDER BY name")]


def claim_ids_among(conn: sqlite3.Connection, tokens: Iterable[str]) -> dict[str, str]:
    """Which typed tokens are claim ids: token -> the id as stored.

    A token matches as typed, upper-cased or lower-cased (a leading "#" dropped), through
    the unique index: one query for the whole message.
    """
    wanted = {t.lstrip("#"): t for t in tokens if t.lstrip("#")}
    if not wanted:
        return {}
    variants = {v for t in wanted for v in (t, t.upper(), t.lower())}
    marks = ",".join("?" for _ in variants)
    stored = [r[0] for r in conn.execute(f"SELECT claim_id FROM claims WHERE claim_id IN ({marks})",
                                         sorted(variants))]
    by_fold = {s.casefold(): s for s in stored}
    return {typed: by_fold[t.casefold()] for t, typed in wanted.items() if t.casefold() in by_fold}


def assignees(conn: sqlite3.Connection) -> dict[str, str]:
    """People claims are assigned to: lower-case name -> as stored."""
    rows = conn.execute("SELECT DISTINCT assignee FROM claims WHERE assignee IS NOT NULL AND assignee != ''")
    return {r[0].lower(): r[0] for r in rows}
