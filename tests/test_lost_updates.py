"""Write paths that could lose someone's change without any race: recomputations and caches."""

from __future__ import annotations

from pathlib import Path

from assistant.domain import PracticeRecord
from assistant.paths import Locations
from assistant.services import Services
from assistant.storage import transaction
from assistant.storage.writer import Writer
from tests import letter_builders as lb
from tests.builders import claim_record, write
from tests.conftest import TODAY
from tests.remit_builders import clp, file_835, remittance, svc


def money(services: Services, claim_id: str) -> dict[str, object]:
    row = services.conn.execute(
        "SELECT paid_cents, adjusted_cents, written_off_cents, balance_cents, work_status FROM claims "
        "WHERE claim_id = ?", (claim_id,)).fetchone()
    return dict(row)


def test_a_write_off_survives_a_later_remittance(services: Services, tmp_path: Path) -> None:
    """A remittance recomputes the payers' money from its postings; the specialist's write-off
    is not the payers' and must stay (up to what is still owed)."""
    write(services.conn, claim_record("WO-1"))  # $150 + $75 billed
    first = file_835(tmp_path, "first.835", remittance(clp(
        "WO-1", "1", svc("97530", 150, 100, ("CO", "45", 20), ("PR", "2", 30)),
        svc("97110", 75, 50, ("PR", "2", 25)))))
    assert services.import_835([first])[0]["status"] == "imported"
    assert money(services, "WO-1")["balance_cents"] == 5500
    services.set_status("WO-1", "written_off", reason="balance under the collection threshold")
    assert money(services, "WO-1") == {"paid_cents": 15000, "adjusted_cents": 7500, "written_off_cents": 5500,
                                       "balance_cents": 0, "work_status": "written_off"}
    # The payer pays $10 more on the second line: the write-off now covers only what is left.
    later = file_835(tmp_path, "later.835", remittance(clp(
        "WO-1", "1", svc("97110", 75, 10, ("PR", "2", 65)), number="ICN2"), trace="TRC2"))
    assert services.import_835([later])[0]["status"] == "imported"
    assert money(services, "WO-1") == {"paid_cents": 16000, "adjusted_cents": 6500, "written_off_cents": 4500,
                                       "balance_cents": 0, "work_status": "written_off"}
    # Reopened: exactly what the write-off still held comes back; the payer's CO-45 stays.
    services.set_status("WO-1", "in_progress", reason="patient asked for a payment plan")
    assert money(services, "WO-1") == {"paid_cents": 16000, "adjusted_cents": 2000, "written_off_cents": 0,
                                       "balance_cents": 4500, "work_status": "in_progress"}


def test_a_remittance_that_pays_in_full_uses_up_the_write_off(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("WO-2"))
    services.set_status("WO-2", "written_off", reason="payer unresponsive")
    assert money(services, "WO-2")["written_off_cents"] == 22500
    paid = file_835(tmp_path, "paid.835", remittance(clp("WO-2", "1", svc("97530", 150, 150),
                                                         svc("97110", 75, 75))))
    assert services.import_835([paid])[0]["status"] == "imported"
    assert money(services, "WO-2") == {"paid_cents": 22500, "adjusted_cents": 0, "written_off_cents": 0,
                                       "balance_cents": 0, "work_status": "written_off"}


def test_a_long_lived_process_sees_the_practice_another_process_renamed(db_path: Path) -> None:
    """The terminal UI keeps one Services for hours; what it read from the database (the
    practice on the letterhead) must follow changes made by other processes."""
    kept = Services(Locations.resolve(db_path), today=TODAY, user="tester")
    lb.clinic(kept.create_database())
    first = kept.draft_appeal("MN-AET-1", preview=True)["preview"]
    assert "Harbor Hand & Occupational Therapy" in first

    other = Services(Locations.resolve(db_path), today=TODAY, user="admin")
    with transaction(other.conn):
        Writer(other.conn, "admin").practice(PracticeRecord(name="Lighthouse Hand Therapy"), replace=True)
    other.close()
    assert "Lighthouse Hand Therapy" in kept.draft_appeal("MN-AET-1", preview=True)["preview"]
    # ... and changes it makes itself.
    with transaction(kept.conn):
        Writer(kept.conn, "tester").practice(PracticeRecord(name="Seaside OT"), replace=True)
    assert "Seaside OT" in kept.draft_appeal("MN-AET-1", preview=True)["preview"]
    kept.close()


def test_a_long_lived_chat_knows_patients_another_process_imported(db_path: Path) -> None:
    from assistant.chat.engine import ChatEngine
    from assistant.chat.session import Session
    from tests.chat_fixtures import build_chat_db

    kept = Services(Locations.resolve(db_path), today=TODAY, user="tester")
    build_chat_db(kept.create_database(), fillers=5)
    engine = ChatEngine(kept, Session(interactive=False))
    assert "QZ-1" not in engine.ask("show quillfeather").claims

    other = Services(Locations.resolve(db_path), today=TODAY, user="importer")
    write(other.conn, claim_record("QZ-1", account="A7001", last="Quillfeather", first="Persephony"))
    other.close()
    assert engine.ask("show quillfeather").claims == ["QZ-1"]
    # Its own writes do not rebuild the index each time (only a change to names does).
    built = engine.knowledge
    engine.ask("note on QZ-1: called the payer")
    assert engine.knowledge is built
    kept.close()
