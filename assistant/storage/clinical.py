"""What the rules need to know about a patient beyond one claim, read in bulk by patient.

Authorizations, plans of care, which notes are on file (type, date, author's credential,
never the text) and the minutes they record, every claim line of the patient with what the
payer allowed, coverages, and the appeals filed for claims.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from assistant.domain import AppealStatus, DocType, PayerKind
from assistant.storage.claims_bulk import chunks, marks


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class AuthorizationView:
    number: str
    payer_pk: int | None  # None: any payer
    unit_kind: str  # visits | units
    approved: int
    reported_used: int  # as the source reported when imported
    start_date: date
    end_date: date
    codes: tuple[str, ...] = ()  # empty: any code

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


@dataclass(frozen=True)
class PlanOfCareView:
    start_date: date
    end_date: date
    certified_date: date | None
    certified_by: str | None
    recert_due: date | None
    frequency: str | None
    goals: tuple[str, ...]


@dataclass(frozen=True)
class DocumentStub:
    doc_type: DocType
    doc_date: date
    author_credential: str | None


@dataclass(frozen=True)
class HistoryLine:
    """One claim line of the patient, as the authorization, KX and progress checks count them."""

    claim_pk: int
    claim_id: str
    line_pk: int
    payer_pk: int
    payer_kind: PayerKind
    service_date: date
    code: str
    modifiers: tuple[str, ...]
    units: float
    charge_cents: int
    allowed_cents: int | None  # AMT*B6 of the live posting, when a remittance said
    frequency_code: str
    rendering_credential: str | None
    payer_status: str = "submitted"
    claim_remarks: tuple[str, ...] = ()  # the claim's remark codes on live postings (MA130 ...)
    remit_date: date | None = None  # the claim's latest remittance


@dataclass(frozen=True)
class CoverageView:
    payer_pk: int
    payer_name: str
    priority: int


@dataclass(frozen=True)
class AppealView:
    level: int
    template: str
    status: AppealStatus
    drafted_date: date
    sent_date: date | None
    deadline: date | None
    outcome: str | None
    decided_date: date | None


def _by_patient(conn: sqlite3.Connection, sql: str, patient_pks: Iterable[int]) -> list[sqlite3.Row]:
    rows: list[sqlite3.Row] = []
    patients = sorted(set(patient_pks))
    for part in chunks(patients):
        rows.extend(conn.execute(sql.format(marks=marks(part)), list(part)))
    return rows


def authorizations(conn: sqlite3.Connection,
                   patient_pks: Iterable[int]) -> dict[int, list[AuthorizationView]]:
    out: dict[int, list[AuthorizationView]] = defaultdict(list)
    for r in _by_patient(conn, "SELECT * FROM authorizations WHERE patient_pk IN ({marks}) "
                               "ORDER BY start_date, pk", patient_pks):
        out[r["patient_pk"]].append(AuthorizationView(
            number=r["number"], payer_pk=r["payer_pk"], unit_kind=r["unit_kind"],
            approved=r["approved"], reported_used=r["used"],
            start_date=date.fromisoformat(r["start_date"]), end_date=date.fromisoformat(r["end_date"]),
            codes=tuple(json.loads(r["codes"])) if r["codes"] else (),
        ))
    return out


def plans_of_care(conn: sqlite3.Connection, patient_pks: Iterable[int]) -> dict[int, list[PlanOfCareView]]:
    out: dict[int, list[PlanOfCareView]] = defaultdict(list)
    for r in _by_patient(conn, "SELECT * FROM plans_of_care WHERE patient_pk IN ({marks}) "
                               "ORDER BY start_date", patient_pks):
        out[r["patient_pk"]].append(PlanOfCareView(
            start_date=date.fromisoformat(r["start_date"]), end_date=date.fromisoformat(r["end_date"]),
            certified_date=_date(r["certified_date"]), certified_by=r["certified_by"],
            recert_due=_date(r["recert_due"]), frequency=r["frequency"],
            goals=tuple(json.loads(r["goals"] or "[]")),
        ))
    return out


def document_stubs(conn: sqlite3.Connection, patient_pks: Iterable[int]) -> dict[int, list[DocumentStub]]:
    out: dict[int, list[DocumentStub]] = defaultdict(list)
    for r in _by_patient(conn, "SELECT patient_pk, doc_type, doc_date, author_credential FROM documents "
                               "WHERE patient_pk IN ({marks}) ORDER BY doc_date, pk", patient_pks):
        out[r["patient_pk"]].append(DocumentStub(DocType(r["doc_type"]), date.fromisoformat(r["doc_date"]),
                                                 r["author_credential"]))
    return out


def note_minutes_by_day(conn: sqlite3.Connection,
                        patient_pks: Iterable[int]) -> dict[int, dict[date, dict[str, int]]]:
    """Per patient and day, the minutes the notes record per code, billed or not."""
    out: dict[int, dict[date, dict[str, int]]] = defaultdict(dict)
    for r in _by_patient(conn, "SELECT d.patient_pk, d.doc_date, nm.code, nm.minutes FROM note_minutes nm "
                               "JOIN documents d ON d.pk = nm.document_pk WHERE d.patient_pk IN ({marks}) "
                               "ORDER BY d.doc_date, d.pk", patient_pks):
        out[r["patient_pk"]].setdefault(date.fromisoformat(r["doc_date"]), {})[r["code"]] = r["minutes"]
    return out


def history_lines(conn: sqlite3.Connection, patient_pks: Iterable[int]) -> dict[int, list[HistoryLine]]:
    """Every claim line of the patients, with the allowed amount of the live posting."""
    out: dict[int, list[HistoryLine]] = defaultdict(list)
    rows = _by_patient(conn, """
        SELECT c.patient_pk, c.pk AS claim_pk, c.claim_id, l.pk AS line_pk, c.payer_pk, y.kind,
               coalesce(l.service_date, c.dos_from) AS service_date, l.code, l.modifiers, l.units,
               l.charge_cents, c.frequency_code, coalesce(lpr.credential, cpr.credential) AS credential,
               c.payer_status, c.last_remit_date,
               (SELECT lp.allowed_cents FROM line_payments lp
                JOIN claim_payments cp ON cp.pk = lp.claim_payment_pk
                WHERE lp.line_pk = l.pk AND cp.reversed_by_pk IS NULL AND cp.status_code != '22'
                      AND lp.allowed_cents IS NOT NULL
                ORDER BY lp.pk DESC LIMIT 1) AS allowed,
               (SELECT group_concat(DISTINCT r.code) FROM remarks r
                JOIN claim_payments cp ON cp.pk = r.claim_payment_pk
                WHERE r.claim_pk = c.pk AND cp.reversed_by_pk IS NULL AND cp.status_code != '22'
               ) AS remarks
        FROM claims c
        JOIN claim_lines l ON l.claim_pk = c.pk
        JOIN payers y ON y.pk = c.payer_pk
        LEFT JOIN providers lpr ON lpr.pk = l.rendering_provider_pk
        LEFT JOIN providers cpr ON cpr.pk = c.rendering_provider_pk
        WHERE c.patient_pk IN ({marks})
        ORDER BY service_date, c.pk, l.line_no
        """, patient_pks)
    for r in rows:
        out[r["patient_pk"]].append(HistoryLine(
            claim_pk=r["claim_pk"], claim_id=r["claim_id"], line_pk=r["line_pk"], payer_pk=r["payer_pk"],
            payer_kind=PayerKind(r["kind"]), service_date=date.fromisoformat(r["service_date"]),
            code=r["code"], modifiers=tuple(r["modifiers"].split()), units=r["units"],
            charge_cents=r["charge_cents"], allowed_cents=r["allowed"],
            frequency_code=r["frequency_code"], rendering_credential=r["credential"],
            payer_status=r["payer_status"],
            claim_remarks=tuple(r["remarks"].split(",")) if r["remarks"] else (),
            remit_date=_date(r["last_remit_date"]),
        ))
    return out


def coverages(conn: sqlite3.Connection, patient_pks: Iterable[int]) -> dict[int, list[CoverageView]]:
    out: dict[int, list[CoverageView]] = defaultdict(list)
    for r in _by_patient(conn, "SELECT v.patient_pk, v.payer_pk, v.priority, y.name FROM coverages v "
                               "JOIN payers y ON y.pk = v.payer_pk WHERE v.patient_pk IN ({marks}) "
                               "ORDER BY v.priority", patient_pks):
        out[r["patient_pk"]].append(CoverageView(r["payer_pk"], r["name"], r["priority"]))
    return out


def payer_answers(conn: sqlite3.Connection,
                  claim_pks: Sequence[int]) -> dict[int, list[tuple[str, int | None]]]:
    """(CLP02, the remittance's payer pk) of each claim's live postings: who has answered it."""
    out: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for part in chunks(list(claim_pks)):
        for claim_pk, code, payer_pk in conn.execute(
                "SELECT cp.claim_pk, cp.status_code, r.payer_pk FROM claim_payments cp "
                "JOIN remittances r ON r.pk = cp.remittance_pk "
                f"WHERE cp.claim_pk IN ({marks(part)}) AND cp.reversed_by_pk IS NULL "
                "AND cp.reversal_of_pk IS NULL ORDER BY cp.pk", list(part)):
            out[claim_pk].append((code, payer_pk))
    return out


def appeals(conn: sqlite3.Connection, claim_pks: Sequence[int]) -> dict[int, list[AppealView]]:
    out: dict[int, list[AppealView]] = defaultdict(list)
    for part in chunks(list(claim_pks)):
        for r in conn.execute(f"SELECT * FROM appeals WHERE claim_pk IN ({marks(part)}) "
                              "ORDER BY level, pk", list(part)):
            out[r["claim_pk"]].append(AppealView(
                level=r["level"], template=r["template"], status=AppealStatus(r["status"]),
                drafted_date=date.fromisoformat(r["drafted_date"]), sent_date=_date(r["sent_date"]),
                deadline=_date(r["deadline"]), outcome=r["outcome"], decided_date=_date(r["decided_date"]),
            ))
    return out


RATIO_LINES = 500  # priced lines per payer behind an allowed-to-charged ratio


def allowed_ratios(conn: sqlite3.Connection, payer_pks: Iterable[int],
                   lines: int = RATIO_LINES) -> dict[int, float]:
    """Per payer, what it allowed over what was charged on its latest priced lines: to estimate the rest.

    The latest `lines` lines it priced on live postings (reversals excluded), newest
    remittance first through `claims_payer_priced`: the cost does not grow with the
    database, and the ratio follows the payer's current fee schedule.
    """
    out: dict[int, float] = {}
    for payer_pk in sorted(set(payer_pks)):
        allowed, charged = conn.execute("""
            SELECT sum(allowed_cents), sum(charge_cents) FROM (
                SELECT lp.allowed_cents, lp.charge_cents
                FROM claims c INDEXED BY claims_payer_priced
                JOIN claim_payments cp ON cp.claim_pk = c.pk
                JOIN line_payments lp ON lp.claim_payment_pk = cp.pk
                WHERE c.payer_pk = ? AND c.last_remit_day IS NOT NULL
                      AND cp.reversed_by_pk IS NULL AND cp.status_code != '22'
                      AND lp.allowed_cents IS NOT NULL AND lp.charge_cents > 0
                ORDER BY c.last_remit_day DESC LIMIT ?)
            """, (payer_pk, lines)).fetchone()
        if charged:
            out[payer_pk] = allowed / charged
    return out


def kept_records(conn: sqlite3.Connection) -> tuple[bool, bool]:
    """Whether the database holds any authorizations, and any plans of care, at all."""
    auths = conn.execute("SELECT 1 FROM authorizations LIMIT 1").fetchone() is not None
    plans = conn.execute("SELECT 1 FROM plans_of_care LIMIT 1").fetchone() is not None
    return auths, plans
