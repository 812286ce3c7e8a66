"""Working the queue: worklists, notes, statuses, follow-up dates, assignees, history, aging."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import click

from assistant.cli.context import claim_id_argument, global_options, json_option, services
from assistant.cli.filters import chosen_filters, filter_options
from assistant.cli.output import change_json, emit_json, screen_width, table, wrap
from assistant.cli.progress import progress
from assistant.domain import WorkStatus
from assistant.errors import InvalidInput
from assistant.storage.audit import describe_change

CSV_COLUMNS = ("rank", "claim_id", "patient", "payer", "dos", "age_days", "balance", "category", "codes",
               "next_action", "deadline", "days_left", "score", "why", "work_status", "follow_up_date",
               "assignee")
_NOBODY = ("none", "nobody", "unassigned", "-")
_NO_DATE = ("none", "clear", "-")


def _day(text: str | None, svc: Any) -> date | None:
    """A date option as people type it: 2026-12-15, +14, 2w, or as the chat reads it ("next tues")."""
    from assistant.chat.entities import typed_day

    return None if text is None else typed_day(text, svc.today)


def _money(value: float) -> str:
    return f"${value:,.2f}"


@click.command()
@click.argument("name", required=False)
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="At most this many rows (0: all).")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows (paging).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@filter_options
@json_option
@global_options
def worklist(name: str | None, limit: int, offset: int, as_csv: bool, as_json: bool) -> None:
    """Show a worklist, best first, with why each claim is where it is (default: today).

    Claims with a follow-up date after today stay hidden from `today` until that date.
    Filter options narrow the worklist named; with no name they select from every open
    claim, as the chat's lists do.

    \b
    Examples:
      ar-assistant worklist
      ar-assistant worklist denials-medicare --limit 20 --json
      ar-assistant worklist today --csv > today.csv
      ar-assistant worklist --payer bcbs --min-age 90 --denied
    """
    if as_csv and as_json:
        raise click.UsageError("choose one of --json and --csv")
    svc = services()
    with progress("Ranking claims", quiet=as_json or as_csv) as report:
        data = svc.worklist(name, limit=limit or None, offset=offset, progress=report,
                            filters=chosen_filters())
    if as_json:
        emit_json(data)
        return
    if as_csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in data["rows"]:
            writer.writerow(["" if row[c] is None else " ".join(row[c]) if c == "codes" else row[c]
                             for c in CSV_COLUMNS])
        click.echo(buffer.getvalue(), nl=False)
        return
    click.echo(f"{data['worklist']} - {data['today']} - {data['total_claims']:,} claims, "
               f"{_money(data['total_balance'])}")
    if not data["rows"]:
        click.echo("nothing here")
        return
    rows = [(r["rank"], r["claim_id"], r["patient"], r["payer"], r["dos"], r["age_days"],
             _money(r["balance"]),
             (r["next_action"] or "").replace("_", " "), f"{r['score']:.1f}", r["why"]) for r in data["rows"]]
    headers = ["#", "claim", "patient", "payer", "dos", "age", "balance", "next", "score", "why"]
    one_line = table(rows, headers, right=(0, 5, 6, 8), width=10_000)
    width = screen_width()
    if width is None or max(map(len, one_line.splitlines())) <= width:
        click.echo(one_line)
    else:  # a narrow screen: why on its own line under each claim, the date of service left to `claim`
        click.echo(_with_why_below([r[:4] + r[5:9] for r in rows], [r[9] for r in rows],
                                   headers[:4] + headers[5:9], width))
    shown = data["offset"] + len(data["rows"])
    if data["has_more"]:
        click.echo(f"... {data['total_claims'] - shown:,} more (--offset {shown})")


def _with_why_below(rows: list[tuple[Any, ...]], whys: list[str], headers: list[str], width: int) -> str:
    text = table(rows, headers, right=(0, 4, 5, 7), width=width)
    lines = text.splitlines()
    out = lines[:2]
    body = lines[2:]
    indent = " " * (len(str(rows[-1][0])) + 2)
    starts = [n for n, ln in enumerate(body) if ln[:len(indent)].strip()]  # a row's first line has its rank
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(body)
        out += body[start:end]
        out.append(wrap(indent + whys[k], indent=indent, width=width))
    return "\n".join(out)


@click.command()
@json_option
@global_options
def worklists(as_json: bool) -> None:
    """List the worklists: shipped ones and yours (config folder worklists/*.toml).

    \b
    Example:
      ar-assistant worklists --json
    """
    data = services().worklists()
    if as_json:
        emit_json(data)
        return
    click.echo(table([(w["name"], w["origin"], w["sort"], w["description"]) for w in data],
                     ["name", "from", "sort", "description"]))


def _report(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json({**data, "changes": [change_json(c) for c in data["changes"]]})
        return
    if not data["changes"]:
        click.echo(f"{data['claim_id']}: nothing changed")
        return
    for change in data["changes"]:
        if change["field"] == "note":
            click.echo(f"{data['claim_id']}: note added")
        else:
            what = describe_change(change["field"], change["before"], change["after"])
            click.echo(f"{data['claim_id']}: {what}")


_VERSION = click.option("--expect-version", type=int, metavar="N",
                        help="Refuse if the claim's version is no longer N (someone changed it).")


@click.command()
@claim_id_argument
@click.argument("text")
@click.option("--rep", help="Payer representative spoken to.")
@click.option("--ref", "reference", help="Call reference number the payer gave.")
@click.option("--outcome", help="What the call settled, in a few words.")
@click.option("--promised", metavar="DATE", help="Date the payer promised (payment, decision).")
@click.option("--follow-up", "follow_up", metavar="DATE",
              help="Follow up on this date (YYYY-MM-DD, MM/DD/YYYY, +14, 2w ...).")
@_VERSION
@json_option
@global_options
def note(claim_id: str, text: str, rep: str | None, reference: str | None, outcome: str | None,
         promised: str | None, follow_up: str | None, expect_version: int | None, as_json: bool) -> None:
    """Add a note to a claim, with the call's details; a promised date becomes the follow-up.

    \b
    Example:
      ar-assistant note OT250301A1 "Claim on file, reprocessing" \\
          --rep "Ann B" --ref 88412 --follow-up +14
    """
    svc = services()
    _report(svc.note(claim_id, text, rep=rep, reference=reference, outcome=outcome,
                     promised=_day(promised, svc), follow_up=_day(follow_up, svc),
                     expected_version=expect_version), as_json)


@click.command()
@claim_id_argument
@click.argument("work_status", type=click.Choice([s.value for s in WorkStatus]), metavar="STATUS")
@click.option("--reason", help="Why (required for written_off).")
@click.option("--follow-up", "follow_up", metavar="DATE", help="Follow up on this date.")
@_VERSION
@json_option
@global_options
def status(claim_id: str, work_status: str, reason: str | None, follow_up: str | None,
           expect_version: int | None, as_json: bool) -> None:
    """Set a claim's work status (the practice's side of it; the payer's status is separate).

    STATUS is one of new, in_progress, waiting_payer, appealed, corrected_resubmitted,
    patient_billing, written_off, closed. written_off needs --reason and writes the balance
    off. waiting_payer, appealed and corrected_resubmitted set a follow-up date unless the
    claim has a later one.

    \b
    Examples:
      ar-assistant status OT250301A1 appealed
      ar-assistant status OT250301A1 written_off --reason 'under $5, not worth rebilling'
    """
    svc = services()
    _report(svc.set_status(claim_id, work_status, reason=reason, follow_up=_day(follow_up, svc),
                           expected_version=expect_version), as_json)


@click.command("follow-up")
@claim_id_argument
@click.argument("day", metavar="DATE")
@_VERSION
@json_option
@global_options
def follow_up(claim_id: str, day: str, expect_version: int | None, as_json: bool) -> None:
    """Set a claim's follow-up date (tickler); it leaves `today` until then. `none` clears it.

    \b
    Examples:
      ar-assistant follow-up OT250301A1 2026-12-15
      ar-assistant follow-up OT250301A1 +30
    """
    svc = services()
    when = None if day.strip().lower() in _NO_DATE else _day(day, svc)
    _report(svc.follow_up(claim_id, when, expected_version=expect_version), as_json)


@click.command()
@claim_id_argument
@click.argument("user")
@_VERSION
@json_option
@global_options
def assign(claim_id: str, user: str, expect_version: int | None, as_json: bool) -> None:
    """Give a claim to a user (`me` for yourself, `none` to unassign).

    \b
    Example:
      ar-assistant assign OT250301A1 jlee
    """
    svc = services()
    who = None if user.strip().lower() in _NOBODY else svc.user if user.strip().lower() == "me" else user
    _report(svc.assign(claim_id, who, expected_version=expect_version), as_json)


@click.command()
@claim_id_argument
@json_option
@global_options
def history(claim_id: str, as_json: bool) -> None:
    """Show a claim's audit trail: every change with who, when, before and after.

    \b
    Example:
      ar-assistant history OT250301A1 --json
    """
    rows = services().history(claim_id)
    if as_json:
        emit_json([change_json(a) for a in rows])
        return

    def what(a: dict[str, Any]) -> str:
        if a["kind"] == "note":
            details = a["details"] or {}
            call = ", ".join(f"{k.replace('_', ' ')} {details[k]}"
                             for k in ("rep", "reference", "outcome", "promised_date") if k in details)
            return f"{a['note']}" + (f" ({call})" if call else "")
        if a["field"] and (a["before"] is not None or a["after"] is not None):
            change = describe_change(a["field"], a["before"], a["after"])
            return change + (f" ({a['note']})" if a["note"] else "")
        return a["note"] or ""

    click.echo(table([(a["at"][:19].replace("T", " "), a["user"], a["kind"], what(a)) for a in rows],
                     ["when (UTC)", "who", "kind", "what"]))


@click.command()
@click.argument("action", type=click.Choice(["status", "follow-up", "assign", "note"]))
@click.argument("value")
@click.option("--claims", "claim_list", metavar="IDS", help="Comma-separated claim ids.")
@click.option("--worklist", "worklist_name", metavar="NAME", help="Every claim of this worklist ...")
@click.option("--limit", type=click.IntRange(min=1), help="... or its first N claims.")
@click.option("--reason", help="Why (required to write off).")
@filter_options
@json_option
@global_options
def bulk(action: str, value: str, claim_list: str | None, worklist_name: str | None, limit: int | None,
         reason: str | None, as_json: bool) -> None:
    """Apply one action to many claims at once, all or nothing, each change audited.

    VALUE is a work status, a follow-up date (or none), a user (or none), or a note's text.

    \b
    Examples:
      ar-assistant bulk assign jlee --worklist denials-medicare --limit 25
      ar-assistant bulk follow-up +7 --claims OT1,OT2,OT3
      ar-assistant bulk assign jlee --payer aetna --category authorization
    """
    filters = chosen_filters()
    if claim_list is not None and (worklist_name is not None or filters):
        raise click.UsageError("choose the claims with --claims, or with --worklist and filter options")
    if claim_list is None and worklist_name is None and not filters:
        raise click.UsageError("choose the claims with --claims or --worklist (or filter options)")
    svc = services()
    if claim_list is not None:
        ids = [c.strip() for c in claim_list.split(",") if c.strip()]
    else:
        ids = svc.worklist_claim_ids(worklist_name, limit, filters=filters)
    if not ids:
        raise InvalidInput("no claims selected")
    kind = action.replace("-", "_")
    parsed: Any = value
    if kind == "follow_up":
        parsed = None if value.strip().lower() in _NO_DATE else _day(value, svc)
    elif kind == "assign":
        who = value.strip().lower()
        parsed = None if who in _NOBODY else svc.user if who == "me" else value
    data = svc.bulk(ids, kind, parsed, reason=reason)
    if as_json:
        emit_json({**data, "changes": [change_json(c) for c in data["changes"]]})
    else:
        click.echo(f"{action}: {data['changed']} of {data['claims']} claims changed")


@click.command()
@click.option("--payer", help="One payer (name, alias or payer id).")
@json_option
@global_options
def aging(payer: str | None, as_json: bool) -> None:
    """AR aging: open balances by days since service, 0-30 ... 120+, by payer.

    \b
    Example:
      ar-assistant aging --payer medicare --json
    """
    data = services().aging(payer)
    if as_json:
        emit_json(data)
        return
    labels = [b["label"] for b in data["buckets"]]

    def cells(buckets: list[dict[str, Any]]) -> list[str]:
        return [f"{_money(b['balance'])} ({b['claims']})" for b in buckets]

    rows = [(p["payer"], *cells(p["buckets"]), _money(p["total_balance"])) for p in data["by_payer"]]
    rows.append(("total", *cells(data["buckets"]), _money(data["total_balance"])))
    click.echo(f"AR aging as of {data['today']} (days since service; balances above zero)")
    click.echo(table(rows, ["payer", *labels, "total"], right=range(1, len(labels) + 2)))
