"""The patients' side of the sample: what the front desk and the statements collect, exported
month by month the way a practice-management system lists its patient transactions.

- **Copays at the visit**: plans with a per-visit copay (Medicare Advantage, and the
  commercial plans with a deductible and copay) have it collected at the front desk on
  most visits (`COPAY_AT_DESK`), before the payer answers; the row names the account and
  the date of service, since the claim does not exist yet.
- **Statements**: after the remittance, what the payer assigned the patient (CLP05) less
  the copay already taken is billed; most patients pay it 20-90 days after the remittance,
  some in two parts, a few never. Small balances are often written off by the practice
  (an adjustment) instead of billed again. A copay larger than the patient's share on a
  paid claim is refunded. Crossover claims (Medicare with a secondary payer) are the
  secondary's to pay, not the patient's; Medicaid and workers' compensation have no
  patient share.
- Only what happened by "today" is exported; each month's file lists its transactions by
  date (`payments/YYYY-MM.csv`).

Each claim draws from its own stream (`"<seed>:patient:<claim id>"`), so the files are the
same for the same seed, today and claim count.
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

from assistant.money import to_decimal
from assistant.sample.model import Claim
from assistant.sample.payers import Answer
from assistant.sample.practice import chance

COLUMNS = ("Payment Date", "Account", "Patient", "Claim #", "DOS", "Type", "Method", "Amount", "Reference",
           "Memo")
COPAY_MODELS = ("copay", "deductible_copay")
COPAY_AT_DESK = 0.85  # visits whose copay the front desk collects
STATEMENT_DAYS = (20, 90)  # from the remittance to the statement payment
NEVER_PAY = 0.07
PAY_IN_PARTS = 0.12
SECOND_PART = 0.7  # of those paying in parts, share who pay the rest
SMALL_BALANCE_CENTS = 1000  # under $10 ...
SMALL_WRITTEN_OFF = 0.4  # ... the practice writes this share off instead of billing again
DESK_METHODS = (("card", 0.7), ("cash", 0.15), ("check", 0.15))
STATEMENT_METHODS = (("online", 0.4), ("check", 0.3), ("card", 0.25), ("cash", 0.05))
_METHOD_WORDS = {"card": "Credit Card", "cash": "Cash", "check": "Check", "online": "Patient Portal"}
_TYPE_ORDER = {"Copay": 0, "Patient Payment": 1, "Refund": 2, "Adjustment": 3}

Row = tuple[date, str, str, str, date, str, str, int, str, str]  # in COLUMNS order


class PatientLedger:
    """Collects the transactions as visits and remittances happen; writes each month once no
    later event can add to it (every row is dated on or after the day it is made)."""

    def __init__(self, folder: Path, *, today: date, seed: int) -> None:
        self.folder = folder
        self.today = today
        self.seed = seed
        self.months: dict[tuple[int, int], list[Row]] = defaultdict(list)
        self.files: list[Path] = []
        self.counts: Counter[str] = Counter()

    # ------------------------------------------------------------------ events

    def claim(self, claim: Claim, answer: Answer | None, remit_day: date | None) -> None:
        """A claim submitted (with the answer its payer will send on `remit_day`, if any)."""
        if claim.submitted > self.today:
            return  # not billed yet: not in the practice's files either
        rng = random.Random(f"{self.seed}:patient:{claim.claim_id}")
        account = claim.patient.account
        person = claim.patient.person
        name = f"{person.last_name}, {person.first_name}"
        copay = min(claim.coverage.copay_cents, claim.billed_cents)  # a visit charged less: its charge
        collected = 0
        if (copay and claim.coverage.payer.share_model in COPAY_MODELS and claim.duplicate_of is None
                and chance(rng, COPAY_AT_DESK)):
            collected = copay
            method = _pick(rng, DESK_METHODS)
            self._add((claim.dos, account, name, "", claim.dos, "Copay", method, copay,
                       _reference(rng, method), ""))
        if answer is None or remit_day is None or answer.status == "19" or claim.duplicate_of is not None:
            return
        rest = answer.patient_cents - collected
        if rest < 0 and (answer.paid_cents > 0 or answer.patient_cents > 0):  # not a denial: refund
            self._add((remit_day + timedelta(days=rng.randint(7, 30)), account, name, "", claim.dos, "Refund",
                       "check", rest, _reference(rng, "check"), "Copay more than the patient's share"))
            return
        if rest <= 0:
            return
        billed_on = remit_day + timedelta(days=rng.randint(*STATEMENT_DAYS))
        by_claim = claim.claim_id if chance(rng, 0.7) else ""  # else the account and the visit
        if rest < SMALL_BALANCE_CENTS and chance(rng, SMALL_WRITTEN_OFF):
            self._add((billed_on, account, name, claim.claim_id, claim.dos, "Adjustment", "", rest, "",
                       "Small balance write-off"))
            return
        if chance(rng, NEVER_PAY):
            self.counts["never_paid"] += 1
            return
        method = _pick(rng, STATEMENT_METHODS)
        if rest >= 2 * SMALL_BALANCE_CENTS and chance(rng, PAY_IN_PARTS):
            first = round(rest * rng.uniform(0.3, 0.7))
            self._add((billed_on, account, name, by_claim, claim.dos, "Patient Payment", method, first,
                       _reference(rng, method), ""))
            if not chance(rng, SECOND_PART):
                self.counts["partly_paid"] += 1
                return
            later = billed_on + timedelta(days=rng.randint(30, 60))
            self._add((later, account, name, by_claim, claim.dos, "Patient Payment", method, rest - first,
                       _reference(rng, method), ""))
            return
        self._add((billed_on, account, name, by_claim, claim.dos, "Patient Payment", method, rest,
                   _reference(rng, method), ""))

    def _add(self, row: Row) -> None:
        self.months[(row[0].year, row[0].month)].append(row)

    # ------------------------------------------------------------------ files

    def flush(self, through: date) -> None:
        """Write the months before `through`'s month: nothing can land in them any more."""
        for month in sorted(m for m in self.months if m < (through.year, through.month)):
            self._write(month, self.months.pop(month))

    def finish(self) -> list[Path]:
        """Write what happened by today; later transactions have not happened yet."""
        self.flush(self.today + timedelta(days=31 + 31))
        return self.files

    def _write(self, month: tuple[int, int], rows: list[Row]) -> None:
        rows = sorted((r for r in rows if r[0] <= self.today),
                      key=lambda r: (r[0], r[1], r[4], _TYPE_ORDER[r[5]], r[3], r[7]))
        if not rows:
            return
        path = self.folder / f"{month[0]:04d}-{month[1]:02d}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for day, account, name, claim_id, dos, kind, method, cents, reference, memo in rows:
                writer.writerow((f"{day:%m/%d/%Y}", account, name, claim_id, f"{dos:%m/%d/%Y}", kind,
                                 _METHOD_WORDS.get(method, ""), f"{to_decimal(cents)}", reference, memo))
                self.counts[kind] += 1
        self.files.append(path)


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    for value, weight in weighted:
        roll -= weight
        if roll < 0:
            return value
    return weighted[-1][0]


def _reference(rng: random.Random, method: str) -> str:
    """What the PM system keeps with the payment: check number, card approval, portal id."""
    if method == "check":
        return str(rng.randint(1001, 9999))
    if method == "card":
        return f"{rng.randint(0, 999999):06d}"
    if method == "online":
        return f"WEB{rng.randint(10_000_000, 99_999_999)}"
    return ""
