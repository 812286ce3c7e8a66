"""A small practice for the chat tests: payers with aliases, near-duplicate patients, denials.

Everything goes through the real writer (`tests.builders`), so the chat engine reads the
same tables a real import fills. Claim ids, names and amounts are made up.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from assistant.chat.engine import ChatEngine
from assistant.domain import PayerKind, PayerSettingsRecord, UnitRule
from assistant.ingest import ParsedBatch, write_batch
from assistant.paths import Locations
from assistant.services import Services
from assistant.storage import transaction
from tests.builders import CLINIC, OT, OTA, PAYERS, claim_record, post_denial, post_remit
from tests.conftest import TODAY

CHAT_PAYERS = [
    *PAYERS.values(),  # Medicare Part B (Medicare, CMS), Aetna, Blue Cross Blue Shield (BCBS, Blue Cross)
    PayerSettingsRecord("Humana Gold Plus HMO", PayerKind.MEDICARE_ADVANTAGE, payer_id="61101",
                        aliases=("Humana MA",)),
    PayerSettingsRecord("Humana Choice PPO", PayerKind.COMMERCIAL, payer_id="61102"),
    PayerSettingsRecord("UnitedHealthcare Community Plan", PayerKind.MEDICAID, payer_id="87726",
                        aliases=("UHC Community",)),
    PayerSettingsRecord("UnitedHealthcare Choice Plus", PayerKind.COMMERCIAL, payer_id="87727"),
    PayerSettingsRecord("Oregon Health Plan", PayerKind.MEDICAID, payer_id="OHP01", aliases=("OHP",)),
    PayerSettingsRecord("SAIF Corporation", PayerKind.WORKERS_COMP, payer_id="SAIF1", aliases=("SAIF",),
                        unit_rule=UnitRule.PER_CODE),
]


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


# claim id, account, last, first, payer, age in days, charge per line (two lines)
NAMED = [
    ("20931", "A2001", "Ortiz", "Ana", "Humana Gold Plus HMO", 140, 150.0),
    ("20932", "A2002", "Ortiz", "Luis", "Blue Cross Blue Shield", 56, 120.0),
    ("20933", "A1001", "Rivera", "Maria", "Medicare Part B", 40, 100.0),
    ("20934", "A2003", "Rivero", "Mario", "Aetna", 178, 310.0),
    ("20935", "A2004", "O'Brien", "Kathleen", "UnitedHealthcare Community Plan", 200, 90.0),
    ("OT250301A1", "A2005", "De la Cruz", "José", "SAIF Corporation", 95, 600.0),
    ("20937", "A2006", "Nguyen", "Thi", "Oregon Health Plan", 20, 80.0),
    ("20938", "A2007", "Kim", "Daniel", "Humana Choice PPO", 130, 220.0),
    ("20939", "A2008", "Jordan", "Michael", "UnitedHealthcare Choice Plus", 75, 140.0),
    ("20940", "A2009", "Washington", "George", "Medicare Part B", 125, 700.0),
    ("20941", "A2010", "Ortiz", "Mark", "Aetna", 33, 60.0),
    ("20942", "A2001", "Ortiz", "Ana", "Humana Gold Plus HMO", 12, 150.0),
    ("C-7781", "A2011", "Chen", "Mei", "Blue Cross Blue Shield", 64, 450.0),
]

_LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martinez",
         "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
         "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis",
         "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Hill", "Flores",
         "Green", "Adams", "Nelson", "Baker", "Hall", "Campbell", "Mitchell", "Carter", "Roberts", "Patel",
         "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Reyes", "Stewart", "Sullivan", "Bennett",
         "Fischer", "Schneider", "Kowalski", "Novak", "Yamamoto", "Okonkwo", "Haddad", "Lindqvist"]
_FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
          "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
          "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
          "Margaret", "Donald", "Sandra", "Steven", "Ashley", "Paul", "Kimberly", "Andrew", "Emily",
          "Joshua", "Donna", "Kenneth", "Michelle", "Kevin", "Carol", "Brian", "Amanda", "George",
          "Dorothy", "Timothy", "Melissa", "Ronald", "Deborah", "Yolanda", "Ingrid", "Tariq", "Priya"]


def filler_claims(count: int, seed: int = 7) -> list:  # type: ignore[type-arg]
    """Claims of made-up patients (account B...), spread over payers, ages and amounts."""
    rng = random.Random(seed)
    payer_names = [p.name for p in CHAT_PAYERS]
    out = []
    for n in range(count):
        out.append(claim_record(
            f"3{n:04d}", account=f"B{n:05d}", last=rng.choice(_LAST), first=rng.choice(_FIRST),
            payer=rng.choice(payer_names), dos=days_ago(rng.randint(5, 400)),
            lines=(("97530", ("GO",), 2, rng.choice((90.0, 150.0, 400.0, 900.0))),
                   ("97110", ("GO",), 1, 75.0)),
        ))
    return out


def build_chat_db(conn: sqlite3.Connection, fillers: int = 120) -> None:
    """The chat practice: the named patients' claims, some denied, plus `fillers` others."""
    claims = [
        claim_record(cid, account=acct, last=last, first=first, payer=payer, dos=days_ago(age),
                     lines=(("97530", ("GO",), 2, charge), ("97110", ("GO",), 1, 75.0)),
                     minutes=(30, 12))
        for cid, acct, last, first, payer, age, charge in NAMED
    ]
    batch = ParsedBatch(providers=[CLINIC, OT, OTA], payer_settings=list(CHAT_PAYERS),
                        claims=claims + filler_claims(fillers))
    with transaction(conn):
        write_batch(conn, batch, "tester", "chat-fixture")
    post_denial(conn, "20931", "CO", "50", 375.0, remarks=["N115"], remit_date=days_ago(100))
    post_denial(conn, "20932", "CO", "197", 315.0, remit_date=days_ago(30))
    post_denial(conn, "20935", "CO", "29", 255.0, remit_date=days_ago(150))
    post_denial(conn, "20938", "CO", "16", 515.0, remarks=["M127"], remit_date=days_ago(90))
    post_denial(conn, "20941", "CO", "97", 195.0, remarks=["M15"], remit_date=days_ago(10))
    post_remit(conn, "20933", [("CO", "45", 40.0, 1), ("PR", "2", 20.0, 1)], paid={1: 40.0, 2: 55.0},
               remit_date=days_ago(20))
    for n in range(0, min(fillers, 40), 3):
        post_denial(conn, f"3{n:04d}", "CO", ("50", "197", "29", "16", "18")[n % 5], 100.0,
                    remit_date=days_ago(30))


ABSENT = object()  # in a phrasing table: the entity must not be read at all


def chat_practice(folder: Path) -> Iterator[Services]:
    """A database holding the chat practice (for a module-scoped fixture: `yield from`)."""
    svc = Services(Locations.resolve(folder / "ar.db"), today=TODAY, user="tester")
    svc.create_database()
    build_chat_db(svc.conn)
    yield svc
    svc.close()


def assert_reads(engine: ChatEngine, text: str, intent: str, expected: dict[str, Any]) -> None:
    """A phrasing table's row: the intent, and each entity as `ask --json` gives it."""
    u = engine.understand(text)
    got = u.entities.as_json()
    assert u.intent == intent, (u.summary(), u.ranking)
    for key, value in expected.items():
        if value is ABSENT:
            assert key not in got, got
        else:
            assert got.get(key) == value, (key, got)
