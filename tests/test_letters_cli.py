"""The letters commands end to end: appeal, appeals, appeal-sent, appeal-decided, appeal-templates."""

from __future__ import annotations

import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from assistant.paths import Locations
from assistant.services import Services
from tests import letter_builders as lb
from tests.builders import claim_record, write
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clinic_db(tmp_path: Path) -> str:
    db = tmp_path / "data" / "ar.db"
    svc = Services(Locations.resolve(db), today=TODAY, user="tester")
    lb.clinic(svc.create_database())
    svc.close()
    return str(db)


def cli(run_cli, db: str, *args: str):
    result = run_cli(*args, "--db", db, "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.stderr
    return result


def test_appeal_json_names_template_path_excerpts_gaps_deadline(run_cli, clinic_db) -> None:
    data = cli(run_cli, clinic_db, "appeal", "MN-AET-1", "--json").json()
    assert set(data) >= {"claim_id", "template", "path", "excerpts", "gaps", "deadline"}
    assert data["claim_id"] == "MN-AET-1" and data["template"] == "medical_necessity"
    path = Path(data["path"])
    assert path.name == "MN-AET-1-medical_necessity-2026-11-26.docx"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert data["excerpts"] and set(data["excerpts"][0]) == {"document_id", "type", "date", "author", "text"}
    assert data["deadline"] is not None
    assert "Patient: Wei Chen" in "\n".join(p.text for p in Document(str(path)).paragraphs)
    rows = cli(run_cli, clinic_db, "appeals", "--status", "drafted", "--json").json()
    assert [(r["claim_id"], r["status"], r["template"]) for r in rows] == [
        ("MN-AET-1", "drafted", "medical_necessity")]
    history = cli(run_cli, clinic_db, "claim", "MN-AET-1", "--json").json()["activities"]
    assert any(a["kind"] == "appeal" and a["after"] == "drafted" for a in history)


def test_preview_prints_the_letter_and_writes_nothing(run_cli, clinic_db) -> None:
    out = cli(run_cli, clinic_db, "appeal", "MN-MCR-1", "--preview").stdout
    assert "Request for Redetermination" in out and "Medicare number: MA1001" in out
    assert "Harbor Hand & Occupational Therapy" in out.splitlines()[2]
    assert cli(run_cli, clinic_db, "appeals", "--status", "drafted", "--json").json() == []
    assert not (Path(clinic_db).parent / "letters").exists()


def test_gaps_are_shown_before_the_letter(run_cli, clinic_db) -> None:
    svc = Services(Locations.resolve(Path(clinic_db)), today=TODAY, user="tester")
    write(svc.conn, claim_record("BARE-1", account="A2001", payer="Aetna", minutes=(30, 15)))
    lb.remit(svc.conn, "BARE-1", adjustments=[(1, "CO", "50", 150.0)])
    svc.close()
    out = cli(run_cli, clinic_db, "appeal", "BARE-1", "--preview").stdout
    lines = out.splitlines()
    assert lines[1] == "Before you send:"
    assert lines[2].startswith("  [BLOCKS] no therapy notes are on file") and "better: send_records" in lines[2]
    assert out.index("Before you send:") < out.index("Dear Appeals Reviewer")


def test_template_override_and_out_path(run_cli, clinic_db, tmp_path: Path) -> None:
    target = tmp_path / "mine.docx"
    data = cli(run_cli, clinic_db, "appeal", "MN-AET-1", "--template", "generic", "--out", str(target),
               "--json").json()
    assert data["template"] == "generic" and data["path"] == str(target) and target.is_file()


def test_the_lifecycle_through_the_cli(run_cli, clinic_db) -> None:
    cli(run_cli, clinic_db, "appeal", "MN-AET-1")
    sent = cli(run_cli, clinic_db, "appeal-sent", "MN-AET-1", "--via", "fax", "--date", "2026-11-26",
               "--json").json()
    assert (sent["status"], sent["channel"], sent["sent_date"]) == ("sent", "fax", "2026-11-26")
    assert [r["claim_id"] for r in cli(run_cli, clinic_db, "appeals", "--status", "sent", "--json").json()] == [
        "MN-AET-1"]
    decided = cli(run_cli, clinic_db, "appeal-decided", "MN-AET-1", "lost", "--date", "2026-12-15",
                  "--json").json()
    assert decided["outcome"] == "lost" and decided["next_level_deadline"] is not None
    text = cli(run_cli, clinic_db, "appeals").stdout
    assert "MN-AET-1" in text and "lost" in text
    kinds = [(a["field"], a["after"]) for a in
             cli(run_cli, clinic_db, "claim", "MN-AET-1", "--json").json()["activities"] if a["kind"] == "appeal"]
    assert ("appeal_status", "sent") in kinds and ("appeal_outcome", "lost") in kinds


def test_errors_are_one_line(run_cli, clinic_db) -> None:
    for args in (("appeal", "NOPE"), ("appeal", "MN-AET-1", "--template", "nope"),
                 ("appeal-sent", "MN-AET-1", "--via", "fax"), ("appeal-decided", "MN-AET-1", "won"),
                 ("appeal-sent", "MN-AET-1", "--via", "fax", "--date", "yesterday")):
        result = run_cli(*args, "--db", clinic_db, "--today", TODAY.isoformat())
        assert result.exit_code == 1, args
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_broken_practice_template_names_its_file_and_line(run_cli, clinic_db, tmp_path: Path) -> None:
    folder = tmp_path / "config" / "templates" / "appeals"  # AR_ASSISTANT_CONFIG in conftest
    folder.mkdir(parents=True)
    (folder / "generic.j2").write_text('{#---\ntitle = "x"\n---#}\n{% if claim %}\nunclosed\n')
    result = run_cli("appeal", "MN-AET-1", "--template", "generic", "--db", clinic_db)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {folder / 'generic.j2'}: line ")


def test_appeal_templates_lists_shipped_and_practice_templates(run_cli, clinic_db, tmp_path: Path) -> None:
    folder = tmp_path / "config" / "templates" / "appeals"
    folder.mkdir(parents=True)
    (folder / "ours.j2").write_text('{#---\ntitle = "Our letter"\ncategories = ["bundling"]\n---#}\nHi\n')
    rows = {r["name"]: r for r in cli(run_cli, clinic_db, "appeal-templates", "--json").json()}
    assert rows["ours"]["practice"] and rows["ours"]["title"] == "Our letter"
    assert not rows["medical_necessity"]["practice"]


def test_other_commands_never_import_python_docx_or_jinja(clinic_db) -> None:
    code = ("import sys; from assistant.cli.main import main; "
            f"main(['--db', {clinic_db!r}, 'claims', '--json']); "
            "print(sorted(m for m in ('docx', 'jinja2', 'rapidfuzz') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_batch_drafting_spreads_over_processes(clinic_db) -> None:
    svc = Services(Locations.resolve(Path(clinic_db)), today=TODAY, user="tester")
    ids = sorted(lb.EXPECTED_TEMPLATES)
    result = svc.draft_appeals([*ids, "NOPE"], workers=2)
    assert {d["claim_id"] for d in result["drafted"]} == set(ids)
    assert result["failed"] == [{"claim_id": "NOPE", "error": "no claim 'NOPE'"}]
    assert all(Path(d["path"]).is_file() for d in result["drafted"])
    assert len(svc.appeals("drafted")) == len(ids)
    svc.close()


def test_a_later_remittance_decides_the_appeal_when_appeals_are_listed(run_cli, clinic_db) -> None:
    cli(run_cli, clinic_db, "appeal", "AUTH-AET-1")
    cli(run_cli, clinic_db, "appeal-sent", "AUTH-AET-1", "--via", "portal", "--date", "2026-11-26")
    svc = Services(Locations.resolve(Path(clinic_db)), today=TODAY, user="tester")
    lb.remit(svc.conn, "AUTH-AET-1", day=date(2026, 12, 10), paid=225.0, adjustments=())
    svc.close()
    rows = cli(run_cli, clinic_db, "appeals", "--status", "decided", "--json").json()
    row = next(r for r in rows if r["claim_id"] == "AUTH-AET-1")
    assert (row["outcome"], row["decided_date"], row["recovered"]) == ("won", "2026-12-10", 225.0)
