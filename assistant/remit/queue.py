"""The unmatched queue: claim payments from 835s that matched no claim, waiting for a person.

The list shows what the payer sent to identify the claim (its claim id, payer claim number,
service dates) and the money, never patient names: a queue is printed, pasted into tickets
and left in scrollback, and it holds payments for people who may not be our patients at
all. Names and member ids are shown for one payment at a time, on request, because that is
when a specialist needs them to find the claim in the practice system.
Reversed pairs (a payment and the reversal that undid it) net to nothing and are not listed.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from assistant.errors import NotFound
from assistant.money import as_number

_SELECT = """
    SELECT cp.pk, cp.patient_control_number, cp.status_code, cp.charge_cents, cp.paid_cents,
           cp.patient_resp_cents, cp.payer_claim_number, cp.service_from, cp.service_to,
           r.payer_name, r.payer_identifier, r.trace_number, r.payment_date, f.name AS file,
           cp.patient_name, cp.member_id
    FROM claim_payments cp
    JOIN remittances r ON r.pk = cp.remittance_pk
    LEFT JOIN import_files f ON f.pk = r.import_file_pk
"""


def _payment(row: sqlite3.Row, *, show_names: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row["pk"],
        "claim_id": row["patient_control_number"],
        "status_code": row["status_code"],
        "charge": as_number(row["charge_cents"]),
        "paid": as_number(row["paid_cents"]),
        "patient_responsibility": as_number(row["patient_resp_cents"]),
        "payer_claim_number": row["payer_claim_number"],
        "service_from": row["service_from"],
        "service_to": row["service_to"],
        "payer": row["payer_name"],
        "payer_id": row["payer_identifier"],
        "trace_number": row["trace_number"],
        "payment_date": row["payment_date"],
        "file": row["file"],
    }
    if show_names:
        data["patient_name"] = row["patient_name"]
        data["member_id"] = row["member_id"]
    return data


def unmatched_payments(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The queue, oldest first."""
    rows = conn.execute(
        _SELECT + " WHERE cp.claim_pk IS NULL AND cp.reversed_by_pk IS NULL "
                  "AND cp.reversal_of_pk IS NULL ORDER BY cp.pk")
    return [_payment(row, show_names=False) for row in rows]


def unmatched_payment(conn: sqlite3.Connection, pk: int, *, show_names: bool = False) -> dict[str, Any]:
    """One queued payment with its lines, adjustments and remarks."""
    row = conn.execute(_SELECT + " WHERE cp.pk = ? AND cp.claim_pk IS NULL", (pk,)).fetchone()
    if row is None:
        raise NotFound(f"no unmatched payment {pk}; `ar-assistant unmatched` lists them")
    data = _payment(row, show_names=show_names)
    adjustments: dict[int | None, list[dict[str, Any]]] = {}
    for adj in conn.execute(
            "SELECT line_payment_pk, group_code, reason_code, amount_cents FROM adjustments "
            "WHERE claim_payment_pk = ? ORDER BY pk", (pk,)):
        adjustments.setdefault(adj[0], []).append(
            {"group": adj[1], "code": adj[2], "amount": as_number(adj[3])})
    remarks: dict[int | None, list[str]] = {}
    for line_pk, code in conn.execute(
            "SELECT line_payment_pk, code FROM remarks WHERE claim_payment_pk = ? ORDER BY pk", (pk,)):
        remarks.setdefault(line_pk, []).append(code)
    data["adjustments"] = adjustments.get(None, [])
    data["remarks"] = remarks.get(None, [])
    data["lines"] = [
        {"code": line["code"], "modifiers": line["modifiers"].split(),
         "original_code": line["original_code"], "service_date": line["service_date"],
         "charge": as_number(line["charge_cents"]), "paid": as_number(line["paid_cents"]),
         "units": line["units"], "control_number": line["control_number"],
         "adjustments": adjustments.get(line["pk"], []), "remarks": remarks.get(line["pk"], [])}
        for line in conn.execute(
            "SELECT * FROM line_payments WHERE claim_payment_pk = ? ORDER BY pk", (pk,))
    ]
    return data
