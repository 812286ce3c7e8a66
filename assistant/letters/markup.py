"""The light markup letter templates are written in, and the neutral blocks it becomes.

Both the Word writer and the terminal preview read the same block list, so what the
biller previews is what the .docx holds. The markup, one block per line or group of lines:

    # Heading / ## Subheading
    Plain lines            one paragraph; consecutive lines join with a space
    - item  /  * item      bullet (an indented next line continues it)
    1. item                numbered item
    > text                 quotation; `> -- Daily note, 09/01/2026, D. Okafor, OT` cites it
    | a | b |              table row; the first row is the header; `|---|--:|` sets alignment
    ::: lines ... :::      lines kept as written (addresses, the RE block, signature)
    !! text                drafting note for the biller (highlighted; delete before sending)
    +++                    page break
    **bold**  \\x          inline bold; a backslash makes the next character literal

A blank line ends a paragraph, item or quotation. Values that templates insert are escaped
(`escape_inline`), so a note that starts with "- " or holds "**" stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters XML 1.0 (and so Word) cannot hold, plus C1 controls and the DEL that
# terminals interpret: removed from everything that reaches a letter or a screen.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_START_MARKERS = "#-*>|:!+"


def clean_text(text: str) -> str:
    """Remove characters a .docx cannot hold (control characters from pasted notes)."""
    return _UNSAFE.sub("", text)


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False


Runs = tuple[Run, ...]


@dataclass(frozen=True)
class Heading:
    level: int
    runs: Runs


@dataclass(frozen=True)
class Paragraph:
    runs: Runs


@dataclass(frozen=True)
class Lines:
    lines: tuple[Runs, ...]


@dataclass(frozen=True)
class ListItem:
    runs: Runs
    ordered: bool = False
    number: int = 0


@dataclass(frozen=True)
class Quote:
    runs: Runs
    source: str | None = None


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...]  # "left" | "right" per column


@dataclass(frozen=True)
class Note:
    runs: Runs


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Lines | ListItem | Quote | Table | Note | PageBreak


class MarkupText(str):
    """Text that already is markup (filters' output); inserted into a template unescaped."""

    __slots__ = ()


def escape_inline(value: object) -> str:
    """A value as literal text inside one line of markup (numbers need no escaping)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = " ".join(clean_text(str(value)).split())
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("|", "\\|")
    if text and (text[0] in _LINE_START_MARKERS or text[0].isdigit()):
        text = "\\" + text
    return text


def plain(runs: Runs) -> str:
    return "".join(run.text for run in runs)


_INLINE = re.compile(r"(\\.|\*\*)", re.DOTALL)


def parse_inline(text: str) -> Runs:
    """`**bold**` and backslash escapes; an unpaired `**` stays literal."""
    if "*" not in text and "\\" not in text:
        return (Run(text),) if text else ()
    pieces: list[tuple[str, bool]] = []  # (text, is_bold_marker)
    for token in _INLINE.split(text):
        if token == "**":
            pieces.append((token, True))
        elif token:
            pieces.append((token[1] if len(token) == 2 and token[0] == "\\" else token, False))
    markers = [i for i, (_, is_marker) in enumerate(pieces) if is_marker]
    if len(markers) % 2:
        pieces[markers[-1]] = ("**", False)
    runs: list[Run] = []
    bold = False
    for piece, is_marker in pieces:
        if is_marker:
            bold = not bold
        elif runs and runs[-1].bold == bold:
            runs[-1] = Run(runs[-1].text + piece, bold)
        else:
            runs.append(Run(piece, bold))
    return tuple(runs)


_ORDERED = re.compile(r"(\d{1,3})[.)]\s+(.*)")
_TABLE_RULE = re.compile(r":?-+:?")


def _split_cells(line: str) -> list[str]:
    """Cells of `| a | b |`, honouring `\\|`; each cell keeps its escapes for parse_inline."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    cells, buf, i = [], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            buf.append(body[i:i + 2])
            i += 2
            continue
        if ch == "|":
            cells.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
        i += 1
    tail = "".join(buf).strip()
    if tail:
        cells.append(tail)
    return cells


def _table(rows: list[str]) -> Table:
    cells = [_split_cells(row) for row in rows]
    align: list[str] = []
    if len(cells) > 1 and cells[1] and all(_TABLE_RULE.fullmatch(c.replace(" ", "")) for c in cells[1]):
        align = ["right" if c.strip().endswith(":") and not c.strip().startswith(":") else "left"
                 for c in cells[1]]
        del cells[1]
    width = max(len(row) for row in cells)
    texts = [tuple(plain(parse_inline(c)) for c in row) + ("",) * (width - len(row)) for row in cells]
    align += ["left"] * (width - len(align))
    return Table(header=texts[0], rows=tuple(texts[1:]), align=tuple(align[:width]))


def parse(text: str) -> list[Block]:
    """Markup -> blocks. Never fails: anything unrecognised is paragraph text."""
    blocks: list[Block] = []
    para: list[str] = []
    quote: list[str] = []
    quote_source: str | None = None
    item: tuple[bool, int, list[str]] | None = None
    table: list[str] = []
    lines_block: list[str] | None = None

    def flush() -> None:
        nonlocal para, quote, quote_source, item, table
        if para:
            blocks.append(Paragraph(parse_inline(" ".join(para))))
            para = []
        if quote or quote_source:
            blocks.append(Quote(parse_inline(" ".join(quote)), quote_source))
            quote, quote_source = [], None
        if item is not None:
            ordered, number, parts = item
            blocks.append(ListItem(parse_inline(" ".join(parts)), ordered, number))
            item = None
        if table:
            blocks.append(_table(table))
            table = []

    for raw in text.splitlines():
        if lines_block is not None:
            if raw.strip() == ":::":
                blocks.append(Lines(tuple(parse_inline(line) for line in lines_block)))
                lines_block = None
            else:
                lines_block.append(raw.strip())
            continue
        line = raw.strip()
        if not line:
            flush()
            continue
        if item is not None and raw[:1] in (" ", "\t") and not line.startswith(("- ", "* ")):
            item[2].append(line)
            continue
        if line.startswith("::: ") or line == ":::":
            flush()
            lines_block = []
            continue
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            if line[level:level + 1] == " ":
                flush()
                blocks.append(Heading(min(level, 3), parse_inline(line[level + 1:].strip())))
                continue
        if line == "+++":
            flush()
            blocks.append(PageBreak())
            continue
        if line.startswith("!!"):
            flush()
            blocks.append(Note(parse_inline(line[2:].strip())))
            continue
        if line.startswith(">"):
            content = line[1:].strip()
            if para or item is not None or table:
                flush()
            if content.startswith("-- "):
                quote_source = plain(parse_inline(content[3:].strip()))
                blocks.append(Quote(parse_inline(" ".join(quote)), quote_source))
                quote, quote_source = [], None
            else:
                quote.append(content)
            continue
        if line.startswith("|"):
            if not table:
                flush()
            table.append(line)
            continue
        if line.startswith(("- ", "* ")):
            flush()
            item = (False, 0, [line[2:].strip()])
            continue
        ordered = _ORDERED.fullmatch(line)
        if ordered:
            flush()
            item = (True, int(ordered.group(1)), [ordered.group(2).strip()])
            continue
        if quote or table or item is not None:
            flush()
        para.append(line)
    if lines_block is not None:
        blocks.append(Lines(tuple(parse_inline(line) for line in lines_block)))
    flush()
    return blocks
