"""The ranked claims table: a Line-API ScrollView that renders only the rows on screen.

It holds no database handle. It knows how many rows there are (`total`) and the pages it
was given (`put_rows`); when the rows on screen are missing it posts `RowsRequested` and
shows placeholders until the parent hands the page down. Each row is formatted into a
Strip once per width, so moving the cursor repaints two lines and paging repaints one
screen of cached strips, whatever the row count.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Row = Mapping[str, Any]

PAGE_SIZE = 200
MAX_PAGES = 64  # rows kept in memory: the pages nearest the cursor


@dataclass(frozen=True)
class Column:
    """One column: its header, width, how a row shows in it and which cell style it takes."""

    key: str
    label: str
    width: int
    text: Callable[[Row], str]
    align: Literal["left", "right"] = "left"
    flex: bool = False  # takes the width left over (at least `width`)
    tone: Callable[[Row], str | None] | None = None  # a component-class suffix: urgent, soon, muted
    drop: int | None = None  # when the table is too narrow, columns go in this order (None: never)
    grow: int = 0  # on a wide table, up to this many more cells before the flex column takes the rest


def _fit(text: str, width: int, align: str) -> str:
    if len(text) > width:
        return text[: max(0, width - 1)] + "…" if width > 1 else text[:width]
    return text.rjust(width) if align == "right" else text.ljust(width)


class RankedTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of a ranked list, paged in on demand; the cursor row is the claim in focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Open", id="table.open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "ranked-table--header",
        "ranked-table--cursor",
        "ranked-table--placeholder",
        "ranked-table--urgent",
        "ranked-table--soon",
        "ranked-table--muted",
    }

    class RowsRequested(Message):
        """Rows [offset, offset + limit) are on screen and not loaded."""

        def __init__(self, table: RankedTable, offset: int, limit: int) -> None:
            super().__init__()
            self.table = table
            self.offset = offset
            self.limit = limit

    class Highlighted(Message):
        """The cursor moved to a row (None while that row is still loading)."""

        def __init__(self, table: RankedTable, index: int, row: Row | None) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.row = row

    class Selected(Message):
        """Enter (or a double click) on a loaded row."""

        def __init__(self, table: RankedTable, index: int, row: Row) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.row = row

    def __init__(self, columns: Sequence[Column], *, empty_text: str = "Loading…",
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = tuple(columns)
        self.empty_text = empty_text
        self.total = 0
        self.cursor = 0
        self._pages: dict[int, list[Row]] = {}
        self._requested: set[int] = set()
        self._layout: tuple[tuple[Column, int], ...] = ()  # the columns that fit, with their widths
        self._strips: dict[int, Strip] = {}
        self._header: Strip | None = None
        self._styles: dict[str, Style] = {}

    # ------------------------------------------------------------------ attributes down

    def reset(self, total: int, first: Sequence[Row] = (), *, empty_text: str | None = None,
              cursor: int = 0) -> None:
        """Show another list: its size and (optionally) its first page."""
        self.total = max(0, total)
        if empty_text is not None:
            self.empty_text = empty_text
        self._pages.clear()
        self._requested.clear()
        self._strips.clear()
        self._store(0, first)
        self.cursor = min(max(0, cursor), max(0, self.total - 1))
        self.virtual_size = Size(self._width(), self.total + 1)
        self.scroll_to(y=max(0, self.cursor - self._body_height() // 2), animate=False)
        self.refresh()
        self._request_visible()
        self._post_highlight()

    def put_rows(self, offset: int, rows: Sequence[Row]) -> None:
        """A page the parent fetched after `RowsRequested`."""
        self._requested.discard(offset)
        self._store(offset, rows)
        for i in range(offset, offset + len(rows)):
            self._strips.pop(i, None)
        self._evict()
        first, last = self._visible_range()
        if offset <= last and offset + len(rows) > first:
            self.refresh()
        if offset <= self.cursor < offset + len(rows):
            self._post_highlight()

    def _store(self, offset: int, rows: Sequence[Row]) -> None:
        """Keep rows as whole pages; a short page is kept only when it ends the list (else the
        rest of it would never be asked for)."""
        for start in range(0, len(rows), PAGE_SIZE):
            page = list(rows[start:start + PAGE_SIZE])
            at = offset + start
            if len(page) == PAGE_SIZE or at + len(page) >= self.total:
                self._pages[at] = page

    def row(self, index: int) -> Row | None:
        page = self._pages.get(index - index % PAGE_SIZE)
        if page is None:
            return None
        at = index % PAGE_SIZE
        return page[at] if at < len(page) else None

    @property
    def current(self) -> Row | None:
        return self.row(self.cursor) if self.total else None

    def move_to(self, index: int) -> None:
        """Put the cursor on a row, scrolling it into view."""
        if not self.total:
            return
        index = min(max(0, index), self.total - 1)
        if index == self.cursor:
            return
        old = self.cursor
        self.cursor = index
        body = self._body_height()
        top = round(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + body:
            self.scroll_to(y=index - body + 1, animate=False)
        else:
            self.refresh_line(old + 1)
            self.refresh_line(index + 1)
        self._request_visible()
        self._post_highlight()

    def find(self, key: str, value: object) -> int | None:
        """The index of a loaded row whose `key` is `value`."""
        for offset, page in self._pages.items():
            for i, row in enumerate(page):
                if row.get(key) == value:
                    return offset + i
        return None

    # ------------------------------------------------------------------ actions

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        step = max(1, self._body_height() - 1)
        self.scroll_to(y=round(self.scroll_y) + step, animate=False)
        self.move_to(self.cursor + step)

    def action_page_up(self) -> None:
        step = max(1, self._body_height() - 1)
        self.scroll_to(y=max(0, round(self.scroll_y) - step), animate=False)
        self.move_to(self.cursor - step)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.total - 1)

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, self.cursor, row))

    # ------------------------------------------------------------------ events

    def on_resize(self, _event: events.Resize) -> None:
        self._layout = ()
        self._strips.clear()
        self._header = None
        self.virtual_size = Size(self._width(), self.total + 1)
        self._request_visible()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()
        self._header = None

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._request_visible()

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        index = round(self.scroll_y) + event.y - 1
        if index < self.total:
            self.move_to(index)
            if event.chain > 1:
                self.action_select()

    # ------------------------------------------------------------------ rendering

    def _width(self) -> int:
        return self.scrollable_content_region.width

    def render_line(self, y: int) -> Strip:
        width = self._width()
        if y == 0:
            return self._header_strip(width)
        index = round(self.scroll_y) + y - 1
        if not self.total:
            if y == 1:
                return self._text_strip(self.empty_text, "placeholder", width)
            return Strip.blank(width, self.rich_style)
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            row = self.row(index)
            if row is None:
                strip = self._text_strip("…", "placeholder", width)
                return self._with_cursor(strip, index)
            strip = self._row_strip(row, width)
            self._strips[index] = strip
        return self._with_cursor(strip, index)

    def _with_cursor(self, strip: Strip, index: int) -> Strip:
        """The cursor row drawn over its cells' own colours (Strip.apply_style would sit under them)."""
        if index == self.cursor:
            return Strip(Segment.apply_style(strip, post_style=self._style("cursor")), strip.cell_length)
        return strip

    def _style(self, part: str) -> Style:
        style = self._styles.get(part)
        if style is None:
            style = self.get_component_rich_style(f"ranked-table--{part}")
            self._styles[part] = style
        return style

    def _columns(self, width: int) -> tuple[tuple[Column, int], ...]:
        """The columns that fit `width` (the droppable ones go first), each with its width."""
        if not self._layout:
            shown = list(self.columns)
            droppable = sorted((c for c in shown if c.drop is not None), key=lambda c: c.drop or 0)
            while droppable and sum(c.width for c in shown) + len(shown) - 1 > width:
                shown.remove(droppable.pop(0))
            spare = max(0, width - sum(c.width for c in shown) - (len(shown) - 1))
            widths = {c.key: c.width for c in shown}
            for column in sorted(shown, key=lambda c: -c.grow):  # payers, names first; then the flex text
                more = min(column.grow, spare)
                widths[column.key] += more
                spare -= more
            flex = [c for c in shown if c.flex]
            for column in flex:
                widths[column.key] += spare // len(flex)
            self._layout = tuple((c, widths[c.key]) for c in shown)
        return self._layout

    def _header_strip(self, width: int) -> Strip:
        if self._header is None:
            text = " ".join(_fit(c.label, w, c.align) for c, w in self._columns(width))
            self._header = self._text_strip(text, "header", width)
        return self._header

    def _text_strip(self, text: str, part: str, width: int) -> Strip:
        style = self.rich_style + self._style(part)
        return Strip([Segment(_fit(text, width, "left"), style)], width)

    def _row_strip(self, row: Row, width: int) -> Strip:
        base = self.rich_style
        segments: list[Segment] = []
        for i, (column, w) in enumerate(self._columns(width)):
            if i:
                segments.append(Segment(" ", base))
            tone = column.tone(row) if column.tone else None
            style = base + self._style(tone) if tone else base
            segments.append(Segment(_fit(column.text(row), w, column.align), style))
        return Strip(segments).adjust_cell_length(width, base)

    # ------------------------------------------------------------------ paging

    def _body_height(self) -> int:
        return max(1, self.size.height - 1)

    def _visible_range(self) -> tuple[int, int]:
        top = round(self.scroll_y)
        return top, min(self.total - 1, top + self._body_height() - 1)

    def _request_visible(self) -> None:
        """Ask for the pages on screen, and a screen ahead either way, so paging rarely waits."""
        if not self.total or not self.is_mounted:
            return
        first, last = self._visible_range()
        ahead = self._body_height()
        first = max(0, min(first, self.cursor) - ahead)
        last = min(self.total - 1, max(last, self.cursor) + ahead)
        for offset in range(first - first % PAGE_SIZE, last + 1, PAGE_SIZE):
            if offset not in self._pages and offset not in self._requested:
                self._requested.add(offset)
                self.post_message(self.RowsRequested(self, offset, PAGE_SIZE))

    def _evict(self) -> None:
        """Keep the pages nearest the cursor; far ones are fetched again when needed."""
        if len(self._pages) <= MAX_PAGES:
            return
        here = self.cursor - self.cursor % PAGE_SIZE
        for offset in sorted(self._pages, key=lambda o: abs(o - here))[MAX_PAGES:]:
            for i in range(offset, offset + len(self._pages[offset])):
                self._strips.pop(i, None)
            del self._pages[offset]

    def _post_highlight(self) -> None:
        self.post_message(self.Highlighted(self, self.cursor, self.current))
