"""Writing imported claims: idempotent, changes audited, lines with postings protected."""

from __future__ import annotations

from assistant.ingest import ParsedBatch, write_batch
from assistant.storage import transaction
from assistant.storage.claims import ClaimFilter
from tests.builders import PAYERS, claim_record, write


def test_claim_written_with_lines_diagnoses_and_an_audit_entry(services) -> None:
    write(services.conn, claim_record("C1"))
    data = services.claim("C1")
    assert data["billed"] == 225.0 and data["balance"] == 225.0 and data["status"] == "submitted"
    assert [(ln["code"], ln["modifiers"], ln["units"]) for ln in data["lines"]] == [
        ("97530", ["GO"], 2.0), ("97110", ["GO"], 1.0)]
    assert data["diagnoses"] == ["M6281", "Z9181"]
    assert data["payer"] == {"name": "Medicare Part B", "kind": "medicare", "payer_id": "04412"}
    assert [a["note"] for a in data["activities"]] == ["claim created"]


def test_same_claim_twice_changes_nothing(services) -> None:
    write(services.conn, claim_record("C1"))
    before = services.claim("C1")
    with transaction(services.conn):
        counts = write_batch(services.conn, ParsedBatch(claims=[claim_record("C1")]), "t", "again")
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 1)
    assert services.claim("C1") == before


def test_changed_claim_is_updated_and_audited(services) -> None:
    write(services.conn, claim_record("C1"))
    changed = claim_record("C1", lines=(("97530", ("GO",), 3, 225.0), ("97110", ("GO",), 1, 75.0)))
    write(services.conn, changed, source="second.837")
    data = services.claim("C1")
    assert data["billed"] == 300.0 and data["balance"] == 300.0
    history = [(a["field"], a["before"], a["after"], a["note"]) for a in data["activities"]]
    assert ("billed_cents", "22500", "30000", None) in history
    assert ("lines", None, None, "line 1: 97530-GO x2 150.00 -> 97530-GO x3 225.00") in history


def test_payer_settings_and_aliases(services) -> None:
    write(services.conn, claim_record("C1", payer="Blue Cross Blue Shield"))
    rows = services.claims(ClaimFilter(payer="bcbs"))
    assert [r["claim_id"] for r in rows] == ["C1"]
    assert PAYERS["Aetna"].unit_rule is not None
