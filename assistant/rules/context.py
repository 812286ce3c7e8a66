"""Everything a claim's rules need, loaded once: the claim, its payer's rules and the patient's file.

Built three ways: one saved claim (`load_context`), many saved claims in bulk
(`load_contexts`, a handful of queries in all), or a claim record that is not in the
database yet (`record_context`, the pre-submission scrub of an 837 file).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from assistant.domain import (
    Action,
    ClaimRecord,
    ClaimView,
    DocType,
    LineView,
    OtherPayerView,
    PatientView,
    PayerKind,
    PayerStatus,
    PayerView,
    WorkStatus,
)
from assistant.remit.cob import payer_level
from assistant.rules.codes import cpt, rarc, setting
from assistant.rules.payer_rules import PayerRules, payer_rules
from assistant.rules.units import units_for
from assistant.storage import clinical, prior_payers
from assistant.storage.claims import claim_pk
from assistant.storage.claims_bulk import load_claims
from assistant.storage.clinical import (
    AppealView,
    AuthorizationView,
    CoverageView,
    DocumentStub,
    HistoryLine,
    PlanOfCareView,
)

OT_CREDENTIALS = frozenset({"OT", "OTA", "OTR", "OTR/L", "OT/L", "COTA", "COTA/L", "OTA/L"})


def is_assistant(credential: str | None) -> bool:
    """An occupational therapy assistant: OTA, COTA, COTA/L, OTA/L ..."""
    return credential is not None and "OTA" in credential.upper()

DISCIPLINE_MODIFIERS = frozenset({"GO", "GP", "GN"})


@dataclass(frozen=True)
class AuthStatus:
    """Where an authorization stands on one date of service."""

    day: date
    auth: AuthorizationView | None
    used: int = 0  # visits (or units) used through this day, this one included
    problem: str | None = None  # missing | not_on_file | expired | not_started | used_up | running_out
    expired: AuthorizationView | None = None  # the one that ended before the day, when missing

    @property
    def remaining(self) -> int:
        return self.auth.approved - self.used if self.auth else 0

    def describe(self) -> str:
        if self.auth is None:
            if self.expired is not None:
                e = self.expired
                return (f"authorization {e.number} covered {e.start_date} to {e.end_date}, "
                        f"ending before the service on {self.day}")
            return f"no authorization on file covers {self.day}"
        a = self.auth
        return (f"authorization {a.number} covered {a.start_date} to {a.end_date} for "
                f"{a.approved} {a.unit_kind} with {self.used} used on this date")


@dataclass(frozen=True)
class YtdLine:
    line_no: int
    service_date: date
    cumulative_cents: int  # the patient's OT allowed amount for the year through this line
    estimated: bool  # some of it is estimated from charges
    upper_cents: int = 0  # the same with every unpriced line at its full charge: it cannot be more
    complete: bool = True  # every treatment day of the year before it is on a claim here


@dataclass(frozen=True)
class ClaimContext:
    claim: ClaimView
    payer: PayerRules
    today: date
    authorizations: tuple[AuthorizationView, ...] = ()
    plans: tuple[PlanOfCareView, ...] = ()
    documents: tuple[DocumentStub, ...] = ()
    history: tuple[HistoryLine, ...] = ()  # the patient's other claim lines
    coverages: tuple[CoverageView, ...] = ()
    appeals: tuple[AppealView, ...] = ()
    allowed_ratio: float | None = None  # the payer's allowed / charged, to estimate unpriced lines
    allowed_by_line: dict[int, int] = field(default_factory=dict)  # this claim's priced lines
    # The patient's notes: minutes per code on each day, billed or not.
    day_minutes: dict[date, dict[str, int]] = field(default_factory=dict)
    saved: bool = True
    # Whether the practice keeps these records here at all: without any, their absence says nothing.
    tracks_authorizations: bool = True
    tracks_plans: bool = True
    # (CLP02, payer pk) of the claim's live postings: the payers that have answered it.
    answers: tuple[tuple[str, int | None], ...] = ()
    # The other payers the claim names (837P 2320); None when its source cannot say (CSV).
    other_payers: tuple[OtherPayerView, ...] | None = None

    # ---------------------------------------------------------------- the claim

    @cached_property
    def service_dates(self) -> tuple[date, ...]:
        dates = {line.service_date or self.claim.dos_from for line in self.claim.lines}
        return tuple(sorted(dates or {self.claim.dos_from}))

    @cached_property
    def is_ot_claim(self) -> bool:
        """Rendered by an OT or OTA, or billed under an OT plan (GO/CO on a line)."""
        creds = {(line.rendering_credential or "").upper() for line in self.claim.lines}
        creds.add((self.claim.rendering_credential or "").upper())
        if creds & OT_CREDENTIALS:
            return True
        return any({"GO", "CO"} & set(line.modifiers) for line in self.claim.lines)

    @cached_property
    def is_medicare(self) -> bool:
        return self.payer.kind is PayerKind.MEDICARE

    @cached_property
    def timely_filing_deadline(self) -> date:
        """The earliest line's deadline: Part B span claims count from each line's from-date."""
        from assistant.rules.deadlines import timely_filing_deadline

        return timely_filing_deadline(self.service_dates[0], self.payer)

    # ---------------------------------------------------------------- documentation

    @cached_property
    def treatment_days(self) -> tuple[date, ...]:
        """Days the patient was treated: therapy lines of any claim and daily notes."""
        days = {h.service_date for h in self.history if cpt(h.code) is not None}
        days.update(line.service_date or self.claim.dos_from for line in self.claim.lines
                    if cpt(line.code) is not None)
        days.update(d.doc_date for d in self.documents
                    if d.doc_type in (DocType.DAILY_NOTE, DocType.EVALUATION, DocType.RE_EVALUATION))
        return tuple(sorted(days))

    def plan_for(self, day: date) -> PlanOfCareView | None:
        """The plan of care in effect on a day: the latest one started on or before it."""
        current = None
        for plan in self.plans:
            if plan.start_date <= day:
                current = plan
        return current

    def episode_start(self, day: date) -> date | None:
        plan = self.plan_for(day)
        if plan is not None:
            return plan.start_date
        evals = [d.doc_date for d in self.documents
                 if d.doc_type is DocType.EVALUATION and d.doc_date <= day]
        return evals[-1] if evals else None

    def documents_of(self, *types: DocType, until: date | None = None) -> list[DocumentStub]:
        return [d for d in self.documents
                if d.doc_type in types and (until is None or d.doc_date <= until)]

    def notes_on(self, day: date) -> list[DocumentStub]:
        return [d for d in self.documents if d.doc_type is DocType.DAILY_NOTE and d.doc_date == day]

    # ---------------------------------------------------------------- authorizations

    def _auths_for_payer(self) -> list[AuthorizationView]:
        return [a for a in self.authorizations
                if a.payer_pk is None or a.payer_pk == self.claim.payer.pk]

    @cached_property
    def _visit_days(self) -> dict[int | None, list[date]]:
        """Distinct service days per payer pk (None: all payers), this claim included."""
        by_payer: dict[int | None, set[date]] = {None: set()}
        for h in self.history:
            if h.frequency_code == "8" or h.claim_pk == self.claim.pk:
                continue
            by_payer.setdefault(h.payer_pk, set()).add(h.service_date)
            by_payer[None].add(h.service_date)
        own = set(self.service_dates)
        by_payer.setdefault(self.claim.payer.pk, set()).update(own)
        by_payer[None].update(own)
        return {k: sorted(v) for k, v in by_payer.items()}

    @cached_property
    def _unbilled_days(self) -> tuple[date, ...]:
        """Days the notes show a treatment that no claim here bills (before the claims on file
        begin, or not billed yet): they used the authorization all the same."""
        billed = set(self._visit_days[None])
        return tuple(d for d in self.treatment_days if d not in billed)

    def _noted_units(self, day: date, counts: Callable[[str], bool]) -> int:
        """Units a day's note supports under the payer's rule, for a day no claim bills."""
        minutes = {code: m for code, m in self.day_minutes.get(day, {}).items()
                   if cpt(code) is not None and counts(code)}
        return sum(units_for(minutes, self.payer.unit_rule).units.values()) if minutes else 0

    def last_day_under(self, auth: AuthorizationView) -> date:
        """The latest day of service under the authorization so far (this claim included)."""
        days = [*self._visit_days.get(auth.payer_pk, []), *self._unbilled_days]
        return max((d for d in days if auth.covers(d)), default=self.service_dates[-1])

    def _used(self, auth: AuthorizationView, day: date) -> int:
        """Visits (or units) used through `day`, this one included: the claims here, the
        treatment days only the notes show, and what the source reported beyond both."""
        if auth.unit_kind == "units":
            def counts(code: str) -> bool:
                return not auth.codes or code in auth.codes

            by_day: dict[date, float] = defaultdict(float)
            for h in self.history:
                if (h.claim_pk != self.claim.pk and h.frequency_code != "8"
                        and (auth.payer_pk is None or h.payer_pk == auth.payer_pk)
                        and auth.covers(h.service_date) and counts(h.code)):
                    by_day[h.service_date] += h.units
            for line in self.claim.lines:
                if auth.covers(line.service_date or self.claim.dos_from) and counts(line.code):
                    by_day[line.service_date or self.claim.dos_from] += line.units
            for d in self._unbilled_days:
                if auth.covers(d):
                    by_day[d] += self._noted_units(d, counts)
            used = sum(n for d, n in by_day.items() if d <= day)
            total = sum(by_day.values())
        else:
            days = {*self._visit_days.get(auth.payer_pk, []), *self._unbilled_days}
            used = sum(1 for d in days if auth.start_date <= d <= day)
            total = sum(1 for d in days if auth.covers(d))
        # Visits the source counted that nothing here shows (billed elsewhere, not yet imported).
        return int(used + max(0, auth.reported_used - total))

    def auth_status(self, day: date) -> AuthStatus:
        candidates = self._auths_for_payer()
        if self.claim.prior_auth:
            named = [a for a in candidates if a.number == self.claim.prior_auth]
            candidates = named + [a for a in candidates if a not in named]
        codes = {line.code for line in self.claim.lines}
        covering = [a for a in candidates if a.covers(day) and (not a.codes or codes & set(a.codes))]
        if covering:
            auth = covering[0]
            used = self._used(auth, day)
            remaining = auth.approved - used
            problem = None
            if remaining < 0:
                problem = "used_up"
            elif remaining <= int(setting("warnings", "authorization_visits_left")):
                problem = "running_out"
            return AuthStatus(day, auth, used, problem)
        ended = [a for a in candidates if a.end_date < day]
        if ended:
            return AuthStatus(day, None, problem="expired", expired=ended[-1])
        if any(a.start_date > day for a in candidates):
            return AuthStatus(day, None, problem="not_started")
        if self.claim.prior_auth:
            return AuthStatus(day, None, problem="not_on_file")
        return AuthStatus(day, None, problem="missing")

    @cached_property
    def auth_relevant(self) -> bool:
        """Whether this payer is expected to want an authorization for the claim."""
        return bool(self.claim.prior_auth or self._auths_for_payer()
                    or (self.payer.authorization_expected and self.tracks_authorizations))

    # ---------------------------------------------------------------- Medicare therapy threshold

    def _is_ot_line(self, code: str, modifiers: Sequence[str], credential: str | None) -> bool:
        """An OT service: GO/CO, or furnished by an OT or OTA (a GP on it is a billing error the
        discipline check reports, not a physical therapy service)."""
        mods = set(modifiers)
        if "GO" in mods or "CO" in mods:
            return True
        return cpt(code) is not None and (credential or "").upper() in OT_CREDENTIALS

    @cached_property
    def _medicare_unit_rates(self) -> dict[tuple[str, bool], float]:
        """What Medicare allowed this patient per unit of a code, by whether the line had CO."""
        units: dict[tuple[str, bool], float] = defaultdict(float)
        allowed: dict[tuple[str, bool], int] = defaultdict(int)
        for h in self.history:
            if h.payer_kind is PayerKind.MEDICARE and h.allowed_cents and h.units > 0:
                key = (h.code, "CO" in h.modifiers)
                units[key] += h.units
                allowed[key] += h.allowed_cents
        return {key: allowed[key] / n for key, n in units.items()}

    def _estimate(self, charge_cents: int, code: str = "", modifiers: Sequence[str] = (),
                  units: float = 0) -> int:
        """An unpriced line's allowed amount: what Medicare allowed this patient per unit of the
        code (with or without CO, an OTA's line paid at 85%), else the charge times the payer's
        usual allowed share, else the charge."""
        rates = self._medicare_unit_rates
        by_ota = "CO" in modifiers
        rate = rates.get((code, by_ota))
        if rate is None and (code, not by_ota) in rates:
            share = int(setting("assistant", "co_payment_percent")) / 100
            rate = rates[(code, not by_ota)] * (share if by_ota else 1 / share)
        if rate is not None and units > 0:
            return round(rate * units)
        return round(charge_cents * self.allowed_ratio) if self.allowed_ratio else charge_cents

    @cached_property
    def ytd_ot_lines(self) -> tuple[YtdLine, ...]:
        """The patient's Medicare OT allowed amount for the year, running through this claim's lines.

        Priced lines count what Medicare allowed; unpriced ones (not answered yet, or denied
        without an allowed amount) are estimated from the charge (times the payer's usual
        allowed share when known). Denied claims count: the practice bills KX from what it
        billed, and a denial corrected or appealed later still adds to the year. The same
        service billed twice (a copy, a corrected claim) counts once. Treatment days of the
        year that only the notes show (billed before the claims here begin) are estimated
        from their minutes, and the amount is then no longer a known upper bound.
        """
        if not self.is_medicare:
            return ()
        first = self.service_dates[0]
        counted: dict[tuple[date, str], tuple[int, int, bool]] = {}  # (day, code) -> amount, upper, estimated
        for h in self.history:
            if (h.claim_pk == self.claim.pk or h.payer_kind is not PayerKind.MEDICARE
                    or h.frequency_code == "8"
                    or h.service_date.year != first.year
                    or not self._is_ot_line(h.code, h.modifiers, h.rendering_credential)):
                continue
            if h.service_date < first or (h.service_date == first
                                          and (h.claim_pk < self.claim.pk or not self.saved)):
                entry = ((h.allowed_cents, h.allowed_cents, False) if h.allowed_cents is not None
                         else (self._estimate(h.charge_cents, h.code, h.modifiers, h.units),
                               h.charge_cents, True))
                key = (h.service_date, h.code)
                if key not in counted or (counted[key][2] and not entry[2]):
                    counted[key] = entry
        running = sum(amount for amount, _, _ in counted.values())
        upper = sum(most for _, most, _ in counted.values())
        estimated = any(guess for _, _, guess in counted.values())
        noted, complete = self._noted_ot_amount(first)
        running += noted
        estimated = estimated or not complete
        out = []
        lines = sorted(self.claim.lines, key=lambda ln: (ln.service_date or first, ln.line_no))
        for line in lines:
            if not self._is_ot_line(line.code, line.modifiers, line.rendering_credential
                                    or self.claim.rendering_credential):
                continue
            day = line.service_date or first
            if (day, line.code) not in counted:  # else this claim repeats a service counted already
                allowed = self.allowed_by_line.get(line.pk)
                if allowed is None:
                    estimated = True
                    running += self._estimate(line.charge_cents, line.code, line.modifiers, line.units)
                    upper += line.charge_cents
                else:
                    running += allowed
                    upper += allowed
            out.append(YtdLine(line.line_no, day, running, estimated, upper, complete))
        return tuple(out)

    def _noted_ot_amount(self, before: date) -> tuple[int, bool]:
        """An estimate of the Medicare OT allowed amount of the year's treatment days before
        `before` that no claim here bills, from the notes' minutes and the patient's priced
        lines; and whether there are none (the claims here then hold the whole year)."""
        days = [d for d in self._unbilled_days if d.year == before.year and d < before
                and self._medicare_then(d)]
        if not days:
            return 0, True
        rates = self._medicare_unit_rates
        if not rates:
            return 0, False
        by_code: dict[str, list[float]] = defaultdict(list)
        for (code, _), rate in rates.items():
            by_code[code].append(rate)
        per_unit = sum(rates.values()) / len(rates)
        total = 0.0
        for d in days:
            minutes = {code: m for code, m in self.day_minutes.get(d, {}).items() if cpt(code) is not None}
            for code, units in (units_for(minutes, self.payer.unit_rule).units if minutes else {}).items():
                known = by_code.get(code)
                total += units * (sum(known) / len(known) if known else per_unit)
        return round(total), False

    def _medicare_then(self, day: date) -> bool:
        """Whether a day no claim bills fell under Medicare: the patient's next claim here is Medicare's."""
        nxt = next((h for h in self.history if h.service_date > day), None)  # history is by date
        return nxt is None or nxt.payer_kind is PayerKind.MEDICARE

    # ---------------------------------------------------------------- other payers and claims

    @cached_property
    def answered_level(self) -> int:
        """The latest place in the patient's order that has answered the claim (`cob.payer_level`)."""
        claim = self.claim
        order: dict[int, int] = {}
        for c in self.coverages:
            order.setdefault(c.payer_pk, c.priority)
        return max((payer_level(code, payer_pk, claim.payer.pk, claim.coverage_priority, order)
                    for code, payer_pk in self.answers), default=claim.coverage_priority)

    @cached_property
    def secondary(self) -> CoverageView | None:
        """The next payer to bill: the first coverage after the claim's payer and after every
        payer that has answered the claim (a secondary that answered leaves the tertiary)."""
        after = max(self.claim.coverage_priority, self.answered_level)
        answered = {payer_pk for _, payer_pk in self.answers}
        later = [c for c in self.coverages if c.priority > after and c.payer_pk != self.claim.payer.pk
                 and c.payer_pk not in answered]
        return later[0] if later else None

    @cached_property
    def duplicates(self) -> tuple[str, ...]:
        """Ids of other claims to the same payer for the same days and codes (voids excluded)."""
        return self._same_services(earlier_only=False)

    @cached_property
    def earlier_duplicates(self) -> tuple[str, ...]:
        """Claims sent before this one for the same services: this one repeats them.

        A claim the payer returned as unprocessable (a remark asking for a new claim, MA130)
        before this one was sent was never filed, so this one is no repeat; one denied on its
        merits was filed: a copy is a duplicate (CO-18), which a corrected claim or an appeal
        is not.
        """
        return self._same_services(earlier_only=True)

    def _same_services(self, earlier_only: bool) -> tuple[str, ...]:
        mine = {(line.service_date or self.claim.dos_from, line.code) for line in self.claim.lines}
        seen: dict[str, None] = {}
        for h in self.history:
            if (h.claim_pk == self.claim.pk or h.payer_pk != self.claim.payer.pk
                    or h.frequency_code == "8" or (h.service_date, h.code) not in mine):
                continue
            if earlier_only and (self._returned_before(h) or (self.saved and h.claim_pk > self.claim.pk)):
                continue
            seen[h.claim_id] = None
        return tuple(seen)

    def _returned_before(self, line: HistoryLine) -> bool:
        """The line's claim came back unprocessable (a remark that asks for a new claim, MA130)
        before this claim was sent (or, for one not sent yet, by now)."""
        sent = self.claim.submitted_date
        return (line.payer_status == PayerStatus.DENIED.value
                and (sent is None or line.remit_date is None or line.remit_date <= sent)
                and any((info := rarc(code)) is not None and Action.NEW_CLAIM in info.actions
                        for code in line.claim_remarks))

    # ---------------------------------------------------------------- appeals

    @cached_property
    def last_appeal(self) -> AppealView | None:
        return max(self.appeals, key=lambda a: (a.level, a.drafted_date), default=None)


# --------------------------------------------------------------------------- building contexts


def _contexts(conn: sqlite3.Connection, views: dict[int, ClaimView], today: date) -> dict[int, ClaimContext]:
    patients = {v.patient.pk for v in views.values()}
    auths = clinical.authorizations(conn, patients)
    plans = clinical.plans_of_care(conn, patients)
    docs = clinical.document_stubs(conn, patients)
    minutes = clinical.note_minutes_by_day(conn, patients)
    history = clinical.history_lines(conn, patients)
    coverages = clinical.coverages(conn, patients)
    appeals = clinical.appeals(conn, list(views))
    answers = clinical.payer_answers(conn, list(views))
    others = prior_payers.for_claims(conn, [pk for pk in views if pk])
    # Only the Medicare therapy threshold estimates unpriced lines (`ytd_ot_lines`).
    ratios = clinical.allowed_ratios(conn, {v.payer.pk for v in views.values()
                                            if v.payer.kind is PayerKind.MEDICARE})
    tracks_auths, tracks_plans = clinical.kept_records(conn)
    shared: dict[int, tuple[tuple[HistoryLine, ...], ...]] = {}
    out = {}
    for pk, view in views.items():
        p = view.patient.pk
        if p not in shared:
            shared[p] = (tuple(history.get(p, ())),)
        hist = shared[p][0]
        allowed = {h.line_pk: h.allowed_cents for h in hist
                   if h.claim_pk == pk and h.allowed_cents is not None}
        out[pk] = ClaimContext(
            claim=view, payer=payer_rules(view.payer), today=today,
            authorizations=tuple(auths.get(p, ())), plans=tuple(plans.get(p, ())),
            documents=tuple(docs.get(p, ())), history=hist, coverages=tuple(coverages.get(p, ())),
            appeals=tuple(appeals.get(pk, ())), allowed_ratio=ratios.get(view.payer.pk),
            allowed_by_line=allowed, day_minutes=minutes.get(p, {}),
            tracks_authorizations=tracks_auths, tracks_plans=tracks_plans,
            answers=tuple(answers.get(pk, ())), other_payers=others.get(pk),
        )
    return out


def load_contexts(conn: sqlite3.Connection, claim_pks: Sequence[int], today: date) -> dict[int, ClaimContext]:
    """Contexts for many saved claims, loaded in bulk."""
    views = load_claims(conn, claim_pks)
    return _contexts(conn, views, today)


def load_context(conn: sqlite3.Connection, claim_id: str, today: date) -> ClaimContext:
    pk = claim_pk(conn, claim_id)
    return load_contexts(conn, [pk], today)[pk]


def context_for_view(conn: sqlite3.Connection, view: ClaimView, today: date) -> ClaimContext:
    return _contexts(conn, {view.pk: view}, today)[view.pk]


# --------------------------------------------------------------------------- unsaved claims


def _record_payer(conn: sqlite3.Connection | None, record: ClaimRecord) -> PayerView:
    if conn is not None:
        row = None
        if record.payer.payer_id:
            row = conn.execute("SELECT * FROM payers WHERE payer_id = ? ORDER BY pk LIMIT 1",
                               (record.payer.payer_id,)).fetchone()
        if row is None:
            row = conn.execute("SELECT * FROM payers WHERE name = ? COLLATE NOCASE",
                               (record.payer.name,)).fetchone()
        if row is not None:
            from assistant.storage.claims import payer_view

            return payer_view(row)
    return PayerView(pk=0, name=record.payer.name, kind=record.payer.kind or PayerKind.OTHER,
                     payer_id=record.payer.payer_id, timely_filing_days=None, appeal_windows=None,
                     unit_rule=None)


def record_view(record: ClaimRecord, payer: PayerView, patient_pk: int = 0,
                minutes_on_file: dict[tuple[str, str], int] | None = None,
                credentials: dict[str, str] | None = None) -> ClaimView:
    """A ClaimView of a claim not yet imported: what the 837 says, nothing posted."""
    credentials = credentials or {}
    claim_cred = (record.rendering_provider.credential.value
                  if record.rendering_provider and record.rendering_provider.credential else None)
    lines = []
    for line in record.lines:
        day = line.service_date or record.dos_from
        minutes = line.minutes
        if minutes is None and minutes_on_file:
            minutes = minutes_on_file.get((day.isoformat(), line.code))
        lines.append(LineView(
            pk=-line.line_no, line_no=line.line_no, code=line.code, modifiers=line.modifiers,
            units=float(line.units if isinstance(line.units, Decimal) else Decimal(str(line.units))),
            minutes=minutes, charge_cents=line.charge_cents, paid_cents=0,
            dx_pointers=line.dx_pointers, service_date=day, service_date_to=line.service_date_to,
            rendering_npi=line.rendering_npi or (record.rendering_provider.npi
                                                 if record.rendering_provider else None),
            rendering_credential=credentials.get(line.rendering_npi or "") or claim_cred,
        ))
    rendering = record.rendering_provider
    referring = record.referring_provider
    return ClaimView(
        pk=0, claim_id=record.claim_id,
        patient=PatientView(pk=patient_pk, account=record.patient.account,
                            last_name=record.patient.last_name, first_name=record.patient.first_name,
                            dob=record.patient.dob, member_id=record.member_id or record.patient.member_id),
        payer=payer, dos_from=record.dos_from, dos_to=record.dos_to,
        billed_cents=record.billed_cents, paid_cents=0, adjusted_cents=0, patient_resp_cents=0,
        balance_cents=record.billed_cents, payer_status=PayerStatus.SUBMITTED,
        work_status=WorkStatus.NEW, frequency_code=record.frequency_code,
        place_of_service=record.place_of_service, coverage_priority=record.coverage_priority,
        member_id=record.member_id, prior_auth=record.prior_auth,
        payer_claim_number=record.payer_claim_number, submitted_date=None, follow_up_date=None,
        assignee=None, last_remit_date=None,
        rendering_npi=rendering.npi if rendering else None,
        rendering_name=f"{rendering.first_name} {rendering.last_name}".strip() if rendering else None,
        rendering_credential=claim_cred,
        referring_name=f"{referring.first_name} {referring.last_name}".strip() if referring else None,
        referring_npi=referring.npi if referring else None,
        diagnoses=record.diagnoses, lines=tuple(lines),
    )


def record_context(conn: sqlite3.Connection | None, record: ClaimRecord, today: date) -> ClaimContext:
    """The context of a claim about to be sent: its patient's file from the database when known.

    Without a database (or for a new patient) only the claim itself is checked; checks that
    need the patient's history find nothing to say.
    """
    payer = _record_payer(conn, record)
    others = (None if record.other_payers is None
              else tuple(prior_payers.from_record(o) for o in record.other_payers))
    if conn is None:
        return ClaimContext(claim=record_view(record, payer), payer=payer_rules(payer), today=today,
                            saved=False, tracks_authorizations=False, tracks_plans=False,
                            other_payers=others)
    row = conn.execute("SELECT pk FROM patients WHERE account = ?", (record.patient.account,)).fetchone()
    patient_pk = int(row[0]) if row else 0
    existing = conn.execute("SELECT pk FROM claims WHERE claim_id = ?", (record.claim_id,)).fetchone()
    npis = {line.rendering_npi for line in record.lines if line.rendering_npi}
    credentials = {}
    if npis:
        credentials = {npi: cred for npi, cred in conn.execute(
            f"SELECT npi, credential FROM providers WHERE npi IN ({','.join('?' for _ in npis)})",
            sorted(npis)) if cred}
    if not patient_pk:  # a new patient: no plan or authorization can be on file yet
        return ClaimContext(claim=record_view(record, payer, credentials=credentials),
                            payer=payer_rules(payer), today=today, saved=False,
                            tracks_authorizations=False, tracks_plans=False, other_payers=others)
    from assistant.storage.claims import note_minutes

    minutes = note_minutes(conn, patient_pk, record.dos_from, record.dos_to)
    view = record_view(record, payer, patient_pk, minutes, credentials)
    ctx = _contexts(conn, {0: view}, today)[0]
    excluded = int(existing[0]) if existing else None
    history = tuple(h for h in ctx.history if h.claim_pk != excluded)
    return ClaimContext(
        claim=view, payer=ctx.payer, today=today, authorizations=ctx.authorizations,
        plans=ctx.plans, documents=ctx.documents, history=history, coverages=ctx.coverages,
        appeals=(), allowed_ratio=ctx.allowed_ratio, day_minutes=ctx.day_minutes, saved=False,
        tracks_authorizations=ctx.tracks_authorizations, tracks_plans=ctx.tracks_plans,
        other_payers=others,
    )

