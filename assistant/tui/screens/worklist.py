"""The first screen: a ranked worklist, what to do with the highlighted claim and why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Header, Input, Static

from assistant.tui.columns import WORKLIST_COLUMNS
from assistant.tui.screens.work import Claim, ClaimWorkScreen
from assistant.tui.sources import (
    FIRST_PAGE,
    Page,
    RankingProgress,
    ShownList,
    WorklistSource,
    default_source,
)
from assistant.tui.widgets.bars import SAMPLE_BANNER, AgingStrip, ReasonPanel, WorklistBar
from assistant.tui.widgets.chat_pane import ChatPane
from assistant.tui.widgets.footer import KeysFooter
from assistant.tui.widgets.ranked_table import RankedTable

if TYPE_CHECKING:
    from assistant.tui.app import ArApp

FILTER_PAUSE = 0.25  # seconds after the last key before the list is narrowed


class WorklistScreen(ClaimWorkScreen[None]):
    """Ranked claims of one worklist; Enter opens the highlighted claim."""

    app: ArApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="worklist.filter"),
        Binding("right_square_bracket", "switch(1)", "Lists", id="worklist.next_list"),
        Binding("left_square_bracket", "switch(-1)", "Previous list", show=False,
                id="worklist.previous_list"),
        Binding("d", "dashboard", "Dashboard", id="worklist.dashboard"),
        Binding("r", "reload", "Refresh", show=False, id="worklist.reload"),
        Binding("escape", "clear_filter", "Clear filter", id="worklist.clear_filter"),
    ]

    class PageLoaded(Message):
        def __init__(self, generation: int, page: Page) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

    class ListsLoaded(Message):
        def __init__(self, names: list[str], sample: bool) -> None:
            super().__init__()
            self.names = names
            self.sample = sample

    class AgingLoaded(Message):
        def __init__(self, aging: dict[str, Any]) -> None:
            super().__init__()
            self.aging = aging

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.source = default_source()
        self.shown = ""  # the worklist's name, as the services said
        self.generation = 0
        self._restore: tuple[str | None, int] | None = None  # (claim id, index) to return to
        self._filter_timer: Timer | None = None
        self._progress = RankingProgress()  # a first page may wait for the ranking to catch up
        self._progress_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(SAMPLE_BANNER, id="banner")
        yield WorklistBar("Worklists  loading…", id="worklists")
        yield AgingStrip(id="aging")
        yield Input(placeholder="Filter: claim, patient, payer, code, category, action…  (Enter: back to "
                                "the list, Esc: clear)", id="filter")
        with Horizontal(id="main"):
            with Vertical(id="list"):
                yield RankedTable(WORKLIST_COLUMNS, id="claims")
                yield ReasonPanel(id="reason")
            yield ChatPane()
        yield KeysFooter()

    @property
    def table(self) -> RankedTable:
        return self.query_one("#claims", RankedTable)

    def on_mount(self) -> None:
        self.table.focus()
        self._progress = self.app.first_progress or self._progress
        self._progress_timer = self.set_interval(0.3, self._show_progress, pause=True)
        started = self.app.first_page
        if started is not None and started[0] == self.source and started[1].done() \
                and started[1].exception() is None:
            self.app.first_page = None
            self._show_page(started[1].result())  # read already: the first frame shows the rows
        else:
            self.load_first()
        self.load_lists()

    # ------------------------------------------------------------------ workers

    def load_first(self) -> None:
        if self._progress_timer is not None:
            self._progress_timer.resume()
        self._load_first()

    @work(thread=True, exclusive=True, group="worklist-first", exit_on_error=False)
    def _load_first(self) -> None:
        generation, source, progress = self.generation, self.source, self._progress
        started, self.app.first_page = self.app.first_page, None
        if started is not None and started[0] == source:
            page = started[1].result()  # read while Textual was being imported
        else:
            page = self.app.gate.call(lambda s: source.fetch(s, 0, FIRST_PAGE, progress))
        self.post_message(self.PageLoaded(generation, page))

    def _show_progress(self) -> None:
        """While the ranking catches up (a new day or a new version on a big database), say how far."""
        done, total = self._progress.done, self._progress.total
        if total and not self.table.total:
            self.table.empty_text = f"Bringing the ranking up to date: {done:,} of {total:,} claims assessed…"
            self.table.refresh()

    @work(thread=True, group="worklist-pages", exit_on_error=False)
    def load_page(self, offset: int, limit: int) -> None:
        generation, source = self.generation, self.source
        page = self.app.gate.call(lambda s: source.fetch(s, offset, limit))
        self.post_message(self.PageLoaded(generation, page))

    @work(thread=True, exclusive=True, group="worklist-lists", exit_on_error=False)
    def load_lists(self) -> None:
        names, sample = self.app.gate.call(lambda s: ([w["name"] for w in s.worklists()], s.is_sample()))
        self.post_message(self.ListsLoaded(names, sample))
        self.post_message(self.AgingLoaded(self.app.gate.call(lambda s: s.aging())))

    # ------------------------------------------------------------------ messages up

    def on_worklist_screen_page_loaded(self, message: PageLoaded) -> None:
        if message.generation == self.generation:
            self._show_page(message.page)

    def _show_page(self, page: Page) -> None:
        if self._progress_timer is not None:
            self._progress_timer.pause()
        table = self.table
        if page.offset == 0 and (self._restore is not None or table.total != page.total or not table.row(0)):
            table.reset(page.total, page.rows, empty_text=self._empty_text(), cursor=self._restored(page))
            self._restore = None
        else:
            table.put_rows(page.offset, page.rows)
        self.shown = page.worklist
        if page.offset == 0:
            label = page.worklist + (f" matching {self.source.search!r}" if self.source.search else "")
            self.app.shown_list = ShownList(label, tuple(str(r["claim_id"]) for r in page.rows), page.total,
                                            self.source)
        if page.offset == 0:
            self.query_one(WorklistBar).show(self.names or [page.worklist], page.worklist, page.total,
                                             page.total_balance)

    def on_worklist_screen_lists_loaded(self, message: ListsLoaded) -> None:
        self.names = message.names
        self.set_class(message.sample, "-sample")
        if self.shown:
            self.query_one(WorklistBar).show_names(self.names)

    def on_worklist_screen_aging_loaded(self, message: AgingLoaded) -> None:
        self.query_one(AgingStrip).show(message.aging)

    @on(RankedTable.RowsRequested)
    def _rows_requested(self, message: RankedTable.RowsRequested) -> None:
        self.load_page(message.offset, message.limit)

    @on(RankedTable.Highlighted)
    def _highlighted(self, message: RankedTable.Highlighted) -> None:
        self.query_one(ReasonPanel).show(message.row)
        if message.row is not None:
            self.app.focused_claim_id = str(message.row["claim_id"])

    @on(RankedTable.Selected)
    def _selected(self, message: RankedTable.Selected) -> None:
        self.open_claim(str(message.row["claim_id"]))

    # ------------------------------------------------------------------ claims

    def open_claim(self, claim_id: str) -> None:
        from assistant.tui.screens.claim import ClaimScreen

        index = self.table.find("claim_id", claim_id)
        if index is not None:
            self.table.move_to(index)
        self.app.push_screen(ClaimScreen(claim_id, sample=self.has_class("-sample")), self._claim_closed)

    def _claim_closed(self, result: str | None) -> None:
        """Back from a claim: reload the list (the claim may have left it), or open the next one."""
        table = self.table
        if result in ("next", "previous"):
            step = 1 if result == "next" else -1
            row = table.row(table.cursor + step)
            if row is None:
                self.notify("No more claims in this list" if step == 1 else "This is the first claim")
            else:
                table.move_to(table.cursor + step)
                self.open_claim(str(row["claim_id"]))
        self.action_reload()

    def focused_claim(self) -> Claim | None:
        return self.table.current

    def work_area(self) -> RankedTable:
        return self.table

    def follow_chat(self, claim_ids: list[str]) -> None:
        index = self.table.find("claim_id", claim_ids[0])
        if index is not None:
            self.table.move_to(index)

    def claim_worked(self) -> None:
        self.action_reload()

    # ------------------------------------------------------------------ filter

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc is offered (and shown) only while there is a filter to clear."""
        if action == "clear_filter":
            return self.has_class("-filtering") or bool(self.source.search)
        return True

    def action_filter(self) -> None:
        self.add_class("-filtering")
        self.query_one("#filter", Input).focus()
        self.refresh_bindings()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        self.remove_class("-filtering")
        field.value = ""
        self.table.focus()
        self.refresh_bindings()
        if self._filter_timer is not None:
            self._filter_timer.stop()
        if self.source.search:
            self._show(WorklistSource(self.source.name))

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """Narrow the list once typing pauses: a key per query would queue stale ones."""
        if self._filter_timer is not None:
            self._filter_timer.stop()
        text = event.value.strip()
        if text == self.source.search:
            return
        self._filter_timer = self.set_timer(FILTER_PAUSE, lambda: self._narrow(text))

    def _narrow(self, text: str) -> None:
        self._show(WorklistSource(self.source.name, text))
        self.refresh_bindings()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    # ------------------------------------------------------------------ lists

    def action_switch(self, step: int) -> None:
        if len(self.names) < 2:
            return
        at = self.names.index(self.shown) if self.shown in self.names else 0
        self.show_worklist(self.names[(at + step) % len(self.names)])

    def show_worklist(self, name: str) -> None:
        self._show(WorklistSource(name, self.source.search))

    def action_dashboard(self) -> None:
        from assistant.tui.screens.dashboard import DashboardScreen

        self.app.push_screen(DashboardScreen())

    def action_reload(self) -> None:
        self._show(self.source, keep_place=True)
        self.load_lists()

    def _show(self, source: WorklistSource, keep_place: bool = False) -> None:
        """Load a list; a reload keeps the cursor on the same claim, or the same place if it left."""
        self.source = source
        self.generation += 1
        table = self.table
        if keep_place:
            current = table.current
            self._restore = (str(current["claim_id"]) if current else None, table.cursor)
        else:
            self._restore = None
            table.reset(0, empty_text="Loading…")
        self.load_first()

    def _restored(self, page: Page) -> int:
        if self._restore is None:
            return 0
        claim_id, index = self._restore
        for i, row in enumerate(page.rows):
            if row["claim_id"] == claim_id:
                return i
        return min(index, max(0, page.total - 1))

    def _empty_text(self) -> str:
        if self.source.search:
            return f"No claim in this list matches {self.source.search!r} (Esc clears the filter)"
        return "No claims in this list: nothing is due"
