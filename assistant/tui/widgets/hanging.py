"""Text whose wrapped lines stay under their own indent: a reason under its numbered action,
a code's meaning beside the code, a note under its date, at any width of the pane."""

from __future__ import annotations

import re
from collections.abc import Sequence

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

# Where a line's continuation starts: after its leading spaces, a list marker ("1. ", "- "),
# or a short label followed by two spaces or more ("error   ", "CO-4    ", "2026-11-26 12:00  ").
_HANG = re.compile(r"^( *)(?:(?:\d{1,2}\.|[-*•]) +|(?=\S)[^\n]{1,20}?\S {2,}(?=\S))?")
_MIN_TEXT = 12  # a continuation keeps at least this many cells of text


def hang_at(line: str) -> int:
    """The column a wrapped line continues at."""
    match = _HANG.match(line)
    return match.end() if match else 0


class Hanging(Visual):
    """Lines of `Content`, each wrapped to the width with its continuation indented."""

    def __init__(self, lines: Sequence[tuple[int, Content]]) -> None:
        self.lines = list(lines)

    @classmethod
    def of(cls, content: Content | str) -> Hanging:
        """Split text into lines; each continues where its text starts (see `hang_at`)."""
        content = Content(content) if isinstance(content, str) else content
        return cls([(hang_at(line.plain), line) for line in content.split("\n", allow_blank=True)])

    def __str__(self) -> str:
        return "\n".join(line.plain for _, line in self.lines)

    def _indent(self, indent: int, width: int) -> int:
        return indent if width - indent >= _MIN_TEXT else 0

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((line.get_optimal_width(rules, container_width) for _, line in self.lines), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return sum(self._height(rules, indent, line, width) for indent, line in self.lines)

    def _height(self, rules: RulesMap, indent: int, line: Content, width: int) -> int:
        if line.cell_length <= width:
            return 1
        _, rest = self._split(line, width, self._indent(indent, width))
        return 1 + (rest.get_height(rules, width - self._indent(indent, width)) if rest else 0)

    @staticmethod
    def _split(line: Content, width: int, indent: int) -> tuple[Content, Content | None]:
        """The first row of a long line (broken at a space) and what continues under the indent."""
        plain = line.plain
        cut = plain.rfind(" ", indent + 1, width + 1)
        if cut <= indent:
            cut = width
        if cut >= len(plain):
            return line, None
        spaces = len(plain) - cut - len(plain[cut:].lstrip(" "))
        rest = line[cut + spaces:]
        return line[:cut].rstrip(), rest if rest.plain else None

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        strips: list[Strip] = []
        plain_options = RenderOptions(options.get_style, options.rules, None, None, options.post_style)
        for indent, line in self.lines:
            if line.cell_length <= width:
                strips += line.render_strips(width, None, style, plain_options)
                continue
            indent = self._indent(indent, width)
            first, rest = self._split(line, width, indent)
            strips += first.render_strips(width, None, style, plain_options)
            if rest is not None:
                pad = Strip.blank(indent, style.rich_style)
                strips += [Strip.join([pad, strip]) if indent else strip
                           for strip in rest.render_strips(width - indent, None, style, plain_options)]
        return strips[:height] if height is not None else strips
