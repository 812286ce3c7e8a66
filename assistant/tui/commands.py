"""Command palette providers: every key binding as a command, and a jump to any claim or patient."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from assistant.tui.columns import money, words

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.dom import DOMNode

    from assistant.tui.app import ArApp

SEARCH_LIMIT = 12


def _commands(provider: Provider) -> list[tuple[str, str, DOMNode, Binding]]:
    """(title, help, node, binding) for each binding of the screen the palette was opened on."""
    out: dict[str, tuple[str, str, DOMNode, Binding]] = {}
    for key, active in provider.screen.active_bindings.items():
        binding = active.binding
        if not binding.description or not active.enabled or binding.system:
            continue
        title = binding.description
        if title not in out:
            shown = binding.key_display or provider.app.get_key_display(binding) or key
            out[title] = (title, f"key {shown}" + (
                f" · {binding.tooltip}" if binding.tooltip else ""), active.node, binding)
    return sorted(out.values(), key=lambda item: item[0].lower())


class BindingCommands(Provider):
    """Whatever the footer offers on this screen, searchable by name."""

    async def discover(self) -> Hits:
        for title, help_text, node, binding in _commands(self):
            yield DiscoveryHit(title, partial(self._run, node, binding.action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, node, binding in _commands(self):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, node, binding.action),
                          text=title, help=help_text)

    async def _run(self, node: DOMNode, action: str) -> None:
        await self.app.run_action(action, node)


class ClaimFinder(Provider):
    """Type a claim id or a patient's name (typos welcome) to open that claim."""

    async def search(self, query: str) -> Hits:
        app: ArApp = self.app  # type: ignore[assignment]
        if len(query.strip()) < 2:
            return
        rows: list[dict[str, Any]] = await asyncio.to_thread(
            app.gate.call, lambda s: s.find_claims(query, SEARCH_LIMIT))
        for i, row in enumerate(rows):
            title = f"Open {row['claim_id']} · {row['patient']}"
            detail = (f"{row['payer']} · DOS {row['dos']} · {money(row['balance'])} · {words(row['status'])}"
                      f" · matched {'claim id' if row['match'] == 'claim' else 'patient'}")
            score = 1.0 - i / (len(rows) + 1)
            yield Hit(score, title, partial(app.open_claim, row["claim_id"]), text=title, help=detail)


class WorklistCommands(Provider):
    """"Worklist: deadline-7-days" for every saved worklist, from the worklist screen."""

    def _lists(self) -> list[tuple[str, Any]]:
        from assistant.tui.screens.worklist import WorklistScreen

        screen = self.screen
        if not isinstance(screen, WorklistScreen):
            return []
        return [(f"Worklist: {name}", partial(screen.show_worklist, name)) for name in screen.names]

    async def discover(self) -> Hits:
        for title, run in self._lists():
            yield DiscoveryHit(title, run, help="show this saved worklist")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, run in self._lists():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help="show this saved worklist")
