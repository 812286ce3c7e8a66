"""Jump to a claim by typing part of its id or its patient's name, misspelt or not."""

from __future__ import annotations

import sqlite3
from typing import Any

from assistant.money import as_number
from assistant.storage.lookups import claims_by_id_prefix, claims_of_patients, patient_names

MIN_SCORE = 60.0
PER_PATIENT = 3


def _row(row: sqlite3.Row, match: str, score: float) -> dict[str, Any]:
    return {
        "claim_id": row["claim_id"],
        "patient": f"{row['last_name']}, {row['first_name']}".strip(", "),
        "account": row["account"],
        "payer": row["payer_name"],
        "dos": row["dos_from"],
        "balance": as_number(row["balance_cents"]),
        "status": row["payer_status"],
        "work_status": row["work_status"],
        "match": match,
        "score": round(score, 1),
    }


def find_claims(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Claims whose id starts with `text`, then claims of the patients whose name or account
    is nearest to it (rapidfuzz WRatio over "last, first" and "first last"), best first."""
    from rapidfuzz import fuzz, process, utils

    query = text.strip()
    if not query:
        return []
    found = [_row(r, "claim", 100.0) for r in claims_by_id_prefix(conn, query, limit)]
    seen = {r["claim_id"] for r in found}
    patients = patient_names(conn)
    choices = {pk: f"{last}, {first} {first} {last} {account}" for pk, account, last, first in patients}
    best = process.extract(query, choices, scorer=fuzz.WRatio, processor=utils.default_process,
                           limit=max(1, limit // PER_PATIENT + 1), score_cutoff=MIN_SCORE)
    ranked = [(pk, score) for _, score, pk in best]
    claims = claims_of_patients(conn, [pk for pk, _ in ranked], PER_PATIENT)
    for pk, score in ranked:
        for row in claims[pk]:
            if row["claim_id"] not in seen:
                seen.add(row["claim_id"])
                found.append(_row(row, "patient", score))
    return found[:limit]
