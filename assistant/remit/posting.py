"""Posting 835 remittances to claims, inside the caller's transaction.

Each CLP is matched to a claim by patient control number (as sent, then in upper or lower
case: payers often echo it upper-cased), then by payer claim number
(CLP07 or REF*F8 against the claim's or an earlier posting's), then by patient (last name
or member id) + service dates + charge, and only when exactly one claim fits. Each SVC is
matched to a billed line by REF*6R, then code + modifiers + date, code alone, the SVC06
original code, and charge. What matches nothing is kept: a claim payment with no claim is
the unmatched queue, a line payment with no line a warning.

A claim's payer money is recomputed from its live postings (not reversed, not a reversal,
not informational): paid is their sum, the payer's write-off the CAS amounts that
`writes_off` says leave AR, patient responsibility the CLP05 of the answers still standing
(a payer that splits a claim answers its lines in several CLPs; a later answer covering
the same lines supersedes an earlier one), and the status follows them too; the balance is
what is left after the patient's payments and the practice's write-offs too
(`settlement.ClaimMoney`, which the patient-payment path uses as well), and a claim whose
balance reaches zero is closed (`settlement.settle_work_status`).
A reversal (CLP02 22) marks the posting it undoes; the correction after it posts normally.
A remittance already posted (same payer, trace number and claims) is not posted twice.

Rows get their primary keys here (one writer holds the lock inside the transaction), so
a 20,000-claim remittance is written with a few `executemany` calls.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from assistant.domain import PayerStatus
from assistant.money import fmt
from assistant.remit import cob
from assistant.remit import status as rules
from assistant.remit.reader import Read835
from assistant.remit.records import AdjustmentRecord, ClaimPaymentRecord, RemittanceRecord, ServiceRecord
from assistant.settlement import ClaimMoney, settle_work_status
from assistant.storage import audit
from assistant.storage.bulk import insert_rows, update_rows

CHUNK = 500
PCN, PAYER_NUMBER, PATIENT = "pcn", "payer_claim_number", "patient_dates_charge"


@dataclass
class PostingResult:
    claims: int = 0  # CLPs posted (matched or queued)
    matched: int = 0
    unmatched: int = 0
    reversals: int = 0
    lines_unmatched: int = 0
    later_payers: int = 0  # matched CLPs from a payer after the claim's own (secondary, tertiary)
    remittance_pks: list[int] = field(default_factory=list)
    claim_pks: list[int] = field(default_factory=list)  # claims whose money or status changed
    match_methods: Counter[str] = field(default_factory=Counter)
    posted: list[bool] = field(default_factory=list)  # per remittance: False when already posted
    warnings: list[str] = field(default_factory=list)


class _Posting:
    """One claim payment, new or already on file, as the claim's money is computed from it."""

    __slots__ = (
        "charge",
        "effect",
        "is_new",
        "level",
        "line_paid",
        "open",
        "original_number",
        "paid",
        "payer_number",
        "payer_pk",
        "pcn",
        "pk",
        "responsibility",
        "reversed",
        "written_off",
    )

    def __init__(self, pk: int, pcn: str, effect: str, charge: int, paid: int, responsibility: int,
                 payer_number: str | None, original_number: str | None, is_new: bool,
                 payer_pk: int | None = None) -> None:
        self.pk = pk
        self.pcn = pcn
        self.effect = effect
        self.charge = charge
        self.paid = paid
        self.responsibility = responsibility
        self.payer_number = payer_number
        self.original_number = original_number
        self.is_new = is_new
        self.reversed = False
        self.written_off = 0
        self.open = 0
        self.line_paid: list[tuple[int, int]] = []
        self.payer_pk = payer_pk  # the remittance's payer, when it is on file
        self.level = 1  # the payer's place in the patient's order (`cob.payer_level`)

    @property
    def counts(self) -> bool:
        """A live posting that carries money: not reversed, not a reversal, not informational."""
        return not self.reversed and self.effect not in _CARRY_NO_MONEY


_CARRY_NO_MONEY = frozenset({rules.REVERSAL, rules.INFORMATIONAL})


def _order_name(level: int) -> str:
    """" (secondary payer)": how an audit note names a later payer's answer."""
    return f" ({ {2: 'secondary', 3: 'tertiary'}.get(level, f'payer {level} in order')} payer)"


@lru_cache(maxsize=64)
def _status_after(effect: str, paid: bool, still_open: bool) -> str | None:
    """`payer_status` as stored, from what it looks at: the effect, paid > 0, open > 0."""
    decided = rules.payer_status(effect, int(paid), int(still_open))
    return decided.value if decided else None


_money = lru_cache(maxsize=16384)(fmt)  # audit notes: a few hundred distinct amounts, 60,000 times


class _Claim:
    """A matched claim: its row as read, its lines and live postings, and its new state."""

    __slots__ = (
        "billed",
        "claim_id",
        "coverages",
        "dos_from_day",
        "dos_to_day",
        "last_day",
        "lines",
        "money",
        "patient_pk",
        "payer_number",
        "payer_pk",
        "pk",
        "postings",
        "priority",
        "responsibility",
        "reversed_now",
        "status",
        "touched",
    )

    def __init__(self, row: Sequence[Any]) -> None:
        (self.pk, self.claim_id, self.billed, paid, adjusted, self.responsibility,
         balance, self.status, self.payer_number, self.last_day, self.dos_from_day,
         self.dos_to_day, patient_paid, patient_adjusted, written_off, frequency,
         self.patient_pk, self.payer_pk, self.priority) = row
        self.coverages: dict[int, int] = {}  # the patient's payers: payer pk -> priority
        self.money = ClaimMoney.stored(self.billed, paid, adjusted, balance, patient_paid,
                                       patient_adjusted, written_off, voided=frequency == "8")
        # (pk, code, modifiers as stored: space-separated, charge, date ISO, control number, paid)
        self.lines: list[tuple[Any, ...]] = []
        self.postings: list[_Posting] = []
        self.reversed_now = False
        self.touched = False

    @property
    def paid(self) -> int:
        return self.money.paid

    @property
    def balance(self) -> int:
        return self.money.balance

    def level_of(self, posting: _Posting, status_code: str) -> int:
        return cob.payer_level(status_code, posting.payer_pk, self.payer_pk, self.priority, self.coverages)

    def settle(self) -> int:
        """Recompute from the live postings; returns what a write-off shrank by (`ClaimMoney.settle`).

        Payers are taken in the patient's order (`cob`): the first on file writes off what its
        adjustments say; each later one only what it did to the amount the earlier ones left.
        """
        live = sorted((p for p in self.postings if not p.reversed and p.effect not in _CARRY_NO_MONEY),
                      key=lambda p: p.level)  # stable: remittance order within a level
        paid = sum(p.paid for p in live)
        answers: list[cob.PayerAnswer] = []
        parts: list[_Posting] = []
        before_last = 0  # what the payers before the last one paid
        for level in sorted({p.level for p in live}):
            said = [p for p in live if p.level == level]
            # A payer that splits a claim answers its lines in several CLPs: each part stands
            # until a later answer covers the same lines (a reprocessing supersedes it).
            parts = [p for i, p in enumerate(said) if not any(_supersedes(q, p) for q in said[i + 1:])]
            before_last += answers[-1].paid if answers else 0
            answers.append(cob.PayerAnswer(sum(p.paid for p in said), sum(p.responsibility for p in parts),
                                           sum(p.open for p in parts), sum(p.written_off for p in said)))
        written_off, refused = cob.settle_in_order(self.billed, answers)
        self.money.from_payers(paid, written_off)
        if live:
            # The last payer in the order says where the claim stands; what earlier payers
            # paid still counts as paid (a secondary that pays nothing leaves it paid, not denied).
            self.responsibility = sum(p.responsibility for p in parts)
            self.status = _status_after(live[-1].effect, before_last + sum(p.paid for p in parts) > 0,
                                        refused > 0) or self.status
        else:
            self.responsibility = 0
            if self.reversed_now:
                self.status = PayerStatus.REVERSED.value
        return self.money.settle()


def _supersedes(later: _Posting, earlier: _Posting) -> bool:
    """Whether a later answer replaces an earlier one: it covers one of the same billed lines,
    or either names no billed line (a claim-level answer is about the whole claim)."""
    if not later.line_paid or not earlier.line_paid:
        return True
    lines = {line for line, _ in earlier.line_paid}
    return any(line in lines for line, _ in later.line_paid)


_CLAIM_COLUMNS = ("pk, claim_id, billed_cents, paid_cents, adjusted_cents, patient_resp_cents, "
                  "balance_cents, payer_status, payer_claim_number, last_remit_day, dos_from_day, "
                  "dos_to_day, patient_paid_cents, patient_adjusted_cents, written_off_cents, "
                  "frequency_code, patient_pk, payer_pk, coverage_priority")


def post_remittances(conn: sqlite3.Connection, read: Read835, *, import_file_pk: int,
                     user: str) -> PostingResult:
    """Post every remittance of a read file; the caller holds the transaction."""
    return _Poster(conn, read, import_file_pk, user).post()


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _next_pk(cur: sqlite3.Cursor, table: str) -> int:
    return int(cur.execute(f"SELECT coalesce(max(pk), 0) + 1 FROM {table}").fetchone()[0])


@lru_cache(maxsize=4096)  # the same few hundred service dates, tens of thousands of times
def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@lru_cache(maxsize=4096)
def _day_iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


_WRITE_OFF, _RESPONSIBILITY, _OPEN = 0, 1, 2


def _kind(group: str, reason: str) -> int:
    """Where an adjustment's amount goes: written off, the patient's, or still open (denied)."""
    if group == "PR":
        return _RESPONSIBILITY
    return _WRITE_OFF if rules.leaves_ar(group, reason) else _OPEN


def _claim_dates(clp: ClaimPaymentRecord) -> tuple[date | None, date | None]:
    """The claim's service period: DTM*232/233, else the span of its lines' dates."""
    if clp.service_from or clp.service_to:
        start = clp.service_from or clp.service_to
        return start, clp.service_to or start
    days = [d for s in clp.services for d in (s.service_from, s.service_to) if d]
    return (min(days), max(days)) if days else (None, None)


class _Poster:
    def __init__(self, conn: sqlite3.Connection, read: Read835, import_file_pk: int, user: str) -> None:
        self.conn = conn
        self.read = read
        self.file = read.name
        self.import_file_pk = import_file_pk
        self.user = user
        self.cur = conn.cursor()
        self.cur.row_factory = None  # plain tuples: thousands of rows
        self.result = PostingResult()
        self.claims: dict[int, _Claim] = {}
        self.unmatched_postings: dict[str, list[_Posting]] = defaultdict(list)
        self.queue_loaded: set[str] = set()
        self.reversal_links: list[tuple[int, int]] = []  # (reversal pk, reversed pk)
        # Rows to insert, by table
        self.remittance_rows: list[tuple[Any, ...]] = []
        self.plb_rows: list[tuple[Any, ...]] = []
        self.claim_rows: list[tuple[Any, ...]] = []
        self.line_rows: list[tuple[Any, ...]] = []
        self.adjustment_rows: list[tuple[Any, ...]] = []
        self.remark_rows: list[tuple[Any, ...]] = []
        self.audit: list[audit.Entry] = []
        self.kinds: dict[tuple[str, str], int] = {}
        self.effects: dict[str, str] = {}  # CLP02 -> posting effect
        self.remit_day: int | None = None  # day number of the remittance being posted
        self.payer_pk: int | None = None  # the payer of the remittance being posted, when on file
        self.payers: dict[str, int] = {}  # payer pks by lower-cased name, alias and id
        self.payer_names: dict[int, str] = {}
        self.coverage_rows: list[tuple[int, int, int, str | None]] = []  # learned: patient, payer, priority
        self.patient_claims: dict[int, list[_Claim]] = defaultdict(list)  # the claims loaded, by patient
        self._details_for: RemittanceRecord | None = None
        self._details_parts: tuple[str, str, str] = ("", "", "")

    def warn(self, message: str) -> None:
        self.result.warnings.append(message)

    # ------------------------------------------------------------------ the whole file

    def post(self) -> PostingResult:
        todo: list[RemittanceRecord] = []
        in_file: dict[tuple[Any, ...], int] = {}
        for rem in self.read.remittances:
            fingerprint = _fingerprint(rem)
            key = (rem.trace_number, rem.payment_cents, rem.payer_name, fingerprint)
            earlier = (f"segment {in_file[key]} of this file" if key in in_file and rem.trace_number
                       else self._already_posted(rem, fingerprint))
            in_file.setdefault(key, rem.segment)
            self.result.posted.append(earlier is None)
            if earlier is None:
                todo.append(rem)
            else:
                self.warn(f"segment {rem.segment} (ST): remittance trace "
                          f"{rem.trace_number} from {rem.payer_name or '?'} was already posted "
                          f"from {earlier}; not posted again")
        clps = [clp for rem in todo for clp in rem.claims]
        matches = self._match(clps)
        self._load_lines_and_postings()
        cp_pk = _next_pk(self.cur, "claim_payments")
        lp_pk = _next_pk(self.cur, "line_payments")
        rem_pk = _next_pk(self.cur, "remittances")
        payers = self.payers = self._payers()
        position = 0
        for rem in todo:
            self._remittance_row(rem, rem_pk, payers)
            remit_day = rem.payment_date or rem.production_date
            self.remit_day = remit_day.toordinal() if remit_day is not None else None
            for clp in rem.claims:
                claim, method = matches[position]
                position += 1
                lp_pk = self._post_claim(rem, rem_pk, clp, cp_pk, lp_pk, claim, method)
                cp_pk += 1
            self.result.remittance_pks.append(rem_pk)
            rem_pk += 1
        self._write()
        return self.result

    def _already_posted(self, rem: RemittanceRecord, ours: tuple[Any, ...]) -> str | None:
        """The file an identical remittance (payer, trace, amount, claims) was posted from."""
        if not rem.trace_number:
            return None
        rows = self.cur.execute(
            "SELECT r.pk, f.name FROM remittances r LEFT JOIN import_files f ON f.pk = r.import_file_pk "
            "WHERE r.trace_number = ? AND r.payment_cents = ? AND "
            "(r.payer_name = ? OR (r.payer_identifier IS NOT NULL AND r.payer_identifier = ?))",
            (rem.trace_number, rem.payment_cents, rem.payer_name, rem.payer_id),
        ).fetchall()
        for pk, name in rows:
            theirs = self.cur.execute(
                "SELECT patient_control_number, status_code, charge_cents, paid_cents "
                "FROM claim_payments WHERE remittance_pk = ? ORDER BY pk", (pk,)).fetchall()
            if tuple(theirs) == ours:
                return name or "an earlier import"
        return None

    def _payers(self) -> dict[str, int]:
        """Payer pks by lower-cased name, alias and payer id (for the remittance's payer_pk)."""
        known: dict[str, int] = {}
        for pk, name, payer_id, aliases in self.cur.execute(
                "SELECT pk, name, payer_id, aliases FROM payers"):
            self.payer_names[pk] = name
            for key in (name, payer_id, *json.loads(aliases or "[]")):
                if key:
                    known.setdefault(key.strip().lower(), pk)
        return known

    def _remittance_row(self, rem: RemittanceRecord, pk: int, payers: dict[str, int]) -> None:
        payer_pk = payers.get((rem.payer_id or "").lower()) or payers.get(rem.payer_name.lower())
        self.payer_pk = payer_pk
        self.remittance_rows.append((
            pk, self.import_file_pk, payer_pk, rem.payer_name, rem.payer_id, rem.payee_npi,
            rem.trace_number, rem.payment_cents, rem.payment_method, _iso(rem.payment_date),
            _iso(rem.production_date), rem.version, int(not self.read.imbalances(rem)),
        ))
        self.plb_rows.extend(
            (pk, p.provider_id, _iso(p.fiscal_period_date), p.reason_code, p.reference, p.amount_cents)
            for p in rem.provider_adjustments
        )

    # ------------------------------------------------------------------ matching claims

    def _load_claims(self, column: str, values: Iterable[Any]) -> list[_Claim]:
        found = []
        unique = list(dict.fromkeys(values))
        for chunk in _chunks(unique):
            marks = ",".join("?" * len(chunk))
            for row in self.cur.execute(
                    f"SELECT {_CLAIM_COLUMNS} FROM claims WHERE {column} IN ({marks})", chunk):
                claim = self.claims.get(row[0])
                if claim is None:
                    claim = self.claims[row[0]] = _Claim(row)
                found.append(claim)
        return found

    def _match(self, clps: list[ClaimPaymentRecord]) -> list[tuple[_Claim | None, str | None]]:
        by_pcn = {c.claim_id: c for c in self._load_claims(
            "claim_id", (clp.patient_control_number for clp in clps if clp.patient_control_number))}
        matches: list[tuple[_Claim | None, str | None]] = []
        rest: list[int] = []
        for i, clp in enumerate(clps):
            claim = by_pcn.get(clp.patient_control_number)
            matches.append((claim, PCN if claim else None))
            if claim is None:
                rest.append(i)
        if rest:
            self._match_by_case(clps, rest, matches)
            rest = [i for i in rest if matches[i][0] is None]
        if rest:
            self._match_by_payer_number(clps, rest, matches)
            rest = [i for i in rest if matches[i][0] is None]
        if rest:
            self._match_by_patient(clps, rest, matches)
        return matches

    def _match_by_case(self, clps: list[ClaimPaymentRecord], rest: list[int],
                       matches: list[tuple[_Claim | None, str | None]]) -> None:
        """Payers often echo CLM01 in upper case: "cr1401" comes back as "CR1401"."""
        variants = {i: {v for v in (clps[i].patient_control_number.lower(),
                                    clps[i].patient_control_number.upper())
                        if v != clps[i].patient_control_number}
                    for i in rest if clps[i].patient_control_number}
        found = {c.claim_id: c for c in self._load_claims(
            "claim_id", (v for names in variants.values() for v in names))}
        for i, names in variants.items():
            fits = {found[v].pk: found[v] for v in names if v in found}
            if len(fits) == 1:
                matches[i] = (next(iter(fits.values())), PCN)

    def _match_by_payer_number(self, clps: list[ClaimPaymentRecord], rest: list[int],
                               matches: list[tuple[_Claim | None, str | None]]) -> None:
        numbers = list(dict.fromkeys(
            n for i in rest for n in (clps[i].payer_claim_number, clps[i].original_claim_number) if n))
        owners: dict[str, set[int]] = defaultdict(set)
        for chunk in _chunks(numbers):
            marks = ",".join("?" * len(chunk))
            for number, pk in self.cur.execute(
                    f"SELECT payer_claim_number, pk FROM claims WHERE payer_claim_number IN ({marks}) "
                    f"UNION SELECT payer_claim_number, claim_pk FROM claim_payments "
                    f"WHERE payer_claim_number IN ({marks}) AND claim_pk IS NOT NULL", (*chunk, *chunk)):
                owners[number].add(pk)
        wanted = {pk for pks in owners.values() if len(pks) == 1 for pk in pks}
        self._load_claims("pk", wanted)
        for i in rest:
            clp = clps[i]
            for number in (clp.payer_claim_number, clp.original_claim_number):
                pks = owners.get(number or "", set())
                if len(pks) == 1:
                    matches[i] = (self.claims[next(iter(pks))], PAYER_NUMBER)
                    break
                if len(pks) > 1:
                    self.warn(f"segment {clp.segment} (CLP): payer claim number "
                              f"{number} belongs to {len(pks)} claims; not matched by it")

    def _match_by_patient(self, clps: list[ClaimPaymentRecord], rest: list[int],
                          matches: list[tuple[_Claim | None, str | None]]) -> None:
        charges = list(dict.fromkeys(abs(clps[i].charge_cents) for i in rest))
        candidates: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for chunk in _chunks(charges):
            marks = ",".join("?" * len(chunk))
            for row in self.cur.execute(
                    "SELECT c.pk, c.billed_cents, c.dos_from_day, c.dos_to_day, c.member_id, "
                    "p.member_id, upper(p.last_name), upper(p.first_name) FROM claims c "
                    f"JOIN patients p ON p.pk = c.patient_pk WHERE c.billed_cents IN ({marks})", chunk):
                candidates[row[1]].append(row)
        chosen: dict[int, int] = {}
        for i in rest:
            clp = clps[i]
            start, end = _claim_dates(clp)
            if start is None or end is None:
                continue
            first_day, last_day = start.toordinal(), end.toordinal()
            last = (clp.patient_last or "").strip().upper()
            first = (clp.patient_first or "").strip().upper()
            member = (clp.member_id or "").strip()
            fits = [row for row in candidates.get(abs(clp.charge_cents), ())
                    if row[2] <= last_day and row[3] >= first_day
                    and ((last and row[6] == last) or (member and member in (row[4], row[5])))]
            if len(fits) > 1 and first:
                fits = [row for row in fits if row[7] == first] or fits
            if len(fits) == 1:
                chosen[i] = fits[0][0]
            elif fits:
                self.warn(f"segment {clp.segment} (CLP): claim {clp.patient_control_number} "
                          f"fits {len(fits)} claims by patient, dates and charge; left unmatched")
        self._load_claims("pk", set(chosen.values()))
        for i, pk in chosen.items():
            matches[i] = (self.claims[pk], PATIENT)

    # ------------------------------------------------------------------ what the claims hold

    def _load_lines_and_postings(self) -> None:
        self._load_lines()
        self._load_postings()

    def _load_lines(self) -> None:
        for chunk in _chunks(list(self.claims)):
            marks = ",".join("?" * len(chunk))
            claims = self.claims
            for row in self.cur.execute(
                    "SELECT claim_pk, pk, code, modifiers, charge_cents, service_date, control_number, "
                    f"paid_cents FROM claim_lines WHERE claim_pk IN ({marks}) ORDER BY claim_pk, line_no",
                    chunk):
                claims[row[0]].lines.append(row[1:])

    def _load_postings(self) -> None:
        self._load_coverages()
        on_file: dict[int, _Posting] = {}
        for chunk in _chunks(list(self.claims)):
            marks = ",".join("?" * len(chunk))
            for (pk, claim_pk, pcn, code, charge, paid, responsibility, number,
                 original, payer_pk) in self.cur.execute(
                    "SELECT cp.pk, cp.claim_pk, cp.patient_control_number, cp.status_code, "
                    "cp.charge_cents, cp.paid_cents, cp.patient_resp_cents, cp.payer_claim_number, "
                    "cp.original_claim_number, r.payer_pk FROM claim_payments cp "
                    "JOIN remittances r ON r.pk = cp.remittance_pk "
                    f"WHERE cp.claim_pk IN ({marks}) AND cp.reversed_by_pk IS NULL ORDER BY cp.pk", chunk):
                posting = _Posting(pk, pcn, rules.effect_of(code), charge, paid, responsibility,
                                   number, original, is_new=False, payer_pk=payer_pk)
                claim = self.claims[claim_pk]
                posting.level = claim.level_of(posting, code)
                on_file[pk] = posting
                claim.postings.append(posting)
        self._load_posting_details(on_file)

    def _load_coverages(self) -> None:
        """The patients' payers in order, for a payment's place among them (`cob.payer_level`)."""
        by_patient = self.patient_claims
        by_patient.clear()
        for claim in self.claims.values():
            by_patient[claim.patient_pk].append(claim)
        for chunk in _chunks(list(by_patient)):
            marks = ",".join("?" * len(chunk))
            for patient_pk, payer_pk, priority in self.cur.execute(
                    "SELECT patient_pk, payer_pk, min(priority) FROM coverages "
                    f"WHERE patient_pk IN ({marks}) GROUP BY patient_pk, payer_pk", chunk):
                for claim in by_patient[patient_pk]:
                    claim.coverages[payer_pk] = priority

    def _load_posting_details(self, postings: dict[int, _Posting]) -> None:
        pks = list(postings)
        for chunk in _chunks(pks):
            marks = ",".join("?" * len(chunk))
            adjustments: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
            for cp_pk, group, reason, amount in self.cur.execute(
                    "SELECT claim_payment_pk, group_code, reason_code, amount_cents FROM adjustments "
                    f"WHERE claim_payment_pk IN ({marks})", chunk):
                adjustments[cp_pk].append((group, reason, amount))
            for cp_pk in chunk:
                posting = postings[cp_pk]
                posting.written_off, _, posting.open = rules.split_adjustments(adjustments[cp_pk])
            for cp_pk, line_pk, paid in self.cur.execute(
                    "SELECT claim_payment_pk, line_pk, paid_cents FROM line_payments "
                    f"WHERE claim_payment_pk IN ({marks}) AND line_pk IS NOT NULL", chunk):
                postings[cp_pk].line_paid.append((line_pk, paid))

    # ------------------------------------------------------------------ one claim payment

    def _post_claim(self, rem: RemittanceRecord, rem_pk: int, clp: ClaimPaymentRecord, cp_pk: int,
                    lp_pk: int, claim: _Claim | None, method: str | None) -> int:
        # The hot path of a large remittance: rows are built inline, codes classified once.
        result = self.result
        result.claims += 1
        claim_pk = claim.pk if claim is not None else None
        effect = self.effects.get(clp.status_code)
        if effect is None:
            effect = self.effects[clp.status_code] = rules.effect_of(clp.status_code)
        posting = _Posting(cp_pk, clp.patient_control_number, effect, clp.charge_cents, clp.paid_cents,
                           clp.patient_resp_cents, clp.payer_claim_number, clp.original_claim_number,
                           is_new=True, payer_pk=self.payer_pk)
        written_off, open_cents = self._adjustments(clp.adjustments, cp_pk, None, claim_pk)
        adjusted = bool(clp.adjustments)
        remark_rows = self.remark_rows
        if clp.remarks:
            source = clp.remarks_from or "MOA"
            remark_rows.extend((cp_pk, None, claim_pk, code, source) for code in clp.remarks)
        services = clp.services
        line_pks = self._match_lines(claim, clp) if claim is not None else [None] * len(services)
        append_line = self.line_rows.append
        line_paid = posting.line_paid
        for svc, line_pk in zip(services, line_pks, strict=True):
            units, original_units = svc.units, svc.original_units
            append_line((
                lp_pk, cp_pk, line_pk, svc.qualifier, svc.code, " ".join(svc.modifiers),
                svc.original_code, svc.charge_cents, svc.paid_cents, svc.allowed_cents,
                None if units is None else float(units),
                None if original_units is None else float(original_units),
                _iso(svc.service_from), svc.control_number,
            ))
            if line_pk is not None:
                line_paid.append((line_pk, svc.paid_cents))
            if svc.adjustments:
                adjusted = True
                line_off, line_open = self._adjustments(svc.adjustments, cp_pk, lp_pk, claim_pk)
                written_off += line_off
                open_cents += line_open
            if svc.remarks:
                remark_rows.extend((cp_pk, lp_pk, claim_pk, code, "LQ") for code in svc.remarks)
            lp_pk += 1
        posting.written_off = written_off
        posting.open = open_cents
        if not adjusted and clp.paid_cents < clp.charge_cents:
            posting.open = clp.charge_cents - clp.paid_cents - clp.patient_resp_cents
        reversal_of = self._reverse(claim, posting, clp) if effect == rules.REVERSAL else None
        start, end = _claim_dates(clp)
        self.claim_rows.append((
            cp_pk, rem_pk, claim_pk, clp.patient_control_number, clp.status_code, clp.charge_cents,
            clp.paid_cents, clp.patient_resp_cents, clp.filing_indicator, clp.payer_claim_number,
            clp.original_claim_number, _patient_name(clp), clp.member_id, _iso(start), _iso(end),
            _iso(clp.received_date), clp.crossover_payer, reversal_of, method,
        ))
        if claim is None:
            result.unmatched += 1
            self.unmatched_postings[clp.patient_control_number].append(posting)
            self.audit.append(audit.Entry(
                None, self.user, "posting", note=f"claim payment for {clp.patient_control_number!r} "
                f"matches no claim; queued as unmatched",
                details=self._details(rem, clp, cp_pk, reversal_of, None, None, None)))
            return lp_pk
        result.matched += 1
        result.match_methods[method or ""] += 1
        before_status, before_balance = claim.status, claim.balance
        posting.level = claim.level_of(posting, clp.status_code)
        later = posting.level > claim.priority
        if later:
            result.later_payers += 1
            self._learn_coverage(claim, posting.payer_pk, posting.level, clp.member_id, clp)
        if clp.status_code in cob.FORWARDING_CODES and (clp.crossover_payer or clp.crossover_payer_id):
            crossover = (self.payers.get((clp.crossover_payer_id or "").strip().lower())
                         or self.payers.get((clp.crossover_payer or "").strip().lower()))
            self._learn_coverage(claim, crossover, posting.level + 1, None, clp)
        claim.postings.append(posting)
        claim.touched = True
        if clp.payer_claim_number:
            claim.payer_number = clp.payer_claim_number
        remit_day = self.remit_day
        if remit_day is not None and (claim.last_day is None or remit_day > claim.last_day):
            claim.last_day = remit_day
        if method != PATIENT and not later and abs(clp.charge_cents) != claim.billed:
            self.warn(f"segment {clp.segment} (CLP): claim {claim.claim_id}: the payer's "
                      f"charge {fmt(clp.charge_cents)} differs from the billed {fmt(claim.billed)}")
        self._settle(claim)
        self.audit.append(audit.Entry(
            claim.pk, self.user, "posting", "payer_status", before_status, claim.status,
            f"835 CLP02 {clp.status_code}{_order_name(posting.level) if later else ''}: "
            f"paid {_money(clp.paid_cents)}; balance "
            f"{_money(before_balance)} -> {_money(claim.balance)}",
            self._details(rem, clp, cp_pk, reversal_of, method, before_balance, claim.balance),
        ))
        return lp_pk

    def _adjustments(self, adjustments: Sequence[AdjustmentRecord], cp_pk: int, lp_pk: int | None,
                     claim_pk: int | None) -> tuple[int, int]:
        """Queue the rows of one claim's or line's CAS; (written off, left open) in cents."""
        kinds, rows = self.kinds, self.adjustment_rows
        written_off = open_cents = 0
        for a in adjustments:
            kind = kinds.get((a.group, a.reason))
            if kind is None:
                kind = kinds[a.group, a.reason] = _kind(a.group, a.reason)
            if kind == _WRITE_OFF:
                written_off += a.amount_cents
            elif kind == _OPEN:
                open_cents += a.amount_cents
            rows.append((cp_pk, lp_pk, claim_pk, a.group, a.reason, a.amount_cents,
                         None if a.quantity is None else float(a.quantity)))
        return written_off, open_cents

    def _learn_coverage(self, claim: _Claim, payer_pk: int | None, priority: int, member_id: str | None,
                        clp: ClaimPaymentRecord) -> None:
        """A payer after the claim's own (its remittance, or the crossover carrier NM1*TT names)
        that is not among the patient's coverages becomes one, at its place in the order: the
        rules then know whom to bill next and whom a crossover went to."""
        if payer_pk is None or payer_pk == claim.payer_pk or payer_pk in claim.coverages:
            return
        for other in self.patient_claims.get(claim.patient_pk, (claim,)):
            other.coverages.setdefault(payer_pk, priority)
        self.coverage_rows.append((claim.patient_pk, payer_pk, priority, member_id))
        self.audit.append(audit.Entry(
            claim.pk, self.user, "coverage", "coverage", None, str(priority),
            f"835 CLP02 {clp.status_code}: {self.payer_names.get(payer_pk, 'the payer')} added to the "
            f"patient's coverages as {_order_name(priority).strip(' ()')}",
            {"file": self.file, "payer_pk": payer_pk}))

    def _settle(self, claim: _Claim) -> None:
        """Recompute the claim; a write-off the payer's money made too large shrinks, audited."""
        before = claim.money.written_off
        if claim.settle():
            self.audit.append(audit.Entry(
                claim.pk, self.user, "write_off_reduced", "written_off_cents", before,
                claim.money.written_off, "the payer paid after the write-off: it shrinks by "
                f"{fmt(before - claim.money.written_off)} so the claim holds no credit",
                {"file": self.file}))

    def _details(self, rem: RemittanceRecord, clp: ClaimPaymentRecord, cp_pk: int, reversal_of: int | None,
                 method: str | None, before: int | None, after: int | None) -> str:
        """The audit details as JSON text, keys sorted as `audit.record` writes them.

        Built from pieces because a large remittance writes tens of thousands of them; the
        parts that are the same for the whole remittance are encoded once.
        """
        if rem is not self._details_for:
            self._details_for = rem
            self._details_parts = (
                f'"file": {json.dumps(self.file)}, ',
                f'"payer": {json.dumps(rem.payer_name)}, ',
                f'"trace": {json.dumps(rem.trace_number)}}}',
            )
        file_part, payer_part, trace_part = self._details_parts
        balance = ("" if before is None else
                   f'"balance_after": {after}, "balance_before": {before}, ')
        reversal = "" if reversal_of is None else f'"reversal_of": {reversal_of}, '
        match = "" if method is None else f'"match": "{method}", '
        return (f'{{{balance}"claim_payment": {cp_pk}, "clp02": {json.dumps(clp.status_code)}, '
                f'{file_part}{match}"paid_cents": {clp.paid_cents}, {payer_part}{reversal}{trace_part}')

    def _reverse(self, claim: _Claim | None, reversal: _Posting, clp: ClaimPaymentRecord) -> int | None:
        """Mark the live posting this reversal undoes; returns its pk (None: nothing on file)."""
        self.result.reversals += 1
        if claim is not None:
            claim.reversed_now = True
            candidates = [p for p in claim.postings if p.counts]
        else:
            candidates = [p for p in self._queue(reversal.pcn) if p.counts]
        numbers = {n for n in (reversal.payer_number, reversal.original_number) if n}
        same_number = [p for p in candidates if p.payer_number in numbers or p.original_number in numbers]
        mirrored = [p for p in candidates if p.paid == -reversal.paid and p.charge == -reversal.charge]
        pool = same_number or mirrored or candidates
        if not pool:
            self.warn(f"segment {clp.segment} (CLP): reversal of claim "
                      f"{clp.patient_control_number} ({clp.payer_claim_number or 'no payer claim number'})"
                      ": no earlier payment on file to undo; recorded as is")
            return None
        target = pool[-1]
        target.reversed = True
        self.reversal_links.append((reversal.pk, target.pk))
        return target.pk

    def _queue(self, pcn: str) -> list[_Posting]:
        """Unmatched payments for a patient control number, on file and new (reversal targets)."""
        queue = self.unmatched_postings[pcn]
        if pcn in self.queue_loaded:
            return queue
        self.queue_loaded.add(pcn)
        rows = self.cur.execute(
            "SELECT pk, patient_control_number, status_code, charge_cents, paid_cents, "
            "patient_resp_cents, payer_claim_number, original_claim_number FROM claim_payments "
            "WHERE claim_pk IS NULL AND patient_control_number = ? AND reversed_by_pk IS NULL "
            "ORDER BY pk", (pcn,)).fetchall()
        queue[:0] = [_Posting(pk, p, rules.effect_of(code), charge, paid, resp, number, original, False)
                     for pk, p, code, charge, paid, resp, number, original in rows]
        return queue

    # ------------------------------------------------------------------ matching lines

    def _match_lines(self, claim: _Claim, clp: ClaimPaymentRecord) -> list[int | None]:
        free = list(claim.lines)
        found: list[int | None] = [None] * len(clp.services)
        for i, svc in enumerate(clp.services):  # REF*6R first: most lines end here
            control = svc.control_number
            if control:
                for line in free:
                    if line[5] == control:
                        found[i] = line[0]
                        free.remove(line)
                        break
        if None in found:
            for rule in _LATER_LINE_RULES:
                for i, svc in enumerate(clp.services):
                    if found[i] is not None or not free:
                        continue
                    fit = rule(svc, free)
                    if fit is not None:
                        found[i] = fit[0]
                        free.remove(fit)
                if None not in found:
                    break
        for i, svc in enumerate(clp.services):
            if found[i] is None:
                self.result.lines_unmatched += 1
                self.warn(f"segment {svc.segment} (SVC): claim {claim.claim_id}: "
                          f"service {svc.code or '?'} matches no billed line; kept without a line")
        return found

    # ------------------------------------------------------------------ writing

    def _write(self) -> None:
        cur = self.cur
        insert_rows(cur, "remittances", (
            "pk", "import_file_pk", "payer_pk", "payer_name", "payer_identifier", "payee_npi",
            "trace_number", "payment_cents", "payment_method", "payment_date", "production_date",
            "version", "balanced"), self.remittance_rows)
        insert_rows(cur, "plb_adjustments", (
            "remittance_pk", "provider_id", "fiscal_period_date", "reason_code", "reference",
            "amount_cents"), self.plb_rows)
        insert_rows(cur, "claim_payments", (
            "pk", "remittance_pk", "claim_pk", "patient_control_number", "status_code", "charge_cents",
            "paid_cents", "patient_resp_cents", "filing_indicator", "payer_claim_number",
            "original_claim_number", "patient_name", "member_id", "service_from", "service_to",
            "received_date", "crossover_payer", "reversal_of_pk", "match_method"), self.claim_rows)
        insert_rows(cur, "line_payments", (
            "pk", "claim_payment_pk", "line_pk", "qualifier", "code", "modifiers", "original_code",
            "charge_cents", "paid_cents", "allowed_cents", "units", "original_units", "service_date",
            "control_number"), self.line_rows)
        insert_rows(cur, "adjustments", (
            "claim_payment_pk", "line_payment_pk", "claim_pk", "group_code", "reason_code",
            "amount_cents", "quantity"), self.adjustment_rows)
        insert_rows(cur, "remarks", ("claim_payment_pk", "line_payment_pk", "claim_pk", "code", "source"),
                    self.remark_rows)
        update_rows(cur, "claim_payments", ("reversed_by_pk",),
                    [(target, reversal) for reversal, target in self.reversal_links])
        cur.executemany("INSERT INTO coverages (patient_pk, payer_pk, priority, member_id) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (patient_pk, payer_pk, priority) DO NOTHING",
                        self.coverage_rows)
        touched = [c for c in self.claims.values() if c.touched]
        update_rows(cur, "claims", (
            "paid_cents", "adjusted_cents", "written_off_cents", "patient_resp_cents", "balance_cents",
            "payer_status", "payer_claim_number", "last_remit_date", "last_remit_day"),
            [(c.pk, c.money.paid, c.money.adjusted, c.money.written_off, c.responsibility, c.money.balance,
              c.status, c.payer_number, _day_iso(c.last_day) if c.last_day else None, c.last_day)
             for c in touched],
            also="version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")
        update_rows(cur, "claim_lines", ("paid_cents",), _line_updates(touched))
        self.result.claim_pks = [c.pk for c in touched]
        audit.record_many(self.conn, self.audit)
        settle_work_status(self.conn, self.result.claim_pks, user=self.user, details={"file": self.file})


def _line_updates(claims: Iterable[_Claim]) -> list[tuple[int, int]]:
    """(line pk, paid) for each billed line whose paid amount the live postings change."""
    updates = []
    for claim in claims:
        paid: dict[int, int] = {}
        for posting in claim.postings:
            if not posting.reversed and posting.effect not in _CARRY_NO_MONEY:  # posting.counts
                for line_pk, amount in posting.line_paid:
                    paid[line_pk] = paid.get(line_pk, 0) + amount
        for line in claim.lines:
            new = paid.get(line[0], 0)
            if new != line[6]:
                updates.append((line[0], new))
    return updates


def _fingerprint(rem: RemittanceRecord) -> tuple[tuple[str, str, int, int], ...]:
    return tuple((c.patient_control_number, c.status_code, c.charge_cents, c.paid_cents)
                 for c in rem.claims)


def _patient_name(clp: ClaimPaymentRecord) -> str | None:
    if not clp.patient_last:
        return None
    return f"{clp.patient_last}, {clp.patient_first}" if clp.patient_first else clp.patient_last


# Line-matching rules after REF*6R (`_match_lines`), in order; each returns a free billed line or None.
# A line is (pk, code, modifiers "GO 59", charge, service date ISO, control number, paid).

def _same_day(svc: ServiceRecord, line: tuple[Any, ...]) -> bool:
    return svc.service_from is None or line[4] is None or _iso(svc.service_from) == line[4]


def _by_code_modifiers_date(svc: ServiceRecord, free: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    for line in free:
        if line[1] == svc.code and line[2] == " ".join(svc.modifiers) and _same_day(svc, line):
            return line
    return None


def _by_code(svc: ServiceRecord, free: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    """The payer dropped or changed modifiers."""
    for line in free:
        if line[1] == svc.code and _same_day(svc, line):
            return line
    return None


def _by_original_code(svc: ServiceRecord, free: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    """The payer changed or bundled the code; SVC06 says what was billed."""
    if svc.original_code:
        for line in free:
            if line[1] == svc.original_code and _same_day(svc, line):
                return line
    return None


def _by_charge(svc: ServiceRecord, free: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    fits = [line for line in free if line[3] == abs(svc.charge_cents) and _same_day(svc, line)]
    return fits[0] if len(fits) == 1 else None


_LATER_LINE_RULES = (_by_code_modifiers_date, _by_code, _by_original_code, _by_charge)


def post_queued_payment(conn: sqlite3.Connection, payment_pk: int, claim_id: str, *,
                        user: str, method: str = "manual", why: str = "posted by hand") -> dict[str, Any]:
    """Post a payment from the unmatched queue to the claim a specialist (or a later import,
    `remit.requeue`, with the `method` it matched by) found for it.

    Runs inside the caller's transaction: the payment, its adjustments and remarks get the
    claim, its service lines are matched to billed lines, and the claim is recomputed and
    audited like any posting.
    """
    from assistant.errors import InvalidInput, NotFound

    cur = conn.cursor()
    cur.row_factory = None
    row = cur.execute(
        "SELECT cp.claim_pk, cp.patient_control_number, cp.status_code, cp.charge_cents, "
        "cp.paid_cents, cp.reversed_by_pk, cp.payer_claim_number, r.payment_date, r.production_date, "
        "r.trace_number, r.payer_name, f.name FROM claim_payments cp "
        "JOIN remittances r ON r.pk = cp.remittance_pk "
        "LEFT JOIN import_files f ON f.pk = r.import_file_pk WHERE cp.pk = ?", (payment_pk,)).fetchone()
    if row is None:
        raise NotFound(f"no unmatched payment {payment_pk}; `ar-assistant unmatched` lists them")
    (owner, pcn, code, charge, paid, reversed_by, payer_number, pay_date, production, trace, payer,
     file) = row
    if owner is not None:
        raise InvalidInput(f"payment {payment_pk} is already posted to a claim")
    poster = _Poster(conn, Read835([], name=file or "queue"), 0, user)
    claims = poster._load_claims("claim_id", [claim_id])
    if not claims:
        raise NotFound(f"no claim {claim_id!r}")
    claim = claims[0]
    poster._load_lines()
    lines = cur.execute(
        "SELECT pk, code, modifiers, original_code, charge_cents, paid_cents, service_date, "
        "control_number FROM line_payments WHERE claim_payment_pk = ? ORDER BY pk", (payment_pk,)).fetchall()
    services = tuple(
        ServiceRecord("", code or "", tuple(mods.split()), line_charge, line_paid, original_code=original,
                      service_from=date.fromisoformat(day) if day else None, control_number=control)
        for _pk, code, mods, original, line_charge, line_paid, day, control in lines)
    record = ClaimPaymentRecord(pcn, code, charge, paid, services=services)
    line_pks = poster._match_lines(claim, record)
    update_rows(cur, "line_payments", ("line_pk",),
                [(line[0], line_pk) for line_pk, line in zip(line_pks, lines, strict=True)])
    cur.execute("UPDATE claim_payments SET claim_pk = ?, match_method = ? WHERE pk = ?",
                (claim.pk, method, payment_pk))
    cur.execute("UPDATE adjustments SET claim_pk = ? WHERE claim_payment_pk = ?", (claim.pk, payment_pk))
    cur.execute("UPDATE remarks SET claim_pk = ? WHERE claim_payment_pk = ?", (claim.pk, payment_pk))
    before = (claim.status, claim.balance)
    poster._load_postings()
    claim.touched = True
    claim.reversed_now = code == "22" or reversed_by is not None
    if payer_number:
        claim.payer_number = payer_number  # CLP07: the number a reopening or replacement needs
    remit_day = pay_date or production
    if remit_day and (claim.last_day is None or date.fromisoformat(remit_day).toordinal() > claim.last_day):
        claim.last_day = date.fromisoformat(remit_day).toordinal()
    poster._settle(claim)
    poster.audit.append(audit.Entry(
        claim.pk, user, "posting", field="payer_status", before=before[0], after=claim.status,
        note=f"unmatched payment {payment_pk} ({pcn!r}) {why}: paid {fmt(paid)}; balance "
             f"{fmt(before[1])} -> {fmt(claim.balance)}",
        details={"file": file, "trace": trace, "payer": payer, "clp02": code, "paid_cents": paid,
                 "claim_payment": payment_pk, "match": method, "balance_before": before[1],
                 "balance_after": claim.balance}))
    poster._write()
    return {"payment": payment_pk, "claim_id": claim.claim_id, "status": claim.status,
            "paid": claim.paid, "balance": claim.balance, "warnings": poster.result.warnings}
