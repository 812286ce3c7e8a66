"""Killed mid-import (SIGKILL): the database stays consistent and importing again completes it.

For each kind of import a real `ar-assistant import` process is killed at several points:
as soon as its transaction has spilled pages into the write-ahead log (so it dies with a
transaction open, which tests/wal.py confirms from the log itself), and at fractions of the
time a whole import takes (during the write, the commit or the re-ranking after it). After
each kill: SQLite's integrity and foreign-key checks pass; each file is in the database
whole, with its `import_files` row, or not at all; importing again completes it, once more
says duplicate, and leaves exactly what an import that was never killed leaves. The sample
build (`ar-assistant sample`) is killed the same way, over nothing and over an earlier
sample: the target is the earlier database whole, or the new one, never half of one.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import synthetic as syn
from tests.processes import ROOT, cli_args
from tests.wal import WalTail, wal_tail

pytestmark = pytest.mark.slow

CLAIMS = 4000
NOTE_PATIENTS = 30


@dataclass
class Case:
    """A prepared database, the import to run on it, and what that import leaves."""

    kind: str
    template: Path
    source: Path
    seconds: float  # one whole import, process start to exit
    expected: dict[str, object]
    env: dict[str, str]


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "AR_ASSISTANT_CONFIG": str(folder / "config"), "AR_ASSISTANT_USER": "tester",
            "AR_ASSISTANT_DB": str(folder / "unused.db")}


def _import_args(case: Case, db: Path) -> list[str]:
    return cli_args(db, "import", case.kind, str(case.source), "--json")


def _copy(template: Path, db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, db)


def state(db: Path) -> dict[str, object]:
    """What an import leaves, in counts and money (and the worklist a specialist sees)."""
    from datetime import date

    from assistant.paths import Locations
    from assistant.services import Services

    conn = sqlite3.connect(db)
    try:
        found: dict[str, object] = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("claims", "claim_lines", "claim_payments", "line_payments", "adjustments",
                          "documents", "import_files")}
        found["money"] = conn.execute(
            "SELECT sum(billed_cents), sum(paid_cents), sum(adjusted_cents), sum(balance_cents) FROM claims"
        ).fetchone()
        found["audit"] = conn.execute(
            "SELECT kind, count(*) FROM activities GROUP BY kind ORDER BY kind").fetchall()
    finally:
        conn.close()
    svc = Services(Locations.resolve(db), today=date(2026, 11, 26), user="tester")
    page = svc.worklist("today", limit=5)
    found["worklist"] = (page["total_claims"], page["total_balance"],
                         [row["claim_id"] for row in page["rows"]])
    svc.close()
    return found


def _prepare(folder: Path, kind: str) -> Case:
    env = _env(folder)
    template = folder / "template.db"
    subprocess.run(cli_args(template, "init"), cwd=ROOT, env=env, check=True, capture_output=True)
    if kind == "837":
        source = folder / "batch.837"
        source.write_text(syn.x837(CLAIMS, patients=200))
    else:  # the claims first; the file under test answers them or documents their patients
        billed = folder / "billed.837"
        billed.write_text(syn.x837(CLAIMS) if kind == "835" else
                          syn.x837(NOTE_PATIENTS * 3, patients=NOTE_PATIENTS))
        subprocess.run(cli_args(template, "import", "837", str(billed)), cwd=ROOT, env=env, check=True,
                       capture_output=True)
        if kind == "835":
            source = folder / "remit.835"
            source.write_text(syn.x835(CLAIMS))
        else:
            source = syn.notes_folder(folder / "notes", NOTE_PATIENTS, per_patient=2)
    whole = folder / "whole.db"
    _copy(template, whole)
    case = Case(kind, template, source, 0.0, {}, env)
    started = time.perf_counter()
    subprocess.run(_import_args(case, whole), cwd=ROOT, env=env, check=True, capture_output=True)
    case.seconds = time.perf_counter() - started
    case.expected = state(whole)
    return case


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    return {}


def _case(cases: dict[str, Case], kind: str, tmp_path_factory: pytest.TempPathFactory) -> Case:
    if kind not in cases:
        cases[kind] = _prepare(tmp_path_factory.mktemp(f"crash-{kind}"), kind)
    return cases[kind]


Trigger = Callable[[Path, float], bool]


def after_wal_bytes(size: int) -> Trigger:
    """Kill once the transaction has spilled `size` bytes of pages into the log."""
    def fire(db: Path, _elapsed: float) -> bool:
        wal = Path(f"{db}-wal")
        return wal.exists() and wal.stat().st_size >= size
    return fire


def after_share(share: float, seconds: float) -> Trigger:
    def fire(_db: Path, elapsed: float) -> bool:
        return elapsed >= share * seconds
    return fire


def kill_when(case: Case, db: Path, fire: Trigger) -> tuple[bool, WalTail]:
    """Run the import and SIGKILL it when `fire` says; (killed, what the log holds after)."""
    proc = subprocess.Popen(_import_args(case, db), cwd=ROOT, env=case.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    killed = False
    while proc.poll() is None:
        if fire(db, time.perf_counter() - started):
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.002)
    proc.wait(timeout=120)
    return killed and proc.returncode == -signal.SIGKILL, wal_tail(db)


def assert_whole_or_absent(case: Case, db: Path) -> str:
    """Integrity, and every file of the import in the database whole or not at all; returns
    "absent", "whole" or "partly" (a folder: some files in, whole, and the rest absent)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        files = conn.execute("SELECT name, records FROM import_files WHERE kind = ?", (case.kind,)).fetchall()
        if case.kind == "837":
            claims = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
            lines = conn.execute("SELECT count(*) FROM claim_lines").fetchone()[0]
            created = conn.execute("SELECT count(*) FROM activities WHERE kind = 'import'").fetchone()[0]
            assert (claims, lines, created, len(files)) in (
                (0, 0, 0, 0), (case.expected["claims"], case.expected["claim_lines"], CLAIMS, 1))
            return "whole" if files else "absent"
        if case.kind == "835":
            payments = conn.execute("SELECT count(*) FROM claim_payments").fetchone()[0]
            paid = conn.execute("SELECT sum(paid_cents) FROM claims").fetchone()[0]
            postings = conn.execute("SELECT count(*) FROM activities WHERE kind = 'posting'").fetchone()[0]
            expected_paid = case.expected["money"][1]  # type: ignore[index]
            assert (payments, paid, postings, len(files)) in ((0, 0, 0, 0), (CLAIMS, expected_paid, CLAIMS, 1))
            return "whole" if files else "absent"
        imported = {name for name, _ in files}
        by_file = dict(conn.execute("SELECT source, count(*) FROM documents GROUP BY source").fetchall())
        for path in sorted(case.source.iterdir()):
            assert by_file.get(str(path.resolve()), 0) == (1 if path.name in imported else 0), path.name
        total = len(list(case.source.iterdir()))
        return "absent" if not imported else "whole" if len(imported) == total else "partly"
    finally:
        conn.close()


def reimport(case: Case, db: Path) -> list[str]:
    done = subprocess.run(_import_args(case, db), cwd=ROOT, env=case.env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    import json

    return [result["status"] for result in json.loads(done.stdout)]


KINDS = ("837", "835", "notes")
POINTS = ("wal-256k", "wal-768k", "share-0.35", "share-0.7")


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("kind", KINDS)
def test_an_import_killed_mid_way_leaves_a_consistent_database_and_completes_when_run_again(
        cases: dict[str, Case], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
        kind: str, point: str) -> None:
    case = _case(cases, kind, tmp_path_factory)
    db = tmp_path / "ar.db"
    _copy(case.template, db)
    if point.startswith("wal"):
        fire = after_wal_bytes(1024 * int(point.removeprefix("wal-").removesuffix("k")))
    else:
        fire = after_share(float(point.split("-")[1]), case.seconds)
    killed, tail = kill_when(case, db, fire)
    if kind != "notes" and point.startswith("wal"):  # big single transactions spill before they commit
        assert killed and tail.uncommitted > 0, tail
    outcome = assert_whole_or_absent(case, db) if killed else "finished"
    print(f"{kind} {point}: killed={killed} wal={tail} -> {outcome}")

    statuses = reimport(case, db)
    if kind == "notes":
        assert set(statuses) <= {"imported", "duplicate"} and len(statuses) == len(list(case.source.iterdir()))
    else:
        assert statuses == (["duplicate"] if outcome in ("whole", "finished") else ["imported"])
    assert set(reimport(case, db)) == {"duplicate"}
    assert state(db) == case.expected


SAMPLE_CLAIMS = 400


def _sample_args(db: Path) -> list[str]:
    return cli_args(db, "sample", "--claims", str(SAMPLE_CLAIMS), "--json")


def _sample_state(db: Path) -> tuple[object, ...]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT value FROM meta WHERE key = 'sample'").fetchone() == ("1",)
        return (conn.execute("SELECT count(*), sum(billed_cents), sum(paid_cents), sum(balance_cents) "
                             "FROM claims").fetchone(),
                conn.execute("SELECT count(*) FROM documents").fetchone(),
                conn.execute("SELECT count(*) FROM claim_payments").fetchone(),
                conn.execute("SELECT count(*) FROM import_files").fetchone())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, tuple[object, ...]]:
    """One sample built whole: its file, how long the build took, and what it holds."""
    folder = tmp_path_factory.mktemp("sample-whole")
    whole = folder / "ar.db"
    started = time.perf_counter()
    subprocess.run(_sample_args(whole), cwd=ROOT, env=_env(folder), check=True, capture_output=True,
                   timeout=300)
    return whole, time.perf_counter() - started, _sample_state(whole)


@pytest.mark.parametrize("share", (0.35, 0.7, 0.95))
@pytest.mark.parametrize("over", ("nothing", "an earlier sample"))
def test_a_sample_build_killed_mid_way_leaves_no_half_database(
        built_sample: tuple[Path, float, tuple[object, ...]], tmp_path: Path, over: str, share: float) -> None:
    """The sample builds beside the target and swaps it in at the end: a kill leaves the
    earlier database whole (or none), and building again completes."""
    whole, seconds, expected = built_sample
    env = _env(tmp_path)
    db = tmp_path / "killed" / "ar.db"
    db.parent.mkdir()
    if over != "nothing":
        shutil.copy(whole, db)
    proc = subprocess.Popen(_sample_args(db), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(share * seconds)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    if db.exists():
        assert _sample_state(db) == expected  # the earlier sample, or the new one swapped in whole
    else:
        assert over == "nothing"
    done = subprocess.run(_sample_args(db), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _sample_state(db) == expected
    assert not list(db.parent.glob(".ar.db.building*"))
