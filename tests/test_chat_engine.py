"""The chat engine end to end: replies from the services, the claim in focus, choosing a
patient, unknown text, and `ask` on the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.chat.engine import ChatEngine, ChatReply
from assistant.chat.session import Session
from assistant.chat.vocabulary import INTENTS
from assistant.paths import Locations
from assistant.services import Services
from tests.chat_fixtures import build_chat_db
from tests.conftest import TODAY


@pytest.fixture
def chat(services: Services) -> Services:
    build_chat_db(services.conn, fillers=30)
    return services


@pytest.fixture
def engine(chat: Services) -> ChatEngine:
    return ChatEngine(chat)


def test_reply_carries_intent_entities_and_claims(engine: ChatEngine) -> None:
    reply = engine.ask("why was 20932 denied?")
    assert reply.intent == "explain"
    assert reply.claims == ["20932"]
    assert "CO-197" in reply.reply and "authorization" in reply.reply
    assert reply.as_dict().keys() == {"intent", "entities", "reply", "claims", "needs_confirmation",
                                      "suggestions"}
    assert reply.as_dict()["entities"]["claim_id"] == "20932"


def test_it_means_the_claim_in_focus(engine: ChatEngine) -> None:
    engine.ask("what's wrong with 20938?")
    assert engine.session.focus == "20938"
    follow = engine.ask("what should I do with it")
    assert follow.intent == "next_action" and follow.claims == ["20938"]
    first = engine.services.next_actions("20938")["actions"][0]["action"]
    assert first.replace("_", " ") in follow.reply
    assert engine.ask("check that claim").claims == ["20938"]
    assert engine.ask("show this one").claims == ["20938"]


def test_a_claim_named_again_takes_the_focus(engine: ChatEngine) -> None:
    engine.ask("show 20931")
    engine.ask("show 20934")
    assert engine.ask("why was it denied").claims == ["20934"]


def test_asks_which_patient_then_answers_with_the_choice(engine: ChatEngine) -> None:
    question = engine.ask("why did they deny Ortiz")
    assert question.claims == [] and not question.needs_confirmation
    for name, account in (("Ortiz, Ana", "A2001"), ("Ortiz, Luis", "A2002"), ("Ortiz, Mark", "A2010")):
        assert f"{name} (account {account})" in question.reply
    answer = engine.ask("2")
    assert answer.intent == "explain" and answer.claims == ["20932"]
    assert answer.entities["patient"] == "Ortiz, Luis"


@pytest.mark.parametrize(("pick", "claim"), [("luis", "20932"), ("the first one", "20931"), ("A2010", "20941"),
                                              ("Mark", "20941")])
def test_the_choice_may_be_a_name_an_account_or_an_ordinal(engine: ChatEngine, pick: str, claim: str) -> None:
    engine.ask("what should I do about ortiz")
    assert engine.ask(pick).claims == [claim]


def test_a_patient_means_their_open_denied_claim_first(engine: ChatEngine) -> None:
    # Ortiz, Ana has 20931 (denied, 140 days) and 20942 (new, 12 days)
    assert engine.ask("why did they deny Ana Ortiz").claims == ["20931"]
    reply = engine.ask("show ana ortiz")
    assert reply.claims == ["20942"] and "also has 20931" in reply.reply


def test_one_message_sessions_suggest_the_full_names(chat: Services) -> None:
    reply = ChatEngine(chat, Session(interactive=False)).ask("why did they deny Ortiz?")
    assert "why did they deny Ortiz, Ana?" in reply.suggestions
    assert "Ask again with the full name" in reply.reply


def test_codes_alone_are_explained_without_a_claim(engine: ChatEngine) -> None:
    reply = engine.ask("remark code M127?")
    assert reply.intent == "explain" and reply.claims == []
    assert "M127" in reply.reply and "medical record" in reply.reply
    assert reply.data is not None and reply.data["codes"][0]["code"] == "M127"


def test_procedure_codes_are_described(engine: ChatEngine) -> None:
    reply = engine.ask("what is 97110")
    assert reply.intent == "explain" and reply.reply.startswith("97110: Therapeutic exercise")


def test_units_use_the_payer_rule(engine: ChatEngine) -> None:
    cms = engine.ask("97535 for 40 minutes and 97530 for 10")
    assert "97535 x3" in cms.reply and "CMS total time" in cms.reply
    per_code = engine.ask("97110 20 min 97140 10 min for aetna")
    assert "97110 x1, 97140 x1" in per_code.reply and "per code" in per_code.reply


def test_appeal_drafts_the_letter_and_records_it(engine: ChatEngine, chat: Services) -> None:
    reply = engine.ask("appeal 20931 with the maintenance template")
    assert reply.intent == "appeal" and reply.claims == ["20931"]
    assert reply.data is not None
    path = Path(reply.data["appeal"]["path"])
    assert path.exists() and path.suffix == ".docx" and str(path) in reply.reply
    assert "maintenance therapy" in reply.reply
    assert any(a["kind"].startswith("appeal") for a in chat.history("20931"))


def test_check_one_claim(engine: ChatEngine) -> None:
    reply = engine.ask("check 20940")
    assert reply.intent == "check" and reply.claims == ["20940"]
    assert reply.reply.startswith("Claim 20940")


def test_a_claim_level_question_without_a_claim_asks_which(engine: ChatEngine) -> None:
    reply = engine.ask("what should I do")
    assert reply.claims == [] and "which claim" in reply.reply.lower()


def test_an_unknown_claim_id_is_named_and_nothing_else_is_used(engine: ChatEngine) -> None:
    engine.ask("show 20931")
    reply = engine.ask("appeal 99999")
    assert reply.claims == [] and "no claim (or patient account) 99999" in reply.reply
    assert "no claim (or patient account) 99999" in engine.ask("show 99999").reply


def test_text_nobody_understands_says_what_was_understood(engine: ChatEngine) -> None:
    reply = engine.ask("the weather is nice today")
    assert reply.intent == "unknown"
    assert reply.reply.startswith("I understood: date 2026-11-26")
    assert len(reply.suggestions) == 3


def test_help(engine: ChatEngine) -> None:
    reply = engine.ask("help")
    assert reply.intent == "help" and "worklist" in reply.reply


def test_next_without_a_worklist_works_todays(engine: ChatEngine) -> None:
    """"next" before any list steps along today's worklist, from the claim in focus when it is on it."""
    top = engine.services.worklist(None, limit=3)["rows"]
    first = engine.ask("next")
    assert first.claims == [top[0]["claim_id"]] and "1 of" in first.reply
    fresh = ChatEngine(engine.services)
    fresh.ask(top[1]["claim_id"])  # opened by id, as from the CLI's worklist
    assert fresh.ask("next one").claims == [top[2]["claim_id"]]
    assert fresh.ask("#1").claims == [top[0]["claim_id"]]


def test_yes_with_nothing_pending(engine: ChatEngine) -> None:
    assert engine.ask("yes").reply == "Nothing is waiting for a yes."
    assert engine.ask("no").reply == "Nothing to cancel."


# --------------------------------------------------------------------------- any text at all

WORDS = st.sampled_from([
    "show", "why", "deny", "ortiz", "ana", "it", "next", "all", "mark", "as", "closed", "20931", "20932",
    "99999", "co-50", "n115", "97110", "for", "23", "min", "over", "$1k", "120", "days", "humana", "bcbs",
    "appeal", "check", "note", "called", "ref", "55102", "talked", "to", "kim", "push", "monday", "the",
    "3rd", "of", "month", "give", "jordan", "kpis", "aging", "help", "yes", "no", "?", ",", "'", "-", "+",
    "between", "and", "older", "than", "units", "template", "written", "off", "them", "these", "last",
])
MESSAGES = st.one_of(st.text(max_size=80), st.lists(WORDS, max_size=12).map(" ".join))


@pytest.fixture(scope="module")
def robust(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatEngine]:
    db = Path(tmp_path_factory.mktemp("chat-any")) / "ar.db"
    svc = Services(Locations.resolve(db), today=TODAY, user="tester")
    svc.create_database()
    build_chat_db(svc.conn, fillers=10)
    yield ChatEngine(svc)
    svc.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(MESSAGES)
def test_any_text_gets_a_reply(robust: ChatEngine, text: str) -> None:
    reply = robust.ask(text)
    assert isinstance(reply, ChatReply)
    assert reply.intent in INTENTS
    assert reply.reply.strip()
    assert not (reply.needs_confirmation and robust.session.pending is None)


# --------------------------------------------------------------------------- ask on the command line


def test_ask_json(chat: Services, db_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--db", str(db_path), "--today", TODAY.isoformat(), "ask", "why", "was", "20932",
                     "denied?", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["intent"] == "explain" and data["claims"] == ["20932"]
    assert data["entities"] == {"claim_id": "20932", "status": "denied"}
    assert data["needs_confirmation"] is False


def test_ask_text(chat: Services, db_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--db", str(db_path), "--today", TODAY.isoformat(), "ask", "remark", "code", "M127")
    assert result.exit_code == 0
    assert result.stdout.startswith("M127:")


def test_ask_one_message_cannot_answer_a_question(chat: Services, db_path: Path,
                                                    run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--db", str(db_path), "--today", TODAY.isoformat(), "ask", "show", "ortiz")
    assert "Ask again with the full name" in result.stdout
    assert "Try: show Ortiz, Ana" in result.stdout


# --------------------------------------------------------------------------- as specialists say it


def test_a_claim_id_without_its_letters(engine: ChatEngine) -> None:
    reply = engine.ask("250301a1")
    assert reply.claims == ["OT250301A1"] and reply.reply.startswith("Claim OT250301A1")


def test_a_shared_name_settled_by_the_payer_named(engine: ChatEngine) -> None:
    reply = engine.ask("why did bcbs deny ortiz")
    assert reply.claims == ["20932"] and reply.entities["patient"] == "Ortiz, Luis"
    assert "the only one with Blue Cross Blue Shield" in reply.reply


def test_a_shared_name_settled_by_the_only_open_claims(services: Services) -> None:
    from tests.builders import claim_record, post_remit, write

    write(services.conn,
          claim_record("G1", account="G001", last="Garcia", first="Brian", payer="Aetna"),
          claim_record("G2", account="G002", last="Garcia", first="Norma", payer="Aetna"))
    post_remit(services.conn, "G2", paid={1: 150.0, 2: 75.0})
    engine = ChatEngine(services)
    reply = engine.ask("whats the hold up on garcia")
    assert reply.intent == "explain" and reply.claims == ["G1"]
    assert "Garcia, Brian, the only one with open claims; not Garcia, Norma" in reply.reply
    # a change is never made on a guess: it asks
    asked = engine.ask("mark garcia in progress")
    assert asked.claims == [] and "Which patient" in asked.reply


def test_a_date_of_service_picks_the_patients_claim(engine: ChatEngine) -> None:
    assert engine.ask("ortiz ana dos 11/14").claims == ["20942"]
    assert engine.ask("ortiz ana dos 7/9").claims == ["20931"]
    assert "no claim for a service on 2026-10-01" in engine.ask("ortiz ana dos 10/1").reply


def test_a_typo_several_patients_fit_is_not_a_request(services: Services) -> None:
    from tests.builders import claim_record, write

    write(services.conn, *(claim_record(f"L{n}", account=f"L00{n}", last="Lynch", first=first)
                           for n, first in enumerate(("Elaine", "Erica", "Jeremy"))))
    reply = ChatEngine(services).ask("order lunch for the team")
    assert reply.intent == "unknown" and "Which patient" not in reply.reply
    assert ChatEngine(services).ask("lynch").intent == "claim"  # the name itself still is
    typo = ChatEngine(services).ask("lnych")  # a typo alone: ask which, each name a suggestion
    assert "Which patient do you mean by \"lnych\"?" in typo.reply
    assert typo.suggestions == ["Lynch, Elaine", "Lynch, Erica", "Lynch, Jeremy"]


def test_help_and_suggestions_use_ids_on_file(engine: ChatEngine) -> None:
    top = engine.services.worklist(None, limit=1)["rows"][0]
    text = engine.ask("help").reply
    assert f"show {top['claim_id']}" in text and "20931" not in text.replace(top["claim_id"], "")
    assert engine.ask("hlep").intent == "help"


def test_a_report_table_by_what_was_asked(engine: ChatEngine) -> None:
    by_payer = engine.ask("ar aging by payer").reply
    assert "Balance by payer" in by_payer and "Buckets" not in by_payer
    assert "Buckets" in engine.ask("aging report").reply


def test_worklist_replies_fit_100_columns(engine: ChatEngine) -> None:
    for text in ("claims over $50", "denied claims", "aetna claims", "oldest claims"):
        reply = engine.ask(text).reply
        assert max(len(line) for line in reply.splitlines()) <= 100, text
    aetna = engine.ask("aetna claims").reply
    assert aetna.splitlines()[1].split() == ["#", "claim", "patient", "age", "balance", "category", "next",
                                             "deadline"]


@pytest.mark.parametrize(("text", "typed"), [
    ("show maria washington", "maria washington"),  # Maria is Rivera's first name, Washington is George
    ("note for Kim Chen: called, ref 1234", "Kim Chen"),
    ("draft an appeal for thi smithers", "thi smithers"),  # a first name, then a surname on nobody
])
def test_a_full_name_on_no_patient_is_not_taken_for_a_namesake(engine: ChatEngine, text: str, typed: str) -> None:
    reply = engine.ask(text)
    assert reply.claims == [] and reply.entities.get("unknown_patient") == typed
    assert f"no patient named {typed!r} on file" in reply.reply
    history = engine.services.claim("20940")["activities"]
    assert not any(a["kind"] == "note" for a in history)


@pytest.mark.parametrize(("text", "claim"), [
    ("show george washington", "20940"), ("show Washington, George", "20940"), ("mrs o'brien", "20935"),
    ("washington", "20940"), ("called uhc re washington, spoke w/ tina", "20940"),
])
def test_a_name_and_its_titles_or_neighbours_still_find_the_patient(engine: ChatEngine, text: str,
                                                                   claim: str) -> None:
    assert engine.ask(text).claims[:1] == [claim]


def test_what_is_due_today_is_the_days_worklist_and_deadlines_stay_deadlines(engine: ChatEngine) -> None:
    day = engine.ask("what do i have due today")
    assert day.data is not None and day.data["worklist"]["worklist"] == "today"
    deadlines = engine.ask("claims with deadlines expiring today")
    assert deadlines.data is not None and deadlines.data["worklist"]["worklist"] == "ad hoc"
