"""Planning the practice's year: who comes, with what, covered by whom, and when they are seen.

Episodes arrive on random open days from a little before the window to "today"; each one has
its own random stream (seeded from the sample seed and its number), so its plan and later its
visits do not depend on any other episode. Planning stops when the visits inside the window
(plus planted duplicate submissions) reach the number of claims asked for.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

from assistant.domain import PayerKind
from assistant.sample.calendar import add_open_days, is_open, next_open
from assistant.sample.ids import from_pattern
from assistant.sample.inputs import Clinician, Condition, PayerProfile, Profile
from assistant.sample.model import (
    Authorization,
    Coverage,
    Episode,
    Patient,
    Person,
    PlanOfCare,
    Visit,
)

T = TypeVar("T")

# Episodes may have started this long before the window; their earlier visits are not billed
# in the sample (they fall outside the 12 months) but their evaluation and plan are on file.
LEAD_DAYS = 70
# Above this many claims, only a share of patients get note files (about this many claims'
# worth), so a benchmark build does not write a million small files.
NOTES_CLAIMS_LIMIT = 25_000


class _Spent(random.Random):
    """Stands in for a random stream no longer needed; drawing from it is a bug."""

    def random(self) -> float:
        raise RuntimeError("drew from a spent random stream")

    def getrandbits(self, k: int, /) -> int:
        raise RuntimeError("drew from a spent random stream")


SPENT = _Spent(0)


class Weighted(Generic[T]):
    """A fixed weighted choice, prepared once: the same draw as `random.choices` makes."""

    __slots__ = ("cumulative", "keys", "total")

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.keys = list(weights)
        self.cumulative = list(accumulate(weights[k] for k in self.keys))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.keys[bisect(self.cumulative, rng.random() * self.total, 0, len(self.keys) - 1)]


def chance(rng: random.Random, rate: float) -> bool:
    return rng.random() < rate


@dataclass
class Tally:
    """How many units were eligible for each planted kind, and how many got it."""

    eligible: dict[str, int] = field(default_factory=dict)
    planted: dict[str, int] = field(default_factory=dict)

    def consider(self, kind: str, rng: random.Random, rate: float) -> bool:
        self.eligible[kind] = self.eligible.get(kind, 0) + 1
        hit = chance(rng, rate)
        if hit:
            self.planted[kind] = self.planted.get(kind, 0) + 1
        return hit

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {kind: {"eligible": n, "planted": self.planted.get(kind, 0)}
                for kind, n in sorted(self.eligible.items())}


class Planner:
    def __init__(self, profile: Profile, *, today: date, claims: int, seed: int) -> None:
        self.profile = profile
        self.today = today
        self.target = claims
        self.seed = seed
        self.schedule = profile.schedule
        self.window_start = today - timedelta(days=int(self.schedule["window_days"]) - 1)
        self.first_arrival = self.window_start - timedelta(days=LEAD_DAYS)
        self.arrival_days = [d for d in _days(self.first_arrival, today) if is_open(d)]
        self.notes_share = min(1.0, NOTES_CLAIMS_LIMIT / max(claims, 1))
        self.tally = Tally()
        self.patients = 0
        self._payer_mix = Weighted({p: p.mix for p in profile.payers})
        self._cities = Weighted({i: float(c["weight"]) for i, c in enumerate(profile.places["cities"])})
        self._therapists = Weighted({t: t.share for t in profile.therapists})
        self._lag = Weighted({int(k): float(v) for k, v in self.schedule["submission_lag"].items()})
        self._conditions = {
            group: Weighted({c: c.groups[group] for c in profile.conditions if c.groups.get(group)})
            for group in ("senior", "adult", "work")
        }
        self.per_week = {c.key: Weighted(c.per_week) for c in profile.conditions}
        self.evals = {c.key: Weighted(c.evals) for c in profile.conditions}
        self.interventions = {c.key: Weighted(c.interventions) for c in profile.conditions}

    # ------------------------------------------------------------------ the plan

    def plan(self) -> list[Episode]:
        """Episodes, sorted by start, whose billable visits add up to exactly `claims`."""
        episodes: list[Episode] = []
        total = 0
        number = 0
        while total < self.target:
            number += 1
            rng = random.Random(f"{self.seed}:episode:{number}")
            episode = self._new_episode(number, rng)
            for ep in self._with_return_visit(episode):
                ep.rng = SPENT  # a million-claim year plans 150,000 episodes: keep no streams
                total += self._billable(ep)
                episodes.append(ep)
                if total >= self.target:
                    break
        self._trim(episodes, total - self.target)
        episodes = [ep for ep in episodes if ep.visits]
        self.patients = len({ep.patient.account for ep in episodes if self._billable(ep)})
        episodes.sort(key=lambda ep: (ep.start, ep.number))
        for ep in episodes:
            ep.rng = random.Random(f"{self.seed}:paperwork:{ep.number}")
            self._plan_paperwork(ep)
            ep.rng = SPENT
        return episodes

    def _billable(self, ep: Episode) -> int:
        return sum(1 + v.duplicate for v in ep.visits if v.day >= self.window_start)

    def _trim(self, episodes: list[Episode], excess: int) -> None:
        """Drop the last planned visits so the claims come out exact."""
        while excess > 0 and episodes:
            ep = episodes[-1]
            visit = ep.visits[-1]
            if visit.day >= self.window_start:
                if visit.duplicate:
                    visit.duplicate = False
                    excess -= 1
                    continue
                excess -= 1
            ep.visits.pop()
            ep.ends_early = True
            if not ep.visits:
                episodes.pop()

    def _with_return_visit(self, first: Episode) -> list[Episode]:
        """Some patients come back later in the year with something new."""
        rng = first.rng
        last = first.visits[-1].day if first.visits else first.start
        earliest = last + timedelta(days=30)
        if earliest >= self.today or not chance(rng, float(self.schedule["second_episode"])):
            return [first]
        start = next_open(earliest + timedelta(days=rng.randint(0, 120)))
        if start > self.today:
            return [first]
        second_rng = random.Random(f"{self.seed}:episode:{first.number}:return")
        condition = self._condition(second_rng, first.coverage.payer, _age(first.patient.person.dob, start))
        second = self._episode(-first.number, second_rng, first.patient, first.coverage,
                               first.secondary, condition, start)
        return [first, second]

    # ------------------------------------------------------------------ people

    def _new_episode(self, number: int, rng: random.Random) -> Episode:
        payer = self._payer_mix.pick(rng)
        age = rng.randint(*payer.ages)
        if payer.kind is not PayerKind.MEDICARE and payer.kind is not PayerKind.MEDICARE_ADVANTAGE:
            age = min(age, rng.randint(*payer.ages))  # commercial and Medicaid skew younger
        start = rng.choice(self.arrival_days)
        person = self._person(rng, age, start)
        patient = Patient(account=f"A{100000 + number}", person=person,
                          with_notes=chance(rng, self.notes_share))
        coverage = self._coverage(rng, payer, person)
        secondary = None
        if payer.secondary:
            weights = dict(payer.secondary)
            roll = rng.random()
            for name, share in weights.items():
                if roll < share:
                    secondary = self._coverage(rng, self.profile.payer(name), person, priority=2)
                    break
                roll -= share
        condition = self._condition(rng, payer, age)
        return self._episode(number, rng, patient, coverage, secondary, condition, start)

    def _person(self, rng: random.Random, age: int, on: date) -> Person:
        names = self.profile.names
        sex = "F" if chance(rng, 0.57) else "M"
        dob = on - timedelta(days=age * 365 + rng.randint(0, 364))
        era = "older" if dob.year < 1965 else "younger"
        first = rng.choice(names["female" if sex == "F" else "male"][era])
        last = rng.choice(names["surnames"]["list"])
        places = self.profile.places
        city = self._cities.pick(rng)
        where = places["cities"][city]
        unit = rng.choice(places["streets"]["units"])
        street = f"{rng.randint(100, 19999)} {rng.choice(places['streets']['list'])}"
        return Person(last_name=last, first_name=first, dob=dob, sex=sex,
                      address1=f"{street} {unit}".strip(), city=where["city"], state=where["state"],
                      zip=rng.choice(where["zips"]))

    def _coverage(self, rng: random.Random, payer: PayerProfile, person: Person,
                  priority: int = 1) -> Coverage:
        coverage = Coverage(payer=payer, member_id=from_pattern(payer.member_pattern, rng),
                            group_number=from_pattern(payer.group_pattern, rng), priority=priority)
        if payer.kind is PayerKind.COMMERCIAL:
            if priority == 1 and chance(rng, float(self.schedule["dependents"])):
                names = self.profile.names
                sex = "M" if person.sex == "F" else "F"
                dob = person.dob + timedelta(days=rng.randint(-2500, 2500))
                era = "older" if dob.year < 1965 else "younger"
                coverage.subscriber = Person(
                    last_name=person.last_name,
                    first_name=rng.choice(names["female" if sex == "F" else "male"][era]),
                    dob=dob, sex=sex, address1=person.address1, city=person.city,
                    state=person.state, zip=person.zip)
                coverage.relationship = "01"
            if payer.deductible[1]:
                coverage.deductible_cents = rng.randrange(payer.deductible[0], payer.deductible[1] + 1,
                                                          250) * 100
        if payer.copay[1]:
            coverage.copay_cents = rng.randrange(payer.copay[0], payer.copay[1] + 1, 5) * 100
        if payer.kind is PayerKind.WORKERS_COMP:
            coverage.employer = rng.choice(self.profile.places["employers"]["list"])
        return coverage

    def _condition(self, rng: random.Random, payer: PayerProfile, age: int) -> Condition:
        if payer.kind is PayerKind.WORKERS_COMP:
            group = "work"
        elif age >= 65 or payer.kind in (PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE):
            group = "senior"
        else:
            group = "adult"
        return self._conditions[group].pick(rng)

    def _therapist(self, rng: random.Random) -> Clinician:
        return self._therapists.pick(rng)

    def _certifier(self, rng: random.Random, condition: Condition) -> Clinician:
        referring = [p for p in self.profile.physicians if condition.key in p.refers]
        return rng.choice(referring or list(self.profile.physicians))

    # ------------------------------------------------------------------ the course of care

    def _episode(self, number: int, rng: random.Random, patient: Patient, coverage: Coverage,
                 secondary: Coverage | None, condition: Condition, start: date) -> Episode:
        schedule = self.schedule
        side = "right" if chance(rng, 0.6) else "left"
        primary = rng.choice(condition.primary).for_side(side)
        extra = rng.sample(condition.secondary, k=min(len(condition.secondary), rng.randint(1, 2)))
        diagnoses = [primary, *(d.for_side(side) for d in extra)]
        per_week = self.per_week[condition.key].pick(rng)
        weeks = rng.randint(*condition.weeks)
        ep = Episode(number=number, rng=rng, patient=patient, coverage=coverage, secondary=secondary,
                     condition=condition, side=side, therapist=self._therapist(rng),
                     certifier=self._certifier(rng, condition), start=start, planned_weeks=weeks,
                     per_week=per_week, visits=[Visit(start, 0)], diagnoses=diagnoses)
        if coverage.payer.kind is PayerKind.WORKERS_COMP:
            ep.accident_date = start - timedelta(days=rng.randint(10, 120))
        ep.maintenance = coverage.payer.is_medicare and chance(rng, condition.maintenance)
        if condition.shape == "brief":
            day = start
            for _ in range(rng.randint(*schedule["brief_followups"])):
                day = next_open(day + timedelta(days=rng.randint(7, 14)))
                ep.visits.append(Visit(day, len(ep.visits)))
            ep.course_end = day + timedelta(days=6)
        elif chance(rng, float(schedule["eval_only"])):
            ep.eval_only = True
            ep.course_end = start
        else:
            self._course(ep, start + timedelta(days=7 * weeks - 1))
        ep.visits = [v for v in ep.visits if v.day <= self.today]
        for i, visit in enumerate(ep.visits):
            visit.index = i
        self._plan_duplicates(ep)
        return ep

    def _course(self, ep: Episode, planned_end: date) -> None:
        """Visits on the episode's weekdays until the planned end (or an early stop)."""
        rng = ep.rng
        days = _weekdays(ep.start.weekday(), ep.per_week)
        attendance = float(self.schedule["attendance"])
        payer = ep.coverage.payer
        medicare_like = payer.uses_assistant_modifier
        if medicare_like and self.tally.consider("poc_lapsed", rng, self.profile.rate("poc_lapsed")):
            ep.extended = True
            ep.flags.add("poc_lapsed")
        elif chance(rng, float(self.schedule["recertified"])):
            ep.recert_weeks = rng.randint(2, 4)
        extra = rng.randint(1, 3) if ep.extended else ep.recert_weeks
        last = planned_end + timedelta(days=7 * extra)
        ep.course_end = last
        day = ep.start + timedelta(days=1)
        while day <= last:
            if day.weekday() in days and is_open(day) and chance(rng, attendance):
                ep.visits.append(Visit(day, len(ep.visits)))
            day += timedelta(days=1)
        if not (ep.extended or ep.recert_weeks) and chance(rng, float(self.schedule["dropout"])) \
                and len(ep.visits) > 2:
            keep = max(2, round(len(ep.visits) * rng.uniform(0.2, 0.8)))
            ep.visits = ep.visits[:keep]
            ep.ends_early = True

    def _plan_duplicates(self, ep: Episode) -> None:
        rate = self.profile.rate("duplicate_submission")
        for visit in ep.visits:
            if visit.day >= self.window_start and visit.day + timedelta(days=30) <= self.today:
                visit.duplicate = self.tally.consider("duplicate_submission", ep.rng, rate)

    # ------------------------------------------------------------------ paperwork

    def _plan_paperwork(self, ep: Episode) -> None:
        """Plans of care, authorization, progress-report skips and coverage changes."""
        rng = ep.rng
        payer = ep.coverage.payer
        medicare_like = payer.uses_assistant_modifier
        course_days = 7 * ep.planned_weeks
        if ep.eval_only or ep.condition.shape == "brief":
            course_days = (ep.course_end - ep.start).days + 1 if ep.course_end else 1
        self._plans(ep, course_days, medicare_like)
        treatment_days = len(ep.visits)
        if (medicare_like and treatment_days > int(self.schedule["progress_every"])
                and self.tally.consider("progress_report_missing", rng,
                                        self.profile.rate("progress_report_missing"))):
            ep.skip_report = rng.choice((1, 1, 2)) if treatment_days > 21 else 1
        if (ep.condition.shape == "therapy" and len(ep.visits) > 8
                and chance(rng, float(self.schedule["re_evaluation"]))):
            ep.re_evaluation_at = rng.randint(len(ep.visits) // 2, len(ep.visits) - 1)
        if payer.requires_auth:
            ep.authorization = self._authorization(ep, course_days)
        if (payer.kind in (PayerKind.COMMERCIAL, PayerKind.MEDICAID) and len(ep.visits) >= 4
                and self.tally.consider("coverage_terminated", rng,
                                        self.profile.rate("coverage_terminated"))):
            cut = rng.randint(len(ep.visits) // 2, len(ep.visits) - 1)
            ep.coverage_end = ep.visits[cut].day - timedelta(days=1)
            ep.flags.add("coverage_terminated")

    def _plans(self, ep: Episode, course_days: int, medicare_like: bool) -> None:
        """The initial plan for the planned course (90 days at most per plan, then a
        recertification), and a recertified plan for a course extended on purpose."""
        rng = ep.rng
        cert_low, cert_high = self.schedule["certification_days"]
        max_days = int(self.schedule["max_plan_days"])
        start = ep.start
        course_end = ep.start + timedelta(days=max(course_days, 1) - 1 + 7 * ep.recert_weeks)
        planned_end = ep.start + timedelta(days=max(course_days, 1) - 1)
        first = True
        while True:
            limit = planned_end if first and ep.recert_weeks else course_end
            end = min(limit, start + timedelta(days=max_days - 1))
            written = start if first else start - timedelta(days=rng.randint(3, 8))
            certified: date | None = written + timedelta(days=rng.randint(cert_low, cert_high))
            if (first and medicare_like and course_days > 30 and ep.condition.shape == "therapy"
                    and self.tally.consider("poc_uncertified", rng, self.profile.rate("poc_uncertified"))):
                certified = None if chance(rng, 0.2) else start + timedelta(days=rng.randint(31, 60))
                ep.flags.add("poc_uncertified")
            elif not first:
                certified = min(certified, start) if certified else None
            ep.plans.append(PlanOfCare(start=start, end=end, written=written, certified=certified,
                                       recertification=not first))
            if end >= course_end:
                break
            start = end + timedelta(days=1)
            first = False

    def _authorization(self, ep: Episode, course_days: int) -> Authorization:
        rng = ep.rng
        payer = ep.coverage.payer
        visits = len(ep.visits)
        unit_kind = payer.auth_unit_kind
        per_visit = 3 if unit_kind == "units" else 1
        approved = visits * per_visit + rng.randint(1, 4) * per_visit + (2 if unit_kind == "units" else 0)
        end = ep.start + timedelta(days=course_days + 13)
        if ep.extended or ep.recert_weeks:
            end = max(end, ep.visits[-1].day + timedelta(days=7))
        if visits >= 4:
            if self.tally.consider("auth_exhausted", rng, self.profile.rate("auth_exhausted")):
                approved = max(per_visit, (visits - rng.randint(1, 3)) * per_visit - (
                    visits if unit_kind == "units" else 0))
                ep.flags.add("auth_exhausted")
            elif self.tally.consider("auth_expired", rng, self.profile.rate("auth_expired")):
                cut = rng.randint(max(2, (visits * 3) // 4), visits - 1)
                end = ep.visits[cut].day - timedelta(days=1)
                ep.flags.add("auth_expired")
        prefix = {"medicare_advantage": "HUM", "medicaid": "PA", "commercial": "ASH",
                  "workers_comp": "WC"}.get(payer.kind.value, "AU")
        codes: tuple[str, ...] = ()
        if chance(rng, 0.3):
            codes = _authorized_codes(ep.condition)
        return Authorization(number=f"{prefix}{rng.randint(10_000_000, 99_999_999)}", payer=payer,
                             unit_kind=unit_kind, approved=approved, start=ep.start, end=end,
                             codes=codes)

    # ------------------------------------------------------------------ dates

    def submission_date(self, rng: random.Random, dos: date) -> date:
        return min(add_open_days(dos, self._lag.pick(rng)), self.today)


def _authorized_codes(condition: Condition) -> tuple[str, ...]:
    """What an authorization that lists codes approves: everything the course may bill."""
    codes = {*condition.evals, "97168", *condition.interventions}
    for share, extra in ((condition.orthosis, ("97760", "97763")), (condition.group, ("97150",)),
                         (condition.cognitive, ("97129", "97130")), (condition.estim, ("G0283", "97014")),
                         (condition.paraffin, ("97018",))):
        if share > 0:
            codes.update(extra)
    return tuple(sorted(codes))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _weekdays(start_weekday: int, per_week: int) -> Sequence[int]:
    if per_week >= 3:
        return (0, 2, 4)
    if per_week == 2:
        return (1, 3) if start_weekday in (1, 3) else (0, 2) if start_weekday in (0, 2) else (1, 4)
    return (start_weekday,)


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
