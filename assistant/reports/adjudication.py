"""Adjudications and denials as the reports count them (docs/reports.md, "What a denial is").

An adjudication is a posting whose CLP02 says the payer decided (1, 2, 3, 4, 19, 20, 21;
fact sheet 8.2; `data/clp_status.toml`, as posting reads it): not a reversal (22), not a
claim forwarded unprocessed (23), not a predetermination or pended notice. A claim's first
adjudication is its earliest one by remittance date, reversed later or not: it is what the
payer said the first time; a later payer's answer (a secondary's, `is_later_payer`) is the
first only when the claim's own payer has none on file.

A denial is an adjustment that is neither patient responsibility (group PR) nor a
contractual write-off (`writes_off`: CO-45, CO-253, OA-23 ...) on a line that was paid
nothing, or at claim level on a claim that was paid nothing; a CLP02 4 ("denied") without
such an adjustment is a denial of its unpaid charge. Its category is the CARC's, or the
remark's when the CARC is generic (16, A1 ...), as the rules decide a claim's category.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from assistant.domain import Category
from assistant.remit.cob import LATER_CODES
from assistant.remit.status import ADJUDICATED, DENIED, FORWARDED, INFORMATIONAL, REVERSAL, effect_of
from assistant.rules.codes import carc, rarc, writes_off
from assistant.storage.reporting import AdjustmentRow, ClaimRow, Ledger, LineRow, PostingRow

DECISIONS = frozenset({ADJUDICATED, FORWARDED, DENIED})
UNCATEGORIZED = "uncategorized"


def is_adjudication(posting: PostingRow) -> bool:
    """The payer decided (paid, partly paid or denied), whatever happened to the posting later."""
    return effect_of(posting.status_code) in DECISIONS


def is_live(posting: PostingRow) -> bool:
    """Counts toward the claim's money now, as posting settles it: not reversed, not a reversal,
    not informational."""
    return posting.reversed_by_pk is None and effect_of(posting.status_code) not in (REVERSAL, INFORMATIONAL)


@dataclass(frozen=True, slots=True)
class DenialItem:
    """One denial adjustment (or a CLP02 4 without one) with what it denied."""

    group: str
    code: str
    amount_cents: int
    category: str
    line_pk: int | None  # None: claim level
    code_billed: str | None  # the line's procedure code (line level)
    modifiers: tuple[str, ...]  # the line's modifiers as billed (line level)
    provider_pk: int | None  # the line's rendering provider, else the claim's

    @property
    def label(self) -> str:
        if not self.code:
            return "CLP02-4" if self.group == "CLP02" else "no reason given"
        return f"{self.group}-{self.code}"


@dataclass(frozen=True, slots=True)
class Adjudication:
    posting: PostingRow
    denials: tuple[DenialItem, ...]

    @property
    def day(self) -> date | None:
        return self.posting.day

    @property
    def denied(self) -> bool:
        return bool(self.denials)

    @property
    def denied_cents(self) -> int:
        return sum(d.amount_cents for d in self.denials)

    @property
    def main_category(self) -> str | None:
        """The category with the most denied dollars (None: no denial)."""
        totals: dict[str, int] = {}
        for d in self.denials:
            totals[d.category] = totals.get(d.category, 0) + d.amount_cents
        return max(totals, key=lambda c: (totals[c], c)) if totals else None


def is_denial(adj: AdjustmentRow) -> bool:
    return adj.group != "PR" and adj.amount_cents > 0 and not writes_off(adj.group, adj.code)


def denial_category(code: str, remarks: Sequence[str]) -> str:
    """The CARC's category; the remark's when the CARC is generic or unknown."""
    remark = next((found.category.value for r in remarks
                   if (found := rarc(r)) is not None and found.category is not None), None)
    info = carc(code)
    if info is None:
        return remark or UNCATEGORIZED
    if info.generic and remark is not None:
        return remark
    return info.category.value


def adjudication(ledger: Ledger, claim: ClaimRow, posting: PostingRow) -> Adjudication:
    """The denials one adjudicating posting carries."""
    adjustments = ledger.adjustments.get(posting.pk, [])
    remarks = ledger.remarks.get(posting.pk, [])
    claim_remarks = [r.code for r in remarks if r.line_payment_pk is None]
    lines = {line.pk: line for line in ledger.lines.get(claim.pk, [])}
    by_payment: dict[int | None, list[AdjustmentRow]] = {}
    for a in adjustments:
        by_payment.setdefault(a.line_payment_pk, []).append(a)
    items: list[DenialItem] = []
    for lp in ledger.line_payments.get(posting.pk, []):
        if lp.paid_cents > 0:
            continue
        denials = [a for a in by_payment.get(lp.pk, []) if is_denial(a)]
        if not denials:
            continue
        line = lines.get(lp.line_pk) if lp.line_pk is not None else None
        line_remarks = [r.code for r in remarks if r.line_payment_pk == lp.pk] + claim_remarks
        for a in denials:
            items.append(DenialItem(
                a.group, a.code, a.amount_cents, denial_category(a.code, line_remarks), lp.line_pk,
                line.code if line else lp.code, line.modifiers if line else lp.modifiers,
                line.provider_pk if line else claim.provider_pk))
    if posting.paid_cents <= 0:
        for a in by_payment.get(None, []):
            if is_denial(a):
                items.append(DenialItem(a.group, a.code, a.amount_cents,
                                        denial_category(a.code, claim_remarks), None, None, (),
                                        claim.provider_pk))
    if not items and effect_of(posting.status_code) == DENIED:
        unpaid = posting.charge_cents - posting.paid_cents - posting.patient_resp_cents
        if unpaid > 0:
            # CLP02 4: the payer did not recognise the patient (fact sheet 0.8).
            items.append(DenialItem("CLP02", "", unpaid, Category.ELIGIBILITY.value, None, None, (),
                                    claim.provider_pk))
    elif not items and not adjustments and posting.paid_cents <= 0:
        unpaid = posting.charge_cents - posting.patient_resp_cents
        if unpaid > 0:  # nothing paid and no reason given: the posting leaves it open as refused
            items.append(DenialItem("", "", unpaid, UNCATEGORIZED, None, None, (), claim.provider_pk))
    return Adjudication(posting, tuple(items))


def adjudications(ledger: Ledger, claim: ClaimRow) -> Iterator[Adjudication]:
    """Every adjudication of a claim, oldest first."""
    for posting in ledger.postings.get(claim.pk, []):
        if is_adjudication(posting):
            yield adjudication(ledger, claim, posting)


def is_later_payer(claim: ClaimRow, posting: PostingRow) -> bool:
    """A secondary's (or tertiary's) answer: CLP02 says so, or another payer than the claim's sent it."""
    return posting.status_code.strip() in LATER_CODES or (
        posting.payer_pk is not None and posting.payer_pk != claim.payer_pk)


def first_adjudication(ledger: Ledger, claim: ClaimRow) -> Adjudication | None:
    """The claim's own payer's first answer; a later payer's only when the claim has no other.

    A secondary's answer restates the primary's share (OA-23) and decides only what was
    left: it is not the claim's first adjudication even when its 835 came first.
    """
    answers = [p for p in ledger.postings.get(claim.pk, []) if is_adjudication(p)]
    own = next((p for p in answers if not is_later_payer(claim, p)), None)
    first = own or (answers[0] if answers else None)
    return adjudication(ledger, claim, first) if first is not None else None


def first_adjudications(ledger: Ledger) -> dict[int, Adjudication]:
    """Claim pk -> its first adjudication, for every adjudicated claim of the ledger."""
    found = {}
    for claim in ledger.claims.values():
        first = first_adjudication(ledger, claim)
        if first is not None:
            found[claim.pk] = first
    return found


def spread(cents: int, lines: Sequence[LineRow]) -> list[tuple[LineRow, int]]:
    """A claim-level amount shared over the claim's lines in proportion to their charges.

    Whole cents; what rounding leaves goes to the largest lines first, so the parts add up.
    """
    if not lines:
        return []
    total = sum(max(line.charge_cents, 0) for line in lines)
    if total <= 0:
        weights = [1] * len(lines)
        total = len(lines)
    else:
        weights = [max(line.charge_cents, 0) for line in lines]
    parts = [cents * w // total for w in weights]
    left = cents - sum(parts)
    order = sorted(range(len(lines)), key=lambda i: (-weights[i], i))
    for i in order[:left]:
        parts[i] += 1
    return list(zip(lines, parts, strict=True))


def live_contractual_cents(ledger: Ledger, claim_pk: int) -> int:
    """Contractual write-offs of the claim's live postings (reversed ones and reversals excluded).

    The claim's payer write-off as posting settled it, so a secondary's OA-23 (the primary's
    share, restated) and its adjustments against the whole charge count once (`remit.cob`);
    a claim with no live posting has none.
    """
    claim = ledger.claims.get(claim_pk)
    if claim is None or not any(is_live(p) for p in ledger.postings.get(claim_pk, [])):
        return 0
    return claim.payer_written_off_cents


def first_payment_day(ledger: Ledger, claim_pk: int) -> date | None:
    """The remittance date of the first adjudication that paid something."""
    for p in ledger.postings.get(claim_pk, []):
        if is_adjudication(p) and p.paid_cents > 0 and p.day is not None:
            return p.day
    return None
