"""The vocabularies the program speaks in (payer kinds, statuses, categories, actions ...).

Kept apart from the records in `assistant.domain` (which re-exports them) so that the
light commands (`explain`, `units`) can use them without building every record class.
"""

from __future__ import annotations

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


class PaymentMethod(StrEnum):
    """How a patient paid (front desk, statement, card on file, portal)."""

    CASH = "cash"
    CHECK = "check"
    CARD = "card"
    ONLINE = "online"
    OTHER = "other"


class PatientPaymentKind(StrEnum):
    """A payment by the patient (negative: refund or reversal), or the practice adjusting
    the patient's share (a small-balance write-off)."""

    PAYMENT = "payment"
    ADJUSTMENT = "adjustment"


class AppealStatus(StrEnum):
    DRAFTED = "drafted"
    SENT = "sent"
    DECIDED = "decided"
