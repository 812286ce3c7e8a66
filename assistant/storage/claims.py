"""Reading claims: one claim in full (`load_claim`) and filtered lists (`list_claims`)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

from assistant.domain import (
    ClaimView,
    PayerKind,
    PayerView,
    UnitRule,
)
from assistant.errors import ClaimNotFound


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def claim_pk(conn: sqlite3.Connection, claim_id: str) -> int:
    row = conn.execute("SELECT pk FROM claims WHERE claim_id = ?", (claim_id,)).fetchone()
    if row is None:
        raise ClaimNotFound(claim_id)
    return int(row[0])


def payer_view(row: sqlite3.Row) -> PayerView:
    return PayerView(
        pk=row["pk"],
        name=row["name"],
        kind=PayerKind(row["kind"]),
        payer_id=row["payer_id"],
        timely_filing_days=row["timely_filing_days"],
        appeal_windows=json.loads(row["appeal_windows"]) if row["appeal_windows"] else None,
        unit_rule=UnitRule(row["unit_rule"]) if row["unit_rule"] else None,
        appeal_address=row["appeal_address"],
        appeal_fax=row["appeal_fax"],
        appeal_phone=row["appeal_phone"],
        portal_url=row["portal_url"],
        phone=row["phone"],
        corrected_claim_days=row["corrected_claim_days"],
    )


def note_minutes(
    conn: sqlite3.Connection, patient_pk: int, dos_from: date, dos_to: date
) -> dict[tuple[str, str], int]:
    """Minutes per (date, code) that the therapy notes record for the patient."""
    rows = conn.execute(
        """
        SELECT d.doc_date, nm.code, nm.minutes
        FROM note_minutes nm JOIN documents d ON d.pk = nm.document_pk
        WHERE d.patient_pk = ? AND d.doc_date BETWEEN ? AND ?
        """,
        (patient_pk, dos_from.isoformat(), dos_to.isoformat()),
    )
    return {(doc_date, code): minutes for doc_date, code, minutes in rows}


def load_claim(conn: sqlite3.Connection, claim_id: str) -> ClaimView:
    """One claim in full: the same view `claims_bulk.load_claims` gives many."""
    from assistant.storage.claims_bulk import load_claims

    pk = claim_pk(conn, claim_id)
    return load_claims(conn, [pk])[pk]


@dataclass(frozen=True)
class ClaimFilter:
    payer: str | None = None  # name, alias or payer id
    payer_status: str | None = None
    work_status: str | None = None
    patient_pk: int | None = None
    limit: int | None = 100


def list_claims(conn: sqlite3.Connection, flt: ClaimFilter) -> list[sqlite3.Row]:
    """Claims with their patient and payer names, newest service first."""
    where: list[str] = []
    params: list[object] = []
    if flt.payer:
        from assistant.storage.payers import resolve_payer

        where.append("c.payer_pk = ?")
        params.append(resolve_payer(conn, flt.payer).pk)
    if flt.payer_status:
        where.append("c.payer_status = ?")
        params.append(flt.payer_status)
    if flt.work_status:
        where.append("c.work_status = ?")
        params.append(flt.work_status)
    if flt.patient_pk is not None:
        where.append("c.patient_pk = ?")
        params.append(flt.patient_pk)
    sql = """
        SELECT c.claim_id, c.dos_from, c.dos_to, c.billed_cents, c.paid_cents, c.balance_cents,
               c.payer_status, c.work_status, c.follow_up_date, c.assignee, c.category,
               p.last_name, p.first_name, p.account, y.name AS payer_name, y.kind AS payer_kind
        FROM claims c JOIN patients p ON p.pk = c.patient_pk JOIN payers y ON y.pk = c.payer_pk
    """
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY c.dos_from_day DESC, c.claim_id"
    if flt.limit is not None:
        sql += " LIMIT ?"
        params.append(flt.limit)
    return conn.execute(sql, params).fetchall()
