"""The sample's own working records: people, coverages, episodes of care, claims.

Kept small (slots) because a benchmark build holds a day's worth of a million-claim year
in memory; the importers turn the files written from them into the real records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from assistant.sample.inputs import Clinician, Condition, PayerProfile


@dataclass(slots=True)
class Person:
    last_name: str
    first_name: str
    dob: date
    sex: str  # F | M
    address1: str
    city: str
    state: str
    zip: str


@dataclass(slots=True)
class Patient:
    account: str
    person: Person
    with_notes: bool = True
    # Medicare OT allowed amount so far, by calendar year (cents), for the KX threshold.
    medicare_allowed: dict[int, int] = field(default_factory=dict)
    # Deductible met so far by (payer name, year) (cents).
    deductible_met: dict[tuple[str, int], int] = field(default_factory=dict)


@dataclass(slots=True)
class Coverage:
    payer: PayerProfile
    member_id: str
    group_number: str = ""
    priority: int = 1  # 1 primary, 2 secondary
    subscriber: Person | None = None  # None: the patient is the subscriber
    relationship: str = "18"  # PAT01 when the patient is a dependent: 01 spouse
    employer: str = ""  # workers' compensation
    deductible_cents: int = 0
    copay_cents: int = 0


@dataclass(slots=True)
class Line:
    code: str
    modifiers: list[str]
    units: int
    charge_cents: int
    service_date: date
    minutes: int | None = None
    pointers: tuple[int, ...] = (1,)
    by_assistant: bool = False


@dataclass(slots=True)
class Claim:
    claim_id: str
    patient: Patient
    coverage: Coverage
    dos: date
    lines: list[Line]
    diagnoses: list[str]
    rendering: Clinician
    certifier: Clinician
    submitted: date
    secondary: Coverage | None = None
    auth_number: str | None = None
    accident_date: date | None = None
    errors: list[str] = field(default_factory=list)  # planted kinds (planted.json)
    error_lines: dict[str, Line] = field(default_factory=dict)  # kind -> the line it touched
    caught: list[str] = field(default_factory=list)  # kinds the payer will catch
    duplicate_of: str | None = None

    @property
    def billed_cents(self) -> int:
        return sum(line.charge_cents for line in self.lines)


@dataclass(slots=True)
class Authorization:
    number: str
    payer: PayerProfile
    unit_kind: str
    approved: int
    start: date
    end: date
    codes: tuple[str, ...] = ()
    used: int = 0


@dataclass(slots=True)
class Visit:
    """A planned visit of an episode; `index` 0 is the evaluation."""

    day: date
    index: int
    duplicate: bool = False


@dataclass(slots=True)
class PlanOfCare:
    start: date
    end: date  # also the recertification due date
    written: date  # date of the plan-of-care note
    certified: date | None
    recertification: bool = False


@dataclass(slots=True)
class Episode:
    """One course of care: evaluation, visits, discharge. Owns its random stream."""

    number: int
    rng: random.Random
    patient: Patient
    coverage: Coverage
    secondary: Coverage | None
    condition: Condition
    side: str
    therapist: Clinician
    certifier: Clinician
    start: date
    planned_weeks: int
    per_week: int
    visits: list[Visit]
    diagnoses: list[tuple[str, str]]  # (code, text), primary first
    plans: list[PlanOfCare] = field(default_factory=list)
    authorization: Authorization | None = None
    coverage_end: date | None = None  # coverage terminated during the episode
    skip_report: int = 0  # the n-th progress report is skipped (0: none)
    re_evaluation_at: int = 0  # visit index of the re-evaluation (0: none)
    eval_only: bool = False
    ends_early: bool = False
    extended: bool = False  # visits go on past the plan of care (planted poc_lapsed)
    recert_weeks: int = 0  # the course was extended this long under a recertified plan
    course_end: date | None = None  # last day of the scheduled course (None: brief or eval only)
    maintenance: bool = False
    accident_date: date | None = None
    flags: set[str] = field(default_factory=set)  # episode-level planted kinds
