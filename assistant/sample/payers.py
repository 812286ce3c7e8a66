"""The payers' side of the sample: each claim is adjudicated as its payer would, and the
answers go out in weekly payment runs, one 835 per payer per run.

What a payer answers follows from the errors planted in the claim (`errors.toml` says which
code each kind draws and how often the payer catches it) and from the payer's terms
(`payers.toml`): clean lines are allowed at the payer's rate, the rest of the charge is a
CO-45 contractual adjustment, and the patient's share is PR-1 deductible, PR-2 coinsurance
or PR-3 copay. Medicare pays 80% of the allowed amount less 2% sequestration (CO-253).
Claims whose run falls after "today", and a few the payer never received, get no answer.
Later runs reverse a few payments (CLP02 22 and a corrected claim) and recoup a few more
(PLB WO). Medicare forwards the patient's share of a patient with a secondary payer
(CLP02 19, NM1*TT), and the secondary answers it in its own run (CLP02 2, OA-23 for
Medicare's part). Every 835 balances: line, claim and payment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from assistant.domain import PayerKind
from assistant.remit.records import (
    AddressRecord,
    AdjustmentRecord,
    ClaimPaymentRecord,
    ProviderAdjustmentRecord,
    RemittanceRecord,
    ServiceRecord,
)
from assistant.sample.calendar import next_weekday
from assistant.sample.inputs import PayerProfile, Profile
from assistant.sample.model import Claim, Line
from assistant.sample.practice import Tally, chance

VERSION_835 = "005010X221A1"
# Denials the payer states once for the whole claim, without service lines.
CLAIM_LEVEL_KINDS = ("duplicate_submission", "late_submission", "invalid_icd10",
                     "coverage_terminated", "other_payer_primary")
WHOLE_CLAIM_KINDS = (
    *CLAIM_LEVEL_KINDS, "auth_expired", "auth_exhausted", "kx_missing", "poc_uncertified",
    "poc_lapsed", "progress_report_missing", "medical_necessity_review",
)
LINE_KINDS = ("missing_go", "gp_instead_of_go", "medicare_97014", "addon_without_base",
              "ncci_97530_97140_no_modifier", "units_8_minute")


# Crossovers (CLP02 19) the secondary never answers, the shares of the patient's part a
# Medicaid secondary does not pay (its own allowance is lower), and how often a commercial
# secondary leaves a deductible of its own to the patient.
LOST_CROSSOVER = 0.1
MEDICAID_CUTS = (0.0, 0.0, 0.1, 0.25)
OWN_DEDUCTIBLE = 0.2


def line_control_number(claim_id: str, line_no: int) -> str:
    """REF*6R of a line: the claim id and the line number (the 835 echoes it)."""
    return f"{claim_id}-{line_no}"


def _codes(spec: tuple[str, ...]) -> tuple[str, str, tuple[str, ...]]:
    group, reason = spec[0].split("-", 1)
    return group, reason, spec[1:]


@dataclass(slots=True)
class Answer:
    """One claim as the payer adjudicated it; numbered (CLP07) when its run is written."""

    claim: Claim
    payer: PayerProfile
    status: str
    charge_cents: int
    paid_cents: int
    patient_cents: int
    services: tuple[ServiceRecord, ...]
    adjustments: tuple[AdjustmentRecord, ...] = ()
    remarks: tuple[str, ...] = ()
    crossover: str | None = None
    icn: str = ""
    reverses: Answer | None = None  # a CLP02 22 that takes back this earlier answer
    corrects: Answer | None = None  # a new adjudication after `corrects` was reversed


@dataclass(slots=True)
class Recoupment:
    """A PLB to apply in a run: WO takes back a claim's overpayment; FB applies a negative
    balance carried from an earlier run (positive amounts reduce the payment)."""

    reason: str
    amount_cents: int
    answer: Answer | None = None
    reference: str = ""


@dataclass(slots=True)
class Run:
    payer: PayerProfile
    day: date
    answers: list[Answer] = field(default_factory=list)
    recoupments: list[Recoupment] = field(default_factory=list)


class PayerSimulator:
    def __init__(self, profile: Profile, *, today: date, seed: int, tally: Tally) -> None:
        self.profile = profile
        self.today = today
        self.seed = seed
        self.tally = tally
        self.runs: dict[tuple[date, str], Run] = {}
        self.answered = 0
        self.later_events: dict[str, list[str]] = {}  # claim id -> reversal / recoupment
        self._icn_seq: dict[str, int] = {}
        self._trace_seq = 0
        self._payer_order = {p.name: i for i, p in enumerate(profile.payers)}

    # ------------------------------------------------------------------ scheduling

    def _run(self, payer: PayerProfile, earliest: date) -> Run | None:
        day = next_weekday(earliest, payer.run_weekday)
        if day > self.today:
            return None
        key = (day, payer.name)
        run = self.runs.get(key)
        if run is None:
            run = self.runs[key] = Run(payer, day)
        return run

    def receive(self, claim: Claim) -> tuple[Answer, date] | None:
        """Adjudicate a submitted claim and put the answer in its payer's next run; returns the
        answer and the run's date (None: never answered, or not by today)."""
        rng = random.Random(f"{self.seed}:payer:{claim.claim_id}")
        payer = claim.coverage.payer
        if "claim_lost" in claim.errors:
            return None
        run = self._run(payer, claim.submitted + timedelta(days=rng.randint(*payer.lag_days)))
        if run is None:
            return None
        answer = self.adjudicate(claim, rng)
        run.answers.append(answer)
        self.answered += 1
        if answer.paid_cents > 0:
            self._later(answer, run, rng)
        if answer.crossover is not None and "reversal" not in self.later_events.get(claim.claim_id, ()):
            self._forward(answer, run)
        return answer, run.day

    def _later(self, answer: Answer, run: Run, rng: random.Random) -> None:
        """A few paid claims are reversed or recouped in a later run."""
        claim_id = answer.claim.claim_id
        if self.tally.consider("reversal", rng, self.profile.rate("reversal")):
            later = self._run(answer.payer, run.day + timedelta(days=rng.randint(21, 56)))
            if later is not None:
                later.answers.append(self._reversal(answer))
                later.answers.append(self._correction(answer, rng))
                self.later_events.setdefault(claim_id, []).append("reversal")
                return
            self.tally.planted["reversal"] -= 1
        if self.tally.consider("recoupment", rng, self.profile.rate("recoupment")):
            later = self._run(answer.payer, run.day + timedelta(days=rng.randint(30, 90)))
            paid_lines = [s.paid_cents for s in answer.services if s.paid_cents > 0]
            if later is not None and paid_lines:
                later.recoupments.append(Recoupment("WO", min(paid_lines), answer))
                self.later_events.setdefault(claim_id, []).append("recoupment")
            else:
                self.tally.planted["recoupment"] -= 1

    def _forward(self, primary: Answer, run: Run) -> None:
        """The crossover: the secondary answers what the primary left to the patient in one of
        its own runs (CLP02 2), restating the primary's part as OA-23. A few never answer (the
        crossover went astray: the specialist has to call), and none after "today"."""
        claim = primary.claim
        secondary = claim.secondary
        if secondary is None:
            return
        rng = random.Random(f"{self.seed}:secondary:{claim.claim_id}")  # its own stream
        if chance(rng, LOST_CROSSOVER):
            return
        later = self._run(secondary.payer, run.day + timedelta(days=rng.randint(*secondary.payer.lag_days)))
        if later is None:
            return
        later.answers.append(self._secondary_answer(primary, secondary.payer, rng))

    @staticmethod
    def _secondary_answer(primary: Answer, payer: PayerProfile, rng: random.Random) -> Answer:
        """Line by line: the primary's patient share is what is left. Medicaid pays it up to its
        own allowance (the rest CO-45, never the patient's); a commercial plan pays it, now and
        then less a deductible of its own (PR-1)."""
        cut_share = rng.choice(MEDICAID_CUTS) if payer.kind is PayerKind.MEDICAID else 0
        keep = (rng.randrange(10, 41) * 100 if payer.kind is not PayerKind.MEDICAID
                and chance(rng, OWN_DEDUCTIBLE) else 0)
        services = []
        for s in primary.services:
            left = sum(a.amount_cents for a in s.adjustments if a.group == "PR")
            cut = round(left * cut_share)
            kept = min(keep, left - cut)
            keep -= kept
            adjustments = [AdjustmentRecord(group, reason, amount) for group, reason, amount in (
                ("OA", "23", s.charge_cents - left), ("CO", "45", cut), ("PR", "1", kept)) if amount]
            services.append(replace(s, paid_cents=left - cut - kept, allowed_cents=None,
                                    adjustments=tuple(adjustments), remarks=()))
        paid = sum(s.paid_cents for s in services)
        patient = sum(a.amount_cents for s in services for a in s.adjustments if a.group == "PR")
        return Answer(primary.claim, payer, "2", primary.charge_cents, paid, patient, tuple(services))

    # ------------------------------------------------------------------ adjudication

    def adjudicate(self, claim: Claim, rng: random.Random) -> Answer:
        payer = claim.coverage.payer
        planted = self.profile.planted
        caught = set(claim.caught)
        whole = None
        if caught:
            whole = next((k for k in WHOLE_CLAIM_KINDS if k in caught), None)
        if whole in CLAIM_LEVEL_KINDS:
            group, reason, remarks = _codes(planted[whole].codes)
            billed = claim.billed_cents
            return Answer(claim, payer, "1", billed, 0, 0, (),
                          (AdjustmentRecord(group, reason, billed),), remarks)
        denied_lines: dict[int, tuple[str, str, tuple[str, ...]]] = {}
        if whole is not None:
            for i in range(len(claim.lines)):
                denied_lines[i] = _codes(planted[whole].codes)
        elif caught:
            for kind in LINE_KINDS:
                line = claim.error_lines.get(kind)
                if kind in caught and line is not None:
                    denied_lines.setdefault(_index(claim.lines, line), _codes(planted[kind].codes))
        services = []
        copay_left = claim.coverage.copay_cents
        for i, line in enumerate(claim.lines):
            control = line_control_number(claim.claim_id, i + 1)
            if i in denied_lines:
                group, reason, remarks = denied_lines[i]
                services.append(self._service(line, control, 0, None,
                                              [AdjustmentRecord(group, reason, line.charge_cents)],
                                              remarks))
                continue
            allowed = self._allowed(line, payer)
            adjustments = []
            if line.charge_cents > allowed:
                adjustments.append(AdjustmentRecord("CO", "45", line.charge_cents - allowed))
            share, copay_left = self._patient_share(claim, payer, allowed, copay_left, rng)
            adjustments.extend(share)
            payable = allowed - sum(a.amount_cents for a in share)
            if payer.sequestration_percent and payable > 0:
                cut = round(payable * payer.sequestration_percent / 100)
                if cut:
                    adjustments.append(AdjustmentRecord("CO", "253", cut))
                    payable -= cut
            services.append(self._service(line, control, payable, allowed, adjustments, ()))
        paid = sum(s.paid_cents for s in services)
        patient = sum(a.amount_cents for s in services for a in s.adjustments if a.group == "PR")
        status, crossover = "1", None
        secondary = claim.secondary
        if payer.crossover and secondary is not None and patient > 0:
            status, crossover = "19", secondary.payer.name
        return Answer(claim, payer, status, claim.billed_cents, paid, patient, tuple(services),
                      crossover=crossover)

    def _allowed(self, line: Line, payer: PayerProfile) -> int:
        fee = self.profile.fees[line.code]
        allowed = round(fee.medicare_cents * line.units * payer.allowed_factor)
        if "CO" in line.modifiers and payer.assistant_percent < 100:
            allowed = allowed * payer.assistant_percent // 100
        return min(allowed, line.charge_cents)

    def _patient_share(self, claim: Claim, payer: PayerProfile, allowed: int, copay_left: int,
                       rng: random.Random) -> tuple[list[AdjustmentRecord], int]:
        """PR adjustments for one line, and how much of the visit's copay is still to take."""
        model = payer.share_model
        if model == "none" or allowed <= 0:
            return [], copay_left
        share: list[AdjustmentRecord] = []
        rest = allowed
        if model in ("medicare", "deductible_coinsurance", "deductible_copay"):
            deductible = self._deductible_left(claim, payer, rng)
            applied = min(deductible, rest)
            if applied:
                share.append(AdjustmentRecord("PR", "1", applied))
                key = (payer.name, claim.dos.year)
                claim.patient.deductible_met[key] = claim.patient.deductible_met.get(key, 0) + applied
                rest -= applied
        if model in ("medicare", "deductible_coinsurance") and rest > 0:
            coinsurance = round(rest * payer.coinsurance / 100)
            if coinsurance:
                share.append(AdjustmentRecord("PR", "2", coinsurance))
        elif model in ("copay", "deductible_copay") and rest > 0 and copay_left > 0:
            copay = min(copay_left, rest)
            share.append(AdjustmentRecord("PR", "3", copay))
            copay_left -= copay
        return share, copay_left

    def _deductible_left(self, claim: Claim, payer: PayerProfile, rng: random.Random) -> int:
        year = claim.dos.year
        if payer.deductible_by_year:
            total = payer.by_year(payer.deductible_by_year, year) * 100
        else:
            total = claim.coverage.deductible_cents
        key = (payer.name, year)
        met = claim.patient.deductible_met.get(key)
        if met is None:
            # Met elsewhere earlier in the year: nothing, part, or all of it.
            met = rng.choice((0, 0, total // 2, total, total))
            claim.patient.deductible_met[key] = met
        return max(total - met, 0)

    @staticmethod
    def _service(line: Line, control: str, paid: int, allowed: int | None,
                 adjustments: list[AdjustmentRecord], remarks: tuple[str, ...]) -> ServiceRecord:
        return ServiceRecord(
            qualifier="HC", code=line.code, modifiers=tuple(line.modifiers),
            charge_cents=line.charge_cents, paid_cents=paid, units=Decimal(line.units),
            service_from=line.service_date, control_number=control, allowed_cents=allowed,
            adjustments=tuple(adjustments), remarks=remarks,
        )

    # ------------------------------------------------------------------ later runs

    def _reversal(self, original: Answer) -> Answer:
        """CLP02 22: the earlier answer with every amount negated."""
        services = tuple(
            replace(s, charge_cents=-s.charge_cents, paid_cents=-s.paid_cents,
                    units=-s.units if s.units is not None else None,
                    allowed_cents=-s.allowed_cents if s.allowed_cents is not None else None,
                    adjustments=tuple(replace(a, amount_cents=-a.amount_cents) for a in s.adjustments))
            for s in original.services)
        return Answer(original.claim, original.payer, "22", -original.charge_cents,
                      -original.paid_cents, -original.patient_cents, services,
                      tuple(replace(a, amount_cents=-a.amount_cents) for a in original.adjustments),
                      reverses=original)

    def _correction(self, original: Answer, rng: random.Random) -> Answer:
        """The claim adjudicated again: coverage ended retroactively, or a lower allowance."""
        claim = original.claim
        if chance(rng, 0.5):
            return Answer(claim, original.payer, "1", original.charge_cents, 0, 0, (),
                          (AdjustmentRecord("CO", "27", original.charge_cents),), (), corrects=original)
        services = []
        for s in original.services:
            cut = min(s.paid_cents, round((s.allowed_cents or 0) * 0.1))
            if cut <= 0:
                services.append(s)
                continue
            adjustments = list(s.adjustments)
            co45 = next((i for i, a in enumerate(adjustments) if (a.group, a.reason) == ("CO", "45")), None)
            if co45 is None:
                adjustments.insert(0, AdjustmentRecord("CO", "45", cut))
            else:
                adjustments[co45] = replace(adjustments[co45],
                                            amount_cents=adjustments[co45].amount_cents + cut)
            services.append(replace(s, paid_cents=s.paid_cents - cut,
                                    allowed_cents=(s.allowed_cents or 0) - cut,
                                    adjustments=tuple(adjustments)))
        paid = sum(s.paid_cents for s in services)
        return Answer(claim, original.payer, original.status, original.charge_cents, paid,
                      original.patient_cents, tuple(services), crossover=original.crossover,
                      corrects=original)

    # ------------------------------------------------------------------ payment runs

    def due(self, through: date) -> list[RemittanceRecord]:
        """The runs dated on or before `through`, as remittances, oldest first."""
        out: list[RemittanceRecord] = []
        while True:
            keys = [k for k in self.runs if k[0] <= through]
            if not keys:
                return out
            key = min(keys, key=lambda k: (k[0], self._payer_order[k[1]]))
            out.append(self._remittance(self.runs.pop(key)))

    def _remittance(self, run: Run) -> RemittanceRecord:
        payer = run.payer
        answers = sorted(run.answers, key=lambda a: (a.claim.claim_id, a.status != "22"))
        claims = []
        for answer in answers:
            if answer.status == "22" and answer.reverses is not None:
                answer.icn = answer.reverses.icn
            else:
                answer.icn = self._icn(payer, run.day)
            claims.append(self._claim_payment(answer))
        total = sum(a.paid_cents for a in answers)
        adjustments = []
        for recoupment in run.recoupments:
            if recoupment.amount_cents > total:
                self._defer(run, recoupment)
                continue
            total -= recoupment.amount_cents
            reference = recoupment.reference
            if recoupment.answer is not None:
                reference = f"{recoupment.answer.icn} {recoupment.answer.claim.claim_id}"
            adjustments.append(self._plb(recoupment.reason, recoupment.amount_cents, reference, run.day))
        if total < 0:
            # Reversals took back more than the run pays: the balance is carried forward.
            reference = f"FB{run.day:%y%m%d}"
            adjustments.append(self._plb("FB", total, reference, run.day))
            self._defer(run, Recoupment("FB", -total, reference=reference))
            total = 0
        self._trace_seq += 1
        method = payer.payment_method if total > 0 else "NON"
        practice = self.profile.practice
        address = payer.remit_address
        return RemittanceRecord(
            version=VERSION_835, payer_name=payer.name, payment_cents=total, payer_id=payer.payer_id,
            payer_address=AddressRecord(address["line1"], address["city"], address["state"],
                                        address["zip"]) if address else None,
            payer_contact="Provider Services", payer_phone=payer.settings.get("phone"),
            payee_name=practice["name"], payee_npi=practice["npi"], payee_tax_id=practice["tax_id"],
            payee_address=AddressRecord(practice["address1"], practice["city"], practice["state"],
                                        practice["zip"]),
            trace_number=f"{run.day:%y%m%d}{self._payer_order[payer.name]:02d}{self._trace_seq:06d}",
            payment_method=method, credit_debit="C", payment_date=run.day,
            production_date=run.day - timedelta(days=1), claims=tuple(claims),
            provider_adjustments=tuple(adjustments),
        )

    def _plb(self, reason: str, amount: int, reference: str, day: date) -> ProviderAdjustmentRecord:
        return ProviderAdjustmentRecord(reason_code=reason, amount_cents=amount, reference=reference,
                                        provider_id=self.profile.practice["npi"],
                                        fiscal_period_date=date(day.year, 12, 31))

    def _defer(self, run: Run, recoupment: Recoupment) -> None:
        """A PLB larger than the run's payment waits for the payer's next run."""
        later = self._run(run.payer, run.day + timedelta(days=1))
        if later is not None:
            later.recoupments.append(recoupment)
        elif recoupment.answer is not None:
            self.tally.planted["recoupment"] -= 1
            events = self.later_events.get(recoupment.answer.claim.claim_id, [])
            if "recoupment" in events:
                events.remove("recoupment")

    def _icn(self, payer: PayerProfile, day: date) -> str:
        seq = self._icn_seq.get(payer.name, 0) + 1
        self._icn_seq[payer.name] = seq
        if payer.kind is PayerKind.MEDICARE:
            return f"02{day:%y}{day.timetuple().tm_yday:03d}{seq:06d}"
        return f"{payer.payer_id[:3]}{day:%y%m%d}{seq:06d}"

    def _claim_payment(self, answer: Answer) -> ClaimPaymentRecord:
        claim = answer.claim
        person = claim.patient.person
        original = answer.corrects.icn if answer.corrects is not None else None
        return ClaimPaymentRecord(
            patient_control_number=claim.claim_id, status_code=answer.status,
            charge_cents=answer.charge_cents, paid_cents=answer.paid_cents,
            patient_resp_cents=answer.patient_cents,
            filing_indicator=answer.payer.remit_filing_indicator,
            payer_claim_number=answer.icn, facility_code="11", frequency_code="1",
            patient_last=person.last_name, patient_first=person.first_name,
            member_id=(claim.secondary.member_id if claim.secondary is not None
                       and answer.payer is claim.secondary.payer else claim.coverage.member_id),
            service_from=claim.dos, service_to=claim.dos,
            received_date=claim.submitted, crossover_payer=answer.crossover,
            crossover_payer_id=claim.secondary.payer.payer_id if answer.crossover and claim.secondary
            else None,
            original_claim_number=original, adjustments=answer.adjustments,
            remarks=answer.remarks, services=answer.services,
        )


def _index(lines: list[Line], line: Line) -> int:
    return next(i for i, candidate in enumerate(lines) if candidate is line)
