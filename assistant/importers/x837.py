"""X12 837P (005010X222A1) professional claims, as billing systems send them to clearinghouses.

Parse only: `parse_837(path)` returns a `ParsedBatch`; `ingest.import_file` writes it. Loops
are told apart by segment id + qualifier (HL03, NM101, REF01, DTP01), never by position,
following x12-837p-structure.md sections 2-4 and 8:

- 2000A/2010AA billing provider (NM1*85, N3/N4, REF*EI|SY, PRV*BI) -> the practice and
  an organization or person provider;
- 2000B/2010BA/2010BB subscriber (SBR priority, group, filing indicator), NM1*IL member,
  NM1*PR payer; 2000C/2010CA patient (PAT, NM1*QC, DMG) when the patient is a dependent;
- 2300 claim (CLM with its CLM11 related causes, DTP*439 accident date, REF*G1/F8/EA, HI,
  2310A referring NM1*DN, 2310B rendering NM1*82 with PRV*PE);
- 2320 other subscriber (SBR responsibility, relationship, group, filing indicator; CAS, AMT*D
  paid, AMT*A8 non-covered, AMT*EAF remaining patient liability, OI, MOA), 2330A NM1*IL
  (member id), 2330B NM1*PR (payer, DTP*573 adjudication date, REF*F8 its claim number) ->
  `OtherPayerRecord`s: the patient's other coverages and the results of payers before this
  one (section 3.4). 2330C-G (other payers' providers) are skipped;
- 2400 lines (LX, SV1, DTP*472, REF*6R/G1, NTE, 2420A NM1*82); 2430 line adjudication (SVD,
  CAS, DTP*573, AMT*EAF), attached to the 2320 whose 2330B NM109 equals SVD01.
  A 2310 provider or a 2300 date applies to every line that does not override it.

Patient account: REF*EA (medical record number) of the claim when present; otherwise
`identifiers.derived_account`: "M-" + 10 hex digits of SHA-256 over the payer member id
(NM1*IL NM109), plus the patient's first name and date of birth for a dependent (2000C),
so the same person gets the same account from every file without the member id showing.

Errors are `X12Error` naming the file and "segment N (ID)"; unexpected content anywhere
still ends as an `X12Error`. Oddities that do not stop the import (CLM02 not the sum of the
lines, SE01 miscounts, ICD-9 qualifiers, bad NPI check digits) become batch warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from assistant.domain import (
    ClaimLineRecord,
    ClaimRecord,
    Credential,
    OtherPayerAdjustment,
    OtherPayerLineRecord,
    OtherPayerRecord,
    PatientRecord,
    PayerRecord,
    PracticeRecord,
    ProviderRecord,
)
from assistant.errors import AssistantError, ImportFailed
from assistant.importers.identifiers import derived_account, npi_is_valid
from assistant.importers.vocabulary import credential_for_taxonomy, payer_kind_for_filing_indicator
from assistant.importers.x12 import Segment, Transaction, X12Error, tokenize, transactions
from assistant.ingest import ParsedBatch, cyclic_gc_paused

# SBR01 payer responsibility -> coverage priority (P primary ... A-H 4th to 11th).
_PRIORITY = {"P": 1, "S": 2, "T": 3, **{letter: 4 + i for i, letter in enumerate("ABCDEFGH")}}
_AMOUNT = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)\Z")
_QUANTITY = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)\Z")
_D8 = re.compile(r"\d{8}\Z")
_MINUTES = re.compile(r"(\d{1,3})\s*-?\s*MIN(?:UTE)?S?\b", re.IGNORECASE)
_STATE = re.compile(r"[A-Z]{2}\Z")
_RELATED_CAUSES = ("AA", "EM", "OA")  # CLM11-1..3: auto accident, employment, other accident
_DIAGNOSIS_QUALIFIERS = {"ABK", "ABF"}
_ICD9_QUALIFIERS = {"BK", "BF"}
_MAX_AMOUNT_DIGITS = 18  # R 1-18
_MAX_QUANTITY_DIGITS = 15  # SV104 R 1-15
_CAS_TRIOS = 6  # CAS02-CAS19: up to six reason / amount / quantity trios


def parse_837(path: Path) -> ParsedBatch:
    """Every claim of every 837P transaction set in the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(path.name, None, f"cannot read ({exc.strerror})") from None
    return read_837(data, path.name)


def read_837(data: bytes | str, name: str) -> ParsedBatch:
    """The same from bytes already in memory; `name` is the file name errors show."""
    with cyclic_gc_paused():
        return _read(data, name)


def _read(data: bytes | str, name: str) -> ParsedBatch:
    doc = tokenize(data, name)
    batch = ParsedBatch()
    batch.warnings.extend(doc.warnings)
    sets = list(transactions(doc))
    claims = [txn for txn in sets if txn.set_id == "837"]
    if not claims:
        if sets:
            first = sets[0]
            raise X12Error(name, first.where,
                           f"transaction set {first.set_id or '(none)'!r}, not an 837 claim")
        where = doc.segments[0].where if doc.segments else None
        raise X12Error(name, where, "no 837 transaction set (ST*837) in the file")
    for txn in sets:
        if txn.set_id != "837":
            batch.warnings.append(f"{txn.where}: transaction set {txn.set_id!r} skipped (not an 837)")
    providers: dict[str, ProviderRecord] = {}
    for txn in claims:
        _TransactionReader(name, txn, batch, providers).read()
    batch.providers = list(providers.values())
    return batch


# --------------------------------------------------------------------------- loop state


@dataclass
class _Address:
    address1: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None


@dataclass
class _Person:
    """A name with its identifier, address and demographics, from one NM1 and what follows."""

    last: str = ""
    first: str = ""
    is_organization: bool = False
    id_qualifier: str = ""
    id: str = ""
    address: _Address = field(default_factory=_Address)
    dob: date | None = None
    sex: str | None = None
    taxonomy: str | None = None
    tax_id: str | None = None


@dataclass
class _BillingLoop:  # 2000A
    person: _Person | None = None
    taxonomy: str | None = None  # PRV*BI in 2000A


@dataclass
class _SubscriberLoop:  # 2000B
    segment: Segment
    billing: _BillingLoop | None
    priority: int = 1
    is_patient: bool = False  # SBR02 = 18
    group: str | None = None
    filing_indicator: str = ""
    subscriber: _Person | None = None
    payer: _Person | None = None


@dataclass
class _PatientLoop:  # 2000C
    subscriber: _SubscriberLoop
    patient: _Person | None = None


@dataclass
class _AdjudicationDraft:  # 2430
    svd: Segment
    payer_id: str
    paid_cents: int
    code: str = ""
    modifiers: tuple[str, ...] = ()
    units: Decimal | None = None
    adjustments: list[OtherPayerAdjustment] = field(default_factory=list)
    adjudicated: date | None = None
    liability_cents: int | None = None


@dataclass
class _OtherPayerDraft:  # 2320 with its 2330A/2330B
    sbr: Segment
    priority: int | None  # None: SBR01 U (unknown) or not a responsibility code
    relationship: str | None
    group: str | None
    filing_indicator: str
    subscriber: _Person | None = None
    payer: _Person | None = None
    paid_cents: int | None = None
    noncovered_cents: int | None = None
    liability_cents: int | None = None
    adjudicated: date | None = None
    claim_number: str | None = None
    adjustments: list[OtherPayerAdjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    benefits_assigned: str | None = None


@dataclass
class _LineDraft:  # 2400
    lx: Segment
    number: int
    sv1: Segment | None = None
    code: str = ""
    modifiers: tuple[str, ...] = ()
    charge_cents: int = 0
    units: Decimal = Decimal(1)
    minutes: int | None = None
    place_of_service: str | None = None
    pointers: tuple[int, ...] = ()
    dates: tuple[date, date] | None = None
    control_number: str | None = None
    prior_auth: str | None = None
    note: str | None = None
    rendering: _Person | None = None
    adjudications: list[_AdjudicationDraft] = field(default_factory=list)


@dataclass
class _ClaimDraft:  # 2300
    clm: Segment
    claim_id: str
    charge_cents: int
    subscriber: _SubscriberLoop
    patient: _PatientLoop | None
    place_of_service: str | None = None
    frequency: str = "1"
    prior_auth: str | None = None
    payer_claim_number: str | None = None
    record_number: str | None = None
    dates: tuple[date, date] | None = None
    related_causes: tuple[str, ...] = ()
    accident_state: str | None = None
    accident_date: date | None = None
    diagnoses: list[str] = field(default_factory=list)
    icd9: bool = False
    referring: _Person | None = None
    rendering: _Person | None = None
    others: list[_OtherPayerDraft] = field(default_factory=list)
    lines: list[_LineDraft] = field(default_factory=list)


# --------------------------------------------------------------------------- the reader


class _TransactionReader:
    """Walks one ST..SE set segment by segment, keeping the loop it is in."""

    def __init__(self, name: str, txn: Transaction, batch: ParsedBatch,
                 providers: dict[str, ProviderRecord]) -> None:
        self.name = name
        self.txn = txn
        self.batch = batch
        self.providers = providers
        self.component = txn.delimiters.component
        self.submitted: date | None = None
        self.hl: dict[str, object] = {}
        self.billing: _BillingLoop | None = None
        self.subscriber: _SubscriberLoop | None = None
        self.patient: _PatientLoop | None = None
        self.level = ""  # "20", "22", "23" of the latest HL
        self.claim: _ClaimDraft | None = None
        self.line: _LineDraft | None = None
        self.entity: _Person | None = None  # the NM1 that N3/N4/REF/DMG/PRV now describe
        self.entity_kind = ""  # its NM101
        self.skipping = False  # inside 2320/2330 (other payers) or 2430 (their line results)
        self.other: _OtherPayerDraft | None = None  # the 2320 being read
        self.adjudication: _AdjudicationDraft | None = None  # the 2430 being read

    def fail(self, seg: Segment, reason: str) -> X12Error:
        return X12Error(self.name, seg.where, reason)

    def warn(self, seg: Segment, message: str) -> None:
        self.batch.warnings.append(f"{seg.where}: {message}")

    def read(self) -> None:
        version = self.txn.version
        if "X223" in version or "X224" in version:
            kind = "institutional (837I)" if "X223" in version else "dental (837D)"
            raise self.fail(self.txn.segments[0], f"{kind} claims are not supported, only professional 837P")
        if version and "X222" not in version:
            self.warn(self.txn.segments[0], f"version {version!r}, read as 005010X222A1")
        self.batch.warnings.extend(self.txn.warnings)
        current = self.txn.segments[0]
        try:
            for seg in self.txn.segments[1:]:
                current = seg
                self.segment(seg)
            current = self.claim.clm if self.claim else current
            self.finish_claim()
        except AssistantError:
            raise
        except Exception as exc:  # the safety net: bad input never escapes as anything else
            raise self.fail(current, f"cannot read this segment ({type(exc).__name__})") from None

    # ------------------------------------------------------------------ dispatch

    def segment(self, seg: Segment) -> None:
        handler = _HANDLERS.get(seg.id)
        if handler is not None:
            handler(self, seg)

    def on_bht(self, seg: Segment) -> None:
        if seg.get(4):
            self.submitted = self.day(seg, seg.get(4), "BHT04")

    def on_hl(self, seg: Segment) -> None:
        self.finish_claim()
        level, own, parent = seg.get(3), seg.get(1), seg.get(2)
        if level == "20":
            self.billing = _BillingLoop()
            self.subscriber = self.patient = None
            self.hl[own] = self.billing
        elif level == "22":
            billing = self.hl.get(parent, self.billing) if parent else self.billing
            if not isinstance(billing, _BillingLoop):
                raise self.fail(seg, "subscriber loop (HL*22) outside a billing provider loop (HL*20)")
            self.subscriber = _SubscriberLoop(seg, billing)
            self.patient = None
            self.hl[own] = self.subscriber
        elif level == "23":
            subscriber = self.hl.get(parent, self.subscriber) if parent else self.subscriber
            if not isinstance(subscriber, _SubscriberLoop):
                raise self.fail(seg, "patient loop (HL*23) outside a subscriber loop (HL*22)")
            self.subscriber = subscriber
            self.patient = _PatientLoop(subscriber)
            self.hl[own] = self.patient
        else:
            raise self.fail(seg, f"HL03 {level!r} is not a billing provider (20), subscriber (22) "
                                 "or patient (23) level")
        self.level = level

    def on_sbr(self, seg: Segment) -> None:
        if self.claim is not None:
            self.start_other_payer(seg)
            return
        if self.subscriber is None or self.level != "22":
            raise self.fail(seg, "SBR outside a subscriber loop (HL*22)")
        responsibility = seg.get(1).upper()
        if responsibility in _PRIORITY:
            self.subscriber.priority = _PRIORITY[responsibility]
        else:
            self.warn(seg, f"payer responsibility {responsibility or '(none)'!r} read as primary")
        self.subscriber.is_patient = seg.get(2) == "18"
        self.subscriber.group = seg.get(3) or None
        self.subscriber.filing_indicator = seg.get(9).strip().upper()

    def start_other_payer(self, seg: Segment) -> None:
        """SBR inside a claim: a 2320 loop, one other payer of the patient."""
        assert self.claim is not None
        self.leave_loops()
        self.skipping = True
        if self.line is not None:
            self.warn(seg, f"claim {self.claim.claim_id}: other payer loop (SBR) after the service "
                           "lines skipped")
            return
        responsibility = seg.get(1).strip().upper()
        priority = _PRIORITY.get(responsibility)
        if priority is None:
            self.warn(seg, f"claim {self.claim.claim_id}: other payer responsibility "
                           f"{responsibility or '(none)'!r} is not a payer order")
        self.other = _OtherPayerDraft(
            seg, priority, relationship=seg.get(2).strip() or None, group=seg.get(3).strip() or None,
            filing_indicator=seg.get(9).strip().upper())
        self.claim.others.append(self.other)

    def leave_loops(self) -> None:
        self.entity, self.entity_kind, self.skipping = None, "", False
        self.other = self.adjudication = None

    def on_nm1(self, seg: Segment) -> None:
        kind = seg.get(1).upper()
        self.entity_kind = kind
        self.entity = None
        if self.skipping:
            if self.other is not None and kind in ("IL", "PR"):
                self.other_party(seg, kind)
            return
        person = _Person(
            last=seg.get(3).strip(), first=seg.get(4).strip(), is_organization=seg.get(2) == "2",
            id_qualifier=seg.get(8).strip().upper(), id=seg.get(9).strip(),
        )
        if self.line is not None:
            if kind == "82":  # 2420A
                self.line.rendering = self.entity = person
            return
        if self.claim is not None:
            if kind == "82":  # 2310B
                self.claim.rendering = self.entity = person
            elif kind == "DN" or (kind == "P3" and self.claim.referring is None):  # 2310A
                self.claim.referring = self.entity = person
            return
        if kind == "85":
            if self.billing is None or self.level != "20":
                raise self.fail(seg, "billing provider (NM1*85) outside a billing provider loop (HL*20)")
            self.billing.person = self.entity = person
        elif kind == "IL":
            if self.subscriber is None or self.level != "22":
                raise self.fail(seg, "subscriber (NM1*IL) outside a subscriber loop (HL*22)")
            self.subscriber.subscriber = self.entity = person
        elif kind == "PR":
            if self.subscriber is None or self.level != "22":
                raise self.fail(seg, "payer loop (NM1*PR) outside a subscriber loop (HL*22)")
            if not person.last and not person.id:
                raise self.fail(seg, "payer (NM1*PR) without a name or payer id")
            self.subscriber.payer = self.entity = person
        elif kind == "QC":
            if self.patient is None:
                raise self.fail(seg, "patient (NM1*QC) outside a patient loop (HL*23)")
            self.patient.patient = self.entity = person

    def other_party(self, seg: Segment, kind: str) -> None:
        """2330A other subscriber (NM1*IL) or 2330B other payer (NM1*PR)."""
        assert self.other is not None
        person = _Person(last=seg.get(3).strip(), first=seg.get(4).strip(),
                         is_organization=seg.get(2) == "2", id_qualifier=seg.get(8).strip().upper(),
                         id=seg.get(9).strip())
        if kind == "IL":
            self.other.subscriber = person
            return
        if not person.last and not person.id:
            raise self.fail(seg, "other payer (NM1*PR) without a name or payer id")
        self.other.payer = person

    def on_n3(self, seg: Segment) -> None:
        if self.entity is not None:
            self.entity.address.address1 = " ".join(p for p in (seg.get(1), seg.get(2)) if p) or None

    def on_n4(self, seg: Segment) -> None:
        if self.entity is not None:
            address = self.entity.address
            address.city, address.state = seg.get(1) or None, seg.get(2) or None
            address.zip = seg.get(3) or None

    def on_dmg(self, seg: Segment) -> None:
        if self.entity is not None and self.entity_kind in ("IL", "QC") and not self.skipping:
            if seg.get(2):
                self.entity.dob = self.day(seg, seg.get(2), "DMG02")
            self.entity.sex = seg.get(3).strip().upper() or None

    def on_prv(self, seg: Segment) -> None:
        taxonomy = seg.get(3).strip().upper() or None
        if self.skipping:
            return
        if (self.claim is None and self.billing is not None and self.level == "20"
                and seg.get(1).strip().upper() == "BI"):
            self.billing.taxonomy = taxonomy
        elif self.entity is not None and self.entity_kind in ("82", "85"):
            self.entity.taxonomy = taxonomy

    def on_ref(self, seg: Segment) -> None:
        qualifier, value = seg.get(1).upper(), seg.get(2).strip()
        if self.skipping or not value:
            if value and self.other is not None and self.entity_kind == "PR" and qualifier == "F8":
                self.other.claim_number = value  # 2330B: the other payer's claim number
            return
        if self.entity is not None:
            if self.entity_kind == "85" and qualifier in ("EI", "SY"):
                self.entity.tax_id = value
            return
        if self.line is not None:
            if self.entity_kind:
                return  # a 2410/2420 REF describes the drug or that provider
            if qualifier == "6R":
                self.line.control_number = value
            elif qualifier == "G1":
                self.line.prior_auth = value
        elif self.claim is not None and not self.entity_kind:
            if qualifier == "G1":
                self.claim.prior_auth = value
            elif qualifier == "F8":
                self.claim.payer_claim_number = value
            elif qualifier == "EA":
                self.claim.record_number = value

    def on_clm(self, seg: Segment) -> None:
        self.finish_claim()
        if self.subscriber is None or self.level not in ("22", "23"):
            raise self.fail(seg, "claim (CLM) outside a subscriber or patient loop")
        claim_id = seg.get(1).strip()
        if not claim_id:
            raise self.fail(seg, "claim without a patient control number (CLM01)")
        charge = self.amount(seg, seg.get(2), "CLM02")
        composite = seg.get(5).split(self.component)
        patient = self.patient if self.level == "23" else None
        self.claim = _ClaimDraft(seg, claim_id, charge, self.subscriber, patient)
        self.claim.place_of_service = composite[0].strip() or None
        if len(composite) > 2 and composite[2].strip():
            self.claim.frequency = composite[2].strip()
        self.related_causes(seg, self.claim)

    def related_causes(self, seg: Segment, draft: _ClaimDraft) -> None:
        """CLM11: up to three related-cause codes, then the auto accident's state."""
        parts = [part.strip().upper() for part in seg.get(11).split(self.component)]
        causes: list[str] = []
        for cause in parts[:3]:
            if not cause:
                continue
            if cause not in _RELATED_CAUSES:
                raise self.fail(seg, f"claim {draft.claim_id}: CLM11 {cause[:8]!r} is not a related "
                                     "cause (AA auto accident, EM employment, OA other accident)")
            if cause not in causes:
                causes.append(cause)
        state = parts[3] if len(parts) > 3 else ""
        if state and not _STATE.match(state):
            raise self.fail(seg, f"claim {draft.claim_id}: CLM11-4 {state[:8]!r} is not a state code")
        if "AA" in causes and not state:
            self.warn(seg, f"claim {draft.claim_id}: auto accident (CLM11 AA) without its state (CLM11-4)")
        draft.related_causes, draft.accident_state = tuple(causes), state or None

    def on_dtp(self, seg: Segment) -> None:
        if self.claim is None:
            return
        qualifier = seg.get(1)
        if self.skipping:
            if qualifier == "573":  # adjudication or payment date of the other payer
                if self.adjudication is not None:
                    self.adjudication.adjudicated = self.day(seg, seg.get(3), "DTP03")
                elif self.other is not None and self.entity_kind == "PR":
                    self.other.adjudicated = self.day(seg, seg.get(3), "DTP03")
            return
        if self.line is not None:
            if qualifier == "472":
                self.line.dates = self.period(seg)
        elif qualifier in ("472", "434") and not self.entity_kind:
            self.claim.dates = self.period(seg)
        elif qualifier == "439" and not self.entity_kind:
            self.claim.accident_date = self.day(seg, seg.get(3), "DTP03 (accident date)")

    def on_hi(self, seg: Segment) -> None:
        if self.claim is None or self.line is not None or self.skipping:
            return
        for element in seg.elements[1:]:
            parts = element.split(self.component)
            qualifier = parts[0].strip().upper()
            code = parts[1].strip().upper().replace(".", "") if len(parts) > 1 else ""
            if not code:
                continue
            if qualifier in _ICD9_QUALIFIERS:
                self.claim.icd9 = True
            elif qualifier not in _DIAGNOSIS_QUALIFIERS:
                continue  # condition codes, anesthesia procedures ...
            if code not in self.claim.diagnoses:
                self.claim.diagnoses.append(code)

    def on_lx(self, seg: Segment) -> None:
        if self.claim is None:
            raise self.fail(seg, "service line (LX) outside a claim (no CLM before it)")
        self.close_line()
        self.leave_loops()
        text = seg.get(1).strip()
        if not text.isdigit() or not 0 < int(text) <= 9999:
            raise self.fail(seg, f"LX01 {text[:12]!r} is not a line number")
        number = int(text)
        if any(line.number == number for line in self.claim.lines):
            raise self.fail(seg, f"claim {self.claim.claim_id}: line number {number} appears twice")
        self.line = _LineDraft(seg, number)

    def on_sv1(self, seg: Segment) -> None:
        if self.line is None or self.skipping:
            raise self.fail(seg, "service line (SV1) outside a line loop (no LX before it)")
        if self.line.sv1 is not None:
            raise self.fail(seg, f"line {self.line.number} has a second SV1")
        line = self.line
        line.sv1 = seg
        composite = [part.strip() for part in seg.get(1).split(self.component)]
        if len(composite) < 2 or not composite[1]:
            raise self.fail(seg, "SV1 without a procedure code (SV101 must be HC:code[:modifiers])")
        line.code = composite[1].upper()
        line.modifiers = tuple(m.upper() for m in composite[2:6] if m)
        line.charge_cents = self.amount(seg, seg.get(2), "SV102")
        quantity = self.quantity(seg, seg.get(4), "SV104")
        if seg.get(3).upper() == "MJ":
            self.warn(seg, f"line {line.number} counts minutes (SV103 MJ), not units")
            line.minutes = int(quantity) if quantity == quantity.to_integral_value() else None
        if quantity <= 0:
            self.warn(seg, f"line {line.number} bills {quantity} units")
        line.units = quantity
        line.place_of_service = seg.get(5).strip() or None
        line.pointers = self.pointers(seg, seg.get(7))

    def on_nte(self, seg: Segment) -> None:
        if self.line is not None and not self.skipping and self.line.note is None:
            note = seg.get(2).strip()
            self.line.note = note or None
            match = _MINUTES.search(note)
            if match and self.line.minutes is None:
                self.line.minutes = int(match.group(1))

    def on_svd(self, seg: Segment) -> None:
        """2430: another payer's result for this line."""
        if self.line is None:
            return
        self.leave_loops()
        self.skipping = True
        composite = [part.strip() for part in seg.get(3).split(self.component)]
        units = seg.get(5).strip()
        self.adjudication = _AdjudicationDraft(
            seg, payer_id=seg.get(1).strip(), paid_cents=self.amount(seg, seg.get(2), "SVD02"),
            code=composite[1].upper() if len(composite) > 1 else "",
            modifiers=tuple(m.upper() for m in composite[2:6] if m),
            units=self.quantity(seg, units, "SVD05") if units else None)
        self.line.adjudications.append(self.adjudication)

    def on_cas(self, seg: Segment) -> None:
        """Claim (2320) or line (2430) adjustments of another payer; elsewhere CAS has no place."""
        if self.adjudication is not None:
            target = self.adjudication.adjustments
        elif self.other is not None and not self.entity_kind:
            target = self.other.adjustments
        else:
            return
        group = seg.get(1).strip().upper()
        if not group:
            raise self.fail(seg, "CAS01 has no adjustment group code")
        for trio in range(_CAS_TRIOS):
            at = 2 + 3 * trio
            reason = seg.get(at).strip().upper()
            if not reason:
                continue
            amount = self.amount(seg, seg.get(at + 1), f"CAS{at + 1:02d}")
            quantity_text = seg.get(at + 2).strip()
            quantity = self.quantity(seg, quantity_text, f"CAS{at + 2:02d}") if quantity_text else None
            target.append(OtherPayerAdjustment(group, reason, amount, quantity))

    def on_amt(self, seg: Segment) -> None:
        qualifier = seg.get(1).strip().upper()
        if self.adjudication is not None:
            if qualifier == "EAF":
                self.adjudication.liability_cents = self.amount(seg, seg.get(2), "AMT02")
        elif self.other is not None and not self.entity_kind:
            if qualifier == "D":
                self.other.paid_cents = self.amount(seg, seg.get(2), "AMT02")
            elif qualifier == "A8":
                self.other.noncovered_cents = self.amount(seg, seg.get(2), "AMT02")
            elif qualifier == "EAF":
                self.other.liability_cents = self.amount(seg, seg.get(2), "AMT02")

    def on_oi(self, seg: Segment) -> None:
        if self.other is not None and not self.entity_kind:
            self.other.benefits_assigned = seg.get(3).strip().upper() or None

    def on_moa(self, seg: Segment) -> None:
        if self.other is not None and not self.entity_kind:
            self.other.remarks.extend(code for i in range(3, 8) if (code := seg.get(i).strip().upper()))

    def on_lin(self, seg: Segment) -> None:
        self.entity, self.entity_kind = None, "LIN"  # 2410 drug: its REFs are not ours

    def on_se(self, seg: Segment) -> None:
        self.finish_claim()

    # ------------------------------------------------------------------ values

    def amount(self, seg: Segment, text: str, element: str) -> int:
        raw = text.strip()
        digits = sum(ch.isdigit() for ch in raw)
        if not _AMOUNT.match(raw) or digits > _MAX_AMOUNT_DIGITS:
            raise self.fail(seg, f"{element} is not an amount")
        return int((Decimal(raw) * 100).to_integral_value())

    def quantity(self, seg: Segment, text: str, element: str) -> Decimal:
        raw = text.strip()
        if not _QUANTITY.match(raw) or sum(ch.isdigit() for ch in raw) > _MAX_QUANTITY_DIGITS:
            raise self.fail(seg, f"{element} is not a unit count")
        try:
            return Decimal(raw)
        except InvalidOperation:
            raise self.fail(seg, f"{element} is not a unit count") from None

    def day(self, seg: Segment, text: str, element: str) -> date:
        raw = text.strip()
        if _D8.match(raw):
            try:
                return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
            except ValueError:
                pass
        raise self.fail(seg, f"{element} is not a CCYYMMDD date")

    def period(self, seg: Segment) -> tuple[date, date]:
        """DTP03 as D8 (one day) or RD8 (CCYYMMDD-CCYYMMDD)."""
        value = seg.get(3).strip()
        if seg.get(2).strip().upper() == "RD8" or "-" in value:
            start_text, _, end_text = value.partition("-")
            start, end = self.day(seg, start_text, "DTP03"), self.day(seg, end_text, "DTP03")
            if end < start:
                raise self.fail(seg, "DTP03 date range ends before it starts")
            return start, end
        day = self.day(seg, value, "DTP03")
        return day, day

    def pointers(self, seg: Segment, text: str) -> tuple[int, ...]:
        result = []
        for part in text.split(self.component):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= 12:
                raise self.fail(seg, "SV107 diagnosis pointers must be numbers 1-12")
            result.append(int(part))
        return tuple(result)

    # ------------------------------------------------------------------ building records

    def close_line(self) -> None:
        if self.line is not None:
            if self.line.sv1 is None:
                raise self.fail(self.line.lx, f"line {self.line.number} has no SV1")
            assert self.claim is not None
            self.claim.lines.append(self.line)
            self.line = None

    def finish_claim(self) -> None:
        self.close_line()
        draft, self.claim = self.claim, None
        self.leave_loops()
        if draft is not None:
            self.batch.claims.append(self.build(draft))

    def provider(self, person: _Person | None, at: Segment,
                 taxonomy: str | None = None) -> ProviderRecord | None:
        """The provider an NM1 names (None without an NPI); a bad check digit is warned once per file."""
        if person is None:
            return None
        npi = person.id if person.id_qualifier == "XX" else ""
        if not npi:
            return None
        taxonomy = person.taxonomy or taxonomy
        credential: Credential | None = None
        if not person.is_organization:
            credential = credential_for_taxonomy(taxonomy)
        record = ProviderRecord(npi=npi, last_name=person.last, first_name=person.first,
                                credential=credential, taxonomy=taxonomy,
                                is_organization=person.is_organization)
        if npi not in self.providers:
            self.providers[npi] = record
            if not npi_is_valid(npi):
                self.warn(at, f"NPI {npi} fails the check digit")
        return record

    def build(self, draft: _ClaimDraft) -> ClaimRecord:
        clm = draft.clm
        if not draft.lines:
            raise self.fail(clm, f"claim {draft.claim_id} has no service lines (LX/SV1)")
        subscriber_loop = draft.subscriber
        payer = subscriber_loop.payer
        if payer is None:
            raise self.fail(clm, f"claim {draft.claim_id}: its subscriber loop has no payer (NM1*PR)")
        subscriber = subscriber_loop.subscriber
        if subscriber is None:
            raise self.fail(clm, f"claim {draft.claim_id}: its subscriber loop has no subscriber (NM1*IL)")
        if draft.patient is None and not subscriber_loop.is_patient:
            self.warn(clm, f"claim {draft.claim_id}: no patient loop and SBR02 is not 18; "
                           "the subscriber is taken as the patient")
        member_id = subscriber.id or None
        person = draft.patient.patient if draft.patient is not None else subscriber
        if person is None:
            raise self.fail(clm, f"claim {draft.claim_id}: its patient loop has no patient (NM1*QC)")
        if draft.record_number:
            account = draft.record_number
        elif member_id:
            dependent = (person.first, person.dob) if draft.patient is not None else None
            account = derived_account(member_id, dependent=dependent)
        else:
            raise self.fail(clm, f"claim {draft.claim_id}: no patient account (REF*EA) and no member id "
                                 "(NM1*IL NM109) to derive one from")
        patient = PatientRecord(
            account=account, last_name=person.last, first_name=person.first, dob=person.dob,
            sex=person.sex, member_id=member_id, address1=person.address.address1,
            city=person.address.city, state=person.address.state, zip=person.address.zip,
        )
        payer_record = PayerRecord(
            name=payer.last or payer.id, payer_id=payer.id or None,
            kind=payer_kind_for_filing_indicator(subscriber_loop.filing_indicator),
        )
        billing_loop = subscriber_loop.billing
        billing = self.provider(billing_loop.person if billing_loop else None, clm,
                                billing_loop.taxonomy if billing_loop else None)
        if billing_loop is not None and billing_loop.person is not None and self.batch.practice is None:
            who = billing_loop.person
            name = " ".join(p for p in (who.first, who.last) if p) if not who.is_organization else who.last
            self.batch.practice = PracticeRecord(
                name=name, npi=billing.npi if billing else None, tax_id=who.tax_id,
                address1=who.address.address1, city=who.address.city, state=who.address.state,
                zip=who.address.zip,
            )
        rendering = self.provider(draft.rendering, clm)
        if rendering is None and billing is not None and not billing.is_organization:
            rendering = billing  # a solo OT bills under their own NPI: no 2310B
        referring = self.provider(draft.referring, clm)
        lines = tuple(self.build_line(draft, line, rendering) for line in draft.lines)
        starts = [line.service_date for line in lines if line.service_date]
        ends = [line_draft.dates[1] if line_draft.dates else draft.dates[1] if draft.dates else None
                for line_draft in draft.lines]
        line_total = sum(line.charge_cents for line in lines)
        if line_total != draft.charge_cents:
            self.warn(clm, f"claim {draft.claim_id}: CLM02 {_money(draft.charge_cents)} is not the sum "
                           f"of its lines {_money(line_total)}")
        if draft.accident_date is not None and draft.accident_date > min(starts):
            self.warn(clm, f"claim {draft.claim_id}: accident date (DTP*439) after the first date of "
                           "service")
        elif draft.accident_date is None and {"AA", "OA"} & set(draft.related_causes):
            self.warn(clm, f"claim {draft.claim_id}: accident (CLM11) without its date (DTP*439)")
        if draft.icd9:
            self.warn(clm, f"claim {draft.claim_id}: ICD-9 diagnosis qualifiers (BK/BF); ICD-10-CM "
                           "(ABK/ABF) has been required since 2015-10-01")
        return ClaimRecord(
            claim_id=draft.claim_id,
            patient=patient,
            payer=payer_record,
            lines=lines,
            billed_cents=draft.charge_cents,
            dos_from=min(starts),
            dos_to=max(end for end in ends if end is not None),
            coverage_priority=subscriber_loop.priority,
            member_id=member_id,
            group_number=subscriber_loop.group,
            billing_provider=billing,
            rendering_provider=rendering,
            referring_provider=referring,
            # SV105 is sent only when a line differs; a claim without CLM05-1 takes its lines'.
            place_of_service=draft.place_of_service or next(
                (line.place_of_service for line in draft.lines if line.place_of_service), None),
            frequency_code=draft.frequency,
            prior_auth=draft.prior_auth,
            payer_claim_number=draft.payer_claim_number,
            diagnoses=tuple(draft.diagnoses),
            submitted_date=self.submitted,
            other_payers=self.other_payers(draft),
            related_causes=draft.related_causes,
            accident_date=draft.accident_date,
            accident_state=draft.accident_state,
        )

    def other_payers(self, draft: _ClaimDraft) -> tuple[OtherPayerRecord, ...]:
        """The claim's 2320 loops with the 2430 results of each payer; an order left unknown
        (SBR01 U) is primary when no one else is (X12 RFI 1980), else the next free place."""
        if not draft.others and not any(line.adjudications for line in draft.lines):
            return ()
        own = draft.subscriber.priority
        taken = {own, *(o.priority for o in draft.others if o.priority is not None)}
        by_payer: dict[str, _OtherPayerDraft] = {}
        for other in draft.others:
            if other.payer is None:
                raise self.fail(other.sbr, f"claim {draft.claim_id}: other payer loop (2320) has no "
                                           "payer (NM1*PR)")
            if other.priority is None:
                free = [place for place in range(1, len(_PRIORITY) + 1) if place not in taken]
                if not free:
                    raise self.fail(other.sbr, f"claim {draft.claim_id}: more other payers than "
                                               "payer orders (SBR01)")
                other.priority = 1 if 1 in free else next((p for p in free if p > max(taken)), free[0])
                taken.add(other.priority)
            elif other.priority == own:
                self.warn(other.sbr, f"claim {draft.claim_id}: an other payer has the claim's own "
                                     "payer responsibility (SBR01)")
            by_payer.setdefault(other.payer.id.upper(), other)
        lines: dict[int, list[OtherPayerLineRecord]] = {id(o): [] for o in draft.others}
        for line in draft.lines:
            for adj in line.adjudications:
                owner = by_payer.get(adj.payer_id.upper())
                if owner is None and len(draft.others) == 1:
                    owner = draft.others[0]
                    self.warn(adj.svd, f"claim {draft.claim_id}: line {line.number}: SVD01 is not the "
                                       "other payer's id (2330B NM109); read as its result")
                if owner is None:
                    self.warn(adj.svd, f"claim {draft.claim_id}: line {line.number}: SVD01 names no "
                                       "other payer of the claim; its result skipped")
                    continue
                lines[id(owner)].append(OtherPayerLineRecord(
                    line_no=line.number, paid_cents=adj.paid_cents, code=adj.code,
                    modifiers=adj.modifiers, units=adj.units, adjustments=tuple(adj.adjustments),
                    adjudicated=adj.adjudicated, patient_liability_cents=adj.liability_cents))
        records = []
        for other in draft.others:
            payer = other.payer
            assert payer is not None and other.priority is not None
            records.append(OtherPayerRecord(
                payer=PayerRecord(name=payer.last or payer.id, payer_id=payer.id or None,
                                  kind=payer_kind_for_filing_indicator(other.filing_indicator)),
                priority=other.priority, relationship=other.relationship, group_number=other.group,
                filing_indicator=other.filing_indicator or None,
                member_id=other.subscriber.id or None if other.subscriber else None,
                paid_cents=other.paid_cents, noncovered_cents=other.noncovered_cents,
                patient_liability_cents=other.liability_cents, adjudicated=other.adjudicated,
                claim_number=other.claim_number, adjustments=tuple(other.adjustments),
                remarks=tuple(other.remarks), benefits_assigned=other.benefits_assigned,
                lines=tuple(lines[id(other)])))
        return tuple(records)

    def build_line(self, draft: _ClaimDraft, line: _LineDraft,
                   rendering: ProviderRecord | None) -> ClaimLineRecord:
        dates = line.dates or draft.dates
        if dates is None:
            raise self.fail(line.lx, f"claim {draft.claim_id}: line {line.number} has no service date "
                                     "(DTP*472)")
        if line.pointers and draft.diagnoses and max(line.pointers) > len(draft.diagnoses):
            self.warn(line.sv1 or line.lx, f"claim {draft.claim_id}: line {line.number} points at a "
                                           "diagnosis the claim does not list")
        line_rendering = self.provider(line.rendering, line.lx) or rendering
        return ClaimLineRecord(
            line_no=line.number,
            code=line.code,
            modifiers=line.modifiers,
            units=line.units,
            charge_cents=line.charge_cents,
            dx_pointers=line.pointers,
            service_date=dates[0],
            service_date_to=dates[1] if dates[1] != dates[0] else None,
            minutes=line.minutes,
            rendering_npi=line_rendering.npi if line_rendering else None,
            control_number=line.control_number,
            prior_auth=line.prior_auth,
            note=line.note,
        )


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


_HANDLERS = {
    "BHT": _TransactionReader.on_bht,
    "HL": _TransactionReader.on_hl,
    "SBR": _TransactionReader.on_sbr,
    "NM1": _TransactionReader.on_nm1,
    "N3": _TransactionReader.on_n3,
    "N4": _TransactionReader.on_n4,
    "DMG": _TransactionReader.on_dmg,
    "PRV": _TransactionReader.on_prv,
    "REF": _TransactionReader.on_ref,
    "CLM": _TransactionReader.on_clm,
    "DTP": _TransactionReader.on_dtp,
    "HI": _TransactionReader.on_hi,
    "LX": _TransactionReader.on_lx,
    "SV1": _TransactionReader.on_sv1,
    "NTE": _TransactionReader.on_nte,
    "SVD": _TransactionReader.on_svd,
    "CAS": _TransactionReader.on_cas,
    "AMT": _TransactionReader.on_amt,
    "OI": _TransactionReader.on_oi,
    "MOA": _TransactionReader.on_moa,
    "LIN": _TransactionReader.on_lin,
    "SE": _TransactionReader.on_se,
}
