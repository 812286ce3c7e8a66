"""What the screens read beyond claims: finding a claim by name, care status, documents, codes."""

from __future__ import annotations

import pytest

from assistant.errors import NotFound
from assistant.services import Services


def test_find_claims_by_the_start_of_an_id(practice_services: Services) -> None:
    found = practice_services.find_claims("ot200")
    assert [r["claim_id"] for r in found][:5] == ["OT2001", "OT2002", "OT2003", "OT2004", "OT2005"]
    assert all(r["match"] == "claim" for r in found[:5])


def test_find_claims_by_a_misspelt_patient_name(practice_services: Services) -> None:
    found = practice_services.find_claims("rivra maria")
    assert {r["claim_id"] for r in found if r["patient"] == "Rivera, Maria"} == {"OT2001", "OT2004"}
    assert found[0]["patient"] == "Rivera, Maria" and found[0]["match"] == "patient"
    assert found[0]["balance"] == 225.0  # money owed first


def test_find_claims_puts_the_misspelt_surname_before_a_namesake(services: Services) -> None:
    from tests.builders import claim_record, write

    write(services.conn, claim_record("D1", account="D1", last="Dixon", first="Maria"),
          claim_record("W1", account="W1", last="Watson", first="Maria"),
          claim_record("W2", account="W2", last="Watson", first="Doris"))
    assert [r["patient"] for r in services.find_claims("watsn maria")][:2] == ["Watson, Maria", "Watson, Doris"]
    assert services.find_claims("wats")[0]["patient"].startswith("Watson")  # still typing


def test_find_claims_finds_nothing_in_nonsense(practice_services: Services) -> None:
    assert practice_services.find_claims("zzqx") == []
    assert practice_services.find_claims("   ") == []


def test_care_status_shows_the_plan_and_its_certification(practice_services: Services) -> None:
    status = practice_services.care_status("OT2001")
    day = status["plan_of_care"]["days"][0]
    assert day["plan"]["start"] == "2026-08-20" and day["plan"]["certified"] == "2026-08-25"
    assert "certified 2026-08-25 by Dr. Alan Price" in day["text"]
    later = practice_services.care_status("OT2004")["plan_of_care"]["days"][0]
    assert "lapsed" not in later["text"]  # 10/13 is within the 90 days from 08/20
    assert status["authorization"]["days"][0]["date"] == "2026-09-01"


def test_care_status_without_a_plan_says_so(practice_services: Services) -> None:
    day = practice_services.care_status("OT2003")["plan_of_care"]["days"][0]
    assert day["plan"] is None and day["text"] == "no plan of care on file for 2026-10-06"


def test_document_reads_one_note_in_full(practice_services: Services) -> None:
    listed = practice_services.claim("OT2001")["documents"]
    assert listed
    doc = practice_services.document(listed[0]["id"])
    assert doc["type"] == "daily_note" and "distal radius fracture" in doc["text"]
    with pytest.raises(NotFound):
        practice_services.document(99999)


def test_explain_codes_for_the_claim_screen(practice_services: Services) -> None:
    rows = practice_services.explain_codes(["CO-50", "N115"], "medicare")
    assert [r["code"] for r in rows] == ["CO-50", "N115"]
    assert rows[0]["category"] == "medical_necessity"


def test_worklist_search_keeps_claims_with_every_word(practice_services: Services) -> None:
    def ids(text: str) -> list[str]:
        data = practice_services.worklist(None, limit=50, search=text)
        assert data["total_claims"] == len(data["rows"])
        return sorted(r["claim_id"] for r in data["rows"])

    assert ids("rivera") == ["OT2001", "OT2004"]
    assert ids("RIVERA maria a2001") == ["OT2001", "OT2004"]  # name and account, any case
    assert ids("medical necessity") == ["OT2001"]  # category words, stored with underscores
    assert ids("request auth") == ["OT2002"]  # next action words
    assert ids("co-197 aetna") == ["OT2002"]  # a code and the payer
    assert ids("ot2003") == ["OT2003"]
    assert ids("rivera aetna") == []
    assert ids("100%") == [] and ids("%") == []  # a typed % is taken literally
    assert practice_services.worklist(None, search="  ")["total_claims"] == 4


def test_claim_review_is_next_actions_and_care_from_one_context(practice_services: Services) -> None:
    for claim_id in ("OT2001", "OT2002", "OT2004"):
        review = practice_services.claim_review(claim_id)
        assert review["next"] == practice_services.next_actions(claim_id)
        assert review["care"] == practice_services.care_status(claim_id)
