"""The unmatched queue matched again: payments whose 835 came before their claim.

An 835 often arrives before the 837 (or the practice system's export) that holds its
claims, and its payments wait in the queue. When claims are imported, the queue is matched
again by the rules posting uses (patient control number, payer claim number, patient +
dates + charge: `posting._Poster._match`) and what now fits a claim is posted to it in the
import's own transaction, audited like any posting. An import only posts to the claims it
wrote, so it never settles an old ambiguity behind the specialist's back; `ar-assistant
unmatched --rematch` retries the whole queue against every claim.

Payments a reversal undid, and reversals, stay where they are: a reversed pair nets to
nothing, and a reversal alone is posted by hand once the payment it undoes is found.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.remit.posting import _Poster, post_queued_payment
from assistant.remit.reader import Read835
from assistant.remit.records import ClaimPaymentRecord


@dataclass
class Rematched:
    """What matching the queue again posted: one entry per payment, and the claims it changed."""

    posted: list[dict[str, Any]] = field(default_factory=list)
    claim_pks: list[int] = field(default_factory=list)
    waiting: int = 0  # payments still in the queue after it

    def as_dict(self) -> dict[str, Any]:
        return {"posted": len(self.posted), "payments": self.posted, "still_unmatched": self.waiting}


_QUEUED = ("SELECT pk, patient_control_number, status_code, charge_cents, paid_cents, patient_resp_cents, "
           "payer_claim_number, original_claim_number, patient_name, member_id, service_from, service_to "
           "FROM claim_payments WHERE claim_pk IS NULL AND reversed_by_pk IS NULL AND reversal_of_pk IS NULL "
           "AND status_code <> '22' ORDER BY pk")


def post_matching_queue(conn: sqlite3.Connection, *, user: str, claim_pks: Collection[int] | None = None,
                        source: str | None = None) -> Rematched:
    """Post the queued payments that now match a claim (of `claim_pks`, or any); the caller
    holds the transaction."""
    done = Rematched()
    rows = conn.execute(_QUEUED).fetchall()
    if not rows or (claim_pks is not None and not claim_pks):
        done.waiting = _waiting(conn)
        return done
    wanted = set(claim_pks) if claim_pks is not None else None
    records = [_record(row) for row in rows]
    finder = _Poster(conn, Read835([], name=source or "queue"), 0, user)
    matches = finder._match(records)
    why = f"posted when {source} brought its claim" if source else "posted when the queue was matched again"
    for row, (claim, method) in zip(rows, matches, strict=True):
        if claim is None or (wanted is not None and claim.pk not in wanted):
            continue
        result = post_queued_payment(conn, row[0], claim.claim_id, user=user, method=method or "", why=why)
        done.posted.append({"id": row[0], "claim_id": claim.claim_id, "match": method,
                            "status": result["status"], "warnings": result["warnings"]})
        if claim.pk not in done.claim_pks:
            done.claim_pks.append(claim.pk)
    done.waiting = _waiting(conn)
    return done


def _waiting(conn: sqlite3.Connection) -> int:
    return int(conn.execute(
        "SELECT count(*) FROM claim_payments WHERE claim_pk IS NULL AND reversed_by_pk IS NULL "
        "AND reversal_of_pk IS NULL").fetchone()[0])


def _record(row: tuple[Any, ...]) -> ClaimPaymentRecord:
    """The queued payment as the matcher reads a CLP: its ids, money, patient and dates."""
    (_pk, pcn, code, charge, paid, responsibility, number, original, name, member, start, end) = row
    last, _, first = (name or "").partition(",")
    return ClaimPaymentRecord(
        pcn, code, charge, paid, responsibility, payer_claim_number=number,
        original_claim_number=original, patient_last=last.strip() or None,
        patient_first=first.strip() or None, member_id=member,
        service_from=date.fromisoformat(start) if start else None,
        service_to=date.fromisoformat(end) if end else None)
