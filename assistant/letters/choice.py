"""Which letter a denial gets, at which appeal level (`assistant/data/appeal_letters.toml`).

The rules engine names a template in the action it recommends; when it does not, the
playbook's request forms (Medicare: redetermination, reconsideration, by level) and the
code -> category -> default tables here decide. A request form wraps the category's
argument letter, which these tables choose in every case.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
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


def suggested_template(assessment: Assessment) -> str | None:
    """The letter the rules name: their appeal action's, else the first action's that has one
    (a corrected-claim cover letter for a resubmission)."""
    _, template = appeal_action_level(assessment)
    return template or next((a.template for a in assessment.actions if a.template), None)


def choose(assessment: Assessment, kind: PayerKind, *, maintenance: bool, level: int,
           forms: Mapping[str, Mapping[int, str]], requested: str | None = None) -> Choice:
    """The template for this claim: the one asked for, the rules' choice, or the tables'.

    `forms` are the playbook's request forms by payer kind and level (Medicare:
    redetermination, reconsideration), which wrap the category's argument.
    """
    argument = argument_template(assessment, maintenance)
    if requested:
        return Choice(requested, argument, level)
    suggested = suggested_template(assessment)
    if suggested:
        return Choice(suggested, argument, level)
    form = forms.get(kind.value, {}).get(level)
    if form:
        return Choice(form, argument, level)
    return Choice(argument, argument, level)
