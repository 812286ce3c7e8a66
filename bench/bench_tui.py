"""Time the terminal app as a person meets it: exec to first frame, to the first ranked rows,
and how long a cursor move and a page down take to reach the terminal.

The app runs in a pseudo-terminal of a fixed size; times are read from the bytes it writes.

    python bench/bench_tui.py --db /path/to/ar.db [--today 2026-11-26] [--runs 3]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_FRAME = b"Worklists"  # the worklist bar, drawn in the first frame
FIRST_ROWS = b"#1 "  # the reason line under the table: the top claim is shown


class Terminal:
    def __init__(self, argv: list[str], cols: int, rows: int) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(ROOT)
            os.execv(argv[0], argv)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.seen = b""

    def read_until(self, needle: bytes, timeout: float = 60.0) -> float:
        """Seconds from start until `needle` has been written."""
        deadline = time.perf_counter() + timeout
        while needle not in self.seen:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"never saw {needle!r}")
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                self.seen += os.read(self.fd, 1 << 16)
        return time.perf_counter() - self.started

    def drain(self, quiet: float = 0.3, limit: float = 5.0) -> None:
        """Read until the app has been quiet for `quiet` seconds (at most `limit`)."""
        deadline = time.perf_counter() + limit
        while select.select([self.fd], [], [], quiet)[0] and time.perf_counter() < deadline:
            try:
                os.read(self.fd, 1 << 16)
            except OSError:  # the app has exited
                return

    def answer_time(self, keys: bytes) -> float:
        """Seconds from writing `keys` to the first bytes of the repaint."""
        self.drain()
        start = time.perf_counter()
        os.write(self.fd, keys)
        if not select.select([self.fd], [], [], 5.0)[0]:
            raise TimeoutError(f"no repaint after {keys!r}")
        took = time.perf_counter() - start
        os.read(self.fd, 1 << 16)
        return took

    def close(self) -> None:
        os.write(self.fd, b"\x11")  # ctrl+q
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                return
            self.drain(0.05)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)


def run_once(db: str, today: str | None, cols: int, rows: int, moves: int) -> dict[str, float | list[float]]:
    argv = [sys.executable, "-m", "assistant", "--db", db] + (["--today", today] if today else []) + ["tui"]
    term = Terminal(argv, cols, rows)
    try:
        frame = term.read_until(FIRST_FRAME)
        first_rows = term.read_until(FIRST_ROWS)
        term.drain(1.0)
        # Down then up (and page down then up) so a short list never runs out of rows.
        down = [term.answer_time(b"j" if i % 2 == 0 else b"k") for i in range(moves)]
        page = [term.answer_time(b"\x1b[6~" if i % 2 == 0 else b"\x1b[5~") for i in range(moves)]
    finally:
        term.close()
    return {"first_frame": frame, "first_rows": first_rows, "down": down, "page_down": page}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--today")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--size", default="160x50")
    args = parser.parse_args()
    cols, rows = (int(n) for n in args.size.split("x"))
    results = [run_once(args.db, args.today, cols, rows, args.moves) for _ in range(args.runs)]

    def ms(values: list[float]) -> str:
        return f"median {statistics.median(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"

    print(f"{args.db} at {args.size}, {args.runs} runs")
    print(f"  exec to first frame : {ms([float(r['first_frame']) for r in results])}")  # type: ignore[arg-type]
    print(f"  exec to first rows  : {ms([float(r['first_rows']) for r in results])}")  # type: ignore[arg-type]
    print(f"  cursor down         : {ms([d for r in results for d in r['down']])}")  # type: ignore[union-attr]
    print(f"  page down           : {ms([d for r in results for d in r['page_down']])}")  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
