"""Printing results: JSON for scripts, aligned plain tables for people."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click

# json, decimal, datetime and pathlib are imported when JSON is printed: a command that
# prints a table (`explain CO-50`) starts without them.


def _default(value: object) -> object:
    from datetime import date
    from decimal import Decimal
    from enum import Enum
    from pathlib import PurePath

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot print {type(value).__name__} as JSON")


def to_json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, default=_default, ensure_ascii=False)


def emit_json(data: Any) -> None:
    click.echo(to_json(data))


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], right: Iterable[int] = ()) -> str:
    """A plain aligned table; `right` lists the columns to right-align (numbers)."""
    right_cols = set(right)
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(widths[i]) if i in right_cols else v.ljust(widths[i])
            for i, v in enumerate(values)
        ).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def is_interactive() -> bool:
    return sys.stderr.isatty()


def echo_rejected(error: str | None) -> None:
    """A file an import refused: one `error:` line on stderr (the file, where, and why)."""
    click.echo(f"error: {error or 'rejected'}", err=True)
