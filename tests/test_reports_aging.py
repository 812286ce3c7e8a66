"""The aging report: the worklist's aging with periods, CSV and report sections; totals agree."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from tests.builders import claim_record, post_denial, post_remit, write


@pytest.fixture
def aged(services):  # type: ignore[no-untyped-def]
    """Balances as of 2026-11-26, aged from the first date of service:

    A1 Medicare  Oct 27 (30 days)   225 unpaid        0-30
    A2 Medicare  Oct 26 (31 days)   225 denied        31-60
    A3 Medicare  Sep 10 (77 days)   paid 120, CO-45 45, PR-2 60: 60 left   61-90
    A4 Aetna     Aug 10 (108 days)  225 denied        91-120
    A5 Aetna     Jun 1 (178 days)   225 unpaid        120+
    A6 Medicare  May 1              paid in full      not open
    """
    conn = services.conn
    write(conn, claim_record("A1", dos=date(2026, 10, 27)), claim_record("A2", account="B2", dos=date(2026, 10, 26)),
          claim_record("A3", account="B3", dos=date(2026, 9, 10)),
          claim_record("A4", account="B4", payer="Aetna", dos=date(2026, 8, 10)),
          claim_record("A5", account="B5", payer="Aetna", dos=date(2026, 6, 1)),
          claim_record("A6", account="B6", dos=date(2026, 5, 1)))
    post_denial(conn, "A2", "CO", "50", 225.0, remit_date=date(2026, 11, 10))
    post_remit(conn, "A3", [("CO", "45", 30.0, 1), ("PR", "2", 40.0, 1), ("CO", "45", 15.0, 2), ("PR", "2", 20.0, 2)],
               paid={1: 80.0, 2: 40.0}, remit_date=date(2026, 10, 1))
    post_denial(conn, "A4", "CO", "197", 225.0, remit_date=date(2026, 9, 1))
    post_remit(conn, "A6", [("CO", "45", 45.0, None)], paid={1: 120.0, 2: 60.0}, remit_date=date(2026, 6, 1))
    return services


def test_buckets_and_totals(aged) -> None:
    data = aged.report("aging")
    assert [(b["label"], b["balance"], b["claims"]) for b in data["buckets"]] == [
        ("0-30", 225.0, 1), ("31-60", 225.0, 1), ("61-90", 60.0, 1), ("91-120", 225.0, 1), ("120+", 225.0, 1)]
    assert (data["total_balance"], data["total_claims"]) == (960.0, 5)
    assert sum(b["balance"] for b in data["buckets"]) == data["total_balance"]
    assert (data["ar_over_90"], data["ar_over_120"]) == (46.9, 23.4)  # 450 / 960, 225 / 960
    by_payer = {p["payer"]: p for p in data["by_payer"]}
    assert (by_payer["Medicare Part B"]["total_balance"], by_payer["Aetna"]["total_balance"]) == (510.0, 450.0)
    table = next(s for s in data["sections"] if s["name"] == "by_payer")
    assert table["rows"][-1] == ["Total", 225.0, 225.0, 60.0, 225.0, 225.0, 960.0, 46.9]


def test_aging_total_is_the_worklists_open_balance(aged) -> None:
    """A worklist over every open claim (no filter, snoozed ones too) owes what the aging holds,
    also after a write-off, which takes the balance out of both."""
    folder = aged.locations.config / "worklists"
    folder.mkdir(parents=True)
    (folder / "all-open.toml").write_text('name = "all-open"\ndescription = "every open claim"\n'
                                          'sort = "score"\n\n[filter]\ninclude_snoozed = true\n')
    aged.set_status("A5", "written_off", reason="small balance, not worth the call")
    data = aged.report("aging")
    worklist = aged.worklist("all-open", limit=1)
    assert (data["total_balance"], data["total_claims"]) == (735.0, 4)
    assert (worklist["total_balance"], worklist["total_claims"]) == (735.0, 4)
    assert data["total_balance"] == aged.aging()["total_balance"] == aged.summary()["open_balance"]


def test_period_keeps_claims_by_first_date_of_service(aged) -> None:
    data = aged.report("aging", date_from=date(2026, 8, 1), date_to=date(2026, 10, 26))
    assert (data["total_balance"], data["total_claims"]) == (510.0, 3)  # A2, A3, A4
    aetna = aged.report("aging", payer="Aetna")
    assert (aetna["payer"], aetna["total_balance"], aetna["ar_over_120"]) == ("Aetna", 450.0, 50.0)


def test_aging_csv(aged, run_cli, db_path: Path) -> None:
    out = run_cli("--db", str(db_path), "--today", "2026-11-26", "report", "aging", "--csv", "--section", "buckets")
    assert out.exit_code == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["Days since service"], r["Balance"], r["Claims"]) for r in rows] == [
        ("0-30", "225.00", "1"), ("31-60", "225.00", "1"), ("61-90", "60.00", "1"), ("91-120", "225.00", "1"),
        ("120+", "225.00", "1")]


def test_empty_database(services) -> None:
    data = services.report("aging")
    assert data["empty"] is True and data["total_balance"] == 0.0 and data["total_claims"] == 0
    assert data["ar_over_90"] is None
    assert [b["balance"] for b in data["buckets"]] == [0.0] * 5
