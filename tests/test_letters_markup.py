"""The letter markup: every block kind, escaping of inserted values, never a crash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.letters.markup import (
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
    escape_inline,
    parse,
    parse_inline,
    plain,
)


def test_every_block_kind() -> None:
    text = """# Title
## Section

First line of a paragraph
continues here with **bold** text.

- bullet one
  continued
* bullet two
1. first
2. second

> quoted words
> more words
> -- Daily note, 09/01/2026, Dana Okafor, OT

| Date | Billed |
| --- | ---: |
| 09/01/2026 | $150.00 |

::: lines
**RE:** claim C1

Second line
:::

!! check the address
+++
"""
    blocks = parse(text)
    assert blocks == [
        Heading(1, (Run("Title"),)),
        Heading(2, (Run("Section"),)),
        Paragraph((Run("First line of a paragraph continues here with "), Run("bold", True),
                   Run(" text."))),
        ListItem((Run("bullet one continued"),)),
        ListItem((Run("bullet two"),)),
        ListItem((Run("first"),), ordered=True, number=1),
        ListItem((Run("second"),), ordered=True, number=2),
        Quote((Run("quoted words more words"),), "Daily note, 09/01/2026, Dana Okafor, OT"),
        Table(("Date", "Billed"), (("09/01/2026", "$150.00"),), ("left", "right")),
        Lines(((Run("RE:", True), Run(" claim C1")), (), (Run("Second line"),))),
        Note((Run("check the address"),)),
        PageBreak(),
    ]


def test_consecutive_quotes_stay_apart() -> None:
    blocks = parse("> one\n> -- A\n> two\n> -- B\n")
    assert [(plain(b.runs), b.source) for b in blocks if isinstance(b, Quote)] == [("one", "A"), ("two", "B")]


def test_unpaired_bold_marker_is_literal() -> None:
    assert parse_inline("a ** b") == (Run("a ** b"),)
    assert parse_inline("**a** and **b") == (Run("a", True), Run(" and **b"))


def test_escaped_values_cannot_become_markup() -> None:
    hostile = "- # > | ::: !! 1. **not bold** \\ +++"
    text = f"{escape_inline(hostile)}\n"
    assert parse(text) == [Paragraph((Run(hostile),))]
    cell = escape_inline("a | b")
    table = parse(f"| {cell} | c |\n")
    assert table == [Table(("a | b", "c"), (), ("left", "left"))]


def test_numbers_are_not_escaped_so_templates_can_number_lists() -> None:
    assert parse(f"{escape_inline(3)}. third\n") == [ListItem((Run("third"),), True, 3)]
    assert escape_inline(None) == ""


def test_control_characters_are_removed() -> None:
    assert clean_text("ok\x00\x07\x1b[31m\ufffe") == "ok[31m"
    assert escape_inline("tab\tand\nnewline") == "tab and newline"


@given(st.text())
def test_any_value_survives_escaping_as_plain_text(value: str) -> None:
    blocks = parse(escape_inline(value) + "\n")
    expected = " ".join(clean_text(value).split())
    if not expected:
        assert blocks == []
    else:
        assert len(blocks) == 1 and isinstance(blocks[0], Paragraph)
        assert plain(blocks[0].runs) == expected


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_parse_never_fails(text: str) -> None:
    for block in parse(text):
        assert block is not None
