"""The chat vocabulary (`assistant/data/chat_vocabulary.toml`), loaded and checked once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache, cached_property

from assistant.domain import Action, Category, PayerKind, PayerStatus, WorkStatus
from assistant.errors import ConfigError
from assistant.paths import package_data

INTENTS = ("worklist", "claim", "explain", "next_action", "appeal", "check", "units", "note",
           "follow_up", "set_status", "assign", "report", "help", "unknown")
REPORTS = ("aging", "denials", "kpis", "appeals", "underpayments", "recoupments", "documentation")
_CONTEXT_KEYS = ("focus", "next", "previous", "bulk", "yes", "no", "me")


@dataclass(frozen=True)
class IntentCues:
    name: str
    cues: dict[str, float]
    entities: dict[str, float]
    examples: tuple[str, ...]
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    intents: tuple[IntentCues, ...]  # in tie-breaking order
    statuses: dict[str, str]  # phrase -> WorkStatus or PayerStatus value
    categories: dict[str, str]  # phrase -> Category value
    payer_kinds: dict[str, str]  # phrase -> PayerKind value
    payer_aliases: dict[str, tuple[str, ...]]  # what people say -> words a payer's names contain
    generic_payer_words: frozenset[str]
    reports: dict[str, str]  # phrase -> report name
    procedures: dict[str, str]  # spoken name ("ther ex") -> CPT code
    actions: dict[str, str]  # phrase -> Action value
    sorts: dict[str, str]  # cue phrase -> worklist sort
    report_sections: dict[str, str]  # words after "by" -> a word of a report section's title
    context: dict[str, frozenset[str]]
    filler: frozenset[str]
    help_text: str

    @cached_property
    def cues(self) -> dict[str, dict[str, float]]:
        """phrase -> {intent: weight}."""
        out: dict[str, dict[str, float]] = {}
        for intent in self.intents:
            for phrase, weight in intent.cues.items():
                out.setdefault(phrase, {})[intent.name] = weight
        return out

    @cached_property
    def known_words(self) -> frozenset[str]:
        """Every word of every phrase: never a patient's or a representative's name on its own."""
        phrases: list[str] = [*self.statuses, *self.categories, *self.payer_kinds, *self.reports,
                              *self.cues, *self.payer_aliases, *self.procedures, *self.actions]
        for words in self.context.values():
            phrases.extend(words)
        return frozenset(w for p in phrases for w in p.split()) | self.filler

    @cached_property
    def spelling_targets(self) -> list[str]:
        """Words a typo may be corrected to: those of the phrases, four letters or more."""
        phrases = [*self.statuses, *self.categories, *self.reports, *self.cues, *self.payer_kinds,
                   *self.actions]
        return sorted({w for p in phrases for w in p.split() if len(w) >= 4 and w.isalpha()})


def _phrases(section: dict[str, object], allowed: set[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value, phrases in section.items():
        if value == "source":
            continue
        if value not in allowed:
            raise ConfigError(f"chat_vocabulary.toml: unknown {what} {value!r}")
        if not isinstance(phrases, list):
            raise ConfigError(f"chat_vocabulary.toml: {what} {value!r} needs a list of phrases")
        for phrase in phrases:
            out.setdefault(" ".join(str(phrase).lower().split()), value)
    return out


@cache
def vocabulary() -> Vocabulary:
    path = package_data("chat_vocabulary.toml")
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot be read ({exc})") from None
    intents = []
    for name, entry in raw["intent"].items():
        if name not in INTENTS:
            raise ConfigError(f"chat_vocabulary.toml: unknown intent {name!r}")
        intents.append(IntentCues(
            name=name,
            cues={" ".join(k.lower().split()): float(v) for k, v in entry.get("cues", {}).items()},
            entities={k: float(v) for k, v in entry.get("entities", {}).items()},
            examples=tuple(entry.get("examples", ())),
            requires=tuple(entry.get("requires", ())),
        ))
    statuses = {s.value for s in WorkStatus} | {s.value for s in PayerStatus}
    context = raw["context"]
    missing = [k for k in _CONTEXT_KEYS if k not in context]
    if missing:
        raise ConfigError(f"chat_vocabulary.toml: [context] lacks {', '.join(missing)}")
    aliases = {k.lower(): tuple(str(v).lower() for v in vs)
               for k, vs in raw["payer_alias"].items() if k != "source"}
    sorts = _phrases(raw["sort"], {"age", "balance", "deadline"}, "sort")
    cue_phrases = {" ".join(k.lower().split())
                   for entry in raw["intent"].values() for k in entry.get("cues", {})}
    if stray := sorted(set(sorts) - cue_phrases):
        raise ConfigError(f"chat_vocabulary.toml: [sort] phrases that are no cue: {stray}")
    return Vocabulary(
        intents=tuple(intents),
        statuses=_phrases(raw["status"], statuses, "status"),
        categories=_phrases(raw["category"], {c.value for c in Category}, "category"),
        payer_kinds=_phrases(raw["payer_kind"], {k.value for k in PayerKind}, "payer kind"),
        payer_aliases=aliases,
        generic_payer_words=frozenset(w.lower() for w in raw["payer_words"]["generic"]),
        reports=_phrases(raw["report"], set(REPORTS), "report"),
        actions=_phrases(raw["action"], {a.value for a in Action}, "action"),
        sorts=sorts,
        report_sections={" ".join(str(p).lower().split()): key
                         for key, phrases in raw["report_section"].items() if key != "source"
                         for p in phrases},
        procedures={" ".join(str(n).lower().replace("-", " ").split()): str(code)
                    for code, names in raw["procedure"].items() if code != "source" for n in names},
        context={k: frozenset(" ".join(p.lower().split()) for p in context[k]) for k in _CONTEXT_KEYS},
        filler=frozenset(w.lower() for w in raw["filler"]["words"]),
        help_text=raw["help"]["text"],
    )
