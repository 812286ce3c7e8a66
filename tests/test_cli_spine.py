"""The command-line spine: global options anywhere, locate, init, clear one-line errors."""

from __future__ import annotations

import stat
from pathlib import Path

from assistant.cli.main import COMMANDS, cli


def test_global_options_before_and_after_the_subcommand(run_cli, tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    assert run_cli("--db", db, "init").exit_code == 0
    before = run_cli("--db", db, "--today", "2026-01-02", "claims", "--json")
    after = run_cli("claims", "--json", "--db", db, "--today", "2026-01-02")
    assert before.exit_code == after.exit_code == 0
    assert before.json() == after.json() == []


def test_init_creates_an_owner_only_database(run_cli, tmp_path: Path) -> None:
    db = tmp_path / "new" / "ar.db"
    result = run_cli("init", "--db", str(db), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["created"] is True
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert run_cli("init", "--db", str(db), "--json").json()["created"] is False


def test_command_on_missing_database_says_how_to_create_one(run_cli, tmp_path: Path) -> None:
    result = run_cli("claims", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1
    assert "ar-assistant init" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.db").exists()


def test_unknown_claim_is_exit_1(run_cli, tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    run_cli("init", "--db", db)
    result = run_cli("claim", "NOPE", "--db", db)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no claim 'NOPE'; `ar-assistant claims` or `ar-assistant worklist` lists them"


def test_bad_option_is_one_line(run_cli) -> None:
    result = run_cli("claims", "--nonsense")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1


def test_locate_points_at_absolute_bundled_folders(run_cli, tmp_path: Path) -> None:
    data = run_cli("locate", "--json", "--db", str(tmp_path / "a.db")).json()
    assert data["database"] == str(tmp_path / "a.db")
    bundled = [Path(p) for p in data["templates"] + data["worklists"]
               if not p.startswith(data["config"])]
    assert bundled and all(p.is_absolute() and p.is_dir() for p in bundled)


def test_version(run_cli) -> None:
    result = run_cli("--version")
    assert result.exit_code == 0 and "ar-assistant" in result.stdout


def test_every_command_has_help_with_an_example(run_cli) -> None:
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.help, name
        assert "Example" in command.help, f"{name} --help has no example"


def test_readme_test_command_is_what_ci_runs() -> None:
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text().splitlines()
    test_line = next(line for line in readme[:8] if "pytest" in line)
    command = test_line.split("#")[0].strip()
    assert command in (root / ".ci" / "run").read_text()


def test_payers_lists_settings_over_kind_defaults(run_cli, services) -> None:
    from tests.builders import claim_record, write

    write(services.conn, claim_record("C1"))
    rows = run_cli("payers", "--json", "--db", str(services.locations.db)).json()
    medicare = next(r for r in rows if r["name"] == "Medicare Part B")
    assert medicare["kind"] == "medicare" and medicare["timely_filing"] == "1 year"
    assert medicare["aliases"] == ["Medicare", "CMS"] and medicare["unit_rule"] == "cms"
    assert medicare["appeal_windows"][0]["days"] == 120


# --------------------------------------------------------------------------- as a new user meets it


def _commands() -> list[tuple[str, object]]:
    """Every command and import/validate subcommand."""
    import click

    out = []
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        out.append((name, command))
        if isinstance(command, click.Group):
            out += [(f"{name} {sub}", command.get_command(None, sub))  # type: ignore[arg-type]
                    for sub in command.list_commands(None)]  # type: ignore[arg-type]
    return out


def test_help_examples_paste_into_a_shell_as_written() -> None:
    """An example's double-quoted text has no $ (the shell would expand "$5" to nothing), and
    a command with several examples says Examples."""
    import re

    for name, command in _commands():
        text = command.help or ""  # type: ignore[attr-defined]
        for quoted in re.findall(r'"[^"]*"', text.split("Example", 1)[-1]):
            assert "$" not in quoted, (name, quoted)
        examples = text.split("Example", 1)[-1]
        if examples.count("ar-assistant ") > 1 and not examples.startswith("s:"):
            # a line continued with a backslash is one example
            assert examples.count("ar-assistant ") - examples.count("\\\n") <= 1, name


def test_usage_errors_are_one_line_with_a_hint(run_cli, tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    run_cli("init", "--db", db)
    for args in (["status", "C1"], ["report"], ["appeal-sent", "C1"], ["import"], ["validate"],
                 ["status", "C1", "bogus"], ["claims", "--status", "nope"]):
        result = run_cli(*args, "--db", db)
        assert result.exit_code == 1, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "--help`)" in lines[0], (args, lines)
    assert "missing command: one of 835, 837, auths" in run_cli("import").stderr
    assert "Choose from: new, in_progress, waiting_payer" in run_cli("status", "C1", "--db", db).stderr


def test_claim_ids_in_any_case_or_without_their_letters(run_cli, services, db_path: Path) -> None:
    from tests.builders import claim_record, write

    write(services.conn, claim_record("OT2603250001"), claim_record("OT2603250002", account="A2"))
    db = str(db_path)
    assert run_cli("claim", "ot2603250001", "--db", db, "--json").json()["claim_id"] == "OT2603250001"
    assert run_cli("claim", "2603250002", "--db", db, "--json").json()["claim_id"] == "OT2603250002"
    assert run_cli("next", "2603250002", "--db", db).stdout.startswith("Claim OT2603250002")
    result = run_cli("status", "2603250001", "in_progress", "--db", db)
    assert result.exit_code == 0 and result.stdout.startswith("OT2603250001: work status new -> in_progress")
    assert run_cli("claim", "2603250009", "--db", db).stderr.startswith("error: no claim '2603250009'")


def test_money_in_json_is_dollars_and_on_screen_is_money(run_cli, services, db_path: Path) -> None:
    from tests.builders import claim_record, write

    write(services.conn, claim_record("W1"))
    db = str(db_path)
    text = run_cli("status", "W1", "written_off", "--reason", "test", "--db", db).stdout
    assert "W1: balance $225.00 -> $0.00" in text and "_cents" not in text
    history = run_cli("history", "W1", "--db", db, "--json").json()
    off = next(a for a in history if a["kind"] == "write_off" and a["field"] == "balance")
    assert (off["before"], off["after"], off["details"]["amount"]) == (225.0, 0.0, 225.0)
    changes = run_cli("status", "W1", "new", "--db", db, "--json").json()["changes"]
    assert {"field": "balance", "before": 0.0, "after": 225.0} in changes
    claim = run_cli("claim", "W1", "--db", db, "--json").json()
    keys = [k for a in claim["activities"] for k in [a["field"] or "", *(a["details"] or {})]]
    assert not any(k.endswith("_cents") for k in keys)
    assert "_cents" not in run_cli("history", "W1", "--db", db).stdout


def test_tables_fit_the_width_asked_for() -> None:
    from assistant.cli.output import table

    rows = [(n, f"OT26032500{n:02d}", "Oregon Health Plan Medicaid", f"${n * 100}.00",
             "timely filing ends in 2 days - no answer in 360 days - the payer has not answered")
            for n in range(1, 4)]
    text = table(rows, ["#", "claim", "payer", "balance", "why"], right=(0, 3), width=60)
    assert max(map(len, text.splitlines())) <= 60
    assert all(f"OT26032500{n:02d}" in text for n in range(1, 4))  # ids never break
    assert table(rows, ["#", "claim", "payer", "balance", "why"], right=(0, 3), width=None).count("\n") == 4
    wide = [tuple(range(14))]
    parts = table(wide, [f"column number {n}" for n in range(14)], right=range(14), width=60)
    assert max(map(len, parts.splitlines())) <= 60 and parts.count("\n\n") >= 1  # in parts, each led by column 0


def test_the_worklist_fits_100_columns(run_cli, services, db_path: Path, monkeypatch) -> None:
    from tests.worklist_cases import practice

    practice(services)
    monkeypatch.setenv("AR_ASSISTANT_WIDTH", "100")
    out = run_cli("worklist", "--db", str(db_path), "--today", "2026-11-26").stdout
    assert max(map(len, out.splitlines())) <= 100
    assert "days" in out and "DEN-SOON" in out  # the why on its own line
    monkeypatch.delenv("AR_ASSISTANT_WIDTH")
    piped = run_cli("worklist", "--db", str(db_path), "--today", "2026-11-26").stdout
    assert all(" - " in line for line in piped.splitlines()[3:] if line.strip())  # one line a claim
