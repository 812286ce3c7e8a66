"""Which letter a denial gets, at which appeal level (`assistant/data/appeal_letters.toml`).

The rules engine names a template in the appeal action it recommends; when it does not
(or a biller asks for a letter the rules did not suggest), the code -> category ->
default tables decide. Medicare Part B appeals wrap the category's argument in the
level's request form (redetermination, reconsideration).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from assistant.domain import Action, Assessment, Category, PayerKind
from assistant.paths import package_data


@cache
def appeal_letters() -> dict[str, Any]:
    with package_data("appeal_letters.toml").open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class Choice:
    template: str  # the letter rendered
    argument: str  # the category letter a Medicare request form extends (== template otherwise)
    level: int


def argument_template(assessment: Assessment, maintenance: bool) -> str:
    """The letter whose argument answers this denial."""
    data = appeal_letters()
    for code in assessment.codes:
        reason = code.split("-", 1)[-1]
        if reason in data["by_code"]:
            return str(data["by_code"][reason]["template"])
    category = assessment.category.value if assessment.category else None
    table = data["by_category"]
    name = str((table.get(category or "") or table["default"])["template"])
    if maintenance and assessment.category is Category.MEDICAL_NECESSITY:
        return str(data["maintenance"]["template"])
    return name


def speaks_of_maintenance(texts: Iterable[str]) -> bool:
    """Plan-of-care goals or notes about keeping function rather than restoring it."""
    markers = appeal_letters()["maintenance"]["markers"]
    return any(marker in text.lower() for text in texts for marker in markers)


def medicare_form(level: int) -> str | None:
    entry = appeal_letters()["medicare_levels"].get(str(level))
    return str(entry["template"]) if entry else None


def level_name(kind: PayerKind, level: int) -> str:
    names = appeal_letters()["level_names"]
    ladder = names.get(kind.value, names["default"])
    return str(ladder[min(max(level, 1), len(ladder)) - 1])


def appeal_action_level(assessment: Assessment) -> tuple[int | None, str | None]:
    """Level and template of the rules' appeal action, if they recommend one."""
    for action in assessment.actions:
        if action.action is Action.APPEAL:
            return action.level, action.template
    return None, None


def choose(assessment: Assessment, kind: PayerKind, *, maintenance: bool, level: int,
           requested: str | None = None) -> Choice:
    """The template for this claim: the one asked for, the rules' choice, or the tables'."""
    argument = argument_template(assessment, maintenance)
    if requested:
        return Choice(requested, argument, level)
    _, suggested = appeal_action_level(assessment)
    if suggested:
        return Choice(suggested, argument, level)
    if kind is PayerKind.MEDICARE:
        form = medicare_form(level)
        if form:
            return Choice(form, argument, level)
    return Choice(argument, argument, level)
