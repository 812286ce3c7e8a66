"""Drafting an appeal: pick a template, read what the notes say and what is missing, preview,
save the .docx, and open it in the word processor when asked."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from assistant.tui.screens.dialogs import ConfirmDialog
from assistant.tui.widgets.footer import KeysFooter
from assistant.tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from assistant.tui.app import ArApp


def _gaps(gaps: list[dict[str, Any]]) -> Content:
    if not gaps:
        return Content.styled("Nothing missing from the record for this letter.", "$text-success")
    lines = []
    for gap in gaps:
        mark = (Content.styled("BLOCKS ", "bold $text-error") if gap["blocking"]
                else Content.styled("gap ", "$text-warning"))
        instead = Content.styled(f" → better: {gap['instead'].replace('_', ' ')}", "bold") \
            if gap.get("instead") else ""
        lines.append(Content.assemble(mark, gap["message"], instead))
    return Content("\n").join(lines)


def _excerpts(excerpts: list[dict[str, Any]]) -> Content:
    if not excerpts:
        return Content.styled("No passage of the notes supports this letter.", "$text-muted")
    lines = []
    for e in excerpts:
        cite = f"{e['type'].replace('_', ' ')} {e['date']}" + (f", {e['author']}" if e.get("author") else "")
        quote = Content.styled(f"“{e['text']}”", "italic")
        lines.append(Content.assemble(Content.styled(cite, "bold"), "\n", quote))
    return Content("\n\n").join(lines)


class LetterScreen(ReportsWorkerErrors, Screen[None]):
    app: ArApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="letter.back"),
        Binding("s,ctrl+s", "save", "Save .docx", id="letter.save"),
        Binding("o", "open", "Open in word processor", id="letter.open"),
    ]

    class Previewed(Message):
        def __init__(self, draft: dict[str, Any], templates: list[dict[str, Any]] | None) -> None:
            super().__init__()
            self.draft = draft
            self.templates = templates

    class Saved(Message):
        def __init__(self, draft: dict[str, Any]) -> None:
            super().__init__()
            self.draft = draft

    def __init__(self, claim_id: str) -> None:
        super().__init__()
        self.claim_id = claim_id
        self.draft: dict[str, Any] | None = None
        self.saved: Path | None = None
        self.titles: dict[str, str] = {}  # template name -> its title

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Drafting the appeal for {self.claim_id}…", id="letter-summary")
        with Horizontal(id="letter-body"):
            with Vertical(id="letter-side"):
                yield Static("Templates (★ recommended; Enter previews)", classes="section-title")
                yield OptionList(id="letter-templates")
                yield Static("Before you send", classes="section-title")
                yield Static(id="letter-gaps")
            with VerticalScroll(id="letter-main"):
                yield Static("From the notes", classes="section-title")
                yield Static(id="letter-excerpts")
                yield Static("Letter", classes="section-title")
                yield Static(id="letter-preview")
        yield Static("", id="letter-saved")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#letter-templates").focus()
        self.preview(None, with_templates=True)

    # ------------------------------------------------------------------ workers

    @work(thread=True, exclusive=True, group="letter-preview", exit_on_error=False)
    def preview(self, template: str | None, with_templates: bool = False) -> None:
        claim_id = self.claim_id

        def run(s: Any) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
            draft = s.draft_appeal(claim_id, template, preview=True)
            return draft, (s.appeal_templates() if with_templates else None)

        draft, templates = self.app.gate.call(run)
        self.post_message(self.Previewed(draft, templates))

    @work(thread=True, exclusive=True, group="letter-save", exit_on_error=False)
    def save(self, template: str) -> None:
        claim_id = self.claim_id
        self.post_message(self.Saved(self.app.gate.call(lambda s: s.draft_appeal(claim_id, template))))

    @work(thread=True, exclusive=True, group="letter-open", exit_on_error=False)
    def open_file(self, path: Path) -> None:
        from assistant.tui.opener import open_in_desktop

        open_in_desktop(path)
        self.app.call_from_thread(self.notify, f"Opened {path.name}")

    # ------------------------------------------------------------------ messages

    def on_letter_screen_previewed(self, message: Previewed) -> None:
        self.draft = d = message.draft
        if message.templates is not None:
            self.titles = {t["name"]: t["title"] for t in message.templates}
        left = ""
        if d.get("deadline"):
            days = (date.fromisoformat(d["deadline"]) - self.app.today).days
            left = f" · deadline {d['deadline']} ({days} days left)" if days >= 0 else \
                f" · deadline {d['deadline']} (passed {-days} days ago)"
        self.query_one("#letter-summary", Static).update(Content.assemble(
            Content.styled(f"Appeal for {d['claim_id']}", "bold"),
            f" · {self.titles.get(d['template'], d['template'])} · level {d['level']}",
            f" · {d['category'].replace('_', ' ')}" if d.get("category") else "", left))
        self.query_one("#letter-gaps", Static).update(_gaps(d["gaps"]))
        self.query_one("#letter-excerpts", Static).update(_excerpts(d["excerpts"]))
        self.query_one("#letter-preview", Static).update(Content(d["preview"]))
        if message.templates is not None:
            self._list_templates(message.templates, d["template"])

    def _list_templates(self, templates: list[dict[str, Any]], chosen: str) -> None:
        options = self.query_one("#letter-templates", OptionList)
        options.clear_options()
        ordered = sorted(templates, key=lambda t: (t["name"] != chosen, not t["appeal"], t["name"]))
        for t in ordered:
            mark = "★ " if t["name"] == chosen else "  "
            options.add_option(Option(f"{mark}{t['title']}", id=t["name"]))
        options.highlighted = 0

    def on_letter_screen_saved(self, message: Saved) -> None:
        self.saved = Path(message.draft["path"])
        self.query_one("#letter-saved", Static).update(Content.assemble(
            Content.styled("Saved ", "bold $text-success"), str(self.saved),
            Content.styled("   o opens it in the word processor", "$text-muted")))
        self.notify(f"Letter saved: {self.saved}", title="Appeal drafted")

    @on(OptionList.OptionSelected, "#letter-templates")
    def _template_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.preview(event.option.id)

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        draft = self.draft
        if draft is None:
            self.notify("The preview is still being drafted", severity="warning")
            return
        blocking = [g["message"] for g in draft["gaps"] if g["blocking"]]
        if not blocking:
            self.save(draft["template"])
            return
        def answered(yes: bool | None) -> None:
            if yes:
                self.save(draft["template"])

        self.app.push_screen(
            ConfirmDialog(f"This appeal would fail as it stands ({blocking[0]}). Save the letter anyway?"),
            answered)

    def action_open(self) -> None:
        if self.saved is None:
            self.notify("Save the letter first (s)", severity="warning")
            return
        self.open_file(self.saved)
