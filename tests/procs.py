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


def tui(db: str, stop: Path, claim_ids: list[str]) -> dict[str, Any]:
    """The terminal app, headless, as a specialist keeps it open: refresh the worklist, log a
    note through the app's own connection, again and again; then one last refresh."""
    import asyncio
    import contextlib

    from textual.worker import WorkerFailed

    from assistant.tui.app import make_app

    svc = _services(db, "tui-user")
    app = make_app(svc)
    shown: list[tuple[str, str]] = []
    notify = app.notify

    def record(message: str, **options: Any) -> None:
        shown.append((str(options.get("severity", "information")), message))
        notify(message, **options)

    app.notify = record  # type: ignore[method-assign]
    found: dict[str, Any] = {"rounds": 0, "totals": [], "times": []}

    async def settle(pilot: Any) -> None:
        for _ in range(50):
            with contextlib.suppress(WorkerFailed):
                await app.workers.wait_for_complete()
            await pilot.pause()
            if all(w.is_finished for w in app.workers):
                return

    async def main() -> None:
        async with app.run_test(size=(140, 42), notifications=True) as pilot:
            await settle(pilot)
            Path(f"{stop}.up").touch()  # the app is on screen: the test starts the import now
            while found["rounds"] == 0 or not stop.exists():
                await pilot.press("r")
                await settle(pilot)
                claim_id = claim_ids[found["rounds"] % len(claim_ids)]
                await asyncio.to_thread(app.gate.call, lambda s, c=claim_id: s.note(c, "tui: called the payer"))
                found["totals"].append(app.screen.table.total)  # type: ignore[attr-defined]
                found["times"].append(time.time())
                found["rounds"] += 1
            await pilot.press("r")
            await settle(pilot)
            found["final_total"] = app.screen.table.total  # type: ignore[attr-defined]

    asyncio.run(main())
    svc.close()
    return {**found, "notifications": shown, "errors": [m for severity, m in shown if severity == "error"]}


TASKS = {"work": work, "read": read, "tui": tui}


def main(argv: list[str]) -> None:
    task, db, stop, *claim_ids = argv
    print("ready", flush=True)
    result = TASKS[task](db, Path(stop), claim_ids)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
