"""Worklist filters as command-line options: the same keys a worklist file's [filter] table
takes, so `worklist --payer bcbs --min-age 90` lists what the chat's "bcbs claims over 90
days" does, and `check` or `bulk` can act on that selection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class _Vocabulary(click.ParamType):  # type: ignore[type-arg]
    """A choice from one of the domain's fixed vocabularies, read only when a value is given
    (the rules commands start without the domain model)."""

    def __init__(self, name: str, enum: str) -> None:
        self.name, self.enum = name, enum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from assistant import domain

        choices = [member.value for member in getattr(domain, self.enum)]
        text = str(value).strip().lower()
        if text not in choices:
            self.fail(f"{value!r} is not one of {', '.join(choices)}", param, ctx)
        return text

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return self.name.upper()

_DAYS = click.IntRange(min=0)
_DOLLARS = click.FloatRange(min=0)
# (option, [filter] key, click type, repeatable, help)
_OPTIONS: tuple[tuple[str, str, Any, bool, str], ...] = (
    ("--payer", "payers", str, True, "Payer name, alias or id (repeat for several)."),
    ("--payer-kind", "payer_kinds", _Vocabulary("kind", "PayerKind"), True, "Payer kind."),
    ("--category", "categories", _Vocabulary("category", "Category"), True, "Denial category."),
    ("--status", "statuses", _Vocabulary("status", "WorkStatus"), True, "Follow-up status."),
    ("--payer-status", "payer_statuses", _Vocabulary("status", "PayerStatus"), True, "Payer status."),
    ("--action", "actions", _Vocabulary("action", "Action"), True, "Next action."),
    ("--code", "codes", str, True, "CARC or RARC on the claim: CO-50, N115, or 50 in any group."),
    ("--assignee", "assignee", str, False, "User name, 'me' or 'unassigned'."),
    ("--min-age", "min_age_days", _DAYS, False, "Days since service, at least."),
    ("--max-age", "max_age_days", _DAYS, False, "Days since service, at most."),
    ("--min-balance", "min_balance", _DOLLARS, False, "Balance in dollars, at least."),
    ("--max-balance", "max_balance", _DOLLARS, False, "Balance in dollars, at most."),
    ("--deadline-within", "deadline_within_days", _DAYS, False,
     "A filing or appeal deadline within this many days."),
    ("--no-response", "no_response_days", _DAYS, False,
     "No payer response for this many days since submission."),
)


_METAVARS: dict[Any, str | None] = {str: "TEXT", _DAYS: "DAYS", _DOLLARS: "DOLLARS"}


def filter_options(command: F) -> F:
    """Add the worklist filter options; the command reads them with `chosen_filters()`."""
    denied = click.option("--denied/--not-denied", "denied", default=None, expose_value=False, callback=_keep,
                          help="Only claims with an open denial, or only those without.")
    command = denied(command)
    for flag, key, kind, multiple, text in reversed(_OPTIONS):
        metavar = _METAVARS.get(kind)
        command = click.option(flag, key, type=kind, multiple=multiple, default=None, help=text,
                               metavar=metavar, expose_value=False, callback=_keep)(command)
    return command


def chosen_filters() -> dict[str, Any]:
    """The filter options given, as a worklist file's [filter] table holds them."""
    return dict(click.get_current_context().meta.get(_META, {}))


_META = "assistant.filters"


def _keep(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value in (None, ()):
        return
    assert param.name is not None
    ctx.meta.setdefault(_META, {})[param.name] = list(value) if isinstance(value, tuple) else value
