"""Protected health information: never in an error or a warning, files owner-only, the audit
trail append-only.

The synthetic patients carry distinctive names, a birth date and member ids
(tests/synthetic.py); every importer and command is made to fail on files that hold them,
and none of those strings may reach stderr, an error, a warning or an exception message.
"""

from __future__ import annotations

import ast
import os
import re
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.ingest import parser_for
from assistant.remit.reader import read_835
from assistant.services import Services
from assistant.storage import open_database, transaction
from tests import letter_builders as lb
from tests import synthetic as syn
from tests.processes import ROOT, cli_args

PACKAGE = ROOT / "assistant"
MEMBER = syn.member_id(1)
DOB_FORMS = (syn.BIRTH_DATE.strftime("%Y%m%d"), syn.BIRTH_DATE.isoformat(), syn.BIRTH_DATE.strftime("%m/%d/%Y"))
PHI = (*syn.LAST_NAMES, syn.FIRST_NAME, *DOB_FORMS, MEMBER, syn.member_id(2))


def assert_no_phi(text: str, where: str) -> None:
    for value in PHI:
        assert value not in text, f"{where} shows {value!r}: {text[:300]!r}"


def spoil(text: str, tag: str, position: int, value: str) -> str:
    """Replace element `position` of the first segment `tag` with `value`."""
    segments = text.split("~")
    for i, segment in enumerate(segments):
        elements = segment.strip().split("*")
        if elements[0] == tag:
            elements[position] = value
            segments[i] = segment[: len(segment) - len(segment.lstrip())] + "*".join(elements)
            break
    return "~".join(segments)


def csv_with(cells: dict[str, str]) -> str:
    row = {"Claim #": "C1", "Patient": f'"{syn.LAST_NAMES[0]}, {syn.FIRST_NAME}"', "Member ID": MEMBER,
           "DOB": syn.BIRTH_DATE.strftime("%m/%d/%Y"), "Payer": "Aetna", "DOS": "03/01/2026", "CPT": "97110",
           "Units": "1", "Charge": "100.00", "Paid": "0", "Balance": "100.00"}
    row.update(cells)
    return ",".join(row) + "\n" + ",".join(row.values()) + "\n"


BAD_FILES: dict[str, list[tuple[str, str]]] = {
    "837": [
        ("dob.837", spoil(syn.x837(2), "DMG", 2, syn.LAST_NAMES[0])),
        ("charge.837", spoil(syn.x837(2), "CLM", 2, syn.FIRST_NAME)),
        ("member.837", spoil(spoil(syn.x837(1), "NM1", 9, ""), "NM1", 8, "")),
        ("units.837", spoil(syn.x837(1), "SV1", 4, MEMBER)),
        ("cut.837", syn.x837(2)[:700]),
    ],
    "835": [
        ("paid.835", spoil(syn.x835(2), "CLP", 4, syn.LAST_NAMES[0])),
        ("date.835", spoil(syn.x835(2), "DTM", 2, syn.BIRTH_DATE.strftime("%Y13%d"))),
        ("svc.835", spoil(syn.x835(2), "SVC", 2, MEMBER)),
        ("cut.835", syn.x835(2)[:900]),
    ],
    "csv": [
        ("dob.csv", csv_with({"DOB": syn.LAST_NAMES[0]})),
        ("dos.csv", csv_with({"DOS": syn.FIRST_NAME})),
        ("charge.csv", csv_with({"Charge": MEMBER})),
        ("units.csv", csv_with({"Units": syn.BIRTH_DATE.isoformat()})),
        ("code.csv", csv_with({"CPT": syn.LAST_NAMES[1]})),
    ],
    "auths": [
        ("auths.csv", f"account,payer,number,unit kind,approved,used,start,end,codes\n"
                      f"M-0000000000,Aetna,N1,visits,{syn.LAST_NAMES[0]},0,01/01/2026,12/31/2026,97110\n"),
        ("account.csv", f"account,payer,number,unit kind,approved,used,start,end,codes\n"
                        f"NOBODY1,Aetna,N1,visits,10,0,{syn.FIRST_NAME},12/31/2026,97110\n"),
    ],
    "notes": [
        ("nobody_2026-10-02_daily.txt", f"Daily note for {syn.LAST_NAMES[0]}, {syn.FIRST_NAME}, DOB "
                                        f"{syn.BIRTH_DATE:%m/%d/%Y}, member {MEMBER}.\n97530: 23 min\n"),
        ("undated.txt", f"---\naccount: M-0000000000\ndate: {syn.LAST_NAMES[0]}\ntype: daily\n---\nSeen.\n"),
        ("nodate.md", f"Patient: {syn.LAST_NAMES[2]}, {syn.FIRST_NAME}\nDOB: {syn.BIRTH_DATE:%m/%d/%Y}\n"),
    ],
}


@pytest.fixture
def practice(services: Services, tmp_path: Path) -> Services:
    source = tmp_path / "batch.837"
    source.write_text(syn.x837(6))
    assert services.import_paths("837", [source])[0].status == "imported"
    return services


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_no_importer_error_or_warning_quotes_a_patient(practice: Services, tmp_path: Path, kind: str,
                                                       run_cli) -> None:
    folder = tmp_path / f"bad-{kind}"
    folder.mkdir()
    paths = []
    for name, text in BAD_FILES[kind]:
        path = folder / name
        path.write_text(text)
        paths.append(path)
        if kind != "835":  # the parser alone: its exception, if any, is the program's own and clean
            try:
                batch = parser_for(kind)(path)
                for warning in batch.warnings:
                    assert_no_phi(warning, f"{kind} warning for {name}")
            except AssistantError as exc:
                assert_no_phi(str(exc), f"{kind} error for {name}")
        else:
            try:
                read = read_835(path.read_bytes(), name)
                for warning in [*read.skipped, *read.all_warnings]:
                    assert_no_phi(warning, f"835 warning for {name}")
            except AssistantError as exc:
                assert_no_phi(str(exc), f"835 error for {name}")
    db = str(practice.locations.db)
    for args in (("import", kind, *map(str, paths)), ("import", kind, *map(str, paths), "--json")):
        result = run_cli("--db", db, *args)
        assert result.exit_code in (0, 1)
        assert_no_phi(result.stderr, f"stderr of import {kind}")
        lines = [line for line in result.stdout.splitlines() if "rejected" in line or "warning" in line
                 or '"error"' in line or line.startswith("    \"")]
        assert_no_phi("\n".join(lines), f"errors and warnings of import {kind}")
    assert "error:" in run_cli("--db", db, "import", kind, *map(str, paths)).stderr or kind == "notes"


def test_unmatched_payments_are_listed_without_names(practice: Services, tmp_path: Path, run_cli) -> None:
    era = tmp_path / "strangers.835"
    era.write_text(syn.x835(2, prefix="NOTOURS", start=1000))  # other claims, other days: no match
    db = str(practice.locations.db)
    imported = run_cli("--db", db, "import", "835", str(era))
    assert imported.exit_code == 0
    assert_no_phi(imported.stdout + imported.stderr, "835 import of unmatched payments")
    listed = run_cli("--db", db, "unmatched", "--json")
    assert listed.exit_code == 0 and len(listed.json()) == 2
    assert_no_phi(listed.stdout, "unmatched list")
    one = run_cli("--db", db, "unmatched", str(listed.json()[0]["id"]))
    assert_no_phi(one.stdout + one.stderr, "one unmatched payment without --show-names")
    shown = run_cli("--db", db, "unmatched", str(listed.json()[0]["id"]), "--show-names")
    assert syn.LAST_NAMES[0] in shown.stdout or syn.LAST_NAMES[1] in shown.stdout  # asked for: shown


def test_command_errors_name_claims_not_patients(practice: Services, run_cli) -> None:
    """Errors about a claim name the claim; what the user typed may be echoed, nothing else."""
    db = str(practice.locations.db)
    claim = syn.claim_id("SYN", 1)
    version = practice.conn.execute("SELECT version FROM claims WHERE claim_id = ?", (claim,)).fetchone()[0]
    for args in (("note", claim, "x", "--expect-version", str(version + 5)),
                 ("status", claim, "written_off"), ("follow-up", claim, "2001-01-01"),
                 ("appeal", claim, "--template", "nope"), ("next", syn.LAST_NAMES[0]),
                 ("claim", MEMBER), ("claims", "--payer", syn.FIRST_NAME),
                 ("bulk", "status", "written_off", "--claims", claim)):
        result = run_cli("--db", db, *args)
        assert result.exit_code == 1, args
        shown = result.stderr
        for typed in args:
            shown = shown.replace(typed, "")
        assert_no_phi(shown, f"error of {args[0]}")


def test_an_unexpected_error_shows_only_its_kind(practice: Services, tmp_path: Path, monkeypatch) -> None:
    """A bug's message may quote data; the CLI shows the exception's type, not its message."""
    code = ("import sys; from assistant.cli.main import main; import assistant.services as s; "
            "s.Services.claims = lambda self, flt: (_ for _ in ()).throw(ValueError("
            f"'cannot parse {syn.LAST_NAMES[0]} {syn.BIRTH_DATE}')); "
            f"main(['--db', {str(practice.locations.db)!r}, 'claims'])")
    env = {k: v for k, v in os.environ.items() if k != "AR_ASSISTANT_DEBUG"}
    done = subprocess.run([os.sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert done.stderr.strip() == "error: internal error (ValueError); rerun with AR_ASSISTANT_DEBUG=1 for details"


# --------------------------------------------------------------------------- the code itself

PATIENT_FIELDS = re.compile(r"\b(last_name|first_name|dob|birth|member_id|patient_name|patient_last|"
                            r"patient_first|subscriber)\b|\bpatient\.name\b")
MESSAGE_CALLS = re.compile(r"(Error|Failed|Missing|NotFound|Write|Required)$|^(warn|fail|_fail|append|extend)$")


def _called(node: ast.Call) -> str:
    """The name a call is made by; appending counts only to a list of warnings."""
    func = node.func
    if isinstance(func, ast.Attribute):
        if func.attr in ("append", "extend") and "warn" not in ast.unparse(func.value):
            return ""
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _interpolated(node: ast.AST) -> Iterator[str]:
    for inner in ast.walk(node):
        if isinstance(inner, ast.FormattedValue):
            yield ast.unparse(inner.value)


def test_no_message_in_the_code_interpolates_patient_fields() -> None:
    """Every exception and warning the program builds, found in its source: none formats a
    patient's name, birth date or member id into its text."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and MESSAGE_CALLS.search(_called(node)):
                for expression in _interpolated(node):
                    if PATIENT_FIELDS.search(expression):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {{{expression}}}")
    assert found == []


AUDIT_EDIT = re.compile(r"(UPDATE\s+activities|DELETE\s+FROM\s+activities|REPLACE\s+INTO\s+activities|"
                        r"DROP\s+(TABLE|TRIGGER)\s+(IF\s+EXISTS\s+)?activities)", re.IGNORECASE)


def test_no_code_edits_the_audit_trail() -> None:
    offenders = [f"{path.relative_to(ROOT)}: {match.group(0)}"
                 for path in sorted(PACKAGE.rglob("*.py"))
                 for match in AUDIT_EDIT.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_audit_trail_refuses_updates_deletes_and_overwrites(tmp_path: Path) -> None:
    from assistant.storage import audit

    conn = open_database(tmp_path / "ar.db", create=True)
    with transaction(conn):
        pk = audit.record(conn, claim_pk=None, user="u", kind="note", note="as it happened")
    for statement in ("UPDATE activities SET note = 'changed'", "DELETE FROM activities",
                      f"INSERT OR REPLACE INTO activities (pk, user, kind, note) VALUES ({pk}, 'x', 'note', 'forged')",
                      f"REPLACE INTO activities (pk, user, kind) VALUES ({pk}, 'x', 'note')"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(statement)
    assert [tuple(r) for r in conn.execute("SELECT pk, user, note FROM activities")] == [(pk, "u", "as it happened")]
    conn.close()


# --------------------------------------------------------------------------- owner-only files

def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_the_database_and_its_log_files_are_owner_only(tmp_path: Path, loose_umask: None) -> None:
    db = tmp_path / "fresh" / "ar.db"
    conn = open_database(db, create=True)
    with transaction(conn):
        conn.execute("INSERT INTO meta (key, value) VALUES ('x', '1')")
    assert Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        assert mode(path) == 0o600, path
    assert mode(db.parent) == 0o700
    conn.close()


def test_letters_are_owner_only_wherever_they_go(db_path: Path, tmp_path: Path, loose_umask: None) -> None:
    from assistant.paths import Locations
    from tests.conftest import TODAY

    svc = Services(Locations.resolve(db_path), today=TODAY, user="tester")
    lb.clinic(svc.create_database())
    drafted = Path(svc.draft_appeal("MN-AET-1")["path"])
    assert mode(drafted) == 0o600 and mode(drafted.parent) == 0o700
    elsewhere = tmp_path / "outbox"
    elsewhere.mkdir()
    assert mode(Path(svc.draft_appeal("MN-MCR-1", out=elsewhere)["path"])) == 0o600
    batch = svc.draft_appeals(["AUTH-AET-1", "NCCI-AET-1", "UNITS-BCBS-1", "VISIT-AET-1", "TF-BCBS-1",
                               "COB-AET-1", "CODE-AET-1", "GEN-BCBS-1"], workers=2)
    assert all(mode(Path(d["path"])) == 0o600 for d in batch["drafted"]) and batch["drafted"]
    svc.close()


def test_the_cli_makes_owner_only_files_under_any_umask(tmp_path: Path) -> None:
    db = tmp_path / "cli" / "ar.db"
    source = tmp_path / "batch.837"
    source.write_text(syn.x837(3))
    for args in (("init",), ("import", "837", str(source)), ("note", syn.claim_id("SYN", 1), "called"),
                 ("backup", str(tmp_path))):
        done = subprocess.run(cli_args(db, *args), cwd=ROOT, capture_output=True, text=True,
                              preexec_fn=lambda: os.umask(0o002))
        assert done.returncode == 0, done.stderr
    assert mode(db) == 0o600 and mode(db.parent) == 0o700
    backups = list(tmp_path.glob("ar-assistant-*.db"))
    assert len(backups) == 1 and mode(backups[0]) == 0o600


def test_the_sample_and_its_source_files_are_owner_only(tmp_path: Path, loose_umask: None) -> None:
    from assistant.paths import Locations
    from tests.conftest import TODAY

    svc = Services(Locations.resolve(tmp_path / "sample" / "ar.db"), today=TODAY, user="tester")
    svc.build_sample(claims=60, seed=7)
    sources = svc.locations.sample_sources_dir
    assert mode(svc.locations.db) == 0o600 and mode(svc.locations.db.parent) == 0o700
    folders = [sources, *(p for p in sources.rglob("*") if p.is_dir())]
    assert all(mode(folder) == 0o700 for folder in folders), [oct(mode(f)) for f in folders]
    assert any(sources.rglob("*.837"))  # the files sit in owner-only folders
    svc.close()
