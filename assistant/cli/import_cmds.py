"""`ar-assistant import KIND FILE...`: each kind's command lives with its feature."""

from __future__ import annotations

import click

from assistant.cli.context import global_options
from assistant.cli.main import lazy_group

IMPORT_COMMANDS: dict[str, str] = {
    "835": "assistant.cli.remit_cmds:import_835",
}


@click.group("import", cls=lazy_group(IMPORT_COMMANDS))
@global_options
def import_group() -> None:
    """Import claims, remittances, notes and settings. Each file is all or nothing.

    \b
    Examples:
      ar-assistant import 837 batch-2026-11-20.837
      ar-assistant import 835 remits/*.835 --json
    """
