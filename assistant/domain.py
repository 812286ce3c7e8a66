"""Records and vocabularies shared by every part of the program (stdlib only).

Importers produce the `*Record` classes; storage turns rows into the `*View` classes
that rules, ranking, letters, chat and the UI read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class PayerKind(StrEnum):
    MEDICARE = "medicare"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    WORKERS_COMP = "workers_comp"
    OTHER = "other"


class UnitRule(StrEnum):
    """How timed minutes become units: CMS total time, or each code on its own."""

    CMS = "cms"
    PER_CODE = "per_code"


class Credential(StrEnum):
    OT = "OT"
    OTA = "OTA"
    PT = "PT"
    PTA = "PTA"
    SLP = "SLP"
    MD = "MD"
    DO = "DO"
    NP = "NP"
    PA = "PA"
    OTHER = "other"


class PayerStatus(StrEnum):
    """What the payer last said; `submitted` until a remittance says otherwise."""

    SUBMITTED = "submitted"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    FORWARDED = "forwarded"
    REVERSED = "reversed"


class WorkStatus(StrEnum):
    """Where the practice is in working the claim, separate from the payer's status."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_PAYER = "waiting_payer"
    APPEALED = "appealed"
    CORRECTED_RESUBMITTED = "corrected_resubmitted"
    PATIENT_BILLING = "patient_billing"
    WRITTEN_OFF = "written_off"
    CLOSED = "closed"


CLOSED_WORK_STATUSES = (WorkStatus.WRITTEN_OFF, WorkStatus.CLOSED)


class DocType(StrEnum):
    EVALUATION = "evaluation"
    DAILY_NOTE = "daily_note"
    PROGRESS_REPORT = "progress_report"
    PLAN_OF_CARE = "plan_of_care"
    RE_EVALUATION = "re_evaluation"


class Category(StrEnum):
    """Denial categories: one vocabulary for rules, ranking, letters, chat and reports."""

    ELIGIBILITY = "eligibility"
    AUTHORIZATION = "authorization"
    MEDICAL_NECESSITY = "medical_necessity"
    CODING = "coding"
    BUNDLING = "bundling"
    FREQUENCY = "frequency"
    TIMELY_FILING = "timely_filing"
    DUPLICATE = "duplicate"
    COORDINATION_OF_BENEFITS = "coordination_of_benefits"
    MISSING_INFORMATION = "missing_information"
    PATIENT_RESPONSIBILITY = "patient_responsibility"
    CONTRACTUAL = "contractual"
    PROVIDER = "provider"


class Action(StrEnum):
    RESUBMIT_CORRECTED = "resubmit_corrected"
    NEW_CLAIM = "new_claim"
    REOPENING = "reopening"
    APPEAL = "appeal"
    CALL_PAYER = "call_payer"
    VERIFY_ELIGIBILITY = "verify_eligibility"
    BILL_SECONDARY = "bill_secondary"
    BILL_PATIENT = "bill_patient"
    REQUEST_AUTH = "request_auth"
    SEND_RECORDS = "send_records"
    WRITE_OFF = "write_off"
    WAIT = "wait"
    NO_ACTION = "no_action"


class AppealStatus(StrEnum):
    DRAFTED = "drafted"
    SENT = "sent"
    DECIDED = "decided"


# --------------------------------------------------------------------------- import records


@dataclass(frozen=True)
class ProviderRecord:
    npi: str
    last_name: str
    first_name: str = ""
    credential: Credential | None = None
    taxonomy: str | None = None
    is_organization: bool = False


@dataclass(frozen=True)
class PracticeRecord:
    name: str
    npi: str | None = None
    tax_id: str | None = None
    address1: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class PayerRecord:
    name: str
    payer_id: str | None = None
    kind: PayerKind | None = None  # None: keep what the database has, else `other`


@dataclass(frozen=True)
class PatientRecord:
    account: str
    last_name: str
    first_name: str = ""
    dob: date | None = None
    sex: str | None = None
    member_id: str | None = None
    address1: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None


@dataclass(frozen=True)
class ClaimLineRecord:
    line_no: int
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge_cents: int
    dx_pointers: tuple[int, ...] = ()
    service_date: date | None = None
    minutes: int | None = None
    rendering_npi: str | None = None
    control_number: str | None = None
    prior_auth: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ClaimRecord:
    claim_id: str
    patient: PatientRecord
    payer: PayerRecord
    lines: tuple[ClaimLineRecord, ...]
    billed_cents: int
    dos_from: date
    dos_to: date
    coverage_priority: int = 1
    member_id: str | None = None
    group_number: str | None = None
    billing_provider: ProviderRecord | None = None
    rendering_provider: ProviderRecord | None = None
    referring_provider: ProviderRecord | None = None
    place_of_service: str | None = None
    frequency_code: str = "1"
    prior_auth: str | None = None
    payer_claim_number: str | None = None
    diagnoses: tuple[str, ...] = ()
    submitted_date: date | None = None
    # Only CSV aging exports carry these; 837P claims start unpaid.
    paid_cents: int | None = None
    balance_cents: int | None = None
    assignee: str | None = None


@dataclass(frozen=True)
class AuthorizationRecord:
    account: str
    number: str
    approved: int
    start_date: date
    end_date: date
    payer_name: str | None = None
    unit_kind: str = "visits"
    used: int = 0
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanOfCareRecord:
    account: str
    start_date: date
    end_date: date
    certified_date: date | None = None
    certified_by: str | None = None
    certifier_npi: str | None = None
    recert_due: date | None = None
    frequency: str | None = None
    goals: tuple[str, ...] = ()
    therapist_npi: str | None = None


@dataclass(frozen=True)
class DocumentRecord:
    account: str
    doc_type: DocType
    doc_date: date
    text: str
    author: str | None = None
    author_credential: str | None = None
    author_npi: str | None = None
    title: str | None = None
    source: str | None = None
    minutes: tuple[tuple[str, int], ...] = ()  # (code, minutes) recorded in a daily note
    plan_of_care: PlanOfCareRecord | None = None


# --------------------------------------------------------------------------- read views


@dataclass(frozen=True)
class AdjustmentView:
    group: str
    code: str
    amount_cents: int
    quantity: float | None = None


@dataclass(frozen=True)
class LineView:
    pk: int
    line_no: int
    code: str
    modifiers: tuple[str, ...]
    units: float
    minutes: int | None
    charge_cents: int
    paid_cents: int
    dx_pointers: tuple[int, ...]
    service_date: date | None
    rendering_npi: str | None
    rendering_credential: str | None
    adjustments: tuple[AdjustmentView, ...] = ()
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True)
class PayerView:
    pk: int
    name: str
    kind: PayerKind
    payer_id: str | None
    timely_filing_days: int | None
    appeal_windows: dict[str, int] | None
    unit_rule: UnitRule | None
    appeal_address: str | None = None
    appeal_fax: str | None = None
    appeal_phone: str | None = None
    portal_url: str | None = None
    phone: str | None = None
    corrected_claim_days: int | None = None  # None: the kind's default (timely filing)


@dataclass(frozen=True)
class PatientView:
    pk: int
    account: str
    last_name: str
    first_name: str
    dob: date | None
    member_id: str | None

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}" if self.first_name else self.last_name


@dataclass(frozen=True)
class ClaimView:
    """Everything known about one claim, as rules, letters and screens read it."""

    pk: int
    claim_id: str
    patient: PatientView
    payer: PayerView
    dos_from: date
    dos_to: date
    billed_cents: int
    paid_cents: int
    adjusted_cents: int
    patient_resp_cents: int
    balance_cents: int
    payer_status: PayerStatus
    work_status: WorkStatus
    frequency_code: str
    place_of_service: str | None
    coverage_priority: int
    member_id: str | None
    prior_auth: str | None
    payer_claim_number: str | None
    submitted_date: date | None
    follow_up_date: date | None
    assignee: str | None
    last_remit_date: date | None
    rendering_npi: str | None
    rendering_name: str | None
    rendering_credential: str | None
    referring_name: str | None
    referring_npi: str | None
    diagnoses: tuple[str, ...]
    lines: tuple[LineView, ...]
    adjustments: tuple[AdjustmentView, ...] = ()  # claim level
    remarks: tuple[str, ...] = ()  # claim level (MOA/MIA)
    version: int = 1

    @property
    def all_adjustments(self) -> tuple[AdjustmentView, ...]:
        return self.adjustments + tuple(a for line in self.lines for a in line.adjustments)

    @property
    def all_remarks(self) -> tuple[str, ...]:
        seen: dict[str, None] = dict.fromkeys(self.remarks)
        for line in self.lines:
            seen.update(dict.fromkeys(line.remarks))
        return tuple(seen)


@dataclass(frozen=True)
class ActivityView:
    pk: int
    at: str
    user: str
    kind: str
    field: str | None
    before: str | None
    after: str | None
    note: str | None
    details: dict[str, object] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class PayerSettingsRecord:
    """A payer as the practice configures it (payers.toml); None keeps the kind's default."""

    name: str
    kind: PayerKind
    payer_id: str | None = None
    aliases: tuple[str, ...] = ()
    timely_filing_days: int | None = None
    appeal_windows: dict[str, int] | None = None
    unit_rule: UnitRule | None = None
    appeal_address: str | None = None
    appeal_fax: str | None = None
    appeal_phone: str | None = None
    portal_url: str | None = None
    phone: str | None = None
    corrected_claim_days: int | None = None  # days from the remittance to send a corrected claim


# --------------------------------------------------------------------------- assessments


@dataclass(frozen=True)
class Finding:
    """One result of a named OT claim check."""

    rule: str
    severity: str  # error | warning | info
    message: str
    line: int | None = None
    fix: str | None = None


@dataclass(frozen=True)
class NextAction:
    action: Action
    reason: str
    level: int | None = None
    template: str | None = None
    deadline: date | None = None


WINDOWS_CLOSED = "closed"  # Assessment.deadline_kind when every filing window has passed


@dataclass(frozen=True)
class Assessment:
    """What the rules say about one claim: why it is where it is and what to do by when."""

    claim_id: str
    category: Category | None
    codes: tuple[str, ...]  # "CO-50", "N115" ...
    actions: tuple[NextAction, ...]
    findings: tuple[Finding, ...]
    deadline: date | None
    # timely_filing | appeal_level_1 | ...; `closed` (with no deadline): a window passed and
    # nothing can be filed any more, only a call or a write-off is left
    deadline_kind: str | None = None
    # The first day after today on which the calendar alone may change the answer (a claim
    # going unanswered, an appeal decision coming due, a window closing).
    recheck: date | None = None

    @property
    def nothing_to_file(self) -> bool:
        return self.deadline_kind == WINDOWS_CLOSED
