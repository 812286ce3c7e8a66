"""The footer: the keys of the screen, tightened on a narrow terminal so the last ones still show."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

ROOMY = 140  # columns from which the keys get Textual's usual padding and the palette key its place


class KeysFooter(Footer):
    """Compact below `ROOMY` columns, without the Ctrl+P key (help and the README name it) below 100."""

    def on_resize(self, event: events.Resize) -> None:
        compact, palette = event.size.width < ROOMY, event.size.width >= 100
        if (compact, palette) != (self.compact, self.show_command_palette):
            self.compact, self.show_command_palette = compact, palette
            self.refresh(recompose=True)
