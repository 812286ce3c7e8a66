"""Minutes to units: the 8-minute rule under CMS total time or per code (fact sheet section 3).

CMS (3.1-3.3): the day's timed minutes are added up, the total fixes the units, full
15-minute blocks go to their codes and the remaining units go to the codes with the most
leftover minutes. Per code (3.4): each code is rounded on its own and leftovers are never
pooled. Untimed codes bill 1 unit and stay out of the timed total (0.3). An add-on and its
base (97129/97130) are one service whose first unit is the base code (MP-1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

from assistant.errors import InvalidInput
from assistant.kinds import UnitRule
from assistant.rules.codes import add_ons_of, cpt

UNIT_MINUTES = 15
MIDPOINT = 8  # a 15-minute unit is reached once 8 minutes are passed


def units_of_minutes(minutes: int) -> int:
    """The 3.1 table: 8-22 -> 1, 23-37 -> 2 ...; under 8 minutes -> 0."""
    return (minutes + 7) // UNIT_MINUTES if minutes >= MIDPOINT else 0


@dataclass(frozen=True)
class UnitsResult:
    rule: UnitRule
    total_minutes: int  # timed minutes of the 15-minute codes (the pool)
    total_units: int  # timed units billed for them
    units: dict[str, int]  # every code: timed, untimed and add-ons
    notes: tuple[str, ...]
    untimed_units: int = 0
    # Every allocation the rule accepts, `units` first: more than one only when equal leftover
    # minutes compete for the last units, which the clinician then chooses (3.3, CMS-2).
    alternatives: tuple[dict[str, int], ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule.value, "total_minutes": self.total_minutes,
                "total_units": self.total_units, "untimed_units": self.untimed_units,
                "units": dict(self.units), "alternatives": [dict(a) for a in self.alternatives],
                "notes": list(self.notes)}


@dataclass
class _Service:
    """One timed service: a code, or a base code with its add-on(s), with the day's minutes."""

    base: str
    add_on: str | None
    minutes: int
    unit_minutes: int
    units: int = 0


def _services(minutes_by_code: Mapping[str, int], notes: list[str]) -> tuple[list[_Service], dict[str, int]]:
    """Timed services in input order, and the untimed codes with their 1 unit."""
    services: dict[str, _Service] = {}
    untimed: dict[str, int] = {}
    for raw_code, minutes in minutes_by_code.items():
        code = raw_code.strip().upper()
        if minutes < 0:
            raise InvalidInput(f"{code}: minutes cannot be negative ({minutes})")
        info = cpt(code)
        if info is None:
            untimed[code] = 1
            notes.append(f"{code} is not in the OT code table: counted as untimed (1 unit, minutes "
                         "left out of the timed total); check it is not a timed code")
            continue
        if not info.timed:
            untimed[code] = 1
            continue
        if info.is_add_on:
            base = info.add_on_of[0]
            if base not in {c.strip().upper() for c in minutes_by_code}:
                notes.append(f"{code} is an add-on: its first unit is billed as {base}, which must "
                             "be on the same day (alone it denies with N122)")
            service = services.setdefault(base, _Service(base, code, 0, _unit_minutes(base)))
            service.add_on = code
            service.minutes += minutes
            continue
        add_ons = add_ons_of(code)
        service = services.setdefault(code, _Service(code, add_ons[0] if add_ons else None, 0,
                                                     info.unit_minutes))
        service.minutes += minutes
    return list(services.values()), untimed


def _unit_minutes(code: str) -> int:
    info = cpt(code)
    return info.unit_minutes if info else UNIT_MINUTES


def _long_base_units(service: _Service, notes: list[str]) -> None:
    """A base code longer than 15 minutes (97550: 30): reached at its midpoint, then 15-min add-ons.

    Derived (D) from the CPT midpoint convention (S10); kept out of the 15-minute pool.
    """
    half = service.unit_minutes // 2
    if service.minutes <= half:
        service.units = 0
        notes.append(f"{service.base}: {service.minutes} min does not pass the midpoint of its "
                     f"{service.unit_minutes}-minute unit; not billable")
        return
    extra = units_of_minutes(service.minutes - service.unit_minutes)
    service.units = 1 + extra
    notes.append(f"{service.base} is a {service.unit_minutes}-minute code: billed on its own "
                 f"(midpoint rule), outside the 15-minute total")


def _allocate_cms(services: list[_Service], notes: list[str]) -> tuple[int, int, list[set[str]]]:
    """Full 15-minute blocks to their services, then the extra units to the largest leftovers.

    Returns the timed minutes, the units, and every accepted choice of services getting an
    extra unit (more than one when equal leftovers compete for the last units).
    """
    total = sum(s.minutes for s in services)
    allowed = units_of_minutes(total)
    for s in services:
        s.units = s.minutes // UNIT_MINUTES
    remaining = allowed - sum(s.units for s in services)
    ranked = sorted((s for s in services if s.minutes % UNIT_MINUTES),
                    key=lambda s: -(s.minutes % UNIT_MINUTES))
    choices = [{s.base for s in ranked[:remaining]}]
    if 0 < remaining < len(ranked):
        cut = ranked[remaining - 1].minutes % UNIT_MINUTES
        tied = [s.base for s in ranked if s.minutes % UNIT_MINUTES == cut]
        if len(tied) > 1:
            sure = {s.base for s in ranked if s.minutes % UNIT_MINUTES > cut}
            given = [s.base for s in ranked[:remaining] if s.minutes % UNIT_MINUTES == cut]
            choices = [set(given) | sure] + [sure | set(pick) for pick in combinations(tied, len(given))
                                              if set(pick) != set(given)]
            notes.append(f"tie: {', '.join(tied)} have {cut} min left over each; the clinician "
                         f"chooses which gets the extra unit (given to {', '.join(given)})")
    if total and allowed == 0:
        notes.append(f"{total} timed min is under 8: no timed unit can be billed")
    notes.append(f"CMS total time: {total} timed min = {allowed} unit{'s' if allowed != 1 else ''}; "
                 "full 15-min blocks first, extra units to the most leftover minutes")
    return total, allowed, choices


def _allocate_per_code(services: list[_Service], notes: list[str]) -> tuple[int, int]:
    for s in services:
        s.units = units_of_minutes(s.minutes)
        if 0 < s.minutes < MIDPOINT:
            notes.append(f"{s.base}: {s.minutes} min is under 8 on its own: 0 units (per code, "
                         "leftovers are not pooled)")
    total = sum(s.minutes for s in services)
    return total, sum(s.units for s in services)


def units_for(minutes_by_code: Mapping[str, int], rule: UnitRule) -> UnitsResult:
    """Units per code for one patient's day of service under the payer's unit rule."""
    notes: list[str] = []
    services, untimed = _services(minutes_by_code, notes)
    long_services = [s for s in services if s.unit_minutes > UNIT_MINUTES]
    pool = [s for s in services if s.unit_minutes <= UNIT_MINUTES]
    for s in long_services:
        _long_base_units(s, notes)
    choices: list[set[str]] = [set()]
    if not pool:
        total_minutes = total_units = 0
    elif rule is UnitRule.CMS:
        total_minutes, total_units, choices = _allocate_cms(pool, notes)
    else:
        total_minutes, total_units = _allocate_per_code(pool, notes)
        notes.append(f"per code: each timed code rounded on its own ({total_minutes} timed min "
                     f"-> {total_units} units)")
    given = {c.strip().upper() for c in minutes_by_code}
    alternatives = tuple({**_code_units(services, extra, given), **untimed} for extra in choices)
    if untimed:
        notes.append(f"untimed {', '.join(untimed)}: 1 unit each, minutes not in the timed total")
    return UnitsResult(rule, total_minutes, total_units, alternatives[0], tuple(notes),
                       untimed_units=sum(untimed.values()), alternatives=alternatives)


def _code_units(services: list[_Service], extra: set[str], given: set[str]) -> dict[str, int]:
    """Units per code, with one more unit for the services in `extra`; a base code with an
    add-on bills the first unit and its add-on the rest."""
    units: dict[str, int] = {}
    for s in services:
        n = s.units + (1 if s.base in extra else 0)
        base_units = min(n, 1) if s.add_on else n
        units[s.base] = base_units
        if s.add_on and (n > base_units or s.add_on in given):
            units[s.add_on] = n - base_units
    return units


def parse_minutes(pairs: list[str] | tuple[str, ...]) -> dict[str, int]:
    """["97110=33", "97140=7"] -> {"97110": 33, "97140": 7}; a code given twice adds up."""
    out: dict[str, int] = {}
    for pair in pairs:
        code, sep, minutes = pair.partition("=")
        code = code.strip().upper()
        if not sep or not code or not minutes.strip().isdigit():
            raise InvalidInput(f"expected CODE=MINUTES (e.g. 97110=23), got {pair!r}")
        out[code] = out.get(code, 0) + int(minutes)
    return out
