"""Writing 005010X221A1 from `RemittanceRecord`s: the payer simulator's and the benchmark's 835s.

The output balances when the records do (the writer never invents amounts) and passes
pyx12's implementation-guide validation when the records carry what the guide requires:
payer address (N3/N4) and billing contact (PER*BL), patient names, CLP06 and CLP07.
Adjustments are written one CAS per group (up to six reasons each), groups in the order they
first appear, so `read_835(write_835(records))` gives back records whose adjustments are
already grouped that way. Delimiters are the common ones: `*`, `:`, `^` and `~` + newline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from assistant.money import x12_amount
from assistant.remit.records import (
    AddressRecord,
    AdjustmentRecord,
    ClaimPaymentRecord,
    ProviderAdjustmentRecord,
    RemittanceRecord,
    ServiceRecord,
)

ELEMENT, COMPONENT, REPETITION, TERMINATOR = "*", ":", "^", "~"
VERSION = "005010X221A1"
_RESERVED = (ELEMENT, REPETITION, TERMINATOR, "\n", "\r")  # COMPONENT is checked per part


def write_835(
    remittances: Sequence[RemittanceRecord],
    *,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    when: datetime,
) -> str:
    """One interchange with one functional group and one ST..SE per remittance."""
    out: list[str] = [
        _seg("ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{sender_id[:15]:<15}", "ZZ",
             f"{receiver_id[:15]:<15}", when.strftime("%y%m%d"), when.strftime("%H%M"), REPETITION,
             "00501", f"{control_number:09d}", "0", "P", COMPONENT, trim=False),
        _seg("GS", "HP", sender_id, receiver_id, when.strftime("%Y%m%d"), when.strftime("%H%M"),
             str(control_number), "X", VERSION),
    ]
    for number, remittance in enumerate(remittances, 1):
        st02 = remittance.control_number or f"{number:04d}"
        body = _transaction(remittance, when.date(), fallback_trace=f"{control_number}{number:04d}")
        out.append(_seg("ST", "835", st02))
        out.extend(body)
        out.append(_seg("SE", str(len(body) + 2), st02))
    out.append(_seg("GE", str(len(remittances)), str(control_number)))
    out.append(_seg("IEA", "1", f"{control_number:09d}"))
    return "".join(out)


def _seg(seg_id: str, *elements: str | None, trim: bool = True) -> str:
    values = ["" if e is None else e for e in elements]
    for value in values:
        if trim and any(r in value for r in _RESERVED):
            raise ValueError(f"{seg_id}: {value!r} contains an X12 delimiter")
    while trim and values and values[-1] == "":
        values.pop()
    return ELEMENT.join((seg_id, *values)) + TERMINATOR + "\n"


def _amount(cents: int | None) -> str:
    return "" if cents is None else x12_amount(cents)


def _quantity(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _date(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


def _transaction(rem: RemittanceRecord, today: date, fallback_trace: str) -> list[str]:
    method = rem.payment_method or ("NON" if rem.payment_cents == 0 else "CHK")
    paid_on = _date(rem.payment_date or today)
    handling = "H" if method == "NON" else "I"
    credit = rem.credit_debit or "C"
    if method == "ACH":
        # Synthetic banking details: the simulator's payers have no bank accounts.
        bpr = _seg("BPR", handling, _amount(rem.payment_cents), credit, method, "CCP", "01",
                   "999999992", "DA", "123456", "1" + _digits(rem.payer_id), "", "01", "999988880",
                   "DA", "98765", paid_on)
    else:
        bpr = _seg("BPR", handling, _amount(rem.payment_cents), credit, method, "", "", "", "", "",
                   "", "", "", "", "", "", paid_on)
    out = [bpr, _seg("TRN", "1", rem.trace_number or fallback_trace, "1" + _digits(rem.payer_id))]
    if rem.production_date:
        out.append(_seg("DTM", "405", _date(rem.production_date)))
    out.append(_seg("N1", "PR", rem.payer_name, "XV" if rem.payer_id else "", rem.payer_id))
    out.extend(_address(rem.payer_address))
    if rem.payer_contact or rem.payer_phone:
        out.append(_seg("PER", "BL", rem.payer_contact, "TE" if rem.payer_phone else "",
                        rem.payer_phone))
    if rem.payee_npi:
        out.append(_seg("N1", "PE", rem.payee_name, "XX", rem.payee_npi))
    else:
        out.append(_seg("N1", "PE", rem.payee_name, "FI" if rem.payee_tax_id else "",
                        rem.payee_tax_id))
    out.extend(_address(rem.payee_address))
    if rem.payee_npi and rem.payee_tax_id:
        out.append(_seg("REF", "TJ", rem.payee_tax_id))
    if rem.claims:
        out.append(_seg("LX", "1"))
    for claim in rem.claims:
        out.extend(_claim(claim))
    out.extend(_plb(rem, today))
    return out


def _digits(value: str | None) -> str:
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    return f"{digits[-9:]:0>9}"


def _address(address: AddressRecord | None) -> list[str]:
    if address is None:
        return []
    return [_seg("N3", address.line1, address.line2),
            _seg("N4", address.city, address.state, address.zip)]


def _cas(adjustments: Iterable[AdjustmentRecord]) -> list[str]:
    by_group: dict[str, list[AdjustmentRecord]] = {}
    for adj in adjustments:
        by_group.setdefault(adj.group, []).append(adj)
    out = []
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            trios: list[str] = []
            for adj in items[start:start + 6]:
                trios += [adj.reason, _amount(adj.amount_cents), _quantity(adj.quantity)]
            out.append(_seg("CAS", group, *trios))
    return out


def _claim(claim: ClaimPaymentRecord) -> list[str]:
    out = [_seg("CLP", claim.patient_control_number, claim.status_code, _amount(claim.charge_cents),
                _amount(claim.paid_cents),
                _amount(claim.patient_resp_cents) if claim.patient_resp_cents else "",
                claim.filing_indicator, claim.payer_claim_number, claim.facility_code,
                claim.frequency_code)]
    out.extend(_cas(claim.adjustments))
    out.append(_seg("NM1", "QC", "1", claim.patient_last, claim.patient_first, "", "", "",
                    "MI" if claim.member_id else "", claim.member_id))
    if claim.crossover_payer:
        # NM108/NM109 are required: PI (payer id) when the record has the carrier's id.
        out.append(_seg("NM1", "TT", "2", claim.crossover_payer, "", "", "", "",
                        "PI" if claim.crossover_payer_id else "", claim.crossover_payer_id))
    if claim.remarks:
        codes = list(claim.remarks[:5])
        if claim.remarks_from == "MIA":
            # MIA05 and MIA20-MIA23 carry remark codes; MIA01 (covered days) is required.
            mia = ["0", "", "", "", codes[0], *[""] * 14, *codes[1:]]
            out.append(_seg("MIA", *mia))
        else:
            out.append(_seg("MOA", "", "", *codes))
    if claim.original_claim_number:
        out.append(_seg("REF", "F8", claim.original_claim_number))
    if claim.service_from:
        out.append(_seg("DTM", "232", _date(claim.service_from)))
    if claim.service_to:
        out.append(_seg("DTM", "233", _date(claim.service_to)))
    if claim.received_date:
        out.append(_seg("DTM", "050", _date(claim.received_date)))
    for service in claim.services:
        out.extend(_service(service))
    return out


def _composite(*parts: str) -> str:
    for part in parts:
        if COMPONENT in part:
            raise ValueError(f"{part!r} contains the component separator")
    return COMPONENT.join(parts)


def _service(svc: ServiceRecord) -> list[str]:
    original = (_composite(svc.qualifier, svc.original_code, *svc.original_modifiers[:4])
                if svc.original_code else "")
    out = [_seg("SVC", _composite(svc.qualifier, svc.code, *svc.modifiers[:4]),
                _amount(svc.charge_cents),
                _amount(svc.paid_cents), svc.revenue_code, _quantity(svc.units), original,
                _quantity(svc.original_units))]
    if svc.service_from and svc.service_from == svc.service_to:
        out.append(_seg("DTM", "472", _date(svc.service_from)))
    else:
        if svc.service_from:
            out.append(_seg("DTM", "150", _date(svc.service_from)))
        if svc.service_to:
            out.append(_seg("DTM", "151", _date(svc.service_to)))
    out.extend(_cas(svc.adjustments))
    if svc.control_number:
        out.append(_seg("REF", "6R", svc.control_number))
    if svc.allowed_cents is not None:
        out.append(_seg("AMT", "B6", _amount(svc.allowed_cents)))
    out.extend(_seg("LQ", "HE", code) for code in svc.remarks)
    return out


def _plb(rem: RemittanceRecord, today: date) -> list[str]:
    items: list[ProviderAdjustmentRecord] = list(rem.provider_adjustments)
    out = []
    for start in range(0, len(items), 6):
        chunk = items[start:start + 6]
        first = chunk[0]
        # PLB02: the provider's fiscal year end; December 31 when unknown (fact sheet 8.7).
        fiscal = first.fiscal_period_date or date((rem.payment_date or today).year, 12, 31)
        pairs: list[str] = []
        for item in chunk:
            parts = (item.reason_code, item.reference) if item.reference else (item.reason_code,)
            pairs += [_composite(*parts), _amount(item.amount_cents)]
        out.append(_seg("PLB", first.provider_id or rem.payee_npi or rem.payee_tax_id or "",
                        _date(fiscal), *pairs))
    return out
