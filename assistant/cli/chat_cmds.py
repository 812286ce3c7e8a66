"""`ar-assistant ask TEXT...`: one message to the chat engine, its reply printed."""

from __future__ import annotations

import click

from assistant.cli.context import global_options, json_option, services
from assistant.cli.output import emit_json, wrap


@click.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--yes", is_flag=True,
              help="Go ahead with a change that needs confirmation (writing off, changing many claims).")
@json_option
@global_options
def ask(text: tuple[str, ...], yes: bool, as_json: bool) -> None:
    """Ask in plain words: worklists, a claim, why it was denied, what to do, log a call,
    set a follow-up, change status or owner, count units, reports.

    TEXT may be several words without quotes. Each `ask` is a conversation of one
    message: name the claim (an id or a patient). A change that needs confirmation is
    only described (needs_confirmation: true) unless --yes is given.

    \b
    Examples:
      ar-assistant ask humana advantage claims older than 120 days
      ar-assistant ask "why did they deny Ortiz, Ana?" --json
      ar-assistant ask called BCBS about 20932, talked to Kim, ref 55102, check back Monday
      ar-assistant ask write off 20935 --yes
    """
    from assistant.chat.engine import ChatEngine
    from assistant.chat.session import Session

    reply = ChatEngine(services(), Session(interactive=False)).ask(" ".join(text), yes=yes)
    if as_json:
        emit_json(reply.as_dict())
        return
    for line in reply.reply.splitlines():  # long reasons wrap on a screen, under their own indent
        click.echo(wrap(line, indent=" " * (len(line) - len(line.lstrip()) + 2)))
    if reply.suggestions and "Try: " not in reply.reply:
        click.echo("\nTry: " + " | ".join(reply.suggestions))
