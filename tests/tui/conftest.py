"""A small practice for the app's tests, and a way to drive the real app headless.

Tests are plain functions that run their Pilot scenario with `asyncio.run`, so no async
plugin is needed; every scenario waits for the app's workers, never for wall-clock time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerFailed

from assistant.services import Services
from assistant.tui.app import ArApp, make_app
from tests.builders import claim_record, post_denial, write
from tests.letter_builders import note, plan_of_care, practice

SIZE = (140, 42)
Scenario = Callable[[ArApp, Pilot[None]], Awaitable[None]]

NECESSITY_NOTE = (
    "Patient seen for therapeutic activities to restore grip and fine motor control after distal "
    "radius fracture. Skilled instruction required; patient unable to button shirt independently. "
    "Progress toward goal of independent dressing; continue plan of care."
)


def build_practice(services: Services) -> Services:
    """Five claims of three patients at three payers: two denied, three waiting."""
    conn = services.conn
    practice(conn)
    write(
        conn,
        claim_record("OT2001", account="A2001", last="Rivera", first="Maria", dos=date(2026, 9, 1),
                     minutes=[30, 15]),
        claim_record("OT2002", account="A2002", last="Chen", first="Wei", payer="Aetna", dos=date(2026, 9, 8)),
        claim_record("OT2003", account="A2003", last="Okafor", first="Ada", payer="Blue Cross Blue Shield",
                     dos=date(2026, 10, 6)),
        claim_record("OT2004", account="A2001", last="Rivera", first="Maria", dos=date(2026, 10, 13)),
        claim_record("OT2005", account="A2002", last="Chen", first="Wei", payer="Aetna", dos=date(2026, 11, 2)),
    )
    post_denial(conn, "OT2001", "CO", "50", 225.0, remarks=["N115"])
    post_denial(conn, "OT2002", "CO", "197", 225.0)
    plan_of_care(conn, date(2026, 8, 20), date(2026, 11, 20), account="A2001", certified=date(2026, 8, 25),
                 goals=["Independent dressing", "Grip strength 40 lb"])
    note(conn, date(2026, 9, 1), NECESSITY_NOTE, account="A2001", minutes=[("97530", 30), ("97110", 15)])
    return services


@pytest.fixture
def practice_services(services: Services) -> Services:
    return build_practice(services)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker runs and every message they posted has been handled."""
    app = pilot.app
    for _ in range(20):
        with contextlib.suppress(WorkerFailed):  # reported as a notification; tests assert on that
            await app.workers.wait_for_complete()
        await pilot.pause()
        if all(w.is_finished for w in app.workers):  # pending ones count as unfinished
            return


class Notes(list[tuple[str, str]]):
    """(severity, message) of every notification the app showed."""

    def text(self) -> str:
        return "\n".join(message for _, message in self)


def drive(services: Services, scenario: Scenario, size: tuple[int, int] = SIZE) -> Notes:
    """Run the real app headless on `services` through `scenario`; returns its notifications."""
    app = make_app(services)
    notes = Notes()
    shown = app.notify

    def notify(message: str, **options: object) -> None:
        notes.append((str(options.get("severity", "information")), message))
        shown(message, **options)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]

    async def main() -> None:
        async with app.run_test(size=size, notifications=True) as pilot:
            await settle(pilot)
            await scenario(app, pilot)

    asyncio.run(main())
    return notes
