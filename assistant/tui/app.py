"""The application: built around an injected `Services`, one factory for the CLI and the tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from assistant.tui.commands import BindingCommands, ClaimFinder, WorklistCommands
from assistant.tui.gate import ServiceGate
from assistant.tui.workers import report_error

if TYPE_CHECKING:
    from concurrent.futures import Future

    from textual.content import Content

    from assistant.chat.engine import ChatEngine, ChatReply
    from assistant.services import Services
    from assistant.tui.sources import Page, RankingProgress, ShownList, WorklistSource

    FirstPage = tuple[WorklistSource, Future[Page]]


class ArApp(App[None]):
    """The specialist's day: the ranked worklist first, a claim one key away, chat beside it."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "ar-assistant"
    COMMANDS = App.COMMANDS | {BindingCommands, ClaimFinder, WorklistCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
    ]

    def __init__(self, services: Services, gate: ServiceGate | None = None,
                 first_page: FirstPage | None = None, progress: RankingProgress | None = None) -> None:
        super().__init__()
        self.gate = gate or ServiceGate(services)
        self.first_page = first_page  # (source, future) started before Textual was imported
        self.first_progress = progress  # how far that first read's ranking catch-up has got
        self.today = services.today
        self.user = services.user
        self.focused_claim_id: str | None = None  # the highlighted row or the open claim
        self.shown_list: ShownList | None = None  # the worklist on screen, for chat
        self._chat_list: ShownList | None = None  # the one the chat last walked
        self.chat_log: list[tuple[str, Content]] = []  # the conversation, shown on every screen
        self._chat: ChatEngine | None = None
        self.sub_title = f"{services.locations.db.name} · today {services.today.isoformat()}"

    def get_default_screen(self) -> Screen[None]:
        from assistant.tui.screens.worklist import WorklistScreen

        return WorklistScreen()

    def chat(self, services: Services, text: str, focus: str | None) -> ChatReply:
        """Ask the chat engine (in a worker, through the gate) about the claim in focus."""
        if self._chat is None:
            from assistant.chat.engine import ChatEngine

            self._chat = ChatEngine(services)
        session = self._chat.session
        if self.shown_list is not None and self.shown_list != self._chat_list:
            self._chat_list = self.shown_list  # "next" walks the list on screen until chat shows another
            shown = self.shown_list
            session.show_worklist(list(shown.claim_ids), shown.label, shown.total,
                                  lambda offset: shown.more(services, offset))
        if focus is not None and focus != session.focus:
            session.set_focus(focus)
        return self._chat.ask(text)

    def report_error(self, error: BaseException) -> None:
        report_error(self, error)

    def open_claim(self, claim_id: str) -> None:
        """Open a claim over the worklist, from wherever the user is (the palette, chat)."""
        from assistant.tui.screens.worklist import WorklistScreen

        while not isinstance(self.screen, WorklistScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        worklist = self.screen
        if isinstance(worklist, WorklistScreen):
            worklist.open_claim(claim_id)

    def action_help(self) -> None:
        from assistant.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))


def make_app(services: Services, *, gate: ServiceGate | None = None,
             first_page: FirstPage | None = None, progress: RankingProgress | None = None) -> ArApp:
    """The one way to build the app: the CLI passes its services (and the first page it started
    reading, see `launch.run`), the tests theirs."""
    return ArApp(services, gate, first_page, progress)
