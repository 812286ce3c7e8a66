"""The 8-minute rule: every worked example of the fact sheet (3.1, 3.3, 3.4) and its properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.domain import UnitRule
from assistant.errors import InvalidInput
from assistant.rules.units import parse_minutes, units_for, units_of_minutes

CMS, PER_CODE = UnitRule.CMS, UnitRule.PER_CODE

# (id, minutes by code, total timed minutes, total timed units, acceptable answers)
# Where the source lets the clinician break a tie, every acceptable answer is listed.
WORKED = [
    ("CMS-1", {"97112": 24, "97110": 23}, 47, 3, [{"97112": 2, "97110": 1}]),
    ("CMS-2", {"97112": 20, "97110": 20}, 40, 3, [{"97112": 2, "97110": 1}, {"97112": 1, "97110": 2}]),
    ("CMS-3", {"97110": 33, "97140": 7}, 40, 3, [{"97110": 2, "97140": 1}]),
    ("CMS-4", {"97110": 18, "97140": 13, "97116": 10, "97035": 8}, 49, 3,
     [{"97110": 1, "97140": 1, "97116": 1, "97035": 0}]),
    ("CMS-5", {"97112": 7, "97110": 7, "97140": 7}, 21, 1,
     [{"97112": 1, "97110": 0, "97140": 0}, {"97112": 0, "97110": 1, "97140": 0},
      {"97112": 0, "97110": 0, "97140": 1}]),
    ("NOR-1", {"97140": 20, "97110": 20}, 40, 3, [{"97140": 2, "97110": 1}, {"97140": 1, "97110": 2}]),
    ("NOR-2", {"97140": 35, "97035": 7}, 42, 3, [{"97140": 2, "97035": 1}]),
    ("WPT-1", {"97110": 30, "97140": 15, "97035": 8, "97014": 30}, 53, 4,
     [{"97110": 2, "97140": 1, "97035": 1, "97014": 1}]),
    ("WPT-1/G0283", {"97110": 30, "97140": 15, "97035": 8, "G0283": 30}, 53, 4,
     [{"97110": 2, "97140": 1, "97035": 1, "G0283": 1}]),
    ("WPT-2", {"97140": 15, "97035": 8}, 23, 2, [{"97140": 1, "97035": 1}]),
    ("UTH-1", {"97110": 18, "97140": 10}, 28, 2, [{"97110": 1, "97140": 1}]),
    ("DC-1", {"97110": 10, "97112": 10}, 20, 1, [{"97110": 1, "97112": 0}, {"97110": 0, "97112": 1}]),
    ("RCM-1", {"97140": 25, "97110": 25, "97010": 10}, 50, 3,
     [{"97140": 2, "97110": 1, "97010": 1}, {"97140": 1, "97110": 2, "97010": 1}]),
    ("PR-1", {"97530": 60}, 60, 4, [{"97530": 4}]),
    ("PR-2", {"97530": 50}, 50, 3, [{"97530": 3}]),
    ("MP-1", {"97129": 45}, 45, 3, [{"97129": 1, "97130": 2}]),
    ("MP-1 split", {"97129": 15, "97130": 30}, 45, 3, [{"97129": 1, "97130": 2}]),
]


@pytest.mark.parametrize(("case", "minutes", "total", "units", "answers"), WORKED, ids=[w[0] for w in WORKED])
def test_cms_worked_examples(case: str, minutes: dict[str, int], total: int, units: int,
                             answers: list[dict[str, int]]) -> None:
    result = units_for(minutes, CMS)
    assert result.total_minutes == total
    assert result.total_units == units
    assert result.units in answers


@pytest.mark.parametrize(("case", "minutes", "total", "units", "answers"), WORKED, ids=[w[0] for w in WORKED])
def test_every_acceptable_answer_is_an_alternative(case: str, minutes: dict[str, int], total: int, units: int,
                                                  answers: list[dict[str, int]]) -> None:
    result = units_for(minutes, CMS)
    assert result.alternatives[0] == result.units
    assert sorted(map(sorted, (a.items() for a in result.alternatives))) == \
        sorted(map(sorted, (a.items() for a in answers)))


def test_a_tie_is_named_as_the_clinicians_choice() -> None:
    result = units_for({"97112": 20, "97110": 20}, CMS)
    assert any("tie" in n and "clinician" in n for n in result.notes)
    assert not any("tie" in n for n in units_for({"97112": 24, "97110": 23}, CMS).notes)


def test_untimed_minutes_stay_out_of_the_total() -> None:
    result = units_for({"97110": 30, "97140": 15, "97035": 8, "97014": 30}, CMS)
    assert result.total_minutes == 53 and result.untimed_units == 1
    assert any("untimed 97014" in n for n in result.notes)
    evaluation = units_for({"97165": 45, "97530": 20}, CMS)
    assert evaluation.units == {"97165": 1, "97530": 1} and evaluation.total_minutes == 20


# The 3.1 table, single timed code: 7->0, 8->1, 22->1, 23->2 ... 127->8.
BOUNDARIES = [(7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (52, 3), (53, 4), (67, 4), (68, 5),
              (82, 5), (83, 6), (97, 6), (98, 7), (112, 7), (113, 8), (127, 8)]


@pytest.mark.parametrize(("minutes", "units"), BOUNDARIES)
def test_units_table_boundaries(minutes: int, units: int) -> None:
    assert units_of_minutes(minutes) == units
    assert units_for({"97110": minutes}, CMS).units == {"97110": units}
    assert units_for({"97110": minutes}, PER_CODE).units == {"97110": units}


def test_under_eight_minutes_bills_nothing() -> None:
    result = units_for({"97530": 7}, CMS)
    assert result.units == {"97530": 0}
    assert any("under 8" in n for n in result.notes)


# Section 3.4: the same minutes per code (the 'Per-code' column).
PER_CODE_CASES = [
    ({"97112": 24, "97110": 23}, 4, {"97112": 2, "97110": 2}),
    ({"97112": 20, "97110": 20}, 2, {"97112": 1, "97110": 1}),
    ({"97110": 33, "97140": 7}, 2, {"97110": 2, "97140": 0}),
    ({"97110": 18, "97140": 13, "97116": 10, "97035": 8}, 4, {"97110": 1, "97140": 1, "97116": 1, "97035": 1}),
    ({"97112": 7, "97110": 7, "97140": 7}, 0, {"97112": 0, "97110": 0, "97140": 0}),
    ({"97140": 35, "97035": 7}, 2, {"97140": 2, "97035": 0}),
    ({"97110": 10, "97112": 10}, 2, {"97110": 1, "97112": 1}),
    ({"97140": 25, "97110": 25}, 4, {"97140": 2, "97110": 2}),
    ({"97110": 10}, 1, {"97110": 1}),  # WPH-1, published by WebPT (S106)
    ({"97110": 10, "97116": 10}, 2, {"97110": 1, "97116": 1}),  # WPH-1
]


@pytest.mark.parametrize(("minutes", "total", "units"), PER_CODE_CASES)
def test_per_code_examples(minutes: dict[str, int], total: int, units: dict[str, int]) -> None:
    result = units_for(minutes, PER_CODE)
    assert result.total_units == total and result.units == units


def test_add_on_alone_is_billed_from_its_base() -> None:
    result = units_for({"97130": 30}, CMS)
    assert result.units == {"97129": 1, "97130": 1}
    assert any("N122" in n for n in result.notes)


def test_thirty_minute_caregiver_code_uses_its_midpoint() -> None:
    assert units_for({"97550": 15}, CMS).units["97550"] == 0
    assert units_for({"97550": 16}, CMS).units == {"97550": 1}
    assert units_for({"97550": 40}, CMS).units == {"97550": 1, "97551": 1}


def test_unknown_code_is_untimed_and_said_so() -> None:
    result = units_for({"99999": 20, "97110": 20}, CMS)
    assert result.units == {"97110": 1, "99999": 1} and result.total_minutes == 20
    assert any("99999" in n and "not in the OT code table" in n for n in result.notes)


def test_parse_minutes() -> None:
    assert parse_minutes(["97110=33", "97140=7", "97110=2"]) == {"97110": 35, "97140": 7}
    for bad in ("97110", "97110=", "=5", "97110=-3", "97110=ten"):
        with pytest.raises(InvalidInput):
            parse_minutes([bad])


TIMED = ["97110", "97112", "97116", "97140", "97530", "97535", "97035", "97033", "97032", "97542"]
minutes_maps = st.dictionaries(st.sampled_from(TIMED), st.integers(min_value=0, max_value=130),
                               min_size=1, max_size=6)


@given(minutes_maps)
def test_cms_units_never_exceed_the_units_of_the_total(minutes: dict[str, int]) -> None:
    result = units_for(minutes, CMS)
    total = sum(minutes.values())
    assert sum(result.units.values()) <= units_of_minutes(total)
    assert result.total_units == sum(result.units.values())
    # R2: a code done 15 min or more gets at least its full 15-minute blocks.
    for code, m in minutes.items():
        assert result.units[code] >= m // 15


@given(minutes_maps)
def test_cms_alternatives_differ_only_where_leftovers_tie(minutes: dict[str, int]) -> None:
    result = units_for(minutes, CMS)
    assert len({tuple(sorted(a.items())) for a in result.alternatives}) == len(result.alternatives)
    for alternative in result.alternatives:
        assert sum(alternative.values()) == result.total_units
        changed = {code for code in minutes if alternative[code] != result.units[code]}
        assert len({minutes[code] % 15 for code in changed}) <= 1  # only equal leftovers trade a unit
        assert all(abs(alternative[code] - result.units[code]) == 1 for code in changed)


@given(minutes_maps)
def test_per_code_units_are_the_sum_of_each_codes_own(minutes: dict[str, int]) -> None:
    result = units_for(minutes, PER_CODE)
    assert result.units == {code: units_of_minutes(m) for code, m in minutes.items()}
    assert result.total_units == sum(units_of_minutes(m) for m in minutes.values())


@given(st.integers(min_value=0, max_value=1000))
def test_closed_form_matches_the_table_pattern(minutes: int) -> None:
    expected = minutes // 15 + (1 if minutes % 15 >= 8 else 0) if minutes >= 8 else 0
    assert units_of_minutes(minutes) == expected
