"""Global options (`--db`, `--today`) accepted before or after the subcommand."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from assistant.paths import Locations

F = TypeVar("F", bound=Callable[..., Any])

# Dates, paths and the services are imported when a command needs them: `explain` and
# `units` start with click and their own modules only.


@dataclass
class Settings:
    db: Path | None = None
    today: date | None = None

    def locations(self) -> Locations:
        from assistant.paths import Locations

        return Locations.resolve(self.db)

    def services(self) -> Any:
        from datetime import date

        from assistant.services import Services

        return Services(self.locations(), today=self.today or date.today())


def settings(ctx: click.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def _set_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        from pathlib import Path

        settings(ctx).db = Path(value)


def _set_today(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        from assistant.dates import parse_iso
        from assistant.errors import InvalidInput

        try:
            settings(ctx).today = parse_iso(value)
        except InvalidInput as exc:
            raise click.BadParameter(str(exc)) from None


def global_options(func: F) -> F:
    """Add --db and --today to a command, so they work after the subcommand too."""
    func = click.option(
        "--today",
        metavar="YYYY-MM-DD",
        expose_value=False,
        callback=_set_today,
        help="Pin 'today' for ages, deadlines and relative dates.",
    )(func)
    func = click.option(
        "--db",
        metavar="PATH",
        expose_value=False,
        callback=_set_db,
        help="Database file (env AR_ASSISTANT_DB; default in the user data folder).",
    )(func)
    return func


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def claim_id_argument(func: F) -> F:
    """The CLAIM_ID argument, read as the database spells it when the command runs (after
    --db is known): any case, or without the letters its ids start with ("2603250001" for
    OT2603250001), as the chat reads it."""
    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        kwargs["claim_id"] = resolve_claim_id(kwargs.get("claim_id"))
        return func(*args, **kwargs)

    return click.argument("claim_id")(command)  # type: ignore[return-value]


def resolve_claim_id(typed: str | None) -> str | None:
    """A typed claim id as stored, or as typed when no claim fits (the command says so)."""
    if not typed:
        return typed
    svc = services()
    if not svc.locations.db.exists():
        return typed
    from assistant.storage import lookups

    return lookups.claim_ids_among(svc.conn, [typed], lookups.claim_id_prefixes(svc.conn)).get(typed, typed)


def services(ctx: click.Context | None = None) -> Any:
    """The services facade for this invocation (closed when the command ends)."""
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    existing = root.meta.get("services")
    if existing is None:
        existing = settings(ctx).services()
        root.meta["services"] = existing
        root.call_on_close(existing.close)
    return existing
