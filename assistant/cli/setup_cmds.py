"""Setting up: where things live (`locate`), an empty database (`init`), the first run."""

from __future__ import annotations

import click

from assistant.cli.context import global_options, json_option, services, settings
from assistant.cli.output import emit_json, table
from assistant.storage.schema import SCHEMA_VERSION


@click.command()
@json_option
@global_options
def locate(as_json: bool) -> None:
    """Show where the database, config, templates, worklists and letters are.

    \b
    Example:
      ar-assistant locate --json
    """
    loc = settings(click.get_current_context()).locations()
    data = {
        "database": str(loc.db),
        "database_exists": loc.db.exists(),
        "config": str(loc.config),
        "templates": [str(p) for p in loc.templates_dirs],
        "worklists": [str(p) for p in loc.worklists_dirs],
        "playbook": [str(p) for p in loc.playbook_files],
        "letters": str(loc.letters_dir),
        "letterhead": str(loc.letterhead),
    }
    if as_json:
        emit_json(data)
        return
    rows = []
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        for i, item in enumerate(values):
            rows.append((key if i == 0 else "", item))
    click.echo(table(rows, ["what", "where"]))


@click.command()
@json_option
@global_options
def init(as_json: bool) -> None:
    """Create an empty database (or bring an existing one's schema up to date).

    \b
    Example:
      ar-assistant --db ~/ar/practice.db init
    """
    svc = services()
    existed = svc.locations.db.exists()
    svc.create_database()
    data = {"database": str(svc.locations.db), "created": not existed,
            "schema_version": SCHEMA_VERSION}
    if as_json:
        emit_json(data)
    elif existed:
        click.echo(f"{svc.locations.db} already exists; schema is at version {SCHEMA_VERSION}")
    else:
        click.echo(f"created an empty database at {svc.locations.db}")


def open_default(ctx: click.Context) -> None:
    """Bare `ar-assistant`: build the sample on first run, then open the assistant."""
    svc = services(ctx)
    if not svc.locations.db.exists():
        from assistant.cli.sample_cmds import build_default_sample

        build_default_sample(svc)
    from assistant.cli.tui_cmds import open_app

    open_app(svc)
