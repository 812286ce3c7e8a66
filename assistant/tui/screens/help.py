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


def key_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding active on the screen, in the order they apply."""
    rows: dict[str, list[str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        shown = screen.app.get_key_display(binding) if binding.key_display is None else binding.key_display
        rows.setdefault(binding.description, [])
        if shown not in rows[binding.description]:
            rows[binding.description].append(shown or key)
    return [(" ".join(keys), description) for description, keys in rows.items()]


class HelpScreen(ModalScreen[None]):
    """Keys for the screen underneath; Escape (or ?) closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.rows = key_rows(under)
        self.under_name = type(under).__name__.removesuffix("Screen").lower() or "app"

    def compose(self) -> ComposeResult:
        width = max((len(keys) for keys, _ in self.rows), default=4) + 2
        lines = [Content.styled(f"Keys on the {self.under_name} screen\n", "bold")]
        lines += [Content.assemble(Content.styled(keys.ljust(width), "bold $accent"), text, "\n")
                  for keys, text in self.rows]
        with VerticalScroll(id="help-body"):
            yield Static(GUIDE, id="help-guide")
            yield Static(Content.assemble(*lines), id="help-keys")
        yield Static("Esc closes help", id="help-hint")
