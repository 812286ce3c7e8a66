"""Conversation context: the claim in focus, the worklist being worked, what waits for an answer.

One `Session` per conversation (the TUI keeps one per window; `ask` on the command line
starts a fresh one per message). "it", "that claim" and "this one" mean the claim in
focus; "next" and "previous" move along the worklist last shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.chat.resolve import PatientRef


@dataclass(frozen=True)
class PendingAction:
    """A change that waits for "yes": what it will do, on which claims, and how."""

    intent: str
    description: str
    claims: tuple[str, ...]
    entities: dict[str, Any]
    apply: Callable[[], Any]


@dataclass(frozen=True)
class PendingChoice:
    """Patients a message may have meant; the next message picks one ("2", "Luis", an account)."""

    text: str  # the message that asked
    candidates: tuple[PatientRef, ...]


@dataclass
class Session:
    interactive: bool = True  # False: one message only (`ask`), nobody will answer a question
    focus: str | None = None
    worklist: list[str] = field(default_factory=list)
    worklist_label: str | None = None
    worklist_total: int = 0
    _more: Callable[[int], list[str]] | None = field(default=None, repr=False)
    position: int = -1
    pending: PendingAction | None = None
    choice: PendingChoice | None = None

    def set_focus(self, claim_id: str) -> None:
        self.focus = claim_id
        if claim_id in self.worklist:
            self.position = self.worklist.index(claim_id)

    def show_worklist(self, claim_ids: list[str], label: str, total: int | None = None,
                      more: Callable[[int], list[str]] | None = None) -> None:
        """A new worklist becomes current; its first claim takes the focus. `total` is its
        size when only a first page is shown; `more(offset)` reads the claims after it."""
        self.worklist = list(claim_ids)
        self.worklist_label = label
        self.worklist_total = total if total is not None else len(claim_ids)
        self._more = more
        self.position = 0 if claim_ids else -1
        if claim_ids:
            self.focus = claim_ids[0]

    def step(self, direction: int) -> str | None:
        """The next (1) or previous (-1) claim of the worklist, now in focus; None at an end.
        Stepping past the page shown reads the next one."""
        if not self.worklist:
            return None
        target = self.position + direction
        if target >= len(self.worklist) and self._more is not None and target < self.worklist_total:
            self.worklist.extend(c for c in self._more(len(self.worklist)) if c not in self.worklist)
        if not 0 <= target < len(self.worklist):
            return None
        self.position = target
        self.focus = self.worklist[target]
        return self.focus

    def where(self) -> str:
        """"3 of 25 in humana over 120 days" for replies while working a list."""
        if self.position < 0 or not self.worklist:
            return ""
        return f"{self.position + 1} of {self.worklist_total} in {self.worklist_label}"
