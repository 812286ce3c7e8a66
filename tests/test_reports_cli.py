"""`report NAME` and `reports` through the real CLI: tables, JSON, CSV, filters and errors."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from assistant.reports import REPORTS
from tests.builders import claim_record, post_denial, post_remit, write


@pytest.fixture
def db(services, db_path: Path) -> Path:  # type: ignore[no-untyped-def]
    conn = services.conn
    write(conn, claim_record("P1"), claim_record("D1", account="A2", payer="Aetna"),
          claim_record("D2", account="A3", lines=(("97530", (), 2, 150.0), ("97110", ("GO",), 1, 75.0))))
    post_remit(conn, "P1", [("CO", "45", 45.0, None)], paid={1: 120.0, 2: 60.0}, remit_date=date(2026, 10, 1))
    post_denial(conn, "D1", "CO", "197", 225.0, remit_date=date(2026, 10, 2))
    post_remit(conn, "D2", [("CO", "4", 150.0, 1), ("CO", "45", 15.0, 2)], paid={2: 60.0},
               remit_date=date(2026, 11, 3))
    return db_path


def test_reports_lists_every_report_with_its_definition(db: Path, run_cli) -> None:
    out = run_cli("--db", str(db), "reports", "--json")
    assert out.exit_code == 0
    assert [r["name"] for r in out.json()] == list(REPORTS)
    assert all(r["title"] and r["definition"] for r in out.json())
    text = run_cli("--db", str(db), "reports").stdout
    assert "denials: Denial analytics" in text and "HFMA" in text


def test_report_json_names_money_as_numbers(db: Path, run_cli) -> None:
    out = run_cli("--db", str(db), "report", "denials", "--json")
    assert out.exit_code == 0, out.stderr
    data = out.json()
    assert data["report"] == "denials" and data["as_of"] == date.today().isoformat()
    assert (data["claims_adjudicated"], data["claims_denied"], data["denied"]) == (3, 2, 375.0)
    assert isinstance(data["denied"], float)
    assert {s["name"] for s in data["sections"]} >= {"by_category", "by_payer", "root_causes"}


def test_report_table_for_people(db: Path, run_cli) -> None:
    out = run_cli("--db", str(db), "--today", "2026-11-26", "report", "denials")
    assert out.exit_code == 0, out.stderr
    text = out.stdout
    assert text.startswith("Denial analytics  (as of 2026-11-26; all dates; payer: all)")
    assert "Initial denial rate (claims)" in text and "66.7%" in text and "$375.00" in text
    assert "Top root causes" in text and "put GO (not GP or GN) on every Medicare Part B OT line" in text


def test_report_limits_rows_on_screen(db: Path, run_cli) -> None:
    text = run_cli("--db", str(db), "report", "denials", "--limit", "1").stdout
    assert "... 1 more row (--limit 0, --csv or --json for all)" in text


def test_report_csv_blocks_and_one_section(db: Path, run_cli) -> None:
    out = run_cli("--db", str(db), "report", "denials", "--csv")
    assert out.exit_code == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["Denial analytics"]
    assert rows[1] == ["figure", "label", "value", "kind"]
    assert ["denied", "Denied dollars", "375.00", "money"] in rows
    assert ["By payer"] in rows
    header = rows[rows.index(["By payer"]) + 1]
    assert header[:3] == ["Payer", "Claims adjudicated", "Claims denied"]
    out = run_cli("--db", str(db), "report", "denials", "--csv", "--section", "by_payer")
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {r["Payer"]: r["Denied"] for r in table} == {"Aetna": "225.00", "Medicare Part B": "150.00"}
    assert {r["Payer"]: r["Denial rate"] for r in table} == {"Aetna": "100.0", "Medicare Part B": "50.0"}


def test_report_csv_writes_an_empty_figure_as_an_empty_cell(services, db_path: Path, run_cli) -> None:
    out = run_cli("--db", str(db_path), "report", "denials", "--csv")
    assert ["denial_rate", "Initial denial rate (claims)", "", "rate"] in list(csv.reader(io.StringIO(out.stdout)))


def test_report_filters(db: Path, run_cli) -> None:
    out = run_cli("--db", str(db), "report", "denials", "--from", "2026-11-01", "--json")
    assert out.json()["claims_adjudicated"] == 1
    out = run_cli("--db", str(db), "report", "denials", "--payer", "aetna", "--to", "2026-10-31", "--json")
    data = out.json()
    assert data["payer"] == "Aetna" and data["period"] == {"from": None, "to": "2026-10-31"}
    assert (data["claims_adjudicated"], data["denial_rate"]) == (1, 100.0)


@pytest.mark.parametrize(("args", "message"), [
    (("report", "nonsense"), "Invalid value for 'NAME'"),
    (("report", "denials", "--from", "2026-02-30"), "not a date"),
    (("report", "denials", "--from", "2026-11-01", "--to", "2026-10-01"), "ends (2026-10-01) before it starts"),
    (("report", "denials", "--payer", "Cigna"), "no payer 'Cigna'"),
    (("report", "denials", "--json", "--csv"), "choose one of --json and --csv"),
    (("report", "denials", "--section", "by_payer"), "--section goes with --csv"),
    (("report", "denials", "--csv", "--section", "nope"), "no section 'nope'"),
])
def test_report_errors(db: Path, run_cli, args: tuple[str, ...], message: str) -> None:
    out = run_cli("--db", str(db), *args)
    assert out.exit_code != 0
    assert message in out.stderr


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_runs_on_an_empty_database(services, db_path: Path, run_cli, name: str) -> None:
    for args in ((), ("--json",), ("--csv",)):
        out = run_cli("--db", str(db_path), "report", name, *args)
        assert out.exit_code == 0, (name, args, out.stderr)
    data = run_cli("--db", str(db_path), "report", name, "--json").json()
    assert data["empty"] is True
    assert all(f["value"] in (0, 0.0, None) for f in data["figures"]), data["figures"]
    assert "nothing to count" in run_cli("--db", str(db_path), "report", name).stdout


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_runs_on_a_small_database(db: Path, run_cli, name: str) -> None:
    out = run_cli("--db", str(db), "--today", "2026-11-26", "report", name, "--json")
    assert out.exit_code == 0, out.stderr
    data = out.json()
    assert data["report"] == name and data["sections"]
    for s in data["sections"]:
        assert all(len(row) == len(s["columns"]) for row in s["rows"])
