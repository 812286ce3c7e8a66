"""Reading claims: one claim in full (`load_claim`) and filtered lists (`list_claims`)."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from assistant.domain import (
    AdjustmentView,
    ClaimView,
    LineView,
    PatientView,
    PayerKind,
    PayerStatus,
    PayerView,
    UnitRule,
    WorkStatus,
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


def _adjustments_by_line(
    conn: sqlite3.Connection, claim_pk: int
) -> tuple[list[AdjustmentView], dict[int, list[AdjustmentView]]]:
    """Adjustments of the claim's live postings (reversed postings are excluded)."""
    claim_level: list[AdjustmentView] = []
    by_line: dict[int, list[AdjustmentView]] = defaultdict(list)
    rows = conn.execute(
        """
        SELECT a.group_code, a.reason_code, a.amount_cents, a.quantity, lp.line_pk,
               a.line_payment_pk
        FROM adjustments a
        JOIN claim_payments cp ON cp.pk = a.claim_payment_pk
        LEFT JOIN line_payments lp ON lp.pk = a.line_payment_pk
        WHERE a.claim_pk = ? AND cp.reversed_by_pk IS NULL AND cp.status_code != '22'
        ORDER BY a.pk
        """,
        (claim_pk,),
    )
    for group, code, amount, quantity, line_pk, line_payment_pk in rows:
        adj = AdjustmentView(group, code, amount, quantity)
        if line_payment_pk is None or line_pk is None:
            claim_level.append(adj)
        else:
            by_line[line_pk].append(adj)
    return claim_level, by_line


def _remarks_by_line(
    conn: sqlite3.Connection, claim_pk: int
) -> tuple[list[str], dict[int, list[str]]]:
    claim_level: list[str] = []
    by_line: dict[int, list[str]] = defaultdict(list)
    rows = conn.execute(
        """
        SELECT r.code, lp.line_pk, r.line_payment_pk
        FROM remarks r
        JOIN claim_payments cp ON cp.pk = r.claim_payment_pk
        LEFT JOIN line_payments lp ON lp.pk = r.line_payment_pk
        WHERE r.claim_pk = ? AND cp.reversed_by_pk IS NULL AND cp.status_code != '22'
        ORDER BY r.pk
        """,
        (claim_pk,),
    )
    for code, line_pk, line_payment_pk in rows:
        target = claim_level if line_payment_pk is None or line_pk is None else by_line[line_pk]
        if code not in target:
            target.append(code)
    return claim_level, by_line


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
    row = conn.execute(
        """
        SELECT c.*, p.account, p.last_name, p.first_name, p.dob, p.member_id AS patient_member_id,
               rp.npi AS rendering_npi, rp.last_name AS r_last, rp.first_name AS r_first,
               rp.credential AS rendering_credential,
               ref.npi AS referring_npi, ref.last_name AS ref_last, ref.first_name AS ref_first
        FROM claims c
        JOIN patients p ON p.pk = c.patient_pk
        LEFT JOIN providers rp ON rp.pk = c.rendering_provider_pk
        LEFT JOIN providers ref ON ref.pk = c.referring_provider_pk
        WHERE c.claim_id = ?
        """,
        (claim_id,),
    ).fetchone()
    if row is None:
        raise ClaimNotFound(claim_id)
    payer_row = conn.execute("SELECT * FROM payers WHERE pk = ?", (row["payer_pk"],)).fetchone()
    dos_from, dos_to = date.fromisoformat(row["dos_from"]), date.fromisoformat(row["dos_to"])
    claim_adj, line_adj = _adjustments_by_line(conn, row["pk"])
    claim_rem, line_rem = _remarks_by_line(conn, row["pk"])
    minutes_on_file = note_minutes(conn, row["patient_pk"], dos_from, dos_to)
    lines = []
    for line in conn.execute(
        """
        SELECT l.*, pr.npi AS r_npi, pr.credential AS r_credential
        FROM claim_lines l LEFT JOIN providers pr ON pr.pk = l.rendering_provider_pk
        WHERE l.claim_pk = ? ORDER BY l.line_no
        """,
        (row["pk"],),
    ):
        service_date = _date(line["service_date"]) or dos_from
        minutes = line["minutes"]
        if minutes is None:
            minutes = minutes_on_file.get((service_date.isoformat(), line["code"]))
        lines.append(
            LineView(
                pk=line["pk"],
                line_no=line["line_no"],
                code=line["code"],
                modifiers=tuple(line["modifiers"].split()),
                units=line["units"],
                minutes=minutes,
                charge_cents=line["charge_cents"],
                paid_cents=line["paid_cents"],
                dx_pointers=tuple(int(p) for p in line["dx_pointers"].split()),
                service_date=service_date,
                rendering_npi=line["r_npi"] or row["rendering_npi"],
                rendering_credential=line["r_credential"] or row["rendering_credential"],
                adjustments=tuple(line_adj.get(line["pk"], ())),
                remarks=tuple(line_rem.get(line["pk"], ())),
                service_date_to=_date(line["service_date_to"]),
            )
        )
    diagnoses = tuple(
        code
        for (code,) in conn.execute(
            "SELECT code FROM diagnoses WHERE claim_pk = ? ORDER BY seq", (row["pk"],)
        )
    )

    def person(last: str | None, first: str | None) -> str | None:
        if not last:
            return None
        return f"{first} {last}".strip()

    return ClaimView(
        pk=row["pk"],
        claim_id=row["claim_id"],
        patient=PatientView(
            pk=row["patient_pk"],
            account=row["account"],
            last_name=row["last_name"],
            first_name=row["first_name"],
            dob=_date(row["dob"]),
            member_id=row["member_id"] or row["patient_member_id"],
        ),
        payer=payer_view(payer_row),
        dos_from=dos_from,
        dos_to=dos_to,
        billed_cents=row["billed_cents"],
        paid_cents=row["paid_cents"],
        adjusted_cents=row["adjusted_cents"],
        patient_resp_cents=row["patient_resp_cents"],
        balance_cents=row["balance_cents"],
        payer_status=PayerStatus(row["payer_status"]),
        work_status=WorkStatus(row["work_status"]),
        frequency_code=row["frequency_code"],
        place_of_service=row["place_of_service"],
        coverage_priority=row["coverage_priority"],
        member_id=row["member_id"],
        prior_auth=row["prior_auth"],
        payer_claim_number=row["payer_claim_number"],
        submitted_date=_date(row["submitted_date"]),
        follow_up_date=_date(row["follow_up_date"]),
        assignee=row["assignee"],
        last_remit_date=_date(row["last_remit_date"]),
        rendering_npi=row["rendering_npi"],
        rendering_name=person(row["r_last"], row["r_first"]),
        rendering_credential=row["rendering_credential"],
        referring_name=person(row["ref_last"], row["ref_first"]),
        referring_npi=row["referring_npi"],
        diagnoses=diagnoses,
        lines=tuple(lines),
        adjustments=tuple(claim_adj),
        remarks=tuple(claim_rem),
        version=row["version"],
        patient_paid_cents=row["patient_paid_cents"],
        patient_adjusted_cents=row["patient_adjusted_cents"],
    )


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
