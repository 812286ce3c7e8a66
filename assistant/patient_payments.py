"""Recording what patients pay: imported from a practice-management export, or typed by hand.

A payment names a claim, or an account with (optionally) the date of service it pays for.
With a date of service it belongs to that visit: it is applied to that day's claims (a
duplicate submission can make two), oldest first; without one, to every open patient share
of the account, oldest service first. Each part is one `patient_payments` row and the
parts share the payment's `receipt`. What is left after the open shares stays on the
visit's claim (a copay taken before the payer answered, or kept while a denial is worked),
or for a payment on the account on its latest claim; a part that leaves a claim in credit
is warned. A refund or reversal (negative) takes back from the same claims, newest first,
never more than was paid. An adjustment (the practice writing off a small balance) is
applied like a payment but never beyond what is open.

The patient's remaining share of a claim is what the payer assigned (`patient_resp_cents`,
CLP05) less what the patient paid and the practice adjusted, never more than the balance.
A payment typed by hand that is larger than that share is refused unless forced.

Every part is audited on its claim; the claims' totals are recomputed from the table with
`settlement.ClaimMoney` (the same computation 835 posting uses), and a claim whose balance
reaches zero is closed (`settlement.settle_work_status`). Functions run inside the
caller's transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.domain import PatientPaymentKind, PatientPaymentRecord, PaymentMethod, patient_due_cents
from assistant.errors import ImportFailed, InvalidInput, NotFound
from assistant.money import fmt
from assistant.settlement import ClaimMoney, settle_work_status
from assistant.storage import audit

MANUAL = "manual"
MAX_TEXT = 200
_CLAIM_SQL = (
    "SELECT c.pk, c.claim_id, p.account, c.dos_from_day, c.dos_to_day, c.billed_cents, "
    "c.paid_cents, c.adjusted_cents, c.balance_cents, c.patient_paid_cents, c.patient_adjusted_cents, "
    "c.written_off_cents, c.patient_resp_cents, c.payer_status, c.frequency_code "
    "FROM claims c JOIN patients p ON p.pk = c.patient_pk ")


@dataclass(slots=True)
class _Claim:
    pk: int
    claim_id: str
    account: str
    dos_from_day: int
    dos_to_day: int
    responsibility: int
    adjudicated: bool
    money: ClaimMoney

    @property
    def share_open(self) -> int:
        money = self.money
        return patient_due_cents(self.responsibility, money.patient_paid, money.patient_adjusted,
                                 money.balance)

    def serves(self, day: int) -> bool:
        return self.dos_from_day <= day <= self.dos_to_day

    @property
    def age_key(self) -> tuple[int, int]:
        return self.dos_from_day, self.pk


def _claim(row: Sequence[Any]) -> _Claim:
    (pk, claim_id, account, dos_from, dos_to, billed, paid, adjusted, balance, patient_paid,
     patient_adjusted, written_off, responsibility, payer_status, frequency) = row
    money = ClaimMoney.stored(billed, paid, adjusted, balance, patient_paid, patient_adjusted, written_off,
                              voided=frequency == "8")
    return _Claim(pk, claim_id, account, dos_from, dos_to, responsibility, payer_status != "submitted", money)


@dataclass(frozen=True)
class Payment:
    """One payment as received: what it is, and where it came from."""

    amount_cents: int
    paid_date: date
    kind: PatientPaymentKind = PatientPaymentKind.PAYMENT
    method: PaymentMethod | None = None
    reference: str | None = None
    reason: str | None = None
    source: str = MANUAL
    line: int | None = None

    def describe(self) -> str:
        """"card payment $30.00 (ref 4417)" for audit notes."""
        if self.kind is PatientPaymentKind.ADJUSTMENT:
            what = "adjustment" if self.amount_cents > 0 else "adjustment reversed"
        else:
            what = f"{self.method.value if self.method else 'other'} " + (
                "payment" if self.amount_cents > 0 else "refund")
        ref = f" (ref {self.reference})" if self.reference else ""
        return f"{what} {fmt(abs(self.amount_cents))}{ref}"


@dataclass
class Applied:
    """What recording some payments did."""

    recorded: int = 0  # payments recorded (each may be split over several claims)
    duplicates: int = 0  # already recorded from an earlier file
    claim_pks: list[int] = field(default_factory=list)  # claims whose money changed
    warnings: list[str] = field(default_factory=list)


Fail = Callable[[str, str], Exception]  # (our field, reason) -> the error to raise


class Book:
    """The claims payments touch in one transaction, their money kept current as parts apply."""

    def __init__(self, conn: sqlite3.Connection, user: str) -> None:
        self.conn = conn
        self.user = user
        self.claims: dict[int, _Claim] = {}
        self.by_id: dict[str, int] = {}
        self.accounts: dict[str, list[int]] = {}
        self.rows: list[tuple[Any, ...]] = []
        self.entries: list[audit.Entry] = []
        self.touched: dict[int, None] = {}
        self.next_pk = int(conn.execute(
            "SELECT coalesce(max(pk), 0) + 1 FROM patient_payments").fetchone()[0])

    # ------------------------------------------------------------------ finding claims

    def _keep(self, rows: Sequence[Sequence[Any]]) -> list[_Claim]:
        found = []
        for row in rows:
            claim = self.claims.get(row[0])
            if claim is None:
                claim = self.claims[row[0]] = _claim(row)
                self.by_id[claim.claim_id] = claim.pk
            found.append(claim)
        return found

    def claim(self, claim_id: str) -> _Claim | None:
        pk = self.by_id.get(claim_id)
        if pk is not None:
            return self.claims[pk]
        found = self._keep(self.conn.execute(_CLAIM_SQL + "WHERE c.claim_id = ?", (claim_id,)).fetchall())
        return found[0] if found else None

    def account(self, account: str) -> list[_Claim] | None:
        """The account's claims (None: no such account)."""
        pks = self.accounts.get(account)
        if pks is None:
            if self.conn.execute("SELECT 1 FROM patients WHERE account = ?", (account,)).fetchone() is None:
                return None
            found = self._keep(self.conn.execute(_CLAIM_SQL + "WHERE p.account = ?", (account,)).fetchall())
            pks = self.accounts[account] = [c.pk for c in found]
        return [self.claims[pk] for pk in pks]

    # ------------------------------------------------------------------ splitting

    def split_for_claim(self, claim: _Claim, payment: Payment, fail: Fail) -> list[tuple[_Claim, int]]:
        amount = payment.amount_cents
        money = claim.money
        if payment.kind is PatientPaymentKind.ADJUSTMENT:
            if amount > money.balance:
                raise fail("amount", f"an adjustment of {fmt(amount)} is more than claim {claim.claim_id}'s "
                                     f"balance of {fmt(max(money.balance, 0))}")
            if -amount > money.patient_adjusted:
                raise fail("amount", f"reverses {fmt(-amount)} of adjustments but claim {claim.claim_id} has "
                                     f"{fmt(money.patient_adjusted)}")
        elif -amount > money.patient_paid:
            raise fail("amount", f"a refund of {fmt(-amount)} is more than the {fmt(money.patient_paid)} "
                                 f"the patient paid on claim {claim.claim_id}")
        return [(claim, amount)]

    def split_for_account(self, account: str, claims: list[_Claim], day: date | None, payment: Payment,
                          fail: Fail) -> list[tuple[_Claim, int]]:
        """The parts of an account's payment: that day's claims when the row gives a date of
        service (a copay belongs to its visit), else every claim of the account; oldest first."""
        if not claims:
            raise fail("account", f"account {account} has no claims on file (import its claims first)")
        pool = sorted((c for c in claims if day is None or c.serves(day.toordinal())),
                      key=lambda c: c.age_key)
        if not pool:
            raise fail("service_date", f"account {account} has no claim for service on {day} "
                                       "(import its claim first)")
        amount = payment.amount_cents
        if amount < 0:
            return self._take_back(account, pool, payment, fail)
        shares = split_oldest_first([claim.share_open for claim in pool], amount)
        left = amount - sum(shares)
        if left > 0:
            if payment.kind is PatientPaymentKind.ADJUSTMENT:
                raise fail("amount", f"an adjustment of {fmt(amount)} is more than the open patient "
                                     f"balances ({fmt(amount - left)}) of account {account}"
                                     + (f" on {day}" if day else ""))
            # A copay taken before the payer answered, or kept while a denial is worked: on the
            # visit's claim; a payment on the account beyond every open share: on its latest claim.
            shares[0 if day is not None else -1] += left
        return [(claim, cents) for claim, cents in zip(pool, shares, strict=True) if cents]

    def _take_back(self, account: str, pool: list[_Claim], payment: Payment,
                   fail: Fail) -> list[tuple[_Claim, int]]:
        """A refund or reversal: from the newest claims of the pool, never below zero."""
        adjustment = payment.kind is PatientPaymentKind.ADJUSTMENT

        def held(claim: _Claim) -> int:
            return claim.money.patient_adjusted if adjustment else claim.money.patient_paid

        left = -payment.amount_cents
        parts = []
        for claim in reversed(pool):
            take = min(max(held(claim), 0), left)
            if take > 0:
                parts.append((claim, -take))
                left -= take
            if left == 0:
                return parts
        what = "adjustments" if adjustment else "payments"
        raise fail("amount", f"takes back {fmt(-payment.amount_cents)} but account {account}'s {what} "
                             f"on file come to {fmt(-payment.amount_cents - left)}")

    # ------------------------------------------------------------------ recording

    def record(self, parts: list[tuple[_Claim, int]], payment: Payment, receipt: str) -> None:
        """One row per part, each audited on its claim; the claims' money moves with it."""
        adjustment = payment.kind is PatientPaymentKind.ADJUSTMENT
        column = "patient_adjusted_cents" if adjustment else "patient_paid_cents"
        kind = ("patient_adjustment" if adjustment else
                "patient_payment" if payment.amount_cents > 0 else "patient_refund")
        origin = (f"{payment.source} line {payment.line}" if payment.line is not None
                  else f"entered by {self.user}")
        for claim, cents in parts:
            money = claim.money
            before_total = money.patient_adjusted if adjustment else money.patient_paid
            before_balance = money.balance
            if adjustment:
                money.patient_adjusted += cents
            else:
                money.patient_paid += cents
            after_total = before_total + cents
            share = "" if len(parts) == 1 else f"; {fmt(abs(cents))} of it on this claim"
            self.rows.append((
                self.next_pk, claim.pk, payment.kind.value, cents, payment.paid_date.isoformat(),
                payment.method.value if payment.method else None, payment.reference, payment.reason, receipt,
                payment.amount_cents, payment.source, payment.line, self.user))
            self.entries.append(audit.Entry(
                claim.pk, self.user, kind, column, before_total, after_total,
                f"{payment.describe()} on {payment.paid_date} ({origin}){share}; balance "
                f"{fmt(before_balance)} -> {fmt(money.balance)}",
                {"patient_payment": self.next_pk, "receipt": receipt, "amount_cents": cents,
                 "receipt_cents": payment.amount_cents, "paid_date": payment.paid_date.isoformat(),
                 "method": payment.method.value if payment.method else None, "reference": payment.reference,
                 "reason": payment.reason, "source": payment.source, "line": payment.line}))
            self.next_pk += 1
            self.touched[claim.pk] = None

    def write(self, applied: Applied) -> None:
        """Insert the rows, recompute the touched claims from the table, close what reached zero."""
        from assistant.storage.bulk import insert_rows, update_rows

        insert_rows(self.conn, "patient_payments", (
            "pk", "claim_pk", "kind", "amount_cents", "paid_date", "method", "reference", "reason", "receipt",
            "receipt_cents", "source", "line", "user"), self.rows)
        pks = list(self.touched)
        totals = recorded_totals(self.conn, pks)
        updates = []
        for pk in pks:
            money = self.claims[pk].money
            money.patient_paid, money.patient_adjusted = totals.get(pk, (0, 0))
            before = money.written_off
            if money.settle():
                self.entries.append(audit.Entry(
                    pk, self.user, "write_off_reduced", "written_off_cents", before, money.written_off,
                    f"the patient paid after the write-off: it shrinks by {fmt(before - money.written_off)} "
                    "so the claim holds no credit"))
            updates.append((pk, money.patient_paid, money.patient_adjusted, money.written_off, money.adjusted,
                            money.balance))
        update_rows(self.conn, "claims", (
            "patient_paid_cents", "patient_adjusted_cents", "written_off_cents", "adjusted_cents",
            "balance_cents"), updates,
            also="version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")
        audit.record_many(self.conn, self.entries)
        applied.claim_pks.extend(pks)
        settle_work_status(self.conn, pks, user=self.user)
        self.rows, self.entries, self.touched = [], [], {}


def split_oldest_first(open_shares: Sequence[int], amount: int) -> list[int]:
    """How much of `amount` each open share takes, in order, never more than it is open; what
    is left over is the caller's (amount - sum of the result)."""
    parts = []
    left = amount
    for share in open_shares:
        take = min(max(share, 0), left)
        parts.append(take)
        left -= take
    return parts


def recorded_totals(conn: sqlite3.Connection, claim_pks: Sequence[int]) -> dict[int, tuple[int, int]]:
    """claim pk -> (paid, adjusted): the patient_payments rows summed, the one truth for both."""
    totals: dict[int, tuple[int, int]] = {}
    for start in range(0, len(claim_pks), 500):
        chunk = list(claim_pks[start:start + 500])
        marks = ",".join("?" * len(chunk))
        for pk, paid, adjusted in conn.execute(
                "SELECT claim_pk, coalesce(sum(CASE WHEN kind = 'payment' THEN amount_cents END), 0), "
                "coalesce(sum(CASE WHEN kind = 'adjustment' THEN amount_cents END), 0) "
                f"FROM patient_payments WHERE claim_pk IN ({marks}) GROUP BY claim_pk", chunk):
            totals[pk] = (int(paid), int(adjusted))
    return totals


# ---------------------------------------------------------------------- from a file


def receipt_key(record: PatientPaymentRecord, occurrence: int) -> str:
    """What identifies a payment as received, so a re-exported one is recognised (the n-th
    identical row of a file is the n-th identical payment)."""
    parts = (
        (record.claim_id or "").strip().upper(), (record.account or "").strip().upper(),
        record.service_date.isoformat() if record.service_date else "", record.paid_date.isoformat(),
        str(record.amount_cents), record.kind.value, record.method.value if record.method else "",
        (record.reference or "").strip().upper(), str(occurrence),
    )
    return "import:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def import_payments(conn: sqlite3.Connection, records: Sequence[PatientPaymentRecord], *, user: str,
                    source: str, columns: Mapping[str, str]) -> Applied:
    """Record every payment of one file, in order; a row that cannot be applied stops the file
    with its line and column. A payment already imported from another file is skipped."""
    book = Book(conn, user)
    applied = Applied()
    seen: dict[str, int] = {}

    for record in records:
        def fail(fld: str, reason: str, line: int = record.line) -> Exception:
            header = columns.get(fld, fld)
            return ImportFailed(source, f"line {line}", f"column {header!r}: {reason}")

        def warn(message: str, line: int = record.line) -> None:
            applied.warnings.append(f"line {line}: {message}")

        identity = receipt_key(record, 0)
        seen[identity] = seen.get(identity, 0) + 1
        receipt = receipt_key(record, seen[identity])
        earlier = conn.execute("SELECT source FROM patient_payments WHERE receipt = ? LIMIT 1",
                               (receipt,)).fetchone()
        if earlier is not None:
            applied.duplicates += 1
            warn(f"the same payment was imported from {earlier[0]}; skipped")
            continue
        payment = Payment(record.amount_cents, record.paid_date, record.kind, record.method, record.reference,
                          record.reason, source, record.line)
        if record.claim_id:
            claim = book.claim(record.claim_id)
            if claim is None:
                raise fail("claim_id", f"no claim {record.claim_id} on file (import its claim first)")
            if record.account and claim.account != record.account:
                raise fail("account", f"claim {record.claim_id} belongs to another account than "
                                      f"{record.account}")
            parts = book.split_for_claim(claim, payment, fail)
        else:
            account = record.account or ""
            claims = book.account(account)
            if claims is None:
                raise fail("account", f"no patient with account {account} (import the claims first)")
            parts = book.split_for_account(account, claims, record.service_date, payment, fail)
        book.record(parts, payment, receipt)
        for claim, cents in parts:
            if cents > 0 and claim.money.balance < 0:
                warn(f"claim {claim.claim_id} is paid {fmt(-claim.money.balance)} more than its balance: "
                     "a credit to refund or apply")
        applied.recorded += 1
    book.write(applied)
    return applied


# ---------------------------------------------------------------------- typed by hand


def record_payment(conn: sqlite3.Connection, claim_id: str, payment: Payment, *, user: str,
                   force: bool = False) -> Applied:
    """One payment (or refund, or adjustment) on one claim, typed by hand.

    A payment or adjustment of more than the patient's remaining share is refused unless
    `force` (a copay taken before the payer answered, a deposit): the message says how much
    is open.
    """
    if payment.amount_cents == 0:
        raise InvalidInput("the amount is zero: nothing to record")
    if payment.amount_cents < 0 and not payment.reason:
        raise InvalidInput("a refund or reversal (a negative amount) needs a reason: give --reason")
    for text, what in ((payment.reference, "reference"), (payment.reason, "reason")):
        if text is not None and len(text) > MAX_TEXT:
            raise InvalidInput(f"the {what} is longer than {MAX_TEXT} characters")
    book = Book(conn, user)
    claim = book.claim(claim_id)
    if claim is None:
        raise NotFound(f"no claim {claim_id!r}")

    def fail(_fld: str, reason: str) -> Exception:
        return InvalidInput(f"claim {claim_id}: {reason}")

    share = claim.share_open
    if payment.amount_cents > share and not force:
        why = ("the payer has not assigned a patient share yet" if not claim.adjudicated
               else f"the payer assigned {fmt(claim.responsibility)}, the patient paid "
                    f"{fmt(claim.money.patient_paid)}")
        if payment.kind is PatientPaymentKind.ADJUSTMENT:
            raise InvalidInput(
                f"claim {claim_id}: an adjustment of {fmt(payment.amount_cents)} is more than the patient's "
                f"remaining share of {fmt(share)} ({why}); to write off what the payer owes use "
                f"`ar-assistant status {claim_id} written_off --reason ...`, or use --force")
        raise InvalidInput(
            f"claim {claim_id}: {fmt(payment.amount_cents)} is more than the patient's remaining share of "
            f"{fmt(share)} ({why}); check the amount, or use --force to record it anyway (a copay taken "
            "before the payer answered, a deposit: the extra is a credit on the claim)")
    parts = book.split_for_claim(claim, payment, fail)
    receipt = f"{MANUAL}:{book.next_pk}"
    book.record(parts, payment, receipt)
    applied = Applied(recorded=1)
    book.write(applied)
    return applied
