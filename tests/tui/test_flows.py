"""The specialist's main flows, driven through the real app with the keyboard alone."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static

from assistant.services import Services
from assistant.storage import transaction
from assistant.tui.app import ArApp
from assistant.tui.screens.claim import ClaimScreen
from assistant.tui.screens.help import HelpScreen
from assistant.tui.screens.letter import LetterScreen
from assistant.tui.screens.worklist import WorklistScreen
from assistant.tui.widgets.bars import ReasonPanel
from assistant.tui.widgets.ranked_table import RankedTable
from tests.tui.conftest import drive, settle


def _table(app: ArApp) -> RankedTable:
    return app.screen.query_one(RankedTable)


def _text(app: ArApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def test_opens_on_the_ranked_list_with_the_top_claim_explained(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        assert isinstance(app.screen, WorklistScreen)
        table = _table(app)
        assert table.has_focus
        assert table.total == 5
        top = table.current
        assert top is not None and top["rank"] == 1
        assert top["claim_id"] in str(app.screen.query_one(ReasonPanel).render())
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
        assert table.cursor == 4
        await pilot.press("down")  # no row past the last
        assert table.cursor == 4
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
        for description in ("Open claim", "Filter", "Log note", "Follow-up", "Appeal", "Help", "Quit"):
            assert description in keys
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
