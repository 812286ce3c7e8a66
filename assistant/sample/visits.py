"""Seeing patients: each planned visit becomes its procedures, minutes, units, modifiers, a
claim with its planted errors, and the notes a clinician writes that day.

Minutes come first; units follow from them under the payer's unit rule, so a clean claim is
always right by the 8-minute rule and a planted one is wrong in a way its note can prove.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from assistant.domain import PayerKind, UnitRule
from assistant.sample.calendar import add_open_days
from assistant.sample.inputs import Clinician, Measure, Profile
from assistant.sample.model import Claim, Episode, Line, PlanOfCare, Visit
from assistant.sample.notes import NoteWriter
from assistant.sample.practice import SPENT, Planner, Tally, Weighted, chance
from assistant.sample.units import per_code_units, timed_units

EVAL_MINUTES = {"97165": (25, 35), "97166": (40, 50), "97167": (55, 70), "97168": (25, 35)}
COGNITIVE_BASE, COGNITIVE_ADDON = "97129", "97130"
_PARTS = Weighted({1: 0.15, 2: 0.5, 3: 0.35})  # procedures in a session


@dataclass(slots=True)
class Tracked:
    """One measure of the episode: where it started and where the goal is."""

    measure: Measure
    baseline: float
    goal: float

    def at(self, fraction: float, rng: random.Random) -> float:
        value = self.baseline + (self.goal - self.baseline) * fraction
        return value + (self.goal - self.baseline) * rng.uniform(-0.08, 0.08)


@dataclass(slots=True)
class EpisodeState:
    measures: list[Tracked]
    goals: list[str]
    uses_orthosis: bool
    uses_estim: bool
    uses_paraffin: bool
    uses_group: bool
    uses_cognitive: bool
    treatment_days: int = 0
    since_report: int = 0
    report_target: int = 10
    reports_due: int = 0
    auth_used: int = 0
    orthosis_made: bool = False
    plans_written: int = 0
    visits_planned: int = 1
    marks: dict[str, str] = field(default_factory=dict)  # grip goal etc. for goal texts


@dataclass(slots=True)
class Procedure:
    code: str
    minutes: int
    timed: bool


class Clinic:
    """Turns planned visits into claims and notes; `emit_claim` receives every billable claim."""

    def __init__(self, profile: Profile, planner: Planner, notes: NoteWriter, *, today: date,
                 emit_claim: Callable[[Claim], None]) -> None:
        self.profile = profile
        self.planner = planner
        self.notes = notes
        self.today = today
        self.window_start = planner.window_start
        self.tally: Tally = planner.tally
        self.emit_claim = emit_claim
        self.billed_accounts: set[str] = set()
        self._states: dict[int, EpisodeState] = {}
        self._claim_seq: dict[date, int] = {}
        self._progress_every = int(profile.schedule["progress_every"])
        self._ota_share = float(profile.schedule["ota_visits"])

    # ------------------------------------------------------------------ one visit

    def see(self, ep: Episode, visit: Visit) -> None:
        state = self._states.get(ep.number)
        if state is None:
            state = self._start(ep)
        rng = ep.rng
        last = visit.index == len(ep.visits) - 1
        # Plans written since the last visit; a recertification reports progress too.
        plans = [p for p in ep.plans[state.plans_written:] if p.written <= visit.day]
        state.plans_written += len(plans)
        reported = (state.treatment_days - state.since_report + 1, state.treatment_days)
        if any(p.recertification and p.written < visit.day for p in plans):
            state.since_report = 0
        state.treatment_days += 1
        state.since_report += 1
        kind = "evaluation" if visit.index == 0 else (
            "re_evaluation" if visit.index == ep.re_evaluation_at else "treatment")
        report_due = kind == "treatment" and state.since_report >= state.report_target
        writes_report = False
        if report_due:
            state.reports_due += 1
            if state.reports_due == ep.skip_report:
                state.report_target = state.since_report + rng.randint(6, 10)
            else:
                writes_report = True
        by_assistant = (kind == "treatment" and not writes_report and ep.condition.shape == "therapy"
                        and chance(rng, self._ota_share))
        author = self.profile.assistant if by_assistant else ep.therapist
        procedures = self._procedures(ep, state, visit, kind)
        claim = self._claim(ep, visit, procedures, by_assistant)
        # A progress report, re-evaluation, recertification or discharge summary written at
        # this visit covers it.
        reports = writes_report or kind == "re_evaluation" or any(
            p.recertification and p.written == visit.day for p in plans) or (
            last and self._discharge(ep, visit) == (visit.day, False))
        if visit.day >= self.window_start:
            self._plant(ep, state, claim, by_assistant, reports)
            self.emit_claim(claim)
            if visit.duplicate:
                self.emit_claim(self._duplicate(ep, claim))
        else:
            self._use_authorization(ep, state, claim)
            self._kx(ep, claim)
        with_notes = ep.patient.with_notes and ep.patient.account in self.billed_accounts
        if with_notes:
            self._write_notes(ep, state, visit, kind, procedures, author, writes_report, last, plans,
                              reported)
        if reports:
            state.since_report = 0
            state.report_target = rng.randint(8, self._progress_every)
        if last:
            del self._states[ep.number]
            ep.rng = SPENT

    def _start(self, ep: Episode) -> EpisodeState:
        # The planning stream was dropped when the plan was made (a million-claim year holds
        # 150,000 episodes); the visits get their own stream, alive only while the episode is.
        rng = ep.rng = random.Random(f"{self.planner.seed}:visits:{ep.number}")
        cond = ep.condition
        measures = []
        for measure in cond.measures:
            low, high = measure.start
            baseline = rng.uniform(low, high)
            gain = rng.uniform(0.3, 0.7)
            goal = baseline * (1 + gain) if measure.better == "higher" else baseline * (1 - gain)
            measures.append(Tracked(measure, baseline, goal))
        grip = next((t for t in measures if "grip" in t.measure.name.lower()), None)
        goals = rng.sample(cond.goals, k=min(len(cond.goals), rng.randint(2, 4)))
        state = EpisodeState(
            measures=measures, goals=goals,
            uses_orthosis=cond.shape == "brief" or chance(rng, cond.orthosis),
            uses_estim=chance(rng, cond.estim), uses_paraffin=chance(rng, cond.paraffin),
            uses_group=chance(rng, cond.group), uses_cognitive=chance(rng, cond.cognitive),
            report_target=rng.randint(8, self._progress_every), visits_planned=len(ep.visits),
            marks={"grip_goal": str(round(grip.goal)) if grip else "30"},
        )
        self._states[ep.number] = state
        return state

    # ------------------------------------------------------------------ what was done

    def _procedures(self, ep: Episode, state: EpisodeState, visit: Visit, kind: str) -> list[Procedure]:
        rng = ep.rng
        cond = ep.condition
        treatments = self.planner.interventions[cond.key]
        done: list[Procedure] = []

        def untimed(code: str, low: int, high: int) -> None:
            done.append(Procedure(code, rng.randint(low, high), False))

        if kind == "evaluation":
            code = self.planner.evals[cond.key].pick(rng)
            untimed(code, *EVAL_MINUTES[code])
            if state.uses_orthosis and (cond.shape == "brief" or chance(rng, 0.5)):
                done.append(Procedure("97760", rng.randint(20, 38), True))
                state.orthosis_made = True
            elif not ep.eval_only and chance(rng, 0.4):
                code = "97535" if chance(rng, 0.5) else treatments.pick(rng)
                done.append(Procedure(code, rng.randint(8, 20), True))
            return done
        if kind == "re_evaluation":
            untimed("97168", *EVAL_MINUTES["97168"])
            done.extend(self._timed(ep, state, rng.randint(20, 38)))
            return done
        if cond.shape == "brief":
            if state.orthosis_made:
                done.append(Procedure("97763", rng.randint(10, 25), True))
            else:
                done.append(Procedure("97760", rng.randint(20, 35), True))
                state.orthosis_made = True
            if chance(rng, 0.6):
                done.append(Procedure(treatments.pick(rng), rng.randint(6, 16), True))
            if state.uses_paraffin and chance(rng, 0.5):
                untimed("97018", 8, 12)
            return done
        if state.uses_group and chance(rng, 0.35):
            untimed("97150", 40, 55)
            if chance(rng, 0.3):
                done.append(Procedure(treatments.pick(rng), rng.randint(8, 15), True))
            return done
        done.extend(self._timed(ep, state, rng.randint(*cond.timed_minutes)))
        if state.uses_estim and chance(rng, 0.6):
            payer = ep.coverage.payer
            medicare_like = payer.kind in (PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE,
                                           PayerKind.MEDICAID)
            untimed("G0283" if medicare_like else "97014", 10, 15)
        if state.uses_paraffin and chance(rng, 0.5):
            untimed("97018", 8, 12)
        return done

    def _timed(self, ep: Episode, state: EpisodeState, total: int) -> list[Procedure]:
        """Split a session's timed minutes among two or three procedures."""
        rng = ep.rng
        cond = ep.condition
        parts: list[str] = []
        if state.uses_cognitive and chance(rng, 0.85):
            parts.append(COGNITIVE_BASE)
        if state.orthosis_made and chance(rng, 0.15):
            parts.append("97763")
        count = _PARTS.pick(rng) if total >= 23 else 1
        treatments = self.planner.interventions[cond.key]
        distinct = len(treatments.keys) + len(parts)
        while len(parts) < min(count, distinct):
            code = treatments.pick(rng)
            if code not in parts:
                parts.append(code)
        shares = [rng.uniform(0.6, 1.6) for _ in parts]
        scale = total / sum(shares)
        minutes = [max(5, round(s * scale)) for s in shares]
        minutes[0] += total - sum(minutes)
        done: list[Procedure] = []
        for code, m in zip(parts, minutes, strict=True):
            if code == COGNITIVE_BASE:
                done.append(Procedure(COGNITIVE_BASE, min(m, 15), True))
                if m > 15:
                    done.append(Procedure(COGNITIVE_ADDON, m - 15, True))
            else:
                done.append(Procedure(code, max(m, 1), True))
        return [p for p in done if p.minutes > 0]

    # ------------------------------------------------------------------ the claim

    def _claim(self, ep: Episode, visit: Visit, procedures: list[Procedure],
               by_assistant: bool) -> Claim:
        payer = ep.coverage.payer
        fees = self.profile.fees
        timed = {p.code: p.minutes for p in procedures if p.timed}
        units = timed_units(timed, payer.unit_rule)
        if units.get(COGNITIVE_BASE, 0) > 1:
            units[COGNITIVE_ADDON] = units.get(COGNITIVE_ADDON, 0) + units[COGNITIVE_BASE] - 1
            units[COGNITIVE_BASE] = 1
        lines: list[Line] = []
        ordered = sorted(procedures, key=lambda p: (p.timed, -p.minutes if p.timed else 0))
        for proc in ordered:
            count = units.get(proc.code, 0) if proc.timed else 1
            if count <= 0:
                continue
            fee = fees[proc.code]
            lines.append(Line(code=proc.code, modifiers=["GO"], units=count,
                              charge_cents=fee.charge_cents * count, service_date=visit.day,
                              minutes=proc.minutes, by_assistant=by_assistant,
                              pointers=(1, 2) if len(ep.diagnoses) > 1 and proc.timed else (1,)))
        codes = {line.code for line in lines}
        for line in lines:
            if by_assistant and payer.uses_assistant_modifier:
                line.modifiers.append("CO")
            if line.code == "97530" and "97140" in codes:
                line.modifiers.append("59")
            if line.code == "97168" and len(codes) > 1:
                line.modifiers.append("59")
        claim_id = self._claim_id(visit.day)
        return Claim(
            claim_id=claim_id, patient=ep.patient, coverage=ep.coverage, dos=visit.day, lines=lines,
            diagnoses=[code for code, _ in ep.diagnoses], rendering=ep.therapist,
            certifier=ep.certifier, submitted=self.planner.submission_date(ep.rng, visit.day),
            secondary=ep.secondary,
            auth_number=ep.authorization.number if ep.authorization else None,
            accident_date=ep.accident_date,
        )

    def _kx(self, ep: Episode, claim: Claim) -> None:
        """KX once the year's Medicare OT allowed amount goes above the threshold: the clinic's
        estimate from its fee schedule of what it billed (as billed, errors included)."""
        payer = ep.coverage.payer
        if not payer.is_medicare:
            return
        year = claim.dos.year
        lines = claim.lines
        allowed = 0
        for line in lines:
            amount = self.profile.fees[line.code].medicare_cents * line.units
            if "CO" in line.modifiers:
                amount = amount * payer.assistant_percent // 100
            allowed += amount
        before = ep.patient.medicare_allowed.get(year, 0)
        ep.patient.medicare_allowed[year] = before + allowed
        threshold = payer.by_year(payer.kx_threshold_by_year, year) * 100
        if before + allowed > threshold:
            for line in lines:
                line.modifiers.append("KX")

    def _claim_id(self, day: date) -> str:
        seq = self._claim_seq.get(day, 0) + 1
        self._claim_seq[day] = seq
        return f"OT{day:%y%m%d}{seq:04d}"

    # ------------------------------------------------------------------ planted errors

    def _use_authorization(self, ep: Episode, state: EpisodeState, claim: Claim) -> None:
        """The visit (or the units billed) counts against the episode's authorization."""
        auth = ep.authorization
        if auth is not None:
            state.auth_used += sum(line.units for line in claim.lines) if auth.unit_kind == "units" else 1
            auth.used = state.auth_used

    def _plant(self, ep: Episode, state: EpisodeState, claim: Claim, by_assistant: bool,
               reports: bool) -> None:
        rng = ep.rng
        tally = self.tally
        payer = ep.coverage.payer
        rate = self.profile.rate
        lines = claim.lines
        touched: dict[str, Line | None] = {}
        codes = [line.code for line in lines]
        # First, so no other error is planted in the line it removes.
        if COGNITIVE_BASE in codes and COGNITIVE_ADDON in codes and tally.consider(
                "addon_without_base", rng, rate("addon_without_base")):
            del lines[codes.index(COGNITIVE_BASE)]
            touched["addon_without_base"] = next(x for x in lines if x.code == COGNITIVE_ADDON)
        if any(self.profile.fees[line.code].timed for line in lines) and tally.consider(
                "units_8_minute", rng, rate("units_8_minute")):
            touched["units_8_minute"] = self._break_units(ep, claim)
        if payer.kind in (PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE, PayerKind.MEDICAID) \
                and lines and tally.consider("missing_go", rng, rate("missing_go")):
            line = rng.choice(lines)
            line.modifiers.remove("GO")
            touched["missing_go"] = line
        elif lines and tally.consider("gp_instead_of_go", rng, rate("gp_instead_of_go")):
            line = rng.choice(lines)
            line.modifiers[line.modifiers.index("GO")] = "GP"
            touched["gp_instead_of_go"] = line
        if by_assistant and payer.uses_assistant_modifier and tally.consider(
                "co_missing", rng, rate("co_missing")):
            for line in lines:
                if "CO" in line.modifiers:
                    line.modifiers.remove("CO")
            touched["co_missing"] = None
        codes = [line.code for line in lines]
        if "97530" in codes and "97140" in codes and tally.consider(
                "ncci_97530_97140_no_modifier", rng, rate("ncci_97530_97140_no_modifier")):
            line = lines[codes.index("97530")]
            if "59" in line.modifiers:
                line.modifiers.remove("59")
            touched["ncci_97530_97140_no_modifier"] = line
        if payer.is_medicare and "G0283" in codes and tally.consider(
                "medicare_97014", rng, rate("medicare_97014")):
            line = lines[codes.index("G0283")]
            line.code = "97014"
            touched["medicare_97014"] = line
        self._kx(ep, claim)
        if payer.is_medicare and any("KX" in line.modifiers for line in lines) and tally.consider(
                "kx_missing", rng, rate("kx_missing")):
            for line in lines:
                line.modifiers.remove("KX")
            touched["kx_missing"] = None
        if tally.consider("invalid_icd10", rng, rate("invalid_icd10")):
            index = 0 if chance(rng, 0.7) else rng.randrange(len(claim.diagnoses))
            claim.diagnoses[index] = claim.diagnoses[index][:-1]
            touched["invalid_icd10"] = None
        limit = claim.dos + timedelta(days=payer.timely_filing_days)
        if limit + timedelta(days=5) <= self.today and tally.consider(
                "late_submission", rng, rate("late_submission")):
            claim.submitted = min(self.today, limit + timedelta(days=rng.randint(5, 40)))
            touched["late_submission"] = None
        self._use_authorization(ep, state, claim)  # the units as billed, after the errors above
        self._episode_truths(ep, state, claim, touched, reports)
        if payer.kind is PayerKind.COMMERCIAL and tally.consider(
                "other_payer_primary", rng, rate("other_payer_primary")):
            touched["other_payer_primary"] = None
        if (ep.maintenance or state.treatment_days > 20) and tally.consider(
                "medical_necessity_review", rng, rate("medical_necessity_review")):
            touched["medical_necessity_review"] = None
        if tally.consider("claim_lost", rng, rate("claim_lost")):
            touched["claim_lost"] = None
        claim.errors = list(touched)
        claim.error_lines = {k: v for k, v in touched.items() if v is not None}
        claim.caught = [k for k in claim.errors
                        if k in self.profile.planted and chance(rng, self.profile.planted[k].denied)]

    def _episode_truths(self, ep: Episode, state: EpisodeState, claim: Claim,
                        touched: dict[str, Line | None], reports: bool) -> None:
        """Episode-level errors, judged from what is actually on file for this date.

        A visit at which the overdue progress report (or a re-evaluation, or a recertification
        with its progress summary) is written is covered by it.
        """
        dos = claim.dos
        plan = _plan_on(ep.plans, dos)
        latest = ep.plans[-1]
        if ep.extended and dos > latest.end:
            touched["poc_lapsed"] = None
        first = ep.plans[0]
        evaluation_only = all(line.code in EVAL_MINUTES for line in claim.lines)  # needs no plan
        # Known by today only once the 30 days have passed: signed late, or not signed yet.
        due = first.start + timedelta(days=30)
        if plan is first and dos <= first.end and not evaluation_only and due < self.today and (
                first.certified is None or first.certified > due):
            touched["poc_uncertified"] = None
        auth = ep.authorization
        if auth is not None:
            if state.auth_used > auth.approved:
                touched["auth_exhausted"] = None
            if dos > auth.end:
                touched["auth_expired"] = None
        if (ep.coverage.payer.uses_assistant_modifier and not reports
                and state.since_report > self._progress_every):
            touched["progress_report_missing"] = None
        if ep.coverage_end is not None and dos > ep.coverage_end:
            touched["coverage_terminated"] = None

    def _break_units(self, ep: Episode, claim: Claim) -> Line:
        """Bill one timed code more units than the day's minutes support: what the other
        unit rule would give when that is more, else one unit too many."""
        payer = ep.coverage.payer
        timed = [line for line in claim.lines if self.profile.fees[line.code].timed]
        minutes = {line.code: line.minutes or 0 for line in timed}
        billed = {line.code: line.units for line in timed}
        other = per_code_units(minutes) if payer.unit_rule is UnitRule.CMS else timed_units(
            minutes, UnitRule.CMS)
        changed = {code: units for code, units in other.items() if units > billed[code]}
        if sum(other.values()) <= sum(billed.values()) or not changed:
            longest = max(timed, key=lambda line: line.minutes or 0)
            changed = {longest.code: longest.units + 1}
        for line in timed:
            if line.code in changed:
                line.units = changed[line.code]
                line.charge_cents = self.profile.fees[line.code].charge_cents * line.units
        return next(line for line in timed if line.code in changed)

    def _duplicate(self, ep: Episode, claim: Claim) -> Claim:
        lines = [Line(code=line.code, modifiers=list(line.modifiers), units=line.units,
                      charge_cents=line.charge_cents, service_date=line.service_date,
                      minutes=line.minutes, pointers=line.pointers, by_assistant=line.by_assistant)
                 for line in claim.lines]
        submitted = min(self.today, add_open_days(claim.submitted, ep.rng.randint(5, 15)))
        dup = Claim(claim_id=self._claim_id(claim.dos), patient=claim.patient, coverage=claim.coverage,
                    dos=claim.dos, lines=lines, diagnoses=list(claim.diagnoses),
                    rendering=claim.rendering, certifier=claim.certifier, submitted=submitted,
                    secondary=claim.secondary, auth_number=claim.auth_number,
                    accident_date=claim.accident_date, duplicate_of=claim.claim_id)
        # A copy carries the original's billing errors; submission and payer events are its own.
        own = ("late_submission", "claim_lost", "other_payer_primary", "medical_necessity_review")
        dup.errors = [k for k in claim.errors if k not in own] + ["duplicate_submission"]
        dup.caught = ["duplicate_submission"]
        return dup

    # ------------------------------------------------------------------ notes

    def _write_notes(self, ep: Episode, state: EpisodeState, visit: Visit, kind: str,
                     procedures: list[Procedure], author: Clinician, writes_report: bool,
                     last: bool, plans: list[PlanOfCare], reported: tuple[int, int]) -> None:
        writer = self.notes
        fraction = min(1.0, state.treatment_days / max(state.visits_planned, 1))
        if kind == "evaluation":
            writer.add(writer.evaluation(ep, state, visit.day, procedures))
        for plan in plans:
            if plan.recertification:  # the therapist reports progress with the recertification
                period = reported if plan.written < visit.day else None
                writer.add(writer.progress(ep, state, plan.written, fraction, period))
            writer.add(writer.plan_of_care(ep, state, plan))
        if kind == "re_evaluation":
            writer.add(writer.re_evaluation(ep, state, visit.day, procedures, fraction))
        elif kind == "treatment":
            writer.add(writer.daily(ep, state, visit, procedures, author))
        if writes_report:
            writer.add(writer.progress(ep, state, visit.day, fraction))
        discharge = self._discharge(ep, visit) if last else None
        if discharge is not None and discharge[0] <= self.today:
            writer.add(writer.discharge(ep, state, discharge[0], fraction, stopped=discharge[1]))

    def _discharge(self, ep: Episode, visit: Visit) -> tuple[date, bool] | None:
        """The discharge summary after an episode's last visit: its day, and whether the patient
        stopped coming (written a month later); None while still in treatment today."""
        if ep.eval_only:
            return None
        if ep.ends_early:
            return visit.day + timedelta(days=30), True
        if ep.course_end is None or ep.course_end <= self.today:
            return visit.day, False
        return None


def _plan_on(plans: list[PlanOfCare], day: date) -> PlanOfCare | None:
    current = None
    for plan in plans:
        if plan.start <= day:
            current = plan
    return current

