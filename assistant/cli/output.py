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


# Money the audit trail keeps in cents under names without the suffix (an 835 posting's details).
_CENTS_DETAILS = frozenset({"balance_before", "balance_after"})


def change_json(change: dict[str, Any]) -> dict[str, Any]:
    """A change or an audit entry as JSON prints money: `balance_cents` "3500" -> `balance` 35.0;
    in its details too (`amount_cents` -> `amount`)."""
    from assistant.money import as_number

    def dollars(value: Any) -> Any:
        text = str(value) if value is not None else ""
        return as_number(int(text)) if text.lstrip("-").isdigit() else value

    out = dict(change)
    field = out.get("field")
    if isinstance(field, str) and field.endswith("_cents"):
        out["field"] = field.removesuffix("_cents")
        out["before"], out["after"] = dollars(out.get("before")), dollars(out.get("after"))
    if isinstance(out.get("details"), dict):
        out["details"] = {k.removesuffix("_cents"): dollars(v) if k.endswith("_cents") or k in _CENTS_DETAILS
                          else v for k, v in out["details"].items()}
    return out


def screen_width() -> int | None:
    """The terminal's width when a person reads the output, or AR_ASSISTANT_WIDTH; None when
    it goes to a file or a pipe, where one line per row is easier to search."""
    import os

    wanted = os.environ.get("AR_ASSISTANT_WIDTH", "")
    if wanted.isdigit():
        return max(int(wanted), 40)
    if sys.stdout.isatty():
        import shutil  # only on a screen: a piped command starts without it

        return max(shutil.get_terminal_size((100, 24)).columns, 40)
    return None


def wrap(text: str, indent: str = "", width: int | None = None) -> str:
    """A paragraph wrapped to the screen (as is when not on a screen), later lines indented."""
    width = width or screen_width()
    if width is None or len(text) <= width:
        return text
    import textwrap

    return textwrap.fill(text, width, initial_indent="", subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


_MIN_WRAPPED = 10  # a text column is never narrowed below this (or its header)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], right: Iterable[int] = (),
          width: int | None = None) -> str:
    """A plain aligned table; `right` lists the columns to right-align (numbers). On a screen
    (or with `width`) headers and text columns, widest first, wrap inside their cells so each
    row fits the width; a table still too wide is shown in parts, each led by the first
    column (the row's name)."""
    width = width or screen_width()
    right_cols = set(right)
    parts = _column_groups(rows, headers, right_cols, width)
    if len(parts) == 1:
        return _table(rows, headers, right_cols, width)
    return "\n\n".join(_table([[row[i] for i in group] for row in rows], [headers[i] for i in group],
                               {n for n, i in enumerate(group) if i in right_cols}, width)
                        for group in parts)


def _column_groups(rows: Sequence[Sequence[Any]], headers: Sequence[str], right_cols: set[int],
                   width: int | None) -> list[list[int]]:
    """Columns in groups that fit `width` at their narrowest, the first column in each."""
    if width is None or len(headers) <= 2:
        return [list(range(len(headers)))]
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    narrowest = _floors(cells, headers, right_cols)
    groups: list[list[int]] = [[0]]
    for i in range(1, len(headers)):
        used = sum(narrowest[c] + 2 for c in groups[-1])
        if used + narrowest[i] > width and len(groups[-1]) > 1:
            groups.append([0])
        groups[-1].append(i)
    return groups


def _floors(cells: Sequence[Sequence[str]], headers: Sequence[str], right_cols: set[int]) -> list[int]:
    """How narrow each column may get: headers wrap between words; a column of numbers or
    of single tokens (ids, dates, codes) keeps its values on one line; text wraps between words."""
    def longest_word(values: Iterable[str]) -> int:
        return max((len(w) for v in values for w in v.split()), default=0)

    floors = []
    for i, h in enumerate(headers):
        values = [row[i] for row in cells]
        if i in right_cols or not any(" " in v for v in values):
            floors.append(max(longest_word([h]), *(len(v) for v in values), 1))
        else:
            floors.append(max(longest_word([h]), _MIN_WRAPPED, longest_word(values)))
    return floors


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str], right_cols: set[int],
           width: int | None) -> str:
    import textwrap

    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    if width is not None:
        floors = _floors(cells, headers, right_cols)
        excess = sum(widths) + 2 * (len(widths) - 1) - width
        while excess > 0:
            i = max(range(len(widths)), key=lambda n: widths[n] - floors[n])
            if widths[i] <= floors[i]:
                break
            widths[i] -= 1
            excess -= 1

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(widths[i]) if i in right_cols else v.ljust(widths[i])
            for i, v in enumerate(values)
        ).rstrip()

    def lines(values: Sequence[str]) -> list[str]:
        parts = [textwrap.wrap(v, widths[i], break_on_hyphens=False, break_long_words=False) or [""]
                 if len(v) > widths[i] else [v] for i, v in enumerate(values)]
        return [line([p[n] if n < len(p) else "" for p in parts]) for n in range(max(map(len, parts)))]

    out = [*lines(list(headers)), line(["-" * w for w in widths])]
    for row in cells:
        out.extend(lines(row))
    return "\n".join(out)


def is_interactive() -> bool:
    return sys.stderr.isatty()


def echo_rejected(error: str | None) -> None:
    """A file an import refused: one `error:` line on stderr (the file, where, and why)."""
    click.echo(f"error: {error or 'rejected'}", err=True)
