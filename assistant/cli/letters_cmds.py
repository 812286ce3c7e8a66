"""Appeal letters and the appeal lifecycle: appeal, appeals, appeal-sent, appeal-decided, appeal-templates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from assistant.cli.context import claim_id_argument, global_options, json_option, services
from assistant.cli.output import emit_json, table, wrap
from assistant.dates import parse_iso
from assistant.errors import InvalidInput
from assistant.money import fmt, to_cents


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except InvalidInput as exc:
        raise click.BadParameter(str(exc)) from None


def _gap_lines(gaps: list[dict[str, Any]]) -> list[str]:
    lines = []
    for gap in gaps:
        mark = "BLOCKS" if gap["blocking"] else "gap"
        instead = f" -> better: {gap['instead']}" if gap["instead"] else ""
        lines.append(wrap(f"  [{mark}] {gap['message']}{instead}", indent=" " * (len(mark) + 5)))
    return lines


@click.command()
@claim_id_argument
@click.option("--template", metavar="NAME",
              help="Letter template (default: the one the denial calls for; see appeal-templates).")
@click.option("--out", type=click.Path(path_type=Path), metavar="PATH",
              help="Folder or .docx file to write (default: the letters folder).")
@click.option("--preview", is_flag=True, help="Print the letter as text; write no file and no record.")
@json_option
@global_options
def appeal(claim_id: str, template: str | None, out: Path | None, preview: bool, as_json: bool) -> None:
    """Draft an appeal letter for a denied claim as an editable Word file.

    The letter answers the payer's denial from the claim, the denial codes and the
    therapist's own notes (quoted with document, date and author). What the record lacks
    is listed first; a gap marked BLOCKS means the appeal would fail as it stands, and
    names the better action. The letter lands in the letters folder (owner-only) as
    CLAIM-TEMPLATE-DATE.docx, and the appeal is recorded as drafted.

    \b
    Examples:
      ar-assistant appeal OT250301A1 --preview
      ar-assistant appeal OT250301A1 --template maintenance_therapy --json
    """
    data = services().draft_appeal(claim_id, template=template, out=out, preview=preview)
    if as_json:
        emit_json(data)
        return
    click.echo(f"Claim {data['claim_id']}: {data['template']} (level {data['level']})"
               + (f", appeal deadline {data['deadline']}" if data["deadline"] else ""))
    if data["gaps"]:
        click.echo("Before you send:")
        click.echo("\n".join(_gap_lines(data["gaps"])))
    if preview:
        click.echo("")
        click.echo(data["preview"], nl=False)
        return
    click.echo(f"{len(data['excerpts'])} excerpt(s) quoted from the notes")
    click.echo(f"Letter: {data['path']}")


@click.command("appeals")
@click.option("--status", type=click.Choice(["drafted", "sent", "decided", "overdue"]),
              help="Only appeals in this state (overdue: sent, decision past due).")
@json_option
@global_options
def appeals_list(status: str | None, as_json: bool) -> None:
    """List appeals: drafted, sent, decided, and decisions overdue for a status call.

    A remittance that pays or re-denies an appealed claim after the letter was sent
    records the decision here automatically.

    \b
    Examples:
      ar-assistant appeals --status overdue
      ar-assistant appeals --json
    """
    rows = services().appeals(status)
    if as_json:
        emit_json(rows)
        return
    click.echo(table(
        [(r["claim_id"], r["payer"], r["level"], r["template"],
          f"{r['status']}{' OVERDUE' if r['overdue'] else ''}", r["deadline"], r["sent_date"], r["channel"],
          r["decision_due"], r["outcome"], r["next_level_deadline"], fmt(to_cents(r["balance"])))
         for r in rows],
        ["claim", "payer", "lvl", "template", "status", "deadline", "sent", "via", "decision due",
         "outcome", "next level by", "balance"],
        right=(2, 11),
    ))


@click.command("appeal-sent")
@claim_id_argument
@click.option("--via", type=click.Choice(["mail", "fax", "portal"]), required=True,
              help="How the letter went out.")
@click.option("--date", "day", callback=_day, metavar="YYYY-MM-DD", help="When it was sent (default today).")
@json_option
@global_options
def appeal_sent(claim_id: str, via: str, day: date | None, as_json: bool) -> None:
    """Record that a drafted appeal letter was sent; the claim waits for the decision.

    \b
    Example:
      ar-assistant appeal-sent OT250301A1 --via fax --date 2026-11-20
    """
    row = services().appeal_sent(claim_id, via, day)
    if as_json:
        emit_json(row)
        return
    click.echo(f"Claim {row['claim_id']}: level {row['level']} appeal sent by {row['channel']} on "
               f"{row['sent_date']}; decision due by {row['decision_due']}")


@click.command("appeal-decided")
@claim_id_argument
@click.argument("outcome", type=click.Choice(["won", "partly_won", "lost"]))
@click.option("--date", "day", callback=_day, metavar="YYYY-MM-DD",
              help="Date of the decision (default today).")
@click.option("--recovered", metavar="AMOUNT", help="Amount the decision pays, e.g. 150.00.")
@json_option
@global_options
def appeal_decided(claim_id: str, outcome: str, day: date | None, recovered: str | None,
                   as_json: bool) -> None:
    """Record the payer's decision on a sent appeal; losing opens the next level.

    \b
    Examples:
      ar-assistant appeal-decided OT250301A1 lost --date 2026-12-15
      ar-assistant appeal-decided OT250301A1 won --recovered 150.00 --json
    """
    row = services().appeal_decided(claim_id, outcome, day,
                                    to_cents(recovered) if recovered is not None else None)
    if as_json:
        emit_json(row)
        return
    click.echo(f"Claim {row['claim_id']}: level {row['level']} appeal {outcome.replace('_', ' ')} on "
               f"{row['decided_date']}"
               + (f"; next level due by {row['next_level_deadline']}" if row["next_level_deadline"] else ""))


@click.command("appeal-templates")
@json_option
@global_options
def appeal_templates(as_json: bool) -> None:
    """List the appeal letter templates: shipped ones and the practice's own.

    A practice file of the same name in the config folder's templates/appeals
    (see `ar-assistant locate`) replaces the shipped letter.

    \b
    Example:
      ar-assistant appeal-templates --json
    """
    rows = services().appeal_templates()
    if as_json:
        emit_json(rows)
        return
    click.echo(table(
        [(r["name"], r["title"], ", ".join(r["categories"]) or "any", r["level"] or "any",
          "practice" if r["practice"] else "shipped") for r in rows],
        ["name", "title", "categories", "level", "source"],
    ))
