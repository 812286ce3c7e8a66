"""The worklist commands end to end: JSON, CSV and text, notes and statuses, history, errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from assistant.services import Services
from tests.conftest import TODAY
from tests.worklist_cases import practice


@pytest.fixture
def db(services: Services, db_path: Path) -> str:
    practice(services)
    services.close()
    return str(db_path)


def run(run_cli, db: str, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("--db", db, "--today", TODAY.isoformat(), *args)


def test_worklist_json_is_ranked_with_a_why_on_every_row(run_cli, db: str) -> None:
    result = run(run_cli, db, "worklist", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert {"worklist", "today", "total_claims", "total_balance", "rows"} <= set(data)
    assert data["worklist"] == "today" and data["total_claims"] == 4
    keys = {"rank", "claim_id", "patient", "payer", "dos", "age_days", "balance", "category", "codes",
            "next_action", "deadline", "days_left", "score", "why"}
    for row in data["rows"]:
        assert keys <= set(row) and row["why"]
    assert [r["score"] for r in data["rows"]] == sorted((r["score"] for r in data["rows"]), reverse=True)


def test_worklist_csv_and_text(run_cli, db: str) -> None:
    result = run(run_cli, db, "worklist", "denials-medicare", "--csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["claim_id"] for r in rows] == ["DEN-SOON", "DEN-LATER"]
    assert rows[0]["codes"] == "CO-50 N115" and rows[0]["days_left"] == "9"
    assert rows[0]["why"] == "$225 - 136 days - appeal due in 9 days - CO-50 medical necessity"
    text = run(run_cli, db, "worklist", "--limit", "2")
    assert text.exit_code == 0 and "today - 2026-11-26 - 4 claims, $2,550.00" in text.stdout
    assert "appeal due in 9 days" in text.stdout and "2 more (--offset 2)" in text.stdout
    both = run(run_cli, db, "worklist", "--json", "--csv")
    assert both.exit_code == 1 and "choose one of --json and --csv" in both.stderr


def test_worklists_lists_the_definitions(run_cli, db: str) -> None:
    data = run(run_cli, db, "worklists", "--json").json()
    assert data[0]["name"] == "today" and len(data) == 6
    assert "deadline-7-days" in run(run_cli, db, "worklists").stdout


def test_snooze_hides_until_today_reaches_the_date(run_cli, db: str) -> None:
    assert run(run_cli, db, "follow-up", "NORESP", "12/10/2026").exit_code == 0
    names = [r["claim_id"] for r in run(run_cli, db, "worklist", "--json").json()["rows"]]
    assert "NORESP" not in names
    later = run_cli("--db", db, "--today", "2026-12-10", "worklist", "--json").json()
    row = next(r for r in later["rows"] if r["claim_id"] == "NORESP")
    assert "follow-up due today" in row["why"]
    assert run(run_cli, db, "follow-up", "NORESP", "none").exit_code == 0
    assert "NORESP" in [r["claim_id"] for r in run(run_cli, db, "worklist", "--json").json()["rows"]]


def test_notes_and_status_changes_show_in_history(run_cli, db: str) -> None:
    result = run(run_cli, db, "note", "NORESP", "Claim not on file; resubmitting", "--rep", "Ann B",
                 "--ref", "CALL-5521", "--outcome", "not on file", "--follow-up", "+14")
    assert result.exit_code == 0, result.stderr
    assert run(run_cli, db, "status", "NORESP", "in_progress").exit_code == 0
    assert run(run_cli, db, "assign", "NORESP", "me").exit_code == 0
    history = run(run_cli, db, "history", "NORESP", "--json").json()
    note = next(a for a in history if a["kind"] == "note")
    assert note["details"] == {"rep": "Ann B", "reference": "CALL-5521", "outcome": "not on file"}
    changes = [(a["field"], a["before"], a["after"]) for a in history if a["kind"] != "note"]
    assert ("follow_up_date", None, "2026-12-10") in changes
    assert ("work_status", "new", "in_progress") in changes
    assert ("assignee", None, "tester") in changes
    text = run(run_cli, db, "history", "NORESP").stdout
    assert "rep Ann B, reference CALL-5521" in text and "work status new -> in_progress" in text


def test_status_errors_and_write_off(run_cli, db: str) -> None:
    refused = run(run_cli, db, "status", "AUTH", "written_off")
    assert refused.exit_code == 1 and "a write-off needs a reason" in refused.stderr
    done = run(run_cli, db, "status", "AUTH", "written_off", "--reason", "no auth obtainable", "--json")
    assert done.exit_code == 0 and done.json()["balance"] == 0
    unknown = run(run_cli, db, "status", "NOPE", "closed")
    assert unknown.exit_code == 1 and "no claim 'NOPE'" in unknown.stderr
    stale = run(run_cli, db, "assign", "DEN-SOON", "jlee", "--expect-version", "1")  # posted: version 2
    assert stale.exit_code == 1 and "changed since you read it" in stale.stderr
    bad_date = run(run_cli, db, "follow-up", "NORESP", "someday")
    assert bad_date.exit_code == 1 and "not a date: 'someday'" in bad_date.stderr


def test_a_follow_up_date_can_be_typed_as_in_the_chat(run_cli, db: str) -> None:
    assert run(run_cli, db, "follow-up", "NORESP", "next tues").exit_code == 0
    history = run(run_cli, db, "history", "NORESP", "--json").json()
    assert ("follow_up_date", None, "2026-12-01") in [(a["field"], a["before"], a["after"]) for a in history]


def test_bulk_over_a_worklist(run_cli, db: str) -> None:
    result = run(run_cli, db, "bulk", "assign", "jlee", "--worklist", "denials-medicare", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["changed"] == 2
    mine = run(run_cli, db, "bulk", "follow-up", "+7", "--claims", "DEN-SOON,AUTH")
    assert mine.exit_code == 0 and "2 of 2 claims changed" in mine.stdout
    neither = run(run_cli, db, "bulk", "assign", "x")
    assert neither.exit_code == 1 and "--claims or --worklist" in neither.stderr


def test_aging_command(run_cli, db: str) -> None:
    data = run(run_cli, db, "aging", "--json").json()
    assert sum(b["claims"] for b in data["buckets"]) == data["total_claims"] == 6
    text = run(run_cli, db, "aging").stdout
    assert "0-30" in text and "120+" in text and "Medicare Part B" in text


def test_a_broken_user_worklist_stops_the_command_with_file_and_key(run_cli, db: str, tmp_path: Path) -> None:
    folder = tmp_path / "config" / "worklists"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text("[filter]\ncategories = ['med-nec']\n")
    result = run(run_cli, db, "worklist")
    assert result.exit_code == 1
    assert "mine.toml: [filter] categories: 'med-nec' is not one of" in result.stderr


def test_filter_options_select_like_the_chat_and_narrow_a_saved_worklist(run_cli, db: str) -> None:
    aetna = run(run_cli, db, "worklist", "--payer", "aetna", "--json").json()
    assert aetna["worklist"] == "ad hoc" and {r["claim_id"] for r in aetna["rows"]} == {"NORESP", "AUTH"}
    denied = run(run_cli, db, "worklist", "--payer", "aetna", "--denied", "--json").json()
    assert [r["claim_id"] for r in denied["rows"]] == ["AUTH"]
    big = run(run_cli, db, "worklist", "--min-balance", "1000", "--json").json()
    assert [r["claim_id"] for r in big["rows"]] == ["NORESP"]
    medicare = run(run_cli, db, "worklist", "denials-medicare", "--json").json()
    narrowed = run(run_cli, db, "worklist", "denials-medicare", "--max-age", "60", "--json").json()
    assert narrowed["worklist"] == "denials-medicare"
    assert [r["claim_id"] for r in narrowed["rows"]] == [r["claim_id"] for r in medicare["rows"]
                                                          if r["age_days"] <= 60] != []
    unknown = run(run_cli, db, "worklist", "--payer", "nosuch")
    assert unknown.exit_code == 1 and "no payer 'nosuch'" in unknown.stderr and "[filter]" not in unknown.stderr
    bad = run(run_cli, db, "worklist", "--category", "nonsense")
    assert bad.exit_code == 1 and "--category" in bad.stderr


def test_check_and_bulk_act_on_a_filtered_selection(run_cli, db: str) -> None:
    checked = run(run_cli, db, "check", "--payer", "aetna", "--json").json()
    assert checked["checked"] == 2
    everything = run(run_cli, db, "check", "--all", "--json").json()
    assert everything["checked"] > checked["checked"]
    both = run(run_cli, db, "check", "NORESP", "--payer", "aetna")
    assert both.exit_code == 1 and "--all, or --worklist / filter options" in both.stderr
    assigned = run(run_cli, db, "bulk", "assign", "jlee", "--payer", "aetna", "--json")
    assert assigned.exit_code == 0, assigned.stderr
    assert assigned.json()["changed"] == 2
    mine = run(run_cli, db, "worklist", "--assignee", "jlee", "--json").json()
    assert {r["claim_id"] for r in mine["rows"]} == {"NORESP", "AUTH"}
