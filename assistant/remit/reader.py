"""Reading real 835 files (005010X221A1 and 004010X091A1) into `RemittanceRecord`s.

Real ERA files are messier than the guide: composites written with another separator than
ISA16 says, service lines whose elements slipped by one, dates that are not dates, payer
loops that repeat, 4010 group codes, sets of other kinds mixed in. The reader recovers
what it can tell for sure, says so in a located warning ("segment 20 (SVC): ..."), and
refuses with `X12Error` (segment and reason) what it cannot read, such as an amount that
is not a number: posting money from a misread file is worse than not posting it.
Warnings name segments, codes and claim ids, never patients.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, TypeVar

from assistant.importers.x12 import Segment, Transaction, X12Error, tokenize, transactions
from assistant.remit.balance import Imbalance, check_remittance
from assistant.remit.records import (
    AddressRecord,
    AdjustmentRecord,
    ClaimPaymentRecord,
    ProviderAdjustmentRecord,
    RemittanceRecord,
    ServiceRecord,
)

KNOWN_VERSIONS = ("005010X221", "004010X091")
GROUPS = frozenset({"CO", "OA", "PI", "PR"})
LEGACY_GROUP = "CR"  # 4010 only: corrections and reversals (fact sheet 6.1)
ALTERNATE_COMPONENTS = ">:^<"
MAX_SVC_ELEMENTS = 7

_AMOUNT = re.compile(r"(-?)(\d*)(?:\.(\d*))?", re.ASCII)
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)", re.ASCII)
_QUALIFIED = re.compile(r"[A-Z0-9]{2}([" + re.escape(ALTERNATE_COMPONENTS) + "])")
_BARE_QUALIFIER = re.compile(r"[A-Z]{2}")
_CODE_LIKE = re.compile(r"([A-Z0-9]{4,5})(?:\.0+)?")
_CENT = Decimal(1)
_PAD = [""] * 20  # appended to a segment's elements so hot paths can index without checks

_R = TypeVar("_R")


def _record(cls: type[_R], values: dict[str, Any]) -> _R:
    """A frozen record from every one of its field values.

    The generated `__init__` of a frozen dataclass sets each field through
    `object.__setattr__`; for the 18 fields of a service line that is most of the cost of
    making one, and a large file makes hundreds of thousands of records. `values` must
    name every field (tests check records made here against their constructor).
    """
    record = object.__new__(cls)
    record.__dict__.update(values)
    return record


@dataclass
class Read835:
    """What one file holds: its 835 transactions as records, and what the reader noticed."""

    remittances: list[RemittanceRecord]
    name: str = ""  # the file's name, for messages
    warnings: list[str] = field(default_factory=list)  # file level; each remittance has its own
    skipped: list[str] = field(default_factory=list)  # sets not posted: other kinds, empty 835s
    _imbalances: dict[int, tuple[RemittanceRecord, list[Imbalance]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def imbalances(self, rem: RemittanceRecord) -> list[Imbalance]:
        """Where one of the file's remittances does not balance; checked once, as the import
        and the posting both ask."""
        known = self._imbalances.get(id(rem))
        if known is None or known[0] is not rem:
            known = self._imbalances[id(rem)] = (rem, list(check_remittance(rem)))
        return known[1]

    @property
    def claims(self) -> int:
        return sum(len(r.claims) for r in self.remittances)

    @property
    def all_warnings(self) -> list[str]:
        return self.warnings + [w for r in self.remittances for w in r.warnings]


def read_835(data: bytes, name: str) -> Read835:
    """Every 835 set of a file; raises `X12Error` (a located `ImportFailed`) on unreadable input."""
    doc = tokenize(data, name)
    result = Read835([], name, list(doc.warnings))
    other: Counter[str] = Counter()
    for txn in transactions(doc):
        if txn.set_id != "835":
            other[txn.set_id or "?"] += 1
            continue
        remittance = _TransactionReader(txn, name).read()
        if remittance is None:
            result.skipped.append(
                f"{txn.where}: 835 set {txn.control_number or '?'} has no BPR and no claims; "
                "nothing to post")
        else:
            result.remittances.append(remittance)
    if other:
        kinds = ", ".join(f"{kind} x{count}" for kind, count in sorted(other.items()))
        result.skipped.insert(0, f"skipped {sum(other.values())} non-835 sets ({kinds})")
    if not result.remittances and not result.skipped and not other:
        raise X12Error(name, None, "holds no ST/SE transaction set")
    return result


@lru_cache(maxsize=65536)  # fee schedules repeat: most amounts in a file are seen before
def parse_cents(text: str) -> int | None:
    """An X12 R amount in cents ("150", "-42.58", ".5"); None when it is not a number.

    Amounts with more than two decimals round half up, as payers' systems do.
    """
    match = _AMOUNT.fullmatch(text)
    if match is None:
        stripped = text.strip()
        match = _AMOUNT.fullmatch(stripped) if stripped != text else None
        if match is None:
            return None
    sign, whole, frac = match.groups()
    if not whole and not frac:
        return None
    frac = frac or ""
    if len(frac) <= 2:
        cents = int(whole or "0") * 100 + int(frac.ljust(2, "0"))
    else:
        cents = int((Decimal(f"{whole or '0'}.{frac}") * 100).quantize(_CENT, ROUND_HALF_UP))
    return -cents if sign else cents


@lru_cache(maxsize=8192)
def parse_date(text: str) -> date | None:
    """CCYYMMDD, or None when it is not a real date (or before 1900, like 11111111)."""
    if len(text) != 8 or not text.isascii() or not text.isdigit() or text < "1900":
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


@lru_cache(maxsize=8192)  # a fee schedule: a 20,000-claim file has about a hundred distinct ones
def _usual_adjustment(group: str, reason: str, amount: str) -> AdjustmentRecord | None:
    """The record of a one-triplet CAS (group, reason, amount), or None when the amount is
    not a number. Records are frozen, so the many identical adjustments of a fee schedule
    share one."""
    cents = parse_cents(amount)
    return None if cents is None else AdjustmentRecord(group, reason, cents)


@lru_cache(maxsize=4096)
def parse_quantity(text: str) -> Decimal | None:
    """Units and CAS quantities: decimals and negatives allowed; None when empty or not a number."""
    text = text.strip()
    if not text or not _NUMBER.fullmatch(text):
        return None
    return Decimal(text)


class _Service:
    """A service line being read: SVC, then its DTM, CAS, REF, AMT and LQ segments."""

    __slots__ = ("adjustments", "allowed", "control", "date_from", "date_to", "remarks", "seg")

    def __init__(self, seg: Segment) -> None:
        self.seg = seg
        self.date_from: date | None = None
        self.date_to: date | None = None
        self.control: str | None = None
        self.allowed: int | None = None
        self.adjustments: list[AdjustmentRecord] = []
        self.remarks: list[str] = []


class _Claim:
    """A claim being read: CLP and everything up to the next CLP, LX, PLB or SE."""

    __slots__ = (
        "adjustments",
        "charge",
        "crossover",
        "crossover_id",
        "first",
        "last",
        "member_id",
        "original",
        "paid",
        "received",
        "remarks",
        "remarks_from",
        "responsibility",
        "seg",
        "service_from",
        "service_to",
        "services",
    )

    def __init__(self, seg: Segment, charge: int, paid: int, responsibility: int) -> None:
        self.seg = seg
        self.charge = charge
        self.paid = paid
        self.responsibility = responsibility
        self.adjustments: list[AdjustmentRecord] = []
        self.remarks: list[str] = []
        self.remarks_from: str | None = None
        self.services: list[ServiceRecord] = []
        self.last: str | None = None
        self.first: str | None = None
        self.member_id: str | None = None
        self.service_from: date | None = None
        self.service_to: date | None = None
        self.received: date | None = None
        self.crossover: str | None = None
        self.crossover_id: str | None = None
        self.original: str | None = None


_HANDLERS = {
    "BPR": "_bpr", "TRN": "_trn", "DTM": "_dtm", "N1": "_n1", "N3": "_n3", "N4": "_n4", "PER": "_per",
    "REF": "_ref", "LX": "_lx", "CLP": "_clp", "CAS": "_cas", "NM1": "_nm1", "MOA": "_moa", "MIA": "_mia",
    "SVC": "_svc", "AMT": "_amt", "LQ": "_lq", "PLB": "_plb",
}


class _TransactionReader:
    """One ST..SE set in order; loops are tracked by the last segment that opened one."""

    def __init__(self, txn: Transaction, file_name: str) -> None:
        self.txn = txn
        self.file = file_name
        self.element = txn.delimiters.element
        self.component = txn.delimiters.component
        self.alternate: str | None = None
        self.warnings: list[str] = list(txn.warnings)
        self.loop = "header"  # header, payer, payee, claims (after LX), claim, service, after_claims
        self.bpr: Segment | None = None
        self.payment_cents = 0
        self.credit_debit: str | None = None
        self.method: str | None = None
        self.payment_date: date | None = None
        self.production_date: date | None = None
        self.trace: str | None = None
        self.payer_name: str | None = None
        self.payer_id: str | None = None
        self.payer_address: AddressRecord | None = None
        self.payer_contact: str | None = None
        self.payer_phone: str | None = None
        self.payee_name: str | None = None
        self.payee_npi: str | None = None
        self.payee_tax_id: str | None = None
        self.payee_address: AddressRecord | None = None
        self.address_line: tuple[str, str | None] | None = None
        self.claims: list[ClaimPaymentRecord] = []
        self.plb: list[ProviderAdjustmentRecord] = []
        self.claim: _Claim | None = None
        self.service: _Service | None = None
        # SVC01 text -> (qualifier, code, modifiers), for composites split on ISA16
        self.procedures: dict[str, tuple[str, str, tuple[str, ...]]] = {}

    # ------------------------------------------------------------------ helpers

    def warn(self, seg: Segment, message: str) -> None:
        self.warnings.append(f"{seg.where}: {message}")

    def fail(self, seg: Segment, message: str) -> X12Error:
        return X12Error(self.file, seg.where, message)

    def amount(self, seg: Segment, position: int, *, required: bool = True) -> int:
        elements = seg.elements
        text = elements[position] if position < len(elements) else ""
        if not text and not required:
            return 0
        cents = parse_cents(text)
        if cents is None:
            label = f"{seg.id}{position:02d}"
            shown = text[:20].encode("ascii", "backslashreplace").decode()
            raise self.fail(seg, f"{label} {shown!r} is not an amount" if text else f"{label} is empty")
        return cents

    def _date_in(self, seg: Segment, text: str, label: str = "DTM02") -> date | None:
        """`text` as a date; a warning when it is not one."""
        value = parse_date(text)
        if value is None and text:
            shown = text[:12].encode("ascii", "backslashreplace").decode()
            self.warn(seg, f"{label} {shown!r} is not a date; ignored")
        return value

    def date(self, seg: Segment, position: int) -> date | None:
        elements = seg.elements
        text = elements[position] if position < len(elements) else ""
        return self._date_in(seg, text, f"{seg.id}{position:02d}")

    def composite(self, text: str, seg: Segment, label: str) -> list[str]:
        """Split a composite on ISA16, or on the separator the sender evidently used instead."""
        parts = self._split_composite(text, seg, label)
        return [part.strip() for part in parts] if " " in text else parts

    def _split_composite(self, text: str, seg: Segment, label: str) -> list[str]:
        if self.component in text:
            return text.split(self.component)
        if self.alternate is not None and self.alternate in text:
            return text.split(self.alternate)
        match = _QUALIFIED.match(text)
        if match is not None:
            separator = match.group(1)
            if separator != self.element:
                self.alternate = separator
                self.warn(seg, f"{label} {text!r} separates components with {separator!r} where "
                               f"ISA16 says {self.component!r}; read with {separator!r}")
                return text.split(separator)
        return [text]

    # ------------------------------------------------------------------ header

    def _bpr(self, seg: Segment) -> None:
        if self.bpr is not None:
            self.warn(seg, f"a second BPR in the set; the first ({self.bpr.where}) is kept")
            return
        self.bpr = seg
        self.payment_cents = self.amount(seg, 2)
        self.credit_debit = seg.get(3) or None
        self.method = seg.get(4) or None
        self.payment_date = self.date(seg, 16)

    def _trn(self, seg: Segment) -> None:
        if self.trace is None:
            self.trace = seg.get(2) or None

    def _dtm(self, seg: Segment) -> None:
        elements = seg.elements
        if len(elements) < 3:
            qualifier, text = (elements[1] if len(elements) > 1 else ""), ""
        else:
            qualifier, text = elements[1], elements[2]
        service = self.service
        if service is not None:
            if qualifier == "472":
                service.date_from = service.date_to = self._date_in(seg, text)
            elif qualifier == "150":
                service.date_from = self._date_in(seg, text)
            elif qualifier == "151":
                service.date_to = self._date_in(seg, text)
        elif self.claim is not None:
            if qualifier == "232":
                self.claim.service_from = self._date_in(seg, text)
            elif qualifier == "233":
                self.claim.service_to = self._date_in(seg, text)
            elif qualifier == "050":
                self.claim.received = self._date_in(seg, text)
        elif qualifier == "405" and self.loop == "header":
            self.production_date = self._date_in(seg, text)

    def _n1(self, seg: Segment) -> None:
        role = seg.get(1)
        if role not in ("PR", "PE"):
            return
        if self.claims or self.claim is not None:
            self._close_claim()
            self.loop = "after_claims"
            self.warn(seg, f"the {'payer' if role == 'PR' else 'payee'} loop repeats after claims; "
                           "the first one is kept and reading goes on")
            return
        self.address_line = None
        if role == "PR":
            self.loop = "payer"
            self.payer_name = seg.get(2).strip() or None
            if seg.get(4):
                self.payer_id = seg.get(4).strip()
        else:
            self.loop = "payee"
            self.payee_name = seg.get(2).strip() or None
            qualifier, ident = seg.get(3), seg.get(4).strip() or None
            if qualifier == "XX":
                self.payee_npi = ident
            elif qualifier == "FI":
                self.payee_tax_id = ident

    def _n3(self, seg: Segment) -> None:
        if self.loop in ("payer", "payee"):
            self.address_line = (seg.get(1).strip(), seg.get(2).strip() or None)

    def _n4(self, seg: Segment) -> None:
        if self.loop not in ("payer", "payee") or self.address_line is None:
            return
        address = AddressRecord(self.address_line[0], seg.get(1).strip(), seg.get(2).strip() or None,
                                seg.get(3).strip() or None, self.address_line[1])
        if self.loop == "payer":
            self.payer_address = address
        else:
            self.payee_address = address

    def _per(self, seg: Segment) -> None:
        if self.loop != "payer" or seg.get(1) != "BL" or self.payer_contact or self.payer_phone:
            return
        self.payer_contact = seg.get(2).strip() or None
        for position in (3, 5, 7):
            if seg.get(position) == "TE" and seg.get(position + 1):
                self.payer_phone = seg.get(position + 1).strip()
                break

    def _ref(self, seg: Segment) -> None:
        elements = seg.elements
        qualifier = elements[1] if len(elements) > 1 else ""
        value = elements[2].strip() if len(elements) > 2 else ""
        if self.service is not None:
            if qualifier == "6R":
                self.service.control = value or None
        elif self.claim is not None:
            if qualifier == "F8":
                self.claim.original = value or None
        elif self.loop == "payer" and qualifier == "2U" and not self.payer_id:
            self.payer_id = value or None
        elif self.loop == "payee" and qualifier == "TJ" and not self.payee_tax_id:
            self.payee_tax_id = value or None

    # ------------------------------------------------------------------ claims

    def _lx(self, seg: Segment) -> None:
        self._close_claim()
        if self.loop != "after_claims":
            self.loop = "claims"

    def _clp(self, seg: Segment) -> None:
        self._close_claim()
        self.loop = "claim"
        self.claim = _Claim(seg, self.amount(seg, 3), self.amount(seg, 4),
                            self.amount(seg, 5, required=False))

    def _cas(self, seg: Segment) -> None:
        if self.service is not None:
            target = self.service.adjustments
        elif self.claim is not None:
            target = self.claim.adjustments
        else:
            self.warn(seg, "CAS outside a claim; ignored")
            return
        elements = seg.elements
        if len(elements) == 4 and elements[1] in GROUPS and elements[2].isalnum():
            # The usual CAS: one group, one reason, one amount.
            usual = _usual_adjustment(elements[1], elements[2], elements[3])
            if usual is not None:
                target.append(usual)
                return
        elements = elements + _PAD
        group = elements[1].strip()
        if group not in GROUPS:
            if group != LEGACY_GROUP:
                self.warn(seg, f"unknown adjustment group {group[:4]!r}; kept")
            elif self.txn.version.startswith("00501"):
                self.warn(seg, "group CR is a 4010 code, not valid in 5010; kept as CR")
        found = False
        for start in range(2, min(len(seg.elements), 20), 3):
            reason = elements[start].strip()
            if not reason:
                continue
            found = True
            quantity_text = elements[start + 2]
            quantity = parse_quantity(quantity_text) if quantity_text else None
            if quantity is None and quantity_text.strip():
                self.warn(seg, f"CAS{start + 2:02d} {quantity_text[:12]!r} is not a quantity; ignored")
            target.append(AdjustmentRecord(group, reason, self.amount(seg, start + 1), quantity))
        if not found:
            self.warn(seg, "CAS without a reason code; ignored")

    def _nm1(self, seg: Segment) -> None:
        claim = self.claim
        if claim is None or self.service is not None:
            return
        elements = seg.elements + _PAD
        role = elements[1]
        if role == "QC":
            claim.last = elements[3].strip() or None
            claim.first = elements[4].strip() or None
            claim.member_id = elements[9].strip() or claim.member_id
        elif role == "IL":
            claim.member_id = claim.member_id or elements[9].strip() or None
        elif role == "TT":
            claim.crossover = elements[3].strip() or None
            claim.crossover_id = elements[9].strip() or None

    def _remarks(self, seg: Segment, positions: tuple[int, ...]) -> None:
        if self.claim is None or self.service is not None:
            self.warn(seg, f"{seg.id} outside a claim; ignored")
            return
        codes = [seg.get(p).strip() for p in positions if seg.get(p).strip()]
        self.claim.remarks.extend(codes)
        if codes and seg.id == "MIA":
            self.claim.remarks_from = "MIA"

    def _moa(self, seg: Segment) -> None:
        self._remarks(seg, (3, 4, 5, 6, 7))

    def _mia(self, seg: Segment) -> None:
        self._remarks(seg, (5, 20, 21, 22, 23))

    def _svc(self, seg: Segment) -> None:
        if self.claim is None:
            self.warn(seg, "SVC outside a claim; ignored")
            return
        self._close_service()
        self.loop = "service"
        self.service = _Service(seg)

    def _amt(self, seg: Segment) -> None:
        elements = seg.elements
        if self.service is not None and len(elements) > 1 and elements[1] == "B6":
            self.service.allowed = self.amount(seg, 2)

    def _lq(self, seg: Segment) -> None:
        elements = seg.elements
        if self.service is not None and len(elements) > 1 and elements[1] == "HE":
            code = seg.get(2).strip()
            if code:
                self.service.remarks.append(code)

    def _plb(self, seg: Segment) -> None:
        self._close_claim()
        self.loop = "after_claims"
        provider = seg.get(1).strip() or None
        fiscal = self.date(seg, 2)
        for position in range(3, min(len(seg.elements), 15), 2):
            reason_text = seg.get(position)
            if not reason_text.strip():
                continue
            if not seg.get(position + 1):
                self.warn(seg, f"PLB{position:02d} {reason_text[:20]!r} has no amount; ignored")
                continue
            parts = self.composite(reason_text, seg, f"PLB{position:02d}")
            self.plb.append(ProviderAdjustmentRecord(
                reason_code=parts[0].strip(),
                amount_cents=self.amount(seg, position + 1),
                reference=(parts[1].strip() or None) if len(parts) > 1 else None,
                provider_id=provider,
                fiscal_period_date=fiscal,
            ))

    # ------------------------------------------------------------------ closing loops

    def _close_service(self) -> None:
        service, self.service = self.service, None
        if service is None or self.claim is None:
            return
        record = self._service_record(service)
        if record is not None:
            self.claim.services.append(record)

    def _service_record(self, service: _Service) -> ServiceRecord | None:
        seg = service.seg
        count = len(seg.elements)
        elements = seg.elements + _PAD
        procedure = self.procedures.get(elements[1])
        if procedure is not None:
            # SVC01 as seen before in this set, written with ISA16: its reading is known.
            if count > 1 + MAX_SVC_ELEMENTS:
                self.warn(seg, f"SVC has {count - 1} elements, more than the {MAX_SVC_ELEMENTS} "
                               "it may have; the extra ones are ignored")
            charge, paid = parse_cents(elements[2]), parse_cents(elements[3])
            if charge is None or paid is None:
                charge = self.amount(seg, 2, required=False)
                paid = self.amount(seg, 3, required=False)
                self.warn(seg, "SVC02 (charge) or SVC03 (paid) is empty; read as 0")
            qualifier, code, modifiers = procedure
            if not code:
                self.warn(seg, "SVC01 has no procedure code")
            return self._service(service, elements, qualifier, code, modifiers, charge, paid)
        parts = self.composite(elements[1], seg, "SVC01")
        if self.component in elements[1]:
            self.procedures[elements[1]] = (parts[0], parts[1], tuple(filter(None, parts[2:6])))
        offset = 0
        if len(parts) == 1 and count > 4 and _BARE_QUALIFIER.fullmatch(parts[0]):
            offset = self._shift(service, parts[0])
            if offset < 0:
                return None
            if offset:
                code_match = _CODE_LIKE.fullmatch(elements[2])
                parts = [parts[0], code_match.group(1) if code_match else elements[2]]
                elements = elements[1:]
        if count - 1 - offset > MAX_SVC_ELEMENTS:
            self.warn(seg, f"SVC has {count - 1} elements, more than the {MAX_SVC_ELEMENTS} "
                           "it may have; the extra ones are ignored")
        charge, paid = parse_cents(elements[2]), parse_cents(elements[3])
        if charge is None or paid is None:
            charge = self.amount(seg, 2 + offset, required=False)
            paid = self.amount(seg, 3 + offset, required=False)
            self.warn(seg, "SVC02 (charge) or SVC03 (paid) is empty; read as 0")
        if len(parts) == 1:
            if _BARE_QUALIFIER.fullmatch(parts[0]):
                parts.append("")
                self.warn(seg, "SVC01 has no procedure code")
            else:
                parts.insert(0, "")
                self.warn(seg, f"SVC01 {parts[1][:12]!r} has no qualifier")
        elif not parts[1]:
            self.warn(seg, "SVC01 has no procedure code")
        return self._service(service, elements, parts[0], parts[1], tuple(filter(None, parts[2:6])),
                             charge, paid)

    def _service(self, service: _Service, elements: list[str], qualifier: str, code: str,
                 modifiers: tuple[str, ...], charge: int, paid: int) -> ServiceRecord:
        """The line's record, from SVC01-03 as read and SVC04-07 of `elements` (padded)."""
        seg = service.seg
        original = self.composite(elements[6], seg, "SVC06") if elements[6] else None
        units_text = elements[5]
        units = parse_quantity(units_text) if units_text else None
        if units is None and units_text.strip():
            self.warn(seg, f"SVC05 {units_text[:12]!r} is not a number of units; ignored")
        return _record(ServiceRecord, {
            "qualifier": qualifier,
            "code": code,
            "modifiers": modifiers,
            "charge_cents": charge,
            "paid_cents": paid,
            "units": units,
            "original_code": (original[1] or None) if original and len(original) > 1 else None,
            "original_modifiers": tuple(filter(None, original[2:6])) if original else (),
            "original_units": parse_quantity(elements[7]) if elements[7] else None,
            "revenue_code": elements[4].strip() or None,
            "service_from": service.date_from,
            "service_to": service.date_to,
            "control_number": service.control,
            "allowed_cents": service.allowed,
            "adjustments": tuple(service.adjustments),
            "remarks": tuple(service.remarks),
            "segment": seg.index,
        })

    def _shift(self, service: _Service, qualifier: str) -> int:
        """SVC01 holds only a qualifier: were the elements shifted by one (the code in SVC02)?

        Returns 1 when only the shifted reading balances (charge - CAS = paid), 0 when only
        the plain one does, and -1 when neither can be trusted (the line is left out, the
        claim-level data stays).
        """
        seg = service.seg
        adjusted = sum(a.amount_cents for a in service.adjustments)

        def balances(offset: int) -> bool:
            charge, paid = parse_cents(seg.get(2 + offset)), parse_cents(seg.get(3 + offset))
            return charge is not None and paid is not None and charge - adjusted == paid

        plain = balances(0)
        shifted = _CODE_LIKE.fullmatch(seg.get(2)) is not None and balances(1)
        if shifted and not plain:
            self.warn(seg, f"SVC01 holds only the qualifier {qualifier!r} and the elements are "
                           f"shifted by one; read code {seg.get(2)!r}, charge {seg.get(3)}, "
                           f"paid {seg.get(4)}")
            return 1
        if plain:
            return 0
        self.warn(seg, f"SVC01 holds only the qualifier {qualifier!r} and the line cannot be "
                       "read with confidence; the line is left out, the claim is kept")
        return -1

    def _close_claim(self) -> None:
        self._close_service()
        claim, self.claim = self.claim, None
        if claim is None:
            return
        seg = claim.seg
        elements = seg.elements
        if len(elements) < 10:
            elements = elements + _PAD
        pcn = elements[1].strip()
        self.claims.append(_record(ClaimPaymentRecord, {
            "patient_control_number": pcn,
            "status_code": elements[2].strip(),
            "charge_cents": claim.charge,
            "paid_cents": claim.paid,
            "patient_resp_cents": claim.responsibility,
            "filing_indicator": elements[6].strip() or None,
            "payer_claim_number": elements[7].strip() or None,
            "facility_code": elements[8].strip() or None,
            "frequency_code": elements[9].strip() or None,
            "patient_last": claim.last,
            "patient_first": claim.first,
            "member_id": claim.member_id,
            "service_from": claim.service_from,
            "service_to": claim.service_to,
            "received_date": claim.received,
            "crossover_payer": claim.crossover,
            "original_claim_number": claim.original,
            "adjustments": tuple(claim.adjustments),
            "remarks": tuple(claim.remarks),
            "services": tuple(claim.services),
            "segment": seg.index,
            "remarks_from": claim.remarks_from,
            "crossover_payer_id": claim.crossover_id,
        }))
        if not pcn:
            self.warn(seg, "CLP01 (patient control number) is empty")

    # ------------------------------------------------------------------ the set

    def read(self) -> RemittanceRecord | None:
        # A local table: bound methods kept on self would make a reference cycle that holds
        # every record until the cycle collector runs.
        handlers = {seg_id: getattr(self, name) for seg_id, name in _HANDLERS.items()}
        for seg in self.txn.segments:
            handler = handlers.get(seg.id)
            if handler is not None:
                handler(seg)
        self._close_claim()
        first = self.txn.segments[0]
        if self.bpr is None:
            if not self.claims and not self.plb:
                return None
            self.warn(first, "the set has no BPR: payment amount unknown, read as 0")
        version = self.txn.version
        if not version.startswith(KNOWN_VERSIONS):
            self.warn(first, f"version {version[:14]!r} is neither 005010X221A1 nor 004010X091A1; "
                             "read as an 835 all the same")
        if not self.payer_name:
            self.warn(first, "no payer name (N1*PR)")
        return RemittanceRecord(
            version=version,
            payer_name=self.payer_name or "",
            payment_cents=self.payment_cents,
            payer_id=self.payer_id,
            payee_name=self.payee_name,
            payee_npi=self.payee_npi,
            trace_number=self.trace,
            payment_method=self.method,
            credit_debit=self.credit_debit,
            payment_date=self.payment_date,
            production_date=self.production_date,
            claims=tuple(self.claims),
            provider_adjustments=tuple(self.plb),
            control_number=self.txn.control_number or None,
            segment=first.index,
            warnings=tuple(self.warnings),
            payer_address=self.payer_address,
            payer_contact=self.payer_contact,
            payer_phone=self.payer_phone,
            payee_address=self.payee_address,
            payee_tax_id=self.payee_tax_id,
        )
