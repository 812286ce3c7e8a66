"""Benchmark: import a generated 20,000-claim 835 into SQLite, next to floors measured in the same run.

    /work/venv/bin/python bench/bench_835.py [--claims 20000] [--repeat 3]

The file (2-4 service lines per claim, CAS on most lines, REF*6R and AMT*B6 on each) is
written by `write_835`; the database holds the billed claims first, so the import matches
and posts every one. Floors, on the same file and machine:

  bare split        decode, split on the terminator and the element separator, count CLPs
  split+executemany a minimal parser (CLP, SVC, CAS only) and raw executemany of claims,
                    lines and adjustments into plain tables, in one transaction

The import is `assistant.remit.service.import_835`: read, check, balance, match, post,
audit, one transaction; the tokenizer and `read_835` alone are timed too, to show where the
time goes. Each figure is the best of --repeat runs (a fresh copy of the database for each
import), with the cycle collector paused for them as import_835 pauses it.
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.domain import (
    ClaimLineRecord,
    ClaimRecord,
    PatientRecord,
    PayerKind,
    PayerRecord,
    ProviderRecord,
)
from assistant.importers.x12 import tokenize
from assistant.ingest import ParsedBatch, write_batch
from assistant.remit.reader import read_835
from assistant.remit.records import (
    AdjustmentRecord,
    ClaimPaymentRecord,
    RemittanceRecord,
    ServiceRecord,
)
from assistant.remit.service import import_835
from assistant.remit.writer import write_835
from assistant.storage import open_database, transaction

FEES = {"97110": 3600, "97112": 3800, "97140": 3400, "97530": 4200, "97535": 3900, "97165": 11000}
PAYER = PayerRecord("Medicare Part B", "04412", PayerKind.MEDICARE)
CLINIC = ProviderRecord(npi="1699999996", last_name="Harbor Hand", is_organization=True)


def generate(count: int, seed: int = 7) -> tuple[list[ClaimRecord], RemittanceRecord]:
    """Billed claims and the remittance that answers them (most paid, some denied, CAS on most)."""
    rng = random.Random(seed)
    billed: list[ClaimRecord] = []
    paid: list[ClaimPaymentRecord] = []
    for i in range(count):
        dos = date(2026, 1, 2) + timedelta(days=i % 300)
        claim_id = f"OT{i:07d}"
        lines, services = [], []
        for n in range(1, rng.randint(2, 4) + 1):
            code = rng.choice(list(FEES))
            units = 1 if code == "97165" else rng.randint(1, 3)
            charge = FEES[code] * units
            allowed = charge * 8 // 10
            roll = rng.random()
            if roll < 0.08:  # denied line
                adjustments = (AdjustmentRecord("CO", rng.choice(["50", "197", "96"]), charge),)
                line_paid, remarks = 0, ("N115",)
            elif roll < 0.85:  # fee schedule and coinsurance
                adjustments = (AdjustmentRecord("CO", "45", charge - allowed),
                               AdjustmentRecord("PR", "2", allowed // 5))
                line_paid, remarks = allowed - allowed // 5, ()
            else:  # paid as billed, no CAS
                adjustments, line_paid, remarks = (), charge, ()
            control = f"{claim_id}-{n}"
            lines.append(ClaimLineRecord(n, code, ("GO",), Decimal(units), charge, (1,), dos,
                                         control_number=control))
            services.append(ServiceRecord("HC", code, ("GO",), charge, line_paid, Decimal(units),
                                          service_from=dos, service_to=dos, control_number=control,
                                          allowed_cents=None if not line_paid else allowed,
                                          adjustments=adjustments, remarks=remarks))
        total = sum(line.charge_cents for line in lines)
        billed.append(ClaimRecord(
            claim_id, PatientRecord(f"P{i % 4000:05d}", f"LAST{i % 4000}", "FIRST"), PAYER, tuple(lines),
            total, dos, dos, member_id=f"M{i % 4000:05d}", billing_provider=CLINIC, diagnoses=("M6281",)))
        responsibility = sum(a.amount_cents for s in services for a in s.adjustments if a.group == "PR")
        line_total = sum(s.paid_cents for s in services)
        paid.append(ClaimPaymentRecord(
            claim_id, "1" if line_total else "4", total, line_total, responsibility, "MB", f"ICN{i:010d}",
            "11", "1", f"LAST{i % 4000}", "FIRST", f"M{i % 4000:05d}", dos, dos, services=tuple(services)))
    remittance = RemittanceRecord(
        "005010X221A1", "MEDICARE PART B", sum(c.paid_cents for c in paid), payer_id="04412",
        payee_name="HARBOR HAND", payee_npi="1699999996", trace_number="BENCH1", payment_method="ACH",
        payment_date=date(2026, 11, 20), production_date=date(2026, 11, 18), claims=tuple(paid))
    return billed, remittance


def bare_split(data: bytes) -> int:
    text = data.decode()
    count = 0
    for segment in text.split("~"):
        if segment.lstrip().split("*", 1)[0] == "CLP":
            count += 1
    return count


def split_and_executemany(data: bytes, db: Path) -> int:
    """The floor: the least a Python importer can do with the same file and SQLite."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
        "CREATE TABLE claims (pk INTEGER PRIMARY KEY, pcn TEXT, charge INTEGER, paid INTEGER);"
        "CREATE TABLE lines (pk INTEGER PRIMARY KEY, claim INTEGER, code TEXT, charge INTEGER, paid INTEGER);"
        "CREATE TABLE adjustments (claim INTEGER, line INTEGER, grp TEXT, reason TEXT, amount INTEGER);")
    claims, lines, adjustments = [], [], []
    claim_pk = line_pk = 0
    for segment in data.decode().split("~"):
        fields = segment.strip().split("*")
        tag = fields[0]
        if tag == "CLP":
            claim_pk += 1
            claims.append((claim_pk, fields[1], round(float(fields[3]) * 100), round(float(fields[4]) * 100)))
        elif tag == "SVC":
            line_pk += 1
            lines.append((line_pk, claim_pk, fields[1].split(":")[1], round(float(fields[2]) * 100),
                          round(float(fields[3]) * 100)))
        elif tag == "CAS":
            for i in range(2, len(fields) - 1, 3):
                amount = round(float(fields[i + 1]) * 100)
                adjustments.append((claim_pk, line_pk, fields[1], fields[i], amount))
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO claims VALUES (?, ?, ?, ?)", claims)
    conn.executemany("INSERT INTO lines VALUES (?, ?, ?, ?, ?)", lines)
    conn.executemany("INSERT INTO adjustments VALUES (?, ?, ?, ?, ?)", adjustments)
    conn.execute("COMMIT")
    conn.close()
    return len(claims)


def prepare(folder: Path, billed: list[ClaimRecord]) -> Path:
    db = folder / "billed.db"
    conn = open_database(db, create=True)
    with transaction(conn):
        write_batch(conn, ParsedBatch(providers=[CLINIC], claims=billed), "bench", "bench.837")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


def best(runs: list[float]) -> float:
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"generating {args.claims:,} claims ...", file=sys.stderr)
        billed, remittance = generate(args.claims)
        text = write_835([remittance], sender_id="04412", receiver_id="1699999996", control_number=1,
                         when=datetime(2026, 11, 18, 6, 0))
        era = folder / "bench.835"
        era.write_text(text)
        data = era.read_bytes()
        lines = sum(len(c.services) for c in remittance.claims)
        print(f"file: {len(data) / 1e6:.1f} MB, {text.count('~'):,} segments, {lines:,} service lines",
              file=sys.stderr)
        template = prepare(folder, billed)
        split_runs, floor_runs, tokenize_runs, read_runs, import_runs = [], [], [], [], []
        for run in range(args.repeat):
            start = time.perf_counter()
            assert bare_split(data) == args.claims
            split_runs.append(time.perf_counter() - start)
            floor_db = folder / f"floor{run}.db"
            start = time.perf_counter()
            assert split_and_executemany(data, floor_db) == args.claims
            floor_runs.append(time.perf_counter() - start)
            gc.disable()
            start = time.perf_counter()
            assert len(tokenize(data, era.name).segments) > args.claims
            tokenize_runs.append(time.perf_counter() - start)
            start = time.perf_counter()
            assert read_835(data, era.name).claims == args.claims
            read_runs.append(time.perf_counter() - start)
            gc.enable()
            db = folder / f"import{run}.db"
            shutil.copy(template, db)
            conn = open_database(db)
            start = time.perf_counter()
            result = import_835(conn, era, user="bench")
            import_runs.append(time.perf_counter() - start)
            conn.close()
            assert result["status"] == "imported" and result["matched"] == args.claims, result["error"]
            assert result["balanced"], result["imbalances"][:3]
    floor = args.claims / best(floor_runs)
    rows = [("bare split pass", best(split_runs)), ("minimal split + executemany", best(floor_runs)),
            ("tokenize only", best(tokenize_runs)), ("read_835 only (tokenize included)", best(read_runs)),
            ("import_835 (read, match, post, audit)", best(import_runs))]
    print(f"\n{'':40} {'seconds':>8} {'claims/s':>10} {'vs floor':>9}")
    for name, seconds in rows:
        rate = args.claims / seconds
        print(f"{name:40} {seconds:8.3f} {rate:10,.0f} {rate / floor:8.2f}x")
    print(f"\n{args.claims:,} claims, best of {args.repeat}; aim: import >= 0.4x the second floor")


if __name__ == "__main__":
    main()
