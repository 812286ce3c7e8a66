"""The appeals report against appeal rows written by hand (as the letters feature records them)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders import claim_record, post_denial, write


def appeal(conn, claim_id: str, level: int, template: str, drafted: str, sent: str | None = None,  # type: ignore[no-untyped-def]
           outcome: str | None = None, decided: str | None = None, recovered: int | None = None) -> None:
    status = "decided" if outcome else "sent" if sent else "drafted"
    conn.execute(
        "INSERT INTO appeals (claim_pk, level, template, status, drafted_date, sent_date, outcome, decided_date, "
        "recovered_cents) SELECT pk, ?, ?, ?, ?, ?, ?, ?, ? FROM claims WHERE claim_id = ?",
        (level, template, status, drafted, sent, outcome, decided, recovered, claim_id))


@pytest.fixture
def appeals(services):  # type: ignore[no-untyped-def]
    """AP1 won (42 days, $150 back), AP2 lost then appealed again (45 days), AP3 partly won (41 days,
    $100 back), AP4 drafted only. Overturn rate = (1 won + 1 partly won) / 3 decided = 66.7%."""
    conn = services.conn
    write(conn, claim_record("AP1"), claim_record("AP2", account="A2"),
          claim_record("AP3", account="A3", payer="Aetna"), claim_record("AP4", account="A4", payer="Aetna"))
    post_denial(conn, "AP1", "CO", "50", 225.0, remit_date=date(2026, 7, 1))
    post_denial(conn, "AP2", "CO", "4", 150.0, line=1, remit_date=date(2026, 7, 10))
    post_denial(conn, "AP3", "CO", "197", 225.0, remit_date=date(2026, 7, 20))
    post_denial(conn, "AP4", "CO", "50", 225.0, remit_date=date(2026, 10, 1))
    appeal(conn, "AP1", 1, "medicare_redetermination", "2026-07-20", "2026-07-21", "won", "2026-09-01", 15000)
    appeal(conn, "AP2", 1, "medicare_redetermination", "2026-07-30", "2026-08-01", "lost", "2026-09-15")
    appeal(conn, "AP2", 2, "medicare_reconsideration", "2026-09-30", "2026-10-01")
    appeal(conn, "AP3", 1, "commercial_appeal", "2026-08-09", "2026-08-10", "partly_won", "2026-09-20", 10000)
    appeal(conn, "AP4", 1, "commercial_appeal", "2026-11-20")
    return services


def rows(data, name):  # type: ignore[no-untyped-def]
    found = next(s for s in data["sections"] if s["name"] == name)
    keys = [c["key"] for c in found["columns"]]
    return {row[0]: dict(zip(keys, row, strict=True)) for row in found["rows"]}


def test_totals(appeals) -> None:
    data = appeals.report("appeals")
    assert data["empty"] is False
    assert (data["appeals"], data["sent"], data["pending"], data["decided"]) == (5, 4, 1, 3)
    assert (data["won"], data["partly_won"], data["lost"]) == (1, 1, 1)
    assert data["overturn_rate"] == 66.7
    assert data["recovered"] == 250.0
    assert data["days_to_decision"] == 42.7  # (42 + 45 + 41) / 3


def test_by_level_template_payer_and_category(appeals) -> None:
    data = appeals.report("appeals")
    level = rows(data, "by_level")
    assert (level[1]["appeals"], level[1]["decided"], level[1]["overturn_rate"]) == (4, 3, 66.7)
    assert (level[2]["appeals"], level[2]["pending"], level[2]["overturn_rate"]) == (1, 1, None)
    template = rows(data, "by_template")
    assert template["medicare_redetermination"]["overturn_rate"] == 50.0
    assert template["commercial_appeal"]["recovered"] == 100.0
    payer = rows(data, "by_payer")
    assert (payer["Medicare Part B"]["appeals"], payer["Aetna"]["appeals"]) == (3, 2)
    category = rows(data, "by_category")
    assert set(category) == {"medical_necessity", "coding", "authorization"}
    assert (category["coding"]["appeals"], category["coding"]["lost"]) == (2, 1)
    assert (category["medical_necessity"]["appeals"], category["medical_necessity"]["won"]) == (2, 1)


def test_period_is_the_sent_date(appeals) -> None:
    data = appeals.report("appeals", date_from=date(2026, 9, 1))
    assert (data["appeals"], data["sent"], data["decided"]) == (2, 1, 0)  # AP2 level 2 and AP4's draft
    assert data["overturn_rate"] is None


def test_payer_filter(appeals) -> None:
    data = appeals.report("appeals", payer="Aetna")
    assert (data["appeals"], data["decided"], data["overturn_rate"], data["recovered"]) == (2, 1, 100.0, 100.0)


def test_empty_database(services) -> None:
    data = services.report("appeals")
    assert data["empty"] is True and data["appeals"] == 0
    assert data["overturn_rate"] is None and data["days_to_decision"] is None
    assert all(s["rows"] == [] for s in data["sections"])


def test_appeals_recorded_by_the_letters_lifecycle(services) -> None:
    """Rows as `appeal`, `appeal-sent` and `appeal-decided` write them."""
    from assistant.letters.appeals import DraftRecord, mark_decided, mark_sent, record_draft
    from assistant.storage import transaction

    conn = services.conn
    write(conn, claim_record("L1"))
    post_denial(conn, "L1", "CO", "50", 225.0, remit_date=date(2026, 9, 1))
    pk = conn.execute("SELECT pk FROM claims WHERE claim_id = 'L1'").fetchone()[0]
    with transaction(conn):
        record_draft(conn, DraftRecord(pk, 1, "medicare_redetermination", None, date(2027, 1, 4)),
                     date(2026, 9, 10), "tester")
        mark_sent(conn, "L1", "fax", date(2026, 9, 11), "tester")
        mark_decided(conn, "L1", "partly_won", date(2026, 10, 21), "tester", recovered_cents=9000)
    data = services.report("appeals")
    assert (data["appeals"], data["decided"], data["partly_won"], data["overturn_rate"]) == (1, 1, 1, 100.0)
    assert (data["recovered"], data["days_to_decision"]) == (90.0, 40.0)
    assert rows(data, "by_category")["medical_necessity"]["appeals"] == 1
