"""The rules commands end to end, bulk loading against single loading, and the light cold start."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from assistant.domain import AuthorizationRecord
from assistant.rules.assess import assess, assess_many
from assistant.storage.claims import load_claim
from assistant.storage.claims_bulk import all_claim_pks, load_claims
from tests.builders import OTA, claim_record, post_denial, post_remit, write, write_clinical
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[1]


def test_explain_json(run_cli) -> None:
    result = run_cli("explain", "CO-197", "197", "N115", "PR-2", "--json")
    assert result.exit_code == 0, result.stderr
    rows = result.json()
    assert [(r["code"], r["kind"], r["group"]) for r in rows] == [
        ("CO-197", "carc", "CO"), ("197", "carc", None), ("N115", "rarc", None), ("PR-2", "carc", "PR")]
    for row in rows:
        assert {"code", "kind", "group", "meaning", "category", "actions", "appealable"} <= set(row)


def test_explain_text_and_errors(run_cli) -> None:
    out = run_cli("explain", "CO-50", "CO-999")
    assert out.exit_code == 0 and "Not medically necessary" in out.stdout and "unknown" in out.stdout
    bad = run_cli("explain", "hello")
    assert bad.exit_code == 1 and bad.stderr.strip() == "error: not a CARC, RARC or group code: 'hello'"


def test_units_json(run_cli) -> None:
    data = run_cli("units", "97110=30", "97140=15", "97035=8", "97014=30", "--json").json()
    assert data["rule"] == "cms" and data["total_minutes"] == 53 and data["total_units"] == 4
    assert data["units"] == {"97110": 2, "97140": 1, "97035": 1, "97014": 1} and data["notes"]
    per_code = run_cli("units", "97112=24", "97110=23", "--rule", "per-code", "--json").json()
    assert per_code["rule"] == "per_code" and per_code["units"] == {"97112": 2, "97110": 2}
    assert run_cli("units", "97110").exit_code == 1


def test_explain_and_units_never_open_the_database(run_cli, tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    assert run_cli("--db", str(missing), "explain", "CO-50").exit_code == 0
    assert run_cli("--db", str(missing), "units", "97110=23").exit_code == 0
    assert not missing.exists()


def test_cold_start_imports_nothing_heavy() -> None:
    code = ("import sys\nfrom assistant.cli.main import main\n"
            "try:\n    main(['explain', 'CO-50', '--json'])\nexcept SystemExit:\n    pass\n"
            "try:\n    main(['units', '97110=23', '--json'])\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlite_utils', 'textual', 'docx', 'jinja2', 'sqlite3', 'rapidfuzz'))\n"
            "print('HEAVY', heavy, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "HEAVY []" in proc.stderr


def _planted(services) -> None:  # type: ignore[no-untyped-def]
    conn = services.conn
    write(conn,
          claim_record("CLEAN", dos=date(2026, 11, 20), minutes=[30, 15]),
          claim_record("NO-GO", account="A2", dos=date(2026, 11, 20), lines=(("97530", (), 2, 150.0),)),
          claim_record("UNITS", account="A3", dos=date(2026, 11, 20), lines=(("97530", ("GO",), 3, 225.0),),
                       minutes=[35]),
          claim_record("OTA", account="A4", dos=date(2026, 11, 20), rendering=OTA),
          claim_record("ADDON", account="A5", dos=date(2026, 11, 20), lines=(("97130", ("GO",), 2, 150.0),)),
          claim_record("ESTIM", account="A6", dos=date(2026, 11, 20), lines=(("97014", ("GO",), 1, 30.0),)),
          claim_record("NCCI", account="A7", dos=date(2026, 11, 20),
                       lines=(("97140", ("GO",), 1, 70.0), ("97530", ("GO",), 1, 75.0))),
          claim_record("AUTH", account="A8", payer="Aetna", dos=date(2026, 11, 20), prior_auth="X1"),
          claim_record("DX", account="A9", dos=date(2026, 11, 20), diagnoses=("62.81",)))
    write_clinical(conn, authorizations=[AuthorizationRecord("A8", "X1", 6, date(2026, 5, 1), date(2026, 10, 31),
                                                             payer_name="Aetna")])


def test_check_all_finds_what_was_planted_and_nothing_on_the_clean_claim(services, run_cli, db_path) -> None:
    _planted(services)
    data = run_cli("check", "--all", "--json", "--db", str(db_path), "--today", TODAY.isoformat()).json()
    by_claim = {r["claim_id"]: {f["rule"] for f in r["findings"]} for r in data["results"]}
    assert "CLEAN" not in by_claim and data["checked"] == 9
    assert by_claim == {
        "NO-GO": {"discipline-modifier"}, "UNITS": {"eight-minute-units"}, "OTA": {"assistant-modifier"},
        "ADDON": {"add-on-without-base"}, "ESTIM": {"medicare-invalid-code"}, "NCCI": {"ncci-pair"},
        "AUTH": {"authorization"}, "DX": {"icd10-format"},
    }
    one = run_cli("check", "CLEAN", "--json", "--db", str(db_path), "--today", TODAY.isoformat()).json()
    assert one == {"checked": 1, "errors": 0, "warnings": 0, "results": [{"claim_id": "CLEAN", "findings": []}]}
    text = run_cli("check", "NCCI", "--db", str(db_path), "--today", TODAY.isoformat())
    assert "ncci-pair" in text.stdout and "1 claim checked: 1 error, 0 warnings" in text.stdout
    assert run_cli("check", "--db", str(db_path)).exit_code == 1  # neither a claim nor --all


def test_next_json(services, run_cli, db_path) -> None:
    write(services.conn, claim_record("MN", dos=date(2026, 9, 10)))
    post_denial(services.conn, "MN", "CO", "50", 225.0, remarks=["N115"], remit_date=date(2026, 10, 1))
    data = run_cli("next", "MN", "--json", "--db", str(db_path), "--today", TODAY.isoformat()).json()
    assert data["claim_id"] == "MN" and data["category"] == "medical_necessity"
    assert data["codes"] == ["CO-50", "N115"]
    [action] = data["actions"]
    assert action == {"action": "appeal", "reason": action["reason"], "level": 1,
                      "template": "medicare_redetermination", "deadline": "2027-02-03"}
    text = run_cli("next", "MN", "--db", str(db_path), "--today", TODAY.isoformat())
    assert "1. appeal" in text.stdout and "by 2027-02-03" in text.stdout
    assert run_cli("next", "NOPE", "--db", str(db_path)).stderr.startswith("error: no claim 'NOPE'; ")


def test_bulk_loading_matches_single_loading(services) -> None:
    _planted(services)
    post_remit(services.conn, "UNITS", [("CO", "151", 75.0, 1)], line_remarks={1: ["N362"]},
               paid={1: 150.0}, allowed={1: 150.0})
    post_denial(services.conn, "DX", "CO", "16", 225.0, remarks=["M76"])
    conn = services.conn
    pks = all_claim_pks(conn)
    bulk = load_claims(conn, pks)
    for pk in pks:
        claim_id = conn.execute("SELECT claim_id FROM claims WHERE pk = ?", (pk,)).fetchone()[0]
        assert bulk[pk] == load_claim(conn, claim_id)
    many = assess_many(conn, pks, TODAY, services.locations.playbook_files)
    for pk, view in bulk.items():
        assert many[pk] == assess(conn, view, TODAY, services.locations.playbook_files)


def test_scrub_of_records_through_services(services) -> None:
    _planted(services)
    record = replace(claim_record("NEXT-VISIT", account="A8", payer="Aetna", dos=date(2026, 11, 24),
                                  prior_auth="X1"), submitted_date=None)
    data = services.check_records([record])
    [result] = data["results"]
    assert result["claim_id"] == "NEXT-VISIT"
    assert any("expired" in f["message"] for f in result["findings"])


F837 = ROOT / "tests" / "fixtures" / "837"


def test_check_an_837_file_without_a_database(run_cli, tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    clean = run_cli("check", str(F837 / "medicare_self.837"), "--json", "--db", str(missing),
                    "--today", TODAY.isoformat())
    assert clean.exit_code == 0, clean.stderr
    data = clean.json()
    assert data["file"] == "medicare_self.837" and data["checked"] == 1
    assert data["results"] == [{"claim_id": "OT261101A1", "findings": []}]
    planted = (F837 / "medicare_self.837").read_text().replace(
        "SV1*HC:97530:GO*150*UN*2***1:2~", "SV1*HC:97530*150*UN*3***1:2~").replace(
        "NTE*ADD*97530 23 MIN~", "NTE*ADD*97530 35 MIN~").replace(
        "REF*6R*OT261101A1L2~", "REF*6R*OT261101A1L2~NTE*ADD*97110 15 MIN~").replace("SE*33*", "SE*34*")
    path = tmp_path / "batch.837"
    path.write_text(planted)
    result = run_cli("check", str(path), "--json", "--db", str(missing), "--today", TODAY.isoformat()).json()
    [claim] = result["results"]
    assert {(f["rule"], f["line"]) for f in claim["findings"]} == {
        ("discipline-modifier", 1), ("eight-minute-units", 1)}
    assert not missing.exists()


def test_check_an_837_file_against_the_patients_file(services, run_cli, db_path, tmp_path: Path) -> None:
    [first] = services.import_paths("837", [F837 / "commercial_dependent.837"])
    assert first.status == "imported"
    account = services.conn.execute(
        "SELECT p.account FROM patients p JOIN claims c ON c.patient_pk = p.pk "
        "WHERE c.claim_id = 'OT261102B7'").fetchone()[0]
    payer = services.conn.execute("SELECT y.name FROM payers y JOIN claims c ON c.payer_pk = y.pk "
                                  "WHERE c.claim_id = 'OT261102B7'").fetchone()[0]
    write_clinical(services.conn, authorizations=[AuthorizationRecord(
        account, "AUTH778812", 3, date(2026, 10, 1), date(2026, 11, 10), payer_name=payer)])
    claims_before = services.conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    later = (F837 / "commercial_dependent.837").read_text().replace("OT261102B7", "OT261120Z1").replace(
        "20261104", "20261118").replace("20261106", "20261118")
    path = tmp_path / "next-visit.837"
    path.write_text(later)
    data = run_cli("check", str(path), "--json", "--db", str(db_path), "--today", TODAY.isoformat()).json()
    [claim] = data["results"]
    messages = [f["message"] for f in claim["findings"] if f["rule"] == "authorization"]
    assert any("expired on 2026-11-10" in m for m in messages), messages
    assert services.conn.execute("SELECT count(*) FROM claims").fetchone()[0] == claims_before
