"""Speed of the chat engine: milliseconds per message over the test phrasings.

    python bench/bench_chat.py [PATIENTS ...]        (default: 2000 50000)
    python bench/bench_chat.py --db ar.db            (an existing database, e.g. the sample)

For each size, builds a throwaway database through the real writer: the chat tests'
practice (payers with aliases, near-duplicate patients, denied claims) plus PATIENTS
synthetic patients with one to three claims each, names drawn from common given names and
surnames with made-up variants so that tens of thousands of distinct names exist. Then it
times, per message of tests/test_chat_phrasings.py: reading it (`understand`: extractors,
payer and patient resolution, intent) and answering the read-only ones (`ask`: the
services' work too). Prints the index build time, then mean, median, 95th percentile and
maximum in milliseconds. Everything generated is synthetic.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.chat.engine import ChatEngine
from assistant.chat.session import Session
from assistant.ingest import ParsedBatch, write_batch
from assistant.paths import Locations
from assistant.services import Services
from assistant.storage import transaction
from tests.builders import CLINIC, OT, OTA, claim_record
from tests.chat_fixtures import CHAT_PAYERS, build_chat_db
from tests.conftest import TODAY
from tests.test_chat_phrasings import PHRASINGS

READ_ONLY = frozenset({"claim", "explain", "next_action", "check", "units", "help", "unknown"})
SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen",
    "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
    "Carter", "Roberts", "Patel", "Kim", "Chen", "Okafor", "Haddad", "Kowalski", "Novak", "Yamamoto",
    "Lindqvist", "Schneider", "Fischer", "Ivanova", "Mensah"
)
GIVEN = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles",
    "Karen", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Margaret", "Donald", "Sandra", "Steven",
    "Ashley", "Paul", "Kimberly", "Andrew", "Emily", "Joshua", "Donna", "Kevin", "Michelle", "Brian",
    "Amanda", "Yolanda", "Ingrid", "Tariq", "Priya", "Mei", "Ana", "Luis", "Jose", "Fatima", "Olga",
    "Kwame", "Aiko"
)
SYLLABLES = (
    "an", "ber", "ca", "del", "en", "for", "gan", "hol", "is", "ka", "lin", "mo", "nor", "ost", "pe",
    "ran", "sil", "tor", "ul", "van", "wes", "yor", "zel"
)


def synthetic_name(rng: random.Random) -> tuple[str, str]:
    """A surname (common, or a made-up compound for variety) and a given name."""
    if rng.random() < 0.5:
        last = rng.choice(SURNAMES)
    else:
        last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if rng.random() < 0.3:
            last += rng.choice(("son", "ez", "ski", "berg", "ton"))
    return last, rng.choice(GIVEN)


def build(path: Path, patients: int) -> Services:
    svc = Services(Locations.resolve(path), today=TODAY, user="bench")
    svc.create_database()
    build_chat_db(svc.conn, fillers=0)
    rng = random.Random(patients)
    payers = [p.name for p in CHAT_PAYERS]
    batch: list = []  # type: ignore[type-arg]

    def flush() -> None:
        with transaction(svc.conn):
            write_batch(svc.conn, ParsedBatch(providers=[CLINIC, OT, OTA], claims=batch), "bench", "bench")
        batch.clear()

    for n in range(patients):
        last, first = synthetic_name(rng)
        for k in range(rng.randint(1, 3)):
            dos = TODAY - timedelta(days=rng.randint(1, 400))
            batch.append(claim_record(f"B{n:06d}{k}", account=f"P{n:06d}", last=last, first=first,
                                      payer=rng.choice(payers), dos=dos))
        if len(batch) >= 5000:
            flush()
    if batch:
        flush()
    return svc


def timings(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (f"mean {statistics.mean(ordered):6.2f}  median {statistics.median(ordered):6.2f}  "
            f"p95 {p95:6.2f}  max {ordered[-1]:6.2f} ms")


def measure(svc: Services, label: str) -> None:
    engine = ChatEngine(svc, Session(interactive=False))
    start = time.perf_counter()
    engine.understand("warm up")
    print(f"{label}: indexes built in {(time.perf_counter() - start) * 1000:.0f} ms "
          f"({len(engine.knowledge.patients)} patients)")
    for _ in range(2):  # warm caches (code tables, regexes)
        for text, _, _ in PHRASINGS:
            engine.understand(text)
    parse: list[float] = []
    for _ in range(3):
        for text, _, _ in PHRASINGS:
            t0 = time.perf_counter()
            engine.understand(text)
            parse.append((time.perf_counter() - t0) * 1000)
    print(f"  understand, {len(PHRASINGS)} phrasings x3: {timings(parse)}")
    answers: list[tuple[float, str]] = []
    for text, intent, _ in PHRASINGS:
        if intent in READ_ONLY:
            engine.session = Session(interactive=False)
            t0 = time.perf_counter()
            reply = engine.ask(text)
            elapsed = (time.perf_counter() - t0) * 1000
            if reply.intent == "check" and len(reply.claims) > 1:
                print(f"  ask {text!r} (the OT checks on every open claim): {elapsed:.0f} ms")
                continue
            answers.append((elapsed, text))
    print(f"  ask (other read-only messages, {len(answers)}): {timings([a for a, _ in answers])}")
    print("  slowest: " + "; ".join(f"{text!r} {ms:.0f} ms" for ms, text in sorted(answers)[-3:]))


def main(argv: list[str]) -> None:
    if argv[:1] == ["--db"]:
        svc = Services(Locations.resolve(Path(argv[1])), today=TODAY, user="bench")
        measure(svc, argv[1])
        return
    sizes = [int(a) for a in argv] or [2000, 50000]
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            start = time.perf_counter()
            svc = build(Path(tmp) / f"chat-{size}.db", size)
            print(f"built {size} patients in {time.perf_counter() - start:.1f} s")
            measure(svc, f"{size} patients")
            svc.close()


if __name__ == "__main__":
    main(sys.argv[1:])
