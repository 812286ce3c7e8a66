"""A specialist's morning, in words nobody wrote down before: the phrasings a second round of
trying the chat as a newcomer found misread, with what they must read (and, for conversations,
do). Same table format as `test_chat_phrasings.py`; today is Thursday 2026-11-26.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assistant.chat.engine import ChatEngine
from assistant.chat.resolve import PatientIndex
from assistant.services import Services
from tests.chat_fixtures import ABSENT, assert_reads, chat_practice
from tests.test_chat_phrasings import HUMANA

MORNING: list[tuple[str, str, dict[str, Any]]] = [
    # rows of the list shown, read before dates ("the 2nd one" is no December 2nd)
    ("open #2", "claim", {"row": 2, "date": ABSENT}),
    ("2nd one", "claim", {"row": 2, "date": ABSENT}),
    ("show me the third claim", "claim", {"row": 3}),
    ("open the first one", "claim", {"row": 1}),
    ("what's wrong w/ #4", "explain", {"row": 4, "codes": ABSENT}),
    ("any errors on the last one", "check", {"row": -1}),
    ("row 5", "claim", {"row": 5}),
    ("#20931", "claim", {"claim_id": "20931", "row": ABSENT}),
    ("check back on 20932 first of next month", "follow_up", {"claim_id": "20932", "row": ABSENT}),
    # call notes: the rep however introduced, a follow-up inside, a past date beside a future one
    ("called blue cross, rep = Derek, call ref 5521987, claim was never received, resubmitting today",
     "note", {"rep": "Derek", "reference": "5521987", "patient": ABSENT}),
    ("rep name: Lisa. ref no: 77812. said claim pending med records.", "note",
     {"rep": "Lisa", "reference": "77812", "patient": ABSENT}),
    ("spoke w/ Tina at UHC ref#A77-1123, reprocessing, f/u 2 wks", "note",
     {"rep": "Tina", "reference": "A77-1123", "date": "2026-12-10", "status": "waiting_payer"}),
    ("faxed medical records to bcbs 11/25 attn appeals dept, f/u in 30d", "note",
     {"payer": "Blue Cross Blue Shield", "date": "2026-12-26"}),
    ("called humana re 20931, on hold forever, f/u tmrw", "note", {"claim_id": "20931", "date": "2026-11-27"}),
    ("lvm for bcbs prov svcs, try again tmrw", "note", {"date": "2026-11-27"}),
    ("sent recon via availity today, conf # 7781AB", "note", {"reference": "7781AB"}),
    ("talked to Jen @ bcbs. ref: 20261126-0042. pt has other ins primary. f/u 12/10", "note",
     {"rep": "Jen", "reference": "20261126-0042", "date": "2026-12-10"}),
    ("pt called, says she has new ins as of 1/1, will send card", "note", {"patient": ABSENT}),
    # follow-ups
    ("chk back on this in 2 wks", "follow_up", {"date": "2026-12-10"}),
    ("fu 1 week", "follow_up", {"date": "2026-12-03"}),
    ("f/u in 10d", "follow_up", {"date": "2026-12-06"}),
    ("no f/u needed", "follow_up", {"date": ABSENT}),
    ("set f/u date to Jan 2nd", "follow_up", {"date": "2027-01-02"}),
    # assignment
    ("unassign", "assign", {"assignee": "none"}),
    ("unassign 20931", "assign", {"claim_id": "20931", "assignee": "none"}),
    ("take me off 20934", "assign", {"claim_id": "20934", "assignee": "none"}),
    ("unassigned claims over 90 days", "worklist", {"owner": "unassigned", "assignee": ABSENT}),
    # why and what next, in a specialist's words
    ("whats the reason on luis ortiz's claim", "explain", {"patient": "Ortiz, Luis"}),
    ("pr 1 explanation", "explain", {"codes": ["PR-1"]}),
    ("is 20931 still appealable", "next_action", {"claim_id": "20931", "action": ABSENT}),
    ("how many days left to appeal 20931", "next_action", {"claim_id": "20931"}),
    ("can i still file a redet on 20940", "next_action", {"claim_id": "20940"}),
    ("is it too late to appeal 20935", "next_action", {"claim_id": "20935"}),
    ("what r my options on this one", "next_action", {}),
    ("wat shud i do w/ 20938", "next_action", {"claim_id": "20938"}),
    ("why'd this get denied", "explain", {}),
    ("denials by reason code", "report", {"report": "denials"}),
    # lists
    ("start my day", "worklist", {}),
    ("anything urgent?", "worklist", {}),
    ("show my tasks for today", "worklist", {}),
    ("which claims are closest to timely filing", "worklist", {"category": ABSENT}),
    ("claims about to hit timely filing", "worklist", {"category": ABSENT}),
    ("tf deadlines this week", "worklist", {"category": ABSENT, "deadline_within_days": 7}),
    ("timely filing denials", "worklist", {"category": "timely_filing"}),
    ("any co-50s for humana?", "worklist", {"codes": ["CO-50"], "payer": HUMANA, "unknown_claim": ABSENT}),
    # claims and patients
    ("show me OT-250301A1", "claim", {"claim_id": "OT250301A1", "unknown_claim": ABSENT}),
    ("Ana Ortiz claim from 9/2", "claim", {"patient": "Ortiz, Ana", "service_date": "2026-09-02",
                                           "date": ABSENT}),
    ("can i still file a redet on ortiz mark", "next_action", {"patient": "Ortiz, Mark"}),
    # reports
    ("total AR", "report", {"report": "aging"}),
    ("how much money is outstanding", "report", {"report": "aging"}),
    ("how much are we owed by aetna", "report", {"report": "aging", "payer": "Aetna"}),
    # spans and past days inside a call note
    ("called aetna re 20934, rep said expect pmt in 10-14 days", "note",
     {"claim_id": "20934", "date": "2026-12-10", "min_age_days": ABSENT, "max_age_days": ABSENT}),
    ("spoke to rep, claim reprocessing, allow 30-45 days, 20934", "note", {"claim_id": "20934", "date": "2027-01-10"}),
    ("20934 pt says she paid 2 weeks ago", "note", {"claim_id": "20934", "date": "2026-11-12"}),
    ("per pt, card was sent 3 days ago, 20937", "note", {"claim_id": "20937", "date": "2026-11-23"}),
    # a yes/no question about a code is about the code, a question about claims is a list
    ("is co-22 the cob one?", "explain", {"codes": ["CO-22"]}),
    ("are co-45s contractual", "explain", {"codes": ["CO-45"]}),
    ("are there co-22 claims", "worklist", {"codes": ["CO-22"]}),
    ("whats up with 20931", "claim", {"claim_id": "20931"}),
    ("any update on 20934?", "claim", {"claim_id": "20934"}),
    # units
    ("how many units for 38 min of 97110 and 15 of 97530", "units", {"minutes": {"97110": 38, "97530": 15}}),
    ("8 of 97110 and 23 min of 97530", "units", {"minutes": {"97110": 8, "97530": 23}}),
    ("2 units of 97530 for 24 min?", "units", {"minutes": {"97530": 24}}),
    # help
    ("what can this thing do", "help", {}),
    ("help me", "help", {}),
]


@pytest.fixture(scope="module")
def chat_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from chat_practice(tmp_path_factory.mktemp("morning"))


@pytest.fixture
def engine(chat_services: Services) -> ChatEngine:
    return ChatEngine(chat_services)


@pytest.mark.parametrize(("text", "intent", "expected"), MORNING, ids=[p[0][:50] for p in MORNING])
def test_phrasing(engine: ChatEngine, text: str, intent: str, expected: dict[str, Any]) -> None:
    assert_reads(engine, text, intent, expected)


def test_a_lone_short_word_is_no_typo_of_a_name() -> None:
    """"card" is not Carl; "carl" and a longer typo ("ortis") still find their patients."""
    index = PatientIndex([(1, "A1", "Brown", "Carl"), (2, "A2", "Ortiz", "Ana")])
    assert index.match_words(["card"]) == ([], 0)
    assert [p.name for p, _ in index.match_words(["carl"])[0]] == ["Brown, Carl"]
    assert [p.name for p, _ in index.match_words(["ortis"])[0]] == ["Ortiz, Ana"]


def test_rows_of_the_list_shown(engine: ChatEngine) -> None:
    shown = engine.ask("denied claims")
    assert engine.ask("open #2").claims == [shown.claims[1]]
    assert engine.ask("the last one").claims == [shown.claims[-1]]
    reply = engine.ask("#99")
    assert reply.claims == [] and "no #99" in reply.reply


def test_a_note_does_not_set_the_claim_back_to_new(engine: ChatEngine) -> None:
    engine.ask("mark 20937 in progress")
    reply = engine.ask("20937: pt called, says she has new ins as of 1/1, will send card")
    assert reply.intent == "note" and reply.claims == ["20937"]
    assert engine.services.claim_view("20937").work_status.value == "in_progress"


def test_unassign_and_clear_the_follow_up(engine: ChatEngine) -> None:
    engine.ask("give 20939 to sam")
    engine.ask("f/u 20939 next tues")
    assert "sam -> none" in engine.ask("unassign 20939").reply
    cleared = engine.ask("no f/u needed on 20939")
    assert cleared.claims == ["20939"] and "-> none" in cleared.reply
    claim = engine.services.claim("20939")
    assert claim["assignee"] is None and claim["follow_up_date"] is None


def test_several_requests_in_one_message(engine: ChatEngine) -> None:
    """Each request is done, in order, on the claim one of them names; JSON has one step each."""
    reply = engine.ask("mark 20941 in progress and push it to next friday")
    assert [s.intent for s in reply.steps] == ["set_status", "follow_up"]
    claim = engine.services.claim("20941")
    assert claim["work_status"] == "in_progress" and claim["follow_up_date"] == "2026-12-04"
    reply = engine.ask("assign 20934 to jordan; f/u 12/8")
    assert engine.services.claim("20934")["assignee"] == "jordan"
    assert engine.services.claim("20934")["follow_up_date"] == "2026-12-08"
    assert [s["intent"] for s in reply.as_dict()["steps"]] == ["assign", "follow_up"]
    # one request with "and" inside stays one
    assert engine.ask("97535 for 40 minutes and 97530 for 10").steps == []
    assert engine.ask("bcbs & aetna denials").steps == []


def test_why_on_a_claim_not_denied_says_so(engine: ChatEngine) -> None:
    reply = engine.ask("why was 20939 denied")
    assert "not denied" in reply.reply.splitlines()[0]


def test_my_empty_queue_points_to_todays_worklist(engine: ChatEngine) -> None:
    reply = engine.ask("what's on my list today")
    assert "no open claims match" in reply.reply and 'say "worklist"' in reply.reply


def test_the_morning_runs_fast(engine: ChatEngine) -> None:
    import time

    engine.understand("warm up 20931")
    start = time.perf_counter()
    for text, _, _ in MORNING:
        engine.understand(text)
    assert (time.perf_counter() - start) / len(MORNING) * 1000 < 20
