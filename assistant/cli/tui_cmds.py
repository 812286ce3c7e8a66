"""Opening the assistant: the terminal app on a terminal, a short summary anywhere else."""

from __future__ import annotations

import sys
from typing import Any

import click

from assistant.cli.context import global_options, services

SAMPLE_BANNER = "SYNTHETIC SAMPLE DATA - every name, id and date here is made up"


def _summary(svc: Any) -> None:
    data = svc.summary()
    if data["sample"]:
        click.echo(SAMPLE_BANNER)
    click.echo(f"Database {data['database']}")
    click.echo(f"{data['claims']:,} claims, {data['patients']:,} patients, "
               f"{data['documents']:,} documents, {len(data['payers'])} payers")
    click.echo(f"Open balance ${data['open_balance']:,.2f}; {data['denied_claims']:,} denied claims")
    click.echo("Try: ar-assistant claims --status denied")


def open_app(svc: Any) -> None:
    """The Textual app when stdin and stdout are a terminal; otherwise (piped, scripted) the summary."""
    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        _summary(svc)
        return
    svc.conn  # noqa: B018 - a missing or unusable database is a one-line error before the screen opens
    from assistant.tui.launch import run

    run(svc)


@click.command()
@global_options
def tui() -> None:
    """Open the terminal app on a database (the default one, or --db PATH).

    Keys are shown in the footer; ? lists them all, Ctrl+P finds any command, claim or
    patient. Without a terminal (piped output) it prints a summary instead.

    \b
    Example:
      ar-assistant tui --db ~/ar/practice.db
    """
    open_app(services())
