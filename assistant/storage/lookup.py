"""Finding claims by what a person types: a claim id's start, or a patient's name."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

_CLAIM_COLUMNS = """
    c.claim_id, c.dos_from, c.balance_cents, c.payer_status, c.work_status,
    p.pk AS patient_pk, p.last_name, p.first_name, p.account, y.name AS payer_name
    FROM claims c JOIN patients p ON p.pk = c.patient_pk JOIN payers y ON y.pk = c.payer_pk
"""


def patient_names(conn: sqlite3.Connection) -> list[tuple[int, str, str, str]]:
    """(pk, last name, first name, account) of every patient."""
    return [(pk, last, first, account) for pk, last, first, account in
            conn.execute("SELECT pk, last_name, first_name, account FROM patients")]


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
