"""Reading a claim's patient payments (written by `assistant.patient_payments`)."""

from __future__ import annotations

import sqlite3
from datetime import date

from assistant.domain import PatientPaymentKind, PatientPaymentView, PaymentMethod


def payments_for_claim(conn: sqlite3.Connection, claim_pk: int) -> list[PatientPaymentView]:
    """In the order they were recorded."""
    return [
        PatientPaymentView(
            pk=row["pk"], kind=PatientPaymentKind(row["kind"]), amount_cents=row["amount_cents"],
            paid_date=date.fromisoformat(row["paid_date"]),
            method=PaymentMethod(row["method"]) if row["method"] else None, reference=row["reference"],
            reason=row["reason"], receipt=row["receipt"], receipt_cents=row["receipt_cents"],
            source=row["source"], line=row["line"], user=row["user"],
        )
        for row in conn.execute("SELECT * FROM patient_payments WHERE claim_pk = ? ORDER BY pk", (claim_pk,))
    ]
