"""Shared fixtures: a throwaway database, services over it, and the CLI run in-process."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from assistant.paths import Locations
from assistant.services import Services

# Property tests are deterministic (same examples every run) and free of wall-clock deadlines,
# which a loaded 2-core CI machine cannot promise.
settings.register_profile("ar", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ar")

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_835 = SHARED / "x12-samples" / "835"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user folders."""
    monkeypatch.setenv("AR_ASSISTANT_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("AR_ASSISTANT_DB", str(tmp_path / "default" / "ar.db"))
    monkeypatch.setenv("AR_ASSISTANT_USER", "tester")
    monkeypatch.setenv("AR_ASSISTANT_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "ar.db"


@pytest.fixture
def services(db_path: Path) -> Iterator[Services]:
    svc = Services(Locations.resolve(db_path), today=TODAY, user="tester")
    svc.create_database()
    yield svc
    svc.close()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        import json

        return json.loads(self.stdout)


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run `ar-assistant ARGS...` in-process through the real entry point."""
    from assistant.cli.main import main

    def run(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            monkeypatch.setattr(sys, "stdout", sys.__stdout__)
            monkeypatch.setattr(sys, "stderr", sys.__stderr__)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run
