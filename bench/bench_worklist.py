"""Worklist speed at scale: the first 200 rows of `today` against the bare SQL for the same claims.

    python bench/bench_worklist.py [--claims N] [--db PATH] [--keep] [--today YYYY-MM-DD]

Builds a database of N claims (default 1,000,000) with `ar-assistant sample --claims N` when
the sample generator is installed, else by writing synthetic claims through the writer and
posting a year of remittances in SQL (paid, coinsurance left, denied, unanswered). An
existing --db is reused as it is. Then, in the same run, it prints:

- the one-time catch-up: assessing every open claim with the rules, and the cost per claim;
- `today`, first 200 rows: the ranked page alone, the page with its totals, and the bare SQL
  query that selects the same open claims (unordered, and all of them counted);
- the same with custom weights (every matching claim scored in SQL, integer days);
- the first look on the next day (re-keying the windows, calendar re-assessments) and after;
- one claim's refresh after a user action; aging by payer.

Everything generated is synthetic.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.domain import (
    ClaimLineRecord,
    ClaimRecord,
    Credential,
    PatientRecord,
    PayerKind,
    PayerRecord,
    PayerSettingsRecord,
    ProviderRecord,
)
from assistant.paths import Locations
from assistant.services import Services

TODAY = date(2026, 11, 26)
CHUNK = 20_000
PAYERS = [
    PayerSettingsRecord("Medicare Part B", PayerKind.MEDICARE, payer_id="04412"),
    PayerSettingsRecord("Humana Gold Plus", PayerKind.MEDICARE_ADVANTAGE, payer_id="61101"),
    PayerSettingsRecord("Oregon Medicaid", PayerKind.MEDICAID, payer_id="OR001"),
    PayerSettingsRecord("Aetna", PayerKind.COMMERCIAL, payer_id="60054"),
    PayerSettingsRecord("Blue Cross Blue Shield", PayerKind.COMMERCIAL, payer_id="00570"),
]
MIX = [0.40, 0.12, 0.10, 0.20, 0.18]
OT = ProviderRecord("1234567893", "Okafor", "Dana", Credential.OT)
CLINIC = ProviderRecord("1699999995", "Bench Hand Therapy", is_organization=True)
LINES = (("97530", 150.0), ("97110", 90.0), ("97140", 80.0), ("97535", 75.0))
# Share of claims by what the payer did, and the denial codes used (group, CARC, RARC).
OUTCOMES = (("paid", 0.74), ("coinsurance", 0.11), ("denied", 0.07), ("unanswered", 0.08))
DENIALS = (("CO", "50", "N115"), ("CO", "197", None), ("CO", "16", "MA130"), ("CO", "4", "N657"),
           ("CO", "151", "N435"), ("CO", "97", "M15"), ("CO", "29", None), ("CO", "18", "N522"))


def timed(run: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median milliseconds of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


# --------------------------------------------------------------------------- building the database


def build_with_sample(locations: Locations, claims: int, today: date) -> bool:
    try:
        from assistant.sample import build_sample
    except ImportError:
        return False
    print(f"building the sample ({claims:,} claims) ...", flush=True)
    build_sample(locations, today=today, claims=claims, user="bench")
    return True


def claim(n: int, rng: random.Random, today: date) -> ClaimRecord:
    dos = today - timedelta(days=rng.randint(1, 365))
    payer = rng.choices(PAYERS, MIX)[0]
    lines = tuple(
        ClaimLineRecord(i, code, ("GO",), Decimal(units), int(charge * units * 100), (1,), dos, 15 * units)
        for i, (code, charge) in enumerate(rng.sample(LINES, rng.randint(1, 3)), 1)
        for units in [rng.randint(1, 3)]
    )
    account = f"B{n % 60_000:06d}"
    return ClaimRecord(
        claim_id=f"BENCH{n:07d}",
        patient=PatientRecord(account, f"Patient{n % 60_000}", "Test", member_id=f"M{account}"),
        payer=PayerRecord(payer.name, payer.payer_id, payer.kind),
        lines=lines, billed_cents=sum(line.charge_cents for line in lines), dos_from=dos, dos_to=dos,
        member_id=f"M{account}", billing_provider=CLINIC, rendering_provider=OT,
        diagnoses=("M6281",), submitted_date=dos + timedelta(days=2),
    )


def build_with_writer(svc: Services, claims: int, today: date) -> None:
    from assistant.ingest import ParsedBatch, write_batch
    from assistant.storage import transaction

    conn = svc.create_database()
    conn.execute("PRAGMA synchronous = OFF")
    rng = random.Random(20261126)
    started = time.perf_counter()
    for start in range(0, claims, CHUNK):
        batch = ParsedBatch(providers=[CLINIC, OT], payer_settings=PAYERS if start == 0 else [],
                            claims=[claim(n, rng, today) for n in range(start, min(claims, start + CHUNK))])
        with transaction(conn):
            write_batch(conn, batch, "bench", f"bench-{start}")
        done = min(claims, start + CHUNK)
        rate = done / (time.perf_counter() - started)
        print(f"\r  wrote {done:,} claims ({rate:,.0f}/s)", end="", flush=True)
    print()
    post_remittances(conn, rng, today)


def post_remittances(conn: Any, rng: random.Random, today: date) -> None:
    """A year of payer answers, in SQL: paid in full, coinsurance left, denied, or none yet."""
    from assistant.storage import transaction

    print("  posting remittances ...", flush=True)
    rows = conn.execute("SELECT pk, billed_cents, submitted_day, payer_pk FROM claims").fetchall()
    names, weights = zip(*OUTCOMES, strict=True)
    payments, adjustments, remarks, claims = [], [], [], []
    for pk, billed, submitted, payer_pk in rows:
        outcome = rng.choices(names, weights)[0]
        lag = rng.randint(10, 35)
        if outcome == "unanswered" or submitted + lag > today.toordinal():
            continue
        remit = submitted + lag
        if outcome == "paid":
            paid, patient, status, denial = billed * 7 // 10, 0, "paid", None
            contractual = billed - paid
        elif outcome == "coinsurance":
            allowed = billed * 7 // 10
            patient = allowed // 5
            paid, contractual, status, denial = allowed - patient, billed - allowed, "partially_paid", None
        else:
            paid, contractual, patient, status = 0, 0, 0, "denied"
            denial = rng.choice(DENIALS)
        payments.append((pk, paid, patient, payer_pk))
        if contractual:
            adjustments.append((pk, "CO", "45", contractual))
        if patient:
            adjustments.append((pk, "PR", "2", patient))
        if denial:
            adjustments.append((pk, denial[0], denial[1], billed))
            if denial[2]:
                remarks.append((pk, denial[2]))
        balance = billed - paid - contractual
        claims.append((paid, contractual, patient, balance, status, date.fromordinal(remit).isoformat(),
                       remit, pk))
    with transaction(conn):
        conn.executemany("INSERT INTO remittances (payer_pk, payment_cents) VALUES (?, 0)",
                         [(p,) for p in sorted({p for *_, p in payments})])
        remit_of = {payer: pk for pk, payer in conn.execute("SELECT pk, payer_pk FROM remittances")}
        conn.executemany(
            "INSERT INTO claim_payments (remittance_pk, claim_pk, patient_control_number, status_code, "
            "paid_cents, patient_resp_cents) VALUES (?, ?, 'bench', '1', ?, ?)",
            [(remit_of[payer], pk, paid, patient) for pk, paid, patient, payer in payments])
        payment_of = dict(conn.execute("SELECT claim_pk, pk FROM claim_payments"))
        conn.executemany(
            "INSERT INTO adjustments (claim_payment_pk, claim_pk, group_code, reason_code, amount_cents) "
            "VALUES (?, ?, ?, ?, ?)", [(payment_of[pk], pk, g, c, a) for pk, g, c, a in adjustments])
        conn.executemany(
            "INSERT INTO remarks (claim_payment_pk, claim_pk, code, source) VALUES (?, ?, ?, 'MOA')",
            [(payment_of[pk], pk, code) for pk, code in remarks])
        conn.executemany(
            "UPDATE claims SET paid_cents = ?, adjusted_cents = ?, patient_resp_cents = ?, "
            "balance_cents = ?, payer_status = ?, last_remit_date = ?, last_remit_day = ?, "
            "version = version + 1 WHERE pk = ?",
            claims)
    conn.execute("ANALYZE")


# --------------------------------------------------------------------------- measuring


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="Use (or build) this database; default: a temporary one.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary database.")
    parser.add_argument("--today", type=date.fromisoformat, default=TODAY)
    parser.add_argument("--writer", action="store_true",
                        help="Fill through the writer even when the sample generator exists.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-worklist-"))
    db = args.db or folder / "bench.db"
    locations = Locations(db=db.resolve(), config=folder / "config")
    today = args.today
    svc = Services(locations, today=today, user="bench")
    if not db.exists():
        t0 = time.perf_counter()
        if args.writer or not build_with_sample(locations, args.claims, today):
            build_with_writer(svc, args.claims, today)
        print(f"built in {time.perf_counter() - t0:,.0f} s")
    conn = svc.conn
    total = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    open_claims = conn.execute(
        "SELECT count(*) FROM claims WHERE balance_cents > 0 AND work_status NOT IN ('written_off', 'closed')"
    ).fetchone()[0]
    print(f"\n{total:,} claims, {open_claims:,} open; today {today}\n")

    from assistant import worklists
    from assistant.ranking import ranking_data
    from assistant.rules.assess import assess_many

    sample = [pk for (pk,) in conn.execute(
        "SELECT pk FROM claims WHERE balance_cents > 0 ORDER BY random() LIMIT 2000")]
    ms, _ = timed(lambda: assess_many(conn, sample, today, locations.playbook_files))
    print(f"rules, assess_many:              {ms / max(len(sample), 1):8.3f} ms per claim "
          f"({len(sample):,} claims)")

    def catch_up(done: int, todo: int) -> None:
        print(f"\r  assessing {done:,}/{todo:,}", end="", flush=True)

    ms, stats = timed(lambda: svc.ensure_ranking(catch_up))
    print(f"\r{'first look (catch-up):':33s}{ms / 1000:8.1f} s    {stats}")
    ms, stats = timed(lambda: svc.ensure_ranking())
    print(f"{'second look, same day:':33s}{ms:8.1f} ms   {stats}")

    lists = svc.worklist_definitions()
    today_list = lists["today"]
    where, params = worklists.compile_filters(conn, today_list, today, "bench")
    bare_page = ("SELECT c.pk, c.claim_id, c.balance_cents FROM claims c JOIN payers y ON y.pk = c.payer_pk "
                 "WHERE " + " AND ".join(where) + " LIMIT 200")
    bare_all = ("SELECT count(*), sum(c.balance_cents) FROM claims c JOIN payers y ON y.pk = c.payer_pk "
                "WHERE " + " AND ".join(where))
    count = worklists.totals(conn, today_list, today, "bench")[0]
    page_ms, page = timed(lambda: worklists.rows(conn, today_list, today, "bench", limit=200, count=count),
                          repeat=7)
    totals_ms, _ = timed(lambda: worklists.totals(conn, today_list, today, "bench"), repeat=7)
    full_ms, full = timed(lambda: svc.worklist("today", limit=200), repeat=7)
    bare_ms, _ = timed(lambda: conn.execute(bare_page, params).fetchall(), repeat=7)
    bare_all_ms, counted = timed(lambda: conn.execute(bare_all, params).fetchone(), repeat=7)
    print(f"\ntoday: {counted[0]:,} claims due")
    print(f"  first 200 rows, ranked, why:   {page_ms:8.1f} ms")
    print(f"  bare SQL, same claims, 200:    {bare_ms:8.1f} ms   (unordered, columns only)")
    print(f"  totals (count, balance):       {totals_ms:8.1f} ms")
    print(f"  bare SQL, counting all:        {bare_all_ms:8.1f} ms")
    print(f"  worklist(): checks, totals, rows:{full_ms:6.1f} ms")
    tuned = worklists.Worklist("tuned", "", today_list.filters, weights=ranking_data().weights)
    tuned_ms, _ = timed(lambda: worklists.rows(conn, tuned, today, "bench", limit=200), repeat=3)
    print(f"  custom weights (scored in SQL):{tuned_ms:8.1f} ms")
    for name in ("denials-medicare", "no-response-30", "high-dollar", "patient-balance", "deadline-7-days"):
        ms, _ = timed(lambda n=name: worklists.rows(conn, lists[n], today, "bench", limit=200), repeat=5)
        print(f"  {name + ', first 200:':31s}{ms:8.1f} ms")

    tomorrow = Services(locations, today=today + timedelta(days=1), user="bench")
    tomorrow._conn = conn
    from assistant.ranking import rekey_for_day
    from assistant.storage import transaction

    def rekey() -> int:
        with transaction(conn):
            return rekey_for_day(conn, tomorrow.today)

    ms, rekeyed = timed(rekey)
    print(f"\nnext day, re-keying the windows:  {ms:8.1f} ms   ({rekeyed:,} claims)")
    ms, stats = timed(lambda: tomorrow.ensure_ranking())
    print(f"next day, calendar re-assessments:{ms:7.1f} ms   {stats}")
    ms, _ = timed(lambda: tomorrow.worklist("today", limit=200), repeat=5)
    print(f"next day, worklist():            {ms:8.1f} ms")

    first = page[0]["claim_id"] if page else None
    if first:
        ms, _ = timed(lambda: tomorrow.note(first, "bench: called the payer",
                                            follow_up=tomorrow.today + timedelta(days=7)))
        print(f"one claim's note + tickler:      {ms:8.1f} ms   (transaction, audit, refresh)")
    ms, data = timed(lambda: svc.aging(), repeat=5)
    print(f"aging by payer:                  {ms:8.1f} ms   ({len(data['by_payer'])} payers, "
          f"${data['total_balance']:,.2f})")
    if full["rows"]:
        print(f"\n#1 {full['rows'][0]['claim_id']}: {full['rows'][0]['why']}")
    svc.close()
    if args.db is None and not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    elif args.db is None:
        print(f"kept {db}")


if __name__ == "__main__":
    main()
