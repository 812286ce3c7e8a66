"""`backup` and `restore`: checked, owner-only copies of the database."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.context import global_options, json_option, services
from assistant.cli.output import emit_json, is_interactive
from assistant.errors import ConfirmationRequired


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@json_option
@global_options
def backup(path: Path | None, as_json: bool) -> None:
    """Copy the database to PATH (a new file, or a folder), checked and readable by you only.

    Safe while the assistant or an import runs: SQLite's online backup copies one consistent
    moment. The copy passes SQLite's integrity check before it gets its name. Without PATH
    the copy goes to the private `backups` folder beside the database.

    \b
    Examples:
      ar-assistant backup
      ar-assistant backup /media/usb/ar-2026-11-26.db --json
    """
    data = services().backup(path)
    if as_json:
        emit_json(data)
        return
    click.echo(f"backed up {data['claims']:,} claims to {data['backup']} "
               f"({data['bytes'] / 1e6:,.1f} MB, integrity ok)")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
@json_option
@global_options
def restore(path: Path, yes: bool, as_json: bool) -> None:
    """Replace the database with the backup at PATH (an older one is brought up to date).

    The backup must be an ar-assistant database that passes SQLite's integrity check;
    anything else is refused and nothing changes. The current database is kept first, as
    a timestamped copy beside it readable by you only.

    \b
    Example:
      ar-assistant restore ~/ar-backups/ar-assistant-20261120-173000.db --yes
    """
    svc = services()
    if not yes:
        if as_json or not is_interactive():
            raise ConfirmationRequired(f"restore replaces everything in {svc.locations.db} with {path.name}; "
                                       "add --yes to go ahead")
        click.confirm(f"Replace everything in {svc.locations.db} with {path.name}?", abort=True, err=True)
    data = svc.restore(path)
    if as_json:
        emit_json(data)
        return
    steps = data["migrations_applied"]
    migrated = f", brought up to date ({steps} step(s))" if steps else ""
    click.echo(f"restored {data['claims']:,} claims from {path.name}{migrated}; integrity ok")
    click.echo(f"the previous database is kept as {data['previous_kept_as']}")
