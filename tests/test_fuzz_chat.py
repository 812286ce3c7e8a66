"""The chat, fuzzed: any conversation gets a reply to every message, never a traceback.

Conversations of one to four messages: the test phrasings broken by hypothesis (words
dropped, repeated, swapped, replaced), made-up sentences from the chat's own words, claim
ids, names, dates and amounts, raw text, and "yes"/"no" answers to whatever was asked.
Changes the chat makes land in the audit trail, and the database stays whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.chat.engine import ChatEngine, ChatReply
from assistant.chat.session import Session
from assistant.paths import Locations
from assistant.services import Services
from tests.chat_fixtures import NAMED, build_chat_db
from tests.conftest import TODAY
from tests.fuzzing import Tally, cell, examples, fuzz_settings, mutated_text
from tests.test_chat_phrasings import PHRASINGS

WORDS = sorted({word for text, _, _ in PHRASINGS for word in text.split()} |
               {cid for cid, *_ in NAMED} | {last for _, _, last, *_ in NAMED} |
               {"yes", "no", "write", "off", "all", "of", "them", "note", "status", "appeal", "CO-50", "N115",
                "97110=33", "$450", "tomorrow", "+14", "next", "undo", "closed", "in_progress"})
MESSAGE = st.one_of(
    mutated_text([text for text, _, _ in PHRASINGS], separator=" "),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
    st.text(max_size=60),
    st.tuples(st.sampled_from(WORDS), cell()).map(" ".join),
    st.sampled_from(["yes", "no", "y", "yes please", "cancel", "1", "2", ""]),
)


@pytest.fixture(scope="module")
def chat_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    db = Path(tmp_path_factory.mktemp("chat-fuzz")) / "ar.db"
    svc = Services(Locations.resolve(db), today=TODAY, user="tester")
    svc.create_database()
    build_chat_db(svc.conn, fillers=20)
    yield svc
    svc.close()


def test_any_conversation_gets_a_reply_to_every_message(chat_db: Services) -> None:
    tally = Tally("chat conversations (ChatEngine.ask, 1-4 messages each)")
    messages = Tally("chat messages")
    conn = chat_db.conn
    versions = dict(conn.execute("SELECT pk, version FROM claims").fetchall())
    last_entry = conn.execute("SELECT max(pk) FROM activities").fetchone()[0]

    @fuzz_settings(200)
    @given(st.lists(MESSAGE, min_size=1, max_size=4))
    def run(conversation: list[str]) -> None:
        engine = ChatEngine(chat_db, Session(interactive=False))
        for text in conversation:
            reply = engine.ask(text)
            assert isinstance(reply, ChatReply)
            assert isinstance(reply.intent, str) and reply.reply.strip()
            assert "Traceback" not in reply.reply
            messages.count(reply.intent)
            assert not chat_db.conn.in_transaction
        tally.count("replied")

    run()
    tally.report()
    messages.report()
    assert tally.tried >= examples(200)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # Every claim the chat changed has the change in its history.
    changed = {pk for pk, version in conn.execute("SELECT pk, version FROM claims") if version != versions[pk]}
    recorded = {pk for (pk,) in conn.execute("SELECT DISTINCT claim_pk FROM activities WHERE pk > ?",
                                             (last_entry,))}
    assert changed <= recorded
