"""What a claim's payer status becomes after a posting (rule `remit-payer-status`).

CLP02 says what kind of answer the payer gave (`data/clp_status.toml`); the amounts say
how much of the claim is still disputed. "Open" is what the adjustments leave in the
balance as the payer's refusal: every CAS that is neither patient responsibility (PR) nor
a contractual write-off (`writes_off`). So a claim paid 0 with only PR adjustments
(deductible) is paid, and one paid 0 with CO-50 is denied.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from assistant.domain import PayerStatus
from assistant.paths import package_data
from assistant.rules.codes import writes_off

ADJUDICATED, FORWARDED, DENIED, NOT_OURS, REVERSAL, INFORMATIONAL = (
    "adjudicated", "forwarded", "denied", "not_ours", "reversal", "informational")


@dataclass(frozen=True)
class ClpStatus:
    code: str
    meaning: str
    effect: str
    source: str


@cache
def _table() -> dict[str, ClpStatus]:
    with package_data("clp_status.toml").open("rb") as fh:
        raw = tomllib.load(fh)["clp02"]
    return {code: ClpStatus(code, e["meaning"], e["effect"], e["source"]) for code, e in raw.items()}


def clp_status(code: str) -> ClpStatus | None:
    return _table().get(code.strip())


def effect_of(code: str) -> str:
    """The posting effect of a CLP02 code; an unknown code is read as an adjudication."""
    status = _table().get(code)
    return status.effect if status is not None else ADJUDICATED


@cache
def leaves_ar(group: str, reason: str) -> bool:
    """`writes_off`, cached: a large remittance asks about the same few codes all the time."""
    return writes_off(group, reason)


def split_adjustments(adjustments: list[tuple[str, str, int]]) -> tuple[int, int, int]:
    """(written off, patient responsibility, open) cents of (group, reason, amount) triples."""
    written_off = responsibility = open_cents = 0
    for group, reason, amount in adjustments:
        if group == "PR":
            responsibility += amount
        elif leaves_ar(group, reason):
            written_off += amount
        else:
            open_cents += amount
    return written_off, responsibility, open_cents


def payer_status(effect: str, paid_cents: int, open_cents: int) -> PayerStatus | None:
    """The status one posting gives its claim; None leaves the status as it was."""
    if effect == INFORMATIONAL:
        return None
    if effect == REVERSAL:
        return PayerStatus.REVERSED
    if effect == DENIED:
        return PayerStatus.DENIED
    if effect == NOT_OURS:
        return PayerStatus.FORWARDED
    refused = open_cents > 0
    if effect == FORWARDED:
        return PayerStatus.DENIED if refused and paid_cents <= 0 else PayerStatus.FORWARDED
    if refused:
        return PayerStatus.DENIED if paid_cents <= 0 else PayerStatus.PARTIALLY_PAID
    return PayerStatus.PAID
