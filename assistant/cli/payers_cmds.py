"""`payers`: who the practice bills, with the deadlines and rules the assistant applies."""

from __future__ import annotations

import click

from assistant.cli.context import global_options, json_option, services
from assistant.cli.output import emit_json, table


@click.command()
@json_option
@global_options
def payers(as_json: bool) -> None:
    """List the payers with their kind, aliases, timely filing, appeal windows and unit rule.

    Values come from the practice settings (`import settings`) over each kind's defaults.

    \b
    Example:
      ar-assistant payers --json
    """
    rows = services().payers()
    if as_json:
        emit_json(rows)
        return
    click.echo(table(
        [(r["name"], r["kind"], r["payer_id"] or "", ", ".join(r["aliases"]),
          r["timely_filing"], ", ".join(f"{a['level']}: {a['days']}d" for a in r["appeal_windows"]),
          r["unit_rule"])
         for r in rows],
        ["payer", "kind", "id", "aliases", "timely filing", "appeal windows", "units"],
    ))
