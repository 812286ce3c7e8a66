"""Work done from chat: worklists and "next", notes, follow-ups, status, assignment, bulk
changes behind a "yes", and every change in the claim's history."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.chat.engine import ChatEngine
from assistant.services import Services
from tests.chat_fixtures import build_chat_db
from tests.conftest import TODAY


@pytest.fixture
def chat(services: Services) -> Services:
    build_chat_db(services.conn, fillers=60)
    return services


@pytest.fixture
def engine(chat: Services) -> ChatEngine:
    return ChatEngine(chat)


def claim(svc: Services, claim_id: str) -> dict:  # type: ignore[type-arg]
    return svc.claim(claim_id)


def kinds(svc: Services, claim_id: str) -> list[tuple[str, str | None]]:
    return [(a["kind"], a["field"]) for a in svc.history(claim_id)]


# --------------------------------------------------------------------------- worklists


def test_worklist_from_words(engine: ChatEngine, chat: Services) -> None:
    reply = engine.ask("humana advantage claims older than 120 days")
    assert reply.intent == "worklist" and reply.claims
    assert "20931" in reply.claims
    for claim_id in reply.claims:
        data = claim(chat, claim_id)
        assert data["payer"]["name"] == "Humana Gold Plus HMO"
        assert (TODAY - date.fromisoformat(data["dos_from"])).days >= 120
    assert engine.session.worklist == reply.claims and engine.session.focus == reply.claims[0]
    assert reply.reply.startswith("Humana Gold Plus HMO, over 120 days:")


def test_worklist_filters_combine(engine: ChatEngine, chat: Services) -> None:
    reply = engine.ask("denied claims over $200")
    assert reply.claims
    for claim_id in reply.claims:
        data = claim(chat, claim_id)
        assert data["status"] == "denied" and data["balance"] > 200


def test_top_n_limits_the_list(engine: ChatEngine) -> None:
    assert len(engine.ask("top 3 claims").claims) == 3


def test_next_and_previous_walk_the_worklist(engine: ChatEngine) -> None:
    shown = engine.ask("denied claims").claims
    assert len(shown) >= 3
    assert engine.ask("next").claims == [shown[1]]
    reply = engine.ask("next one")
    assert reply.claims == [shown[2]] and f"3 of {len(shown)}" in reply.reply
    assert engine.ask("previous").claims == [shown[1]]
    assert engine.ask("why was it denied").claims == [shown[1]]
    for _ in range(len(shown)):
        last = engine.ask("next")
    assert "last claim" in last.reply


def test_next_reads_past_the_first_page(engine: ChatEngine, chat: Services) -> None:
    shown = engine.ask("claims over $50")
    total = chat.worklist_from({"min_balance": 5000, "include_snoozed": True}, limit=None)["total_claims"]
    assert len(shown.claims) == 20 < total
    for _ in range(20):
        reply = engine.ask("next")
    assert reply.claims and reply.claims[0] not in shown.claims
    assert f"21 of {total}" in reply.reply


def test_a_limit_ends_the_walk(engine: ChatEngine) -> None:
    shown = engine.ask("top 2 denied claims").claims
    assert engine.ask("next").claims == [shown[1]]
    assert "last claim" in engine.ask("next").reply


def test_a_patients_claims(engine: ChatEngine) -> None:
    reply = engine.ask("claims for ortiz ana")
    assert sorted(reply.claims) == ["20931", "20942"]


def test_unknown_payer_is_said_not_ignored(engine: ChatEngine) -> None:
    reply = engine.ask("cigna claims over 90 days")
    assert reply.claims == [] and "no payer like 'cigna'" in reply.reply


# --------------------------------------------------------------------------- changes in history


def test_a_call_is_logged_with_its_details_and_tickler(engine: ChatEngine, chat: Services) -> None:
    reply = engine.ask("called BCBS about 20932, talked to Kim, ref 55102, reprocessing, check back Monday")
    assert reply.intent == "note" and reply.claims == ["20932"]
    data = claim(chat, "20932")
    assert data["follow_up_date"] == "2026-11-30" and data["work_status"] == "waiting_payer"
    notes = [a for a in chat.history("20932") if a["kind"] == "note"]
    assert notes and "ref 55102" in notes[-1]["note"]
    assert notes[-1]["details"].get("rep") == "Kim" and notes[-1]["details"].get("reference") == "55102"


def test_a_payer_named_against_the_claim_in_focus_asks_which_claim(engine: ChatEngine, chat: Services) -> None:
    engine.ask("show 20931")  # Humana
    before = chat.history("20931")
    reply = engine.ask("called BCBS, talked to Kim, ref 55102")
    assert reply.claims == [] and "which claim" in reply.reply
    assert chat.history("20931") == before


def test_follow_up(engine: ChatEngine, chat: Services) -> None:
    reply = engine.ask("push 20931 to the 3rd of next month")
    assert reply.claims == ["20931"]
    assert claim(chat, "20931")["follow_up_date"] == "2026-12-03"
    assert ("follow_up", "follow_up_date") in kinds(chat, "20931")


def test_assign(engine: ChatEngine, chat: Services) -> None:
    engine.ask("give 20931 to jordan")
    assert claim(chat, "20931")["assignee"] == "jordan"
    engine.ask("show 20934")
    engine.ask("assign it to me")
    assert claim(chat, "20934")["assignee"] == chat.user
    assert any(field == "assignee" for _, field in kinds(chat, "20934"))


def test_history_on_request(engine: ChatEngine) -> None:
    engine.ask("give 20931 to jordan")
    reply = engine.ask("history of 20931")
    assert "History (" in reply.reply and "assignee none -> jordan" in reply.reply


def test_status(engine: ChatEngine, chat: Services) -> None:
    reply = engine.ask("mark 20934 as waiting on payer")
    assert not reply.needs_confirmation
    assert claim(chat, "20934")["work_status"] == "waiting_payer"
    assert any(field == "work_status" for _, field in kinds(chat, "20934"))


def test_writing_off_waits_for_yes(engine: ChatEngine, chat: Services) -> None:
    before = claim(chat, "20935")
    asked = engine.ask("write off 20935")
    assert asked.needs_confirmation and asked.claims == ["20935"]
    assert claim(chat, "20935")["work_status"] == before["work_status"] == "new"
    done = engine.ask("yes")
    assert not done.needs_confirmation and done.intent == "set_status"
    after = claim(chat, "20935")
    assert after["work_status"] == "written_off" and after["balance"] == 0
    assert any(field == "work_status" for _, field in kinds(chat, "20935"))


def test_yes_flag_applies_at_once(engine: ChatEngine, chat: Services) -> None:
    reply = engine.ask("write off 20935", yes=True)
    assert not reply.needs_confirmation
    assert claim(chat, "20935")["work_status"] == "written_off"


def test_bulk_changes_wait_for_yes_and_no_cancels(engine: ChatEngine, chat: Services) -> None:
    asked = engine.ask("mark all humana claims over 120 days as written off")
    assert asked.needs_confirmation and "20931" in asked.claims
    assert all(claim(chat, c)["work_status"] != "written_off" for c in asked.claims)
    cancelled = engine.ask("no")
    assert cancelled.reply.startswith("Cancelled")
    assert engine.ask("yes").reply == "Nothing is waiting for a yes."
    assert all(claim(chat, c)["work_status"] != "written_off" for c in asked.claims)


def test_bulk_follow_up_over_a_filter(engine: ChatEngine, chat: Services) -> None:
    reply = engine.ask("push all denied claims over $100 to monday", yes=True)
    assert reply.claims and not reply.needs_confirmation
    for claim_id in reply.claims:
        assert claim(chat, claim_id)["follow_up_date"] == "2026-11-30"


def test_bulk_over_the_current_worklist(engine: ChatEngine, chat: Services) -> None:
    shown = engine.ask("bcbs claims").claims
    asked = engine.ask("assign these to sam")
    assert asked.needs_confirmation and asked.claims == shown
    engine.ask("yes")
    assert all(claim(chat, c)["assignee"] == "sam" for c in shown)


def test_reports(engine: ChatEngine, chat: Services) -> None:
    aging = engine.ask("show aging by payer")
    assert aging.intent == "report" and aging.reply.startswith("AR aging as of 2026-11-26")
    assert "0-30" in aging.reply and "Open balance" in aging.reply
    kpis = engine.ask("kpis")
    assert kpis.reply.startswith("Revenue-cycle KPIs") and "Days in AR" in kpis.reply
    assert engine.ask("how are we doing").reply.startswith("Revenue-cycle KPIs")


def test_a_report_for_a_payer_and_a_period(engine: ChatEngine, chat: Services) -> None:
    reply = engine.ask("denials report for aetna last month")
    assert reply.intent == "report"
    assert reply.data is not None
    data = reply.data["report"]
    assert data["payer"] == "Aetna"
    assert data["period"] == {"from": "2026-10-01", "to": "2026-10-31"}


# --------------------------------------------------------------------------- ask --yes


def test_ask_needs_yes_on_the_command_line(chat: Services, db_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    asked = run_cli("--db", str(db_path), "--today", TODAY.isoformat(), "ask", "write", "off", "20935", "--json")
    assert asked.exit_code == 0 and asked.json()["needs_confirmation"] is True
    assert claim(chat, "20935")["work_status"] == "new"
    done = run_cli("--db", str(db_path), "--today", TODAY.isoformat(), "ask", "write", "off", "20935", "--yes",
                   "--json")
    assert done.json()["needs_confirmation"] is False
    chat.close()  # the CLI wrote through its own connection
    assert claim(chat, "20935")["work_status"] == "written_off"


# --------------------------------------------------------------------------- as specialists say it


def test_set_only_filters_make_a_bulk_change_that_asks_first(engine: ChatEngine, chat: Services) -> None:
    """"write off the small balances under $X" is about every such claim, never the one in focus."""
    engine.ask("show 20931")
    small = sorted(chat.worklist_from({"include_snoozed": True}, sort="balance", limit=None)["rows"],
                   key=lambda r: r["balance"])[:3]
    limit = small[-1]["balance"]
    asked = engine.ask(f"write off the small balances under ${limit:.2f}")
    assert asked.intent == "set_status" and asked.needs_confirmation
    assert set(asked.claims) >= {r["claim_id"] for r in small} and "20931" not in asked.claims
    assert all(claim(chat, c)["work_status"] != "written_off" for c in asked.claims)
    engine.ask("yes")
    assert all(claim(chat, c)["work_status"] == "written_off" for c in asked.claims)


def test_a_category_with_a_claim_in_focus_stays_on_that_claim(engine: ChatEngine, chat: Services) -> None:
    engine.ask("show 20932")
    reply = engine.ask("f/u monday re the auth")
    assert reply.claims == ["20932"] and not reply.needs_confirmation
    assert claim(chat, "20932")["follow_up_date"] == "2026-11-30"


def test_transfer_a_category_of_denials(engine: ChatEngine, chat: Services) -> None:
    asked = engine.ask("transfer the bcbs auth denials to jordan")
    assert asked.needs_confirmation and "20932" in asked.claims
    for claim_id in asked.claims:
        data = claim(chat, claim_id)
        assert data["payer"]["name"] == "Blue Cross Blue Shield" and data["status"] == "denied"


def test_paid_in_full_closes_the_claim_after_asking_when_money_is_left(engine: ChatEngine,
                                                                       chat: Services) -> None:
    assert claim(chat, "20933")["balance"] > 0
    asked = engine.ask("mark 20933 paid in full")
    assert asked.needs_confirmation and "still shows" in asked.reply
    assert claim(chat, "20933")["work_status"] == "new"
    done = engine.ask("yes")
    assert claim(chat, "20933")["work_status"] == "closed" and "closed" in done.reply


def test_a_note_keeps_a_past_date_as_what_happened(engine: ChatEngine, chat: Services) -> None:
    before = claim(chat, "20932")["follow_up_date"]
    reply = engine.ask("called bcbs re 20932, rep Sarah said coverage termed 12/31/25, ref 443322")
    assert reply.intent == "note" and reply.claims == ["20932"] and "But:" not in reply.reply
    assert claim(chat, "20932")["follow_up_date"] == before
    assert "termed 12/31/25" in [a for a in chat.history("20932") if a["kind"] == "note"][-1]["note"]


def test_appeals_due_this_week_and_claims_with_a_code(engine: ChatEngine, chat: Services) -> None:
    due = engine.ask("any appeals due this week")
    assert due.intent == "worklist"
    for claim_id in due.claims:
        row = chat.next_actions(claim_id)
        assert row["actions"][0]["action"] == "appeal"
        assert TODAY <= date.fromisoformat(row["deadline"]) <= TODAY + timedelta(days=7)
    coded = engine.ask("denied claims w/ co-50")
    assert coded.intent == "worklist" and "20931" in coded.claims
    assert all("CO-50" in chat.next_actions(c)["codes"] for c in coded.claims)


def test_sort_words_sort_todays_list(engine: ChatEngine, chat: Services) -> None:
    reply = engine.ask("who owes us the most")
    balances = [claim(chat, c)["balance"] for c in reply.claims]
    assert balances == sorted(balances, reverse=True) and "biggest balance first" in reply.reply
    oldest = engine.ask("oldest claims")
    ages = [claim(chat, c)["dos_from"] for c in oldest.claims]
    assert ages == sorted(ages)
