"""Reading what backs a claim up: the practice, plans of care, authorizations, coverages, visits.

Letters quote these and the evidence check weighs them; the rows are written by the
importers (`storage.writer`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class PracticeView:
    name: str
    npi: str | None = None
    tax_id: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    phone: str | None = None
    fax: str | None = None
    contact: str | None = None

    @property
    def address_lines(self) -> tuple[str, ...]:
        city = ", ".join(p for p in (self.city, " ".join(p for p in (self.state, self.zip) if p)) if p)
        return tuple(p for p in (self.address1, self.address2, city) if p)


def load_practice(conn: sqlite3.Connection) -> PracticeView | None:
    row = conn.execute("SELECT * FROM practice WHERE pk = 1").fetchone()
    if row is None:
        return None
    return PracticeView(
        name=row["name"], npi=row["npi"], tax_id=row["tax_id"], address1=row["address1"],
        address2=row["address2"], city=row["city"], state=row["state"], zip=row["zip"],
        phone=row["phone"], fax=row["fax"], contact=row["contact"],
    )


@dataclass(frozen=True)
class PlanOfCareView:
    pk: int
    start_date: date
    end_date: date
    certified_date: date | None
    certified_by: str | None
    certifier_npi: str | None
    recert_due: date | None
    frequency: str | None
    goals: tuple[str, ...]
    document_pk: int | None
    therapist: str | None

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


def plans_of_care(conn: sqlite3.Connection, patient_pk: int) -> list[PlanOfCareView]:
    rows = conn.execute(
        """
        SELECT poc.*, pr.first_name, pr.last_name, pr.credential
        FROM plans_of_care poc LEFT JOIN providers pr ON pr.pk = poc.therapist_pk
        WHERE poc.patient_pk = ? ORDER BY poc.start_date
        """,
        (patient_pk,),
    )
    plans = []
    for row in rows:
        therapist = None
        if row["last_name"]:
            therapist = f"{row['first_name']} {row['last_name']}".strip()
            if row["credential"]:
                therapist += f", {row['credential']}"
        plans.append(PlanOfCareView(
            pk=row["pk"],
            start_date=date.fromisoformat(row["start_date"]),
            end_date=date.fromisoformat(row["end_date"]),
            certified_date=_date(row["certified_date"]),
            certified_by=row["certified_by"],
            certifier_npi=row["certifier_npi"],
            recert_due=_date(row["recert_due"]),
            frequency=row["frequency"],
            goals=tuple(json.loads(row["goals"] or "[]")),
            document_pk=row["document_pk"],
            therapist=therapist,
        ))
    return plans


@dataclass(frozen=True)
class AuthorizationView:
    pk: int
    number: str
    payer_pk: int | None
    unit_kind: str  # visits | units
    approved: int
    used_reported: int
    start_date: date
    end_date: date
    codes: tuple[str, ...]  # empty: any code

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


def authorizations(conn: sqlite3.Connection, patient_pk: int) -> list[AuthorizationView]:
    rows = conn.execute(
        "SELECT * FROM authorizations WHERE patient_pk = ? ORDER BY start_date, number", (patient_pk,))
    return [
        AuthorizationView(
            pk=row["pk"], number=row["number"], payer_pk=row["payer_pk"], unit_kind=row["unit_kind"],
            approved=row["approved"], used_reported=row["used"],
            start_date=date.fromisoformat(row["start_date"]),
            end_date=date.fromisoformat(row["end_date"]),
            codes=tuple(json.loads(row["codes"])) if row["codes"] else (),
        )
        for row in rows
    ]


def billed_visits(conn: sqlite3.Connection, patient_pk: int, start: date, end: date,
                  payer_pk: int | None = None, codes: tuple[str, ...] = ()) -> dict[date, float]:
    """Service dates billed for the patient in a period, with the units of `codes` (any code if none)."""
    sql = """
        SELECT coalesce(l.service_date, c.dos_from) AS day, sum(l.units)
        FROM claim_lines l JOIN claims c ON c.pk = l.claim_pk
        WHERE c.patient_pk = ? AND coalesce(l.service_date, c.dos_from) BETWEEN ? AND ?
          AND c.frequency_code != '8'
    """
    params: list[object] = [patient_pk, start.isoformat(), end.isoformat()]
    if payer_pk is not None:
        sql += " AND c.payer_pk = ?"
        params.append(payer_pk)
    if codes:
        sql += f" AND l.code IN ({','.join('?' for _ in codes)})"
        params.extend(codes)
    sql += " GROUP BY day ORDER BY day"
    return {date.fromisoformat(day): float(units) for day, units in conn.execute(sql, params)}


@dataclass(frozen=True)
class CoverageView:
    payer: str
    payer_kind: str
    priority: int
    member_id: str | None


def coverages(conn: sqlite3.Connection, patient_pk: int) -> list[CoverageView]:
    rows = conn.execute(
        "SELECT y.name, y.kind, c.priority, c.member_id FROM coverages c JOIN payers y ON y.pk = c.payer_pk "
        "WHERE c.patient_pk = ? ORDER BY c.priority, y.name",
        (patient_pk,),
    )
    return [CoverageView(name, kind, priority, member_id) for name, kind, priority, member_id in rows]


def treatment_days(conn: sqlite3.Connection, patient_pk: int, start: date, end: date) -> list[date]:
    """Days the patient was treated (a daily note or a billed line), for progress-report spacing."""
    rows = conn.execute(
        """
        SELECT doc_date FROM documents
        WHERE patient_pk = ?1 AND doc_type = 'daily_note' AND doc_date BETWEEN ?2 AND ?3
        UNION
        SELECT coalesce(l.service_date, c.dos_from) FROM claim_lines l JOIN claims c ON c.pk = l.claim_pk
        WHERE c.patient_pk = ?1 AND coalesce(l.service_date, c.dos_from) BETWEEN ?2 AND ?3
        ORDER BY 1
        """,
        (patient_pk, start.isoformat(), end.isoformat()),
    )
    return [date.fromisoformat(day) for (day,) in rows]


def denial_notice(conn: sqlite3.Connection, claim_pk: int) -> tuple[date | None, str | None]:
    """Date and payer claim number of the latest live remittance for the claim."""
    row = conn.execute(
        """
        SELECT coalesce(r.payment_date, r.production_date), cp.payer_claim_number
        FROM claim_payments cp JOIN remittances r ON r.pk = cp.remittance_pk
        WHERE cp.claim_pk = ? AND cp.reversed_by_pk IS NULL AND cp.status_code != '22'
        ORDER BY coalesce(r.payment_date, r.production_date) DESC, cp.pk DESC LIMIT 1
        """,
        (claim_pk,),
    ).fetchone()
    if row is None:
        return None, None
    return _date(row[0]), row[1]
