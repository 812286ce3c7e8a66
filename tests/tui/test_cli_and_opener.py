"""Opening the app from the CLI, Textual kept out of other commands, and the desktop opener."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.services import Services
from assistant.tui import opener
from assistant.tui.opener import NoOpener, open_in_desktop

ROOT = Path(__file__).resolve().parents[2]


def test_tui_without_a_terminal_prints_the_summary(run_cli, practice_services: Services) -> None:
    result = run_cli("tui", "--db", str(practice_services.locations.db))
    assert result.exit_code == 0, result.stderr
    assert "5 claims, 3 patients" in result.stdout
    assert "SYNTHETIC" not in result.stdout


def test_tui_on_a_missing_database_is_one_line(run_cli, tmp_path: Path) -> None:
    result = run_cli("tui", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no database at") and "Traceback" not in result.stderr


@pytest.mark.parametrize("argv", [["claims", "--help"], ["explain", "CO-50"], ["tui", "--help"]])
def test_commands_other_than_the_app_do_not_import_textual(argv: list[str]) -> None:
    code = ("import sys\nfrom assistant.cli.main import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            "print('textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


def test_the_core_never_imports_textual() -> None:
    code = ("import sys, pkgutil, importlib, assistant\n"
            "for m in pkgutil.walk_packages(assistant.__path__, 'assistant.'):\n"
            "    if not m.name.startswith(('assistant.tui', 'assistant.cli', 'assistant.__main__')):\n"
            "        importlib.import_module(m.name)\n"
            "print('textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout
    assert out.strip() == "False"


def test_opener_missing_is_an_error_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    letter = tmp_path / "letter.docx"
    letter.write_bytes(b"x")
    monkeypatch.setattr(opener.sys, "platform", "linux")
    monkeypatch.setattr(opener.shutil, "which", lambda _name: None)
    with pytest.raises(NoOpener, match="no desktop opener") as info:
        open_in_desktop(letter)
    assert str(letter) in info.value.message


def test_opener_that_fails_at_once_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "xdg-open"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    letter = tmp_path / "letter.docx"
    letter.write_bytes(b"x")
    monkeypatch.setattr(opener.sys, "platform", "linux")
    monkeypatch.setattr(opener.shutil, "which", lambda _name: str(fake))
    with pytest.raises(NoOpener, match=r"could not open letter\.docx"):
        open_in_desktop(letter)


def test_opener_hands_the_file_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = tmp_path / "seen"
    fake = tmp_path / "xdg-open"
    fake.write_text(f"#!/bin/sh\necho \"$1\" > {seen}\n")
    fake.chmod(0o755)
    letter = tmp_path / "letter.docx"
    letter.write_bytes(b"x")
    monkeypatch.setattr(opener.sys, "platform", "linux")
    monkeypatch.setattr(opener.shutil, "which", lambda _name: str(fake))
    open_in_desktop(letter)
    assert seen.read_text().strip() == str(letter)


def test_opener_refuses_a_file_that_is_gone(tmp_path: Path) -> None:
    with pytest.raises(NoOpener, match="not there"):
        open_in_desktop(tmp_path / "gone.docx")
