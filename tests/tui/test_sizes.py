"""What a user reads at 80x24, the smallest terminal we support: keys, strips and dialogs fit."""

from __future__ import annotations

from textual.pilot import Pilot

from assistant.services import Services
from assistant.tui.app import ArApp
from assistant.tui.screens.claim import ClaimScreen
from assistant.tui.screens.dialogs import ConfirmDialog
from assistant.tui.sources import ShownList, WorklistSource
from assistant.tui.widgets.bars import AgingStrip, WorklistBar
from tests.tui.conftest import drive, settle
from tests.tui.snapshots import screen_lines

SMALL = (80, 24)


def _footer(app: ArApp) -> str:
    return screen_lines(app)[-1]


def test_the_footer_shows_help_and_the_main_keys_at_80_columns(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        footer = _footer(app)
        for key in ("⏎ Open", "a Appeal", "l Note", "/ Filter", "] Lists", "d Dashboard", "? Help"):
            assert key in footer, footer
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen)
        footer = _footer(app)
        for key in ("a Appeal", "l Note", "esc Back", "n Next claim", "? Help"):
            assert key in footer, footer

    drive(practice_services, scenario, size=SMALL)


def test_the_strips_fit_80_columns_and_keep_the_balance_owed(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        lines = screen_lines(app)
        bar = next(line for line in lines if line.lstrip().startswith("Worklists"))
        aging = next(line for line in lines if line.lstrip().startswith("Aging"))
        assert "today 4" in bar and "$900.00 owed" in bar and "of 6 · [ ]" in bar  # not all 6 names fit
        assert len(bar) <= 80 and len(aging) <= 80
        assert "120+  $0" in aging and "total $1.1k" in aging  # every bucket and the total, in thousands
        # the same strips draw everything when there is room
        assert "patient-balance" in str(app.screen.query_one(WorklistBar).draw(200))
        assert "(2)" in str(app.screen.query_one(AgingStrip).draw(200))

    drive(practice_services, scenario, size=SMALL)


def test_the_reason_panel_keeps_the_why_when_the_first_line_wraps(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        text = "\n".join(screen_lines(app))
        assert "Next: request auth" in text and "Why: " in text

    drive(practice_services, scenario, size=(60, 24))


def test_a_long_question_wraps_in_its_dialog(practice_services: Services) -> None:
    question = ("This appeal would fail as it stands (no authorization on file covers the service dates). "
                "Save the letter anyway?")

    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        answers: list[bool | None] = []
        app.push_screen(ConfirmDialog(question), answers.append)
        await settle(pilot)
        text = " ".join(line.strip(" █") for line in screen_lines(app))
        assert "Save the letter anyway?" in " ".join(text.split())
        await pilot.press("escape")
        assert answers == [False]

    drive(practice_services, scenario, size=SMALL)


def test_esc_is_offered_only_while_filtering_and_brings_the_whole_list_back(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        assert "Clear filter" not in _footer(app)
        await pilot.press("slash", "c", "h", "e", "n")
        await settle(pilot)
        await pilot.pause(0.3)  # the filter waits for typing to pause
        await settle(pilot)
        assert app.screen.table.total == 1  # type: ignore[attr-defined]
        assert "esc Clear filter" in _footer(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.table.total == 4  # type: ignore[attr-defined]
        assert app.screen.table.has_focus  # type: ignore[attr-defined]
        assert "Clear filter" not in _footer(app)

    drive(practice_services, scenario, size=SMALL)


def test_the_chat_walks_the_worklist_past_its_first_page(practice_services: Services) -> None:
    """The list on screen hands the chat its size and a way to read on, not just the rows loaded."""
    source = WorklistSource()
    shown = ShownList("today", ("OT2002",), 4, source)
    rest = shown.more(practice_services, 1)
    everything = [str(r["claim_id"]) for r in source.fetch(practice_services, 0, 10).rows]
    assert rest == everything[1:] and len(everything) == shown.total

    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        assert app.shown_list is not None and app.shown_list.total == 4
        app.shown_list = ShownList(app.shown_list.label, app.shown_list.claim_ids[:1], 4, app.shown_list.source)
        reply = app.gate.call(lambda s: app.chat(s, "next claim", app.shown_list.claim_ids[0]))  # type: ignore[union-attr]
        assert everything[1] in reply.reply and "of 4" in reply.reply

    drive(practice_services, scenario, size=SMALL)
