"""Coordination of benefits: which payer in the patient's order answered, and what a later
payer's adjustments leave of the claim (rule `remit-cob`).

A claim goes to the primary payer first; what the primary leaves (its patient
responsibility, sometimes an amount it refused) goes to the secondary, whose remittance
restates the whole charge: CAS OA-23 ("impact of prior payer adjudication", fact sheet 5,
CARC 23) carries what the primary paid and wrote off, and a CO-45 may be counted against
the whole charge rather than against what was left. Posting a secondary's adjustments as
new write-offs of the billed amount would count the primary's share twice, so a later
payer's write-off is what it did to the amount the payers before it left to the patient:
that amount less what it paid, what it leaves to the patient and what it refused, never
more than its own write-off adjustments (OA-23 included) add up to (`settle_in_order`).

A payment's place in the order (its *level*) comes from CLP02 when it says (2 or 20
secondary, 3 or 21 tertiary; fact sheet 8.2), else from the remittance's payer: the claim's
own payer answers at the claim's priority, another payer at its priority among the
patient's coverages, or (not on file) right after the claim's. When no earlier payer's
answer is on the claim (a claim billed to the secondary itself, or the primary's 835 not
imported yet) a later payer's write-offs count as they are: OA-23 is then all the claim
knows of the primary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# CLP02 codes that say where in the order the payer processed the claim (fact sheet 8.2, S60).
STATED_LEVEL = {"1": 1, "19": 1, "2": 2, "20": 2, "3": 3, "21": 3}
LATER_CODES = frozenset({"2", "20", "3", "21"})
# CLP02 codes that say the payer forwarded the claim to the next payer (crossover, NM1*TT).
FORWARDING_CODES = frozenset({"19", "20", "21"})


def payer_level(status_code: str, payer_pk: int | None, claim_payer_pk: int, claim_priority: int,
                coverages: Mapping[int, int]) -> int:
    """The place in the patient's order of the payer that sent a claim payment (1 primary)."""
    code = status_code.strip()
    if code in LATER_CODES:
        return STATED_LEVEL[code]
    if payer_pk is None or payer_pk == claim_payer_pk:
        return claim_priority
    return coverages.get(payer_pk, claim_priority + 1)


@dataclass(frozen=True, slots=True)
class PayerAnswer:
    """What one payer in the order said about the claim (all its live answers together)."""

    paid: int
    responsibility: int  # the patient's share it states (PR)
    refused: int  # its adjustments that are neither PR nor a write-off (a denial: still open)
    write_offs: int  # its adjustments that leave AR (CO-45, OA-23 ...)


def settle_in_order(billed: int, answers: Sequence[PayerAnswer]) -> tuple[int, int]:
    """(written off, still refused) of a claim after each payer's answer, in the patient's order.

    The first payer writes off what its adjustments say. Each later one sees what the payers
    before it left to the patient (not what they refused: a denial stays open until someone
    pays it): of that, what it neither paid, left to the patient nor refused it wrote off,
    bounded by its own write-off adjustments. What it pays or leaves to the patient beyond
    that amount (a line the primary denied and the secondary covers) pays down the refusal.
    """
    written_off = paid = refused = 0
    for k, answer in enumerate(answers):
        if not k:
            written_off, refused, paid = answer.write_offs, max(answer.refused, 0), answer.paid
            continue
        left = max(billed - paid - written_off - refused, 0)
        unexplained = max(left - answer.paid - answer.responsibility, 0)
        own_refusal = min(max(answer.refused, 0), unexplained)
        written_off += min(max(unexplained - own_refusal, 0), max(answer.write_offs, 0))
        beyond = max(answer.paid + answer.responsibility - left, 0)
        refused = max(refused - beyond, 0) + own_refusal
        paid += answer.paid
    return written_off, refused
