"""835 remittances: `import 835`, `validate 835` and the `unmatched` queue."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assistant.cli.context import global_options, json_option, resolve_claim_id, services
from assistant.cli.output import echo_rejected, emit_json, table
from assistant.cli.progress import progress
from assistant.money import fmt, to_cents

SHOWN_WARNINGS = 5


def _money(value: float) -> str:
    return fmt(to_cents(value))


@click.command("835")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True,
              help="Refuse a file that does not balance at line, claim or transaction level.")
@json_option
@global_options
def import_835(files: tuple[Path, ...], strict: bool, as_json: bool) -> None:
    """Post 835 remittances (ERA files, or folders of them) to claims. Each file is all or nothing.

    Claims are matched by claim id, payer claim number, or patient + dates + charge;
    what matches nothing waits in `ar-assistant unmatched`. Importing a file again
    changes nothing. Exit code 1 when any file is rejected.

    \b
    Examples:
      ar-assistant import 835 remits/*.835
      ar-assistant import 835 era-2026-11-20.835 --strict --json
    """
    with progress("Posting remittances", quiet=as_json) as report:
        results = services().import_835(list(files), strict=strict, progress=report)
    if as_json:
        emit_json(results)
    else:
        for result in results:
            _print_result(result)
    if any(r["status"] == "rejected" for r in results):
        sys.exit(1)


def _print_result(result: dict[str, Any]) -> None:
    name, status = result["file"], result["status"]
    if status == "rejected":
        echo_rejected(result["error"])
        return
    if status == "duplicate":
        click.echo(f"{name}: duplicate, already imported; nothing changed")
        return
    balanced = "balanced" if result["balanced"] else "does NOT balance"
    click.echo(f"{name}: imported {result['claims']} claims, {result['service_lines']} lines: paid "
               f"{_money(result['paid_total'])} of {_money(result['charge_total'])} charged; "
               f"{result['matched']} matched, {result['unmatched']} unmatched; {balanced}")
    for txn in result["transactions"]:
        posted = "" if txn["posted"] else "  (already posted; skipped)"
        click.echo(f"  {txn['payer_name'] or '?'} trace {txn['trace_number'] or '?'}: "
                   f"{_money(txn['payment_amount'])} on {txn['payment_date'] or '?'}, "
                   f"{txn['claims']} claims{posted}")
    warnings = result["warnings"]
    for warning in warnings[:SHOWN_WARNINGS]:
        click.echo(f"  warning: {warning}")
    if len(warnings) > SHOWN_WARNINGS:
        click.echo(f"  ... {len(warnings) - SHOWN_WARNINGS} more warnings (--json shows them all)")


@click.command("835")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@global_options
def validate_835(file: Path, as_json: bool) -> None:
    """Check an 835 against the 005010X221A1 guide with pyx12 (the `validate` extra).

    The findings are advice for the payer or clearinghouse: `import 835` reads many
    files the guide would reject and says what it recovered.

    \b
    Example:
      ar-assistant validate 835 era-2026-11-20.835
    """
    report = services().validate_835(file)
    if as_json:
        emit_json(report)
        return
    verdict = "passes" if report["valid"] else "does not pass"
    click.echo(f"{report['file']}: {verdict} {report['validator']} implementation-guide checks")
    for finding in report["findings"]:
        where = f"line {finding['line']}: " if finding["line"] else ""
        click.echo(f"  advice: {where}{finding['message']}")


@click.command()
@click.argument("payment_id", type=int, required=False)
@click.option("--show-names", is_flag=True,
              help="With PAYMENT_ID: show the patient name and member id the payer sent.")
@click.option("--post-to", "claim_id", metavar="CLAIM_ID",
              help="With PAYMENT_ID: post the payment to this claim.")
@click.option("--rematch", is_flag=True,
              help="Match every queued payment again (claim id, payer claim number, patient + dates + "
                   "charge) and post those that now fit a claim.")
@json_option
@global_options
def unmatched(payment_id: int | None, show_names: bool, claim_id: str | None, rematch: bool,
              as_json: bool) -> None:
    """Claim payments from 835s that matched no claim, waiting to be worked.

    The list shows claim ids as the payer sent them, amounts, payer, file and trace,
    but no patient names; ask for one payment with --show-names to see them. Once the
    claim is found, --post-to posts the payment to it. Importing claims posts the queued
    payments that match them by itself; --rematch retries the whole queue.

    \b
    Examples:
      ar-assistant unmatched
      ar-assistant unmatched 42 --show-names
      ar-assistant unmatched 42 --post-to OT250301A1
      ar-assistant unmatched --rematch --json
    """
    svc = services()
    claim_id = resolve_claim_id(claim_id)
    if rematch:
        if payment_id is not None or show_names or claim_id:
            raise click.UsageError("--rematch takes no PAYMENT_ID, --show-names or --post-to")
        done = svc.rematch_unmatched()
        if as_json:
            emit_json(done)
            return
        click.echo(f"Posted {done['posted']} queued payment(s); {done['still_unmatched']} still unmatched.")
        for p in done["payments"]:
            click.echo(f"  payment {p['id']} -> {p['claim_id']} (matched by {p['match']}): "
                       f"status {p['status']}")
            for warning in p["warnings"]:
                click.echo(f"    warning: {warning}")
        return
    if payment_id is None:
        if show_names or claim_id:
            raise click.UsageError("--show-names and --post-to need a PAYMENT_ID")
        rows = svc.unmatched()
        if as_json:
            emit_json(rows)
            return
        if not rows:
            click.echo("No unmatched payments.")
            return
        click.echo(table(
            [(r["id"], r["claim_id"], r["payer"], r["service_from"], _money(r["charge"]),
              _money(r["paid"]), r["status_code"], r["payer_claim_number"], r["trace_number"], r["file"])
             for r in rows],
            ["id", "claim id (as sent)", "payer", "dos", "charge", "paid", "clp02", "payer claim #",
             "trace", "file"],
            right=(0, 4, 5),
        ))
        return
    if claim_id:
        result = svc.post_unmatched(payment_id, claim_id)
        if as_json:
            emit_json(result)
            return
        click.echo(f"Payment {payment_id} posted to {result['claim_id']}: status {result['status']}, "
                   f"balance {_money(result['balance'])}")
        for warning in result["warnings"]:
            click.echo(f"  warning: {warning}")
        return
    data = svc.unmatched_payment(payment_id, show_names=show_names)
    if as_json:
        emit_json(data)
        return
    click.echo(f"Payment {data['id']}: claim id {data['claim_id']!r} from {data['payer']} "
               f"(trace {data['trace_number']}, file {data['file']})")
    click.echo(f"CLP02 {data['status_code']}  charge {_money(data['charge'])}  paid {_money(data['paid'])}  "
               f"patient {_money(data['patient_responsibility'])}  payer claim # "
               f"{data['payer_claim_number'] or '-'}  dos {data['service_from'] or '?'}")
    if show_names:
        click.echo(f"Patient (as sent): {data['patient_name'] or '-'}  member id {data['member_id'] or '-'}")
    if data["lines"]:
        click.echo(table(
            [(ln["code"], " ".join(ln["modifiers"]), ln["service_date"], _money(ln["charge"]),
              _money(ln["paid"]), " ".join(f"{a['group']}-{a['code']}" for a in ln["adjustments"]),
              " ".join(ln["remarks"])) for ln in data["lines"]],
            ["code", "mods", "date", "charge", "paid", "adjustments", "remarks"], right=(3, 4)))
