"""The help screen: every key of the screen it was opened on, and how the day goes."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GUIDE = """\
The worklist ranks the claims that most need you today; the line under it says why.
Enter opens a claim: why it was denied, what to do and by when, its lines, notes and history.
From a claim: draft the appeal, log a call with a follow-up date, then n for the next claim.
Ctrl+P finds any command, claim or patient by name. c opens the chat beside the list."""


def key_rows(screen: Screen[object]) -> list[tuple[str, str, bool]]:
    """(keys, what they do, ours) for every binding active on the screen, in the order they apply;
    `ours` marks the app's own keys (they carry an id) apart from Textual's scrolling and focus keys."""
    rows: dict[str, tuple[list[str], bool]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        shown = screen.app.get_key_display(binding) if binding.key_display is None else binding.key_display
        keys, ours = rows.get(binding.description, ([], False))
        rows[binding.description] = keys, ours or binding.id is not None  # q joins Textual's ctrl+q
        if (shown or key) not in keys:
            keys.append(shown or key)
    return [(" ".join(keys), description, ours) for description, (keys, ours) in rows.items()]


class HelpScreen(ModalScreen[None]):
    """Keys for the screen underneath (its own first, then moving around); Escape (or ?) closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.rows = key_rows(under)
        self.under_name = type(under).__name__.removesuffix("Screen").lower() or "app"

    def compose(self) -> ComposeResult:
        width = max((len(keys) for keys, _, _ in self.rows), default=4) + 2

        def block(title: str, ours: bool) -> list[Content]:
            rows = [Content.assemble(Content.styled(keys.ljust(width), "bold $accent"), text, "\n")
                    for keys, text, own in self.rows if own is ours]
            return [Content.styled(f"{title}\n", "bold"), *rows, Content("\n")] if rows else []

        keys = [*block(f"Keys on the {self.under_name} screen", True), *block("Moving around", False)]
        with VerticalScroll(id="help-body"):
            yield Static(Content.assemble(*keys), id="help-keys")
            yield Static(GUIDE, id="help-guide")
        yield Static("Esc closes help · ↓ PgDn scroll", id="help-hint")
