"""What an 835 says, as records: the reader produces them, the payer simulator writes them.

Money in cents with the payer's sign (reversals are negative); dates as dates.
`segment` is the 1-based position of the segment that opened the record, for messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class AddressRecord:
    """N3/N4 of the payer or payee loop."""

    line1: str
    city: str
    state: str | None = None
    zip: str | None = None
    line2: str | None = None


@dataclass(frozen=True)
class AdjustmentRecord:
    group: str  # CO, PR, OA, PI (CR in 4010)
    reason: str  # CARC
    amount_cents: int
    quantity: Decimal | None = None


@dataclass(frozen=True)
class ServiceRecord:
    qualifier: str  # HC, AD, NU ...
    code: str
    modifiers: tuple[str, ...]
    charge_cents: int
    paid_cents: int
    units: Decimal | None = None
    original_code: str | None = None  # SVC06: the code as billed, when the payer changed it
    original_modifiers: tuple[str, ...] = ()
    original_units: Decimal | None = None
    revenue_code: str | None = None
    service_from: date | None = None
    service_to: date | None = None
    control_number: str | None = None  # REF*6R
    allowed_cents: int | None = None  # AMT*B6
    adjustments: tuple[AdjustmentRecord, ...] = ()
    remarks: tuple[str, ...] = ()  # LQ*HE
    segment: int = 0


@dataclass(frozen=True)
class ClaimPaymentRecord:
    patient_control_number: str  # CLP01
    status_code: str  # CLP02
    charge_cents: int
    paid_cents: int
    patient_resp_cents: int = 0
    filing_indicator: str | None = None
    payer_claim_number: str | None = None  # CLP07
    facility_code: str | None = None
    frequency_code: str | None = None
    patient_last: str | None = None
    patient_first: str | None = None
    member_id: str | None = None
    service_from: date | None = None
    service_to: date | None = None
    received_date: date | None = None
    crossover_payer: str | None = None  # NM1*TT
    original_claim_number: str | None = None  # REF*F8
    adjustments: tuple[AdjustmentRecord, ...] = ()  # claim level
    remarks: tuple[str, ...] = ()  # MOA / MIA
    services: tuple[ServiceRecord, ...] = ()
    segment: int = 0
    remarks_from: str | None = None  # "MIA" when `remarks` came from MIA (inpatient); None: MOA
    crossover_payer_id: str | None = None  # NM1*TT09, the COB carrier's id (qualifier in NM108)


@dataclass(frozen=True)
class ProviderAdjustmentRecord:
    """A PLB entry: positive amounts reduce the payment (recoupment), negative ones add."""

    reason_code: str
    amount_cents: int
    reference: str | None = None
    provider_id: str | None = None
    fiscal_period_date: date | None = None


@dataclass(frozen=True)
class RemittanceRecord:
    """One 835 transaction (ST..SE): one payment or notice from one payer."""

    version: str
    payer_name: str
    payment_cents: int  # BPR02
    payer_id: str | None = None
    payee_name: str | None = None
    payee_npi: str | None = None
    trace_number: str | None = None  # TRN02
    payment_method: str | None = None  # BPR04: CHK, ACH, NON ...
    credit_debit: str | None = None  # BPR03
    payment_date: date | None = None  # BPR16
    production_date: date | None = None  # DTM*405
    claims: tuple[ClaimPaymentRecord, ...] = ()
    provider_adjustments: tuple[ProviderAdjustmentRecord, ...] = ()
    control_number: str | None = None
    segment: int = 0
    warnings: tuple[str, ...] = field(default=())
    payer_address: AddressRecord | None = None  # N3/N4 of loop 1000A
    payer_contact: str | None = None  # PER*BL name
    payer_phone: str | None = None  # PER*BL TE
    payee_address: AddressRecord | None = None  # N3/N4 of loop 1000B
    payee_tax_id: str | None = None  # N1*PE*FI or REF*TJ
