"""Word output: the letter's blocks on the practice's letterhead, as an owner-only .docx.

The only module that imports python-docx, and only when a letter is written, so no
other command pays for it. The base document is the practice's own letterhead .docx
(`Locations.letterhead`: its header, footer, styles and any letterhead drawn in the body
stay, and the letter follows) or, without one, a letterhead made from the practice's
name, address, phone and NPI in the first-page header. Text is passed through
`clean_text` once more here, so a control character in a note can never make a file
Word refuses to open.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.letters.markup import (
    Block,
    Heading,
    Lines,
    ListItem,
    Note,
    PageBreak,
    Paragraph,
    Quote,
    Run,
    Table,
    clean_text,
)


@dataclass(frozen=True)
class Letterhead:
    """What heads the first page: the practice's lines, or its own .docx."""

    name: str
    lines: tuple[str, ...] = ()
    base: Path | None = None
    running_header: str | None = None  # pages after the first

    def text_lines(self) -> list[str]:
        return [self.name, *self.lines] if self.name else list(self.lines)


def _ensure_styles(doc: Any) -> dict[str, str | None]:
    """Style ids to use, looked up once per document.

    python-docx resolves a style name on every `add_paragraph(style=...)` by scanning all
    styles; setting the id directly is the same markup for a fraction of the time. A
    practice letterhead may lack the list, quote or table styles: Quote is added, the
    others fall back to direct formatting.
    """
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    ids = {s.name: s.style_id for s in doc.styles}
    if "Quote" not in ids:
        quote = doc.styles.add_style("Quote", WD_STYLE_TYPE.PARAGRAPH)
        quote.base_style = doc.styles["Normal"]
        quote.font.italic = True
        quote.paragraph_format.left_indent = Pt(28)
        quote.paragraph_format.right_indent = Pt(28)
        ids["Quote"] = quote.style_id
    wanted = {"quote": "Quote", "bullet": "List Bullet", "number": "List Number", "h1": "Heading 1",
              "h2": "Heading 2", "h3": "Heading 3", "table": "Table Grid"}
    return {key: ids.get(name) for key, name in wanted.items()}


def _paragraph(doc: Any, style_id: str | None) -> Any:
    paragraph = doc.add_paragraph()
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def _runs(paragraph: Any, runs: Sequence[Run]) -> None:
    for run in runs:
        r = paragraph.add_run(clean_text(run.text))
        if run.bold:
            r.bold = True


def _letterhead(doc: Any, head: Letterhead) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    section = doc.sections[0]
    if head.base is None:
        section.different_first_page_header_footer = True
        first = section.first_page_header
        p = first.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        name = p.add_run(clean_text(head.name))
        name.bold = True
        name.font.size = Pt(15)
        for line in head.lines:
            q = first.add_paragraph()
            q.alignment = WD_ALIGN_PARAGRAPH.CENTER
            q.paragraph_format.space_after = Pt(0)
            q.add_run(clean_text(line)).font.size = Pt(9)
    if head.running_header and head.base is None:  # a practice's own letterhead keeps its headers
        header = section.header
        header.is_linked_to_previous = False
        p = header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run(clean_text(head.running_header)).font.size = Pt(8)


def _base_document(head: Letterhead) -> Any:
    from docx import Document

    if head.base is None:
        return Document()
    try:
        doc = Document(str(head.base))
    except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
        raise ConfigError(f"{head.base}: not a usable letterhead .docx ({type(exc).__name__})") from None
    body = doc.element.body
    content = [el for el in body if not el.tag.endswith("}sectPr")]
    if all(_is_blank_paragraph(el) for el in content):
        for el in content:  # an empty body: the letter starts at the top of the page
            body.remove(el)
    return doc


def _is_blank_paragraph(element: Any) -> bool:
    if not element.tag.endswith("}p"):
        return False
    text = "".join(node.text or "" for node in element.iter() if node.tag.endswith("}t"))
    drawn = any(node.tag.endswith(("}drawing", "}pict", "}object")) for node in element.iter())
    return not text.strip() and not drawn


def build_document(blocks: Sequence[Block], head: Letterhead) -> Any:
    """A python-docx Document holding the letter."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
    from docx.shared import Pt

    doc = _base_document(head)
    styles = _ensure_styles(doc)
    _letterhead(doc, head)
    for block in blocks:
        if isinstance(block, Paragraph):
            _runs(doc.add_paragraph(), block.runs)
        elif isinstance(block, Heading):
            style = styles.get(f"h{block.level}")
            p = _paragraph(doc, style)
            _runs(p, block.runs)
            if style is None:
                for r in p.runs:
                    r.bold = True
        elif isinstance(block, Lines):
            p = doc.add_paragraph()
            for i, line in enumerate(block.lines):
                if i:
                    p.add_run().add_break()
                _runs(p, line)
        elif isinstance(block, ListItem):
            style = styles["number"] if block.ordered else styles["bullet"]
            p = _paragraph(doc, style)
            if style is None:
                p.paragraph_format.left_indent = Pt(18)
                p.add_run(f"{block.number}. " if block.ordered else "\u2022 ")
            _runs(p, block.runs)
        elif isinstance(block, Quote):
            p = _paragraph(doc, styles["quote"])
            _runs(p, block.runs)
            if block.source:
                p.add_run().add_break()
                cite = p.add_run(clean_text(f"\u2014 {block.source}"))
                cite.italic = False
                cite.font.size = Pt(9)
        elif isinstance(block, Note):
            p = doc.add_paragraph()
            label = p.add_run("Drafting note (delete before sending): ")
            label.bold = True
            label.font.highlight_color = WD_COLOR_INDEX.YELLOW
            for run in block.runs:
                r = p.add_run(clean_text(run.text))
                r.bold = run.bold or None
                r.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif isinstance(block, Table):
            width = len(block.header)
            table = doc.add_table(rows=1 + len(block.rows), cols=width)
            if styles["table"]:
                table._tbl.tblPr.style = styles["table"]
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            cells = table._cells
            for r, values in enumerate((block.header, *block.rows)):
                for c, value in enumerate(values):
                    para = cells[r * width + c].paragraphs[0]
                    run = para.add_run(clean_text(value))
                    if r == 0:
                        run.bold = True
                    if block.align[c] == "right":
                        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    return doc


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (0600), whatever the process umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def write_docx(blocks: Sequence[Block], head: Letterhead, path: Path) -> Path:
    """Render the letter to `path` (owner-only)."""
    doc = build_document(blocks, head)
    buffer = io.BytesIO()
    doc.save(buffer)
    write_private(path, buffer.getvalue())
    return path
