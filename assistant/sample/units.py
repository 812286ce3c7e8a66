"""Timed minutes to billed units, under either payer rule (fact sheet section 3).

`cms`: all timed minutes of the day are pooled, the total sets the units (8-22 = 1, 23-37 = 2
...), each code gets its full 15-minute units and the rest go to the largest leftovers.
`per_code`: each code is rounded on its own (>= 8 minutes of that code for the first unit).
The sample bills with these; the OT checks judge claims with their own implementation.
"""

from __future__ import annotations

from collections.abc import Mapping

from assistant.domain import UnitRule


def units_for_minutes(minutes: int) -> int:
    """Units for one block of timed minutes: floor((T + 7) / 15) once T >= 8."""
    return (minutes + 7) // 15 if minutes >= 8 else 0


def cms_units(minutes: Mapping[str, int]) -> dict[str, int]:
    """Total-time allocation; between equal leftovers the code with more minutes in all gets
    the unit (the service with the most time), then the code listed first."""
    total_units = units_for_minutes(sum(minutes.values()))
    units = {code: m // 15 for code, m in minutes.items()}
    remaining = total_units - sum(units.values())
    order = sorted(minutes, key=lambda code: (-(minutes[code] % 15), -minutes[code]))
    for code in order[:max(remaining, 0)]:
        units[code] += 1
    return units


def per_code_units(minutes: Mapping[str, int]) -> dict[str, int]:
    return {code: units_for_minutes(m) for code, m in minutes.items()}


def timed_units(minutes: Mapping[str, int], rule: UnitRule) -> dict[str, int]:
    return cms_units(minutes) if rule is UnitRule.CMS else per_code_units(minutes)
