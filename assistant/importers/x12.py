"""X12 tokenizer for real files: delimiters from the ISA itself, and the mess real senders make.

Handles a UTF-8 BOM, CRLF, indentation, one-line files, a newline as the segment
terminator, a terminator written at the start of the next line, several ISA/GS/ST in
one file (each ISA may bring its own delimiters), and a file that starts at ST with no
envelope. Every segment keeps its 1-based position in the file, so any error can say
"segment 14 (CLM)". Anything unreadable raises `X12Error`, never another exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from assistant.errors import ImportFailed

_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")
_WHITESPACE = " \t\r\n\x0b\x0c"
_CONTROL = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})


class X12Error(ImportFailed):
    """An X12 file that cannot be read; names the file and the segment."""


@dataclass(frozen=True)
class Delimiters:
    element: str
    segment: str
    component: str
    repetition: str | None


class Segment(NamedTuple):
    """One segment; a named tuple because a large 835 makes hundreds of thousands of them."""

    id: str
    elements: list[str]  # elements[0] is the id, so elements[1] is e.g. CLP01
    index: int  # type: ignore[assignment]  # 1-based position in the file (shadows tuple.index)

    def get(self, position: int) -> str:
        """Element by its X12 position (CLP01 = 1); '' when absent."""
        return self.elements[position] if position < len(self.elements) else ""

    @property
    def where(self) -> str:
        return f"segment {self.index} ({self.id})"


@dataclass
class Transaction:
    """One ST..SE set with the envelope values that surround it."""

    set_id: str  # ST01: 835, 837, 278 ...
    control_number: str
    version: str  # GS08 or ST03, e.g. 005010X221A1
    segments: list[Segment]  # ST through SE inclusive (SE may be missing)
    delimiters: Delimiters
    sender: str = ""
    receiver: str = ""
    interchange_control: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return self.segments[0].where if self.segments else "start of file"


@dataclass
class X12File:
    name: str
    segments: list[Segment]
    interchanges: list[tuple[int, Delimiters]]  # (first segment index, its delimiters)
    warnings: list[str] = field(default_factory=list)
    # Positions in `segments` of the envelope segments (ISA GS ST SE GE IEA), noted while
    # splitting so `transactions` need not look at every segment; None: not noted.
    controls: list[int] | None = None

    def delimiters_at(self, index: int) -> Delimiters:
        current = self.interchanges[0][1]
        for first, delims in self.interchanges:
            if first > index:
                break
            current = delims
        return current


def _isa_delimiters(text: str, name: str, index: int) -> tuple[Delimiters, int]:
    """Delimiters of the ISA at the start of `text`, and where the ISA ends.

    The ISA has exactly 16 elements, so counting separators finds ISA16 and the
    terminator even when a sender padded a field to the wrong width.
    """
    if len(text) < 4:
        raise X12Error(name, f"segment {index} (ISA)", "the ISA segment is cut short")
    element = text[3]
    if element.isalnum() or element in _WHITESPACE:
        raise X12Error(name, f"segment {index} (ISA)", f"{element!r} cannot be an element separator")
    position = 3
    for _ in range(15):
        position = text.find(element, position + 1)
        if position < 0:
            raise X12Error(name, f"segment {index} (ISA)", "the ISA segment has fewer than 16 elements")
    # text[position] is the separator before ISA16
    if position + 2 >= len(text):
        raise X12Error(name, f"segment {index} (ISA)", "the file ends inside the ISA segment")
    component = text[position + 1]
    terminator_at = position + 2
    terminator = text[terminator_at]
    if terminator in "\r\n":
        # Either newline-terminated, or the real terminator opens the next line ("\n~GS*").
        following = terminator_at
        while following < len(text) and text[following] in _WHITESPACE:
            following += 1
        if following < len(text) and not text[following].isalnum():
            terminator, terminator_at = text[following], following
        else:
            terminator = "\n"
    elif terminator.isalnum() or terminator == element:
        raise X12Error(
            name, f"segment {index} (ISA)", f"cannot tell the segment terminator ({terminator!r})"
        )
    isa_fields = text[: position + 1].split(element)
    repetition = isa_fields[11] if len(isa_fields) > 11 else ""
    rep = repetition if len(repetition) == 1 and not repetition.isalnum() else None
    if component.isalnum() or component in (element, terminator):
        raise X12Error(name, f"segment {index} (ISA)", f"{component!r} cannot be a component separator")
    return Delimiters(element, terminator, component, rep), terminator_at + 1


def _guess_delimiters(text: str, name: str) -> Delimiters:
    """No envelope: the file starts at GS or ST, so guess from what follows the id."""
    element = text[2] if len(text) > 2 else ""
    if not element or element.isalnum() or element in _WHITESPACE:
        raise X12Error(name, "segment 1", "the file does not start with an ISA, GS or ST segment")
    terminator = "~" if "~" in text else "\n"
    component = ":"
    match = re.search(re.escape(element) + r"(?:HC|AD|NU|ER|IV|WK|N4|ZZ)([^A-Za-z0-9\s])", text)
    if match and match.group(1) not in (element, terminator):
        component = match.group(1)
    return Delimiters(element, terminator, component, None)


def _split(chunk: str, delims: Delimiters, first_index: int, name: str,
           controls: list[int]) -> list[Segment]:
    # Hot loop (a 20,000-claim 835 has 400,000 segments): ids already checked are not re-matched.
    segments: list[Segment] = []
    append = segments.append
    note_control = controls.append
    new = tuple.__new__  # skips NamedTuple's Python-level __new__
    element = delims.element
    known: dict[str, tuple[str, bool]] = {}  # id as written -> (id, is an envelope segment)
    index = first_index
    for raw in chunk.split(delims.segment):
        text = raw.strip(_WHITESPACE)
        if not text:
            continue
        elements = text.split(element)
        written = elements[0]
        checked = known.get(written)
        if checked is None:
            # Some home-grown systems write ids in lower case ("clm"); X12 ids are upper case.
            seg_id = written.strip(_WHITESPACE).upper()
            if not _SEGMENT_ID.match(seg_id):
                shown = written[:12].encode("ascii", "backslashreplace").decode()
                raise X12Error(name, f"segment {index}", f"{shown!r} is not an X12 segment id")
            if seg_id == written:
                seg_id = written  # the same object: the check below is then an identity test
            checked = known[written] = (seg_id, seg_id in _CONTROL)
        seg_id, control = checked
        if seg_id is not written:
            elements[0] = seg_id
        if control:
            note_control(index - 1)
        append(new(Segment, (seg_id, elements, index)))
        index += 1
    return segments


def tokenize(data: str | bytes, name: str) -> X12File:
    """Split a whole file into segments; raises `X12Error` naming the segment."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    else:
        text = data.removeprefix("\ufeff")
    text = text.lstrip(_WHITESPACE + "\x00")
    if not text:
        raise X12Error(name, None, "the file is empty")
    warnings: list[str] = []
    segments: list[Segment] = []
    interchanges: list[tuple[int, Delimiters]] = []
    controls: list[int] = []
    if text[:3].upper() == "ISA":
        # Each interchange may bring its own delimiters; re-read them at every ISA.
        while text:
            delims, isa_end = _isa_delimiters(text, name, len(segments) + 1)
            interchanges.append((len(segments) + 1, delims))
            next_isa = _next_interchange(text, isa_end, delims)
            chunk = text[:next_isa] if next_isa >= 0 else text
            segments.extend(_split(chunk, delims, len(segments) + 1, name, controls))
            text = text[next_isa:].lstrip(_WHITESPACE) if next_isa >= 0 else ""
    elif text[:2].upper() in ("ST", "GS"):
        delims = _guess_delimiters(text, name)
        interchanges.append((1, delims))
        warnings.append("no ISA envelope: delimiters were guessed from the first segments")
        segments.extend(_split(text, delims, 1, name, controls))
    else:
        raise X12Error(name, "segment 1", "the file does not start with an ISA, GS or ST segment")
    return X12File(name, segments, interchanges, warnings, controls)


def _next_interchange(text: str, start: int, delims: Delimiters) -> int:
    """Offset of the next ISA segment at or after `start`, or -1."""
    pattern = re.compile(re.escape(delims.segment) + r"\s*(?:ISA|isa)(?=[^A-Za-z0-9\s])")
    match = pattern.search(text, max(start - 1, 0))
    if match is None:
        return -1
    return match.end() - 3


def transactions(doc: X12File) -> Iterator[Transaction]:
    """Each ST..SE set with its envelope; a set with no SE ends where the next begins."""
    sender = receiver = version = interchange = ""
    segments = doc.segments
    current: Transaction | None = None
    start = 0
    # Only envelope segments matter here: the body of a set is sliced out whole when it ends.
    controls = doc.controls
    if controls is None:
        controls = [position for position, seg in enumerate(segments) if seg.id in _CONTROL]
    for position in controls:
        seg = segments[position]
        seg_id = seg.id
        if current is not None:
            if seg_id == "SE":
                current.segments = segments[start:position + 1]
                counted = len(current.segments)
                if seg.get(1) != str(counted):
                    current.warnings.append(
                        f"{seg.where}: SE01 says {seg.get(1) or 'nothing'} segments, the set has {counted}"
                    )
                yield current
                current = None
                continue
            current.segments = segments[start:position]
            if seg_id == "ST":
                current.warnings.append(f"{current.where}: no SE before the next ST")
            else:
                current.warnings.append(f"{current.where}: no SE before {seg.where}")
            yield current
            current = None
        if seg_id == "ISA":
            sender, receiver, interchange = seg.get(6).strip(), seg.get(8).strip(), seg.get(13)
        elif seg_id == "GS":
            version = seg.get(8).strip().upper()
        elif seg_id == "ST":
            start = position
            current = Transaction(
                set_id=seg.get(1),
                control_number=seg.get(2),
                version=seg.get(3).strip().upper() or version,
                segments=[seg],
                delimiters=doc.delimiters_at(seg.index),
                sender=sender,
                receiver=receiver,
                interchange_control=interchange,
            )
    if current is not None:
        current.segments = segments[start:]
        current.warnings.append(f"{current.where}: the file ends before SE")
        yield current
