"""Reports for a period, read from words, and checks over the claims the words select."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.chat.engine import ChatEngine
from assistant.chat.periods import report_period
from assistant.services import Services

THURSDAY = date(2026, 11, 26)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("denial rate this month", date(2026, 11, 1), THURSDAY),
    ("kpis mtd", date(2026, 11, 1), THURSDAY),
    ("net collection rate ytd", date(2026, 1, 1), THURSDAY),
    ("year to date kpis", date(2026, 1, 1), THURSDAY),
    ("denials this week", date(2026, 11, 23), THURSDAY),
    ("denials last week", date(2026, 11, 16), date(2026, 11, 22)),
    ("aging last month", date(2026, 10, 1), date(2026, 10, 31)),
    ("denials by payer last quarter", date(2026, 7, 1), date(2026, 9, 30)),
    ("appeals this quarter", date(2026, 10, 1), THURSDAY),
    ("appeals in q3", date(2026, 7, 1), date(2026, 9, 30)),
    ("kpis for the first quarter of 2026", date(2026, 1, 1), date(2026, 3, 31)),
    ("denials for october", date(2026, 10, 1), date(2026, 10, 31)),
    ("denials in december", date(2025, 12, 1), date(2025, 12, 31)),  # no year: the last December
    ("kpis for sept 2026", date(2026, 9, 1), date(2026, 9, 30)),
    ("denials report since 10/1", date(2026, 10, 1), THURSDAY),
    ("denials since dec 15", date(2025, 12, 15), THURSDAY),
    ("denial report from 9/1 to 9/30", date(2026, 9, 1), date(2026, 9, 30)),
    ("kpis between 2026-03-01 and 2026-05-31", date(2026, 3, 1), date(2026, 5, 31)),
    ("denials from 12/1/25 thru 1/31/26", date(2025, 12, 1), date(2026, 1, 31)),
    ("kpis last year", date(2025, 1, 1), date(2025, 12, 31)),
    ("kpis for 2025", date(2025, 1, 1), date(2025, 12, 31)),
])
def test_periods(text: str, start: date, end: date) -> None:
    assert report_period(text, THURSDAY) == (start, end)


@pytest.mark.parametrize("text", ["aging report", "denials by payer", "kpis over 90 days", "denials for humana",
                                  "kpis for 2027", "since 2/30", "report for 97110"])
def test_no_period(text: str) -> None:
    assert report_period(text, THURSDAY) is None


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
       st.sampled_from(["this week", "last week", "this month", "last month", "this quarter", "last quarter",
                        "ytd", "last year", "in q1", "in q4", "for march", "for december", "since 2/29",
                        "from 11/30 to 1/2", "since 1/1"]))
def test_a_period_never_ends_after_today_nor_before_it_starts(today: date, words: str) -> None:
    period = report_period(words, today)
    if period is not None:
        start, end = period
        assert start <= end <= today and end - start < timedelta(days=367)


def test_the_chat_runs_the_report_for_the_period(services: Services) -> None:
    services.today = THURSDAY
    reply = ChatEngine(services).ask("kpis for october")
    assert reply.intent == "report" and reply.entities["period"] == {"from": "2026-10-01", "to": "2026-10-31"}
    assert reply.data is not None and reply.data["report"]["period"] == {"from": "2026-10-01", "to": "2026-10-31"}
    assert "2026-10-01 to 2026-10-31" in reply.reply
    denials = ChatEngine(services).ask("denials by payer last quarter")
    assert denials.data is not None and denials.data["report"]["report"] == "denials"


def test_check_all_of_a_payer_checks_only_the_claims_the_words_select(services: Services) -> None:
    from tests.worklist_cases import practice

    practice(services)
    engine = ChatEngine(services)
    some = engine.ask("check all aetna claims")
    assert some.intent == "check" and some.data is not None
    assert some.data["check"]["checked"] == 2 and some.reply.startswith("Checked 2 claims")
    every = engine.ask("check all claims")
    assert every.data is not None and every.data["check"]["checked"] == services.check(None)["checked"] > 2
