"""`ar-assistant`: the root command, lazy subcommands and the one place errors are shown.

Subcommands are imported only when called, so `ar-assistant explain CO-50` never pays
for Textual or python-docx.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from assistant import __version__
from assistant.cli.context import global_options, settings
from assistant.errors import AssistantError, ClaimNotFound

# name -> "module:attribute"; each module keeps its commands small and thin.
COMMANDS: dict[str, str] = {
    "locate": "assistant.cli.setup_cmds:locate",
    "init": "assistant.cli.setup_cmds:init",
    "claims": "assistant.cli.claims_cmds:claims",
    "claim": "assistant.cli.claims_cmds:claim",
    "payers": "assistant.cli.payers_cmds:payers",
    "import": "assistant.cli.import_cmds:import_group",
    "appeal": "assistant.cli.letters_cmds:appeal",
    "appeals": "assistant.cli.letters_cmds:appeals_list",
    "appeal-sent": "assistant.cli.letters_cmds:appeal_sent",
    "appeal-decided": "assistant.cli.letters_cmds:appeal_decided",
    "appeal-templates": "assistant.cli.letters_cmds:appeal_templates",
    "explain": "assistant.cli.rules_cmds:explain",
    "units": "assistant.cli.rules_cmds:units",
    "check": "assistant.cli.check_cmds:check",
    "next": "assistant.cli.rules_cmds:next_",
    "validate": "assistant.cli.validate_cmds:validate_group",
    "unmatched": "assistant.cli.remit_cmds:unmatched",
    "worklist": "assistant.cli.worklist_cmds:worklist",
    "worklists": "assistant.cli.worklist_cmds:worklists",
    "note": "assistant.cli.worklist_cmds:note",
    "status": "assistant.cli.worklist_cmds:status",
    "follow-up": "assistant.cli.worklist_cmds:follow_up",
    "assign": "assistant.cli.worklist_cmds:assign",
    "history": "assistant.cli.worklist_cmds:history",
    "bulk": "assistant.cli.worklist_cmds:bulk",
    "aging": "assistant.cli.worklist_cmds:aging",
    "sample": "assistant.cli.sample_cmds:sample",
    "report": "assistant.cli.report_cmds:report",
    "reports": "assistant.cli.report_cmds:reports",
    "ask": "assistant.cli.chat_cmds:ask",
    "payment": "assistant.cli.payment_cmds:payment",
    "tui": "assistant.cli.tui_cmds:tui",
    "backup": "assistant.cli.backup_cmds:backup",
    "restore": "assistant.cli.backup_cmds:restore",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when called; `registry` maps name -> module:attr."""

    registry: dict[str, str] = COMMANDS

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.registry)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.registry.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


def lazy_group(registry: dict[str, str]) -> type[LazyGroup]:
    return type("Lazy", (LazyGroup,), {"registry": registry})


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="ar-assistant")
@global_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Work the occupational-therapy claims that most need it, and see why.

    With no command, opens the assistant on the default database; on first run it
    builds a synthetic sample practice there.

    \b
    Examples:
      ar-assistant                      open the assistant
      ar-assistant --db ar.db claims --status denied --json
      ar-assistant claim OT250301A1
    """
    settings(ctx)
    if ctx.invoked_subcommand is None:
        from assistant.cli.setup_cmds import open_default

        open_default(ctx)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _usage_message(exc: click.UsageError) -> str:
    """Click's message on one line: a group called without its subcommand names them, a list
    of choices is written as a list."""
    ctx = exc.ctx
    if ctx is not None and isinstance(ctx.command, click.Group) and ctx.invoked_subcommand is None \
            and exc.message.lstrip().startswith("Usage:"):
        return f"missing command: one of {', '.join(ctx.command.list_commands(ctx))}"
    return " ".join(exc.format_message().replace(":\n", ": ").replace(",\n", ", ").split())


def main(argv: list[str] | None = None) -> Any:
    """Entry point: user errors are one line and exit 1; tracebacks only with AR_ASSISTANT_DEBUG."""
    os.umask(0o077)  # everything we write holds PHI: owner-only by default
    try:
        code = cli.main(args=argv, prog_name="ar-assistant", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)  # ctx.exit(n) outside standalone mode returns n instead of exiting
        return code
    except ClaimNotFound as exc:
        _fail(f"{exc.message}; `ar-assistant claims` or `ar-assistant worklist` lists them")
    except AssistantError as exc:
        _fail(exc.message)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        _fail(_usage_message(exc) + hint)
    except click.ClickException as exc:
        _fail(exc.format_message())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("AR_ASSISTANT_DEBUG"):
            raise
        # The message of an unexpected error may quote data; show only its kind.
        _fail(f"internal error ({type(exc).__name__}); rerun with AR_ASSISTANT_DEBUG=1 for details")
    return None
