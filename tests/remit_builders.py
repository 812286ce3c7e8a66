"""Hand-made remittances for tests: balanced records, written as 835 text by the real writer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from assistant.remit.records import (
    AddressRecord,
    AdjustmentRecord,
    ClaimPaymentRecord,
    ProviderAdjustmentRecord,
    RemittanceRecord,
    ServiceRecord,
)
from assistant.remit.writer import write_835

DOS = date(2026, 9, 1)
Adj = tuple[str, str, float]  # group, reason, dollars


def cents(dollars: float) -> int:
    return round(dollars * 100)


def svc(code: str, charge: float, paid: float, *adjustments: Adj, modifiers: Sequence[str] = ("GO",),
        units: str = "1", day: date = DOS, original: str | None = None, control: str | None = None,
        remarks: Sequence[str] = ()) -> ServiceRecord:
    return ServiceRecord(
        qualifier="HC", code=code, modifiers=tuple(modifiers), charge_cents=cents(charge),
        paid_cents=cents(paid), units=Decimal(units), original_code=original,
        service_from=day, service_to=day, control_number=control,
        adjustments=tuple(AdjustmentRecord(g, r, cents(a)) for g, r, a in adjustments),
        remarks=tuple(remarks),
    )


def clp(pcn: str, status: str, *services: ServiceRecord, adjustments: Sequence[Adj] = (),
        number: str | None = "ICN1", original: str | None = None, remarks: Sequence[str] = (),
        last: str = "RIVERA", first: str = "MARIA", member: str = "MA1001",
        charge: float | None = None, paid: float | None = None,
        responsibility: float | None = None) -> ClaimPaymentRecord:
    """A claim payment; charge, paid and patient share default to what its lines and CAS say."""
    adj = tuple(AdjustmentRecord(g, r, cents(a)) for g, r, a in adjustments)
    all_adj = adj + tuple(a for s in services for a in s.adjustments)
    charge_cents = cents(charge) if charge is not None else sum(s.charge_cents for s in services)
    paid_cents = (cents(paid) if paid is not None
                  else charge_cents - sum(a.amount_cents for a in all_adj))
    pr = (cents(responsibility) if responsibility is not None
          else sum(a.amount_cents for a in all_adj if a.group == "PR"))
    days = [s.service_from for s in services if s.service_from] or [DOS]
    return ClaimPaymentRecord(
        patient_control_number=pcn, status_code=status, charge_cents=charge_cents,
        paid_cents=paid_cents, patient_resp_cents=pr, filing_indicator="MB",
        payer_claim_number=number, facility_code="11", frequency_code="1", patient_last=last,
        patient_first=first, member_id=member, service_from=min(days), service_to=max(days),
        original_claim_number=original, adjustments=adj, remarks=tuple(remarks), services=services,
    )


def remittance(*claims: ClaimPaymentRecord, trace: str = "TRC1", payer: str = "MEDICARE PART B",
               payer_id: str = "04412", plb: Sequence[tuple[str, float, str | None]] = (),
               paid_on: date = date(2026, 9, 20), payment: float | None = None) -> RemittanceRecord:
    """A remittance that balances (BPR02 = sum CLP04 - sum PLB) unless `payment` says otherwise."""
    adjustments = tuple(ProviderAdjustmentRecord(code, cents(amount), ref, "1699999996",
                                                 date(paid_on.year, 12, 31))
                        for code, amount, ref in plb)
    total = sum(c.paid_cents for c in claims) - sum(p.amount_cents for p in adjustments)
    return RemittanceRecord(
        version="005010X221A1", payer_name=payer,
        payment_cents=cents(payment) if payment is not None else total, payer_id=payer_id,
        payee_name="HARBOR HAND AND OCCUPATIONAL THERAPY", payee_npi="1699999996",
        trace_number=trace, payment_method="CHK" if total else "NON", credit_debit="C",
        payment_date=paid_on, production_date=paid_on, claims=claims,
        provider_adjustments=adjustments,
        payer_address=AddressRecord("PO BOX 100", "NASHVILLE", "TN", "37202"),
        payer_contact="EDI SUPPORT", payer_phone="8005550100",
        payee_address=AddressRecord("12 HARBOR ST", "PORTLAND", "ME", "04101"),
        payee_tax_id="123456789",
    )


def text_835(*remittances: RemittanceRecord, control: int = 1) -> str:
    return write_835(remittances, sender_id="04412", receiver_id="1699999996",
                     control_number=control, when=datetime(2026, 9, 20, 8, 30))


def file_835(folder: Path, name: str, *remittances: RemittanceRecord, control: int = 1) -> Path:
    path = folder / name
    path.write_text(text_835(*remittances, control=control))
    return path
