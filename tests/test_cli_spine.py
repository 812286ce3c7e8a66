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
    assert result.stderr.strip() == "error: no claim 'NOPE'"


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
