"""Therapy notes: front matter, header blocks and file names; minutes; plans of care; .docx."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.domain import DocType
from assistant.errors import ImportFailed
from assistant.importers.notes import doc_type_for, goals_in, minutes_by_code, parse_notes
from tests.conftest import FIXTURES

NOTES = FIXTURES / "notes"
CLAIMS_CSV = FIXTURES / "csv" / "aging_claims.csv"  # patients A1001, A2044, A3090


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def one(path: Path):  # type: ignore[no-untyped-def]
    [document] = parse_notes(path).documents
    return document


def test_file_name_pattern_gives_account_date_type_and_author() -> None:
    doc = one(NOTES / "A2044_2026-11-06_daily_Sam-Lee-COTA.txt")
    assert (doc.account, doc.doc_date, doc.doc_type) == ("A2044", date(2026, 11, 6), DocType.DAILY_NOTE)
    assert (doc.author, doc.author_credential) == ("Sam Lee", "OTA")
    assert dict(doc.minutes) == {"97530": 23, "97110": 15, "97140": 8, "97035": 8}
    assert doc.text.startswith("Daily treatment note") and doc.plan_of_care is None
    assert doc.source == str((NOTES / "A2044_2026-11-06_daily_Sam-Lee-COTA.txt").resolve())


def test_front_matter_in_markdown() -> None:
    doc = one(NOTES / "daily_front_matter.md")
    assert (doc.account, doc.doc_date, doc.doc_type) == ("A1001", date(2026, 11, 3), DocType.DAILY_NOTE)
    assert (doc.author, doc.author_credential, doc.author_npi) == ("Dana Okafor", "OT", "1234567893")
    assert doc.title == "OT visit 11/3"
    assert dict(doc.minutes) == {"97530": 30, "97535": 10}
    assert "account:" not in doc.text and doc.text.startswith("# Daily note")


def test_plan_of_care_from_front_matter() -> None:
    doc = one(NOTES / "poc" / "plan_of_care.md")
    assert doc.doc_type is DocType.PLAN_OF_CARE and doc.minutes == ()
    assert doc.doc_date == date(2026, 11, 4)  # no date: the certification date
    plan = doc.plan_of_care
    assert plan is not None
    assert (plan.account, plan.start_date, plan.end_date) == ("A1001", date(2026, 11, 1), date(2027, 1, 29))
    assert (plan.certified_date, plan.certified_by, plan.certifier_npi) == (
        date(2026, 11, 4), "Robert Chen, MD", "1444444446")
    assert plan.recert_due == date(2027, 1, 29) and plan.frequency == "2x/week for 12 weeks"
    assert plan.goals == ("Independent with buttoning in 4 weeks", "Grip strength 40 lb right hand in 8 weeks")
    assert plan.therapist_npi == "1234567893"


def test_plan_of_care_from_a_header_block_and_body_lines() -> None:
    doc = one(NOTES / "poc" / "recert_header.txt")
    assert (doc.account, doc.doc_type, doc.doc_date) == ("A2044", DocType.PLAN_OF_CARE, date(2026, 11, 20))
    assert (doc.author, doc.author_credential) == ("Sam Lee", "OTA")
    plan = doc.plan_of_care
    assert plan is not None
    assert (plan.start_date, plan.end_date, plan.certified_date) == (
        date(2026, 11, 20), date(2027, 2, 17), date(2026, 11, 22))
    assert (plan.certified_by, plan.certifier_npi, plan.frequency) == (
        "Robert Chen, MD", "1444444446", "1x/week for 12 weeks")
    assert plan.goals == (
        "Patient will don socks with adaptive device with modified independence in 3 weeks.",
        "Patient will write name legibly 3/3 trials.",
        "Independent in self-feeding with built-up utensils.",
    )
    assert plan.recert_due is None


def test_docx_with_header_paragraphs_and_a_minutes_table(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for text in ("Account: A3090", "Date of service: 11/12/2026", "Note type: eval",
                 "Clinician: Dana Okafor, OTR/L", "", "OT initial evaluation, moderate complexity."):
        document.add_paragraph(text)
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, [("97166", "Evaluation", "45 min"), ("97530", "Ther act", "8 min")],
                          strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("Plan: 2x/week.\u200b")
    path = tmp_path / "eval.docx"
    document.save(str(path))
    doc = one(path)
    assert (doc.account, doc.doc_date, doc.doc_type) == ("A3090", date(2026, 11, 12), DocType.EVALUATION)
    assert (doc.author, doc.author_credential) == ("Dana Okafor", "OT")
    assert dict(doc.minutes) == {"97166": 45, "97530": 8}
    assert "97166 | Evaluation | 45 min" in doc.text and doc.text.endswith("Plan: 2x/week.")


def test_damaged_docx_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"^bad\.docx: not a readable \.docx file$"):
        parse_notes(write(tmp_path, "bad.docx", "not a zip"))


def test_control_characters_are_stripped(tmp_path: Path) -> None:
    path = tmp_path / "A1001_2026-11-03_daily.txt"
    path.write_bytes(b"97530 ther\x00 act: 23 min\x0c\r\nok\x1b\r\n")
    doc = one(path)
    assert doc.text == "97530 ther act: 23 min\nok" and doc.minutes == (("97530", 23),)
    assert doc.author is None


@pytest.mark.parametrize(("text", "kind"), [
    ("eval", DocType.EVALUATION), ("Initial Evaluation", DocType.EVALUATION),
    ("treatment note", DocType.DAILY_NOTE), ("Daily_Note", DocType.DAILY_NOTE), ("daily", DocType.DAILY_NOTE),
    ("progress note", DocType.PROGRESS_REPORT), ("Progress Report", DocType.PROGRESS_REPORT),
    ("POC", DocType.PLAN_OF_CARE), ("plan-of-care", DocType.PLAN_OF_CARE),
    ("re-eval", DocType.RE_EVALUATION), ("Re-Evaluation", DocType.RE_EVALUATION),
    ("reeval", DocType.RE_EVALUATION), ("re_evaluation", DocType.RE_EVALUATION),
])
def test_note_type_synonyms(text: str, kind: DocType) -> None:
    assert doc_type_for(text) is kind


def test_minutes_pair_each_code_with_its_own_time() -> None:
    text = ("97530 x2 (38 min)\n97110 ther ex 15 minutes, 97112 neuro re-ed 10 min\n"
            "Seen 2026-11-03 at 10:00 for 45 min\nZip 97205\n97530: 7 min\nG0283 e-stim 15 min\n")
    assert dict(minutes_by_code(text)) == {"97530": 45, "97110": 15, "97112": 10, "G0283": 15}


def test_code_descriptors_are_not_minutes_spent() -> None:
    text = ("97129 Cognitive function, first 15 minutes: 15 min\n"
            "97130 Cognitive function, each additional 15 min: 45 min\n"
            "97530 Therapeutic activities: 23 min (15 min of it with the OTA)\n")
    assert dict(minutes_by_code(text)) == {"97129": 15, "97130": 45, "97530": 23}


def test_a_therapists_signature_is_not_a_certification(tmp_path: Path) -> None:
    note = tmp_path / "A1_2026-09-01_daily.txt"
    note.write_text("Treatment today.\nSigned: 09/01/2026\n")
    (document,) = parse_notes(note).documents
    assert document.plan_of_care is None


def test_goals_stop_at_the_next_section() -> None:
    text = "Goals:\n- walk\n* dress\n\nAssessment:\n- not a goal\n## Long term goals\n1) cook\n"
    assert goals_in(text) == ("walk", "dress", "cook")


ERRORS = [
    ("A1001_2026-11-03_daily.txt", "---\ndate: 11/31/2026\n---\nx\n", "front matter 'date': not a date"),
    ("note.md", "---\naccount: A1\ndate: 2026-11-03\ntype: memo\n---\nx\n",
     "front matter 'type': type 'memo' is not a note type"),
    ("note.md", "---\ndate: 2026-11-03\ntype: daily\n---\nx\n",
     "no 'account' in front matter or 'Key: value' header lines, and the file name does not follow "
     "<account>_<YYYY-MM-DD>_<type>"),
    ("A1_2026-11-03_memo.txt", "x\n", "file name: type 'memo' is not a note type"),
    ("A1_2026-02-30_daily.txt", "x\n", "file name: the date is not a real YYYY-MM-DD date"),
    ("note.md", "---\naccount: A1\nthis line has no colon\n---\nx\n", "front matter: line 3 is not 'key: value'"),
    ("note.md", "---\naccount: A1\n", "front matter: no closing '---' line"),
    ("A1_2026-11-03_poc.md", "Plan of care without dates\n",
     "front matter: a plan of care needs 'start' and 'end'"),
    ("A1_2026-11-03_poc.md", "OT plan\nCertification period: 2026-12-01 to 2026-11-01\n",
     "header 'Certification period': the plan of care ends before it starts"),
    ("A1_2026-11-03_poc.md", "Assessment: improving\nContinue per plan.\nCertification period: 2026-12-01 to "
     "2026-11-01\n",
     "line 'Certification period': the plan of care ends before it starts"),
    ("A1_2026-11-03_daily.md", "---\nnpi: 1234567890\n---\nx\n",
     "front matter 'npi': '1234567890' is not a valid NPI"),
    ("A1_2026-11-03_daily.md", "---\n---\n", "the note has no text"),
    ("notes.pdf", "x", "not a note file"),
]


@pytest.mark.parametrize(("name", "text", "message"), ERRORS)
def test_errors_name_the_file_and_the_part(name: str, text: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_notes(write(tmp_path, name, text))
    assert str(caught.value).startswith(f"{name}: {message}"), str(caught.value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_gives_a_note_or_a_located_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "A1_2026-11-03_daily.md"
    path.write_bytes(text.encode("utf-8", errors="replace"))
    try:
        doc = one(path)
    except ImportFailed as exc:
        assert exc.file == path.name
    else:
        assert doc.account and all(minutes > 0 for _, minutes in doc.minutes)


# --------------------------------------------------------------------------- into the database


def test_notes_folder_through_the_cli(run_cli, db_path, services) -> None:
    services.import_paths("csv", [CLAIMS_CSV])
    result = run_cli("import", "notes", str(NOTES), "--db", str(db_path), "--json")
    assert result.exit_code == 0, result.stdout
    data = result.json()
    assert [(d["file"], d["status"], d["documents"], d["plans_of_care"]) for d in data] == [
        ("A2044_2026-11-06_daily_Sam-Lee-COTA.txt", "imported", 1, 0),
        ("daily_front_matter.md", "imported", 1, 0),
        ("plan_of_care.md", "imported", 1, 1),
        ("recert_header.txt", "imported", 1, 1),
    ]
    conn = services.conn
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
    minutes = conn.execute("SELECT code, minutes FROM note_minutes ORDER BY code").fetchall()
    assert [tuple(r) for r in minutes] == [("97035", 8), ("97110", 15), ("97140", 8), ("97530", 23),
                                           ("97530", 30), ("97535", 10)]
    rows = conn.execute("SELECT pa.account, p.start_date, p.certified_date, p.goals, p.document_pk "
                        "FROM plans_of_care p JOIN patients pa ON pa.pk = p.patient_pk ORDER BY pa.account"
                        ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("A1001", "2026-11-01", "2026-11-04"),
                                                  ("A2044", "2026-11-20", "2026-11-22")]
    assert json.loads(rows[0][3])[0] == "Independent with buttoning in 4 weeks" and rows[0][4] is not None
    again = run_cli("import", "notes", str(NOTES), "--db", str(db_path))
    assert again.exit_code == 0
    assert all(line.startswith("duplicate ") for line in again.stdout.strip().splitlines())


def test_unknown_account_is_refused(services, tmp_path: Path) -> None:
    services.import_paths("csv", [CLAIMS_CSV])
    path = write(tmp_path, "Z999_2026-11-03_daily.txt", "97530 23 min\n")
    [result] = services.import_paths("notes", [path])
    assert result.status == "rejected"
    assert result.error == ("Z999_2026-11-03_daily.txt: note: no patient with account 'Z999'; import the "
                            "claims (837P or CSV) first")
    assert services.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_an_edited_note_replaces_its_earlier_text(services, tmp_path: Path) -> None:
    services.import_paths("csv", [CLAIMS_CSV])
    path = write(tmp_path, "A1001_2026-11-03_daily.txt", "97530 23 min\n")
    services.import_paths("notes", [path])
    path.write_text("97530 25 min (corrected)\n")
    [result] = services.import_paths("notes", [path])
    assert result.status == "imported"
    rows = services.conn.execute("SELECT d.text, m.minutes FROM documents d JOIN note_minutes m "
                                 "ON m.document_pk = d.pk").fetchall()
    assert [tuple(r) for r in rows] == [("97530 25 min (corrected)", 25)]


# --------------------------------------------------------------------------- notes as clinics write them

CLINIC = FIXTURES / "clinic_notes"


def test_a_txt_note_with_a_title_a_patient_line_and_minutes_in_three_forms() -> None:
    """A title line, "Patient:" (not a key we read) before "MRN:" and "DOS:", a file name of the
    clinic's own; minutes written "23'", "15 minutes" and "0:08"; curly quotes and dashes."""
    doc = one(CLINIC / "Vance T - visit 11-13.txt")
    assert (doc.account, doc.doc_type, doc.doc_date) == ("MRN40021", DocType.DAILY_NOTE, date(2026, 11, 13))
    assert (doc.author, doc.author_credential) == ("Kevin Park", "OT")
    assert dict(doc.minutes) == {"97110": 23, "97530": 15, "97140": 8}
    assert "“stiff in the mornings” — pain 3/10" in doc.text


def test_a_note_with_a_month_name_date_and_non_ascii_names() -> None:
    doc = one(CLINIC / "Martinez Jose 2026-11-13.txt")
    assert (doc.account, doc.doc_date, doc.author) == ("M-528EC2FCDF", date(2026, 11, 13), "María Núñez-Torres")
    assert dict(doc.minutes) == {"97530": 23, "97535": 9}


def test_front_matter_with_lists_and_minutes_written_23m() -> None:
    doc = one(CLINIC / "vance_progress.md")
    assert (doc.doc_type, doc.author_npi, doc.title) == (
        DocType.PROGRESS_REPORT, "1666777887", "Progress Report (visits 1\u20138)")
    assert dict(doc.minutes) == {"97530": 23, "97110": 16}


def test_docx_header_tables_of_two_and_four_columns() -> None:
    evaluation = one(CLINIC / "Halvorsen eval.docx")
    assert (evaluation.account, evaluation.doc_type, evaluation.doc_date) == (
        "M-486B775AEA", DocType.EVALUATION, date(2026, 11, 3))
    assert (evaluation.author, evaluation.author_credential) == ("Maria Torres", "OT")
    assert dict(evaluation.minutes) == {"97165": 35, "97530": 25, "97110": 24}
    daily = one(CLINIC / "okonkwo_adaeze_daily.docx")
    assert (daily.account, daily.doc_type, daily.doc_date) == ("M-636D3582E0", DocType.DAILY_NOTE,
                                                               date(2026, 11, 5))
    assert dict(daily.minutes) == {"97530": 30, "97533": 25}


def test_numbered_goals_keep_their_sub_bullets() -> None:
    text = (CLINIC / "vance_progress.md").read_text()
    assert goals_in(text) == (
        "Pt will independently perform light meal prep using R hand; Status: progressing, 75% of tasks "
        "w/o cues; Barrier: edema after 20'",
        "Pt will return to keyboarding 4 hrs/day; Status: met (4.5 hrs)",
        "Grip strength R ≥ 40 lb; current 32 lb")
    plan = one(CLINIC / "poc_vance.md").plan_of_care
    assert plan is not None and plan.goals == ("Independent light meal prep using R hand",
                                               "Return to keyboarding 4 hrs/day")


@pytest.mark.parametrize(("line", "expected"), [
    ("97530 ther act 23m", (("97530", 23),)), ("97110 ex 23\u2019", (("97110", 23),)),
    ("97140 manual 0:08", (("97140", 8),)), ("97530 for 1:05", (("97530", 65),)),
    ("97530 10:15-10:38 (23 min)", (("97530", 23),)), ("97116 walked 150m in 12 min", (("97116", 12),)),
    ("97530 at 1:15 pm", ()), ("97530 3 mo plan", ())])
def test_minutes_in_the_forms_therapists_write(line: str, expected: tuple[tuple[str, int], ...]) -> None:
    assert minutes_by_code(line) == expected
