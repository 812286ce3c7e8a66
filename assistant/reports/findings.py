"""The rules' claim checks run for reports, in bulk: contexts for many claims, findings by line."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date

from assistant.rules.checks import ERROR, WARNING, check_claim
from assistant.rules.context import ClaimContext, load_contexts
from assistant.storage.claims_bulk import chunks

# Claims per bulk load: the contexts share a chunk's payer ratios and its patients' histories,
# so few large chunks of claims sorted by patient load each patient's file about once.
CONTEXT_CHUNK = 5000


def contexts(conn: sqlite3.Connection, pks: Sequence[int], today: date) -> Iterator[ClaimContext]:
    """Each claim's rules context, loaded in large chunks of claims grouped by patient."""
    patients = {pk: patient for pk, patient in conn.execute("SELECT pk, patient_pk FROM claims")}
    by_patient = sorted(pks, key=lambda pk: (patients.get(pk, 0), pk))
    for part in chunks(by_patient, CONTEXT_CHUNK):
        loaded = load_contexts(conn, part, today)
        for pk in part:
            if pk in loaded:
                yield loaded[pk]


def rules_found(conn: sqlite3.Connection, pks: Sequence[int],
                today: date) -> dict[int, dict[int | None, frozenset[str]]]:
    """Claim pk -> line number (None: the whole claim) -> the rules with an error or warning there."""
    out: dict[int, dict[int | None, frozenset[str]]] = {}
    for ctx in contexts(conn, pks, today):
        by_line: dict[int | None, set[str]] = defaultdict(set)
        for f in check_claim(ctx):
            if f.severity in (ERROR, WARNING):
                by_line[f.line].add(f.rule)
        out[ctx.claim.pk] = {line: frozenset(rules) for line, rules in by_line.items()}
    return out
