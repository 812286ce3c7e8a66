"""Fee-schedule import (located errors) and the underpayments report against hand-computed lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.builders import OTA, claim_record, post_remit, write

FEES = """Payer,CPT,Modifier,Allowed,Effective From,Effective To
Medicare Part B,97530,,40.00,2026-01-01,2026-12-31
Medicare,97110,,35.00,2026-01-01,
Medicare Part B,97530,CO,34.00,2026-01-01,2026-12-31
Aetna,97530,,$60.00,,
"""


def fee_file(tmp_path: Path, text: str, name: str = "fees.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def priced(services, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Lines compared with the fee schedule above (expected = fee x units):

    U1 97530 x2  B6 70.00  expected 80.00  short 10.00   underpaid
    U1 97110 x1  B6 35.00  expected 35.00                ok
    U2 97530 x2 (GO CO)  paid 54.40 + PR 13.60 = 68.00, CO fee 34 x 2 = 68.00    ok
    U2 97110 x1  paid 20 + PR 5 + CO-253 0.50 = 25.50  expected 35.00  short 9.50  underpaid
    U3 97530 x2  B6 100.00  expected 120.00  short 20.00  underpaid (Aetna)
    U3 97110     no Aetna fee                                      without fee
    U4 97530     denied CO-50: not compared; 97110 B6 35.00        ok
    U5 97530 on 2027-01-10: the 97530 fee ended 2026-12-31         without fee
    """
    conn = services.conn
    write(conn, claim_record("U1"),
          claim_record("U2", account="A2", rendering=OTA,
                       lines=(("97530", ("GO", "CO"), 2, 150.0), ("97110", ("GO",), 1, 75.0))),
          claim_record("U3", account="A3", payer="Aetna"), claim_record("U4", account="A4"),
          claim_record("U5", account="A5", dos=date(2027, 1, 10), lines=(("97530", ("GO",), 2, 150.0),)))
    post_remit(conn, "U1", [("CO", "45", 80.0, 1), ("PR", "2", 14.0, 1), ("CO", "45", 40.0, 2), ("PR", "2", 7.0, 2)],
               paid={1: 56.0, 2: 28.0}, allowed={1: 70.0, 2: 35.0})
    post_remit(conn, "U2", [("CO", "45", 82.0, 1), ("PR", "2", 13.6, 1), ("CO", "45", 49.5, 2),
                            ("PR", "2", 5.0, 2), ("CO", "253", 0.5, 2)], paid={1: 54.4, 2: 20.0})
    post_remit(conn, "U3", [("CO", "45", 50.0, 1), ("CO", "45", 35.0, 2)], paid={1: 100.0, 2: 40.0},
               allowed={1: 100.0, 2: 40.0})
    post_remit(conn, "U4", [("CO", "50", 150.0, 1), ("CO", "45", 40.0, 2), ("PR", "2", 7.0, 2)],
               paid={2: 28.0}, allowed={2: 35.0})
    post_remit(conn, "U5", [("CO", "45", 70.0, 1)], paid={1: 80.0}, allowed={1: 80.0},
               remit_date=date(2027, 2, 1))
    [result] = services.import_fee_schedule([fee_file(tmp_path, FEES)])
    assert result.status == "imported", result.error
    return services


def test_underpayments(priced) -> None:
    data = priced.report("underpayments")
    assert data["empty"] is False
    assert data["lines_compared"] == 6
    assert data["lines_without_fee"] == 2
    assert data["lines_underpaid"] == 3
    assert data["underpaid_rate"] == 50.0
    assert data["expected"] == 373.0  # 80 + 35 + 68 + 35 + 120 + 35
    assert data["allowed"] == 333.5  # 70 + 35 + 68 + 25.5 + 100 + 35
    assert data["short"] == 39.5  # 10 + 9.5 + 20
    lines = next(s for s in data["sections"] if s["name"] == "lines")
    keys = [c["key"] for c in lines["columns"]]
    found = [dict(zip(keys, row, strict=True)) for row in lines["rows"]]
    assert [(r["claim_id"], r["code"], r["expected"], r["allowed"], r["short"], r["allowed_from"])
            for r in found] == [("U3", "97530", 120.0, 100.0, 20.0, "AMT*B6"),
                                ("U1", "97530", 80.0, 70.0, 10.0, "AMT*B6"),
                                ("U2", "97110", 35.0, 25.5, 9.5, "paid + PR")]
    payers = next(s for s in data["sections"] if s["name"] == "by_payer")["rows"]
    assert payers == [["Aetna", 1, 1, 120.0, 100.0, 20.0], ["Medicare Part B", 5, 2, 253.0, 233.5, 19.5]]


def test_underpayments_period_and_payer(priced) -> None:
    data = priced.report("underpayments", date_to=date(2026, 12, 31))
    assert (data["lines_compared"], data["lines_without_fee"]) == (6, 1)  # U5 is in 2027
    aetna = priced.report("underpayments", payer="Aetna")
    assert (aetna["lines_compared"], aetna["lines_underpaid"], aetna["short"]) == (1, 1, 20.0)


def test_no_fee_schedule_says_how_to_load_one(services) -> None:
    write(services.conn, claim_record("X"))
    post_remit(services.conn, "X", [("CO", "45", 100.0, None)], paid={1: 80.0, 2: 45.0})
    data = services.report("underpayments")
    assert data["empty"] is True and data["lines_compared"] == 0 and data["underpaid_rate"] is None
    assert "import fee-schedule" in data["note"]


def test_reimport_is_a_duplicate_and_a_new_version_replaces(services, tmp_path: Path) -> None:
    write(services.conn, claim_record("X"))
    [first] = services.import_fee_schedule([fee_file(tmp_path, FEES)])
    assert (first.status, first.created, first.updated) == ("imported", 4, 0)
    [again] = services.import_fee_schedule([fee_file(tmp_path, FEES)])
    assert again.status == "duplicate"
    [newer] = services.import_fee_schedule([fee_file(tmp_path, FEES.replace("40.00", "41.00"), "fees2.csv")])
    assert (newer.status, newer.created, newer.updated) == ("imported", 0, 4)
    assert services.conn.execute("SELECT count(*) FROM fee_schedule").fetchone()[0] == 4
    assert services.conn.execute(
        "SELECT allowed_cents FROM fee_schedule WHERE code = '97530' AND modifier = '' "
        "AND payer_pk = (SELECT pk FROM payers WHERE name = 'Medicare Part B')").fetchone()[0] == 4100


@pytest.mark.parametrize(("text", "error"), [
    ("Payer,CPT,Allowed\nMedicare,97530,40\nMedicare,97110,forty\n",
     "fees.csv: line 3: column 'Allowed': not an amount"),
    ("Payer,CPT,Allowed\nCigna,97530,40\n", "fees.csv: line 2: column 'Payer': no payer 'Cigna'"),
    ("Payer,CPT,Allowed\nMedicare,9753,40\n", "fees.csv: line 2: column 'CPT': not a CPT/HCPCS code"),
    ("Payer,Code,Mod,Allowed\nMedicare,97530,GO KX,40\n", "fees.csv: line 2: column 'Mod': one modifier per row"),
    ("Payer,CPT,Allowed\nMedicare,97530,-4\n", "fees.csv: line 2: column 'Allowed': must be an amount"),
    ("Payer,CPT,Allowed,Start,End\nMedicare,97530,40,2026-06-01,2026-01-01\n",
     "fees.csv: line 2: column 'End': ends before the fee starts"),
    ("Payer,CPT,Allowed,Start\nMedicare,97530,40,2026-13-01\n", "fees.csv: line 2: column 'Start': not a date"),
    ("Payer,CPT,Allowed\nMedicare,97530,40\nMedicare,97530,41\n",
     "fees.csv: line 3: column 'CPT': 97530 for this payer and start date is also on line 2"),
    ("Payer,CPT,Allowed\nMedicare,,40\n", "fees.csv: line 2: column 'CPT': is empty"),
    ("Payer,Code\nMedicare,97530\n", "fees.csv: no header row with payer, code and allowed amount"),
    ("Payer,CPT,Allowed\n", "fees.csv: holds no fee rows"),
])
def test_import_errors_are_located_and_change_nothing(services, tmp_path: Path, text: str, error: str) -> None:
    write(services.conn, claim_record("X"))
    [result] = services.import_fee_schedule([fee_file(tmp_path, text)])
    assert result.status == "rejected"
    assert result.error.startswith(error), result.error
    assert services.conn.execute("SELECT count(*) FROM fee_schedule").fetchone()[0] == 0


def test_import_cli(services, run_cli, db_path: Path, tmp_path: Path) -> None:
    write(services.conn, claim_record("X"))
    good = fee_file(tmp_path, FEES)
    bad = fee_file(tmp_path, "Payer,CPT,Allowed\nMedicare,97530,x\n", "bad.csv")
    out = run_cli("--db", str(db_path), "import", "fee-schedule", str(good))
    assert out.exit_code == 0, out.stderr
    assert "imported  fees.csv: 4 fees (4 new, 0 replaced)" in out.stdout
    out = run_cli("--db", str(db_path), "import", "fee-schedule", str(bad), "--json")
    assert out.exit_code == 1
    [row] = out.json()
    assert row["status"] == "rejected" and row["error"] == "bad.csv: line 2: column 'Allowed': not an amount"


def test_assistant_lines_at_medicare_and_charges_below_the_fee(services, tmp_path: Path) -> None:
    """CO at Medicare is expected at 85% of a fee that is not CO's own (S25); a charge below the
    fee caps what is expected (payers allow the lesser of the two)."""
    write(services.conn,
          claim_record("CO1", rendering=OTA, lines=(("97110", ("GO", "CO"), 2, 150.0),)),
          claim_record("LOW", account="A2", lines=(("97110", ("GO",), 1, 25.0),)),
          claim_record("CO2", account="A3", payer="Aetna", lines=(("97110", ("GO", "CO"), 1, 75.0),)))
    post_remit(services.conn, "CO1", [("CO", "45", 99.17, 1)], paid={1: 50.83}, allowed={1: 50.83})
    post_remit(services.conn, "LOW", [], paid={1: 25.0}, allowed={1: 25.0})
    post_remit(services.conn, "CO2", [("CO", "45", 50.0, 1)], paid={1: 25.0}, allowed={1: 25.0})
    services.import_fee_schedule([fee_file(tmp_path, "payer,code,allowed\nMedicare,97110,29.90\n"
                                                     "Aetna,97110,29.90\n")])
    data = services.report("underpayments")
    assert (data["lines_compared"], data["lines_underpaid"]) == (3, 1)
    assert data["expected"] == 105.73  # 59.80 x 85% = 50.83, 25.00 (the charge), 29.90 (no 85% at Aetna)
    [line] = next(s for s in data["sections"] if s["name"] == "lines")["rows"]
    assert (line[0], line[-2]) == ("CO2", 4.9)
