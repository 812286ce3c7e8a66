"""Reports: `report NAME` (tables, --json or --csv), `reports` (names and definitions), and
`import fee-schedule` (the payer fee schedules the underpayments report compares with)."""

from __future__ import annotations

import csv
import io
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from assistant.cli.context import global_options, json_option, services
from assistant.cli.output import echo_rejected, emit_json, table, wrap
from assistant.cli.progress import progress
from assistant.dates import parse_iso
from assistant.errors import InvalidInput
from assistant.money import fmt, to_cents
from assistant.reports import REPORTS

HUMAN_ROWS = 25


def _date(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return parse_iso(value)
    except InvalidInput as exc:
        raise click.BadParameter(str(exc), param=param) from None


def format_value(value: Any, kind: str) -> str:
    """A cell or figure for people: $1,240.50, 12.3%, 31.2, '-' for a figure with nothing to count."""
    if value is None:
        return "-"
    if kind == "money":
        return fmt(to_cents(value))
    if kind == "rate":
        return f"{value:.1f}%"
    if kind == "days":
        return f"{value:.1f}"
    if kind == "count" and isinstance(value, float):
        return f"{value:g}"
    return str(value)


def csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{value:.2f}"
    if kind == "count" and isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_csv(data: dict[str, Any], section: str | None = None) -> str:
    """All sections as CSV blocks (a title row, the header, the rows, a blank row), figures first;
    with `section`, that one table alone as plain CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if section is not None:
        found = next((s for s in data["sections"] if s["name"] == section), None)
        if found is None:
            names = ", ".join(s["name"] for s in data["sections"])
            raise InvalidInput(f"report {data['report']} has no section {section!r}; one of {names}")
        _csv_table(writer, found)
        return buffer.getvalue()
    writer.writerow([data["title"]])
    writer.writerow(["figure", "label", "value", "kind"])
    for f in data["figures"]:
        writer.writerow([f["key"], f["label"], csv_value(f["value"], f["kind"]), f["kind"]])
    for s in data["sections"]:
        writer.writerow([])
        writer.writerow([s["title"]])
        _csv_table(writer, s)
    return buffer.getvalue()


def _csv_table(writer: Any, section: dict[str, Any]) -> None:
    kinds = [c["kind"] for c in section["columns"]]
    writer.writerow([c["label"] for c in section["columns"]])
    for row in section["rows"]:
        writer.writerow([csv_value(v, k) for v, k in zip(row, kinds, strict=True)])


def render(data: dict[str, Any], limit: int | None = HUMAN_ROWS) -> str:
    """The report for a terminal: header, figures, then each section as an aligned table."""
    period = data["period"]
    span = ("all dates" if not period["from"] and not period["to"]
            else f"{period['from'] or 'start'} to {period['to'] or 'now'}")
    out = [f"{data['title']}  (as of {data['as_of']}; {span}; payer: {data['payer'] or 'all'})"]
    if data.get("note"):
        out.append(f"note: {data['note']}")
    if data["empty"]:
        out.append("nothing to count for this selection")
    targets = any(f["target"] for f in data["figures"])
    rows = [[f["label"], format_value(f["value"], f["kind"])] + ([f["target"] or ""] if targets else [])
            for f in data["figures"]]
    out += ["", table(rows, ["figure", "value"] + (["target (source)"] if targets else []), right=(1,))]
    for s in data["sections"]:
        if not s["rows"]:
            continue
        columns = s["columns"]
        short = [i for i, c in enumerate(columns) if not c["long"]]
        long = [i for i, c in enumerate(columns) if c["long"]]
        shown = s["rows"] if limit is None else s["rows"][:limit]
        cells = [[format_value(row[i], columns[i]["kind"]) for i in short] for row in shown]
        right = [n for n, i in enumerate(short) if columns[i]["kind"] in ("money", "rate", "days", "count")]
        out += ["", s["title"], table(cells, [columns[i]["label"] for i in short], right=right)]
        if long:
            out.append("")
            for n, row in enumerate(shown, 1):
                texts = [(columns[i]["label"], row[i]) for i in long if row[i]]
                for j, (label, text) in enumerate(texts):
                    out.append(wrap(f"{f'{n}.' if j == 0 else '':>4} {label}: {text}", indent=" " * 7))
        if len(s["rows"]) > len(shown):
            more = len(s["rows"]) - len(shown)
            out.append(f"... {more} more row{'' if more == 1 else 's'} (--limit 0, --csv or --json for all)")
    return "\n".join(out)


@click.command()
@click.argument("name", type=click.Choice(list(REPORTS)), metavar="NAME")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", callback=_date, help="First day of the period.")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", callback=_date, help="Last day of the period.")
@click.option("--payer", help="Only this payer (name, alias or payer id).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: the figures, then each table.")
@click.option("--section", metavar="SECTION", help="With --csv: only this table, as plain CSV.")
@click.option("--limit", type=click.IntRange(min=0), default=HUMAN_ROWS, show_default=True,
              help="Rows shown per table on screen (0: all).")
@json_option
@global_options
def report(name: str, date_from: date | None, date_to: date | None, payer: str | None, as_csv: bool,
           section: str | None, limit: int, as_json: bool) -> None:
    """Run a report: aging, denials, kpis, appeals, underpayments, recoupments, documentation.

    `ar-assistant reports` lists them with their definitions (docs/reports.md has them in
    full). Money in --json and --csv is a decimal number; a rate with nothing to divide by
    is null (empty in CSV, '-' on screen).

    \b
    Examples:
      ar-assistant report kpis
      ar-assistant report denials --from 2026-01-01 --to 2026-06-30 --payer medicare
      ar-assistant report aging --csv > aging.csv
      ar-assistant report denials --csv --section root_causes > root-causes.csv
    """
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    if section and not as_csv:
        raise click.UsageError("--section goes with --csv")
    data = services().report(name, date_from=date_from, date_to=date_to, payer=payer)
    if as_json:
        emit_json(data)
    elif as_csv:
        click.echo(to_csv(data, section), nl=False)
    else:
        click.echo(render(data, limit or None))


@click.command()
@json_option
@global_options
def reports(as_json: bool) -> None:
    """List the reports with what each one counts.

    \b
    Example:
      ar-assistant reports --json
    """
    rows = services().reports()
    if as_json:
        emit_json(rows)
        return
    for i, row in enumerate(rows):
        if i:
            click.echo("")
        click.echo(f"{row['name']}: {row['title']}")
        click.echo(wrap(f"  {row['definition']}", indent="  "))


@click.command("fee-schedule")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@global_options
def import_fee_schedule(files: tuple[Path, ...], as_json: bool) -> None:
    """Import payer fee schedules (CSV: payer, code, modifier, allowed, effective from/to).

    The allowed amount is per unit. A row replaces the fee of the same payer, code, modifier
    and start date; an empty modifier means any modifier; empty dates are open-ended. The
    underpayments report compares paid lines with it.

    \b
    Example:
      ar-assistant import fee-schedule fees-medicare-2026.csv
    """
    svc = services()
    with progress("Importing fee schedules", quiet=as_json) as report_progress:
        results = svc.import_fee_schedule(list(files), progress=report_progress)
    if as_json:
        emit_json([{**r.as_dict(), "fees": r.counts.get("fees", 0)} for r in results])
    else:
        for r in results:
            if r.status == "rejected":
                echo_rejected(r.error)
            elif r.status == "duplicate":
                click.echo(f"duplicate {r.file}: imported before (same bytes); nothing changed")
            else:
                click.echo(f"imported  {r.file}: {r.records} fees ({r.created} new, {r.updated} replaced)")
    if any(r.status == "rejected" for r in results):
        sys.exit(1)
