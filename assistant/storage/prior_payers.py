"""The other payers an 837P claim names (loops 2320/2330/2430): rows written with the claim,
read back for `claim --json` and for the rules.

A claim billed to a secondary carries the primary's adjudication (what it paid, its
adjustments, when, under which claim number); a claim to the primary names the coverages
after it. `claims.other_payers_reported` tells a claim whose source carries these loops (an
837P, maybe with none) from one whose source cannot say (a CSV export).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from assistant.domain import OtherPayerAdjustment, OtherPayerLineRecord, OtherPayerRecord, OtherPayerView
from assistant.money import as_number, fmt
from assistant.storage.claims_bulk import chunks, marks

COLUMNS = (
    "payer_pk", "priority", "relationship", "group_number", "filing_indicator", "member_id",
    "paid_cents", "noncovered_cents", "patient_liability_cents", "adjudicated",
    "payer_claim_number", "adjustments", "remarks", "lines",
)
INSERT = (f"INSERT INTO claim_other_payers (claim_pk, seq, {', '.join(COLUMNS)}) "
          f"VALUES ({', '.join('?' for _ in range(len(COLUMNS) + 2))})")
_ORDINALS = {1: "primary", 2: "secondary", 3: "tertiary"}


def priority_name(priority: int) -> str:
    return _ORDINALS.get(priority, f"payer {priority}")


# --------------------------------------------------------------------------- writing


def _quantity(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _adjustments(items: Sequence[OtherPayerAdjustment]) -> list[list[Any]]:
    return [[a.group, a.code, a.amount_cents, _quantity(a.quantity)] for a in items]


def row_values(record: OtherPayerRecord, payer_pk: int) -> tuple[Any, ...]:
    """One 2320 loop as the values of `COLUMNS`: the same record always gives the same row."""
    lines = [
        {"line": ln.line_no, "code": ln.code, "modifiers": list(ln.modifiers),
         "units": _quantity(ln.units), "paid_cents": ln.paid_cents,
         "adjudicated": ln.adjudicated.isoformat() if ln.adjudicated else None,
         "patient_liability_cents": ln.patient_liability_cents,
         "adjustments": _adjustments(ln.adjustments)}
        for ln in record.lines
    ]
    return (
        payer_pk, record.priority, record.relationship, record.group_number,
        record.filing_indicator, record.member_id, record.paid_cents, record.noncovered_cents,
        record.patient_liability_cents,
        record.adjudicated.isoformat() if record.adjudicated else None, record.claim_number,
        json.dumps(_adjustments(record.adjustments)), json.dumps(list(record.remarks)),
        json.dumps(lines),
    )


def stored_rows(conn: sqlite3.Connection, claim_pk: int) -> list[tuple[Any, ...]]:
    """A claim's rows as `row_values` makes them, in loop order."""
    return [tuple(row) for row in conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM claim_other_payers WHERE claim_pk = ? ORDER BY seq",
        (claim_pk,))]


def describe_rows(conn: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> str | None:
    """What the audit trail says of a claim's other payers: payer, place, and its result."""
    if not rows:
        return None
    names = dict(conn.execute(
        f"SELECT pk, name FROM payers WHERE pk IN ({marks(rows)})", [row[0] for row in rows]))
    parts = []
    for row in rows:
        text = f"{names.get(row[0], '?')} ({priority_name(row[1])})"
        paid, adjudicated, number = row[6], row[9], row[10]
        if paid is not None:
            text += f" paid {fmt(paid)}"
        if adjudicated:
            text += f" on {adjudicated}"
        if number:
            text += f" claim {number}"
        parts.append(text)
    return "; ".join(parts)


# --------------------------------------------------------------------------- reading


def _adjustment_records(items: list[list[Any]]) -> tuple[OtherPayerAdjustment, ...]:
    return tuple(OtherPayerAdjustment(group, code, int(cents), Decimal(qty) if qty is not None else None)
                 for group, code, cents, qty in items)


def _view(row: sqlite3.Row) -> OtherPayerView:
    lines = tuple(
        OtherPayerLineRecord(
            line_no=ln["line"], paid_cents=ln["paid_cents"], code=ln["code"],
            modifiers=tuple(ln["modifiers"]),
            units=Decimal(ln["units"]) if ln["units"] is not None else None,
            adjustments=_adjustment_records(ln["adjustments"]),
            adjudicated=date.fromisoformat(ln["adjudicated"]) if ln["adjudicated"] else None,
            patient_liability_cents=ln["patient_liability_cents"])
        for ln in json.loads(row["lines"]))
    return OtherPayerView(
        payer_pk=row["payer_pk"], payer_name=row["payer_name"], priority=row["priority"],
        paid_cents=row["paid_cents"], noncovered_cents=row["noncovered_cents"],
        patient_liability_cents=row["patient_liability_cents"],
        adjudicated=date.fromisoformat(row["adjudicated"]) if row["adjudicated"] else None,
        claim_number=row["payer_claim_number"],
        adjustments=_adjustment_records(json.loads(row["adjustments"])),
        remarks=tuple(json.loads(row["remarks"])), lines=lines, member_id=row["member_id"],
        group_number=row["group_number"], filing_indicator=row["filing_indicator"],
    )


def for_claims(conn: sqlite3.Connection,
               claim_pks: Sequence[int]) -> dict[int, tuple[OtherPayerView, ...] | None]:
    """Each claim's other payers in loop order; None when its source cannot say (not an 837P)."""
    out: dict[int, tuple[OtherPayerView, ...] | None] = {}
    found: dict[int, list[OtherPayerView]] = {}
    for part in chunks(list(claim_pks)):
        for pk, reported in conn.execute(
                f"SELECT pk, other_payers_reported FROM claims WHERE pk IN ({marks(part)})", list(part)):
            out[pk] = () if reported else None
        for row in conn.execute(
                "SELECT o.*, y.name AS payer_name FROM claim_other_payers o "
                f"JOIN payers y ON y.pk = o.payer_pk WHERE o.claim_pk IN ({marks(part)}) "
                "ORDER BY o.claim_pk, o.seq", list(part)):
            found.setdefault(row["claim_pk"], []).append(_view(row))
    for pk, views in found.items():
        out[pk] = tuple(views)
    return out


def from_record(record: OtherPayerRecord) -> OtherPayerView:
    """The view of a loop of a claim not imported yet (checked before it is sent)."""
    return OtherPayerView(
        payer_pk=0, payer_name=record.payer.name, priority=record.priority,
        paid_cents=record.paid_cents, noncovered_cents=record.noncovered_cents,
        patient_liability_cents=record.patient_liability_cents, adjudicated=record.adjudicated,
        claim_number=record.claim_number, adjustments=record.adjustments, remarks=record.remarks,
        lines=record.lines, member_id=record.member_id, group_number=record.group_number,
        filing_indicator=record.filing_indicator,
    )


def as_json(views: Sequence[OtherPayerView], claim_priority: int) -> dict[str, list[dict[str, Any]]]:
    """`claim --json`: the payers that adjudicated before this one, and the other coverages named."""

    def adjustments(items: Sequence[OtherPayerAdjustment], line: int | None = None) -> list[dict[str, Any]]:
        return [{"group": a.group, "code": a.code, "amount": as_number(a.amount_cents),
                 "quantity": float(a.quantity) if a.quantity is not None else None,
                 **({"line": line} if line is not None else {})} for a in items]

    prior, others = [], []
    for v in views:
        if v.priority < claim_priority or v.adjudicated_claim:
            prior.append({
                "payer": v.payer_name, "priority": v.priority, "order": priority_name(v.priority),
                "paid": as_number(v.paid_cents) if v.paid_cents is not None else None,
                "patient_liability": (as_number(v.patient_liability_cents)
                                      if v.patient_liability_cents is not None else None),
                "noncovered": as_number(v.noncovered_cents) if v.noncovered_cents is not None else None,
                "adjudicated": v.adjudicated.isoformat() if v.adjudicated else None,
                "claim_number": v.claim_number,
                "adjustments": adjustments(v.adjustments)
                + [a for ln in v.lines for a in adjustments(ln.adjustments, ln.line_no)],
                "remarks": list(v.remarks),
                "lines": [{"line": ln.line_no, "code": ln.code, "modifiers": list(ln.modifiers),
                           "paid": as_number(ln.paid_cents),
                           "units": float(ln.units) if ln.units is not None else None,
                           "adjudicated": ln.adjudicated.isoformat() if ln.adjudicated else None}
                          for ln in v.lines],
            })
        else:
            others.append({"payer": v.payer_name, "priority": v.priority,
                           "order": priority_name(v.priority), "filing_indicator": v.filing_indicator})
    return {"prior_payers": prior, "other_coverages": others}
