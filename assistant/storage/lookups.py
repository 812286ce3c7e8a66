"""Name and id lookups for reading what people type (the chat engine's indexes, the app's claim finder)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence


def patient_names(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str, str]]:
    """(pk, account, last name, first name) of every patient."""
    for row in conn.execute("SELECT pk, account, last_name, first_name FROM patients"):
        yield int(row[0]), row[1], row[2], row[3]


def payer_names(conn: sqlite3.Connection) -> list[tuple[int, str, str, list[str]]]:
    """(pk, name, kind, aliases) of every payer, by name."""
    return [(int(r[0]), r[1], r[2], [str(a) for a in json.loads(r[3] or "[]")])
            for r in conn.execute("SELECT pk, name, kind, aliases FROM payers ORDER BY name")]


def claim_ids_among(conn: sqlite3.Connection, tokens: Iterable[str],
                    prefixes: Sequence[str] = ()) -> dict[str, str]:
    """Which typed tokens are claim ids: token -> the id as stored.

    A token matches as typed, upper-cased or lower-cased (a leading "#" dropped), through
    the unique index: one query for the whole message. A token of five characters or more
    that starts with a digit also matches with one of `prefixes` in front: people drop the
    letters of ids such as "OT2603250001" ("2603250001").
    """
    wanted = {t.lstrip("#"): t for t in tokens if t.lstrip("#")}
    if not wanted:
        return {}
    variants = {v for t in wanted for v in (t, t.upper(), t.lower())}
    prefixed = {p + t.upper(): t for t in wanted if len(t) >= 5 and t[0].isdigit() for p in prefixes}
    variants |= set(prefixed)
    marks = ",".join("?" for _ in variants)
    stored = [r[0] for r in conn.execute(f"SELECT claim_id FROM claims WHERE claim_id IN ({marks})",
                                         sorted(variants))]
    by_fold = {s.casefold(): s for s in stored}
    found = {typed: by_fold[t.casefold()] for t, typed in wanted.items() if t.casefold() in by_fold}
    for claim_id in stored:  # a token with one prefix only: two would be a guess
        token = prefixed.get(claim_id)
        if token is not None and wanted[token] not in found:
            others = [s for s in stored if prefixed.get(s) == token]
            if len(others) == 1:
                found[wanted[token]] = claim_id
    return found


_ID_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


def claim_id_prefixes(conn: sqlite3.Connection, sample: int = 200) -> list[str]:
    """The letters claim ids start with ("OT" in "OT2603250001"), from the first and the
    latest claims on file: a few index reads, whatever the size of the table."""
    rows = conn.execute(
        "SELECT claim_id FROM (SELECT claim_id FROM claims ORDER BY pk LIMIT :n) "
        "UNION SELECT claim_id FROM (SELECT claim_id FROM claims ORDER BY pk DESC LIMIT :n)", {"n": sample})
    prefixes: set[str] = set()
    for (claim_id,) in rows:
        digits = claim_id.lstrip(_ID_LETTERS)
        head = claim_id[:len(claim_id) - len(digits)]
        if 0 < len(head) <= 4 and len(digits) >= 5 and digits[0].isdigit():
            prefixes.add(head.upper())
    return sorted(prefixes)


def assignees(conn: sqlite3.Connection) -> dict[str, str]:
    """People claims are assigned to: lower-case name -> as stored."""
    rows = conn.execute("SELECT DISTINCT assignee FROM claims WHERE assignee IS NOT NULL AND assignee != ''")
    return {r[0].lower(): r[0] for r in rows}


_CLAIM_COLUMNS = """
    c.claim_id, c.dos_from, c.balance_cents, c.payer_status, c.work_status,
    p.pk AS patient_pk, p.last_name, p.first_name, p.account, y.name AS payer_name
    FROM claims c JOIN patients p ON p.pk = c.patient_pk JOIN payers y ON y.pk = c.payer_pk
"""


def claims_by_id_prefix(conn: sqlite3.Connection, prefix: str, limit: int) -> list[sqlite3.Row]:
    """Claims whose id starts with `prefix` (as typed or upper-cased), from the unique index."""
    rows: dict[str, sqlite3.Row] = {}
    for start in dict.fromkeys((prefix, prefix.upper())):
        for row in conn.execute(
            f"SELECT {_CLAIM_COLUMNS} WHERE c.claim_id >= ? AND c.claim_id < ? "
            "ORDER BY c.claim_id LIMIT ?",
            (start, start + "\U0010ffff", limit),
        ):
            rows.setdefault(row["claim_id"], row)
    return list(rows.values())[:limit]


def claims_of_patients(conn: sqlite3.Connection, patient_pks: Sequence[int],
                       per_patient: int) -> dict[int, list[sqlite3.Row]]:
    """Each patient's claims, those with money owed first, then the newest."""
    out: dict[int, list[sqlite3.Row]] = {}
    for pk in patient_pks:
        out[pk] = conn.execute(
            f"SELECT {_CLAIM_COLUMNS} WHERE c.patient_pk = ? "
            "ORDER BY c.balance_cents > 0 DESC, c.dos_from_day DESC LIMIT ?",
            (pk, per_patient),
        ).fetchall()
    return out
