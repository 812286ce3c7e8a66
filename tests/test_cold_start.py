"""Import hygiene: commands other than the TUI and letters never import Textual or python-docx.

Each command runs in a fresh interpreter (the real entry point) and reports which heavy
modules it loaded. `explain` and `units` open no database and stay lighter still; the
database commands load sqlite-utils only to migrate, never on an up-to-date database.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.services import Services
from tests import synthetic as syn
from tests.processes import ROOT

HEAVY = ("textual", "docx", "jinja2", "rapidfuzz", "sqlite_utils", "sqlite3", "assistant.services",
         "assistant.domain", "assistant.tui", "assistant.letters")


def loaded(*args: str) -> set[str]:
    code = ("import json, sys\nfrom assistant.cli.main import main\n"
            f"try:\n    main({list(args)!r})\nexcept SystemExit as exc:\n    code = exc.code\nelse:\n    code = 0\n"
            f"print('MODULES:' + json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
            "sys.exit(code or 0)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("MODULES:"))
    return set(json.loads(line.removeprefix("MODULES:")))


@pytest.fixture
def db(services: Services, tmp_path: Path) -> str:
    source = tmp_path / "batch.837"
    source.write_text(syn.x837(4))
    assert services.import_paths("837", [source])[0].status == "imported"
    services.ensure_ranking()
    return str(services.locations.db)


@pytest.mark.parametrize("args", [("explain", "CO-50"), ("explain", "CO-197", "N115", "--json"),
                                  ("units", "97110=33", "97140=7")])
def test_the_rules_commands_start_without_the_database_or_heavy_libraries(args: tuple[str, ...]) -> None:
    assert loaded(*args) == set()


@pytest.mark.parametrize("command", [
    ("claims", "--limit", "1"), ("claim", syn.claim_id("SYN", 1)), ("worklist", "--limit", "5"),
    ("note", syn.claim_id("SYN", 2), "called the payer"), ("history", syn.claim_id("SYN", 2)),
    ("aging",), ("status", syn.claim_id("SYN", 3), "in_progress"), ("ask", "why", "was", syn.claim_id("SYN", 1),
                                                                     "denied?"),
    ("report", "aging"), ("import", "837", "--json", "NOFILE.837")])
def test_database_commands_never_import_textual_python_docx_or_sqlite_utils(db: str,
                                                                          command: tuple[str, ...]) -> None:
    modules = loaded("--db", db, "--today", "2026-11-26", *command)
    assert not modules & {"textual", "docx", "sqlite_utils", "assistant.tui", "assistant.letters"}, modules


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG shortcut is for Linux")
@pytest.mark.parametrize("env", [{}, {"XDG_CONFIG_HOME": "/x/config", "XDG_DATA_HOME": "/x/data"},
                                 {"XDG_CONFIG_HOME": "  ", "XDG_DATA_HOME": ""}])
def test_the_folders_found_without_platformdirs_are_the_ones_it_names(monkeypatch, env: dict[str, str]) -> None:
    from platformdirs import user_config_dir, user_data_dir

    from assistant import paths

    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert str(paths._user_config_dir()) == user_config_dir("ar-assistant", appauthor=False)
    assert str(paths._user_data_dir()) == user_data_dir("ar-assistant", appauthor=False)
