"""Excerpts: the passages that answer the denial, verbatim, dated, deduplicated."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.domain import DocType
from assistant.errors import ConfigError
from assistant.letters.excerpts import best_excerpts, profile, query_for, split_passages
from assistant.storage.documents import DocumentView

DOS = date(2026, 9, 15)


def doc(pk: int, text: str, day: date = DOS, kind: DocType = DocType.DAILY_NOTE) -> DocumentView:
    return DocumentView(pk=pk, doc_type=kind, doc_date=day, author="Dana Okafor", author_credential="OT",
                        title=None, text=text, source=None)


def squash(text: str) -> str:
    return " ".join(text.split())


def test_passages_keep_section_headings_and_cut_long_paragraphs_at_sentences() -> None:
    text = "Assessment:\nPatient improved.\n\n" + " ".join(f"Sentence number {i} is here." for i in range(40))
    passages = split_passages(text)
    assert passages[0] == "Assessment: Patient improved."
    assert all(len(p) <= 360 for p in passages)
    assert " ".join(passages[1:]) == " ".join(f"Sentence number {i} is here." for i in range(40))


def test_the_passage_that_answers_the_denial_ranks_first() -> None:
    docs = [
        doc(1, "Subjective: Patient enjoyed the weather today.\nPlan: continue.", DOS),
        doc(2, "Assessment: requires skilled cueing for safety during transfers; progressing toward "
               "the dressing goal with min A.", date(2026, 9, 8)),
    ]
    top = best_excerpts(docs, "medical_necessity", [DOS], limit=1)
    assert top[0].document_id == 2 and "skilled cueing" in top[0].text
    both = best_excerpts(docs, "medical_necessity", [DOS], limit=2)
    assert [e.document_id for e in both] == [2, 1]  # oldest first; the service date's note joins


def test_misspelt_terms_are_found_through_the_notes_own_words() -> None:
    notes = [doc(1, "Patient is now indepedent with grooming at the sink after setup."),
             doc(2, "Patient reports the bus was late again this morning, otherwise nothing new.")]
    query = query_for(profile("medical_necessity"), {"indepedent", "grooming", "weather"})
    assert '"indepedent"' in query and '"weather"' not in query
    found = best_excerpts(notes, "medical_necessity", [], limit=1)
    assert found[0].document_id == 1


def test_copy_forward_text_is_quoted_once() -> None:
    same = ("Assessment: requires skilled cueing for safety during transfers and is progressing toward "
            "independent dressing.")
    notes = [doc(i, same, date(2026, 9, i)) for i in range(1, 6)]
    found = best_excerpts(notes, "medical_necessity", [date(2026, 9, 5)], limit=4)
    assert len(found) == 1
    assert found[0].doc_date == date(2026, 9, 5)  # the copy from the service date itself


def test_a_service_date_note_is_always_quoted() -> None:
    notes = [
        doc(1, "Plan of care goals: independent dressing, safe transfers; skilled OT required.",
            date(2026, 8, 20), DocType.PLAN_OF_CARE),
        doc(2, "Progress: goal 1 met, goal 2 progressing; skilled intervention still required.",
            date(2026, 9, 1), DocType.PROGRESS_REPORT),
        doc(3, "Transfers practiced today for thirty minutes with the patient in the clinic gym.", DOS),
    ]
    found = best_excerpts(notes, "medical_necessity", [DOS], limit=2)
    assert 3 in [e.document_id for e in found]
    assert [e.doc_date for e in found] == sorted(e.doc_date for e in found)


def test_notes_without_any_term_still_give_one_dated_excerpt() -> None:
    found = best_excerpts([doc(1, "Xyzzy plugh frobnicate the quux widget thoroughly today.")],
                          "bundling", [DOS])
    assert len(found) == 1 and found[0].doc_date == DOS and found[0].cite.startswith("Daily note, 09/15/2026")


def test_no_notes_no_excerpts() -> None:
    assert best_excerpts([], "medical_necessity", [DOS]) == []


def test_unknown_profile_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown evidence profile"):
        best_excerpts([doc(1, "text")], "nope", [DOS])


def test_excerpt_dict_names_document_type_date_and_text() -> None:
    found = best_excerpts([doc(7, "Requires skilled cueing for safety during every transfer.")],
                          "medical_necessity", [DOS])
    assert found[0].as_dict() == {"document_id": 7, "type": "daily_note", "date": "2026-09-15",
                                  "author": "Dana Okafor",
                                  "text": "Requires skilled cueing for safety during every transfer."}


words = st.text(alphabet="abcdefghij klmnop\n.:-", min_size=1, max_size=300)


@given(st.lists(words, min_size=1, max_size=6))
def test_every_excerpt_is_verbatim_note_text(texts: list[str]) -> None:
    notes = [doc(i, t, date(2026, 9, 1 + i)) for i, t in enumerate(texts)]
    found = best_excerpts(notes, "medical_necessity", [date(2026, 9, 1)])
    by_id = {d.pk: squash(d.text) for d in notes}
    if any(split_passages(t) for t in texts):
        assert found
    for excerpt in found:
        assert squash(excerpt.text) in by_id[excerpt.document_id]


def test_a_daily_notes_assessment_outweighs_the_patients_report_and_a_routine_plan() -> None:
    note = ("S: Pt reports she is motivated to regain independence with dressing and wants skilled help.\n"
            "O: 97535 Self-care training: 30 min; dressing with min A and verbal cueing for safety.\n"
            "A: Requires the skilled judgment of a therapist to grade dressing tasks; progressing toward "
            "the functional goal.\n"
            "P: Continue plan of care 3x/week toward dressing and safety goals with skilled intervention.")
    found = best_excerpts([doc(1, note)], "medical_necessity", [DOS], limit=2)
    assert [e.text[:2] for e in found] == ["O:", "A:"]  # in the note's order; S: and P: left out
    evaluation = doc(2, "Plan: skilled OT 2x/week for 8 weeks for ADL retraining, functional goals and "
                        "safety education.", date(2026, 8, 20), DocType.EVALUATION)
    quoted = best_excerpts([evaluation], "medical_necessity", [DOS], limit=2)
    assert quoted and quoted[0].text.startswith("Plan:")  # an evaluation's plan is its substance
