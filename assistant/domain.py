"""Records and vocabularies shared by every part of the program (stdlib only).

The vocabularies are defined in `assistant.kinds` and re-exported here.

Importers produce the `*Record` classes; storage turns rows into the `*View` classes
that rules, ranking, letters, chat and the UI read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# The vocabularies live in assistant.kinds; re-exported here, where the records use them.
from assistant.kinds import CLOSED_WORK_STATUSES as CLOSED_WORK_STATUSES
from assistant.kinds import Action as Action
from assistant.kinds import AppealStatus as AppealStatus
from assistant.kinds import Category as Category
from assistant.kinds import Credential as Credential
from assistant.kinds import DocType as DocType
from assistant.kinds import PatientPaymentKind as PatientPaymentKind
from assistant.kinds import PayerKind as PayerKind
from assistant.kinds import PayerStatus as PayerStatus
from assistant.kinds import PaymentMethod as PaymentMethod
from assistant.kinds import UnitRule as UnitRule
from assistant.kinds import WorkStatus as WorkStatus

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
    service_date_to: date | None = None  # a line billed for several days (RD8): the last one
    prior_auth: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class OtherPayerAdjustment:
    """One reason of another payer's CAS (837P 2320 claim level or 2430 line level)."""

    group: str  # CO, PR, OA, PI, CR
    code: str  # CARC
    amount_cents: int
    quantity: Decimal | None = None


@dataclass(frozen=True)
class OtherPayerLineRecord:
    """Loop 2430: how another payer adjudicated one billed line (SVD, CAS, DTP*573)."""

    line_no: int  # the LX of the line it answers
    paid_cents: int  # SVD02
    code: str = ""  # SVD03 procedure
    modifiers: tuple[str, ...] = ()
    units: Decimal | None = None  # SVD05 paid units
    adjustments: tuple[OtherPayerAdjustment, ...] = ()
    adjudicated: date | None = None  # DTP*573
    patient_liability_cents: int | None = None  # AMT*EAF


@dataclass(frozen=True)
class OtherPayerRecord:
    """Loops 2320/2330A/2330B: another coverage of the patient and, once that payer has
    adjudicated the claim, its result (a claim billed to a secondary carries the primary's)."""

    payer: PayerRecord  # 2330B NM1*PR
    priority: int  # its SBR01: 1 primary, 2 secondary, 3 tertiary ...
    relationship: str | None = None  # SBR02 (18 self)
    group_number: str | None = None  # SBR03
    filing_indicator: str | None = None  # SBR09
    member_id: str | None = None  # 2330A NM1*IL NM109
    paid_cents: int | None = None  # AMT*D
    noncovered_cents: int | None = None  # AMT*A8
    patient_liability_cents: int | None = None  # AMT*EAF remaining patient liability
    adjudicated: date | None = None  # 2330B DTP*573
    claim_number: str | None = None  # 2330B REF*F8, the other payer's claim control number
    adjustments: tuple[OtherPayerAdjustment, ...] = ()  # claim-level CAS
    remarks: tuple[str, ...] = ()  # MOA03-MOA07
    benefits_assigned: str | None = None  # OI03
    lines: tuple[OtherPayerLineRecord, ...] = ()  # its 2430 loops

    @property
    def adjudicated_claim(self) -> bool:
        """Whether this loop reports the payer's result, not only that the coverage exists."""
        return bool(self.paid_cents is not None or self.adjudicated or self.adjustments
                    or self.lines or self.claim_number)


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
    # 837P 2320 loops: the patient's other payers; None when the source cannot say (CSV).
    other_payers: tuple[OtherPayerRecord, ...] | None = None
    # 837P CLM11 related causes (AA auto accident, EM employment, OA other accident), the
    # auto accident's state (CLM11-4) and DTP*439; a CSV export can carry only the date.
    related_causes: tuple[str, ...] = ()
    accident_date: date | None = None
    accident_state: str | None = None


@dataclass(frozen=True)
class PatientPaymentRecord:
    """One row of a practice-management payment export: a claim id, or an account (with
    the date of service it was paid for, when the export gives one)."""

    line: int  # in the source file, for errors found when it is applied
    paid_date: date
    amount_cents: int  # negative: a refund or reversal
    kind: PatientPaymentKind = PatientPaymentKind.PAYMENT
    claim_id: str | None = None
    account: str | None = None
    service_date: date | None = None
    method: PaymentMethod | None = None  # None for an adjustment
    reference: str | None = None
    reason: str | None = None


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
class OtherPayerView:
    """Another payer a claim names (837P 2320): its place in the patient's order and, when it
    adjudicated the claim before this payer, its result (`storage/prior_payers.py`)."""

    payer_pk: int  # 0 for a claim not yet imported
    payer_name: str
    priority: int
    paid_cents: int | None = None
    noncovered_cents: int | None = None
    patient_liability_cents: int | None = None
    adjudicated: date | None = None
    claim_number: str | None = None
    adjustments: tuple[OtherPayerAdjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    lines: tuple[OtherPayerLineRecord, ...] = ()
    member_id: str | None = None
    group_number: str | None = None
    filing_indicator: str | None = None

    @property
    def adjudicated_claim(self) -> bool:
        return bool(self.paid_cents is not None or self.adjudicated or self.adjustments
                    or self.lines or self.claim_number)


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
    service_date_to: date | None = None  # a line billed for several days (RD8): the last one


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


def patient_due_cents(responsibility: int, patient_paid: int, patient_adjusted: int, balance: int) -> int:
    """The patient's share still to collect: what the payer assigned (CLP05) less what the
    patient paid and the practice adjusted, never more than the claim's balance nor below 0."""
    return max(min(responsibility - patient_paid - patient_adjusted, balance), 0)


@dataclass(frozen=True)
class AccidentView:
    """What caused the condition a claim treats: a workers' comp or auto adjuster finds the
    claim by the date of injury."""

    day: date | None  # DTP*439, or a CSV export's injury date
    causes: tuple[str, ...] = ()  # CLM11: AA auto accident, EM employment, OA other accident
    state: str | None = None  # CLM11-4, where an auto accident happened

    @property
    def employment(self) -> bool:
        return "EM" in self.causes


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
    patient_paid_cents: int = 0  # what the patient paid (patient_payments), net of refunds
    patient_adjusted_cents: int = 0  # the patient's share the practice wrote off (in adjusted_cents)
    accident: AccidentView | None = None  # None: the claim names no accident or injury

    @property
    def patient_due_cents(self) -> int:
        return patient_due_cents(self.patient_resp_cents, self.patient_paid_cents,
                                 self.patient_adjusted_cents, self.balance_cents)

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
class PatientPaymentView:
    """One part of a patient payment as applied to a claim (`receipt` ties a split together)."""

    pk: int
    kind: PatientPaymentKind
    amount_cents: int
    paid_date: date
    method: PaymentMethod | None
    reference: str | None
    reason: str | None
    receipt: str
    receipt_cents: int
    source: str
    line: int | None
    user: str


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
