"""The rules' cost: `assess_many` per claim on a few thousand claims, and one claim re-assessed.

    python bench/bench_assess.py [--claims N] [--db PATH] [--keep] [--sample N]

Builds a database of N claims (default 250,000) with bench_worklist's writer-based builder,
then gives every remittance line payments with the allowed amount the payer priced (what
the KX estimate and the bulk loaders read), so the figures reflect a practice with a year
of 835s posted. An existing --db is reused as it is. It prints, warm (the same connection)
and cold (a fresh connection, SQLite's page cache empty):

- `assess_many` over --sample open claims, per claim;
- one claim re-assessed with `assess_many([pk])`, and `Services.refresh_claims([pk])` (the
  rules plus storing the assessment and the rank key), median of several claims of each
  payer kind.

Everything generated is synthetic.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_worklist import TODAY, build_with_writer

from assistant.paths import Locations
from assistant.rules.assess import assess_many
from assistant.services import Services


def add_line_payments(conn: sqlite3.Connection) -> int:
    """One line payment per billed line of each posted claim: 70% allowed when paid, none when denied."""
    from assistant.storage import transaction

    with transaction(conn):
        count = conn.execute(
            "INSERT INTO line_payments (claim_payment_pk, line_pk, qualifier, code, modifiers, charge_cents, "
            "paid_cents, allowed_cents, units) "
            "SELECT cp.pk, l.pk, 'HC', l.code, l.modifiers, l.charge_cents, "
            "CASE WHEN c.payer_status = 'denied' THEN 0 ELSE l.charge_cents * 7 / 10 END, "
            "CASE WHEN c.payer_status = 'denied' THEN NULL ELSE l.charge_cents * 7 / 10 END, l.units "
            "FROM claim_payments cp JOIN claims c ON c.pk = cp.claim_pk "
            "JOIN claim_lines l ON l.claim_pk = c.pk "
            "WHERE NOT EXISTS (SELECT 1 FROM line_payments x WHERE x.claim_payment_pk = cp.pk)").rowcount
    conn.execute("ANALYZE")
    return count


def median_ms(run, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=250_000)
    parser.add_argument("--db", type=Path, help="Use (or build) this database; default: a temporary one.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary database.")
    parser.add_argument("--sample", type=int, default=3000, help="Claims in the bulk measurement.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-assess-"))
    db = (args.db or folder / "bench.db").resolve()
    locations = Locations(db=db, config=folder / "config")
    files = locations.playbook_files
    svc = Services(locations, today=TODAY, user="bench")
    if not db.exists():
        t0 = time.perf_counter()
        build_with_writer(svc, args.claims, TODAY)
        print(f"  line payments: {add_line_payments(svc.conn):,}")
        print(f"built in {time.perf_counter() - t0:,.0f} s")
    svc.close()

    svc = Services(locations, today=TODAY, user="bench")
    conn = svc.conn
    total = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    lines = conn.execute("SELECT count(*) FROM line_payments").fetchone()[0]
    print(f"\n{total:,} claims, {lines:,} line payments; today {TODAY}\n")
    sample = [pk for (pk,) in conn.execute(
        "SELECT pk FROM claims WHERE balance_cents > 0 ORDER BY random() LIMIT ?", (args.sample,))]
    singles = [pk for kind in ("medicare", "medicare_advantage", "medicaid", "commercial")
               for (pk,) in conn.execute(
                   "SELECT c.pk FROM claims c JOIN payers y ON y.pk = c.payer_pk WHERE y.kind = ? "
                   "AND c.balance_cents > 0 ORDER BY random() LIMIT 5", (kind,))]

    cold = Services(locations, today=TODAY, user="bench")
    start = time.perf_counter()
    assess_many(cold.conn, [singles[0]], TODAY, files)
    print(f"one claim, fresh connection:   {(time.perf_counter() - start) * 1000:8.1f} ms")
    cold.close()

    assess_many(conn, sample[:50], TODAY, files)  # warm the caches (data files, playbook)
    start = time.perf_counter()
    assess_many(conn, sample, TODAY, files)
    ms = (time.perf_counter() - start) * 1000
    print(f"assess_many, {len(sample):,} claims:     {ms / len(sample):8.3f} ms per claim ({ms:,.0f} ms)")
    one = statistics.median(median_ms(lambda pk=pk: assess_many(conn, [pk], TODAY, files), 3)
                            for pk in singles)
    print(f"one claim, assess_many([pk]):  {one:8.2f} ms   (median over {len(singles)} claims)")
    refresh = statistics.median(median_ms(lambda pk=pk: svc.refresh_claims([pk]), 3) for pk in singles)
    print(f"one claim, refresh_claims:     {refresh:8.2f} ms   (rules, store, rank key, commit)")
    svc.close()
    if args.db is None and not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    elif args.db is None:
        print(f"kept {db}")


if __name__ == "__main__":
    main()
