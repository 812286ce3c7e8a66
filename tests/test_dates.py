"""Dates as exports and notes write them: every written form reads back as the same day."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.dates import parse_flexible
from assistant.errors import InvalidInput

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FULL = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December"]


def written(day: date) -> list[str]:
    short, full = MONTHS[day.month - 1], FULL[day.month - 1]
    return [day.isoformat(), f"{day:%m/%d/%Y}", f"{day.month}/{day.day}/{day.year}", f"{day:%Y%m%d}",
            f"{short} {day.day}, {day.year}", f"{full} {day.day} {day.year}", f"{short}. {day.day}, {day.year}",
            f"{day.day} {short} {day.year}", f"{day.day:02d}-{short}-{day.year}", f"{day:%d.%m.%Y}",
            f"{day.isoformat()} 00:00:00", f"{day:%m/%d/%Y} 10:15 AM", f"{short.upper()} {day.day}, {day.year}"]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_every_written_form_reads_back(day: date) -> None:
    for text in written(day):
        assert parse_flexible(text) == day, text


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_a_two_digit_year_with_a_month_name_is_this_century(day: date) -> None:
    assert parse_flexible(f"{day.day}-{MONTHS[day.month - 1]}-{day:%y}") == day


@pytest.mark.parametrize("text", ["Nov 31, 2026", "Foo 3, 2026", "Nov 2026", "31.02.2026", "13/01/2026",
                                  "Total Health", ""])
def test_what_is_not_a_date_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_flexible(text)


@given(st.text(max_size=40))
def test_any_text_is_a_date_or_invalid_input(text: str) -> None:
    with contextlib.suppress(InvalidInput):
        parse_flexible(text)
