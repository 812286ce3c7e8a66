"""What both the worklist and the claim screen do to the claim in focus: note, follow-up,
status, assign, appeal. Each opens a typed dialog, then writes in a worker."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget

from assistant.domain import WorkStatus
from assistant.tui.columns import money
from assistant.tui.screens.dialogs import (
    AssignDialog,
    AssignEntry,
    ConfirmDialog,
    FollowUpDialog,
    FollowUpEntry,
    NoteDialog,
    NoteEntry,
    StatusDialog,
    StatusEntry,
)
from assistant.tui.widgets.chat_pane import ChatPane, reply_entry
from assistant.tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from assistant.chat.engine import ChatReply
    from assistant.services import Services
    from assistant.tui.app import ArApp

ResultT = TypeVar("ResultT")
Claim = Mapping[str, Any]
Change = Callable[["Services", int | None], dict[str, Any]]  # a write, given the version read


class ClaimWorkScreen(ReportsWorkerErrors, Screen[ResultT]):
    """A screen with a claim in focus (`focused_claim`) and the keys that work it."""

    app: ArApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "appeal", "Appeal", id="claim.appeal"),
        Binding("l", "note", "Note", id="claim.note"),
        Binding("f", "follow_up", "Follow-up", show=False, id="claim.follow_up"),  # the note sets one too
        Binding("s", "status", "Status", id="claim.status"),
        Binding("u", "assign", "Assign", show=False, id="claim.assign"),
        Binding("c", "toggle_chat", "Chat", id="chat.toggle"),
    ]

    class ClaimChanged(Message):
        """A write went through: the services' answer ({claim_id, version, work_status, ...})."""

        def __init__(self, result: dict[str, Any], done: str) -> None:
            super().__init__()
            self.result = result
            self.done = done

    class ChatAnswered(Message):
        def __init__(self, reply: ChatReply) -> None:
            super().__init__()
            self.reply = reply

    def focused_claim(self) -> Claim | None:
        """The claim the keys act on (a row or the open claim), None when there is none."""
        raise NotImplementedError

    def work_area(self) -> Widget:
        """Where the focus goes back to from the chat."""
        raise NotImplementedError

    def follow_chat(self, claim_ids: list[str]) -> None:
        """The chat's reply named these claims (the one it is about first)."""

    def claim_worked(self) -> None:
        """A claim changed (a dialog or the chat): show it as it is now."""

    def _claim_or_say(self) -> Claim | None:
        claim = self.focused_claim()
        if claim is None:
            self.notify("No claim in focus", severity="warning")
        return claim

    # ------------------------------------------------------------------ actions

    def action_appeal(self) -> None:
        from assistant.tui.screens.letter import LetterScreen

        if (claim := self._claim_or_say()) is None:
            return
        self.app.push_screen(LetterScreen(claim["claim_id"]), lambda _: self.claim_worked())

    def on_claim_work_screen_claim_changed(self, message: ClaimChanged) -> None:
        self.notify(message.done)
        self.claim_worked()

    def action_note(self) -> None:
        if (claim := self._claim_or_say()) is None:
            return
        self.app.push_screen(NoteDialog(claim["claim_id"], self.app.today),
                             lambda entry: self._save_note(claim, entry) if entry else None)

    def action_follow_up(self) -> None:
        if (claim := self._claim_or_say()) is None:
            return
        self.app.push_screen(FollowUpDialog(claim["claim_id"], self.app.today, claim.get("follow_up_date")),
                             lambda entry: self._save_follow_up(claim, entry) if entry else None)

    def action_status(self) -> None:
        if (claim := self._claim_or_say()) is None:
            return
        self.app.push_screen(StatusDialog(claim["claim_id"], claim.get("work_status")),
                             lambda entry: self._confirm_status(claim, entry) if entry else None)

    def action_assign(self) -> None:
        if (claim := self._claim_or_say()) is None:
            return
        self.app.push_screen(AssignDialog(claim["claim_id"], claim.get("assignee"), self.app.user),
                             lambda entry: self._save_assign(claim, entry) if entry else None)

    # ------------------------------------------------------------------ chat

    def action_toggle_chat(self) -> None:
        pane = self.query_one(ChatPane)
        if self.has_class("-chat"):
            self.remove_class("-chat")
            self.work_area().focus()
            return
        self.add_class("-chat")
        pane.show(self.app.chat_log)
        pane.focus_input()

    @on(ChatPane.Left)
    def _chat_left(self) -> None:
        self.work_area().focus()

    @on(ChatPane.Asked)
    def _chat_asked(self, message: ChatPane.Asked) -> None:
        self._say(("you", Content(message.text)))
        self.ask_chat(message.text)

    def _say(self, entry: tuple[str, Content]) -> None:
        self.app.chat_log.append(entry)
        self.query_one(ChatPane).add(entry)

    def ask_chat(self, text: str) -> None:
        self.query_one(ChatPane).set_busy(True)
        self._ask(text, self.app.focused_claim_id)

    @work(thread=True, exclusive=True, group="chat", exit_on_error=False)
    def _ask(self, text: str, focus: str | None) -> None:
        pane = self.query_one(ChatPane)
        try:
            reply = self.app.gate.call(lambda s: self.app.chat(s, text, focus))
        finally:
            self.app.call_from_thread(pane.set_busy, False)
        self.post_message(self.ChatAnswered(reply))

    def on_claim_work_screen_chat_answered(self, message: ChatAnswered) -> None:
        reply = message.reply
        self._say(reply_entry(reply.reply, reply.data, reply.suggestions))
        self.query_one(ChatPane).focus_input()
        if reply.claims:
            self.follow_chat(list(reply.claims))
        if reply.data and reply.data.get("kind") in ("change", "appeal"):
            self.claim_worked()
        if reply.needs_confirmation:
            self.app.push_screen(ConfirmDialog(reply.reply),
                                 lambda yes: self.ask_chat("yes" if yes else "no"))

    # ------------------------------------------------------------------ writes

    def _save_note(self, claim: Claim, entry: NoteEntry) -> None:
        done = f"Note saved on {claim['claim_id']}" + (
            f"; follow up {entry.follow_up.isoformat()}" if entry.follow_up else "")
        self._write(claim, done, lambda s, v: s.note(
            claim["claim_id"], entry.text, rep=entry.rep, reference=entry.reference,
            follow_up=entry.follow_up, expected_version=v))

    def _save_follow_up(self, claim: Claim, entry: FollowUpEntry) -> None:
        done = (f"{claim['claim_id']}: follow up {entry.day.isoformat()}" if entry.day
                else f"{claim['claim_id']}: follow-up date cleared")
        self._write(claim, done, lambda s, v: s.follow_up(
            claim["claim_id"], entry.day, note=entry.note, expected_version=v))

    def _confirm_status(self, claim: Claim, entry: StatusEntry) -> None:
        if entry.status not in (WorkStatus.WRITTEN_OFF, WorkStatus.CLOSED):
            self._save_status(claim, entry)
            return
        what = (f"Write off {money(claim.get('balance'))} on {claim['claim_id']}?"
                if entry.status is WorkStatus.WRITTEN_OFF else f"Close {claim['claim_id']}?")
        self.app.push_screen(ConfirmDialog(what),
                             lambda yes: self._save_status(claim, entry) if yes else None)

    def _save_status(self, claim: Claim, entry: StatusEntry) -> None:
        done = f"{claim['claim_id']}: status {entry.status.value.replace('_', ' ')}"
        self._write(claim, done, lambda s, v: s.set_status(
            claim["claim_id"], entry.status, reason=entry.reason, expected_version=v))

    def _save_assign(self, claim: Claim, entry: AssignEntry) -> None:
        done = f"{claim['claim_id']}: " + (f"assigned to {entry.user}" if entry.user else "unassigned")
        self._write(claim, done, lambda s, v: s.assign(claim["claim_id"], entry.user, expected_version=v))

    @work(thread=True, group="claim-write", exit_on_error=False)
    def _write(self, claim: Claim, done: str, change: Change) -> None:
        version = claim.get("version")
        result = self.app.gate.call(lambda s: change(s, version))
        self.post_message(self.ClaimChanged(result, done))
