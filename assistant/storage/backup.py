"""Backups and restores through SQLite's online backup API, each checked before it counts.

A backup is a consistent snapshot even while another process writes (the API copies one
read transaction), checked with `PRAGMA integrity_check`, stored as one owner-only file
(rollback journal, no -wal beside it) and only then given its name.

A restore never trusts the file it is given: it works on an owner-only copy, refuses what is
not an ar-assistant database, fails the integrity check, comes from a newer program or has
lost the audit trail's append-only triggers, migrates an older one, then keeps the current
database as a timestamped owner-only copy and copies the checked one into the live file with
the backup API (one write transaction: other processes with the database open see the old
data or the new, never a mix, and a crash leaves the old).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, InvalidInput
from assistant.paths import ensure_private_dir
from assistant.storage.db import connect, transaction
from assistant.storage.schema import MIGRATION_SET, SCHEMA_VERSION, migrate_to_latest, schema_version

SQLITE_HEADER = b"SQLite format 3\x00"
APPEND_ONLY_TRIGGERS = frozenset({"activities_append_only_update", "activities_append_only_delete",
                                  "activities_append_only_insert"})


def stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def backup_name(now: datetime) -> str:
    return f"ar-assistant-{stamp(now)}.db"


@dataclass(frozen=True)
class Checked:
    """What a database file holds, once checked: schema version and counts (no PHI)."""

    schema_version: int
    claims: int
    activities: int
    bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {"schema_version": self.schema_version, "claims": self.claims,
                "activities": self.activities, "bytes": self.bytes, "integrity": "ok"}


def _private_file(path: Path) -> None:
    """Create `path` empty, owner-only; refuses an existing file."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.fchmod(fd, 0o600)
    os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


def _integrity(conn: sqlite3.Connection, label: str, then: str = "") -> None:
    """SQLite's own checks; their messages name pages and indexes, never row contents."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
    if problems != ["ok"]:
        raise AssistantError(f"{label} fails SQLite's integrity check ({len(problems)} problem(s), "
                             f"first: {' '.join(problems[0].split())[:120]}){then}")
    if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise AssistantError(f"{label} fails SQLite's foreign key check{then}")


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def check(conn: sqlite3.Connection, label: str, path: Path) -> Checked:
    """Integrity and foreign keys of an open database; its version and counts."""
    _integrity(conn, label)
    return Checked(schema_version(conn), _count(conn, "claims"), _count(conn, "activities"),
                   path.stat().st_size)


def _snapshot(source: sqlite3.Connection, target: Path) -> None:
    """Copy `source` into the new owner-only file `target`, as one file without a -wal."""
    _private_file(target)
    out = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(out)
        out.execute("PRAGMA journal_mode = DELETE")
    finally:
        out.close()


def backup(conn: sqlite3.Connection, path: Path, now: datetime) -> dict[str, Any]:
    """Write a checked, owner-only copy of the open database to `path` (a file that does not
    exist yet, or a folder that gets `ar-assistant-<timestamp>.db`)."""
    path = Path(path).expanduser()
    target = path / backup_name(now) if path.is_dir() else path
    if target.exists():
        raise InvalidInput(f"{target} already exists; choose another name (a backup never overwrites)")
    if not target.parent.is_dir():
        raise InvalidInput(f"{target.parent}: no such folder")
    partial = target.with_name(f".{target.name}.partial")
    _remove(partial)
    try:
        _snapshot(conn, partial)
        copy = connect(partial)
        try:
            copy.execute("PRAGMA journal_mode = DELETE")
            checked = check(copy, f"the backup {target.name}", partial)
        finally:
            copy.close()
        _fsync(partial)
        os.replace(partial, target)
    except OSError as exc:
        raise AssistantError(f"cannot write the backup to {target.parent} ({exc.strerror})") from None
    finally:
        _remove(partial)
    return {"backup": str(target), **checked.as_dict()}


def default_backup_dir(db: Path) -> Path:
    return db.parent / "backups"


def _is_ours(conn: sqlite3.Connection, name: str) -> None:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    ours = "_sqlite_migrations" in tables and conn.execute(
        "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1", (MIGRATION_SET,)).fetchone()
    if not ours or not {"claims", "activities", "meta"} <= tables:
        raise InvalidInput(f"{name} is not an ar-assistant database; nothing was restored")


def _protected(conn: sqlite3.Connection, name: str) -> None:
    """The append-only triggers, checked once the file is brought up to date (older versions
    had fewer; a file that lost one was edited outside the program)."""
    triggers = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    if not triggers >= APPEND_ONLY_TRIGGERS:
        raise InvalidInput(f"{name}: its audit trail is not protected (the append-only triggers are "
                           "missing); nothing was restored")


def _readable_sqlite(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder; give the backup file") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
    if header != SQLITE_HEADER:
        raise InvalidInput(f"{path.name} is not an ar-assistant database (not an SQLite file); "
                           "nothing was restored")


def restore(live: sqlite3.Connection, db: Path, source: Path, now: datetime, user: str) -> dict[str, Any]:
    """Replace the live database's contents with the checked (and migrated) backup `source`.

    The current contents are kept first as `<db>.before-restore-<timestamp>.db` beside it.
    """
    from assistant.storage import audit

    source = Path(source).expanduser()
    _readable_sqlite(source)
    if source.resolve() == db.resolve():
        raise InvalidInput(f"{source} is the database itself; give a backup file")
    work = ensure_private_dir(db.parent) / f".restore-{stamp(now)}.db"
    _remove(work)
    try:
        try:
            original = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            try:
                _snapshot(original, work)
            finally:
                original.close()
            conn = connect(work)
        except sqlite3.DatabaseError as exc:
            raise InvalidInput(f"{source.name} cannot be read as a database ({exc}); nothing was restored"
                               ) from None
        try:
            try:
                _integrity(conn, source.name, "; nothing was restored")
                _is_ours(conn, source.name)
                found = schema_version(conn)
                if found > SCHEMA_VERSION:
                    raise InvalidInput(f"{source.name} was written by a newer ar-assistant (schema "
                                       f"{found}, this program knows {SCHEMA_VERSION}); upgrade first")
                migrated = migrate_to_latest(conn)
                _protected(conn, source.name)
            except sqlite3.DatabaseError as exc:
                raise InvalidInput(f"{source.name} cannot be read as an ar-assistant database ({exc}); "
                                   "nothing was restored") from None
            if migrated:
                _integrity(conn, f"{source.name}, brought up to date,", "; nothing was restored")
            kept = db.with_name(f"{db.name}.before-restore-{stamp(now)}.db")
            _snapshot(live, kept)
            try:
                conn.backup(live)
            except sqlite3.DatabaseError as exc:
                raise AssistantError(f"the restore failed ({exc}); the database is as it was, and "
                                     f"also kept as {kept.name}") from None
        finally:
            conn.close()
    finally:
        _remove(work)
    with transaction(live):
        audit.record(live, claim_pk=None, user=user, kind="restore",
                     note=f"database restored from {source.name}",
                     details={"from": source.name, "kept": kept.name, "schema_version_found": found,
                              "migrations_applied": migrated})
    after = check(live, "the restored database", db)
    return {"restored_from": str(source), "database": str(db), "previous_kept_as": str(kept),
            "schema_version_found": found, "migrations_applied": migrated, **after.as_dict()}
