"""Starting the app fast: the first page of the worklist is read while Textual is imported.

Nothing here imports Textual at module level, so the query starts first and the import of
Textual (the largest part of start-up) hides most of its cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.tui.gate import ServiceGate
from assistant.tui.sources import FIRST_PAGE, RankingProgress, default_source

if TYPE_CHECKING:
    from assistant.services import Services


def run(services: Services) -> None:
    gate = ServiceGate(services)
    source = default_source()
    progress = RankingProgress()
    first = gate.submit(lambda s: source.fetch(s, 0, FIRST_PAGE, progress))
    from assistant.tui.app import make_app

    make_app(services, gate=gate, first_page=(source, first), progress=progress).run()
