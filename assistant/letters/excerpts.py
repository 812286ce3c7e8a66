"""The best passages of a claim's therapy notes for the payer's denial, quoted with their source.

The notes are split into passages (a section line, a paragraph, or a few sentences), and
the passages ranked with SQLite FTS5 (bm25) against the denial's evidence terms
(`assistant/data/evidence_terms.toml`). Therapists abbreviate and misspell, so each term
also matches its charting synonyms and, through rapidfuzz, the words of these very notes
that are near misses of it ("independant", "assistence"). Copy-forward notes repeat
themselves; near-duplicate passages are quoted once. Every excerpt is verbatim note text
(whitespace aside) with its document id, type, date and author.
"""

from __future__ import annotations

import re
import sqlite3
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from assistant.domain import DocType
from assistant.errors import ConfigError
from assistant.letters.markup import clean_text
from assistant.paths import package_data
from assistant.storage.documents import DocumentView

MAX_PASSAGE = 360  # characters: a quotation a reviewer reads whole
MIN_PASSAGE = 40  # shorter lines ("Signed: ...", "Plan:") carry no argument
DEFAULT_LIMIT = 4
MAX_PER_DOCUMENT = 2
DUPLICATE_SIMILARITY = 88  # rapidfuzz token_set_ratio: copy-forward text above this is one passage
VARIANT_SIMILARITY = 84  # rapidfuzz ratio: a note's word this close to a term is that term misspelt
SERVICE_DATE_BONUS = 1.3
RELATIVE_FLOOR = 0.3  # a passage scoring under this share of the best one is not worth quoting

DOC_LABELS = {
    DocType.EVALUATION: "Evaluation",
    DocType.DAILY_NOTE: "Daily note",
    DocType.PROGRESS_REPORT: "Progress report",
    DocType.PLAN_OF_CARE: "Plan of care",
    DocType.RE_EVALUATION: "Re-evaluation",
}


@dataclass(frozen=True)
class Profile:
    name: str
    terms: tuple[str, ...]
    doc_types: tuple[DocType, ...]


@dataclass(frozen=True)
class Excerpt:
    document_id: int
    doc_type: DocType
    doc_date: date
    author: str | None
    author_credential: str | None
    text: str
    score: float
    position: int  # passage number within the document

    @property
    def cite(self) -> str:
        parts = [DOC_LABELS[self.doc_type], f"{self.doc_date:%m/%d/%Y}"]
        if self.author:
            parts.append(self.author)
        if self.author_credential:
            parts.append(self.author_credential)
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id, "type": self.doc_type.value,
            "date": self.doc_date.isoformat(), "author": self.author, "text": self.text,
        }


@cache
def _data() -> tuple[dict[str, Profile], dict[str, tuple[str, ...]], dict[str, float]]:
    path = package_data("evidence_terms.toml")
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    try:
        profiles = {
            name: Profile(name, tuple(entry["terms"]), tuple(DocType(t) for t in entry["doc_types"]))
            for name, entry in raw["profiles"].items()
        }
        sections = {name: float(weight) for name, weight in raw.get("sections", {}).items()
                    if name != "source"}
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: bad evidence profile ({exc})") from None
    synonyms = {term.lower(): tuple(values) for term, values in raw.get("synonyms", {}).items()}
    return profiles, synonyms, sections


_SECTION = re.compile(r"^(?P<name>s|o|a|p|subjective|objective|assessment|plan)\s*[:\-]\s", re.IGNORECASE)
_SECTION_NAMES = {"s": "subjective", "o": "objective", "a": "assessment", "p": "plan"}


def section_weight(passage: str) -> float:
    """The weight of the note section a passage opens (1.0 when it names none)."""
    match = _SECTION.match(passage)
    if match is None:
        return 1.0
    name = match["name"].lower()
    return _data()[2].get(_SECTION_NAMES.get(name, name), 1.0)


def profile(name: str) -> Profile:
    profiles = _data()[0]
    found = profiles.get(name)
    if found is None:
        raise ConfigError(f"unknown evidence profile {name!r}; known: {', '.join(sorted(profiles))}")
    return found


def profile_names() -> list[str]:
    return sorted(_data()[0])


# --------------------------------------------------------------------------- passages

_LIST_MARK = re.compile(r"^(?:[-*\u2022]|\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"'])")
_HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z /&()-]{0,30}:$")


def _sentence_groups(text: str) -> list[str]:
    """A long paragraph as runs of whole sentences up to MAX_PASSAGE characters."""
    if len(text) <= MAX_PASSAGE:
        return [text]
    groups: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + 1 + len(sentence) > MAX_PASSAGE:
            groups.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        groups.append(current)
    return groups


def split_passages(text: str) -> list[str]:
    """A note as quotable passages: each line or paragraph, long ones cut at sentence ends.

    A bare section heading ("Assessment:") joins the line after it, so the quotation says
    which part of the note it comes from; an indented line continues the line above it
    (a timed code's minutes, then what was done in them). A list marker ("- ", "2. ") is
    not quoted: the quotation is the item.
    """
    lines: list[str] = []
    heading = ""
    for raw in clean_text(text).splitlines():
        line = _LIST_MARK.sub("", " ".join(raw.split()))
        if not line:
            continue
        if _HEADER_LINE.match(line):
            heading = f"{heading} {line}".strip()
            continue
        if heading:
            line = f"{heading} {line}"
            heading = ""
        elif raw[:1] in (" ", "\t") and lines and not _HEADER_LINE.match(lines[-1]):
            lines[-1] = f"{lines[-1]} {line}"
            continue
        lines.append(line)
    if heading:
        lines.append(heading)
    return [p for line in lines for p in _sentence_groups(line) if p]


# --------------------------------------------------------------------------- ranking

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")


def _phrase(term: str) -> str:
    """An FTS5 query phrase; a single word also matches as a prefix of its stem."""
    words = re.findall(r"[\w']+", term)
    if not words:
        return ""
    text = " ".join(words).replace('"', "")
    return f'"{text}" *' if len(words) == 1 else f'"{text}"'


def _variants(terms: Sequence[str], vocabulary: set[str]) -> list[str]:
    """Words of the notes that are misspellings of a single-word term."""
    from rapidfuzz import fuzz, process

    singles = [t.lower() for t in terms if " " not in t and len(t) >= 6]
    candidates = sorted(w for w in vocabulary if not any(w.startswith(t) for t in singles))
    if not singles or not candidates:
        return []
    found = {
        match
        for term in singles
        for match, _score, _index in process.extract(term, candidates, scorer=fuzz.ratio,
                                                     score_cutoff=VARIANT_SIMILARITY, limit=None)
    }
    return sorted(found)


@cache
def _term_phrases(name: str) -> tuple[str, ...]:
    """A profile's terms and their charting synonyms as FTS5 phrases."""
    synonyms = _data()[1]
    terms: list[str] = []
    for term in profile(name).terms:
        terms.append(term)
        terms.extend(synonyms.get(term.lower(), ()))
    return tuple(dict.fromkeys(p for p in (_phrase(t) for t in terms) if p))


def query_for(prof: Profile, vocabulary: set[str]) -> str:
    """The FTS5 query: the profile's terms, their charting synonyms and misspelt variants."""
    phrases = dict.fromkeys(_term_phrases(prof.name))
    phrases.update(dict.fromkeys(p for p in (_phrase(v) for v in _variants(prof.terms, vocabulary)) if p))
    return " OR ".join(phrases)


@dataclass(frozen=True)
class _Passage:
    document: DocumentView
    position: int
    text: str


def _ranked(passages: list[_Passage], query: str) -> dict[int, float]:
    """Passage index -> bm25 relevance (higher is better); passages without a match are absent.

    A private in-memory FTS5 table per call: cheaper than emptying a shared one, and safe
    in threads and forked workers alike.
    """
    if not query:
        return {}
    index = sqlite3.connect(":memory:")
    try:
        index.execute("CREATE VIRTUAL TABLE passages USING fts5(text, tokenize='porter unicode61')")
        index.executemany("INSERT INTO passages (rowid, text) VALUES (?, ?)",
                          ((i, p.text) for i, p in enumerate(passages)))
        rows = index.execute(
            "SELECT rowid, bm25(passages) FROM passages WHERE passages MATCH ?", (query,)
        ).fetchall()
    except sqlite3.OperationalError as exc:
        raise ConfigError(f"evidence terms make a bad search ({exc})") from None
    finally:
        index.close()
    return {int(rowid): -float(rank) for rowid, rank in rows}


def best_excerpts(
    documents: Sequence[DocumentView],
    profile_name: str,
    service_dates: Sequence[date],
    limit: int = DEFAULT_LIMIT,
) -> list[Excerpt]:
    """The `limit` passages that best answer the denial, oldest first.

    Whenever notes exist, at least one excerpt comes back, and (with room for two or more)
    a treatment note of a service date is among them when there is one: it is the record
    of the service itself.
    """
    from rapidfuzz import fuzz

    prof = profile(profile_name)
    dates = set(service_dates)
    if prof.doc_types[:1] == (DocType.DAILY_NOTE,) and any(
            d.doc_type is DocType.DAILY_NOTE and d.doc_date in dates for d in documents):
        # The record of the service itself is what this denial turns on (minutes, time
        # blocks, what was done): another day's note would only mislead the reviewer.
        documents = [d for d in documents if d.doc_date in dates]
    passages = [
        _Passage(doc, i, text)
        for doc in documents
        for i, text in enumerate(split_passages(doc.text))
    ]
    if not passages or limit <= 0:
        return []
    vocabulary = {w.lower() for p in passages for w in _WORD.findall(p.text)}
    relevance = _ranked(passages, query_for(prof, vocabulary))
    weights = {t: 1.0 - 0.12 * i for i, t in enumerate(prof.doc_types)}

    def score(i: int) -> float:
        p = passages[i]
        value = relevance.get(i, 0.0) * weights.get(p.document.doc_type, 0.4)
        if p.document.doc_type is DocType.DAILY_NOTE:
            value *= section_weight(p.text)
        if p.document.doc_date in dates:
            value *= SERVICE_DATE_BONUS
        if len(p.text) < MIN_PASSAGE:
            value *= 0.2
        return value

    order = sorted(relevance, key=lambda i: (-score(i), i))
    if order:
        floor = score(order[0]) * RELATIVE_FLOOR
        order = [i for i in order if score(i) >= floor]
    chosen: list[int] = []
    per_document: dict[int, int] = {}

    def similar(i: int, j: int) -> bool:
        return fuzz.token_set_ratio(passages[i].text, passages[j].text) >= DUPLICATE_SIMILARITY

    for i in order:
        if len(chosen) >= limit:
            break
        if per_document.get(passages[i].document.pk, 0) >= MAX_PER_DOCUMENT:
            continue
        if any(similar(i, j) for j in chosen):
            continue
        chosen.append(i)
        per_document[passages[i].document.pk] = per_document.get(passages[i].document.pk, 0) + 1
    on_service_date = [i for i, p in enumerate(passages) if p.document.doc_date in dates
                       and p.document.doc_type is DocType.DAILY_NOTE]
    if limit > 1 and on_service_date and not any(i in on_service_date for i in chosen):
        best = max(on_service_date, key=lambda i: (score(i), len(passages[i].text) >= MIN_PASSAGE,
                                                   len(passages[i].text), -i))
        twin = next((j for j in chosen if similar(best, j)), None)
        if twin is not None:
            chosen.remove(twin)  # the same words, but from the service date itself
        elif len(chosen) >= limit:
            chosen.pop()
        chosen.append(best)
    if not chosen:
        # Nothing matched the terms: quote the most fitting document's fullest passage.
        preferred = min(range(len(passages)), key=lambda i: (
            passages[i].document.doc_date not in dates,
            -weights.get(passages[i].document.doc_type, 0.4),
            -min(len(passages[i].text), MAX_PASSAGE), i))
        chosen.append(preferred)
    chosen.sort(key=lambda i: (passages[i].document.doc_date, passages[i].document.pk,
                               passages[i].position))
    return [
        Excerpt(
            document_id=passages[i].document.pk, doc_type=passages[i].document.doc_type,
            doc_date=passages[i].document.doc_date, author=passages[i].document.author,
            author_credential=passages[i].document.author_credential, text=passages[i].text,
            score=round(score(i), 4), position=passages[i].position,
        )
        for i in chosen
    ]
