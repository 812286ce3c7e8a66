"""Reading claims: `claims` lists, `claim` shows one in full."""

from __future__ import annotations

from typing import Any

import click

from assistant.cli.context import claim_id_argument, global_options, json_option, services
from assistant.cli.output import change_json, emit_json, table
from assistant.domain import PayerStatus, WorkStatus
from assistant.money import fmt, to_cents
from assistant.storage.claims import ClaimFilter


@click.command()
@click.option("--payer", help="Payer name, alias or payer id.")
@click.option("--status", type=click.Choice([s.value for s in PayerStatus]), metavar="STATUS",
              help="Payer status, what the payer last said: " + ", ".join(s.value for s in PayerStatus) + ".")
@click.option("--work-status", type=click.Choice([s.value for s in WorkStatus]), metavar="STATUS",
              help="Work status, where the practice is in working it: "
                   + ", ".join(s.value for s in WorkStatus) + ".")
@click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True,
              help="At most this many claims (0: all).")
@json_option
@global_options
def claims(payer: str | None, status: str | None, work_status: str | None, limit: int,
           as_json: bool) -> None:
    """List claims, newest service first.

    \b
    Examples:
      ar-assistant claims --payer medicare --status denied
      ar-assistant claims --work-status waiting_payer --limit 20 --json
    """
    rows = services().claims(
        ClaimFilter(payer=payer, payer_status=status, work_status=work_status,
                    limit=limit or None)
    )
    if as_json:
        emit_json(rows)
        return
    click.echo(table(
        [(r["claim_id"], r["patient"], r["payer"], r["dos_from"], fmt(to_cents(r["billed"])),
          fmt(to_cents(r["paid"])), fmt(to_cents(r["balance"])), r["status"], r["work_status"])
         for r in rows],
        ["claim", "patient", "payer", "dos", "billed", "paid", "balance", "status", "work"],
        right=(4, 5, 6),
    ))


@click.command()
@claim_id_argument
@json_option
@global_options
def claim(claim_id: str, as_json: bool) -> None:
    """Show one claim: lines, adjustments, remarks, documents and history.

    \b
    Example:
      ar-assistant claim OT250301A1 --json
    """
    data = services().claim(claim_id)
    if as_json:
        emit_json({**data, "activities": [change_json(a) for a in data["activities"]]})
        return
    click.echo(f"Claim {data['claim_id']}  {data['patient']['name']} ({data['patient']['account']})")
    dos = data["dos_from"] + (f"..{data['dos_to']}" if data["dos_to"] != data["dos_from"] else "")
    click.echo(f"Payer {data['payer']['name']} [{data['payer']['kind']}]   DOS {dos}")
    click.echo(f"Billed {fmt(to_cents(data['billed']))}  paid {fmt(to_cents(data['paid']))}  "
               f"balance {fmt(to_cents(data['balance']))}  status {data['status']}  "
               f"work {data['work_status']}")
    if data["accident"] and data["accident"]["date"]:
        click.echo(f"Injury/accident date {data['accident']['date']}{_accident_detail(data['accident'])}")
    elif data["accident"]:
        click.echo(f"Related causes{_accident_detail(data['accident'])} (no injury/accident date)")
    for prior in data["prior_payers"]:
        paid = fmt(to_cents(prior["paid"])) if prior["paid"] is not None else "not stated"
        when = f" on {prior['adjudicated']}" if prior["adjudicated"] else ""
        number = f" claim {prior['claim_number']}" if prior["claim_number"] else ""
        adjusted = " ".join(f"{a['group']}-{a['code']} {fmt(to_cents(a['amount']))}"
                            for a in prior["adjustments"])
        click.echo(f"Prior payer {prior['payer']} ({prior['order']}) paid {paid}{when}"
                   f"{number}" + (f"  adjustments {adjusted}" if adjusted else ""))
    if data["other_coverages"]:
        click.echo("Other coverage " + ", ".join(
            f"{c['payer']} ({c['order']})" for c in data["other_coverages"]))
    if data["patient_responsibility"] or data["patient_payments"]:
        click.echo(f"Patient share {fmt(to_cents(data['patient_responsibility']))}  paid "
                   f"{fmt(to_cents(data['patient_paid']))}  still due {fmt(to_cents(data['patient_due']))}  "
                   f"patient payments {len(data['patient_payments'])} (`claim --json` lists them)")
    click.echo("")
    click.echo(table(
        [(ln["line"], ln["code"], " ".join(ln["modifiers"]), ln["units"], ln["minutes"],
          fmt(to_cents(ln["charge"])), fmt(to_cents(ln["paid"])),
          " ".join(f"{a['group']}-{a['code']}" for a in ln["adjustments"]), " ".join(ln["remarks"]))
         for ln in data["lines"]],
        ["#", "code", "mods", "units", "min", "charge", "paid", "adjustments", "remarks"],
        right=(0, 3, 4, 5, 6),
    ))
    if data["adjustments"] or data["remarks"]:
        claim_adj = " ".join(f"{a['group']}-{a['code']} {fmt(to_cents(a['amount']))}"
                             for a in data["adjustments"])
        click.echo(f"\nClaim adjustments: {claim_adj}  remarks: {' '.join(data['remarks'])}")
    if data["documents"]:
        click.echo(f"\nDocuments: {len(data['documents'])} "
                   f"({', '.join(sorted({d['type'] for d in data['documents']}))})")
    if data["activities"]:
        click.echo(f"History: {len(data['activities'])} entries (`ar-assistant history {claim_id}`)")


_CAUSES = {"AA": "auto accident", "EM": "employment", "OA": "other accident"}


def _accident_detail(accident: dict[str, Any]) -> str:
    """What CLM11 says caused the condition, as " (employment, state OR)"."""
    causes = [_CAUSES.get(code, code) for code in accident["causes"]]
    if accident["state"]:
        causes.append(f"state {accident['state']}")
    return f" ({', '.join(causes)})" if causes else ""
