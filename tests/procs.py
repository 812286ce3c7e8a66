"""Worker processes for the concurrency tests: `python -m tests.procs TASK DB STOPFILE ARGS...`.

Each runs the real services against the database file until STOPFILE exists (and at least
one round), then prints one JSON line: what it did, and every error it met (message and
type). The tests start them beside a real `ar-assistant import` process.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.paths import Locations
from assistant.services import Services

TODAY = date(2026, 11, 26)
STATUSES = ("in_progress", "waiting_payer", "in_progress", "corrected_resubmitted")


def _services(db: str, user: str) -> Services:
    return Services(Locations.resolve(Path(db)), today=TODAY, user=user)


def work(db: str, stop: Path, claim_ids: list[str]) -> dict[str, Any]:
    """Notes and work-status changes on the given claims, round after round."""
    svc = _services(db, "worker")
    notes = statuses = rounds = 0
    last_status: dict[str, str] = {}
    errors: list[str] = []
    spans: list[tuple[float, float]] = []  # wall-clock start and end of each write
    while rounds == 0 or not stop.exists():
        for claim_id in claim_ids:
            status = STATUSES[(rounds + len(claim_id)) % len(STATUSES)]
            start = time.time()
            try:
                svc.note(claim_id, f"round {rounds}: called the payer")
                notes += 1
                result = svc.set_status(claim_id, status)
                if result["changes"]:
                    statuses += 1
                last_status[claim_id] = status
            except (AssistantError, sqlite3.Error) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            spans.append((start, time.time()))
        rounds += 1
    svc.close()
    return {"notes": notes, "statuses": statuses, "rounds": rounds, "last_status": last_status,
            "errors": errors, "first": spans[0][0], "last": spans[-1][1],
            "longest_wait": max(end - start for start, end in spans)}


def read(db: str, stop: Path, claim_ids: list[str]) -> dict[str, Any]:
    """What a specialist's screen reads: the worklist, claim lists, one claim in full."""
    svc = _services(db, "reader")
    reads = rounds = 0
    errors: list[str] = []
    while rounds == 0 or not stop.exists():
        for claim_id in claim_ids[:5]:
            try:
                svc.worklist("today", limit=20)
                svc.summary()
                svc.claim(claim_id)
                reads += 3
            except (AssistantError, sqlite3.Error) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
        rounds += 1
    svc.close()
    return {"reads": reads, "rounds": rounds, "errors": errors}


TASKS = {"work": work, "read": read}


def main(argv: list[str]) -> None:
    task, db, stop, *claim_ids = argv
    print("ready", flush=True)
    result = TASKS[task](db, Path(stop), claim_ids)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
