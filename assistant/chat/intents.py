"""Which intent a message has: cue words and entities add up, the highest total wins.

Deterministic and explainable: every point comes from a cue phrase or an entity listed in
`chat_vocabulary.toml`, and the reasons are kept so a reply can say why it read a message
the way it did. Ties go to the intent listed first in the vocabulary.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from assistant.chat.vocabulary import Vocabulary

MIN_SCORE = 1.5  # below this no intent is sure enough on cues alone
# Entities that make a message a worklist query even without a cue word ("medicaid over $1k").
FILTER_ENTITIES = frozenset({"payer", "payer_kind", "min_age_days", "max_age_days", "min_balance",
                             "max_balance", "category", "status", "limit", "action", "deadline_within_days"})


@dataclass(frozen=True)
class IntentScore:
    intent: str
    score: float
    reasons: tuple[str, ...]


def score_intents(cues: Iterable[str], entities: Collection[str], vocab: Vocabulary) -> list[IntentScore]:
    """Every intent with a score above zero, best first (ties in vocabulary order)."""
    cue_list = list(cues)
    scores = []
    for order, intent in enumerate(vocab.intents):
        total = 0.0
        reasons = []
        for cue in cue_list:
            weight = intent.cues.get(cue)
            if weight:
                total += weight
                reasons.append(f"'{cue}' +{weight:g}")
        for name in entities:
            weight = intent.entities.get(name)
            if weight:
                total += weight
                reasons.append(f"{name} +{weight:g}")
        missing = [name for name in intent.requires if name not in entities]
        if total > 0 and missing:
            total /= 2
            reasons.append(f"no {', '.join(missing)}: halved")
        if total > 0:
            scores.append((-total, order, IntentScore(intent.name, total, tuple(reasons))))
    return [s for *_, s in sorted(scores, key=lambda t: (t[0], t[1]))]


def choose_intent(ranking: list[IntentScore], entities: Collection[str], navigation: str | None,
                  focus: bool = False) -> str:
    """The intent to act on; "unknown" when nothing in the message is clear enough. Without a
    sure cue, a message about a claim ("next", "this one", "20931", "Ortiz") shows the claim."""
    if ranking and ranking[0].score >= MIN_SCORE:
        return ranking[0].intent
    if navigation or focus:
        return "claim"
    if "claim_id" in entities or "patient" in entities or "row" in entities:
        return "claim"
    if FILTER_ENTITIES & set(entities):
        return "worklist"
    return "unknown"


def suggestions(text: str, vocab: Vocabulary, ranking: list[IntentScore], limit: int = 3) -> list[str]:
    """Example phrasings closest to the message: those of the intents it leaned to first,
    then the nearest by wording."""
    examples = {ex: intent.name for intent in vocab.intents for ex in intent.examples}
    out: list[str] = []
    for scored in ranking:
        for ex, name in examples.items():
            if name == scored.intent and ex not in out:
                out.append(ex)
                break
        if len(out) >= limit:
            return out
    if text.strip():
        for ex, _score, _ in process.extract(text.lower(), list(examples), scorer=fuzz.token_set_ratio,
                                             limit=limit * 2):
            if ex not in out:
                out.append(ex)
            if len(out) >= limit:
                break
    for ex in examples:
        if len(out) >= limit:
            break
        if ex not in out:
            out.append(ex)
    return out
