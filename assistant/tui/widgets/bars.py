"""One-line strips above and below the ranked table: the worklist switcher, aging, the banner
and the highlighted claim's reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.content import Content
from textual.widgets import Static

from assistant.tui.columns import days_left, money, words

SAMPLE_BANNER = "SYNTHETIC SAMPLE DATA · every name, id and date here is made up"


class FittedStatic(Static):
    """A one-line strip drawn for its width: `draw(width)` says what fits, and runs again on resize."""

    def draw(self, width: int) -> Content:
        raise NotImplementedError

    def redraw(self) -> None:
        self.update(self.draw(self.content_region.width or self.app.size.width))

    def on_resize(self) -> None:
        self.redraw()


class WorklistBar(FittedStatic):
    """The saved worklists, the active one marked; `[` and `]` move between them. When the names
    do not all fit, the active one shows between its neighbours."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, id=id)
        self.names: list[str] = []
        self.active = ""
        self.total: int | None = None
        self.balance: float | None = None

    def show(self, names: Sequence[str], active: str, total: int | None = None,
             balance: float | None = None) -> None:
        self.names, self.active, self.total, self.balance = list(names), active, total, balance
        self.redraw()

    def show_names(self, names: Sequence[str]) -> None:
        """The saved lists arrived (or changed): the active one and its figures stay."""
        self.names = list(names)
        self.redraw()

    def draw(self, width: int) -> Content:
        if not self.active:
            return Content("Worklists  loading…")
        names = self.names or [self.active]
        owed = Content.styled(f"  {money(self.balance)} owed", "dim") if self.balance is not None else ""
        full = self._line(names, owed)
        if full.cell_length <= width or self.active not in names or len(names) < 3:
            return full
        at = names.index(self.active)
        around = [names[at - 1], self.active, names[(at + 1) % len(names)]]
        where = Content.styled(f"  {at + 1} of {len(names)} · [ ]", "dim")
        short = self._line(around, Content.assemble(owed, where))
        tail = Content.assemble(owed, where)
        return short if short.cell_length <= width else self._line([self.active], tail)

    def _line(self, names: Sequence[str], tail: Content | str) -> Content:
        parts: list[Content | str] = [Content.styled("Worklists ", "bold")]
        for name in names:
            if name == self.active:
                label = f" {name}" + (f" {self.total:,}" if self.total is not None else "") + " "
                parts.append(Content.styled(label, "reverse bold"))
            else:
                parts.append(Content(f" {name} "))
        parts.append(tail)
        return Content.assemble(*parts)


class AgingStrip(FittedStatic):
    """Open balances by age of service: 0-30 ... 120+, with claim counts; on a narrower strip whole
    dollars, then no counts, then thousands ($26.4k), then no total."""

    aging: Mapping[str, Any] | None = None

    def show(self, aging: Mapping[str, Any]) -> None:
        self.aging = aging
        self.redraw()

    def draw(self, width: int) -> Content:
        if self.aging is None:
            return Content("Aging  loading…")
        for unit, counts, total in (("cents", True, True), ("dollars", True, True), ("dollars", False, True),
                                    ("thousands", False, True)):
            line = self._line(unit, counts, total)
            if line.cell_length <= width:
                return line
        return self._line("thousands", False, False)

    def _line(self, unit: str, counts: bool, total: bool) -> Content:
        aging = self.aging or {}

        def amount(value: Any) -> str:
            if unit == "thousands" and abs(float(value or 0)) >= 1000:
                return f"${float(value) / 1000:,.1f}k"
            text = money(value)
            return text if unit == "cents" else text.rsplit(".", 1)[0]

        gap = "  " if unit != "thousands" else " "
        parts: list[Content | str] = [Content.styled("Aging ", "bold")]
        for bucket in aging.get("buckets", []):
            parts.append(Content.styled(f" {bucket['label']} ", "reverse"))
            count = f" ({bucket['claims']:,})" if counts else ""
            parts.append(Content(f" {amount(bucket['balance'])}{count}{gap}"))
        if total:
            parts.append(Content.styled(f"total {amount(aging.get('total_balance', 0))}", "bold"))
        return Content.assemble(*parts)


class ReasonPanel(Static):
    """The highlighted claim in a sentence: what it is, what to do, by when, and why it ranks here."""

    def show(self, row: Mapping[str, Any] | None) -> None:
        if row is None:
            self.update("")
            return
        what = " · ".join(filter(None, [
            f"#{row.get('rank', '')} {row['claim_id']}", str(row.get("patient") or ""),
            str(row.get("payer") or ""), money(row.get("balance")),
            words(row.get("category") or row.get("payer_status")),
            " ".join(row.get("codes") or []),
        ]))
        todo = words(row.get("next_action"))
        if row.get("deadline"):
            todo += f" by {row['deadline']} ({days_left(row)})"
        lines: list[Content | str] = [Content.styled(what, "bold"), "\n"]
        if todo:
            lines += [Content.styled("Next: ", "bold"), todo, "\n"]
        if row.get("why"):
            lines += [Content.styled("Why: ", "bold"), str(row["why"])]
        self.update(Content.assemble(*lines))
