"""`ar-assistant sample`: build the synthetic sample practice; also the first-run build."""

from __future__ import annotations

from typing import Any

import click

from assistant.cli.context import global_options, json_option, services
from assistant.cli.output import emit_json
from assistant.cli.progress import progress
from assistant.cli.tui_cmds import SAMPLE_BANNER
from assistant.sample.build import DEFAULT_CLAIMS, DEFAULT_SEED


@click.command()
@click.option("--claims", type=click.IntRange(min=1), default=DEFAULT_CLAIMS, show_default=True,
              help="How many claims the practice's year holds (1,000,000 works for benchmarks).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Random seed: the same seed and --today give the same sample.")
@json_option
@global_options
def sample(claims: int, seed: int, as_json: bool) -> None:
    """Build a synthetic OT practice (claims, notes, payers' 835s) into the database.

    Every name, id and date is made up. The source files are written beside the database
    and imported through the same importers as real files. An earlier sample at the same
    path is replaced; a database that is not a sample is never touched.

    \b
    Source files:     sample-sources/ beside the database
    Planted errors:   sample-sources/planted.json

    \b
    Examples:
      ar-assistant sample
      ar-assistant --db /tmp/qa.db --today 2026-11-26 sample
      ar-assistant --db /tmp/bench.db sample --claims 1000000 --json
    """
    svc = services()
    with progress("Building the sample practice", quiet=as_json) as report:
        data = svc.build_sample(claims=claims, seed=seed, progress=report)
    if as_json:
        emit_json(data)
        return
    click.echo(SAMPLE_BANNER)
    _describe(data)


def _describe(data: dict[str, Any]) -> None:
    click.echo(f"Built {data['database']} in {sum(data['seconds'].values()):.0f} s "
               f"(seed {data['seed']}, today {data['today']})")
    click.echo(f"{data['claims']:,} claims, {data['patients']:,} patients, {data['documents']:,} "
               f"documents, {len(data['payers'])} payers; {data['denied_claims']:,} denied claims")
    click.echo(f"Source files and planted errors: {data['sources']}")


def build_default_sample(svc: Any) -> None:
    """First run (no database yet): build the sample at the default location."""
    click.echo(f"No database at {svc.locations.db} yet: building a synthetic sample practice "
               "(every name in it is made up) ...")
    with progress("Building the sample practice", quiet=False) as report:
        svc.build_sample(claims=DEFAULT_CLAIMS, seed=DEFAULT_SEED, progress=report)
