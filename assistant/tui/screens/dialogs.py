"""Small typed dialogs: each returns what the user entered (a frozen record) or None when cancelled.

Enter moves to the next field and saves on the last; Escape cancels. Dates take what the
worklist commands take: 2026-12-01, 12/01/2026, today, tomorrow, +14, 2w.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from assistant.domain import WorkStatus
from assistant.errors import InvalidInput

T = TypeVar("T")


@dataclass(frozen=True)
class NoteEntry:
    text: str
    rep: str | None
    reference: str | None
    follow_up: date | None


@dataclass(frozen=True)
class FollowUpEntry:
    day: date | None  # None: clear the follow-up date
    note: str | None


@dataclass(frozen=True)
class StatusEntry:
    status: WorkStatus
    reason: str | None


@dataclass(frozen=True)
class AssignEntry:
    user: str | None  # None: unassign


def parse_day(text: str, today: date) -> date | None:
    """An empty field is no date; anything else must parse as the command line reads it."""
    from assistant.chat.entities import typed_day

    return typed_day(text, today) if text.strip() else None


def _text(value: str) -> str | None:
    return value.strip() or None


class Dialog(ModalScreen[T]):
    """A titled form; subclasses compose fields and implement `result()` (raising InvalidInput)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "save", "Save", id="dialog.save"),
    ]

    title_text = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield from self.fields()
            yield Static("", classes="dialog-error")
            yield Static("Enter: next field, then save · Ctrl+S: save · Esc: cancel", classes="dialog-hint")

    def fields(self) -> ComposeResult:
        yield from ()

    def result(self) -> T:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            value = self.result()
        except InvalidInput as exc:
            self.query_one(".dialog-error", Static).update(exc.message)
            self.add_class("-invalid")
            return
        self.dismiss(value)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        at = inputs.index(event.input)
        if at + 1 < len(inputs):
            inputs[at + 1].focus()
        else:
            self.action_save()

    def value(self, selector: str) -> str:
        return self.query_one(selector, Input).value


class NoteDialog(Dialog[NoteEntry]):
    """A note on the claim with the call's rep and reference, and when to look at it again."""

    def __init__(self, claim_id: str, today: date) -> None:
        super().__init__()
        self.title_text = f"Log a note on {claim_id}"
        self.today = today

    def fields(self) -> ComposeResult:
        yield Input(placeholder="What happened: call, portal check, fax…", id="note-text")
        with Horizontal(classes="dialog-row"):
            yield Input(placeholder="Rep name", id="note-rep")
            yield Input(placeholder="Call reference #", id="note-reference")
        yield Input(placeholder="Follow up on (2026-12-01, +14, 2w; empty: none)", id="note-follow-up")

    def result(self) -> NoteEntry:
        text = self.value("#note-text").strip()
        if not text:
            raise InvalidInput("write what happened first")
        return NoteEntry(text, _text(self.value("#note-rep")), _text(self.value("#note-reference")),
                         parse_day(self.value("#note-follow-up"), self.today))


class FollowUpDialog(Dialog[FollowUpEntry]):
    def __init__(self, claim_id: str, today: date, current: str | None) -> None:
        super().__init__()
        self.title_text = f"Follow-up date for {claim_id}" + (f" (now {current})" if current else "")
        self.today = today

    def fields(self) -> ComposeResult:
        yield Input(placeholder="2026-12-01, +14, 2w, tomorrow (empty: clear it)", id="follow-day")
        yield Input(placeholder="Why (optional)", id="follow-note")

    def result(self) -> FollowUpEntry:
        return FollowUpEntry(parse_day(self.value("#follow-day"), self.today),
                             _text(self.value("#follow-note")))


class StatusDialog(Dialog[StatusEntry]):
    """Pick the work status; a write-off needs its reason."""

    def __init__(self, claim_id: str, current: str | None) -> None:
        super().__init__()
        now = f" (now {current.replace('_', ' ')})" if current else ""
        self.title_text = f"Work status of {claim_id}{now}"
        self.current = current

    def fields(self) -> ComposeResult:
        yield OptionList(*[Option(s.value.replace("_", " "), id=s.value) for s in WorkStatus],
                         id="status-choice")
        yield Input(placeholder="Reason (needed for a write-off)", id="status-reason")

    def on_mount(self) -> None:
        choice = self.query_one("#status-choice", OptionList)
        if self.current:
            choice.highlighted = [s.value for s in WorkStatus].index(self.current)
        choice.focus()

    @on(OptionList.OptionSelected, "#status-choice")
    def _chosen(self) -> None:
        self.query_one("#status-reason", Input).focus()

    def result(self) -> StatusEntry:
        choice = self.query_one("#status-choice", OptionList)
        if choice.highlighted is None:
            raise InvalidInput("pick a status")
        status = list(WorkStatus)[choice.highlighted]
        reason = _text(self.value("#status-reason"))
        if status is WorkStatus.WRITTEN_OFF and not reason:
            raise InvalidInput("a write-off needs its reason")
        return StatusEntry(status, reason)


class AssignDialog(Dialog[AssignEntry]):
    def __init__(self, claim_id: str, current: str | None, me: str) -> None:
        super().__init__()
        self.title_text = f"Assign {claim_id}" + (f" (now {current})" if current else "")
        self.me = me

    def fields(self) -> ComposeResult:
        yield Input(value=self.me, placeholder="User name (empty: unassign)", id="assign-user")

    def result(self) -> AssignEntry:
        return AssignEntry(_text(self.value("#assign-user")))


class ConfirmDialog(ModalScreen[bool]):
    """Yes or no to something that cannot simply be undone; No is the default."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="confirm-yes", variant="error")
                yield Button("No (n)", id="confirm-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
