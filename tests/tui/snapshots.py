"""SVG snapshots of whole screens: fixed size, fixed data and date, no blinking cursor.

A snapshot that differs fails with the path of the new picture beside the stored one; set
AR_UPDATE_SNAPSHOTS=1 to store the new pictures after looking at them. (A small helper
rather than pytest-textual-snapshot: the comparison is one file read and one equality.)
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import App
from textual.widgets import Input

STORED = Path(__file__).resolve().parent / "snapshots"


def still_svg(app: App[object]) -> str:
    """The screen as SVG with every text cursor shown steadily."""
    for field in app.screen.query(Input):
        field.cursor_blink = False
        field._pause_blink(visible=True)  # as Textual's own snapshot plugin does
    return app.export_screenshot(title="ar-assistant")


def assert_snapshot(app: App[object], name: str, tmp_path: Path) -> None:
    svg = still_svg(app)
    stored = STORED / f"{name}.svg"
    if os.environ.get("AR_UPDATE_SNAPSHOTS") or not stored.exists():
        STORED.mkdir(exist_ok=True)
        stored.write_text(svg, encoding="utf-8")
        if not os.environ.get("AR_UPDATE_SNAPSHOTS"):
            raise AssertionError(f"new snapshot {stored}: look at it, then commit it")
        return
    if stored.read_text(encoding="utf-8") != svg:
        fresh = tmp_path / f"{name}.svg"
        fresh.write_text(svg, encoding="utf-8")
        raise AssertionError(f"screen {name!r} changed: compare {fresh} with {stored} "
                             "(AR_UPDATE_SNAPSHOTS=1 stores the new one)")


def screen_lines(app: App[object]) -> list[str]:
    """What the user reads: the screen's text, one string per terminal row (from the SVG export)."""
    import html
    import re

    rows: dict[float, list[tuple[int, str]]] = {}
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', still_svg(app)):
        rows.setdefault(float(m[2]), []).append((round(float(m[1]) / CELL_WIDTH), html.unescape(m[3])))
    lines = []
    for y in sorted(rows):
        line = ""
        for column, text in sorted(rows[y]):
            line = line.ljust(column) + text
        lines.append(line.replace("\xa0", " ").rstrip())
    return lines


CELL_WIDTH = 12.2  # Rich's SVG export: 0.61 of its 20-pixel font per cell
