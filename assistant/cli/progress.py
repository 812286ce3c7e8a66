"""Progress bars on a terminal; silence with --json or when piped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from assistant.cli.output import is_interactive

Progress = Callable[[int, int], None]


@contextmanager
def progress(label: str, *, quiet: bool) -> Iterator[Progress]:
    """Yields `report(done, total)` for core code to call as it works."""
    if quiet or not is_interactive():
        yield lambda _done, _total: None
        return
    bar: Any = None  # click's ProgressBar, created once the total is known
    shown = 0

    def report(done: int, total: int) -> None:
        nonlocal bar, shown
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label=label, file=click.get_text_stream("stderr"))  # type: ignore[operator]
            bar.__enter__()
        bar.update(done - shown)
        shown = done

    try:
        yield report
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
