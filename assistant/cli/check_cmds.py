"""`check`: the OT claim checks on a claim, a selection of claims or an 837 before it is sent
(its own module: the filter options it takes stay out of `explain`'s cold start)."""

from __future__ import annotations

import os
from typing import Any

import click

from assistant.cli.context import global_options, json_option, resolve_claim_id, services
from assistant.cli.filters import chosen_filters, filter_options
from assistant.cli.output import emit_json, table


def _print_findings(results: list[dict[str, Any]]) -> None:
    rows = [(r["claim_id"], f["line"] or "", f["severity"], f["rule"], f["message"], f["fix"] or "")
            for r in results for f in r["findings"]]
    if rows:
        click.echo(table(rows, ["claim", "line", "severity", "rule", "finding", "fix"]))


@click.command()
@click.argument("target", required=False, metavar="CLAIM|FILE.837")
@click.option("--all", "check_all", is_flag=True,
              help="Check every claim in the database that is not written off (paid ones too).")
@click.option("--worklist", "worklist_name", metavar="NAME",
              help="Check the claims of this worklist (filter options narrow it).")
@filter_options
@json_option
@global_options
def check(target: str | None, check_all: bool, worklist_name: str | None, as_json: bool) -> None:
    """Run the OT claim checks on a claim, on every claim not written off, or on an 837 file
    before sending it.

    Checks: 8-minute units, GO/GP/GN, CO for OTA services, KX threshold, add-on without base,
    97014/97010 at Medicare, NCCI pairs, plan of care certification, progress reports,
    authorizations, timely filing, ICD-10-CM codes, replacement claims, duplicates. An 837 file is only
    read, never imported.

    \b
    Examples:
      ar-assistant check OT250301A1
      ar-assistant check --all --json
      ar-assistant check --payer bcbs --denied
      ar-assistant check batch-2026-11-20.837
    """
    filters = chosen_filters()
    selection = worklist_name is not None or bool(filters)
    if sum((bool(target), check_all, selection)) != 1:
        raise click.UsageError("give a claim id or an 837 file, --all, or --worklist / filter options")
    svc = services()
    if check_all or selection:
        from assistant.cli.progress import progress

        ids = svc.worklist_claim_ids(worklist_name, filters=filters) if selection else None
        with progress("Checking claims", quiet=as_json) as report:
            data = svc.check(None, progress=report, claim_ids=ids)
    elif target is not None and os.path.isfile(target):
        from pathlib import Path

        data = svc.check_file(Path(target))
    else:
        assert target is not None
        data = svc.check(resolve_claim_id(target))
    if as_json:
        emit_json(data)
        return
    _print_findings(data["results"])
    click.echo(f"\n{_count(data['checked'], 'claim')} checked: {_count(data['errors'], 'error')}, "
               f"{_count(data['warnings'], 'warning')}")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
