"""`ar-assistant import KIND FILE...`: each kind's command lives with its feature."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from assistant.cli.context import global_options, json_option, services
from assistant.cli.main import lazy_group
from assistant.cli.output import echo_rejected, emit_json
from assistant.cli.progress import progress

IMPORT_COMMANDS: dict[str, str] = {
    "835": "assistant.cli.remit_cmds:import_835",
    "837": "assistant.cli.import_cmds:import_837",
    "csv": "assistant.cli.import_cmds:import_csv",
    "notes": "assistant.cli.import_cmds:import_notes",
    "settings": "assistant.cli.import_cmds:import_settings",
    "auths": "assistant.cli.import_cmds:import_auths",
    "fee-schedule": "assistant.cli.report_cmds:import_fee_schedule",
    "payments": "assistant.cli.import_cmds:import_payments",
}

_SHOWN_WARNINGS = 5
_COUNTED_KINDS = ("837", "csv", "notes")  # kinds whose records the writer counts as new/updated/unchanged


@click.group("import", cls=lazy_group(IMPORT_COMMANDS))
@global_options
def import_group() -> None:
    """Import claims, remittances, notes and settings. Each file is all or nothing.

    \b
    Examples:
      ar-assistant import 837 batch-2026-11-20.837
      ar-assistant import 835 remits/*.835 --json
    """


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _what(kind: str, counts: dict[str, int]) -> str:
    if kind in ("837", "csv"):
        return f"{_plural(counts.get('claims', 0), 'claim')}, {_plural(counts.get('lines', 0), 'line')}"
    if kind == "notes":
        plans = counts.get("plans_of_care", 0)
        return _plural(counts.get("documents", 0), "note") + (" with a plan of care" if plans else "")
    if kind == "settings":
        return (f"{_plural(counts.get('payers', 0), 'payer')}, "
                f"{_plural(counts.get('providers', 0), 'provider')}")
    if kind == "auths":
        return _plural(counts.get("authorizations", 0), "authorization")
    if kind == "payments":
        return _plural(counts.get("payments", 0), "payment")
    return _plural(sum(counts.values()), "record")


def _report(kind: str, result: Any) -> None:
    """One line per file (warnings indented below it)."""
    if result.status == "rejected":
        echo_rejected(result.error)
        return
    if result.status == "duplicate":
        click.echo(f"duplicate {result.file}: imported before (same bytes); nothing changed")
        return
    changes = ""
    if kind in _COUNTED_KINDS:
        changes = f" ({result.created} new, {result.updated} updated, {result.unchanged} unchanged)"
    elif kind == "payments":
        changes = (f" ({result.created} recorded on {_plural(len(set(result.claim_pks)), 'claim')}, "
                   f"{result.unchanged} already imported)")
    warned = f"; {_plural(len(result.warnings), 'warning')}" if result.warnings else ""
    click.echo(f"imported  {result.file}: {_what(kind, result.counts)}{changes}{warned}")
    if result.counts.get("queued_payments_posted"):
        click.echo(f"  posted {_plural(result.counts['queued_payments_posted'], 'payment')} that waited "
                   "in the unmatched queue for these claims")
    for warning in result.warnings[:_SHOWN_WARNINGS]:
        click.echo(f"  warning: {warning}")
    if len(result.warnings) > _SHOWN_WARNINGS:
        click.echo(f"  ... {len(result.warnings) - _SHOWN_WARNINGS} more (see --json)")


def _run(kind: str, paths: Sequence[Path], as_json: bool, label: str, **options: Any) -> None:
    svc = services()
    with progress(f"Importing {label}", quiet=as_json) as report:
        results = svc.import_paths(kind, list(paths), progress=report, **options)
    if as_json:
        emit_json([result.as_dict() for result in results])
    else:
        if not results:
            click.echo(f"no {label} found")
        for result in results:
            _report(kind, result)
    if any(result.status == "rejected" for result in results):
        sys.exit(1)  # SystemExit: main() runs click without standalone mode, which drops ctx.exit codes


_FILES = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))


@click.command("837")
@_FILES
@json_option
@global_options
def import_837(files: tuple[Path, ...], as_json: bool) -> None:
    """Import X12 837P claim files (005010X222A1) as sent to the clearinghouse.

    Several interchanges, transaction sets and claims per file are fine. A claim seen
    before is updated (changes are audited); the same file twice changes nothing.

    \b
    Example:
      ar-assistant import 837 outbox/batch-2026-11-20.837 outbox/batch-2026-11-21.837
    """
    _run("837", files, as_json, "837 files")


@click.command("csv")
@_FILES
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Column mapping (TOML) for this export; default: common header names.")
@json_option
@global_options
def import_csv(files: tuple[Path, ...], mapping: Path | None, as_json: bool) -> None:
    """Import claims from a CSV AR aging export (one row per claim or per line).

    Without --mapping, columns are recognised by common header names (claim #, patient,
    DOS, CPT, charge, paid, balance ...); see docs/csv-mapping.example.toml.

    \b
    Example:
      ar-assistant import csv aging-2026-11.csv --mapping our-pm-system.toml
    """
    options = {"mapping": mapping} if mapping is not None else {}
    _run("csv", files, as_json, "CSV exports", **options)


@click.command("notes")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@global_options
def import_notes(paths: tuple[Path, ...], as_json: bool) -> None:
    """Import therapy notes (.txt, .md, .docx); folders are searched recursively.

    Account, date, type and author come from a front-matter block or from the file
    name <account>_<YYYY-MM-DD>_<type>[_<author>].<ext>. The patient must exist already.

    \b
    Example:
      ar-assistant import notes notes/2026-11/ A2044_2026-11-06_daily_Sam-Lee-COTA.txt
    """
    _run("notes", paths, as_json, "notes")


@click.command("settings")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@global_options
def import_settings(file: Path, as_json: bool) -> None:
    """Import the practice settings: practice, providers and payers (TOML).

    See docs/practice-settings.example.toml for every key.

    \b
    Example:
      ar-assistant import settings practice.toml
    """
    _run("settings", [file], as_json, "settings")


@click.command("auths")
@_FILES
@json_option
@global_options
def import_auths(files: tuple[Path, ...], as_json: bool) -> None:
    """Import prior authorizations from CSV (account, payer, number, approved, used, dates).

    \b
    Example:
      ar-assistant import auths authorizations-2026-11.csv
    """
    _run("auths", files, as_json, "authorization files")


@click.command("payments")
@_FILES
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Column mapping (TOML) for this export; default: common header names.")
@json_option
@global_options
def import_payments(files: tuple[Path, ...], mapping: Path | None, as_json: bool) -> None:
    """Import patient payments from a practice-management export (CSV).

    Each row: a claim id, or an account with the date of service it pays for; the payment
    date; the amount; optionally the type (payment, refund, adjustment), method (cash,
    check, card, online), reference and reason. An account's payment goes to that day's
    claims, then to the account's oldest open patient balances; refunds are negative (or
    typed as refunds) and need a reason. Insurance rows are skipped (they come from 835s);
    a payment already imported from another export is skipped too.

    \b
    Examples:
      ar-assistant import payments pm-payments-2026-11.csv
      ar-assistant import payments deposits.csv --mapping our-pm-payments.toml
    """
    options = {"mapping": mapping} if mapping is not None else {}
    _run("payments", files, as_json, "payment exports", **options)
