"""A few whole screens as SVG at 140x42, with fixed data and a fixed today."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from assistant.services import Services
from assistant.tui.app import ArApp
from tests.tui.conftest import drive, settle
from tests.tui.snapshots import assert_snapshot


@pytest.fixture
def fixed_history(practice_services: Services, monkeypatch: pytest.MonkeyPatch) -> Services:
    """The audit trail stamps real time; the pictures show a fixed one."""
    history = practice_services.history

    def at_noon(claim_id: str) -> list[dict[str, Any]]:
        return [{**entry, "at": "2026-11-20T12:00:00.000Z"} for entry in history(claim_id)]

    monkeypatch.setattr(practice_services, "history", at_noon)
    return practice_services


def test_worklist_screen(practice_services: Services, tmp_path: Path) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        assert_snapshot(app, "worklist", tmp_path)

    drive(practice_services, scenario)


def test_claim_screen_of_a_denied_claim(fixed_history: Services, tmp_path: Path) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        app.open_claim("OT2001")
        await settle(pilot)
        assert_snapshot(app, "claim-denied", tmp_path)

    drive(fixed_history, scenario)


def test_letter_screen(practice_services: Services, tmp_path: Path) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        app.open_claim("OT2001")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert_snapshot(app, "letter", tmp_path)

    drive(practice_services, scenario)


def test_note_dialog(practice_services: Services, tmp_path: Path) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        await pilot.press("l")
        await pilot.press(*"Called, claim in review")
        await settle(pilot)
        assert_snapshot(app, "note-dialog", tmp_path)

    drive(practice_services, scenario)
