"""People's names as a person would write them, from sources that shout (X12 is upper case)."""

from __future__ import annotations

import re

_PARTICLES = {"de", "del", "della", "da", "di", "du", "la", "le", "van", "von", "der", "den", "y"}
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")


def _word(word: str, first: bool) -> str:
    lower = word.lower()
    if not first and lower in _PARTICLES:
        return lower
    if lower.startswith("mc") and len(lower) > 2:
        return "Mc" + lower[2:].capitalize()
    return lower.capitalize()


def proper_case(name: str) -> str:
    """'MCDONALD' -> 'McDonald', "O'BRIEN" -> "O'Brien", 'SMITH-JONES' -> 'Smith-Jones'.

    Only all-capital (or all-lower) text is changed: a name the source already wrote in
    mixed case ("MacArthur", "DeLuca") is the person's own spelling and stays.
    """
    letters = [c for c in name if c.isalpha()]
    if not letters or not (name.upper() == name or name.lower() == name):
        return name
    out, position, first = [], 0, True
    for match in _WORD.finditer(name):
        out.append(name[position:match.start()])
        out.append(_word(match.group(), first))
        position, first = match.end(), False
    out.append(name[position:])
    return "".join(out)
