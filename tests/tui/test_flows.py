"""The specialist's main flows, driven through the real app with the keyboard alone."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from assistant.services import Services
from assistant.storage import transaction
from assistant.tui.app import ArApp, make_app
from assistant.tui.screens.claim import ClaimScreen
from assistant.tui.screens.help import HelpScreen
from assistant.tui.screens.letter import LetterScreen
from assistant.tui.screens.worklist import WorklistScreen
from assistant.tui.widgets.bars import ReasonPanel
from assistant.tui.widgets.ranked_table import RankedTable
from tests.tui.conftest import SIZE, drive, settle


def _table(app: ArApp) -> RankedTable:
    return app.screen.query_one(RankedTable)


def _text(app: ArApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def test_opens_on_the_ranked_list_with_the_top_claim_explained(practice_services: Services) -> None:
    expected = practice_services.worklist(None, limit=10)["rows"][0]

    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        assert isinstance(app.screen, WorklistScreen)
        table = _table(app)
        assert table.has_focus
        assert table.total == 4  # OT2005 was sent 24 days ago: nothing to do yet
        top = table.current
        assert top is not None and top["rank"] == 1 and top["claim_id"] == expected["claim_id"] == "OT2002"
        reason = str(app.screen.query_one(ReasonPanel).render())
        assert "OT2002" in reason and "request auth" in reason and "CO-197" in reason
        assert expected["why"] in reason and f"by {expected['deadline']}" in reason
        assert "today 4" in _text(app, "#worklists")
        aging = _text(app, "#aging")
        assert "31-60" in aging and "$450.00 (2)" in aging and "total $1,125.00" in aging
        assert not app.screen.has_class("-sample")

    drive(practice_services, scenario)


def test_sample_database_shows_the_banner(practice_services: Services) -> None:
    conn = practice_services.conn
    with transaction(conn):
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('sample', '1')")

    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        assert app.screen.has_class("-sample")
        assert app.screen.query_one("#banner").display
        assert "SYNTHETIC SAMPLE DATA" in _text(app, "#banner")

    drive(practice_services, scenario)


def test_moving_through_the_list_follows_the_highlighted_claim(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        table = _table(app)
        ids = [table.row(i)["claim_id"] for i in range(table.total)]  # type: ignore[index]
        await pilot.press("j", "down")
        assert table.cursor == 2
        assert ids[2] in str(app.screen.query_one(ReasonPanel).render())
        await pilot.press("k")
        assert table.cursor == 1
        await pilot.press("end")
        assert table.cursor == 3
        await pilot.press("down")  # no row past the last
        assert table.cursor == 3
        await pilot.press("home")
        assert table.cursor == 0

    drive(practice_services, scenario)


def test_enter_opens_the_claim_with_its_denial_and_what_to_do(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        table = _table(app)
        table.move_to(table.find("claim_id", "OT2001"))  # type: ignore[arg-type]
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClaimScreen) and screen.claim_id == "OT2001"
        denial = _text(app, "#claim-denial")
        assert "CO-50" in denial and "medical necessity" in denial.lower()
        assert "N115" in denial
        actions = _text(app, "#claim-actions")
        assert "appeal" in actions.lower() and "Deadline" in actions
        assert "plan of care 2026-08-20 to 2026-11-20" in _text(app, "#claim-care")
        assert "Rivera, Maria" in _text(app, "#claim-summary")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, WorklistScreen)

    drive(practice_services, scenario)


def test_next_claim_moves_along_the_list(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        table = _table(app)
        second = table.row(1)["claim_id"]  # type: ignore[index]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen) and app.screen.claim_id == second
        assert table.cursor == 1

    drive(practice_services, scenario)


def test_a_document_opens_to_be_read(practice_services: Services) -> None:
    from assistant.tui.screens.document import DocumentScreen

    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        app.open_claim("OT2001")
        await settle(pilot)
        app.screen.query_one("#claim-documents").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DocumentScreen)
        assert "distal radius fracture" in _text(app, "#document-text")
        await pilot.press("escape")
        assert isinstance(app.screen, ClaimScreen)

    drive(practice_services, scenario)


def test_drafting_the_appeal_saves_the_letter_and_records_it(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        app.open_claim("OT2001")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LetterScreen)
        assert screen.draft is not None and screen.draft["template"]
        assert "distal radius fracture" in _text(app, "#letter-excerpts")
        assert "OT2001" in _text(app, "#letter-preview")
        await pilot.press("s")
        await settle(pilot)
        if isinstance(app.screen, LetterScreen) is False:  # a blocking gap asks first
            await pilot.press("y")
            await settle(pilot)
        assert screen.saved is not None and screen.saved.is_file()
        assert screen.saved.parent == practice_services.locations.letters_dir
        assert str(screen.saved) in _text(app, "#letter-saved")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen)
        assert "appeal" in _text(app, "#claim-activity").lower()

    drive(practice_services, scenario)
    assert [a["claim_id"] for a in practice_services.appeals()] == ["OT2001"]


def test_palette_jumps_to_a_patient_by_a_misspelt_name(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+p")
        await pilot.press(*"okafr")
        await settle(pilot)
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen) and app.screen.claim_id == "OT2003"

    drive(practice_services, scenario)


def test_help_lists_the_keys_of_the_screen_below(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = _text(app, "#help-keys")
        ours, moving = keys.split("Moving around")
        for description in ("Open", "Filter", "Note", "Follow-up", "Appeal", "Assign", "Help", "Quit"):
            assert description in ours  # the app's own keys first, hidden-from-footer ones too
        assert "Scroll" not in ours and "Focus Next" in moving
        await pilot.press("escape")
        assert isinstance(app.screen, WorklistScreen)

    drive(practice_services, scenario)


def test_a_failing_step_is_a_notification_not_a_crash(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        app.open_claim("NOPE")
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, WorklistScreen)

    notes = drive(practice_services, scenario)
    assert ("error", "no claim 'NOPE'") in notes


def test_worklists_switch_with_brackets(practice_services: Services) -> None:
    names = [w["name"] for w in practice_services.worklists()]
    sizes = {name: practice_services.worklist(name)["total_claims"] for name in names}
    assert names[0] == "today" and len(names) > 2

    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        table = _table(app)
        for name in names[1:3]:
            await pilot.press("right_square_bracket")
            await settle(pilot)
            assert f"{name} {sizes[name]}" in _text(app, "#worklists") and table.total == sizes[name]
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert "today 4" in _text(app, "#worklists") and table.total == 4
        await pilot.press("left_square_bracket")  # round the end to the last list
        await settle(pilot)
        assert f"{names[-1]} {sizes[names[-1]]}" in _text(app, "#worklists")

    drive(practice_services, scenario)


def test_filter_as_you_type_narrows_the_list(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        table = _table(app)
        await pilot.press("slash", *"rivera")
        await pilot.pause(0.4)
        await settle(pilot)
        assert table.total == 2
        assert {table.row(i)["claim_id"] for i in range(2)} == {"OT2001", "OT2004"}  # type: ignore[index]
        await pilot.press("enter")
        assert table.has_focus
        await pilot.press("slash", "ctrl+u", *"medical nec")
        await pilot.pause(0.4)
        await settle(pilot)
        assert table.total == 1 and table.current["claim_id"] == "OT2001"  # type: ignore[index]
        await pilot.press("ctrl+u", *"zzz")
        await pilot.pause(0.4)
        await settle(pilot)
        assert table.total == 0
        assert "matches 'zzz'" in table.render_line(1).text
        await pilot.press("escape")
        await pilot.pause(0.4)
        await settle(pilot)
        assert table.total == 4 and table.has_focus

    drive(practice_services, scenario)


def test_logging_a_call_with_a_follow_up_takes_the_claim_off_today(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        table = _table(app)
        total = table.total
        claim_id = table.current["claim_id"]  # type: ignore[index]
        following = table.row(1)["claim_id"]  # type: ignore[index]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("l")
        await pilot.press(*"Called payer, claim sent back for reprocessing", "enter")
        await pilot.press(*"Ann B", "enter", *"REF778", "enter", *"+14", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen)
        assert "follow-up 2026-12-10" in _text(app, "#claim-summary")
        activity = _text(app, "#claim-activity")
        assert "Called payer, claim sent back for reprocessing" in activity and "REF778" in activity
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen) and app.screen.claim_id == following
        await pilot.press("escape")
        await settle(pilot)
        assert table.total == total - 1
        assert table.find("claim_id", claim_id) is None
        assert table.current is not None and table.current["claim_id"] == following

    drive(practice_services, scenario)


def test_a_long_ranking_catch_up_says_how_far_it_got(practice_services: Services,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    worklist = Services.worklist

    def catching_up(self: Services, *args: Any, progress: Any = None, **kwargs: Any) -> dict[str, Any]:
        if progress is not None:
            progress(1_200, 306_985)
            release.wait(10)
        return worklist(self, *args, **kwargs)

    monkeypatch.setattr(Services, "worklist", catching_up)
    app = make_app(practice_services)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.5)
            table = _table(app)
            assert "1,200 of 306,985 claims assessed" in table.render_line(1).text
            release.set()
            await settle(pilot)
            assert table.total == 4

    asyncio.run(main())
