"""Wrapped text in the claim view and chat stays under its own indent at any pane width."""

from __future__ import annotations

from textual.css.styles import RulesMap
from textual.style import Style
from textual.visual import RenderOptions

from assistant.tui.widgets.hanging import Hanging, hang_at


def rows(text: str, width: int) -> list[str]:
    visual = Hanging.of(text)
    strips = visual.render_strips(width, None, Style(), RenderOptions(lambda _: Style(), RulesMap()))
    assert visual.get_height(RulesMap(), width) == len(strips)
    return [strip.text.rstrip() for strip in strips]


def test_where_a_line_continues() -> None:
    assert hang_at("1. appeal by 2027-02-03") == 3
    assert hang_at("   CO-50: not medically necessary") == 3
    assert hang_at("CO-50   Not medically necessary") == 8
    assert hang_at("2026-11-20 12:00  posting  tester") == 18
    assert hang_at("plain words with single spaces") == 0


def test_a_reason_wraps_under_its_action() -> None:
    shown = rows("1. appeal with the plan of care, progress reports and functional goals", 30)
    assert shown[0].startswith("1. appeal") and len(shown) > 2
    assert all(row.startswith("   ") and not row.startswith("    ") for row in shown[1:])
    assert " ".join(row.strip() for row in shown) == \
        "1. appeal with the plan of care, progress reports and functional goals"
    assert all(len(row) <= 30 for row in shown)


def test_short_lines_and_a_narrow_pane_stay_whole() -> None:
    assert rows("short\n\nlines", 40) == ["short", "", "lines"]
    narrow = rows("CO-50 " + " " * 20 + "Not medically necessary per payer", 16)  # no room for the indent
    assert all(len(row) <= 16 for row in narrow) and "".join(narrow).replace(" ", "") == \
        "CO-50Notmedicallynecessaryperpayer"
