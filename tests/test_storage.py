"""The database: owner-only files, WAL, migrations from any older version, append-only audit."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from sqlite_utils import Database

from assistant.errors import DatabaseMissing
from assistant.storage import audit, open_database, transaction
from assistant.storage.db import connect
from assistant.storage.schema import (
    SCHEMA_VERSION,
    STEPS,
    migrate_to_latest,
    migrations,
    schema_version,
)


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return sorted(
        (row[0], row[1])
        for row in conn.execute("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    )


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissing, match="ar-assistant init"):
        open_database(tmp_path / "nope.db")


def test_created_owner_only_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "private" / "ar.db"
    conn = open_database(path, create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert schema_version(conn) == SCHEMA_VERSION


@pytest.mark.parametrize("applied", range(len(STEPS)))
def test_migrations_bring_any_older_database_up_to_date(tmp_path: Path, applied: int) -> None:
    fresh = open_database(tmp_path / "fresh.db", create=True)
    old_path = tmp_path / "old.db"
    old = connect(old_path)
    registry = migrations()
    stop = STEPS[applied].__name__
    registry.apply(Database(old, execute_plugins=False), stop_before=stop)
    old.execute(f"PRAGMA user_version = {applied}")
    assert migrate_to_latest(old) == len(STEPS) - applied
    assert _schema(old) == _schema(fresh)
    assert migrate_to_latest(old) == 0


def test_newer_database_is_refused(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "a.db", create=True)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(Exception, match="newer than this program"):
        open_database(tmp_path / "a.db")


def test_audit_trail_is_append_only(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "a.db", create=True)
    with transaction(conn):
        pk = audit.record(conn, claim_pk=None, user="u", kind="note", note="hello")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE activities SET note = 'changed' WHERE pk = ?", (pk,))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM activities")
    assert conn.execute("SELECT note FROM activities").fetchone()[0] == "hello"


def test_transaction_rolls_back_everything_on_error(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "a.db", create=True)
    with pytest.raises(ValueError), transaction(conn):
        conn.execute("INSERT INTO meta VALUES ('a', '1')")
        raise ValueError("boom")
    assert conn.execute("SELECT count(*) FROM meta").fetchone()[0] == 0
