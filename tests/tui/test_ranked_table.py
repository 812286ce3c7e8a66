"""The ranked table over a large row source: only what is on screen is asked for and drawn."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual.app import App, ComposeResult

from assistant.tui.columns import WORKLIST_COLUMNS
from assistant.tui.widgets.ranked_table import MAX_PAGES, PAGE_SIZE, RankedTable

TOTAL = 1_000_000


def _row(i: int) -> dict[str, Any]:
    return {"rank": i + 1, "claim_id": f"OT{i:07d}", "patient": "Rivera, Maria", "payer": "Aetna",
            "age_days": i % 400, "balance": 125.5, "category": "coding", "next_action": "appeal",
            "days_left": (i % 60) - 5, "why": "denied CO-16; appeal window closing"}


class TableApp(App[None]):
    """The table alone, fed from memory the way the worklist screen feeds it from the services."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[int] = []
        self.highlighted: list[int] = []
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield RankedTable(WORKLIST_COLUMNS)

    def on_mount(self) -> None:
        table = self.query_one(RankedTable)
        table.focus()
        table.reset(TOTAL, [_row(i) for i in range(PAGE_SIZE)])

    def on_ranked_table_rows_requested(self, message: RankedTable.RowsRequested) -> None:
        self.requests.append(message.offset)
        end = min(TOTAL, message.offset + message.limit)
        message.table.put_rows(message.offset, [_row(i) for i in range(message.offset, end)])

    def on_ranked_table_highlighted(self, message: RankedTable.Highlighted) -> None:
        self.highlighted.append(message.index)

    def on_ranked_table_selected(self, message: RankedTable.Selected) -> None:
        self.selected.append(str(message.row["claim_id"]))


def _run(scenario: Any) -> TableApp:
    app = TableApp()

    async def main() -> None:
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())
    return app


def test_only_the_pages_on_screen_are_requested() -> None:
    async def scenario(app: TableApp, pilot: Any) -> None:
        table = app.query_one(RankedTable)
        assert app.requests == []  # the first page came with reset
        await pilot.press("end")
        await pilot.pause()
        last_page = (TOTAL - 1) // PAGE_SIZE * PAGE_SIZE
        assert app.requests == [last_page]
        assert table.cursor == TOTAL - 1
        assert table.current is not None and table.current["claim_id"] == f"OT{TOTAL - 1:07d}"
        await pilot.press("home", "pagedown", "pagedown")
        await pilot.pause()
        assert app.requests == [last_page]  # the first page is still held
        assert app.highlighted[-1] == table.cursor > 0

    _run(scenario)


def test_rows_are_drawn_from_the_cache_with_the_cursor_marked() -> None:
    async def scenario(app: TableApp, pilot: Any) -> None:
        table = app.query_one(RankedTable)
        header = table.render_line(0).text
        assert header.split()[:3] == ["#", "Claim", "Patient"]
        first = table.render_line(1).text
        assert "OT0000000" in first and "Rivera, Maria" in first and "$125.50" in first
        assert "overdue" in first  # days_left -5
        assert len(first) == table.scrollable_content_region.width
        await pilot.press("j")
        assert table.cursor == 1 and "OT0000001" in table.render_line(2).text

    _run(scenario)


def test_enter_selects_the_loaded_row() -> None:
    async def scenario(app: TableApp, pilot: Any) -> None:
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        assert app.selected == ["OT0000002"]

    _run(scenario)


def test_far_pages_are_let_go() -> None:
    async def scenario(app: TableApp, pilot: Any) -> None:
        table = app.query_one(RankedTable)
        for page in range(MAX_PAGES + 2):
            table.move_to(page * PAGE_SIZE)
            await pilot.pause()
        assert len(table._pages) <= MAX_PAGES
        assert table.row(0) is None  # the first page was furthest and went first
        assert table.current is not None

    _run(scenario)


def test_cursor_and_paging_cost_does_not_grow_with_the_list() -> None:
    """A move repaints two lines; a page repaints one screen: well under 10 ms either way."""

    async def scenario(app: TableApp, pilot: Any) -> None:
        table = app.query_one(RankedTable)
        start = time.perf_counter()
        for _ in range(200):
            table.action_cursor_down()
            for y in (table.cursor - round(table.scroll_y), table.cursor - round(table.scroll_y) + 1):
                table.render_line(y)
        per_move = (time.perf_counter() - start) / 200
        start = time.perf_counter()
        for _ in range(20):
            table.action_page_down()
            for y in range(table.size.height):
                table.render_line(y)
        per_page = (time.perf_counter() - start) / 20
        assert per_move < 0.01 and per_page < 0.05, (per_move, per_page)

    _run(scenario)


def test_rows_given_in_other_sizes_are_kept_as_whole_pages() -> None:
    async def scenario(app: TableApp, pilot: Any) -> None:
        table = app.query_one(RankedTable)
        table.reset(TOTAL, [_row(i) for i in range(PAGE_SIZE + 50)])  # one page and a bit
        await pilot.pause()
        assert table.row(PAGE_SIZE - 1) is not None and table.row(PAGE_SIZE) is None
        table.move_to(PAGE_SIZE + 10)
        await pilot.pause()
        assert PAGE_SIZE in app.requests and table.row(PAGE_SIZE + 10) is not None
        table.reset(3, [_row(i) for i in range(3)])  # a short list: its only page is whole
        await pilot.pause()
        assert table.row(2) is not None

    _run(scenario)


def test_a_narrow_table_drops_the_least_needed_columns_first() -> None:
    async def scenario(app: TableApp, pilot: Any) -> None:
        table = app.query_one(RankedTable)
        wide = table.render_line(0).text.split()
        assert wide[-1] == "Why" and "Patient" in wide
        table.styles.width = 80
        await pilot.pause()
        narrow = table.render_line(0).text
        assert "Why" not in narrow and "Age" not in narrow and "Payer" not in narrow
        for kept in ("#", "Claim", "Balance", "Next action", "Left"):
            assert kept in narrow
        assert "overdue" in table.render_line(1).text  # days left still shown

    _run(scenario)
