"""Several processes on one database file: nothing lost, nothing posted twice, no "database is locked".

Real processes (the CLI, and workers running the services in tests/procs.py) against one
SQLite file, as when a specialist works claims while an import runs in another terminal.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from assistant.services import Services
from tests import synthetic as syn
from tests.processes import finish, start_cli, start_worker, worker_result

CLAIMS = 600
WORKED = [syn.claim_id("SYN", n) for n in range(0, 60, 2)]


@pytest.fixture
def billed(services: Services, tmp_path: Path) -> Path:
    """A database holding CLAIMS billed claims; returns the 835 file that answers them."""
    source = tmp_path / "batch.837"
    source.write_text(syn.x837(CLAIMS))
    assert services.import_paths("837", [source])[0].status == "imported"
    services.close()
    era = tmp_path / "remit.835"
    era.write_text(syn.x835(CLAIMS))
    return era


def _integrity(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def _expected_paid_cents() -> int:
    from assistant.remit.reader import read_835

    read = read_835(syn.x835(CLAIMS).encode(), "x.835")
    return sum(clp.paid_cents for rem in read.remittances for clp in rem.claims)


def test_an_835_import_while_another_process_works_the_same_claims(
        billed: Path, db_path: Path, tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    worker = start_worker("work", db_path, stop, *WORKED)
    reader = start_worker("read", db_path, stop, *WORKED)
    started = time.time()
    result = finish(start_cli(db_path, "import", "835", str(billed), "--json"))
    ended = time.time()
    stop.touch()
    work, reads = worker_result(worker), worker_result(reader)

    assert result.code == 0, result.stderr
    assert result.stderr == ""
    imported = result.json()[0]
    assert imported["status"] == "imported" and imported["matched"] == CLAIMS
    assert work["errors"] == [] and reads["errors"] == []
    assert "locked" not in work["stderr"] + reads["stderr"]
    assert work["first"] < ended and work["last"] > started  # the worker wrote while the import ran
    assert reads["reads"] > 0

    _integrity(db_path)
    conn = sqlite3.connect(db_path)
    # Every note and status change the worker made is in the audit trail ...
    assert conn.execute("SELECT count(*) FROM activities WHERE kind = 'note' AND user = 'worker'"
                        ).fetchone()[0] == work["notes"]
    assert conn.execute("SELECT count(*) FROM activities WHERE kind = 'status' AND user = 'worker'"
                        ).fetchone()[0] == work["statuses"]
    # ... its last status stands on each claim, next to what the remittance posted ...
    for claim_id, status in work["last_status"].items():
        work_status, payer_status = conn.execute(
            "SELECT work_status, payer_status FROM claims WHERE claim_id = ?", (claim_id,)).fetchone()
        assert work_status == status
        assert payer_status != "submitted"
    # ... and every claim was posted once, with the money the file holds.
    assert conn.execute("SELECT count(*) FROM claim_payments").fetchone()[0] == CLAIMS
    assert conn.execute("SELECT sum(paid_cents) FROM claims").fetchone()[0] == _expected_paid_cents()
    assert conn.execute("SELECT count(*) FROM activities WHERE kind = 'posting'").fetchone()[0] == CLAIMS
    conn.close()


def _version(db: Path, claim_id: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT version FROM claims WHERE claim_id = ?", (claim_id,)).fetchone()[0])
    finally:
        conn.close()


def _entries(db: Path, claim_id: str, kinds: tuple[str, ...]) -> list[tuple[str, str, str | None]]:
    conn = sqlite3.connect(db)
    try:
        marks = ",".join("?" for _ in kinds)
        return conn.execute(
            f"SELECT kind, field, after FROM activities WHERE claim_pk = (SELECT pk FROM claims WHERE claim_id = ?) "
            f"AND kind IN ({marks}) ORDER BY pk", (claim_id, *kinds)).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_change_one_claim_read_at_the_same_version(billed: Path, db_path: Path, round_: int) -> None:
    claim_id = syn.claim_id("SYN", 10 + round_)
    version = _version(db_path, claim_id)
    first = start_cli(db_path, "status", claim_id, "waiting_payer", "--expect-version", str(version))
    second = start_cli(db_path, "assign", claim_id, f"user{round_}", "--expect-version", str(version))
    results = [finish(first), finish(second)]

    won = [r for r in results if r.code == 0]
    lost = [r for r in results if r.code != 0]
    assert len(won) == 1 and len(lost) == 1, [(r.code, r.stderr) for r in results]
    assert lost[0].code == 1
    lines = lost[0].stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: claim {claim_id} changed since you read it")
    assert "locked" not in lost[0].stderr
    # The change that applied is in the audit trail; the refused one changed nothing.
    entries = _entries(db_path, claim_id, ("status", "assign"))
    assert len({kind for kind, _, _ in entries}) == 1
    assert _version(db_path, claim_id) > version


def test_two_processes_change_one_claim_without_a_version_both_apply(billed: Path, db_path: Path) -> None:
    claim_id = syn.claim_id("SYN", 20)
    version = _version(db_path, claim_id)
    first = start_cli(db_path, "status", claim_id, "waiting_payer")
    second = start_cli(db_path, "assign", claim_id, "jlee")
    results = [finish(first), finish(second)]
    assert [r.code for r in results] == [0, 0], [r.stderr for r in results]
    entries = _entries(db_path, claim_id, ("status", "assign", "follow_up"))
    assert ("status", "work_status", "waiting_payer") in entries
    assert ("assign", "assignee", "jlee") in entries
    assert _version(db_path, claim_id) >= version + 2


def test_the_same_file_imported_by_two_processes_at_once_is_imported_once(
        services: Services, db_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "same.837"
    source.write_text(syn.x837(300, prefix="TWICE"))
    services.close()
    procs = [start_cli(db_path, "import", "837", str(source), "--json") for _ in range(2)]
    results = [finish(p) for p in procs]
    assert [r.code for r in results] == [0, 0], [r.stderr for r in results]
    statuses = sorted(r.json()[0]["status"] for r in results)
    assert statuses == ["duplicate", "imported"]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 300
    assert conn.execute("SELECT count(*) FROM import_files").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM activities WHERE kind = 'import'").fetchone()[0] == 300
    conn.close()


def test_one_remittance_imported_by_two_processes_at_once_is_posted_once(billed: Path, db_path: Path) -> None:
    procs = [start_cli(db_path, "import", "835", str(billed), "--json") for _ in range(2)]
    results = [finish(p) for p in procs]
    assert [r.code for r in results] == [0, 0], [r.stderr for r in results]
    assert sorted(r.json()[0]["status"] for r in results) == ["duplicate", "imported"]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM claim_payments").fetchone()[0] == CLAIMS
    assert conn.execute("SELECT sum(paid_cents) FROM claims").fetchone()[0] == _expected_paid_cents()
    conn.close()


def test_processes_opening_a_new_database_at_once_create_it_once(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "ar.db"
    procs = [start_cli(db, "init", "--json") for _ in range(3)]
    results = [finish(p) for p in procs]
    assert [r.code for r in results] == [0, 0, 0], [r.stderr for r in results]
    conn = sqlite3.connect(db)
    applied = conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    from assistant.storage.schema import SCHEMA_VERSION

    assert applied == SCHEMA_VERSION
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_a_reader_waits_for_a_long_write_instead_of_failing(billed: Path, db_path: Path) -> None:
    """A writer holding the lock for a while (a big import): CLI reads and writes in other
    processes wait for it and succeed."""
    from assistant.storage import open_database, transaction

    conn = open_database(db_path)
    claim_id = syn.claim_id("SYN", 30)
    with transaction(conn):
        conn.execute("UPDATE claims SET assignee = 'holder' WHERE claim_id = ?", (claim_id,))
        reader = start_cli(db_path, "claims", "--limit", "3", "--json")
        writer = start_cli(db_path, "note", claim_id, "while another process writes")
        time.sleep(1.5)
    conn.close()
    read, wrote = finish(reader), finish(writer)
    assert read.code == 0 and read.stderr == "", read.stderr
    assert len(read.json()) == 3
    assert wrote.code == 0 and wrote.stderr == "", wrote.stderr


def test_the_app_stays_open_and_right_while_an_835_import_runs(billed: Path, db_path: Path, tmp_path: Path) -> None:
    """The terminal app open on the database (refreshing, logging notes through its own
    connection) while `import 835` runs in another terminal: no error reaches the screen,
    its notes are all kept, and its last refresh shows what the import did."""
    stop = tmp_path / "stop"
    app = start_worker("tui", db_path, stop, *WORKED[:5])
    up = Path(f"{stop}.up")
    deadline = time.monotonic() + 120
    while not up.exists():
        assert app.poll() is None and time.monotonic() < deadline, "the app did not come up"
        time.sleep(0.05)
    started = time.time()
    result = finish(start_cli(db_path, "import", "835", str(billed), "--json"))
    ended = time.time()
    stop.touch()
    shown = worker_result(app, timeout=300)
    assert result.code == 0 and result.json()[0]["status"] == "imported", result.stderr
    assert shown["errors"] == [], shown["errors"]
    assert "locked" not in shown["stderr"] and "Traceback" not in shown["stderr"]
    assert any(started < at < ended for at in shown["times"]), "the app did nothing while the import ran"
    conn = sqlite3.connect(db_path)
    notes = conn.execute("SELECT count(*) FROM activities WHERE kind = 'note' AND user = 'tui-user'").fetchone()[0]
    conn.close()
    assert notes == shown["rounds"]
    from assistant.paths import Locations
    from tests.conftest import TODAY

    fresh = Services(Locations.resolve(db_path), today=TODAY, user="tester")
    assert shown["final_total"] == fresh.worklist("today", limit=1)["total_claims"]
    fresh.close()
