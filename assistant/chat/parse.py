"""Reading one message: extractors in a fixed order, then names, then the intent.

The order is what makes the reading predictable: call details and numbers with units
first (so "ref 55102" or "97535 for 40 minutes" are never claim ids), then dates, ages and
amounts, then claim ids the database holds, codes, vocabulary phrases, payers, patients,
cue words and last the words about the conversation ("it", "next").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant.chat import entities as ex
from assistant.chat.intents import MIN_SCORE, IntentScore, choose_intent, score_intents
from assistant.chat.periods import report_period
from assistant.chat.resolve import (
    EXACT,
    PatientIndex,
    PatientMatch,
    PayerIndex,
    PayerMention,
    find_patient,
    other_person,
)
from assistant.chat.scan import Scan, Word
from assistant.chat.vocabulary import Vocabulary, vocabulary
from assistant.domain import WorkStatus
from assistant.money import as_number

_WORK_STATUSES = frozenset(s.value for s in WorkStatus)
_UNITS_ASKED = re.compile(r"\bunits?\b|\b8[\s-]?min|\beight[\s-]minute|\brule of eights?\b")


@dataclass
class Knowledge:
    """What the parser checks words against; built once per session (see `engine`)."""

    patients: PatientIndex
    payers: PayerIndex
    claim_ids: Callable[[Iterable[str]], dict[str, str]]
    codes: ex.CodeBook
    is_cpt: Callable[[str], bool]
    template: Callable[[str], str | None]
    template_names: tuple[str, ...] = ()
    assignees: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Entities:
    """What a message names, with typed values (cents, dates); `as_json` normalises them."""

    claim_ids: list[str] = field(default_factory=list)
    patient: PatientMatch | None = None
    payers: list[PayerMention] = field(default_factory=list)
    min_age_days: int | None = None
    max_age_days: int | None = None
    min_balance_cents: int | None = None
    max_balance_cents: int | None = None
    categories: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    date: date | None = None
    reference: str | None = None
    rep: str | None = None
    statuses: list[str] = field(default_factory=list)
    template: str | None = None
    minutes: dict[str, int] = field(default_factory=dict)
    report: str | None = None
    limit: int | None = None
    unknown_claims: list[str] = field(default_factory=list)  # typed like a claim id, not on file
    unknown_patient: str | None = None  # a full name on no patient ("jane martin" beside Martin, John)
    assignee: str | None = None  # who a claim is to go to
    owner: str | None = None  # whose claims a list shows ("assigned to jordan", "my queue")
    actions: list[str] = field(default_factory=list)  # next actions a list is about ("appeals")
    deadline_within_days: int | None = None  # "due this week"
    service_date: dt.date | None = None  # "dos 9/11": which of a patient's claims
    period: tuple[dt.date, dt.date] | None = None  # a report's period: "this month", "q3", "since 10/1"
    row: int | None = None  # "open #2", "the third one": a row of the list shown (-1: the last)

    @property
    def payer_names(self) -> list[str]:
        names: list[str] = []
        for mention in self.payers:
            names.extend(p.name for p in mention.payers if p.name not in names)
        return names

    @property
    def unknown_payers(self) -> list[str]:
        """Payers named that the practice has none of ("cigna")."""
        return [m.phrase for m in self.payers if not m.payers]

    @property
    def payer_kind(self) -> str | None:
        kinds = {m.kind for m in self.payers if m.kind}
        return kinds.pop() if len(kinds) == 1 else None

    @property
    def work_status(self) -> str | None:
        return next((s for s in self.statuses if s in _WORK_STATUSES), None)

    @property
    def payer_status(self) -> str | None:
        return next((s for s in self.statuses if s not in _WORK_STATUSES), None)

    def present(self) -> set[str]:
        """Entity names the message has (as `chat_vocabulary.toml` weighs them); an id not on
        file still says the message is about a claim."""
        names = set(self.as_json())
        if self.work_status:
            names.add("work_status")
        if self.unknown_claims:
            names.add("claim_id")
        if self.unknown_patient:
            names.add("patient")
        return names

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.claim_ids:
            out["claim_id"] = self.claim_ids[0]
            if len(self.claim_ids) > 1:
                out["claim_ids"] = list(self.claim_ids)
        if self.patient is not None:
            chosen = self.patient.patient
            out["patient"] = chosen.name if chosen else [p.name for p in self.patient.tied]
        names = self.payer_names
        if names:
            out["payer"] = names[0] if len(names) == 1 else names
        if self.payer_kind:
            out["payer_kind"] = self.payer_kind
        if self.unknown_payers:
            out["unknown_payer"] = self.unknown_payers[0]
        if self.unknown_claims:
            out["unknown_claim"] = self.unknown_claims[0]
        for key in ("min_age_days", "max_age_days"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.min_balance_cents is not None:
            out["min_balance"] = as_number(self.min_balance_cents)
        if self.max_balance_cents is not None:
            out["max_balance"] = as_number(self.max_balance_cents)
        if self.categories:
            out["category"] = self.categories[0] if len(self.categories) == 1 else list(self.categories)
        if self.codes:
            out["codes"] = list(self.codes)
        if self.date is not None:
            out["date"] = self.date.isoformat()
        if self.service_date is not None:
            out["service_date"] = self.service_date.isoformat()
        if self.unknown_patient is not None:
            out["unknown_patient"] = self.unknown_patient
        if self.period is not None:
            out["period"] = {"from": self.period[0].isoformat(), "to": self.period[1].isoformat()}
        if self.statuses:
            out["status"] = self.statuses[0] if len(self.statuses) == 1 else list(self.statuses)
        if self.minutes:
            out["minutes"] = dict(self.minutes)
        if self.actions:
            out["action"] = self.actions[0] if len(self.actions) == 1 else list(self.actions)
        for key in ("reference", "rep", "template", "report", "limit", "assignee", "owner",
                    "deadline_within_days", "row"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class Understanding:
    text: str
    intent: str
    entities: Entities
    ranking: tuple[IntentScore, ...]
    cues: tuple[str, ...]
    focus: bool  # "it", "that claim", "this one"
    navigation: str | None  # "next" | "previous"
    bulk: bool  # "all", "these", "every claim"
    answer: str | None  # "yes" | "no" when that is all the message says
    ignored: tuple[str, ...] = ()  # words nothing used (not vocabulary): "99999", "molina"

    def summary(self) -> str:
        """"intent follow_up; claim_id 20931; date 2026-12-03" for replies and errors."""
        parts = [f"intent {self.intent}"]
        for key, value in self.entities.as_json().items():
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            elif isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items())
            parts.append(f"{key.replace('_', ' ')} {value}")
        if self.focus:
            parts.append("the claim in focus")
        if self.navigation:
            parts.append(f"the {self.navigation} claim")
        return "; ".join(parts)


def _spelling(words: Iterable[Word], known: frozenset[str], targets: list[str],
              protected: Callable[[str], bool]) -> dict[str, str]:
    """Mistyped vocabulary words ("apeal", "timley") mapped to the word meant, when one
    known word is nearest; names, numbers and short words are left alone."""
    out: dict[str, str] = {}
    for word in words:
        text = word.text
        if len(text) < 5 or text in known or not text.isalpha() or protected(text) or text in out:
            continue
        edits = 1 if len(text) <= 8 else 2  # stricter than names: "hundred" is not "bundled"
        found = process.extract(text, targets, scorer=OSA.distance, score_cutoff=edits, limit=2)
        if found and (len(found) == 1 or found[0][1] < found[1][1]):
            out[text] = found[0][0]
    return out


def _phrase_table(phrases: Iterable[str]) -> dict[str, str]:
    return {p: p for p in phrases}


def understand(text: str, knowledge: Knowledge, today: date,
               vocab: Vocabulary | None = None) -> Understanding:
    """Intent and entities of one message; never raises for what a person may type."""
    vocab = vocab or vocabulary()
    known = vocab.known_words
    scan = Scan(text[:2000])
    words_now = [w.text for w in scan.words()]
    answer = _answer(" ".join(words_now), vocab)
    # "write them off", "push all these to monday": said of a set, whatever else the words do
    bulk = bool(ex.match_phrases(scan, _phrase_table(vocab.context["bulk"]), take=False))

    def is_word(word: str) -> bool:
        return word in known or word in knowledge.payers.words

    e = Entities()
    e.reference = ex.extract_reference(scan)
    e.rep = ex.extract_rep(scan, is_word)
    e.minutes = ex.extract_minutes(scan, knowledge.is_cpt, _UNITS_ASKED.search(scan.text) is not None,
                                   vocab.procedures)
    e.template = ex.extract_template(scan, knowledge.template, knowledge.template_names)
    e.owner = ex.extract_owner(scan, lambda w: w in known, vocab.context["me"], knowledge.assignees,
                               knowledge.patients.is_token)
    e.assignee = ex.extract_assignee(scan, lambda w: w in known, vocab.context["me"], knowledge.assignees)
    e.row = ex.extract_row(scan)
    e.service_date = ex.extract_service_date(scan, today)
    e.deadline_within_days = ex.extract_deadline(scan, today)
    e.min_age_days, e.max_age_days = ex.extract_age(scan, today)
    e.min_balance_cents, e.max_balance_cents = ex.extract_money(scan)
    e.date, date_rule = ex.extract_date_rule(scan, today)
    if e.date is not None and e.date < today:
        # "faxed records 11/25, f/u in 30d": what happened, then when to look again
        later, later_rule = ex.extract_date_rule(scan, today)
        if later is not None and later >= today:
            e.date, date_rule = later, later_rule
    e.limit = ex.extract_limit(scan)
    e.claim_ids = ex.extract_claim_ids(scan, knowledge.claim_ids)
    e.codes = ex.extract_codes(scan, knowledge.codes)
    e.unknown_claims = ex.extract_unknown_claim_ids(
        scan, lambda token: knowledge.patients.by_account(token) is not None)

    protected = knowledge.patients.is_token
    spelling = _spelling(scan.words(), known, vocab.spelling_targets, protected)
    cue_table = _phrase_table(vocab.cues)
    # A cue of several words is more specific than the status or category words inside it
    # ("get it paid" is a question about what to do, not a payer status).
    long_cues = ex.match_phrases(scan, {p: p for p in cue_table if " " in p}, spelling=spelling, bridge=True)
    reports = ex.match_phrases(scan, vocab.reports, spelling=spelling)
    e.report = reports[0].value if reports else None
    e.actions = _unique(h.value for h in ex.match_phrases(scan, vocab.actions, spelling=spelling))
    e.statuses = _unique(h.value for h in ex.match_phrases(scan, vocab.statuses, spelling=spelling))
    e.categories = _unique(h.value for h in ex.match_phrases(scan, vocab.categories, spelling=spelling))
    e.payers = knowledge.payers.find(scan, is_word, protected)
    if not e.claim_ids:
        free = scan.words()  # before the name's words are taken
        e.patient = find_patient(scan, knowledge.patients, lambda w: w in known,
                                 lambda w: not scan.is_free(w.start, w.end))
        if e.patient is not None and (somebody := other_person(
                free, e.patient, lambda w: w in known, lambda w: not scan.is_free(w.start, w.end))):
            e.patient, e.unknown_patient = None, somebody
    cues = tuple(h.value for h in [*long_cues, *ex.match_phrases(scan, cue_table, spelling=spelling)])
    context = {key: _phrase_table(vocab.context[key]) for key in ("focus", "next", "previous", "bulk")}
    focus = bool(ex.match_phrases(scan, context["focus"], spelling=spelling))
    navigation = ("next" if ex.match_phrases(scan, context["next"]) else
                  "previous" if ex.match_phrases(scan, context["previous"]) else None)
    ex.match_phrases(scan, context["bulk"])

    ignored = tuple(w.text for w in scan.words() if w.text not in known)
    present = e.present() | ({"bulk"} if bulk else set())
    ranking = score_intents(cues, present, vocab)
    if not words_now or answer == "help":
        intent = "help"
    else:
        intent = choose_intent(ranking, present, navigation, focus)
    if intent == "follow_up" and not bulk and _score(ranking, "note") >= _NOTE_SURE:
        intent = "note"  # "called bcbs, rep said reprocessing, f/u 2 wks": a call, with its follow-up
    if intent == "worklist" and e.codes and _ABOUT_A_CODE.match(text) and not (
            e.claim_ids or e.patient or e.payers or bulk or _LIST_WORDS.search(text)):
        intent = "explain"  # "is co-22 the cob one?": a question about the code, not a list
    if intent == "worklist" and e.claim_ids and not bulk and _score(ranking, "note") >= _CONTACT:
        intent = "note"  # "spoke to rep, allow 30-45 days, OT123": a call about one claim, not a list
    if intent in ("note", "follow_up") and e.date is None and e.max_age_days is not None:
        # "expect pmt in 10-14 days": when to look again is the far end of the span
        e.date, e.min_age_days, e.max_age_days = today + timedelta(days=e.max_age_days), None, None
    if "timely_filing" in e.categories and "denied" not in e.statuses \
            and (e.deadline_within_days is not None or any(vocab.sorts.get(c) == "deadline" for c in cues)):
        # "closest to timely filing", "tf deadlines this week": the filing limit ahead, not a denial
        e.categories.remove("timely_filing")
    if intent == "worklist" and date_rule == "offset" and e.date is not None and e.min_age_days is None \
            and e.max_age_days is None:
        # "medicaid no response 30 days": in a list, a span of days is an age, not a date ahead
        e.min_age_days, e.date = (e.date - today).days, None
    if intent == "report":
        e.period = report_period(text, today)
    if intent == "claim" and ranking_below(ranking) and _weak_patient(e, focus, navigation):
        intent = "unknown"  # "order lunch": a typo of several patients' name is not a request
    return Understanding(text=text, intent=intent, entities=e, ranking=tuple(ranking), cues=cues, focus=focus,
                         navigation=navigation, bulk=bulk, answer=answer if answer in ("yes", "no") else None,
                         ignored=ignored)


_NOTE_SURE = 2.5  # a call or a contact word ("called", "spoke", "faxed", "lvm"), not just "said"
_ABOUT_A_CODE = re.compile(r"\s*(?:is|are|does|do|isn'?t|aren'?t|was|were)\b", re.IGNORECASE)
_LIST_WORDS = re.compile(r"\b(?:claims|accounts|show|list|how\s+many|which|any)\b", re.IGNORECASE)
_CONTACT = 2.0  # at least a contact word ("spoke", "talked", "mailed")


def _score(ranking: list[IntentScore], intent: str) -> float:
    return next((s.score for s in ranking if s.intent == intent), 0.0)


def ranking_below(ranking: list[IntentScore]) -> bool:
    return not ranking or ranking[0].score < MIN_SCORE


def _weak_patient(e: Entities, focus: bool, navigation: str | None) -> bool:
    """A message whose only substance is a name read with typos that fits several patients."""
    match = e.patient
    return (match is not None and match.patient is None and match.best_score < EXACT and not e.claim_ids
            and not focus and not navigation and set(e.present()) == {"patient"})


def _answer(words: str, vocab: Vocabulary) -> str | None:
    if words in vocab.context["yes"]:
        return "yes"
    if words in vocab.context["no"]:
        return "no"
    if words in ("", "help", "?"):
        return "help"
    return None


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
