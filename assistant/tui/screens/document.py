"""Reading one therapy note, evaluation or plan of care."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from assistant.tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from assistant.tui.app import ArApp


class DocumentScreen(ReportsWorkerErrors, ModalScreen[None]):
    app: ArApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="document.close"),
    ]

    class Loaded(Message):
        def __init__(self, document: dict[str, Any]) -> None:
            super().__init__()
            self.document = document

    def __init__(self, document_id: int) -> None:
        super().__init__()
        self.document_id = document_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="document-body"):
            yield Static("Loading…", id="document-head")
            yield Static(id="document-text")

    def on_mount(self) -> None:
        self.query_one("#document-body").focus()
        self.load()

    @work(thread=True, exclusive=True, group="document", exit_on_error=False)
    def load(self) -> None:
        pk = self.document_id
        self.post_message(self.Loaded(self.app.gate.call(lambda s: s.document(pk))))

    def on_document_screen_loaded(self, message: Loaded) -> None:
        d = message.document
        author = " ".join(filter(None, [d["author"], d["credential"]]))
        head = Content.assemble(
            Content.styled(d["title"] or d["type"].replace("_", " ").capitalize(), "bold"),
            f"  {d['date']}", f"  {author}" if author else "",
            Content.styled(f"  ({d['source']})" if d["source"] else "", "$text-muted"))
        self.query_one("#document-head", Static).update(head)
        self.query_one("#document-text", Static).update(Content(d["text"]))
