"""The appeal lifecycle: drafted -> sent -> decided, by hand or from a later 835, audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.domain import PayerKind, PayerView
from assistant.errors import InvalidInput
from assistant.letters import appeals
from assistant.storage import audit, transaction
from assistant.storage.claims import load_claim
from tests import letter_builders as lb
from tests.builders import claim_record, write

DRAFTED = date(2026, 10, 5)


def drafted(services, claim_id: str = "C1", payer: str = "Medicare Part B", level: int = 1) -> int:
    write(services.conn, claim_record(claim_id, payer=payer, account=f"A-{claim_id}"))
    lb.remit(services.conn, claim_id, adjustments=[(1, "CO", "50", 150.0)], day=date(2026, 10, 1))
    pk = load_claim(services.conn, claim_id).pk
    with transaction(services.conn):
        appeals.record_draft(services.conn, appeals.DraftRecord(pk, level, "medical_necessity",
                                                                Path("/x/C1.docx"), date(2027, 1, 29)),
                             DRAFTED, "tester")
    return pk


def history(services, pk: int) -> list[tuple[str | None, str | None, str | None]]:
    return [(a.field, a.before, a.after) for a in audit.history(services.conn, pk) if a.kind == "appeal"]


def payer(kind: PayerKind, windows: dict[str, int] | None = None) -> PayerView:
    return PayerView(pk=1, name="P", kind=kind, payer_id=None, timely_filing_days=None,
                     appeal_windows=windows, unit_rule=None)


def test_next_level_deadlines_follow_the_decision_date() -> None:
    decided = date(2026, 9, 2)
    medicare = payer(PayerKind.MEDICARE)
    # 180 days from receipt, presumed 5 days after the decision (fact sheet 7.1)
    assert appeals.next_level_deadline(medicare, 1, decided) == date(2027, 3, 6)
    assert appeals.next_level_deadline(medicare, 2, decided) == date(2026, 11, 6)  # ALJ: 60 + 5
    assert appeals.next_level_deadline(medicare, 5, decided) is None
    assert appeals.next_level_deadline(payer(PayerKind.COMMERCIAL), 1, decided) == date(2026, 11, 1)
    assert appeals.next_level_deadline(payer(PayerKind.COMMERCIAL, {"2": 90}), 1, decided) == date(2026, 12, 1)
    assert appeals.decision_wait_days(medicare, 1) == 60
    assert appeals.decision_wait_days(payer(PayerKind.COMMERCIAL), 1) == 45


def test_drafting_again_before_sending_updates_the_same_appeal(services) -> None:
    pk = drafted(services)
    with transaction(services.conn):
        appeals.record_draft(services.conn, appeals.DraftRecord(pk, 1, "generic", None, None),
                             date(2026, 10, 6), "tester")
    rows = appeals.list_rows(services.conn, date(2026, 10, 6))
    assert [(r["template"], r["status"], r["drafted_date"]) for r in rows] == [
        ("generic", "drafted", "2026-10-06")]
    assert history(services, pk) == [("appeal_status", None, "drafted"),
                                     ("appeal_letter", "medical_necessity", "generic")]


def test_sent_then_decided_lost_opens_the_next_level(services) -> None:
    pk = drafted(services)
    assert load_claim(services.conn, "C1").work_status.value == "in_progress"  # drafting starts the work
    with transaction(services.conn):
        sent = appeals.mark_sent(services.conn, "C1", "fax", date(2026, 10, 7), "tester")
    assert (sent.status.value, sent.channel, sent.sent_date) == ("sent", "fax", date(2026, 10, 7))
    claim = load_claim(services.conn, "C1")
    assert claim.work_status.value == "appealed" and claim.follow_up_date == date(2026, 12, 6)  # 60 days
    with transaction(services.conn):
        appeals.mark_decided(services.conn, "C1", "lost", date(2026, 11, 20), "tester")
    row = appeals.list_rows(services.conn, date(2026, 11, 26))[0]
    assert (row["status"], row["outcome"], row["next_level_deadline"]) == ("decided", "lost", "2027-05-24")
    claim = load_claim(services.conn, "C1")
    assert claim.work_status.value == "in_progress" and claim.follow_up_date == date(2026, 11, 20)
    assert history(services, pk) == [
        ("appeal_status", None, "drafted"),
        ("appeal_status", "drafted", "sent"),
        ("work_status", "in_progress", "appealed"),
        ("follow_up_date", None, "2026-12-06"),
        ("appeal_outcome", "sent", "lost"),
        ("work_status", "appealed", "in_progress"),
        ("follow_up_date", None, "2026-11-20"),
    ]
    assert claim.version > 1


def test_won_by_hand_waits_for_the_payment(services) -> None:
    drafted(services, payer="Aetna")
    with transaction(services.conn):
        appeals.mark_sent(services.conn, "C1", "portal", date(2026, 10, 7), "tester")
        decided = appeals.mark_decided(services.conn, "C1", "won", date(2026, 11, 1), "tester",
                                       recovered_cents=15000, payment_wait_days=30)
    assert decided.outcome == "won" and decided.recovered_cents == 15000
    claim = load_claim(services.conn, "C1")
    assert claim.work_status.value == "waiting_payer" and claim.follow_up_date == date(2026, 12, 1)


def test_steps_out_of_order_or_with_bad_values_are_refused(services) -> None:
    drafted(services)
    conn = services.conn
    with pytest.raises(InvalidInput, match="sent via 'pigeon'"):
        appeals.mark_sent(conn, "C1", "pigeon", date(2026, 10, 7), "tester")
    with pytest.raises(InvalidInput, match="before the letter was drafted"):
        appeals.mark_sent(conn, "C1", "mail", date(2026, 10, 1), "tester")
    with pytest.raises(InvalidInput, match="no appeal awaiting a decision"):
        appeals.mark_decided(conn, "C1", "won", date(2026, 11, 1), "tester")
    with transaction(conn):
        appeals.mark_sent(conn, "C1", "mail", date(2026, 10, 7), "tester")
    with pytest.raises(InvalidInput, match="nothing to send"):
        appeals.mark_sent(conn, "C1", "mail", date(2026, 10, 8), "tester")
    with pytest.raises(InvalidInput, match="decision 'maybe'"):
        appeals.mark_decided(conn, "C1", "maybe", date(2026, 11, 1), "tester")
    with pytest.raises(InvalidInput, match="before the appeal was sent"):
        appeals.mark_decided(conn, "C1", "won", date(2026, 10, 1), "tester")
    write(services.conn, claim_record("C2"))
    with pytest.raises(InvalidInput, match="it has no appeal"):
        appeals.mark_sent(conn, "C2", "mail", date(2026, 10, 7), "tester")


@pytest.mark.parametrize(("paid", "adjustments", "outcome"), [
    (150.0, [], "won"),
    (75.0, [(1, "CO", "50", 75.0)], "partly_won"),
    (0.0, [(1, "CO", "50", 150.0)], "lost"),
])
def test_a_later_835_decides_the_appeal(services, paid, adjustments, outcome) -> None:
    pk = drafted(services)
    with transaction(services.conn):
        appeals.mark_sent(services.conn, "C1", "mail", date(2026, 10, 7), "tester")
    lb.remit(services.conn, "C1", day=date(2026, 11, 12), paid=paid, adjustments=adjustments,
             payer_claim_number="2026316000999")
    with transaction(services.conn):
        found = appeals.settle_from_remittances(services.conn, "tester", [pk])
    assert found == [("C1", outcome)]
    row = appeals.list_rows(services.conn, date(2026, 11, 26))[0]
    assert (row["outcome"], row["decided_date"], row["recovered"]) == (outcome, "2026-11-12", paid)
    entry = next(a for a in audit.history(services.conn, pk) if a.field == "appeal_outcome")
    assert entry.details["source"] == "remittance"
    with transaction(services.conn):
        assert appeals.settle_from_remittances(services.conn, "tester") == []


def test_remittances_before_sending_and_contractual_adjustments_decide_nothing(services) -> None:
    drafted(services)
    with transaction(services.conn):
        appeals.mark_sent(services.conn, "C1", "mail", date(2026, 10, 7), "tester")
    lb.remit(services.conn, "C1", day=date(2026, 11, 12), paid=0.0, adjustments=[(1, "CO", "45", 10.0)])
    with transaction(services.conn):
        assert appeals.settle_from_remittances(services.conn, "tester") == []


def test_a_decision_past_due_is_overdue(services) -> None:
    drafted(services, payer="Aetna")
    with transaction(services.conn):
        appeals.mark_sent(services.conn, "C1", "fax", date(2026, 10, 7), "tester")
    assert appeals.list_rows(services.conn, date(2026, 11, 21), "overdue") == []
    overdue = appeals.list_rows(services.conn, date(2026, 11, 22), "overdue")
    assert [(r["claim_id"], r["decision_due"], r["overdue"]) for r in overdue] == [("C1", "2026-11-21", True)]
    assert load_claim(services.conn, "C1").follow_up_date == date(2026, 11, 21)  # back on the worklist then
    assert appeals.list_rows(services.conn, date(2026, 11, 22), "drafted") == []
    with pytest.raises(InvalidInput, match="status 'lost'"):
        appeals.list_rows(services.conn, date(2026, 11, 22), "lost")


def test_an_imported_835_that_pays_the_appealed_claim_decides_the_appeal(services, tmp_path: Path) -> None:
    from tests.remit_builders import clp, file_835, remittance, svc

    write(services.conn, claim_record("C1"))
    denial = clp("C1", "1", svc("97530", 150, 0, ("CO", "50", 150)), svc("97110", 75, 60, ("CO", "45", 15)))
    services.import_835([file_835(tmp_path, "denial.835", remittance(denial, paid_on=date(2026, 9, 20)))])
    services.draft_appeal("C1")
    services.appeal_sent("C1", "fax", date(2026, 11, 26))
    paid = clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30)), number="ICN2")
    (result,) = services.import_835([file_835(tmp_path, "paid.835", remittance(paid, trace="TRC2",
                                                                               paid_on=date(2026, 12, 2)),
                                              control=2)])
    assert result["status"] == "imported", result["error"]
    (row,) = appeals.list_rows(services.conn, date(2026, 12, 3), "decided")
    assert (row["claim_id"], row["outcome"], row["decided_date"]) == ("C1", "won", "2026-12-02")
