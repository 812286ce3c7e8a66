"""A report's period in words: "this month", "ytd", "last quarter", "in october", "q3 2026",
"since 10/1", "from 9/1 to 9/30", "2025". Periods look back: a month or a day without a year
is the latest one not after today (a report of "december" in November is last December)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from assistant.dates import add_months, month_number

Period = tuple[date, date]

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_YEAR = r"(?:19|20)\d\d"
_DAY = (r"(?:" + _YEAR + r"-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/(?:" + _YEAR + r"|\d\d))?"
        r"|" + _MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+" + _YEAR + r")?)")

_RANGE = re.compile(r"\b(?:from|between)\s+(?P<a>" + _DAY + r")\s*(?:to|through|thru|until|and|-)\s*(?P<b>"
                    + _DAY + r")\b")
_SINCE = re.compile(r"\b(?:since|after|from)\s+(?P<a>" + _DAY + r")\b")
_TO_DATE = re.compile(r"\b(?P<span>ytd|mtd|qtd|(?P<unit>year|month|quarter)[\s-]+to[\s-]+date)\b")
_RELATIVE = re.compile(r"\b(?P<which>this|current|last|previous|prior)\s+(?P<unit>week|month|quarter|year)\b")
_QUARTER = re.compile(r"\b(?:q(?P<q>[1-4])|(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)"
                      r"(?:\s+(?:of\s+)?(?P<y>" + _YEAR + r"))?\b")
_NAMED_MONTH = re.compile(r"\b(?:in|for|during|of)\s+(?P<m>" + _MONTH + r")\.?(?:\s+(?P<y>" + _YEAR + r"))?\b"
                          r"(?!\s*\d)")
_NAMED_YEAR = re.compile(r"\b(?:in|for|during|of)\s+(?P<y>" + _YEAR + r")\b")
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


def report_period(text: str, today: date) -> Period | None:
    """The period a report is asked for, first day to last (never after today), or None."""
    low = " ".join(text.lower().split())
    if m := _RANGE.search(low):
        a, b = _past_day(m["a"], today), _past_day(m["b"], today)
        if a and b:
            if b < a and b.year == a.year and not _has_year(m["b"]):
                b = b.replace(year=b.year + 1)
            return _clip(min(a, b), max(a, b), today)
    if (m := _SINCE.search(low)) and (a := _past_day(m["a"], today)) is not None:
        return _clip(a, today, today)
    if m := _TO_DATE.search(low):
        unit = m["unit"] or {"y": "year", "m": "month", "q": "quarter"}[m["span"][0]]
        return _start_of(unit, today), today
    if m := _RELATIVE.search(low):
        start = _start_of(m["unit"], today)
        if m["which"] in ("this", "current"):
            return start, today
        previous_start = _start_of(m["unit"], start - timedelta(days=1))
        return previous_start, start - timedelta(days=1)
    if m := _QUARTER.search(low):
        q = int(m["q"]) if m["q"] else _QUARTER_WORDS[m["qw"]]
        year = int(m["y"]) if m["y"] else today.year
        start = date(year, 3 * q - 2, 1)
        if start > today and not m["y"]:
            start = start.replace(year=year - 1)
        return _clip(start, add_months(start, 3, 1) - timedelta(days=1), today)
    if m := _NAMED_MONTH.search(low):
        month = _month_of(m["m"])
        year = int(m["y"]) if m["y"] else today.year
        start = date(year, month, 1)
        if start > today and not m["y"]:
            start = start.replace(year=year - 1)
        return _clip(start, add_months(start, 1, 1) - timedelta(days=1), today)
    if m := _NAMED_YEAR.search(low):
        return _clip(date(int(m["y"]), 1, 1), date(int(m["y"]), 12, 31), today)
    return None


def _clip(start: date, end: date, today: date) -> Period | None:
    return (start, min(end, today)) if start <= today else None


def _start_of(unit: str, day: date) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _month_of(name: str) -> int:
    number = month_number(name)
    assert number is not None  # the pattern only matches month names
    return number


def _has_year(text: str) -> bool:
    return re.search(_YEAR + r"\b|/\d\d$", text) is not None


def _past_day(text: str, today: date) -> date | None:
    """A day in the period's words; without a year, the latest such day not after today."""
    year: int | None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?", text):
        month, day = int(m[1]), int(m[2])
        year = None if m[3] is None else int(m[3]) + (2000 if len(m[3]) == 2 else 0)
    elif m := re.fullmatch(r"(" + _MONTH + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?", text):
        month, day, year = _month_of(m[1]), int(m[2]), int(m[3]) if m[3] else None
    else:
        return None
    try:
        found = date(year or today.year, month, day)
        if year is None and found > today:
            found = date(today.year - 1, month, day)
    except ValueError:
        return None
    return found
