"""Opening the database: owner-only file, WAL, foreign keys, migrations, busy waits."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from assistant.errors import AssistantError, DatabaseMissing
from assistant.paths import ensure_private_dir

BUSY_TIMEOUT_MS = 30_000
T = TypeVar("T")


def _create_private_file(path: Path) -> None:
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


def _tighten(path: Path) -> None:
    """SQLite creates -wal/-shm beside the file; none of them may be readable by others."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if candidate.exists() and candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except OSError:
            pass


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _until_free(step: Callable[[], T]) -> T:
    """Run `step`, again while another connection holds the lock it needs, for up to the busy
    timeout. SQLite's busy handler already waits for most locks, but not for every one
    (switching a new file to WAL while another process opens it, BEGIN IMMEDIATE on a
    snapshot another writer moved on from)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            if time.monotonic() > deadline:
                raise AssistantError(
                    "the database stayed busy for 30 seconds (another ar-assistant is writing); "
                    "try again"
                ) from None
            time.sleep(0.05)


def _use_wal(conn: sqlite3.Connection) -> None:
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("PRAGMA journal_mode = WAL")


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection in autocommit mode; writes go through `transaction()`."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    _until_free(lambda: _use_wal(conn))
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def open_database(path: Path, *, create: bool = False, migrate: bool = True) -> sqlite3.Connection:
    """Open (or with `create`, make) the database and bring its schema up to date."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise DatabaseMissing(
                f"no database at {path}; create an empty one with `ar-assistant init` "
                "or a synthetic demo with `ar-assistant sample`"
            )
        _create_private_file(path)
    try:
        conn = connect(path)
        if migrate:
            from assistant.storage.schema import migrate_to_latest

            migrate_to_latest(conn)
    except sqlite3.DatabaseError as exc:
        raise AssistantError(f"{path} is not a usable ar-assistant database ({exc})") from None
    _tighten(path)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction; everything inside commits together or not at all.

    BEGIN IMMEDIATE takes the write lock up front, so a second writer waits (busy
    timeout) instead of failing half-way with "database is locked".
    """
    if conn.in_transaction:
        raise RuntimeError("transactions do not nest; pass the open connection down instead")
    _until_free(lambda: conn.execute("BEGIN IMMEDIATE"))
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
