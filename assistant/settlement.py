"""A claim's money from its three sources, and what a settled claim's work status becomes.

- **Payers**: the live 835 postings give `paid` and the payer's write-offs (contractual
  adjustments); `remit/posting.py` recomputes them.
- **The patient**: payments (negative: refunds, reversals) and the practice's adjustments
  of the patient's share (a small-balance write-off), rows of `patient_payments`;
  `patient_payments.py` recomputes them.
- **The practice**: a write-off by work status (`followup.py`), kept in `written_off_cents`.

`adjusted = payer write-offs + patient adjustments + written off` and
`balance = billed - paid - patient paid - adjusted`, except for a claim the practice voided
(frequency 8): its charge is withdrawn, so nothing is adjusted any more and whatever the
payer and the patient paid on it is a credit (balance `-(paid + patient paid)`) until the
payer takes its money back (a reversal) and the patient is refunded. `ClaimMoney` is the one computation
both posting paths use: a later 835 keeps the patient's payments and the practice's
write-off, and a patient payment keeps what the payers' postings say. A claim from a CSV
aging export that has no postings keeps the payer figures the file gave, including any part
of its balance the file left unexplained, until an 835 replaces them.

A claim whose balance reaches zero is closed (audited) unless it is already written off or
closed; a claim closed that way whose balance comes back (a refund, a reversal) returns to
the work status it had.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.domain import WorkStatus
from assistant.money import fmt
from assistant.storage import audit

CHUNK = 500
SETTLED = "settled"  # the audit kind of a work-status change made by settling


@dataclass(slots=True)
class ClaimMoney:
    """The parts of a claim's money, each owned by one source; totals are derived."""

    billed: int
    paid: int  # by payers (live postings)
    payer_written_off: int  # payers' adjustments that leave AR
    patient_paid: int = 0
    patient_adjusted: int = 0
    written_off: int = 0  # by work status
    unexplained: int = 0  # what a source file's balance leaves unexplained (no postings)
    voided: bool = False  # frequency 8: the practice withdrew the charge

    @classmethod
    def stored(cls, billed: int, paid: int, adjusted: int, balance: int, patient_paid: int,
               patient_adjusted: int, written_off: int, *, voided: bool = False) -> ClaimMoney:
        """The parts as a claim row holds them (its totals kept consistent by `settle`)."""
        payer_written_off = adjusted - patient_adjusted - written_off
        unexplained = 0 if voided else billed - paid - patient_paid - adjusted - balance
        return cls(billed, paid, payer_written_off, patient_paid, patient_adjusted, written_off,
                   unexplained, voided)

    @property
    def adjusted(self) -> int:
        return self.payer_written_off + self.patient_adjusted + self.written_off

    @property
    def balance(self) -> int:
        if self.voided:
            return -(self.paid + self.patient_paid)  # all of it to give back
        return self.billed - self.paid - self.patient_paid - self.adjusted - self.unexplained

    def from_payers(self, paid: int, written_off: int) -> None:
        """The live postings' figures replace whatever the payers' part was."""
        self.paid = paid
        self.payer_written_off = written_off
        self.unexplained = 0

    def settle(self) -> int:
        """A write-off never leaves a credit: money arriving after one (an appeal won, a
        late payment) shrinks it by as much. Returns the amount it shrank by."""
        credit = -self.balance
        if credit <= 0 or self.written_off <= 0:
            return 0
        shrink = min(credit, self.written_off)
        self.written_off -= shrink
        return shrink


def settle_work_status(conn: sqlite3.Connection, claim_pks: Sequence[int], *, user: str,
                       details: dict[str, object] | None = None) -> list[int]:
    """Close the claims whose balance is zero; reopen those closed here whose balance came back.

    Inside the caller's transaction, right after the caller wrote these claims' money and
    bumped their version: a settled claim's change is one change, so the version is not
    bumped again. Returns the claims whose work status changed.
    """
    changed: list[int] = []
    entries: list[audit.Entry] = []
    pks = sorted(set(claim_pks))
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start:start + CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT pk, work_status, balance_cents, follow_up_date FROM claims "
            f"WHERE pk IN ({marks}) AND ((balance_cents = 0 AND work_status NOT IN "
            "('written_off', 'closed')) OR (balance_cents <> 0 AND work_status = 'closed'))",
            chunk).fetchall()
        closing = []
        for pk, status, balance, follow_up in rows:
            if balance == 0:
                closing.append(pk)
                entries.append(audit.Entry(pk, user, SETTLED, "work_status", status,
                                           WorkStatus.CLOSED.value, "balance is zero", details))
                if follow_up is not None:
                    entries.append(audit.Entry(pk, user, SETTLED, "follow_up_date", follow_up, None,
                                               "cleared: claim closed", details))
                continue
            before = _closed_by_settling(conn, pk)
            if before is None:
                continue  # closed by a person: theirs to reopen
            conn.execute("UPDATE claims SET work_status = ?, "
                         "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE pk = ?", (before, pk))
            entries.append(audit.Entry(pk, user, SETTLED, "work_status", WorkStatus.CLOSED.value, before,
                                       f"balance {fmt(balance)} again: reopened", details))
            changed.append(pk)
        if closing:
            conn.execute(
                f"UPDATE claims SET work_status = 'closed', follow_up_date = NULL, follow_up_day = NULL, "
                f"updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                f"WHERE pk IN ({','.join('?' * len(closing))})", closing)
            changed.extend(closing)
    audit.record_many(conn, entries)
    return changed


def _closed_by_settling(conn: sqlite3.Connection, claim_pk: int) -> str | None:
    """The work status before settling closed the claim, if its latest change was that."""
    row = conn.execute(
        "SELECT kind, before FROM activities WHERE claim_pk = ? AND field = 'work_status' "
        "ORDER BY pk DESC LIMIT 1", (claim_pk,)).fetchone()
    if row is None or row[0] != SETTLED or not row[1]:
        return None
    return str(row[1])
