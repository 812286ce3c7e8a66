"""Reading many claims at once: the same `ClaimView`s as `load_claim`, in a handful of queries.

A worklist refresh assesses every open claim; one query per table per chunk keeps that fast.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from assistant.domain import (
    AccidentView,
    AdjustmentView,
    ClaimView,
    LineView,
    PatientView,
    PayerStatus,
    PayerView,
    WorkStatus,
)
from assistant.storage.claims import payer_view

CHUNK = 500


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def marks(values: Sequence[Any]) -> str:
    return ",".join("?" for _ in values)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def payer_views(conn: sqlite3.Connection, payer_pks: Iterable[int]) -> dict[int, PayerView]:
    pks = sorted(set(payer_pks))
    return {row["pk"]: payer_view(row) for part in chunks(pks)
            for row in conn.execute(f"SELECT * FROM payers WHERE pk IN ({marks(part)})", list(part))}


def checked_claim_pks(conn: sqlite3.Connection) -> list[int]:
    """The claims `check --all` reads: every claim not written off. Closed ones too: a claim
    closes when its balance reaches zero, and a paid claim can still carry an error its payer
    may recoup on review (an OTA's service without CO, units the minutes do not support)."""
    return [pk for (pk,) in conn.execute(
        "SELECT pk FROM claims WHERE work_status <> 'written_off' ORDER BY pk")]


def all_claim_pks(conn: sqlite3.Connection) -> list[int]:
    return [pk for (pk,) in conn.execute("SELECT pk FROM claims ORDER BY pk")]


def _postings(conn: sqlite3.Connection, table: str, columns: str, pks: Sequence[int]) -> list[sqlite3.Row]:
    return conn.execute(
        f"""
        SELECT x.claim_pk, {columns}, lp.line_pk, x.line_payment_pk
        FROM {table} x
        JOIN claim_payments cp ON cp.pk = x.claim_payment_pk
        LEFT JOIN line_payments lp ON lp.pk = x.line_payment_pk
        WHERE x.claim_pk IN ({marks(pks)}) AND cp.reversed_by_pk IS NULL AND cp.status_code != '22'
        ORDER BY x.pk
        """,
        list(pks),
    ).fetchall()


def _note_minutes(conn: sqlite3.Connection, patient_pks: Iterable[int]) -> dict[tuple[int, str, str], int]:
    patients = sorted(set(patient_pks))
    out: dict[tuple[int, str, str], int] = {}
    for part in chunks(patients):
        for patient_pk, doc_date, code, minutes in conn.execute(
            f"SELECT d.patient_pk, d.doc_date, nm.code, nm.minutes FROM note_minutes nm "
            f"JOIN documents d ON d.pk = nm.document_pk WHERE d.patient_pk IN ({marks(part)})",
            list(part),
        ):
            out[(patient_pk, doc_date, code)] = minutes
    return out


def load_claims(conn: sqlite3.Connection, pks: Sequence[int],
                payers: dict[int, PayerView] | None = None) -> dict[int, ClaimView]:
    """ClaimViews by pk, equal to what `load_claim` returns for each.

    `payers` may hold the payer views already read; the others are read as needed.
    """
    known: dict[int, PayerView] = dict(payers or {})
    views: dict[int, ClaimView] = {}
    for part in chunks(list(pks)):
        views.update(_load_chunk(conn, part, known))
    return views


def _load_chunk(conn: sqlite3.Connection, pks: Sequence[int],
                payers: dict[int, PayerView]) -> dict[int, ClaimView]:
    rows = conn.execute(
        f"""
        SELECT c.*, p.account, p.last_name, p.first_name, p.dob, p.member_id AS patient_member_id,
               rp.npi AS rendering_npi, rp.last_name AS r_last, rp.first_name AS r_first,
               rp.credential AS rendering_credential,
               ref.npi AS referring_npi, ref.last_name AS ref_last, ref.first_name AS ref_first
        FROM claims c
        JOIN patients p ON p.pk = c.patient_pk
        LEFT JOIN providers rp ON rp.pk = c.rendering_provider_pk
        LEFT JOIN providers ref ON ref.pk = c.referring_provider_pk
        WHERE c.pk IN ({marks(pks)})
        """,
        list(pks),
    ).fetchall()
    if not rows:
        return {}
    missing = {row["payer_pk"] for row in rows} - set(payers)
    if missing:
        payers.update(payer_views(conn, missing))
    claim_adj: dict[int, list[AdjustmentView]] = defaultdict(list)
    line_adj: dict[int, list[AdjustmentView]] = defaultdict(list)
    for r in _postings(conn, "adjustments", "x.group_code, x.reason_code, x.amount_cents, x.quantity",
                       pks):
        adj = AdjustmentView(r["group_code"], r["reason_code"], r["amount_cents"], r["quantity"])
        if r["line_payment_pk"] is None or r["line_pk"] is None:
            claim_adj[r["claim_pk"]].append(adj)
        else:
            line_adj[r["line_pk"]].append(adj)
    claim_rem: dict[int, list[str]] = defaultdict(list)
    line_rem: dict[int, list[str]] = defaultdict(list)
    for r in _postings(conn, "remarks", "x.code", pks):
        target = (claim_rem[r["claim_pk"]] if r["line_payment_pk"] is None or r["line_pk"] is None
                  else line_rem[r["line_pk"]])
        if r["code"] not in target:
            target.append(r["code"])
    minutes_on_file = _note_minutes(conn, (row["patient_pk"] for row in rows))
    lines_by_claim: dict[int, list[sqlite3.Row]] = defaultdict(list)
    for line in conn.execute(
        f"""
        SELECT l.*, pr.npi AS r_npi, pr.credential AS r_credential
        FROM claim_lines l LEFT JOIN providers pr ON pr.pk = l.rendering_provider_pk
        WHERE l.claim_pk IN ({marks(pks)}) ORDER BY l.claim_pk, l.line_no
        """,
        list(pks),
    ):
        lines_by_claim[line["claim_pk"]].append(line)
    dx_by_claim: dict[int, list[str]] = defaultdict(list)
    for claim_pk, code in conn.execute(
        f"SELECT claim_pk, code FROM diagnoses WHERE claim_pk IN ({marks(pks)}) ORDER BY claim_pk, seq",
        list(pks),
    ):
        dx_by_claim[claim_pk].append(code)

    def person(last: str | None, first: str | None) -> str | None:
        return f"{first} {last}".strip() if last else None

    views: dict[int, ClaimView] = {}
    for row in rows:
        dos_from = date.fromisoformat(row["dos_from"])
        lines = []
        for line in lines_by_claim.get(row["pk"], ()):
            service_date = _date(line["service_date"]) or dos_from
            minutes = line["minutes"]
            if minutes is None:
                minutes = minutes_on_file.get((row["patient_pk"], service_date.isoformat(), line["code"]))
            lines.append(LineView(
                pk=line["pk"], line_no=line["line_no"], code=line["code"],
                modifiers=tuple(line["modifiers"].split()), units=line["units"], minutes=minutes,
                charge_cents=line["charge_cents"], paid_cents=line["paid_cents"],
                dx_pointers=tuple(int(p) for p in line["dx_pointers"].split()),
                service_date=service_date,
                rendering_npi=line["r_npi"] or row["rendering_npi"],
                rendering_credential=line["r_credential"] or row["rendering_credential"],
                adjustments=tuple(line_adj.get(line["pk"], ())),
                remarks=tuple(line_rem.get(line["pk"], ())),
                service_date_to=_date(line["service_date_to"]),
            ))
        views[row["pk"]] = ClaimView(
            pk=row["pk"], claim_id=row["claim_id"],
            patient=PatientView(pk=row["patient_pk"], account=row["account"],
                                last_name=row["last_name"], first_name=row["first_name"],
                                dob=_date(row["dob"]),
                                member_id=row["member_id"] or row["patient_member_id"]),
            payer=payers[row["payer_pk"]],
            dos_from=dos_from, dos_to=date.fromisoformat(row["dos_to"]),
            billed_cents=row["billed_cents"], paid_cents=row["paid_cents"],
            adjusted_cents=row["adjusted_cents"], patient_resp_cents=row["patient_resp_cents"],
            balance_cents=row["balance_cents"], payer_status=PayerStatus(row["payer_status"]),
            work_status=WorkStatus(row["work_status"]), frequency_code=row["frequency_code"],
            place_of_service=row["place_of_service"], coverage_priority=row["coverage_priority"],
            member_id=row["member_id"], prior_auth=row["prior_auth"],
            payer_claim_number=row["payer_claim_number"],
            submitted_date=_date(row["submitted_date"]), follow_up_date=_date(row["follow_up_date"]),
            assignee=row["assignee"], last_remit_date=_date(row["last_remit_date"]),
            rendering_npi=row["rendering_npi"], rendering_name=person(row["r_last"], row["r_first"]),
            rendering_credential=row["rendering_credential"],
            referring_name=person(row["ref_last"], row["ref_first"]),
            referring_npi=row["referring_npi"],
            diagnoses=tuple(dx_by_claim.get(row["pk"], ())),
            lines=tuple(lines),
            adjustments=tuple(claim_adj.get(row["pk"], ())),
            remarks=tuple(claim_rem.get(row["pk"], ())),
            version=row["version"],
            patient_paid_cents=row["patient_paid_cents"],
            patient_adjusted_cents=row["patient_adjusted_cents"],
            accident=_accident(row),
        )
    return views


def _accident(row: sqlite3.Row) -> AccidentView | None:
    causes = tuple((row["accident_causes"] or "").split())
    if row["accident_date"] is None and not causes:
        return None
    return AccidentView(day=_date(row["accident_date"]), causes=causes, state=row["accident_state"])
