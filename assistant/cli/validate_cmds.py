"""`ar-assistant validate KIND FILE`: implementation-guide checks; each kind lives with its feature."""

from __future__ import annotations

import click

from assistant.cli.context import global_options
from assistant.cli.main import lazy_group

VALIDATE_COMMANDS: dict[str, str] = {
    "835": "assistant.cli.remit_cmds:validate_835",
}


@click.group("validate", cls=lazy_group(VALIDATE_COMMANDS))
@global_options
def validate_group() -> None:
    """Check a file against its X12 implementation guide (advice, not a gate).

    \b
    Example:
      ar-assistant validate 835 remits/2026-11-20.835
    """
