"""`ar-assistant payment CLAIM AMOUNT`: one patient payment typed by hand."""

from __future__ import annotations

import click

from assistant.cli.context import claim_id_argument, global_options, json_option, services
from assistant.cli.output import emit_json
from assistant.domain import PaymentMethod
from assistant.errors import InvalidInput
from assistant.money import fmt, to_cents


@click.command()
@claim_id_argument
@click.argument("amount")
@click.option("--date", "day", metavar="DATE", help="Payment date (default today; YYYY-MM-DD, MM/DD/YYYY).")
@click.option("--method", help=f"How the patient paid: {', '.join(m.value for m in PaymentMethod)} "
                               "(also visa, portal, ach ...; default other).")
@click.option("--ref", "reference", help="Check number, card authorization, receipt number.")
@click.option("--refund", is_flag=True, help="Money given back to the patient (or a returned check): "
                                             "recorded as a negative amount; needs --reason.")
@click.option("--adjustment", is_flag=True,
              help="The practice writes off this much of the patient's share (e.g. a small balance); "
                   "needs --reason.")
@click.option("--reason", help="Why: a refund, a returned check, an adjustment.")
@click.option("--force", is_flag=True,
              help="Record a payment larger than the patient's remaining share (a copay taken before "
                   "the payer answered, a deposit).")
@json_option
@global_options
def payment(claim_id: str, amount: str, day: str | None, method: str | None, reference: str | None,
            refund: bool, adjustment: bool, reason: str | None, force: bool, as_json: bool) -> None:
    """Record a patient's payment on a claim (copay, statement payment, card on file).

    The claim's balance and the patient's remaining share go down; a claim whose balance
    reaches zero is closed. A payment larger than the patient's remaining share is refused
    unless --force. Every payment is in the claim's history.

    \b
    Examples:
      ar-assistant payment OT2609010012 30 --method card --ref 4417
      ar-assistant payment OT2609010012 45.20 --date 2026-11-02 --method check --ref 1182
      ar-assistant payment OT2609010012 30 --refund --reason "copay charged twice"
      ar-assistant payment OT2609010012 4.75 --adjustment --reason "small balance write-off"
    """
    svc = services()
    cents = to_cents(amount)
    if cents <= 0:
        raise InvalidInput("the amount must be above zero; a refund is --refund with a positive amount")
    if refund and adjustment:
        raise InvalidInput("a payment is a --refund or an --adjustment, not both")
    if adjustment and not reason:
        raise InvalidInput("an adjustment needs a reason: give --reason")
    paid_on = None
    if day is not None:
        from assistant.dates import parse_typed

        paid_on = parse_typed(day, svc.today)
    result = svc.record_payment(claim_id, -cents if refund else cents, paid_date=paid_on, method=method,
                                reference=reference, reason=reason, adjustment=adjustment, force=force)
    if as_json:
        emit_json(result)
        return
    what = "adjustment" if adjustment else "refund" if refund else f"{result['method']} payment"
    click.echo(f"recorded  {what} {fmt(cents)} on {result['claim_id']} ({result['date']})")
    click.echo(f"patient share {fmt(to_cents(result['patient_responsibility']))}, paid "
               f"{fmt(to_cents(result['patient_paid']))}, still due {fmt(to_cents(result['patient_due']))}; "
               f"claim balance {fmt(to_cents(result['balance']))}; work status {result['work_status']}")
