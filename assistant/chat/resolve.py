"""Who and which payer a message means: patient and payer names resolved against the database.

Both indexes are built once per chat session over normalised names (accents, case and
punctuation removed). A typed word is looked up exactly first; only when that fails are
typos (OSA distance: one edit up to six letters, two beyond, a swap counting as one edit)
and prefixes tried, and only among the names sharing its first letter, so a message stays
fast with 50,000 patients (rapidfuzz's full WRatio over every name would not).
"""

from __future__ import annotations

import bisect
import heapq
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant.chat.scan import Scan, Word
from assistant.chat.vocabulary import Vocabulary
from assistant.storage import lookups

EXACT = 100.0
MAX_CANDIDATES = 8


def fold(text: str) -> str:
    """Lower case without accents or apostrophes: "O'Brién" -> "obrien"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.lower().replace("'", "").replace("\u2019", "").replace(".", "")


def name_tokens(text: str) -> list[str]:
    """Searchable words of a name: "De la Cruz-Diaz" -> de, la, cruz, diaz, delacruzdiaz."""
    folded = fold(text)
    parts = [p for p in "".join(ch if ch.isalnum() else " " for ch in folded).split() if p]
    if len(parts) > 1:
        parts.append("".join(parts))
    return parts


def allowed_edits(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) <= 6 else 2


def close_words(word: str, choices: Sequence[str]) -> list[tuple[str, int]]:
    """Choices within the allowed edits of `word`, nearest first."""
    limit = allowed_edits(word)
    if limit == 0 or not choices:
        return []
    found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=20)
    return sorted(((choice, int(dist)) for choice, dist, _ in found), key=lambda c: (c[1], c[0]))


# --------------------------------------------------------------------------- patients


@dataclass(frozen=True)
class PatientRef:
    pk: int
    account: str
    last_name: str
    first_name: str

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}" if self.first_name else self.last_name


@dataclass(frozen=True)
class PatientMatch:
    """The patients a mention may mean, best first, with the words it was read from."""

    mention: str  # as typed
    start: int
    end: int
    candidates: tuple[tuple[PatientRef, float], ...]
    total: int  # how many patients matched (candidates keeps the best MAX_CANDIDATES)

    @property
    def best_score(self) -> float:
        return self.candidates[0][1]

    @property
    def patient(self) -> PatientRef | None:
        """The one patient meant, when no other scores as well."""
        if len(self.candidates) == 1:
            return self.candidates[0][0]
        top, second = self.candidates[0][1], self.candidates[1][1]
        return self.candidates[0][0] if top - second >= 5 else None

    @property
    def tied(self) -> list[PatientRef]:
        top = self.best_score
        return [p for p, score in self.candidates if top - score < 5]


_LAST, _FIRST = 1, 2  # which part of the name a word matched


class PatientIndex:
    """Names of every patient, searchable by any word of the last or first name.

    Held as plain tuples of strings and ints (no object per patient), which the garbage
    collector stops tracking: with 50,000 patients a full collection would otherwise walk
    them all in the middle of a message.
    """

    def __init__(self, rows: Iterable[tuple[int, str, str, str]]) -> None:
        self._rows: dict[int, tuple[str, str, str]] = {}
        self._accounts: dict[str, int] = {}
        last: dict[str, list[int]] = defaultdict(list)
        first: dict[str, list[int]] = defaultdict(list)
        for pk, account, last_name, first_name in rows:
            self._rows[pk] = (account, last_name or "", first_name or "")
            self._accounts[account.lower()] = pk
            for token in name_tokens(last_name or ""):
                last[token].append(pk)
            for token in name_tokens(first_name or ""):
                first[token].append(pk)
        self._last: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in last.items()}
        self._first: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in first.items()}
        self._tokens = tuple(sorted(set(self._last) | set(self._first)))
        by_letter: dict[str, list[str]] = defaultdict(list)
        for token in self._tokens:
            by_letter[token[0]].append(token)
        self._by_letter = {k: tuple(v) for k, v in by_letter.items()}

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> PatientIndex:
        return cls(lookups.patient_names(conn))

    def __len__(self) -> int:
        return len(self._rows)

    def by_account(self, account: str) -> PatientRef | None:
        pk = self._accounts.get(account.lower())
        return self.patient(pk) if pk is not None else None

    def patient(self, pk: int) -> PatientRef:
        account, last, first = self._rows[pk]
        return PatientRef(pk, account, last, first)

    def is_token(self, word: str) -> bool:
        return word in self._last or word in self._first

    def _token_hits(self, word: str, typos: bool = True) -> list[tuple[str, float]]:
        """Name tokens a typed word may be: itself; else typos (when `typos`) and prefixes."""
        if word in self._last or word in self._first:
            return [(word, EXACT)]
        same_letter = self._by_letter.get(word[0], ()) if typos else ()
        hits = [(token, EXACT - 8 * dist) for token, dist in close_words(word, same_letter)]
        if len(word) >= 3:
            lo = bisect.bisect_left(self._tokens, word)
            hi = bisect.bisect_left(self._tokens, word + "\uffff", lo)
            seen = {t for t, _ in hits}
            hits.extend((token, 60 + 30 * len(word) / len(token))
                        for token in self._tokens[lo:min(hi, lo + 50)] if token not in seen)
        return hits

    def _word_patients(self, word: str, typos: bool = True) -> dict[int, tuple[float, int]]:
        """pk -> (best score, roles: _LAST | _FIRST) for one typed word."""
        out: dict[int, tuple[float, int]] = {}
        for token, score in self._token_hits(word, typos):
            for role, index in ((_LAST, self._last), (_FIRST, self._first)):
                for pk in index.get(token, ()):
                    old = out.get(pk)
                    if old is None or score > old[0]:
                        out[pk] = (score, role)
                    elif score == old[0]:
                        out[pk] = (score, old[1] | role)
        return out

    def match_words(self, words: Sequence[str],
                    limit: int | None = MAX_CANDIDATES) -> tuple[list[tuple[PatientRef, float]], int]:
        """The best `limit` patients every word names (any order: "last, first" or "first
        last"), scored, and how many matched in all."""
        single = len(words) == 1
        # a lone short word one letter off a name is most often a word ("card", not Carl)
        per_word = [self._word_patients(w, typos=not (single and len(w) <= 4)) for w in words]
        if not per_word or any(not hits for hits in per_word):
            return [], 0
        smallest = min(per_word, key=len)
        scored: list[tuple[float, int]] = []
        for pk in smallest:
            total, roles = 0.0, 0
            for hits in per_word:
                hit = hits.get(pk)
                if hit is None:
                    break
                total += hit[0]
                roles |= hit[1]
            else:
                score = total / len(words)
                if single and not roles & _LAST:
                    score -= 10  # a lone first name is a weaker clue than a lone last name
                if not single and roles == _LAST | _FIRST:
                    score += 5
                scored.append((score, pk))
        rows = self._rows

        def order(sp: tuple[float, int]) -> tuple[float, str, str, int]:
            return -sp[0], rows[sp[1]][1], rows[sp[1]][2], sp[1]

        best = sorted(scored, key=order) if limit is None else heapq.nsmallest(limit, scored, key=order)
        return [(self.patient(pk), score) for score, pk in best], len(scored)


def _name_word(word: Word) -> str:
    """A typed word as a name: folded, without a possessive ("rivero's" -> "rivero")."""
    text = word.text[:-2] if word.text.endswith("'s") else word.text
    return fold(text)


def _name_runs(words: Sequence[Word], candidate: Callable[[Word], bool]) -> list[list[Word]]:
    """Runs of words that may form a name: adjacent, or split by a comma ("Ortiz, Ana")."""
    runs: list[list[Word]] = []
    for word in words:
        if not candidate(word):
            continue
        if runs and runs[-1][-1].index == word.index - 1 and len(runs[-1]) < 4:
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def find_patient(scan: Scan, index: PatientIndex, is_word: Callable[[str], bool],
                 taken_words: Callable[[Word], bool]) -> PatientMatch | None:
    """The best patient mention among the words left in the message; an account number
    ("A2006") names its patient outright.

    Vocabulary words are not names on their own, but one next to a name joins it when the
    two together name a patient exactly ("Mark Ortiz"). The mention's words are taken.
    """
    words = scan.words()
    for word in words:
        if any(ch.isdigit() for ch in word.text) and (by_account := index.by_account(word.text)) is not None:
            scan.take(word.start, word.end)
            return PatientMatch(word.original, word.start, word.end, ((by_account, EXACT),), 1)

    def candidate(word: Word) -> bool:
        text = _name_word(word)
        return (text.isalpha() and len(text) >= 2 and not is_word(word.text)
                and (len(text) >= 3 or index.is_token(text)))

    best: tuple[float, int, list[Word], list[tuple[PatientRef, float]], int] | None = None
    for run in _name_runs(words, candidate):
        for size in range(len(run), 0, -1):
            for start in range(len(run) - size + 1):
                part = run[start:start + size]
                matches, total = index.match_words([_name_word(w) for w in part])
                if matches and (best is None or (matches[0][1], size) > (best[0], best[1])):
                    best = (matches[0][1], size, part, matches, total)
            if best is not None and best[1] == size:
                break
    if best is None:
        return None
    _, _, part, matches, total = best
    if total > 1:
        part, matches, total = _widen(words, part, matches, total, index, taken_words)
    scan.take(part[0].start, part[-1].end)
    start, end = part[0].start, part[-1].end
    return PatientMatch(mention=scan.typed(start, end), start=start, end=end, candidates=tuple(matches),
                        total=total)


_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mx", "jr", "sr", "ii", "iii"})


def other_person(words: Sequence[Word], match: PatientMatch, is_word: Callable[[str], bool],
                 taken_words: Callable[[Word], bool]) -> str | None:
    """The full name typed, when a one-word match has another name beside it: "jane martin"
    is not Martin, John, and "john doe" is not Johnson, John. Acting on a namesake would put
    a note or a letter on the wrong patient's claim, so the caller says no such patient."""
    part = [w for w in words if match.start <= w.start and w.end <= match.end]
    if len(part) != 1 or not match.candidates:
        return None
    for neighbour_index, after in ((part[0].index - 1, False), (part[0].index + 1, True)):
        if not 0 <= neighbour_index < len(words):
            continue
        neighbour = words[neighbour_index]
        text = _name_word(neighbour)
        if (text.isalpha() and len(text) >= 2 and text not in _TITLES and not is_word(neighbour.text)
                and not taken_words(neighbour) and (neighbour.joined if after else part[0].joined)):
            first, last = (part[0], neighbour) if after else (neighbour, part[0])
            return f"{first.original} {last.original}"
    return None


Matches = list[tuple[PatientRef, float]]


def _widen(words: Sequence[Word], part: list[Word], matches: Matches, total: int, index: PatientIndex,
           taken_words: Callable[[Word], bool]) -> tuple[list[Word], Matches, int]:
    """An ambiguous name takes in a neighbour that settles it: a capitalised vocabulary word
    that completes an exact full name ("Mark Ortiz"), or an initial ("ortiz a", "L. Ortiz")."""
    typed = [fold(w.text) for w in part]
    for neighbour_index in (part[0].index - 1, part[-1].index + 1):
        if not 0 <= neighbour_index < len(words):
            continue
        neighbour = words[neighbour_index]
        text = fold(neighbour.text)
        if taken_words(neighbour) or not text.isalpha():
            continue
        wider = sorted([*part, neighbour], key=lambda w: w.index)
        if len(text) == 1:
            everyone, _ = index.match_words(typed, limit=None)
            fitting = [(p, sc) for p, sc in everyone
                       if any(fold(n).startswith(text) for n in (p.first_name, p.last_name)
                              if fold(n) not in typed)]
            if fitting:
                return wider, fitting[:MAX_CANDIDATES], len(fitting)
        elif neighbour.original[:1].isupper() or total <= MAX_CANDIDATES:
            exact, count = index.match_words([fold(w.text) for w in wider])
            exact = [(p, sc) for p, sc in exact if sc >= EXACT]
            if exact:
                return wider, exact, len(exact) if count == len(exact) else count
    return part, matches, total


# --------------------------------------------------------------------------- payers


@dataclass(frozen=True)
class PayerRef:
    pk: int
    name: str
    kind: str


@dataclass(frozen=True)
class PayerMention:
    payers: tuple[PayerRef, ...]  # the payers meant (one, a family such as "UHC"; none: not on file)
    kind: str | None  # a kind word ("medicaid") when that is how the payers were named
    phrase: str


def _norm_payer(text: str) -> str:
    folded = fold(text).replace("-", " ").replace("/", " ")
    return " ".join("".join(ch if ch.isalnum() or ch in " &" else " " for ch in folded).split())


@dataclass(frozen=True)
class _PayerHit:
    start: int  # word indexes
    end: int
    phrase: str
    pks: frozenset[int] | None
    kind: str | None


class PayerIndex:
    """Payer names, their aliases in the payers table, common shorthand and kind words."""

    def __init__(self, payers: Sequence[tuple[PayerRef, Sequence[str]]], vocab: Vocabulary) -> None:
        self.payers = {ref.pk: ref for ref, _ in payers}
        exact: dict[str, set[int]] = {}
        for ref, aliases in payers:
            for text in (ref.name, *aliases):
                key = _norm_payer(text)
                if key:
                    exact.setdefault(key, set()).add(ref.pk)
        squashed = {ref.pk: [_norm_payer(t).replace(" ", "") for t in (ref.name, *aliases)]
                    for ref, aliases in payers}
        self._name_words = {ref.pk: frozenset(w for t in (ref.name, *aliases) for w in _norm_payer(t).split())
                            for ref, aliases in payers}
        phrases: dict[str, frozenset[int]] = {k: frozenset(v) for k, v in exact.items()}
        for said, contains in vocab.payer_aliases.items():
            keys = [_norm_payer(c).replace(" ", "") for c in contains]
            pks = frozenset(pk for pk, names in squashed.items()
                            if any(k in name for k in keys for name in names))
            if pks:
                phrases.setdefault(_norm_payer(said), pks)
        by_word: dict[str, set[int]] = defaultdict(set)
        for ref, aliases in payers:
            for text in (ref.name, *aliases):
                for word in _norm_payer(text).split():
                    if len(word) >= 3 and word not in vocab.generic_payer_words:
                        by_word[word].add(ref.pk)
        for word, word_pks in by_word.items():
            phrases.setdefault(word, frozenset(word_pks))
        self._phrases = phrases
        # Common payer names this practice has no payer for ("cigna" with no Cigna on file).
        self._unknown = frozenset(_norm_payer(said) for said in vocab.payer_aliases) - set(phrases)
        self._kinds = vocab.payer_kinds
        self._single = sorted(p for p in phrases if " " not in p and len(p) >= 4)
        self.words = frozenset(w for p in phrases for w in p.split())

    @classmethod
    def load(cls, conn: sqlite3.Connection, vocab: Vocabulary) -> PayerIndex:
        payers = [(PayerRef(pk, name, kind), aliases)
                  for pk, name, kind, aliases in lookups.payer_names(conn)]
        return cls(payers, vocab)

    def _refs(self, pks: Iterable[int]) -> tuple[PayerRef, ...]:
        return tuple(sorted((self.payers[pk] for pk in pks), key=lambda r: r.name))

    def of_kind(self, kind: str) -> tuple[PayerRef, ...]:
        return self._refs(pk for pk, ref in self.payers.items() if ref.kind == kind)

    def find(self, scan: Scan, is_word: Callable[[str], bool],
             is_name: Callable[[str], bool]) -> list[PayerMention]:
        """The payers the message names, longest phrase first. A kind word next to a family
        of payers narrows it ("humana advantage"); a kind word alone names every payer of
        that kind ("medicaid"). Typos are forgiven in single words that are neither
        vocabulary nor a patient's name. The words used are taken."""
        words = scan.words()
        hits: list[_PayerHit] = []
        i = 0
        while i < len(words):
            for size in range(min(5, len(words) - i), 0, -1):
                run = words[i:i + size]
                if any(not w.joined for w in run[1:]):
                    continue
                phrase = _norm_payer(" ".join(w.text for w in run))
                pks = self._phrases.get(phrase)
                kind = self._kinds.get(" ".join(w.text for w in run))
                if pks is None and kind is None and phrase in self._unknown:
                    pks = frozenset()
                if pks is not None or kind is not None:
                    hits.append(_PayerHit(i, i + size, phrase, pks, None if pks is not None else kind))
                    i += size
                    break
            else:
                i += 1
        if not hits:
            for word in words:
                text = fold(word.text)
                if not text.isalpha() or is_word(word.text) or is_name(text):
                    continue
                close = close_words(text, self._single)
                if close and (len(close) == 1 or close[0][1] < close[1][1]):
                    hits.append(_PayerHit(word.index, word.index + 1, close[0][0],
                                          self._phrases[close[0][0]], None))
        mentions: list[PayerMention] = []
        used: set[int] = set()
        for n, hit in enumerate(hits):
            if hit.pks is None:
                continue
            refs, kind, start, end = self._refs(hit.pks), None, hit.start, hit.end
            for m in (n + 1, n - 1):
                other = hits[m] if 0 <= m < len(hits) else None
                if (len(refs) > 1 and other is not None and other.kind is not None and m not in used
                        and (other.start == hit.end or other.end == hit.start)):
                    narrowed = tuple(r for r in refs if r.kind == other.kind)
                    if narrowed:
                        refs, kind = narrowed, other.kind
                        start, end = min(start, other.start), max(end, other.end)
                        used.add(m)
                        break
            used.add(n)
            refs, end = self._narrow_by_words(words, refs, end)
            self._take(scan, words, start, end)
            mentions.append(PayerMention(refs, kind, hit.phrase))
        for n, hit in enumerate(hits):
            if n not in used and hit.kind is not None:
                self._take(scan, words, hit.start, hit.end)
                mentions.append(PayerMention(self.of_kind(hit.kind), hit.kind, hit.phrase))
        return mentions

    def _narrow_by_words(self, words: Sequence[Word], refs: tuple[PayerRef, ...],
                         end: int) -> tuple[tuple[PayerRef, ...], int]:
        """"humana gold", "united choice": the words after a family name that only some of
        its payers' names hold pick those payers."""
        while len(refs) > 1 and end < len(words) and words[end].joined:
            word = _norm_payer(words[end].text)
            narrowed = tuple(r for r in refs if word in self._name_words[r.pk])
            if not narrowed or len(narrowed) == len(refs):
                break
            refs, end = narrowed, end + 1
        return refs, end

    @staticmethod
    def _take(scan: Scan, words: Sequence[Word], start: int, end: int) -> None:
        scan.take(words[start].start, words[end - 1].end)
