"""Finding a payer by what a person types: its name, an alias or its payer id."""

from __future__ import annotations

import json
import sqlite3

from assistant.domain import PayerView
from assistant.errors import NotFound
from assistant.storage.claims import payer_view


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace(".", "").split())


def all_payers(conn: sqlite3.Connection) -> list[PayerView]:
    return [payer_view(row) for row in conn.execute("SELECT * FROM payers ORDER BY name")]


def resolve_payer(conn: sqlite3.Connection, text: str) -> PayerView:
    """Exact name, alias or payer id first; then a unique name containing the text."""
    wanted = _norm(text)
    rows = conn.execute("SELECT * FROM payers ORDER BY name").fetchall()
    for row in rows:
        names = [row["name"], *json.loads(row["aliases"] or "[]")]
        if wanted in {_norm(n) for n in names} or (row["payer_id"] or "").lower() == wanted:
            return payer_view(row)
    partial = [row for row in rows if wanted and wanted in _norm(row["name"])]
    if len(partial) == 1:
        return payer_view(partial[0])
    if partial:
        candidates = ", ".join(row["name"] for row in partial)
        raise NotFound(f"payer {text!r} is ambiguous: {candidates}")
    raise NotFound(f"no payer {text!r}; `ar-assistant payers` lists them")
