"""Code knowledge loaded from `assistant/data/*.toml` (each entry carries its source)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from assistant.domain import Category
from assistant.paths import package_data


@dataclass(frozen=True)
class CarcInfo:
    code: str
    meaning: str
    category: Category
    groups: tuple[str, ...]
    advice: str
    source: str


@cache
def _carcs() -> dict[str, CarcInfo]:
    with package_data("carc.toml").open("rb") as fh:
        raw = tomllib.load(fh)["carc"]
    return {
        code: CarcInfo(code, entry["meaning"], Category(entry["category"]), tuple(entry["groups"]),
                       entry["advice"], entry["source"])
        for code, entry in raw.items()
    }


def carc(code: str) -> CarcInfo | None:
    """A CARC by its code ("50", "B15"); None when we do not know it."""
    return _carcs().get(code.strip().upper())


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
