"""Builders for the letters tests: practice, notes, plans of care, authorizations, denials.

Clinical records go through the real writer; remittance rows (until the 835 posting is
used here) are inserted as the posting would leave them, with the claim's totals updated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date

from assistant.domain import (
    Assessment,
    AuthorizationRecord,
    Category,
    DocType,
    DocumentRecord,
    PlanOfCareRecord,
    PracticeRecord,
)
from assistant.storage import transaction
from assistant.storage.writer import Writer

TIMED = frozenset({"97110", "97112", "97140", "97530", "97535", "97129"})


def is_timed(code: str) -> bool:
    return code in TIMED


def practice(conn: sqlite3.Connection, **fields: str | None) -> None:
    values = {"name": "Harbor Hand & Occupational Therapy", "npi": "1699999996",
              "tax_id": "12-3456789", "address1": "200 Harbor Way, Suite 4", "city": "Portland",
              "state": "ME", "zip": "04101", "phone": "(207) 555-0142"}
    values.update(fields)
    with transaction(conn):
        Writer(conn, "tester").practice(PracticeRecord(**values))  # type: ignore[arg-type]


def note(conn: sqlite3.Connection, day: date, text: str, *, account: str = "A1001",
         doc_type: DocType = DocType.DAILY_NOTE, author: str | None = "Dana Okafor",
         credential: str | None = "OT", minutes: Sequence[tuple[str, int]] = (),
         plan: PlanOfCareRecord | None = None) -> int:
    record = DocumentRecord(account=account, doc_type=doc_type, doc_date=day, text=text, author=author,
                            author_credential=credential, minutes=tuple(minutes), plan_of_care=plan)
    with transaction(conn):
        Writer(conn, "tester").document(record)
    row = conn.execute("SELECT max(pk) FROM documents").fetchone()
    return int(row[0])


def plan_of_care(conn: sqlite3.Connection, start: date, end: date, *, account: str = "A1001",
                 certified: date | None = None, goals: Sequence[str] = (),
                 frequency: str | None = "2x/week for 8 weeks",
                 certified_by: str | None = "Dr. Alan Price") -> None:
    record = PlanOfCareRecord(account=account, start_date=start, end_date=end, certified_date=certified,
                              certified_by=certified_by if certified else None, frequency=frequency,
                              goals=tuple(goals))
    with transaction(conn):
        Writer(conn, "tester").plan_of_care(record)


def authorization(conn: sqlite3.Connection, number: str, approved: int, start: date, end: date, *,
                  account: str = "A1001", payer: str | None = "Aetna", unit_kind: str = "visits",
                  codes: Sequence[str] = ()) -> None:
    record = AuthorizationRecord(account=account, number=number, approved=approved, start_date=start,
                                 end_date=end, payer_name=payer, unit_kind=unit_kind, codes=tuple(codes))
    with transaction(conn):
        Writer(conn, "tester").authorization(record)


def appeal_address(conn: sqlite3.Connection, payer: str, address: str, fax: str | None = None) -> None:
    with transaction(conn):
        conn.execute("UPDATE payers SET appeal_address = ?, appeal_fax = ? WHERE name = ?",
                     (address, fax, payer))


Adjustment = tuple[int | None, str, str, float]  # line number (None: claim level), group, CARC, dollars


def remit(conn: sqlite3.Connection, claim_id: str, *, day: date = date(2026, 10, 1),
          adjustments: Sequence[Adjustment] = ((1, "CO", "50", 150.0),), remarks: Sequence[str] = (),
          paid: float = 0.0, payer_claim_number: str = "2026274001234") -> None:
    """A remittance for the claim as posting leaves it: payment, line adjustments, remarks."""
    paid_cents = round(paid * 100)
    with transaction(conn):
        claim = conn.execute("SELECT * FROM claims WHERE claim_id = ?", (claim_id,)).fetchone()
        remittance = conn.execute(
            "INSERT INTO remittances (payer_pk, payer_name, payment_cents, payment_date, trace_number) "
            "VALUES (?, 'payer', ?, ?, ?)",
            (claim["payer_pk"], paid_cents, day.isoformat(), f"T{claim_id}{day:%m%d}"),
        ).lastrowid
        payment = conn.execute(
            "INSERT INTO claim_payments (remittance_pk, claim_pk, patient_control_number, status_code, "
            "charge_cents, paid_cents, payer_claim_number) VALUES (?, ?, ?, '1', ?, ?, ?)",
            (remittance, claim["pk"], claim_id, claim["billed_cents"], paid_cents, payer_claim_number),
        ).lastrowid
        line_payments: dict[int, int] = {}
        for line in conn.execute("SELECT * FROM claim_lines WHERE claim_pk = ?", (claim["pk"],)):
            line_payments[line["line_no"]] = int(conn.execute(
                "INSERT INTO line_payments (claim_payment_pk, line_pk, qualifier, code, charge_cents, "
                "paid_cents) VALUES (?, ?, 'HC', ?, ?, 0)",
                (payment, line["pk"], line["code"], line["charge_cents"]),
            ).lastrowid or 0)
        for line_no, group, code, amount in adjustments:
            conn.execute(
                "INSERT INTO adjustments (claim_payment_pk, line_payment_pk, claim_pk, group_code, "
                "reason_code, amount_cents) VALUES (?, ?, ?, ?, ?, ?)",
                (payment, line_payments.get(line_no) if line_no else None, claim["pk"], group, code,
                 round(amount * 100)),
            )
        for code in remarks:
            conn.execute("INSERT INTO remarks (claim_payment_pk, claim_pk, code, source) "
                         "VALUES (?, ?, ?, 'LQ')", (payment, claim["pk"], code))
        total_paid = claim["paid_cents"] + paid_cents
        status = "paid" if total_paid >= claim["billed_cents"] else (
            "partially_paid" if total_paid else "denied")
        conn.execute(
            "UPDATE claims SET paid_cents = ?, balance_cents = ?, payer_status = ?, last_remit_date = ?, "
            "payer_claim_number = ? WHERE pk = ?",
            (total_paid, claim["billed_cents"] - total_paid, status, day.isoformat(), payer_claim_number,
             claim["pk"]),
        )


def assessment(claim_id: str, category: Category | None, *codes: str,
               deadline: date | None = None) -> Assessment:
    return Assessment(claim_id=claim_id, category=category, codes=tuple(codes), actions=(),
                      findings=(), deadline=deadline)
