"""One claim: why it is where it is, what to do by when, and everything behind that."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, OptionList, Static
from textual.widgets.option_list import Option

from assistant.tui.columns import money
from assistant.tui.screens import claim_text
from assistant.tui.screens.work import Claim, ClaimWorkScreen
from assistant.tui.widgets.bars import SAMPLE_BANNER
from assistant.tui.widgets.chat_pane import ChatPane
from assistant.tui.widgets.footer import KeysFooter
from assistant.tui.widgets.hanging import Hanging

if TYPE_CHECKING:
    from assistant.tui.app import ArApp

LINE_COLUMNS = ("#", "Code", "Mods", "Units", "Min", "Charge", "Paid", "Adjustments", "Remarks")


class ClaimScreen(ClaimWorkScreen[str | None]):
    """Dismisses with "next" or "previous" to move along the worklist, None to go back."""

    app: ArApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="claim.back"),
        Binding("n", "move('next')", "Next claim", id="claim.next"),
        Binding("p", "move('previous')", "Previous claim", show=False, id="claim.previous"),
        Binding("r", "reload", "Reload", show=False, id="claim.reload"),
    ]

    class Loaded(Message):
        def __init__(self, data: dict[str, Any]) -> None:
            super().__init__()
            self.data = data

    def __init__(self, claim_id: str, *, sample: bool = False) -> None:
        super().__init__()
        self.claim_id = claim_id
        self.data: dict[str, Any] | None = None
        self.set_class(sample, "-sample")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(SAMPLE_BANNER, id="banner")
        yield Static(f"Loading claim {self.claim_id}…", id="claim-summary")
        with Horizontal(id="claim-body"):
            with VerticalScroll(id="claim-left"):
                yield Static("Why", classes="section-title")
                yield Static(id="claim-denial")
                yield Static("Lines", classes="section-title")
                yield DataTable(id="claim-lines", cursor_type="row", zebra_stripes=True)
                yield Static("Check findings", classes="section-title")
                yield Static(id="claim-findings")
                yield Static("Activity", classes="section-title")
                yield Static(id="claim-activity")
            with VerticalScroll(id="claim-right"):
                yield Static("What to do", classes="section-title")
                yield Static(id="claim-actions")
                yield Static(id="claim-care")
                yield Static("Documents (Enter reads one)", classes="section-title")
                yield OptionList(id="claim-documents")
            yield ChatPane()
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#claim-left").focus()
        self.app.focused_claim_id = self.claim_id
        self.load()

    @work(thread=True, exclusive=True, group="claim", exit_on_error=False)
    def load(self) -> None:
        claim_id = self.claim_id

        def gather(s: Any) -> dict[str, Any]:
            claim = s.claim(claim_id)
            review = s.claim_review(claim_id)
            codes = [f"{a['group']}-{a['code']}" for a in claim["adjustments"]]
            codes += [f"{a['group']}-{a['code']}" for line in claim["lines"] for a in line["adjustments"]]
            codes += claim["remarks"] + [r for line in claim["lines"] for r in line["remarks"]]
            explained = s.explain_codes(list(dict.fromkeys(codes)), claim["payer"]["kind"])
            return {"claim": claim, "assessment": review["next"], "explained": explained,
                    "care": review["care"]}

        self.post_message(self.Loaded(self.app.gate.call(gather)))

    def on_claim_screen_loaded(self, message: Loaded) -> None:
        self.data = data = message.data
        claim, assessment, today = data["claim"], data["assessment"], self.app.today
        self.query_one("#claim-summary", Static).update(claim_text.summary(claim))
        sections = {"#claim-denial": claim_text.denial(assessment, data["explained"]),
                    "#claim-findings": claim_text.findings(assessment["findings"]),
                    "#claim-activity": claim_text.timeline(claim["activities"]),
                    "#claim-actions": claim_text.actions(assessment, today),
                    "#claim-care": claim_text.care(data["care"])}
        for selector, text in sections.items():  # wrapped lines stay under their own indent
            self.query_one(selector, Static).update(Hanging.of(text))
        self._show_lines(claim["lines"])
        documents = self.query_one("#claim-documents", OptionList)
        documents.clear_options()
        documents.add_options(
            Option(f"{d['date']}  {d['type'].replace('_', ' ')}  {d['author'] or ''}", id=str(d["id"]))
            for d in claim["documents"])
        if claim["documents"]:
            documents.highlighted = 0
        else:
            documents.add_option(Option("No notes on file for this episode", disabled=True))

    def _show_lines(self, lines: list[dict[str, Any]]) -> None:
        table = self.query_one("#claim-lines", DataTable)
        table.clear(columns=True)
        table.add_columns(*LINE_COLUMNS)
        for line in lines:
            table.add_row(
                str(line["line"]), line["code"], "-".join(line["modifiers"]), f"{line['units']:g}",
                "" if line["minutes"] is None else str(line["minutes"]), money(line["charge"]),
                money(line["paid"]),
                " ".join(f"{a['group']}-{a['code']} {money(a['amount'])}" for a in line["adjustments"]),
                " ".join(line["remarks"]))

    @on(OptionList.OptionSelected, "#claim-documents")
    def _read_document(self, event: OptionList.OptionSelected) -> None:
        from assistant.tui.screens.document import DocumentScreen

        if event.option.id is not None:
            self.app.push_screen(DocumentScreen(int(event.option.id)))

    def focused_claim(self) -> Claim | None:
        return self.data["claim"] if self.data else None

    def claim_worked(self) -> None:
        self.load()

    def work_area(self) -> VerticalScroll:
        return self.query_one("#claim-left", VerticalScroll)

    def follow_chat(self, claim_ids: list[str]) -> None:
        """A reply about one other claim opens that claim here."""
        if len(claim_ids) == 1 and claim_ids[0] != self.claim_id:
            self.claim_id = claim_ids[0]
            self.app.focused_claim_id = self.claim_id
            self.load()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_move(self, direction: str) -> None:
        self.dismiss(direction)

    def action_reload(self) -> None:
        self.load()
