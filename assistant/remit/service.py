"""Importing one 835 file: read, check, balance, post, all in one transaction.

The result is the dict `import 835 --json` prints for the file. A file already imported
(same bytes) is `duplicate` and changes nothing; a file that cannot be read, holds CLP
segments but yields no claim, or (with `strict`) does not balance is `rejected` with a
located reason, and the database is left exactly as it was.
"""

from __future__ import annotations

import gc
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, ImportFailed
from assistant.ingest import already_imported, file_digest, record_import
from assistant.money import as_number
from assistant.remit.balance import Imbalance
from assistant.remit.posting import PostingResult, post_remittances
from assistant.remit.reader import Read835, read_835
from assistant.storage import transaction

KIND = "835"
_CLP_SEGMENT = re.compile(rb"(?:^|[^A-Za-z0-9])CLP[^A-Za-z0-9\s]")


def import_835(conn: sqlite3.Connection, path: Path, *, user: str, strict: bool = False) -> dict[str, Any]:
    """Import one file; never raises for a bad file (the result says `rejected` and why)."""
    with _collector_paused():
        return _import(conn, path, user, strict)


def _import(conn: sqlite3.Connection, path: Path, user: str, strict: bool) -> dict[str, Any]:
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _result(name, "rejected", error=f"{name}: cannot read ({exc.strerror})")
    digest = file_digest(data)
    if already_imported(conn, KIND, digest):
        return _result(name, "duplicate", warnings=[f"{name}: already imported; nothing changed"])
    try:
        read = _read(data, name)
        imbalances = [i for rem in read.remittances for i in read.imbalances(rem)]
        if strict and imbalances:
            first = imbalances[0]
            raise ImportFailed(name, None, f"does not balance in {len(imbalances)} place(s), "
                                           f"first {first.message} (--strict)")
        with transaction(conn):
            import_pk = record_import(conn, KIND, digest, name, read.claims, {})
            posting = post_remittances(conn, read, import_file_pk=import_pk, user=user)
            if posting.claim_pks:  # a payment or a new denial decides an appeal sent before it
                from assistant.letters.appeals import settle_from_remittances

                settle_from_remittances(conn, user, posting.claim_pks)
            result = _summary(read, imbalances, posting)
            conn.execute("UPDATE import_files SET summary = ? WHERE pk = ?",
                         (_stored_summary(result), import_pk))
    except ImportFailed as exc:
        return _result(name, "rejected", error=exc.message)
    except AssistantError as exc:
        return _result(name, "rejected", error=f"{name}: {exc.message}")
    except sqlite3.IntegrityError as exc:
        if already_imported(conn, KIND, digest):  # imported meanwhile by another process
            return _result(name, "duplicate", warnings=[f"{name}: already imported; nothing changed"])
        return _result(name, "rejected", error=f"{name}: conflicts with the database ({exc})")
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading a large file makes millions of small acyclic objects; the cycle collector
    would scan them again and again for nothing. It is paused until they are freed again
    (the caller's locals are gone when this exits), so re-enabling it finds little to do."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read(data: bytes, name: str) -> Read835:
    try:
        read = read_835(data, name)
    except ImportFailed:
        raise
    except Exception as exc:  # any bytes must end as a result, never a traceback
        raise ImportFailed(name, None, f"cannot be read as X12 ({type(exc).__name__})") from exc
    written = data.count(b"CLP")
    if written > read.claims:
        segments = len(_CLP_SEGMENT.findall(data))
        if segments and not read.claims:
            raise ImportFailed(name, None, f"holds {segments} CLP segment(s) but no claim could be "
                                           "read from them; nothing was imported")
        if segments > read.claims:
            read.warnings.append(f"{name}: the text holds {segments} CLP segments but "
                                 f"{read.claims} claims were read (the others are outside an 835 set)")
    return read


def _result(name: str, status: str, *, error: str | None = None,
            warnings: list[str] | None = None) -> dict[str, Any]:
    return {
        "file": name, "status": status, "error": error, "transactions": [], "claims": 0,
        "service_lines": 0, "charge_total": 0.0, "paid_total": 0.0,
        "patient_responsibility_total": 0.0, "adjustments": [], "remark_codes": {},
        "matched": 0, "unmatched": 0, "secondary_payments": 0, "balanced": None, "imbalances": [],
        "warnings": warnings or [],
    }


def _summary(read: Read835, imbalances: list[Imbalance], posting: PostingResult) -> dict[str, Any]:
    result = _result(read.name, "imported")
    adjustments: dict[tuple[str, str], int] = {}  # a large file: plain dicts, updated only when needed
    remarks: Counter[str] = Counter()
    lines = charge = paid = responsibility = 0
    for rem, posted in zip(read.remittances, posting.posted, strict=True):
        for clp in rem.claims:
            charge += clp.charge_cents
            paid += clp.paid_cents
            responsibility += clp.patient_resp_cents
            lines += len(clp.services)
            if clp.remarks:
                remarks.update(clp.remarks)
            for adj in clp.adjustments:
                key = adj.group, adj.reason
                adjustments[key] = adjustments.get(key, 0) + adj.amount_cents
            for svc in clp.services:
                if svc.remarks:
                    remarks.update(svc.remarks)
                for adj in svc.adjustments:
                    key = adj.group, adj.reason
                    adjustments[key] = adjustments.get(key, 0) + adj.amount_cents
        result["transactions"].append({
            "payer_name": rem.payer_name,
            "payer_id": rem.payer_id,
            "trace_number": rem.trace_number,
            "payment_amount": as_number(rem.payment_cents),
            "payment_date": rem.payment_date.isoformat() if rem.payment_date else None,
            "claims": len(rem.claims),
            "plb_total": as_number(sum(p.amount_cents for p in rem.provider_adjustments)),
            "posted": posted,
        })
    result.update({
        "claims": read.claims,
        "service_lines": lines,
        "charge_total": as_number(charge),
        "paid_total": as_number(paid),
        "patient_responsibility_total": as_number(responsibility),
        "adjustments": [{"group": g, "code": c, "amount": as_number(a)}
                        for (g, c), a in sorted(adjustments.items())],
        "remark_codes": dict(sorted(remarks.items())),
        "matched": posting.matched,
        "unmatched": posting.unmatched,
        "secondary_payments": posting.later_payers,
        "balanced": not imbalances,
        "imbalances": [i.as_dict() for i in imbalances],
        "warnings": [*read.skipped, *read.all_warnings, *posting.warnings,
                     *(i.message for i in imbalances)],
    })
    return result


def _stored_summary(result: dict[str, Any]) -> str:
    import json

    keep = ("claims", "service_lines", "charge_total", "paid_total", "matched", "unmatched", "balanced")
    return json.dumps({key: result[key] for key in keep})
