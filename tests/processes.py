"""Running the real program in other processes: the CLI, and the workers in tests/procs.py."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def cli_args(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "assistant", "--db", str(db), "--today", "2026-11-26", *args]


def start_cli(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(cli_args(db, *args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def run_cli(db: Path, *args: str, timeout: float = 120) -> Finished:
    done = subprocess.run(cli_args(db, *args), cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return Finished(done.returncode, done.stdout, done.stderr)


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> Finished:
    out, err = proc.communicate(timeout=timeout)
    return Finished(proc.returncode, out, err)


def start_worker(task: str, db: Path, stop: Path, *args: str) -> subprocess.Popen[str]:
    """A tests/procs.py worker; returns once it has started (printed `ready`)."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.procs", task, str(db), str(stop), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.strip() == "ready", (first, proc.stderr.read() if proc.stderr else "")
    return proc


def worker_result(proc: subprocess.Popen[str], timeout: float = 120) -> dict[str, Any]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["stderr"] = err
    return result
