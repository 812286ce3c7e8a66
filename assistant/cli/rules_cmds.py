"""Denial intelligence: `explain` codes, `units` from minutes, `check` claims, `next` actions.

`explain` and `units` never open the database (and stay light to start).
"""

from __future__ import annotations

import click

from assistant.cli.context import claim_id_argument, global_options, json_option, services
from assistant.cli.output import emit_json, table, wrap
from assistant.kinds import PayerKind, UnitRule


@click.command()
@click.argument("codes", nargs=-1, required=True)
@click.option("--payer-kind", type=click.Choice([k.value for k in PayerKind]),
              help="Say whether the code is appealable at this kind of payer (CO-29 at medicare: no).")
@json_option
@global_options
def explain(codes: tuple[str, ...], payer_kind: str | None, as_json: bool) -> None:
    """Explain denial codes: CARCs (CO-197, 197, PR-2), RARCs (N115, MA130) and group codes (PR).

    Prints each code's meaning, category, usual actions and whether it can be appealed.
    An unknown code is reported as unknown, with its group's meaning.

    \b
    Examples:
      ar-assistant explain CO-197 N115
      ar-assistant explain CO-29 --payer-kind medicare --json
    """
    from assistant.rules.codes import explain as explain_codes

    rows = explain_codes(codes, PayerKind(payer_kind) if payer_kind else None)
    if as_json:
        emit_json(rows)
        return
    for i, row in enumerate(rows):
        if i:
            click.echo("")
        header = f"{row['code']}  [{row['kind']}]"
        if row.get("category"):
            header += f"  {row['category']}"
        click.echo(header)
        click.echo(wrap(f"  {row['meaning']}", indent="  "))
        if row.get("group_meaning") and row["kind"] == "carc" and row.get("known"):
            click.echo(wrap(f"  group {row['group_meaning']}", indent="  "))
        if row.get("actions"):
            click.echo(wrap(f"  usual actions: {', '.join(row['actions'])}", indent="  "))
        if row.get("appealable") is not None:
            click.echo(f"  appealable: {'yes' if row['appealable'] else 'no'}"
                       + (f" (not at: {', '.join(row['not_appealable_for'])})"
                          if row.get("not_appealable_for") and row["appealable"] else ""))
        if row.get("notes"):
            click.echo(wrap(f"  note: {row['notes']}", indent="  "))
        if row.get("pairs"):
            click.echo(f"  usually with CARC {', '.join(row['pairs'])}")


@click.command()
@click.argument("minutes", nargs=-1, required=True, metavar="CODE=MINUTES...")
@click.option("--rule", "rule", type=click.Choice(["cms", "per-code", "per_code"]), default="cms",
              show_default=True, help="CMS total time, or each code rounded on its own.")
@json_option
@global_options
def units(minutes: tuple[str, ...], rule: str, as_json: bool) -> None:
    """Units to bill for one day's minutes under the 8-minute rule.

    Untimed codes (evaluations, 97150, 97010, 97014/G0283 ...) take 1 unit and stay out of
    the timed total. 97129 and its add-on 97130 count as one service.

    \b
    Examples:
      ar-assistant units 97110=33 97140=7
      ar-assistant units 97112=24 97110=23 --rule per-code --json
    """
    from assistant.rules.units import parse_minutes, units_for

    result = units_for(parse_minutes(minutes), UnitRule(rule.replace("-", "_")))
    if as_json:
        emit_json(result.as_dict())
        return
    click.echo(table([(code, n) for code, n in result.units.items()], ["code", "units"], right=(1,)))
    click.echo(f"\ntimed: {result.total_minutes} min -> {result.total_units} units  ({result.rule.value})")
    for note in result.notes:
        click.echo(wrap(f"  - {note}", indent="    "))


@click.command("next")
@claim_id_argument
@json_option
@global_options
def next_(claim_id: str, as_json: bool) -> None:
    """What to do now on a claim, and by when: ranked actions, each with its reason and deadline.

    \b
    Examples:
      ar-assistant next OT250301A1
      ar-assistant next OT250301A1 --json
    """
    data = services().next_actions(claim_id)
    if as_json:
        emit_json(data)
        return
    codes = ", ".join(data["codes"]) or "no codes"
    click.echo(f"Claim {data['claim_id']}: {data['category'] or 'no denial'} ({codes})")
    for i, action in enumerate(data["actions"], 1):
        extra = []
        if action["level"]:
            extra.append(f"level {action['level']}")
        if action["template"]:
            extra.append(f"letter: {action['template']}")
        if action["deadline"]:
            extra.append(f"by {action['deadline']}")
        click.echo(f"{i}. {action['action']}" + (f"  ({'; '.join(extra)})" if extra else ""))
        click.echo(wrap(f"   {action['reason']}", indent="   "))
    if data["findings"]:
        click.echo(f"\nClaim checks: {len(data['findings'])} finding(s); `ar-assistant check {claim_id}`")
