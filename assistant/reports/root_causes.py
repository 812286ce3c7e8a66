"""Root causes of denials and the upstream fix each points to (`assistant/data/root_causes.toml`).

A root cause groups initial denials by (category, CARC, procedure code, modifier pattern,
rendering provider, payer): "CO-4 on 97530 without GO at Medicare, 23 claims, therapist
Okafor". The first entry of the data file whose conditions hold names the fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from assistant.errors import ConfigError
from assistant.rules.codes import load_data


@dataclass(frozen=True)
class Cause:
    id: str
    fix: str
    source: str
    carcs: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    codes: frozenset[str] = frozenset()
    missing_modifiers: frozenset[str] = frozenset()
    payer_kinds: frozenset[str] = frozenset()
    findings: frozenset[str] = frozenset()


_CONDITIONS = ("carcs", "categories", "codes", "missing_modifiers", "payer_kinds", "findings")


@cache
def causes() -> tuple[Cause, ...]:
    entries = load_data("root_causes.toml").get("cause", [])
    out = []
    for i, e in enumerate(entries, 1):
        try:
            out.append(Cause(
                id=e["id"], fix=e["fix"], source=e["source"],
                **{key: frozenset(str(v).upper() if key in ("carcs", "missing_modifiers") else str(v)
                                  for v in e.get(key, ())) for key in _CONDITIONS},
            ))
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"root_causes.toml: entry {i} is missing or has a bad {exc}") from None
    return tuple(out)


@dataclass(frozen=True)
class Denials:
    """What a root-cause group knows about its denials, to match an entry and fill in its fix."""

    category: str
    carc: str  # the reason code alone ("4")
    label: str  # "CO-4"
    code: str | None  # None: claim-level denials
    modifier_sets: tuple[frozenset[str], ...]  # of the lines concerned
    payer: str
    payer_kind: str
    provider: str
    findings: frozenset[str] = frozenset()  # rules (checks.py) with an error or warning on these lines


def matches(cause: Cause, d: Denials) -> bool:
    if cause.carcs and d.carc.upper() not in cause.carcs:
        return False
    if cause.categories and d.category not in cause.categories:
        return False
    if cause.codes and (d.code is None or d.code not in cause.codes):
        return False
    if cause.missing_modifiers and not any(not (mods & cause.missing_modifiers) for mods in d.modifier_sets):
        return False
    if cause.payer_kinds and d.payer_kind not in cause.payer_kinds:
        return False
    return not cause.findings or bool(cause.findings & d.findings)


def cause_for(d: Denials) -> Cause | None:
    return next((c for c in causes() if matches(c, d)), None)


def fix_text(cause: Cause, d: Denials) -> str:
    words: dict[str, Any] = {"payer": d.payer, "code": d.code or "these services", "provider": d.provider,
                             "carc": d.label}
    try:
        return cause.fix.format(**words)
    except (KeyError, IndexError, ValueError):
        raise ConfigError(f"root_causes.toml: entry {cause.id!r}: the fix names an unknown placeholder "
                          "(use {payer}, {code}, {provider}, {carc})") from None


def modifier_pattern(modifiers: Iterable[str]) -> str:
    mods = [m for m in modifiers if m]
    return " ".join(mods) if mods else "none"


def describe(d: Denials, modifiers: str, claims: int) -> str:
    """'CO-4 on 97530 without GO at Medicare Part B, 23 claims, therapist Dana Okafor (OT)'."""
    where = f" on {d.code}" if d.code else " (whole claim)"
    mods = ""
    if d.code:
        mods = f" with {modifiers}" if modifiers != "none" else " without modifiers"
    cause = cause_for(d)
    if cause is not None and cause.missing_modifiers and d.code:
        missing = sorted(m for m in cause.missing_modifiers
                         if all(m not in mods_ for mods_ in d.modifier_sets))
        if missing:
            mods = f" without {'/'.join(missing)}"
    plural = "claim" if claims == 1 else "claims"
    return f"{d.label}{where}{mods} at {d.payer}, {claims} {plural}, therapist {d.provider}"
