"""Code knowledge loaded from `assistant/data/*.toml` (each entry carries its source).

CARCs, RARCs, group codes, OT CPT/HCPCS codes, modifiers, Medicare thresholds and NCCI
pairs. Loaders are cached: each file is read once per process. `explain` answers what a
person types ("CO-197", "197", "N115", "PR-2", "PR") and never fails on an unknown code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from assistant.domain import Action, Category, PayerKind
from assistant.errors import ConfigError, InvalidInput
from assistant.paths import package_data

NCCI_MODIFIERS_DEFAULT = ("59", "XE", "XS", "XP", "XU")


def load_data(name: str) -> dict[str, Any]:
    """One shipped data file; a broken one is a configuration error naming the file."""
    path = package_data(name)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot be read ({exc})") from None


# --------------------------------------------------------------------------- CARC


@dataclass(frozen=True)
class CarcInfo:
    code: str
    meaning: str
    category: Category
    groups: tuple[str, ...]
    advice: str
    source: str
    actions: tuple[Action, ...] = ()
    appealable: bool = True
    not_appealable_for: tuple[PayerKind, ...] = ()
    generic: bool = False  # needs a RARC to say what is wrong
    notes: str | None = None

    def appealable_for(self, kind: PayerKind | None) -> bool:
        return self.appealable and (kind is None or kind not in self.not_appealable_for)


@cache
def _carcs() -> dict[str, CarcInfo]:
    raw = load_data("carc.toml")["carc"]
    return {
        code: CarcInfo(
            code=code,
            meaning=entry["meaning"],
            category=Category(entry["category"]),
            groups=tuple(entry["groups"]),
            advice=entry["advice"],
            source=entry["source"],
            actions=tuple(Action(a) for a in entry.get("actions", ())),
            appealable=bool(entry.get("appealable", True)),
            not_appealable_for=tuple(PayerKind(k) for k in entry.get("not_appealable_for", ())),
            generic=bool(entry.get("generic", False)),
            notes=entry.get("notes"),
        )
        for code, entry in raw.items()
    }


def _norm_carc(code: str) -> str:
    text = code.strip().upper()
    return (text.lstrip("0") or "0") if text.isdigit() else text


def carc(code: str) -> CarcInfo | None:
    """A CARC by its code ("50", "B15"); None when we do not know it."""
    return _carcs().get(_norm_carc(code))


def writes_off(group: str, code: str) -> bool:
    """Rule `contractual-write-off`: the adjustment leaves AR instead of waiting for work.

    Contractual adjustments (CO-45 fee schedule, CO-253 sequestration, CO-59 MPPR ...)
    and the prior payer's share on a secondary claim (OA-23) are written off when posted.
    Denials (CO-50, CO-197 ...) stay in the balance: they are the work. Patient
    responsibility (PR) stays too, owed by the patient.
    """
    if group == "PR":
        return False
    if group == "OA" and code == "23":
        return True
    info = carc(code)
    return info is not None and info.category is Category.CONTRACTUAL


# --------------------------------------------------------------------------- RARC


@dataclass(frozen=True)
class RarcInfo:
    code: str
    meaning: str
    pairs: tuple[str, ...]
    source: str
    category: Category | None = None
    actions: tuple[Action, ...] = ()
    appealable: bool | None = None  # None: the remark does not change appealability


@cache
def _rarcs() -> dict[str, RarcInfo]:
    raw = load_data("rarc.toml")["rarc"]
    return {
        code: RarcInfo(
            code=code,
            meaning=entry["meaning"],
            pairs=tuple(entry.get("pairs", ())),
            source=entry["source"],
            category=Category(entry["category"]) if entry.get("category") else None,
            actions=tuple(Action(a) for a in entry.get("actions", ())),
            appealable=entry.get("appealable"),
        )
        for code, entry in raw.items()
    }


def rarc(code: str) -> RarcInfo | None:
    return _rarcs().get(code.strip().upper())


# --------------------------------------------------------------------------- group codes


@dataclass(frozen=True)
class GroupInfo:
    code: str
    name: str
    meaning: str
    billable_to_patient: bool
    treatment: str
    valid_5010: bool
    source: str


@cache
def _groups() -> dict[str, GroupInfo]:
    raw = load_data("group_codes.toml")["group"]
    return {
        code: GroupInfo(code, e["name"], e["meaning"], bool(e["billable_to_patient"]),
                        e["treatment"], bool(e["valid_5010"]), e["source"])
        for code, e in raw.items()
    }


def group(code: str) -> GroupInfo | None:
    return _groups().get(code.strip().upper())


# --------------------------------------------------------------------------- CPT / HCPCS


@dataclass(frozen=True)
class CptInfo:
    code: str
    description: str
    timed: bool
    kind: str
    discipline: str  # OT | PT | any
    always_therapy: bool
    source: str
    tag: str
    unit_minutes: int = 15
    add_on_of: tuple[str, ...] = ()
    once_per_day: bool = False
    medicare_status: str | None = None  # B bundled, I invalid
    medicare_replacement: str | None = None
    notes: str | None = None

    @property
    def is_add_on(self) -> bool:
        return bool(self.add_on_of)


@cache
def _cpts() -> dict[str, CptInfo]:
    raw = load_data("cpt.toml")["cpt"]
    return {
        code: CptInfo(
            code=code,
            description=e["description"],
            timed=bool(e["timed"]),
            kind=e["kind"],
            discipline=e["discipline"],
            always_therapy=bool(e["always_therapy"]),
            source=e["source"],
            tag=e["tag"],
            unit_minutes=int(e.get("unit_minutes", 15)),
            add_on_of=tuple(e.get("add_on_of", ())),
            once_per_day=bool(e.get("once_per_day", False)),
            medicare_status=e.get("medicare_status"),
            medicare_replacement=e.get("medicare_replacement"),
            notes=e.get("notes"),
        )
        for code, e in raw.items()
    }


def cpt(code: str) -> CptInfo | None:
    return _cpts().get(code.strip().upper())


def cpt_codes() -> dict[str, CptInfo]:
    return dict(_cpts())


@cache
def add_ons_of(base: str) -> tuple[str, ...]:
    return tuple(info.code for info in _cpts().values() if base in info.add_on_of)


# --------------------------------------------------------------------------- modifiers


@dataclass(frozen=True)
class ModifierInfo:
    code: str
    meaning: str
    role: str
    usage: str
    tag: str
    source: str
    discipline: str | None = None


@cache
def _modifiers() -> dict[str, ModifierInfo]:
    raw = load_data("modifiers.toml")["modifier"]
    return {
        code: ModifierInfo(code, e["meaning"], e["role"], e["usage"], e["tag"], e["source"],
                           e.get("discipline"))
        for code, e in raw.items()
    }


def modifier(code: str) -> ModifierInfo | None:
    return _modifiers().get(code.strip().upper())


# --------------------------------------------------------------------------- thresholds


@dataclass(frozen=True)
class KxThreshold:
    year: int
    ot_cents: int
    review_cents: int
    tag: str
    source: str


@cache
def thresholds() -> dict[str, Any]:
    return load_data("thresholds.toml")


def kx_threshold(year: int) -> KxThreshold | None:
    """The Medicare OT KX threshold for a calendar year; None for a year we hold no figure for."""
    entry = thresholds()["kx"].get(str(year))
    if entry is None:
        return None
    return KxThreshold(year, int(entry["ot_cents"]), int(entry["review_cents"]), entry["tag"],
                       entry["source"])


def amount_in_controversy(year: int, level: int) -> int | None:
    """Cents a Medicare appeal at `level` needs in controversy when filed in `year` (ALJ hearing:
    level 3, judicial review: level 5); None for other levels and for years we hold no figure for."""
    key = {3: "alj_cents", 5: "judicial_cents"}.get(level)
    entry = thresholds().get("aic", {}).get(str(year))
    return int(entry[key]) if key and entry else None


def setting(section: str, key: str) -> Any:
    return thresholds()[section][key]


# --------------------------------------------------------------------------- NCCI


@dataclass(frozen=True)
class NcciPair:
    id: str
    column1: frozenset[str]
    column2: frozenset[str]
    indicator: int | None
    effective: date | None
    deleted: date | None
    setting: str
    tag: str
    source: str
    note: str

    def in_force(self, dos: date) -> bool:
        if self.effective and dos < self.effective:
            return False
        return not (self.deleted and dos >= self.deleted)


@cache
def ncci_modifiers() -> frozenset[str]:
    return frozenset(load_data("ncci.toml").get("modifiers", NCCI_MODIFIERS_DEFAULT))


@cache
def ncci_pairs() -> tuple[NcciPair, ...]:
    raw = load_data("ncci.toml")
    by_kind: dict[str, set[str]] = {}
    for info in _cpts().values():
        by_kind.setdefault(info.kind, set()).add(info.code)
    pairs = []
    for e in raw.get("pair", ()):
        column1 = set(e.get("column1", ()))
        for kind in e.get("column1_kinds", ()):
            column1 |= by_kind.get(kind, set())
        column2 = frozenset(e["column2"])
        pairs.append(NcciPair(
            id=e["id"], column1=frozenset(column1 - column2), column2=column2,
            indicator=e.get("indicator"), effective=e.get("effective"), deleted=e.get("deleted"),
            setting=e.get("setting", "practitioner"), tag=e["tag"], source=e["source"],
            note=e.get("note", ""),
        ))
    return tuple(pairs)


# --------------------------------------------------------------------------- explain

GROUP_CODES = ("CO", "PR", "OA", "PI", "CR")
_CODE = re.compile(r"^(?:(CO|PR|OA|PI|CR)\s*[-:/ ]?\s*)?([A-Z]{0,2}\d{1,4})$")
_RARC = re.compile(r"^(?:MA|M|N)\d{1,4}$")


def split_code(text: str) -> tuple[str | None, str]:
    """("CO", "197") from "CO-197", "co 197", "CO197"; (None, "N115") from "N115".

    A bare group ("PR") comes back as ("PR", ""). Anything else is invalid input.
    """
    raw = text.strip().upper()
    if raw in GROUP_CODES:
        return raw, ""
    match = _CODE.match(raw)
    if match is None:
        raise InvalidInput(f"not a CARC, RARC or group code: {text.strip()!r}")
    grp, code = match.groups()
    if _RARC.match(code):
        if grp:
            raise InvalidInput(f"{text.strip()!r}: a remark code (RARC) takes no group code")
        return None, code
    return grp, _norm_carc(code)


def _group_text(code: str | None) -> str | None:
    if code is None:
        return None
    info = group(code)
    return f"{info.code}: {info.meaning}" if info else f"{code}: unknown group code"


def explain_one(text: str, payer_kind: PayerKind | None = None) -> dict[str, Any]:
    """What one code means and what is usually done about it."""
    grp, code = split_code(text)
    if not code:
        info = group(grp or "")
        assert info is not None and grp is not None
        return {
            "code": grp, "kind": "group", "group": grp, "known": True, "meaning": info.meaning,
            "name": info.name, "category": None, "actions": [], "appealable": None,
            "billable_to_patient": info.billable_to_patient, "notes": info.treatment,
            "source": info.source,
        }
    if _RARC.match(code):
        r = rarc(code)
        if r is None:
            return {"code": code, "kind": "rarc", "group": None, "known": False,
                    "meaning": f"unknown remark code {code}: read it on the payer's remittance "
                               "or ask the payer",
                    "category": None, "actions": [Action.CALL_PAYER.value], "appealable": None,
                    "pairs": [], "source": None}
        return {"code": code, "kind": "rarc", "group": None, "known": True, "meaning": r.meaning,
                "category": r.category.value if r.category else None,
                "actions": [a.value for a in r.actions], "appealable": r.appealable,
                "pairs": list(r.pairs), "source": r.source}
    label = f"{grp}-{code}" if grp else code
    c = carc(code)
    if c is None:
        group_meaning = _group_text(grp)
        meaning = f"unknown adjustment reason code {code}"
        if group_meaning:
            meaning += f"; group {group_meaning}"
        return {"code": label, "kind": "carc", "group": grp, "known": False, "meaning": meaning,
                "group_meaning": group_meaning, "category": None,
                "actions": [Action.CALL_PAYER.value], "appealable": None, "source": None}
    appealable = c.appealable_for(payer_kind)
    actions = [a.value for a in c.actions if appealable or a is not Action.APPEAL]
    notes = c.notes
    if grp == "PR" and c.category is not Category.PATIENT_RESPONSIBILITY:
        notes = "; ".join(filter(None, ["Group PR: the patient is liable for this amount", notes]))
        actions = [Action.BILL_PATIENT.value] + [a for a in actions if a != Action.BILL_PATIENT.value]
    if grp and grp not in c.groups and c.groups:
        notes = "; ".join(filter(None, [notes, f"{grp} is unusual with this code "
                                               f"(usually {'/'.join(c.groups)})"]))
    return {
        "code": label, "kind": "carc", "group": grp, "known": True, "meaning": c.meaning,
        "group_meaning": _group_text(grp), "category": c.category.value, "actions": actions,
        "appealable": appealable,
        "not_appealable_for": [k.value for k in c.not_appealable_for],
        "usual_groups": list(c.groups), "advice": c.advice, "notes": notes, "source": c.source,
    }


def explain(code_text: str | Iterable[str], payer_kind: PayerKind | None = None) -> list[dict[str, Any]]:
    """Every code in the text ("CO-197 N115", "PR-2,PR-3") or in a list of texts, in order."""
    texts = [code_text] if isinstance(code_text, str) else list(code_text)
    tokens = [t for text in texts for t in re.split(r"[\s,;]+", text.strip()) if t]
    merged: list[str] = []
    for token in tokens:
        # "CO 197" typed with a space is one code, not a group and a bare CARC.
        if merged and merged[-1].upper() in GROUP_CODES and not _RARC.match(token.upper()) \
                and re.fullmatch(r"[A-Za-z]{0,2}\d{1,4}", token):
            merged[-1] = f"{merged[-1]}-{token}"
        else:
            merged.append(token)
    return [explain_one(token, payer_kind) for token in merged]
