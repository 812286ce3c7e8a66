"""What the reports read: claims, lines, postings and their details, appeals and PLB rows, in bulk.

A report reads the whole ledger of a payer (or of the practice) once, in a handful of
queries, and computes in Python: the same rows serve several figures, and a year of a
busy practice (tens of thousands of claims) fits easily in memory.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from assistant.domain import patient_due_cents


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True, slots=True)
class ProviderRow:
    pk: int
    last_name: str
    first_name: str
    credential: str | None

    @property
    def name(self) -> str:
        """"Dana Okafor (OT)": how reports name a therapist."""
        full = f"{self.first_name} {self.last_name}".strip()
        return f"{full} ({self.credential})" if self.credential else full


@dataclass(frozen=True, slots=True)
class ClaimRow:
    pk: int
    claim_id: str
    payer_pk: int
    payer: str
    payer_kind: str
    dos_from: date
    submitted_date: date | None
    billed_cents: int
    paid_cents: int
    adjusted_cents: int
    patient_resp_cents: int
    balance_cents: int
    payer_status: str
    work_status: str
    frequency_code: str
    provider_pk: int | None
    category: str | None
    patient_paid_cents: int = 0  # patient payments, net of refunds
    patient_adjusted_cents: int = 0  # the patient's share the practice wrote off (inside adjusted_cents)
    written_off_cents: int = 0  # the practice's write-off by work status (inside adjusted_cents)

    @property
    def payer_written_off_cents(self) -> int:
        """What the payers' adjustments took out of AR, as posting settled it (`settlement`)."""
        return self.adjusted_cents - self.patient_adjusted_cents - self.written_off_cents

    @property
    def patient_due_cents(self) -> int:
        return patient_due_cents(self.patient_resp_cents, self.patient_paid_cents,
                                 self.patient_adjusted_cents, self.balance_cents)


@dataclass(frozen=True, slots=True)
class LineRow:
    pk: int
    claim_pk: int
    line_no: int
    code: str
    modifiers: tuple[str, ...]
    units: float
    charge_cents: int
    service_date: date
    provider_pk: int | None  # the line's rendering provider, else the claim's


@dataclass(frozen=True, slots=True)
class PostingRow:
    """One claim payment (CLP) with the date of its remittance."""

    pk: int
    claim_pk: int | None
    remittance_pk: int
    status_code: str
    charge_cents: int
    paid_cents: int
    patient_resp_cents: int
    day: date | None  # the remittance's payment date, else its production date
    payer_claim_number: str | None
    reversal_of_pk: int | None
    reversed_by_pk: int | None
    payer_pk: int | None = None  # the remittance's payer, when on file


@dataclass(frozen=True, slots=True)
class LinePaymentRow:
    pk: int
    posting_pk: int
    line_pk: int | None
    code: str
    modifiers: tuple[str, ...]
    charge_cents: int
    paid_cents: int
    allowed_cents: int | None  # AMT*B6
    units: float | None
    service_date: date | None


@dataclass(frozen=True, slots=True)
class AdjustmentRow:
    posting_pk: int
    line_payment_pk: int | None  # None: claim level
    group: str
    code: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class RemarkRow:
    posting_pk: int
    line_payment_pk: int | None
    code: str


@dataclass
class Ledger:
    """Claims with their lines and every posting on them, indexed for the reports."""

    claims: dict[int, ClaimRow] = field(default_factory=dict)
    providers: dict[int, ProviderRow] = field(default_factory=dict)
    lines: dict[int, list[LineRow]] = field(default_factory=lambda: defaultdict(list))  # by claim
    postings: dict[int, list[PostingRow]] = field(default_factory=lambda: defaultdict(list))  # by claim
    line_payments: dict[int, list[LinePaymentRow]] = field(
        default_factory=lambda: defaultdict(list))  # by posting
    adjustments: dict[int, list[AdjustmentRow]] = field(default_factory=lambda: defaultdict(list))
    remarks: dict[int, list[RemarkRow]] = field(default_factory=lambda: defaultdict(list))
    appealed: set[int] = field(default_factory=set)  # claim pks with an appeal on file

    def provider_name(self, pk: int | None) -> str:
        provider = self.providers.get(pk) if pk is not None else None
        return provider.name if provider else "(no rendering provider)"


_DAY = "coalesce(r.payment_date, r.production_date)"


def load_ledger(conn: sqlite3.Connection, payer_pk: int | None = None) -> Ledger:
    """Every claim (of one payer, or all) with lines, postings, line payments, adjustments, remarks."""
    ledger = Ledger()
    where, params = ("WHERE c.payer_pk = ?", [payer_pk]) if payer_pk is not None else ("", [])
    for r in conn.execute(
        f"""
        SELECT c.pk, c.claim_id, c.payer_pk, y.name, y.kind, c.dos_from, c.submitted_date,
               c.billed_cents, c.paid_cents, c.adjusted_cents, c.patient_resp_cents, c.balance_cents,
               c.payer_status, c.work_status, c.frequency_code, c.rendering_provider_pk, c.category,
               c.patient_paid_cents, c.patient_adjusted_cents, c.written_off_cents
        FROM claims c JOIN payers y ON y.pk = c.payer_pk {where}
        """, params):
        ledger.claims[r[0]] = ClaimRow(
            r[0], r[1], r[2], r[3], r[4], date.fromisoformat(r[5]), _date(r[6]), r[7], r[8], r[9],
            r[10], r[11], r[12], r[13], r[14], r[15], r[16], r[17], r[18], r[19])
    for r in conn.execute("SELECT pk, last_name, first_name, credential FROM providers"):
        ledger.providers[r[0]] = ProviderRow(r[0], r[1], r[2], r[3])
    for r in conn.execute(
        f"""
        SELECT l.pk, l.claim_pk, l.line_no, l.code, l.modifiers, l.units, l.charge_cents,
               coalesce(l.service_date, c.dos_from),
               coalesce(l.rendering_provider_pk, c.rendering_provider_pk)
        FROM claim_lines l JOIN claims c ON c.pk = l.claim_pk {where}
        ORDER BY l.claim_pk, l.line_no
        """, params):
        ledger.lines[r[1]].append(LineRow(r[0], r[1], r[2], r[3], tuple(r[4].split()), r[5], r[6],
                                          date.fromisoformat(r[7]), r[8]))
    for r in conn.execute(
        f"""
        SELECT cp.pk, cp.claim_pk, cp.remittance_pk, cp.status_code, cp.charge_cents, cp.paid_cents,
               cp.patient_resp_cents, {_DAY}, cp.payer_claim_number, cp.reversal_of_pk, cp.reversed_by_pk,
               r.payer_pk
        FROM claim_payments cp JOIN remittances r ON r.pk = cp.remittance_pk
        JOIN claims c ON c.pk = cp.claim_pk {where}
        ORDER BY cp.pk
        """, params):
        ledger.postings[r[1]].append(PostingRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _date(r[7]),
                                                r[8], r[9], r[10], r[11]))
    for postings in ledger.postings.values():
        postings.sort(key=lambda p: (p.day or date.max, p.pk))
    joined = (f"JOIN claim_payments cp ON cp.pk = x.claim_payment_pk "
              f"JOIN claims c ON c.pk = cp.claim_pk {where}")
    for r in conn.execute(
        f"""
        SELECT x.pk, x.claim_payment_pk, x.line_pk, coalesce(x.code, ''), x.modifiers, x.charge_cents,
               x.paid_cents, x.allowed_cents, x.units, x.service_date
        FROM line_payments x {joined}
        """, params):
        ledger.line_payments[r[1]].append(LinePaymentRow(r[0], r[1], r[2], r[3], tuple(r[4].split()), r[5],
                                                         r[6], r[7], r[8], _date(r[9])))
    for r in conn.execute(
        f"SELECT x.claim_payment_pk, x.line_payment_pk, x.group_code, x.reason_code, x.amount_cents "
        f"FROM adjustments x {joined} ORDER BY x.pk", params):
        ledger.adjustments[r[0]].append(AdjustmentRow(r[0], r[1], r[2], r[3], r[4]))
    for r in conn.execute(
        f"SELECT x.claim_payment_pk, x.line_payment_pk, x.code FROM remarks x {joined} ORDER BY x.pk",
        params):
        ledger.remarks[r[0]].append(RemarkRow(r[0], r[1], r[2]))
    ledger.appealed = {pk for (pk,) in conn.execute("SELECT DISTINCT claim_pk FROM appeals")}
    return ledger


# --------------------------------------------------------------------------- appeals


@dataclass(frozen=True, slots=True)
class AppealRow:
    pk: int
    claim_pk: int
    claim_id: str
    payer: str
    level: int
    template: str
    status: str
    drafted_date: date
    sent_date: date | None
    outcome: str | None
    decided_date: date | None
    recovered_cents: int | None


def appeal_rows(conn: sqlite3.Connection, payer_pk: int | None = None) -> list[AppealRow]:
    where, params = ("WHERE c.payer_pk = ?", [payer_pk]) if payer_pk is not None else ("", [])
    return [
        AppealRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], date.fromisoformat(r[7]), _date(r[8]), r[9],
                  _date(r[10]), r[11])
        for r in conn.execute(
            f"""
            SELECT a.pk, a.claim_pk, c.claim_id, y.name, a.level, a.template, a.status, a.drafted_date,
                   a.sent_date, a.outcome, a.decided_date, a.recovered_cents
            FROM appeals a JOIN claims c ON c.pk = a.claim_pk JOIN payers y ON y.pk = c.payer_pk {where}
            ORDER BY a.pk
            """, params)
    ]


# --------------------------------------------------------------------------- take-backs


@dataclass(frozen=True, slots=True)
class ProviderAdjustmentRow:
    """One PLB adjustment with its remittance's date and payer; a positive amount was withheld."""

    pk: int
    remittance_pk: int
    day: date | None
    payer: str
    payer_pk: int | None
    reason_code: str
    reference: str | None
    amount_cents: int
    trace_number: str | None


def provider_adjustment_rows(conn: sqlite3.Connection) -> list[ProviderAdjustmentRow]:
    return [
        ProviderAdjustmentRow(r[0], r[1], _date(r[2]), r[3] or "(unknown payer)", r[4], r[5], r[6], r[7],
                              r[8])
        for r in conn.execute(
            f"""
            SELECT b.pk, b.remittance_pk, {_DAY}, coalesce(y.name, r.payer_name), r.payer_pk, b.reason_code,
                   b.reference, b.amount_cents, r.trace_number
            FROM plb_adjustments b JOIN remittances r ON r.pk = b.remittance_pk
            LEFT JOIN payers y ON y.pk = r.payer_pk
            ORDER BY b.pk
            """)
    ]


@dataclass(frozen=True, slots=True)
class ReversalRow:
    """A reversal (CLP02 22) with the posting it undid, matched to a claim or not."""

    pk: int
    claim_pk: int | None
    claim_id: str | None
    patient_control_number: str
    payer: str
    payer_pk: int | None
    day: date | None
    paid_cents: int  # as the reversal carries it: the opposite of what was paid
    charge_cents: int
    original_pk: int | None
    original_paid_cents: int | None
    payer_claim_number: str | None


def reversal_rows(conn: sqlite3.Connection) -> list[ReversalRow]:
    return [
        ReversalRow(r[0], r[1], r[2], r[3], r[4], r[5], _date(r[6]), r[7], r[8], r[9], r[10], r[11])
        for r in conn.execute(
            f"""
            SELECT cp.pk, cp.claim_pk, c.claim_id, cp.patient_control_number,
                   coalesce(y.name, ry.name, r.payer_name, '(unknown payer)'),
                   coalesce(c.payer_pk, r.payer_pk), {_DAY}, cp.paid_cents, cp.charge_cents,
                   o.pk, o.paid_cents, cp.payer_claim_number
            FROM claim_payments cp JOIN remittances r ON r.pk = cp.remittance_pk
            LEFT JOIN claims c ON c.pk = cp.claim_pk
            LEFT JOIN payers y ON y.pk = c.payer_pk
            LEFT JOIN payers ry ON ry.pk = r.payer_pk
            LEFT JOIN claim_payments o ON o.pk = cp.reversal_of_pk
            WHERE cp.status_code = '22'
            ORDER BY cp.pk
            """)
    ]


def claims_by_payer_number(conn: sqlite3.Connection) -> dict[str, str]:
    """Claim ids by their own id and by the payer's claim number (CLP07 of any posting, or the
    claim's own); a number two claims share names neither."""
    found: dict[str, set[str]] = defaultdict(set)
    for (claim_id,) in conn.execute("SELECT claim_id FROM claims"):
        found[claim_id].add(claim_id)
    for number, claim_id in conn.execute(
        "SELECT payer_claim_number, claim_id FROM claims WHERE payer_claim_number IS NOT NULL "
        "UNION SELECT cp.payer_claim_number, c.claim_id FROM claim_payments cp "
        "JOIN claims c ON c.pk = cp.claim_pk WHERE cp.payer_claim_number IS NOT NULL"):
        found[number].add(claim_id)
    return {number: next(iter(ids)) for number, ids in found.items() if len(ids) == 1}
