"""Where the ranked table's rows come from: one page of a worklist at a time, in a worker thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.services import Services

FIRST_PAGE = 200  # rows read before the first frame; later pages come as the table asks


@dataclass(frozen=True)
class Page:
    offset: int
    rows: list[dict[str, Any]]
    total: int
    total_balance: float | None = None
    worklist: str = ""
    description: str = ""


class RankingProgress:
    """How far a ranking catch-up has got (after an upgrade, or a new day on a big database):
    written by the thread reading the first page, read by the screen's timer."""

    def __init__(self) -> None:
        self.done = self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total


@dataclass(frozen=True)
class WorklistSource:
    """A saved worklist (None: the default, `today`), narrowed by the words typed in the filter."""

    name: str | None = None
    search: str = ""

    def fetch(self, services: Services, offset: int, limit: int,
              progress: Callable[[int, int], None] | None = None) -> Page:
        data = services.worklist(self.name, limit=limit, offset=offset, search=self.search or None,
                                 progress=progress or (lambda _done, _total: None))
        return Page(offset, data["rows"], data["total_claims"], data["total_balance"], data["worklist"],
                    data["description"])


def default_source() -> WorklistSource:
    """What the app opens on."""
    return WorklistSource()


@dataclass(frozen=True)
class ShownList:
    """The worklist on screen, as the chat walks it: its first page, its size, and the rest on demand."""

    label: str
    claim_ids: tuple[str, ...]
    total: int
    source: WorklistSource

    def more(self, services: Services, offset: int) -> list[str]:
        """The claim ids after `offset` (called by the chat inside the gate, with its services)."""
        return [str(r["claim_id"]) for r in self.source.fetch(services, offset, FIRST_PAGE).rows]
