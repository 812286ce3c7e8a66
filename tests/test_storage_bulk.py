"""Bulk inserts and updates: every row lands, whatever the count against the batch size."""

from __future__ import annotations

import sqlite3

import pytest

from assistant.storage.bulk import ROWS_PER_STATEMENT, insert_rows, update_rows


@pytest.mark.parametrize("count", [0, 1, ROWS_PER_STATEMENT - 1, ROWS_PER_STATEMENT, 2 * ROWS_PER_STATEMENT + 7])
def test_every_row_is_written_and_updated(count: int) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (pk INTEGER PRIMARY KEY, a TEXT, b INTEGER, c INTEGER DEFAULT 0)")
    rows = [(i, f"x{i}", i * 10) for i in range(1, count + 1)]
    insert_rows(conn, "t", ("pk", "a", "b"), rows)
    assert conn.execute("SELECT pk, a, b FROM t ORDER BY pk").fetchall() == rows
    update_rows(conn, "t", ("b", "a"), [(pk, b + 1, None) for pk, _a, b in rows], also="c = c + 1")
    assert conn.execute("SELECT pk, a, b, c FROM t ORDER BY pk").fetchall() == [
        (pk, None, b + 1, 1) for pk, _a, b in rows]
