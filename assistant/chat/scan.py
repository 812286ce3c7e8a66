"""A message being read: lower-cased text whose recognised parts are masked as they are taken.

Extractors run in turn over what earlier ones left, so "ref 55102" is never read as a claim id
or an amount, and a date's "next" never counts as "next claim". Offsets stay those of the
original text, so names can be quoted as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

GAP = "\x1f"  # stands in for taken characters: neither a word character nor a space
_WORD = re.compile(r"[a-z0-9]+(?:['&/.\-][a-z0-9]+)*")
_SPACE = re.compile(r"[ \t\r\n]*")
_BRIDGE = re.compile(r"[ \t\r\n" + GAP + r"]*")


def normalise(text: str) -> str:
    """Lower case, one character for one (offsets stay valid), typographic quotes made plain."""
    out = []
    for ch in text:
        if ch in "\u2018\u2019\u02bc`\u00b4":
            ch = "'"
        elif ch in "\u201c\u201d":
            ch = '"'
        elif ch in "\u2013\u2014\u2212":
            ch = "-"
        elif ch == GAP or not ch.isprintable():
            ch = " "
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)


@dataclass(frozen=True)
class Word:
    text: str  # normalised
    start: int
    end: int
    index: int
    joined: bool  # only spaces between this word and the one before
    bridged: bool  # only spaces and taken text between them ("get [20934] paid")
    original: str  # as typed


class Scan:
    def __init__(self, text: str) -> None:
        self.original = text
        self.text = normalise(text)
        self._chars = list(self.text)
        self._masked: str | None = self.text

    @property
    def masked(self) -> str:
        if self._masked is None:
            self._masked = "".join(self._chars)
        return self._masked

    def take(self, start: int, end: int) -> None:
        for i in range(start, end):
            self._chars[i] = GAP
        self._masked = None

    def restore(self, start: int, end: int) -> None:
        """Give back characters an extractor took and then decided it did not need."""
        self._chars[start:end] = self.text[start:end]
        self._masked = None

    def is_free(self, start: int, end: int) -> bool:
        return GAP not in self.masked[start:end]

    def finditer(self, pattern: re.Pattern[str], group: int | str = 0) -> Iterator[re.Match[str]]:
        """Matches over what is left; a match is skipped once its `group` was taken (by an
        earlier extractor or an earlier match of the same pattern)."""
        for match in list(pattern.finditer(self.masked)):
            if match.start(group) >= 0 and self.is_free(*match.span(group)):
                yield match

    def typed(self, start: int, end: int) -> str:
        """The original characters of a span (names as the user typed them)."""
        return self.original[start:end]

    def words(self) -> list[Word]:
        masked = self.masked
        words: list[Word] = []
        previous_end = None
        for match in _WORD.finditer(masked):
            gap = masked[previous_end:match.start()] if previous_end is not None else None
            joined = gap is not None and _SPACE.fullmatch(gap) is not None
            bridged = gap is not None and _BRIDGE.fullmatch(gap) is not None
            words.append(Word(match.group(), match.start(), match.end(), len(words), joined, bridged,
                              self.original[match.start():match.end()]))
            previous_end = match.end()
        return words
