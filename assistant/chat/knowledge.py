"""What the parser checks words against, loaded once per chat session from the database,
the code tables and the template folders."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import OSA

from assistant.chat.entities import CodeBook
from assistant.chat.parse import Knowledge
from assistant.chat.resolve import PatientIndex, PayerIndex, allowed_edits, fold
from assistant.chat.vocabulary import vocabulary
from assistant.storage import lookups

if TYPE_CHECKING:
    from assistant.services import Services

TEMPLATE_SUFFIX = ".j2"
_TEMPLATE_NOISE = frozenset({"the", "a", "an", "appeal", "appeals", "letter", "template", "our", "my", "one"})


def template_names(folders: Sequence[Path]) -> list[str]:
    """Letter templates on offer: NAME.j2 in the practice's and the shipped folders
    (files starting with "_" are shared parts, not letters)."""
    names: set[str] = set()
    for folder in folders:
        if folder.is_dir():
            names.update(p.name[:-len(TEMPLATE_SUFFIX)] for p in folder.glob(f"*{TEMPLATE_SUFFIX}")
                         if not p.name.startswith("_"))
    return sorted(names)


def _word_fits(word: str, name_words: Sequence[str]) -> bool:
    return any(word == w or (len(word) >= 3 and w.startswith(word))
               or OSA.distance(word, w) <= allowed_edits(word) for w in name_words)


def template_resolver(names: Sequence[str],
                      categories: Mapping[str, str] | None = None) -> Callable[[str], str | None]:
    """A function from typed words ("maintenance", "med necessity", "cob") to the one template
    they name, or None when they name none or several. `categories` (phrase -> category)
    lets a category's other names find the template named after it."""
    split = {name: fold(name).replace("-", "_").split("_") for name in names}

    def resolve(text: str) -> str | None:
        named = by_name(text)
        if named is not None:
            return named
        category = (categories or {}).get(" ".join(fold(text).replace("-", " ").split()))
        return category if category in split else None

    def by_name(text: str) -> str | None:
        words = [w for w in fold(text).replace("-", " ").replace("_", " ").split()
                 if w not in _TEMPLATE_NOISE]
        if not words:
            return None
        joined = "_".join(words)
        if joined in split:
            return joined
        fits = [name for name, parts in split.items() if all(_word_fits(w, parts) for w in words)]
        return fits[0] if len(fits) == 1 else None

    return resolve


def knowledge_roster(conn: sqlite3.Connection) -> tuple[Any, ...]:
    """A cheap signature of what the names index is built from: patients and claims added
    (keys only grow), payers added or renamed or given aliases (a small table)."""
    row = conn.execute(
        "SELECT (SELECT max(pk) FROM patients), (SELECT max(pk) FROM claims), "
        "(SELECT group_concat(pk || name || aliases, '|') FROM payers)").fetchone()
    return tuple(row)


def load_knowledge(services: Services) -> Knowledge:
    from assistant.rules.codes import carc, cpt, rarc

    conn = services.conn
    vocab = vocabulary()
    templates = template_names(services.locations.templates_dirs)
    prefixes = lookups.claim_id_prefixes(conn)
    return Knowledge(
        patients=PatientIndex.load(conn),
        payers=PayerIndex.load(conn, vocab),
        claim_ids=lambda tokens: lookups.claim_ids_among(conn, tokens, prefixes),
        codes=CodeBook(is_carc=lambda c: carc(c) is not None, is_rarc=lambda c: rarc(c) is not None,
                       is_cpt=lambda c: cpt(c) is not None),
        is_cpt=lambda c: cpt(c) is not None,
        template=template_resolver(templates, vocab.categories),
        template_names=tuple(templates),
        assignees=lookups.assignees(conn),
    )
