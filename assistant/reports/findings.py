"""The rules' claim checks run for reports, in bulk: contexts for many claims, findings by line."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date

from assistant.rules.checks import ERROR, WARNING, check_claim
from assistant.rules.context import ClaimContext, load_contexts
from assistant.storage.claims_bulk import chunks


def contexts(conn: sqlite3.Connection, pks: Sequence[int], today: date) -> Iterator[ClaimContext]:
    """Each claim's rules context, loaded a chunk at a time."""
    for part in chunks(list(pks)):
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
