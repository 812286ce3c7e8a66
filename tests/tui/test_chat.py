"""The chat pane beside the list: the claim in focus goes with each question, replies move the highlight."""

from __future__ import annotations

from textual.pilot import Pilot

from assistant.services import Services
from assistant.tui.app import ArApp
from assistant.tui.screens.claim import ClaimScreen
from assistant.tui.screens.dialogs import ConfirmDialog
from assistant.tui.widgets.ranked_table import RankedTable
from tests.tui.conftest import drive, settle


def _log(app: ArApp) -> str:
    return "\n".join(str(entry.render()) for entry in app.screen.query(".chat-entry"))


async def _ask(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text, "enter")
    await settle(pilot)


def test_chat_answers_about_the_highlighted_claim_and_moves_the_highlight(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        table = app.screen.query_one(RankedTable)
        ids = [table.row(i)["claim_id"] for i in range(table.total)]  # type: ignore[index]
        table.move_to(ids.index("OT2001"))
        await pilot.press("c")
        assert app.screen.has_class("-chat")
        await _ask(pilot, "why was it denied?")
        assert "CO-50" in _log(app)
        await _ask(pilot, "next claim")
        assert table.current["claim_id"] == ids[ids.index("OT2001") + 1]  # type: ignore[index]
        await pilot.press("escape")
        assert table.has_focus and app.screen.has_class("-chat")
        await pilot.press("c")
        assert not app.screen.has_class("-chat")

    drive(practice_services, scenario)


def test_a_write_off_from_chat_asks_first(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        app.open_claim("OT2003")
        await settle(pilot)
        await pilot.press("c")
        await _ask(pilot, "write it off, small balance")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen)
        assert "Cancelled" in _log(app)

    drive(practice_services, scenario)
    assert practice_services.claim("OT2003")["work_status"] != "written_off"


def test_the_conversation_follows_to_the_claim_screen(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        await pilot.press("c")
        await _ask(pilot, "what should I do with OT2001")
        await pilot.press("escape", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen)
        await pilot.press("c")
        assert "OT2001" in _log(app)

    drive(practice_services, scenario)


def test_chat_rows_and_several_requests_follow_the_list_on_screen(practice_services: Services) -> None:
    """"open #3" is the third row of the table shown; "mark it in progress and push it to
    next friday" does both on the claim in focus."""
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        table = app.screen.query_one(RankedTable)
        ids = [table.row(i)["claim_id"] for i in range(table.total)]  # type: ignore[index]
        await pilot.press("c")
        await _ask(pilot, "open #3")
        assert table.current["claim_id"] == ids[2]  # type: ignore[index]
        await _ask(pilot, "mark it in progress and push it to next friday")
        claim = practice_services.claim(ids[2])
        assert claim["work_status"] == "in_progress" and claim["follow_up_date"] == "2026-12-04"
        await _ask(pilot, "unassign")
        assert "nothing to change" in _log(app) or "-> none" in _log(app)

    drive(practice_services, scenario)
