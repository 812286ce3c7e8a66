"""`backup` and `restore`: checked, owner-only copies; a restore refuses what it cannot trust."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from assistant.errors import AssistantError, InvalidInput
from assistant.paths import Locations
from assistant.services import Services
from assistant.storage.db import connect
from assistant.storage.schema import SCHEMA_VERSION, STEPS, migrations, patient_payments
from tests import synthetic as syn
from tests.conftest import TODAY
from tests.processes import finish, run_cli, start_cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def filled(services: Services, tmp_path: Path) -> Services:
    source = tmp_path / "batch.837"
    source.write_text(syn.x837(40))
    assert services.import_paths("837", [source])[0].status == "imported"
    return services


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """Files must be owner-only because we make them so, not because the shell's umask says."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def counts(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT count(*) FROM claims").fetchone()[0],
                conn.execute("SELECT count(*) FROM activities").fetchone()[0])
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_is_a_checked_owner_only_file(filled: Services, tmp_path: Path, loose_umask: None) -> None:
    target = tmp_path / "copies" / "ar-copy.db"
    target.parent.mkdir(mode=0o755)
    result = filled.backup(target)
    assert result["backup"] == str(target) and result["integrity"] == "ok"
    assert (result["claims"], result["schema_version"]) == (40, SCHEMA_VERSION)
    assert mode(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["ar-copy.db"]  # no partial, no -wal
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 40
    conn.close()
    with pytest.raises(InvalidInput, match="already exists"):
        filled.backup(target)


def test_the_default_backup_folder_is_private_and_names_carry_the_time(filled: Services,
                                                                       loose_umask: None) -> None:
    result = filled.backup()
    path = Path(result["backup"])
    assert path.parent == filled.locations.db.parent / "backups"
    assert mode(path.parent) == 0o700 and mode(path) == 0o600
    assert path.name.startswith("ar-assistant-") and path.suffix == ".db"


def test_a_backup_into_a_missing_folder_is_refused(filled: Services, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such folder"):
        filled.backup(tmp_path / "nowhere" / "x.db")


def test_a_backup_taken_while_another_process_imports_is_consistent(filled: Services, db_path: Path,
                                                                    tmp_path: Path) -> None:
    source = tmp_path / "more.837"
    source.write_text(syn.x837(1500, prefix="MORE"))
    importer = start_cli(db_path, "import", "837", str(source))
    copies = [filled.backup(tmp_path / f"during{i}.db") for i in range(3)]
    assert finish(importer).code == 0
    for copy in copies:
        conn = sqlite3.connect(copy["backup"])
        more = conn.execute("SELECT count(*) FROM claims WHERE claim_id LIKE 'MORE%'").fetchone()[0]
        files = conn.execute("SELECT count(*) FROM import_files WHERE name = 'more.837'").fetchone()[0]
        assert (more, files) in ((0, 0), (1500, 1))  # the import is in a copy whole, or not at all
        conn.close()


def test_restore_brings_back_the_backup_and_keeps_the_current_database(filled: Services,
                                                                      tmp_path: Path, loose_umask: None) -> None:
    saved = filled.backup(tmp_path / "saved.db")
    filled.note(syn.claim_id("SYN", 1), "a note made after the backup")
    after_backup = counts(filled.locations.db)
    result = filled.restore(Path(saved["backup"]))
    assert result["integrity"] == "ok" and result["migrations_applied"] == 0
    kept = Path(result["previous_kept_as"])
    assert kept.parent == filled.locations.db.parent and mode(kept) == 0o600
    assert counts(kept) == after_backup  # what was there before the restore, note included
    claims, activities = counts(filled.locations.db)
    assert claims == 40 and activities == saved["activities"] + 1  # + the restore's own entry
    entry = filled.conn.execute("SELECT user, kind, details FROM activities ORDER BY pk DESC LIMIT 1").fetchone()
    assert (entry["user"], entry["kind"]) == ("tester", "restore") and "saved.db" in entry["details"]
    assert mode(filled.locations.db) == 0o600
    assert not list(filled.locations.db.parent.glob(".restore-*"))


def test_another_process_with_the_database_open_sees_the_restored_data(filled: Services, tmp_path: Path) -> None:
    saved = filled.backup(tmp_path / "saved.db")["backup"]
    filled.note(syn.claim_id("SYN", 2), "made after the backup")
    other = Services(Locations.resolve(filled.locations.db), today=TODAY, user="other")
    assert len(other.history(syn.claim_id("SYN", 2))) == 2  # import + note, read before the restore
    result = run_cli(filled.locations.db, "restore", saved, "--yes", "--json")
    assert result.code == 0, result.stderr
    assert [a["kind"] for a in other.history(syn.claim_id("SYN", 2))] == ["import"]
    other.note(syn.claim_id("SYN", 2), "the other process goes on working")
    assert other.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    other.close()


def _old_database(path: Path, steps: int) -> None:
    """A database as a program with the first `steps` migrations left it, with one claim
    written off by a person (how that program recorded it: the audit entry's amount)."""
    conn = connect(path)
    registry = migrations()
    registry.apply(Database(conn, execute_plugins=False), stop_before=STEPS[steps].__name__)
    conn.execute(f"PRAGMA user_version = {steps}")
    conn.executescript("""
        INSERT INTO payers (pk, name, kind) VALUES (1, 'Medicare Part B', 'medicare');
        INSERT INTO patients (pk, account, last_name) VALUES (1, 'A1', 'QUILLFEATHER');
        INSERT INTO claims (pk, claim_id, patient_pk, payer_pk, dos_from, dos_to, dos_from_day, dos_to_day,
            billed_cents, paid_cents, adjusted_cents, balance_cents, work_status)
            VALUES (1, 'OLD1', 1, 1, '2026-01-05', '2026-01-05', 739621, 739621, 22500, 15000, 7500, 0,
                    'written_off');
        INSERT INTO activities (claim_pk, user, kind, field, before, after, details)
            VALUES (1, 'tester', 'write_off', 'balance_cents', '7500', '0', '{"amount_cents": 7500}');
    """)
    if steps > STEPS.index(patient_payments):  # that program kept the amount on the claim too
        conn.execute("UPDATE claims SET written_off_cents = 7500")
    conn.close()


@pytest.mark.parametrize("steps", range(1, SCHEMA_VERSION))
def test_an_older_backup_is_migrated_when_restored(services: Services, tmp_path: Path, steps: int) -> None:
    old = tmp_path / "old.db"
    _old_database(old, steps)
    before = digest(old)
    result = services.restore(old)
    assert (result["schema_version_found"], result["migrations_applied"]) == (steps, SCHEMA_VERSION - steps)
    assert result["schema_version"] == SCHEMA_VERSION and result["claims"] == 1
    row = services.conn.execute("SELECT written_off_cents, balance_cents FROM claims").fetchone()
    assert tuple(row) == (7500, 0)
    # Reopening the written-off claim puts back what the person wrote off.
    services.set_status("OLD1", "in_progress", reason="patient paid nothing")
    assert services.conn.execute("SELECT balance_cents, adjusted_cents FROM claims").fetchone()[:] == (7500, 0)
    assert digest(old) == before  # the backup file itself is never changed


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page + 100, min(len(data), 6 * page), 7):  # scribble over b-tree pages
        data[offset] = 0xFF
    path.write_bytes(bytes(data))


def _no_triggers(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER activities_append_only_update")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def _foreign(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE claims (id)")
    conn.commit()
    conn.close()


def _text(path: Path) -> None:
    path.write_text("claim_id,patient\nX1,QUILLFEATHER\n")


@pytest.mark.parametrize(("spoil", "message"), [
    (_corrupt, "integrity check|cannot be read"),
    (_no_triggers, "audit trail is not protected"),
    (_newer, "newer ar-assistant"),
    (_foreign, "not an ar-assistant database"),
    (_text, "not an SQLite file"),
])
def test_a_restore_refuses_what_it_cannot_trust_and_changes_nothing(filled: Services, tmp_path: Path,
                                                                  spoil, message: str) -> None:
    bad = Path(filled.backup(tmp_path / "bad.db")["backup"])
    spoil(bad)
    filled.note(syn.claim_id("SYN", 3), "still here after the refused restore")
    before = counts(filled.locations.db)
    with pytest.raises(AssistantError, match=message) as caught:
        filled.restore(bad)
    assert "\n" not in str(caught.value) and "QUILLFEATHER" not in str(caught.value)
    assert counts(filled.locations.db) == before
    assert not list(filled.locations.db.parent.glob("*.before-restore-*"))
    assert not list(filled.locations.db.parent.glob(".restore-*"))


def test_restore_asks_first_and_the_cli_errors_are_one_line(filled: Services, tmp_path: Path) -> None:
    saved = filled.backup(tmp_path / "saved.db")["backup"]
    db = filled.locations.db
    asked = run_cli(db, "restore", saved)
    assert asked.code == 1 and asked.stderr.startswith("error: restore replaces everything") and \
        len(asked.stderr.splitlines()) == 1
    for args in (("restore", str(tmp_path / "missing.db"), "--yes"), ("restore", str(tmp_path), "--yes"),
                 ("backup", saved)):
        result = run_cli(db, *args)
        assert result.code == 1 and result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    done = run_cli(db, "restore", saved, "--yes", "--json")
    assert done.code == 0 and done.json()["claims"] == 40


def test_restore_into_a_missing_database_creates_it(filled: Services, tmp_path: Path) -> None:
    saved = filled.backup(tmp_path / "saved.db")["backup"]
    fresh = Services(Locations.resolve(tmp_path / "elsewhere" / "ar.db"), today=TODAY, user="tester")
    result = fresh.restore(Path(saved))
    assert result["claims"] == 40 and mode(tmp_path / "elsewhere" / "ar.db") == 0o600
    assert mode(tmp_path / "elsewhere") == 0o700
    fresh.close()
