"""Building the sample database: write the sources, then import them as a user would.

The database is built beside the target under a temporary name and moved into place only
when every file imported cleanly, so a failed or interrupted build never leaves half a
sample (or a broken database) where the user's database was. An existing database is
replaced only when it is itself a sample.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.paths import Locations
from assistant.sample.inputs import load_profile
from assistant.sample.sources import Sources, generate_sources

DEFAULT_SEED = 20261126
DEFAULT_CLAIMS = 3000
Progress = Callable[[int, int], None]

# Shares of the progress bar: writing the files, then importing each kind.
_SCALE = 1000
_GENERATE = 350
_RANK = 800  # progress scale: generate, import, then rank


class NotASample(AssistantError):
    title = "Not a sample"


def is_sample_database(path: Path) -> bool:
    """Whether `path` is a database the sample builder made (meta key `sample` = 1)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'sample'").fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return row is not None and row[0] == "1"


def _remove_database(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        candidate.unlink(missing_ok=True)


def build_sample(
    locations: Locations,
    *,
    today: date,
    claims: int = DEFAULT_CLAIMS,
    seed: int = DEFAULT_SEED,
    user: str,
    progress: Progress = lambda _done, _total: None,
) -> dict[str, Any]:
    """Write the synthetic practice's files and import them into `locations.db`.

    Returns the summary `sample --json` prints: claims, patients, payers, documents,
    denied_claims and the rest of `Services.summary`, plus how it was built.
    """
    if claims < 1:
        raise AssistantError("the sample needs at least 1 claim")
    target = locations.db
    if target.exists() and not is_sample_database(target):
        raise NotASample(f"{target} is not a sample database; it was left untouched "
                         "(choose another --db for the sample)")
    started = time.monotonic()
    profile = load_profile()
    remit_writer = _remit_writer(profile.practice)

    def generating(done: int, total: int) -> None:
        progress(done * _GENERATE // max(total, 1), _SCALE)

    sources = generate_sources(profile, locations.sample_sources_dir, today=today, claims=claims,
                               seed=seed, remit_writer=remit_writer, progress=generating)
    generated = time.monotonic()
    building = target.with_name(f".{target.name}.building")
    _remove_database(building)
    try:
        _import_all(building, sources, today=today, seed=seed, user=user,
                    playbook_files=locations.playbook_files, progress=progress)
        # The old sample's log must not be replayed onto the new file; the file itself is
        # swapped in one step, so a build killed at any point leaves one whole database.
        Path(f"{target}-wal").unlink(missing_ok=True)
        Path(f"{target}-shm").unlink(missing_ok=True)
        os.replace(building, target)
    finally:
        _remove_database(building)
    progress(_SCALE, _SCALE)
    from assistant.services import Services

    svc = Services(locations, today=today, user=user)
    try:
        summary = svc.summary()
    finally:
        svc.close()
    finished = time.monotonic()
    stats = sources.stats
    summary.update({
        "seed": seed,
        "today": today.isoformat(),
        "sources": str(sources.folder),
        "lines": stats["lines"],
        "files": {
            "837": len(sources.batches), "835": len(sources.remittances), "notes": len(sources.notes),
            "authorizations": 1 if sources.authorizations else 0, "settings": 1,
            "payments": len(sources.patient_payments),
        },
        # Claims carrying each planted kind (planted.json), not the episodes it was planted in.
        "planted": dict(sorted(Counter(k for kinds in sources.planted.values() for k in kinds).items())),
        "seconds": {"generate": round(generated - started, 1), "import": round(finished - generated, 1)},
        "bytes": {"database": target.stat().st_size, "sources": _folder_size(sources.folder)},
    })
    return summary


def _remit_writer(practice: dict[str, str]) -> Callable[[Any, int], str]:
    from assistant.remit.writer import write_835

    def write(remittance: Any, control_number: int) -> str:
        made = remittance.production_date
        return write_835([remittance], sender_id=remittance.payer_id or "PAYER",
                         receiver_id=practice["npi"], control_number=control_number,
                         when=datetime(made.year, made.month, made.day, 21, 0))

    return write


def _import_all(path: Path, sources: Sources, *, today: date, seed: int, user: str,
                playbook_files: Sequence[Path], progress: Progress) -> None:
    """Import every source file in the order a practice would: settings, claims, notes,
    authorizations, the payers' remittances, then the patients' payments; then rank the
    claims, so the first worklist opens at once instead of assessing every open claim."""
    from assistant.ingest import import_file, parser_for
    from assistant.ranking import ensure_current
    from assistant.remit.service import import_835
    from assistant.storage import open_database, transaction

    steps: list[tuple[str, Path, Callable[[sqlite3.Connection, Path], Any]]] = []

    def importer(kind: str) -> Callable[[sqlite3.Connection, Path], Any]:
        parser = parser_for(kind)
        return lambda conn, file: import_file(conn, file, kind, parser, user)

    steps.append(("settings", sources.settings, importer("settings")))
    claims, notes = importer("837"), importer("notes")
    steps.extend(("837", p, claims) for p in sources.batches)
    steps.extend(("notes", p, notes) for p in sources.notes)
    if sources.authorizations is not None:
        steps.append(("auths", sources.authorizations, importer("auths")))
    steps.extend(("835", p, lambda conn, file: import_835(conn, file, user=user))
                 for p in sources.remittances)
    payments = importer("payments")
    steps.extend(("payments", p, payments) for p in sources.patient_payments)
    conn = open_database(path, create=True)
    try:
        conn.execute("PRAGMA synchronous = OFF")  # a throwaway file until it is moved into place
        for done, (kind, file, run) in enumerate(steps, 1):
            result = run(conn, file)
            _check(kind, file, result)
            progress(_GENERATE + done * (_RANK - _GENERATE) // len(steps), _SCALE)
        ensure_current(conn, today, playbook_files,
                       lambda done, total: progress(_RANK + done * (_SCALE - _RANK - 1) // max(total, 1),
                                                    _SCALE))
        with transaction(conn):
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [("sample", "1"), ("sample_seed", str(seed)), ("sample_today", today.isoformat()),
                 ("sample_sources", str(sources.folder))],
            )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _check(kind: str, file: Path, result: Any) -> None:
    """The sample's own files must import cleanly; anything else is a bug worth stopping for."""
    outcome = result if isinstance(result, dict) else vars(result)
    if outcome.get("status") == "rejected":
        raise AssistantError(f"sample build stopped: {kind} file {file.name} was rejected "
                             f"({outcome.get('error')})")
    if kind == "835" and outcome.get("balanced") is False:
        raise AssistantError(f"sample build stopped: {file.name} does not balance")


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())

