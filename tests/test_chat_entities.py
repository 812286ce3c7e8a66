"""The entity extractors on their own: dates relative to any today, amounts, ages, codes,
minutes, call details; names resolved with typos, accents and near-duplicates."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.chat import entities as ex
from assistant.chat.knowledge import template_resolver
from assistant.chat.resolve import PatientIndex, fold, name_tokens
from assistant.chat.scan import Scan
from assistant.errors import InvalidInput
from assistant.rules.codes import carc, cpt, rarc

THURSDAY = date(2026, 11, 26)
BOOK = ex.CodeBook(is_carc=lambda c: carc(c) is not None, is_rarc=lambda c: rarc(c) is not None,
                   is_cpt=lambda c: cpt(c) is not None)
todays = st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31))
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def when(text: str, today: date = THURSDAY) -> date | None:
    return ex.extract_date(Scan(text), today)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-15", date(2026, 12, 15)),
    ("12/15", date(2026, 12, 15)),
    ("12/15/2026", date(2026, 12, 15)),
    ("1/5", date(2027, 1, 5)),  # already past this year: next year's
    ("1/5/27", date(2027, 1, 5)),
    ("Dec 15", date(2026, 12, 15)),
    ("december 15th", date(2026, 12, 15)),
    ("15 December", date(2026, 12, 15)),
    ("the 15th of december", date(2026, 12, 15)),
    ("Jan 3, 2027", date(2027, 1, 3)),
    ("nov 20", date(2026, 11, 20)),  # six days ago: "received nov 20", not a follow-up a year out
    ("jan 20", date(2027, 1, 20)),  # a follow-up looks ahead
    ("today", THURSDAY),
    ("tomorrow", date(2026, 11, 27)),
    ("tmrw", date(2026, 11, 27)),
    ("the day after tomorrow", date(2026, 11, 28)),
    ("monday", date(2026, 11, 30)),
    ("friday", date(2026, 11, 27)),
    ("this friday", date(2026, 11, 27)),
    ("next friday", date(2026, 12, 4)),
    ("next monday", date(2026, 11, 30)),
    ("thursday", date(2026, 12, 3)),  # today is Thursday: the next one
    ("wed", date(2026, 12, 2)),
    ("monday next week", date(2026, 11, 30)),
    ("next week", date(2026, 11, 30)),
    ("next month", date(2026, 12, 26)),
    ("in 2 weeks", date(2026, 12, 10)),
    ("in two weeks", date(2026, 12, 10)),
    ("in 10 days", date(2026, 12, 6)),
    ("14 days", date(2026, 12, 10)),
    ("in a month", date(2026, 12, 26)),
    ("in 3 business days", date(2026, 12, 1)),
    ("in a couple of weeks", date(2026, 12, 10)),
    ("a week from today", date(2026, 12, 3)),
    ("10 days from now", date(2026, 12, 6)),
    ("end of month", date(2026, 11, 30)),
    ("end of the month", date(2026, 11, 30)),
    ("eom", date(2026, 11, 30)),
    ("end of next month", date(2026, 12, 31)),
    ("end of the week", date(2026, 11, 27)),
    ("end of year", date(2026, 12, 31)),
    ("the 3rd of next month", date(2026, 12, 3)),
    ("third of next month", date(2026, 12, 3)),
    ("first of next month", date(2026, 12, 1)),
    ("the last day of next month", date(2026, 12, 31)),
    ("the 15th", date(2026, 12, 15)),
    ("on the 30th", date(2026, 11, 30)),
    ("the 26th", THURSDAY),
    ("mid next month", date(2026, 12, 15)),
    ("mid dec", date(2026, 12, 15)),
    ("early jan", date(2027, 1, 1)),
    ("end of march", date(2027, 3, 31)),
    ("late feb", date(2027, 2, 28)),
    ("in 10 biz days", date(2026, 12, 10)),
    ("in a wk", date(2026, 12, 3)),
    ("next tues", date(2026, 12, 1)),
    ("on the last", date(2026, 11, 30)),
    ("on the first for ortiz", date(2026, 12, 1)),
    ("received 11/25", date(2026, 11, 25)),
])
def test_dates(text: str, expected: date) -> None:
    assert when(text) == expected


@pytest.mark.parametrize("text", ["20931", "97110 for 23 min", "ref 55102", "over 90", "$1,000", "hello", "2/30",
                                  "it's a w/o", "the last call for rivera", "the first claim"])
def test_no_date(text: str) -> None:
    assert when(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-15", date(2026, 12, 15)), ("+14", date(2026, 12, 10)), ("2w", date(2026, 12, 10)),
    ("next tues", date(2026, 12, 1)), ("eom", date(2026, 11, 30)), ("by friday", date(2026, 11, 27)),
    ("on the 15th", date(2026, 12, 15)), ("mid dec", date(2026, 12, 15)),
])
def test_a_date_field_reads_what_the_chat_reads(text: str, expected: date) -> None:
    assert ex.typed_day(text, THURSDAY) == expected


@pytest.mark.parametrize("text", ["", "someday", "Rivera", "next tues call rivera", "97110"])
def test_a_date_field_refuses_anything_but_one_date(text: str) -> None:
    with pytest.raises(InvalidInput, match="not a date"):
        ex.typed_day(text, THURSDAY)


@given(todays, st.integers(min_value=0, max_value=400))
def test_in_days_counts_from_today(today: date, n: int) -> None:
    assert when(f"in {n} days", today) == today + timedelta(days=n)
    assert when(f"{n} days from now", today) == today + timedelta(days=n)


@given(todays, st.sampled_from(range(7)), st.sampled_from(["", "this ", "next "]))
def test_weekdays_lie_ahead(today: date, weekday: int, qualifier: str) -> None:
    got = when(f"{qualifier}{WEEKDAYS[weekday]}", today)
    assert got is not None and got.weekday() == weekday
    if qualifier == "this ":
        assert today <= got < today + timedelta(days=7)
    elif qualifier == "next ":
        assert today < got <= today + timedelta(days=13)
        assert got.isocalendar()[:2] != today.isocalendar()[:2]  # never this week
    else:
        assert today < got <= today + timedelta(days=7)


@given(todays, st.integers(min_value=1, max_value=28))
def test_ordinal_of_next_month(today: date, day: int) -> None:
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    got = when(f"the {day}{suffix} of next month", today)
    assert got is not None and got.day == day
    assert (got.year * 12 + got.month) - (today.year * 12 + today.month) == 1


@given(todays)
def test_end_of_month_and_month_days(today: date) -> None:
    last = calendar.monthrange(today.year, today.month)[1]
    assert when("end of month", today) == today.replace(day=last)
    got = when(f"{today.month}/{today.day}", today)
    assert got == today  # today's own date is still ahead


@given(todays, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=28))
def test_dates_without_year_look_ahead_unless_just_past(today: date, month: int, day: int) -> None:
    """A year-less date is the next one, unless this one passed less than RECENT_DAYS ago
    (then it is what happened: "received 11/25"); nothing is ever more than a year away."""
    got = when(f"{calendar.month_abbr[month]} {day}", today)
    assert got is not None and (got.month, got.day) == (month, day)
    assert today - timedelta(days=ex.RECENT_DAYS) <= got <= today + timedelta(days=366)
    if got < today:
        assert today - timedelta(days=ex.RECENT_DAYS) <= got
    else:
        past = [d for y in (got.year - 1, got.year - 2) for d in [_safe_date(y, month, day)] if d]
        assert all(d < today - timedelta(days=ex.RECENT_DAYS) or d >= today for d in past)
    assert when(f"{month}/{day}", today) == got


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --------------------------------------------------------------------------- amounts and ages


@pytest.mark.parametrize(("text", "low", "high"), [
    ("over $1k", 100_000, None),
    ("more than 500", 50_000, None),
    ("at least 2 thousand", 200_000, None),
    ("under $250", None, 25_000),
    ("less than 99.50", None, 9_950),
    ("between $500 and $2,000", 50_000, 200_000),
    ("between 2000 and 500", 50_000, 200_000),
    ("$500-$1,000", 50_000, 100_000),
    ("$1.5k+", 150_000, None),
    ("$2,500 or more", 250_000, None),
    ("$300 or less", None, 30_000),
    ("> 1200", 120_000, None),
    ("over five hundred dollars", 50_000, None),
    ("from $1.5k to $3k", 150_000, 300_000),
    ("up to 750 bucks", None, 75_000),
    ("claims 20931", None, None),
    ("over 90 days", None, None),
    ("500+", 50_000, None),  # not an aging-bucket edge: dollars
    ("90+", None, None),  # a bucket edge: an age (read before)
])
def test_money(text: str, low: int | None, high: int | None) -> None:
    scan = Scan(text)
    ex.extract_age(scan, THURSDAY)  # ages first, as the parser runs them
    assert ex.extract_money(scan) == (low, high)


@pytest.mark.parametrize(("text", "low", "high"), [
    ("older than 120 days", 120, None),
    ("older than 120", 120, None),
    ("over 90 days", 90, None),
    ("over 90", 90, None),  # an aging-bucket edge
    ("balance over 90", None, None),  # money talk: dollars
    ("over 95", None, None),  # not a bucket edge: dollars
    ("90+ days", 90, None),
    ("120+", 120, None),
    ("between 30 and 60 days", 30, 60),
    ("30-60 days", 30, 60),
    ("90 to 120 days old", 90, 120),
    ("in the 61-90 bucket", 61, 90),
    ("under 30 days old", None, 30),
    ("less than 2 weeks", None, 14),
    ("in the last 2 weeks", None, 14),
    ("past 90 days", 90, None),
    ("older than 3 months", 90, None),
    ("aged over 60", 60, None),
    ("aging over 120", 120, None),
    ("120 days old", 120, None),
    ("45 days or more", 45, None),
    ("from last month", 26, 56),
    ("in the past month", 0, 30),
    ("within 10 days", None, 10),
    ("medicaid 30-60", 30, 60),  # an aging bucket said without "days"
    ("91-120", 91, 120),
    ("500-1000", None, None),  # no bucket
    ("$30-60", None, None),
])
def test_ages(text: str, low: int | None, high: int | None) -> None:
    assert ex.extract_age(Scan(text), THURSDAY) == (low, high)


# --------------------------------------------------------------------------- codes, minutes, calls


@pytest.mark.parametrize(("text", "codes"), [
    ("CO-50", ["CO-50"]),
    ("co 197 and N115", ["CO-197", "N115"]),
    ("pr2", ["PR-2"]),
    ("remark code M127", ["M127"]),
    ("MA130", ["MA130"]),
    ("code 16", ["16"]),
    ("what does 29 mean", ["29"]),
    ("B7", ["B7"]),
    ("OA:23", ["OA-23"]),
    ("CO-999", ["CO-999"]),  # clearly a code: explain says it is unknown
    ("N9999", []),  # not in the remark table
    ("50", []),  # a bare number is not a code unless the message asks what it means
    ("co 2 weeks", ["CO-2"]),
    ("what is 97110", ["97110"]),
    ("g0283?", ["G0283"]),
    ("99999", []),  # not in the OT code table
])
def test_codes(text: str, codes: list[str]) -> None:
    assert ex.extract_codes(Scan(text), BOOK) == codes


@pytest.mark.parametrize(("text", "minutes"), [
    ("97535 for 40 minutes and 97530 for 10", {"97535": 40, "97530": 10}),
    ("23 min of 97110", {"97110": 23}),
    ("97110=33 97140=7", {"97110": 33, "97140": 7}),
    ("40 min 97530 10 min 97110", {"97530": 40, "97110": 10}),
    ("97530 38 min 97110 8 min", {"97530": 38, "97110": 8}),
    ("97110 x 20 min, 97110 x 10 min", {"97110": 30}),
    ("97110 2", {}),  # no minutes word, no units question: not minutes
    ("20931 for 40 minutes", {}),  # not a CPT code
    ("ther ex 30 min ther act 15 min", {"97110": 30, "97530": 15}),
    ("18 min of self-care and neuro re-ed 20 min", {"97535": 18, "97112": 20}),
    ("manual therapy 12 mins", {"97140": 12}),
])
def test_minutes(text: str, minutes: dict[str, int]) -> None:
    from assistant.chat.vocabulary import vocabulary

    assert ex.extract_minutes(Scan(text), lambda c: cpt(c) is not None, units_asked=False,
                              procedures=vocabulary().procedures) == minutes


@pytest.mark.parametrize(("text", "minutes"), [
    ("97530 x 2 units ok for 24 min?", {"97530": 24}),  # "2 units" is what was billed
    ("97535 for 40 and 97530 for 10 units?", {"97535": 40, "97530": 10}),
])
def test_units_billed_are_not_minutes(text: str, minutes: dict[str, int]) -> None:
    assert ex.extract_minutes(Scan(text), lambda c: cpt(c) is not None, units_asked=True) == minutes


@pytest.mark.parametrize(("text", "days"), [
    ("appeals due this week", 7), ("due in 10 days", 10), ("expiring tmrw", 1), ("due soon", ex.SOON_DAYS),
    ("due by friday", 1), ("deadline before 12/15", 19), ("due today", 0), ("due next week", 14),
    ("what's the deadline on 20931", None), ("when is the appeal due", None),
])
def test_deadline_windows(text: str, days: int | None) -> None:
    scan = Scan(text)
    assert ex.extract_deadline(scan, THURSDAY) == days
    if days is not None:
        assert ex.extract_date(scan, THURSDAY) is None  # never also a follow-up date


@pytest.mark.parametrize(("text", "day"), [
    ("bishop dos 9/11", date(2026, 9, 11)), ("date of service 2026-09-11", date(2026, 9, 11)),
    ("dos 12/1", date(2025, 12, 1)),  # services are in the past
    ("seen on sept 11", date(2026, 9, 11)), ("dos", None), ("push it to 12/1", None),
])
def test_service_dates(text: str, day: date | None) -> None:
    assert ex.extract_service_date(Scan(text), THURSDAY) == day


def test_minutes_without_unit_words_when_units_are_asked() -> None:
    assert ex.extract_minutes(Scan("units 97530 38 97110 8"), lambda c: cpt(c) is not None,
                              units_asked=True) == {"97530": 38, "97110": 8}


@pytest.mark.parametrize(("text", "ref"), [
    ("ref 55102", "55102"), ("reference #: A-77", "A-77"), ("ref# A-77812", "A-77812"),
    ("conf 3391", "3391"), ("call ref 1-2345", "1-2345"), ("reference number 445566", "445566"),
    ("refund due", None), ("no reference given", None),
])
def test_reference(text: str, ref: str | None) -> None:
    assert ex.extract_reference(Scan(text)) == ref


@pytest.mark.parametrize(("text", "rep"), [
    ("talked to Kim", "Kim"), ("spoke with Kim Lee at BCBS", "Kim Lee"), ("rep: dana", "Dana"),
    ("per Kim", "Kim"), ("per policy", None), ("talked to the payer", None), ("spoke w/ Maria", "Maria"),
    ("spoke to bcbs rep jen, in process", "Jen"), ("in review per rep Dana, ref 1", "Dana"),
])
def test_rep(text: str, rep: str | None) -> None:
    known = {"the", "payer", "at", "policy", "bcbs", "rep", "in", "process", "review", "ref"}
    assert ex.extract_rep(Scan(text), lambda w: w in known) == rep


@pytest.mark.parametrize(("text", "limit"), [
    ("top 10", 10), ("first 20 bcbs claims", 20), ("the 5 oldest", 5), ("25 claims", 25),
    ("show 7 claims", 7), ("top 90 days", None), ("show 20931", None),
])
def test_limit(text: str, limit: int | None) -> None:
    assert ex.extract_limit(Scan(text)) == limit


def test_template_names_from_words() -> None:
    resolve = template_resolver(["maintenance_therapy", "medical_necessity", "medicare_redetermination",
                                 "timely_filing", "generic"])
    assert resolve("maintenance") == "maintenance_therapy"
    assert resolve("the maintanance") == "maintenance_therapy"
    assert resolve("med necessity") == "medical_necessity"
    assert resolve("timely filing") == "timely_filing"
    assert resolve("medical_necessity") == "medical_necessity"
    assert resolve("medic") is None  # two templates start so
    assert resolve("weather") is None


# --------------------------------------------------------------------------- names


def test_name_folding() -> None:
    assert fold("O'Brién") == "obrien"
    assert name_tokens("De la Cruz-Díaz") == ["de", "la", "cruz", "diaz", "delacruzdiaz"]


@pytest.fixture(scope="module")
def index() -> PatientIndex:
    return PatientIndex([
        (1, "A1", "Ortiz", "Ana"), (2, "A2", "Ortiz", "Luis"), (3, "A3", "Rivera", "Maria"),
        (4, "A4", "Rivero", "Mario"), (5, "A5", "O'Brien", "Kathleen"), (6, "A6", "De la Cruz", "José"),
        (7, "A7", "Li", "Wei"), (8, "A8", "Smith-Jones", "Pat"),
    ])


@pytest.mark.parametrize(("words", "names"), [
    (["ortiz"], ["Ortiz, Ana", "Ortiz, Luis"]),
    (["ortiz", "ana"], ["Ortiz, Ana"]),
    (["ana", "ortiz"], ["Ortiz, Ana"]),
    (["ortis", "ana"], ["Ortiz, Ana"]),
    (["rivera"], ["Rivera, Maria"]),
    (["rivero"], ["Rivero, Mario"]),
    (["obrien"], ["O'Brien, Kathleen"]),
    (["jose", "cruz"], ["De la Cruz, José"]),
    (["delacruz"], ["De la Cruz, José"]),
    (["li"], ["Li, Wei"]),
    (["jones"], ["Smith-Jones, Pat"]),
])
def test_patient_words(index: PatientIndex, words: list[str], names: list[str]) -> None:
    found, _ = index.match_words(words)
    top = found[0][1]
    assert [p.name for p, score in found if top - score < 5] == names


def test_typos_and_prefixes_score_below_exact(index: PatientIndex) -> None:
    exact = index.match_words(["rivera"])[0][0][1]
    typo, _ = index.match_words(["riviera"])
    prefix, count = index.match_words(["riv"])
    assert typo[0][0].name == "Rivera, Maria" and typo[0][1] < exact
    assert {p.name for p, _ in prefix} == {"Rivera, Maria", "Rivero, Mario"} and count == 2
    assert index.match_words(["xyzzy"]) == ([], 0)
