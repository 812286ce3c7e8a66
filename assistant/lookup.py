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
    wanted = max(1, limit // PER_PATIENT + 1)
    near = process.extract(query, choices, scorer=fuzz.WRatio, processor=utils.default_process,
                           limit=wanted * 10, score_cutoff=MIN_SCORE)
    # WRatio finds the candidates; each typed word nearest a word of the name orders them, so
    # "watsn maria" puts Watson, Maria before Dixon, Maria (both hold "maria" exactly)
    words = utils.default_process(query).split()
    ordered = sorted(near, key=lambda hit: (_word_score(words, hit[0]), hit[1]), reverse=True)
    ranked = [(pk, score) for _, score, pk in ordered[:wanted]]
    claims = claims_of_patients(conn, [pk for pk, _ in ranked], PER_PATIENT)
    for pk, score in ranked:
        for row in claims[pk]:
            if row["claim_id"] not in seen:
                seen.add(row["claim_id"])
                found.append(_row(row, "patient", score))
    return found[:limit]


def _word_score(words: list[str], choice: str) -> float:
    """Mean over the typed words of the best match with a word of the name or account (a
    typed prefix of a word counts in full, as the user is still typing)."""
    from rapidfuzz import fuzz, utils

    tokens = utils.default_process(choice).split()
    if not words or not tokens:
        return 0.0
    best = (max(100.0 if t.startswith(w) else fuzz.ratio(w, t) for t in tokens) for w in words)
    return sum(best) / len(words)
