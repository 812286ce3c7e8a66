"""The chat pane: the conversation so far and a line to type in. It only shows and asks;
the screen runs the chat engine in a worker and hands the answers down."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from assistant.tui.widgets.hanging import Hanging

Entry = tuple[str, Content]  # (classes: "you", "assistant", "assistant table", "note"; what to show)
TABLE_KINDS = frozenset({"worklist", "claims", "check"})  # replies that carry an aligned table


def reply_entry(text: str, data: Mapping[str, Any] | None, suggestions: Iterable[str]) -> Entry:
    """The engine's reply as the pane shows it: its words (tables unwrapped) and what to try next."""
    parts = [Content(text)]
    hints = list(suggestions)
    if hints:
        parts.append(Content.styled("Try: " + " · ".join(hints), "$text-muted italic"))
    kind = (data or {}).get("kind")
    return ("assistant table" if kind in TABLE_KINDS else "assistant"), Content("\n").join(parts)


class ChatPane(Vertical):
    """Shown beside the list or the claim; Enter asks, Escape goes back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Leave chat", id="chat.leave"),
    ]

    class Asked(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Left(Message):
        """Escape in the pane: the screen puts the focus back where work happens."""

    def compose(self) -> ComposeResult:
        yield Static("Chat", classes="chat-title")
        yield VerticalScroll(id="chat-log")
        yield Input(placeholder="why was it denied? · next claim · called Aetna ref 123, follow up in 2w",
                    id="chat-input")

    def focus_input(self) -> None:
        self.query_one("#chat-input", Input).focus()

    def show(self, entries: Iterable[Entry]) -> None:
        """Replace the log with the conversation so far (it lives on the app, across screens)."""
        log = self.query_one("#chat-log", VerticalScroll)
        log.remove_children()
        log.mount_all([self._entry(entry) for entry in entries])
        log.scroll_end(animate=False)

    def add(self, entry: Entry) -> None:
        log = self.query_one("#chat-log", VerticalScroll)
        log.mount(self._entry(entry))
        log.scroll_end(animate=False)

    def set_busy(self, busy: bool) -> None:
        self.set_class(busy, "-busy")
        self.query_one("#chat-input", Input).disabled = busy

    @staticmethod
    def _entry(entry: Entry) -> Static:
        kinds, content = entry
        classes = "chat-entry " + " ".join(f"chat-{k}" for k in kinds.split())
        # tables keep their rows on one line; text wraps under its own indent
        return Static(content if "table" in kinds.split() else Hanging.of(content), classes=classes)

    @on(Input.Submitted, "#chat-input")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        event.input.value = ""
        if text:
            self.post_message(self.Asked(text))

    def action_leave(self) -> None:
        self.post_message(self.Left())
