"""Which therapy notes belong to a claim, and reading them back."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.domain import DocType
from assistant.errors import NotFound

# Without a plan of care on file, notes this far before the service still describe the episode.
EPISODE_LOOKBACK_DAYS = 90


@dataclass(frozen=True)
class DocumentView:
    pk: int
    doc_type: DocType
    doc_date: date
    author: str | None
    author_credential: str | None
    title: str | None
    text: str
    source: str | None


def _view(row: sqlite3.Row) -> DocumentView:
    return DocumentView(
        pk=row["pk"],
        doc_type=DocType(row["doc_type"]),
        doc_date=date.fromisoformat(row["doc_date"]),
        author=row["author"],
        author_credential=row["author_credential"],
        title=row["title"],
        text=row["text"],
        source=row["source"],
    )


def episode_start(conn: sqlite3.Connection, patient_pk: int, dos_from: date) -> date:
    """Start of the plan of care in effect on the first service date."""
    row = conn.execute(
        "SELECT start_date FROM plans_of_care WHERE patient_pk = ? AND start_date <= ? "
        "ORDER BY start_date DESC LIMIT 1",
        (patient_pk, dos_from.isoformat()),
    ).fetchone()
    if row is not None:
        return date.fromisoformat(row[0])
    return dos_from - timedelta(days=EPISODE_LOOKBACK_DAYS)


def documents_for_claim(
    conn: sqlite3.Connection, patient_pk: int, dos_from: date, dos_to: date
) -> list[DocumentView]:
    """The patient's notes from the start of the episode through the last service date."""
    start = episode_start(conn, patient_pk, dos_from)
    rows = conn.execute(
        "SELECT * FROM documents WHERE patient_pk = ? AND doc_date BETWEEN ? AND ? "
        "ORDER BY doc_date, pk",
        (patient_pk, start.isoformat(), dos_to.isoformat()),
    )
    return [_view(row) for row in rows]


def load_document(conn: sqlite3.Connection, pk: int) -> DocumentView:
    row = conn.execute("SELECT * FROM documents WHERE pk = ?", (pk,)).fetchone()
    if row is None:
        raise NotFound(f"no document {pk}")
    return _view(row)
