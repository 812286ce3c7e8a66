"""Opening the assistant. Until the terminal UI lands, a summary of the database."""

from __future__ import annotations

from typing import Any

import click

SAMPLE_BANNER = "SYNTHETIC SAMPLE DATA - every name, id and date here is made up"


def open_app(svc: Any) -> None:
    data = svc.summary()
    if data["sample"]:
        click.echo(SAMPLE_BANNER)
    click.echo(f"Database {data['database']}")
    click.echo(f"{data['claims']:,} claims, {data['patients']:,} patients, "
               f"{data['documents']:,} documents, {len(data['payers'])} payers")
    click.echo(f"Open balance ${data['open_balance']:,.2f}; {data['denied_claims']:,} denied claims")
    click.echo("Try: ar-assistant claims --status denied")
