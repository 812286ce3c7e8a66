"""Loading what the rules need costs what the claims asked for, not what the database holds."""

from __future__ import annotations

import re
from datetime import date

from assistant.rules.assess import assess_many
from assistant.rules.context import load_contexts
from assistant.storage import transaction
from assistant.storage.clinical import allowed_ratios
from tests.builders import claim_record, post_denial, post_remit, write
from tests.conftest import TODAY

# "Is there any at all?" probes read one row whatever the size of the table.
_PROBE = re.compile(r"^SELECT 1 FROM \w+ LIMIT 1$")


def _statements(services, pks: list[int]) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    services.conn.set_trace_callback(seen.append)
    try:
        assess_many(services.conn, pks, TODAY, services.locations.playbook_files)
    finally:
        services.conn.set_trace_callback(None)
    return seen


def test_assessing_one_claim_searches_every_table_by_key(services) -> None:
    conn = services.conn
    write(conn, *[claim_record(f"M{i}", account=f"A{i % 3}", dos=date(2026, 8, i + 1)) for i in range(12)],
          *[claim_record(f"C{i}", account=f"B{i}", payer="Aetna", dos=date(2026, 8, i + 1)) for i in range(6)])
    for i in range(8):
        post_remit(conn, f"M{i}", [("CO", "45", 45.0, 1)], paid={1: 105.0, 2: 75.0}, allowed={1: 105.0, 2: 75.0})
    post_denial(conn, "C1", "CO", "50", 225.0, remarks=["N115"])
    # No ANALYZE: without statistics SQLite plans as for a large database, which is the point.
    pks = [pk for (pk,) in conn.execute("SELECT pk FROM claims WHERE claim_id IN ('M9', 'C1')")]
    statements = _statements(services, pks)
    assert any("claims_payer_priced" in s for s in statements)  # the Medicare claim's ratio was read
    for sql in statements:
        if _PROBE.match(" ".join(sql.split())):
            continue
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
        scans = [step for step in plan if step.startswith("SCAN ") and not step.startswith("SCAN (")]
        assert not scans, (sql, plan)


def test_allowed_ratio_follows_the_payers_latest_priced_lines(services) -> None:
    conn = services.conn
    write(conn, *[claim_record(f"R{i}", account=f"A{i}", dos=date(2026, 6, i + 1),
                               lines=(("97530", ("GO",), 2, 100.0),)) for i in range(6)])
    for i in range(3):  # older remittances allowed half the charge, newer ones 80%
        post_remit(conn, f"R{i}", paid={1: 40.0}, allowed={1: 50.0}, remit_date=date(2026, 7, 1))
        post_remit(conn, f"R{i + 3}", paid={1: 64.0}, allowed={1: 80.0}, remit_date=date(2026, 9, 1))
    medicare = conn.execute("SELECT pk FROM payers WHERE name = 'Medicare Part B'").fetchone()[0]
    assert allowed_ratios(conn, [medicare]) == {medicare: 0.65}
    assert allowed_ratios(conn, [medicare], lines=3) == {medicare: 0.8}
    # a reversed posting no longer counts
    with transaction(conn):
        conn.execute("UPDATE claim_payments SET reversed_by_pk = pk WHERE claim_pk IN "
                     "(SELECT pk FROM claims WHERE claim_id IN ('R3', 'R4', 'R5'))")
    assert allowed_ratios(conn, [medicare]) == {medicare: 0.5}
    aetna = conn.execute("SELECT pk FROM payers WHERE name = 'Aetna'").fetchone()[0]
    assert allowed_ratios(conn, [aetna]) == {}


def test_only_medicare_claims_read_a_ratio(services) -> None:
    """Only the Medicare therapy threshold estimates unpriced lines from it."""
    conn = services.conn
    write(conn, claim_record("MC", dos=date(2026, 9, 1)),
          claim_record("AE", account="A2", payer="Aetna", dos=date(2026, 9, 1)),
          claim_record("MC-OLD", account="A3", dos=date(2026, 8, 1)),
          claim_record("AE-OLD", account="A4", payer="Aetna", dos=date(2026, 8, 1)))
    post_remit(conn, "MC-OLD", paid={1: 100.0, 2: 50.0}, allowed={1: 120.0, 2: 60.0})
    post_remit(conn, "AE-OLD", paid={1: 100.0, 2: 50.0}, allowed={1: 120.0, 2: 60.0})
    pks = dict(conn.execute("SELECT claim_id, pk FROM claims"))
    contexts = load_contexts(conn, [pks["MC"], pks["AE"]], TODAY)
    assert contexts[pks["MC"]].allowed_ratio == 0.8
    assert contexts[pks["AE"]].allowed_ratio is None
    assert not any("claims_payer_priced" in s for s in _statements(services, [pks["AE"]]))
