"""The letter as plain text for the terminal: the same blocks the .docx holds."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from assistant.letters.docx_writer import Letterhead
from assistant.letters.markup import (
    Block,
    Heading,
    Lines,
    ListItem,
    Note,
    Paragraph,
    Quote,
    Table,
    plain,
)

WIDTH = 88


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=rest) or [first.rstrip()]


def _table(block: Table) -> list[str]:
    rows = [block.header, *block.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(block.header))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(widths[i]) if block.align[i] == "right" else v.ljust(widths[i])
                         for i, v in enumerate(values)).rstrip()

    return [line(block.header), line(["-" * w for w in widths]), *(line(r) for r in block.rows)]


def _block(block: Block, width: int) -> list[str]:
    if isinstance(block, Heading):
        title = plain(block.runs)
        return [title.upper() if block.level == 1 else title,
                ("=" if block.level == 1 else "-") * min(len(title), width)]
    if isinstance(block, Paragraph):
        return _wrap(plain(block.runs), width)
    if isinstance(block, Lines):
        return [plain(line) for line in block.lines]
    if isinstance(block, ListItem):
        marker = f"{block.number}. " if block.ordered else "- "
        return _wrap(plain(block.runs), width, marker, " " * len(marker))
    if isinstance(block, Quote):
        lines = _wrap(f"\u201c{plain(block.runs)}\u201d", width - 4, "    ", "    ")
        return lines + ([f"      \u2014 {block.source}"] if block.source else [])
    if isinstance(block, Note):
        return _wrap(plain(block.runs), width, "[!] ", "    ")
    if isinstance(block, Table):
        return _table(block)
    return ["-" * width]  # PageBreak


def render_text(blocks: Sequence[Block], head: Letterhead | None = None, width: int = WIDTH) -> str:
    """Blank lines between blocks; the items of one list stay together."""
    out: list[str] = []
    if head is not None and head.base is None:
        out += [line.center(width).rstrip() for line in head.text_lines()]
        out += ["=" * width]
    elif head is not None and head.base is not None:
        out += [f"[letterhead: {head.base.name}]"]
    previous: Block | None = None
    for block in blocks:
        if out and not (isinstance(block, ListItem) and isinstance(previous, ListItem)):
            out.append("")
        out += _block(block, width)
        previous = block
    return "\n".join(out).rstrip() + "\n"
