"""Dates are `datetime.date`; the database keeps ISO text plus integer day numbers for ranking."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from assistant.errors import InvalidInput


def parse_iso(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {text!r}") from None


def parse_x12(text: str) -> date:
    """CCYYMMDD (D8) as used everywhere in X12 after the ISA."""
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise InvalidInput(f"not a CCYYMMDD date: {text!r}") from None


_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")), 1) for name in names}


def month_number(name: str) -> int | None:
    """A month from its English name or abbreviation ("Sept", "sep.", "September")."""
    key = name.lower().rstrip(".")
    return _MONTHS.get(key) or _MONTHS.get(key[:3])


def add_months(d: date, months: int, day: int | None = None) -> date:
    """`d` moved by whole months: on `day` (-1 the last), else on d's day, kept in the month."""
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    wanted = d.day if day is None else (last if day == -1 else day)
    return date(year, month, min(wanted, last))


# "Nov 3, 2026", "November 3rd 2026", "Nov. 3 2026" / "3 Nov 2026", "03-Nov-2026", "3-Nov-26"
_MONTH_DAY_YEAR = re.compile(r"([a-z]{3,9})\.?\s*(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(\d{4})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-]*([a-z]{3,9})\.?,?[\s\-]*(\d{4}|\d{2})")
# A time after the date, as spreadsheets export it: "2026-11-03 00:00:00", "11/3/2026 10:15 AM".
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\Z")


def parse_flexible(text: str) -> date:
    """Dates as AR exports and notes write them: 2026-03-04, 03/04/2026, 3/4/26, 20260304,
    04.03.2026 (day first, as dotted dates always are), Mar 4, 2026 and 4-Mar-2026, with or
    without a time after them."""
    raw = _TIME_SUFFIX.sub("", text.strip()).strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y%m%d", "%m-%d-%Y", "%Y/%m/%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    named = _named_month(raw.lower())
    if named is not None:
        return named
    raise InvalidInput(f"not a date: {text!r}")


def _named_month(raw: str) -> date | None:
    """A date with the month's name (English, whatever the machine's locale)."""
    month_first = _MONTH_DAY_YEAR.fullmatch(raw)
    if month_first:
        month_name, day, year = month_first.groups()
    else:
        day_first = _DAY_MONTH_YEAR.fullmatch(raw)
        if day_first is None:
            return None
        day, month_name, year = day_first.groups()
    month = _MONTHS.get(month_name)
    if month is None:
        return None
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    try:
        return date(full_year, month, int(day))
    except ValueError:
        return None


_RELATIVE = re.compile(r"^(?:in\s+)?\+?\s*(\d{1,4})\s*(d|days?|w|weeks?)?$")


def parse_typed(text: str, today: date) -> date:
    """A date a person types: the `parse_flexible` forms, `today`, `tomorrow`, or a
    distance from today: `+14`, `14d`, `2w`, `in 10 days`."""
    raw = " ".join(text.strip().lower().split())
    if raw == "today":
        return today
    if raw == "tomorrow":
        return today + timedelta(days=1)
    relative = _RELATIVE.match(raw)
    if relative and (raw.startswith(("+", "in ")) or relative.group(2)):
        count = int(relative.group(1))
        return today + timedelta(days=count * 7 if (relative.group(2) or "").startswith("w") else count)
    try:
        return parse_flexible(raw)
    except InvalidInput:
        raise InvalidInput(f"not a date: {text!r} (YYYY-MM-DD, MM/DD/YYYY, today, tomorrow, "
                           "+14, 2w)") from None


def day_number(d: date) -> int:
    """Integer day for fast SQL arithmetic (proleptic ordinal)."""
    return d.toordinal()


def from_day_number(n: int) -> date:
    return date.fromordinal(n)


def x12_date(d: date) -> str:
    return d.strftime("%Y%m%d")
