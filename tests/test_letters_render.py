"""Every shipped template on a claim of its kind: golden text, the claim's facts, real excerpts.

Regenerate the golden files after an intended wording change with
`UPDATE_GOLDEN=1 python -m pytest tests/test_letters_render.py` and read the diff.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from assistant.domain import Category
from assistant.letters.excerpts import DOC_LABELS
from assistant.letters.markup import Quote, plain
from tests import letter_builders as lb
from tests.builders import claim_record, write

GOLDEN = Path(__file__).parent / "golden" / "letters"


@pytest.fixture
def clinic(services):
    assessments = lb.clinic(services.conn)
    drafter = lb.drafter(services, lambda view: assessments[view.claim_id])
    return drafter


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("claim_id", sorted(lb.EXPECTED_TEMPLATES))
def test_template_golden_text(clinic, claim_id: str) -> None:
    draft, _ = clinic.prepare(claim_id)
    assert draft.template == lb.EXPECTED_TEMPLATES[claim_id]
    text = clinic.preview(draft)
    golden = GOLDEN / f"{draft.template}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()


@pytest.mark.parametrize("claim_id", sorted(lb.EXPECTED_TEMPLATES))
def test_letter_holds_the_claims_facts_and_a_real_dated_excerpt(clinic, services, claim_id: str) -> None:
    draft, context = clinic.prepare(claim_id)
    text = squash(clinic.preview(draft))
    view = services.claim_view(claim_id)
    for fact in (view.claim_id, f"{view.patient.first_name} {view.patient.last_name}",
                 view.member_id, f"{view.dos_from:%m/%d/%Y}", "Harbor Hand & Occupational Therapy"):
        assert fact in text, fact
    billed = f"${view.billed_cents // 100:,}.{view.billed_cents % 100:02d}"
    assert billed in text
    for code in context["denial"]["codes"]:
        assert code["code"] in text
    quotes = [b for b in draft.blocks if isinstance(b, Quote)]
    if not clinic.templates.info(draft.template).quotes:  # timely filing, COB: no clinical record
        assert not quotes and not draft.excerpts
        return
    assert quotes and draft.excerpts
    notes = {row["pk"]: (squash(row["text"]), row["doc_date"], row["doc_type"]) for row in
             services.conn.execute("SELECT pk, text, doc_date, doc_type FROM documents WHERE patient_pk = ?",
                                   (view.patient.pk,))}
    for excerpt, quote in zip(draft.excerpts, quotes, strict=True):
        note_text, note_date, note_type = notes[excerpt.document_id]
        assert squash(excerpt.text) in note_text
        assert excerpt.doc_date.isoformat() == note_date and excerpt.doc_type.value == note_type
        assert squash(plain(quote.runs)) == squash(excerpt.text)
        assert quote.source.startswith(f"{DOC_LABELS[excerpt.doc_type]}, {excerpt.doc_date:%m/%d/%Y}")


def test_medicare_requests_carry_what_42_cfr_405_944_asks_for(clinic) -> None:
    draft, _ = clinic.prepare("MN-MCR-1")
    text = squash(clinic.preview(draft))
    for part in ("Request for Redetermination", "Beneficiary name: Maria Rivera", "Medicare number: MA1001",
                 "Services: 97530", "Dates of service: 09/15/2026", "Why the initial determination is wrong",
                 "Party requesting: Harbor Hand & Occupational Therapy", "Sincerely"):
        assert part in text, part
    recon, _ = clinic.prepare("RECON-MCR-1")
    assert recon.level == 2
    assert "decision dated 09/02/2026 by Medicare Part B" in squash(clinic.preview(recon))
    assert recon.deadline is not None and recon.deadline.isoformat() == "2027-03-06"  # 180 days + 5 receipt


def test_a_template_can_be_asked_for_by_name(clinic) -> None:
    draft, _ = clinic.prepare("MN-AET-1", template="generic")
    assert draft.template == "generic"


def test_no_notes_on_file_gives_a_letter_that_says_so_and_the_gaps(services) -> None:
    lb.practice(services.conn)
    write(services.conn, claim_record("C1", payer="Aetna", minutes=(30, 15)))
    lb.remit(services.conn, "C1", adjustments=[(1, "CO", "50", 150.0)])
    drafter = lb.drafter(services, lambda v: lb.assessment(v.claim_id, Category.MEDICAL_NECESSITY, "CO-50"))
    draft, _ = drafter.prepare("C1")
    assert draft.excerpts == () and draft.blocking
    assert [g.need for g in draft.gaps][:1] == ["notes"]
    text = squash(drafter.preview(draft))
    assert "No therapy notes are on file for this claim" in text
    assert "This appeal will likely fail as it stands: no therapy notes are on file" in text
    assert "No appeal address is on file for Aetna" in text


def test_maintenance_goals_choose_the_maintenance_letter_for_medicare_too(services) -> None:
    lb.practice(services.conn)
    write(services.conn, claim_record("C1", minutes=(30, 15)))
    lb.plan_of_care(services.conn, date(2026, 8, 1), date(2026, 10, 29),
                    certified=date(2026, 8, 2), goals=["Maintain current transfer safety."])
    lb.remit(services.conn, "C1", adjustments=[(1, "CO", "50", 150.0)])
    drafter = lb.drafter(services, lambda v: lb.assessment(v.claim_id, Category.MEDICAL_NECESSITY, "CO-50"))
    draft, context = drafter.prepare("C1")
    assert draft.template == "medicare_redetermination"
    assert context["letter"]["argument_template"] == "maintenance_therapy.j2"
    assert "Jimmo v. Sebelius" in drafter.preview(draft)


def test_a_passed_deadline_and_a_claim_without_denial_are_flagged(services) -> None:
    lb.practice(services.conn)
    write(services.conn, claim_record("C1", payer="Aetna", minutes=(30, 15)))
    lb.note(services.conn, date(2026, 9, 1), "Transfers with min A for thirty minutes; skilled cueing.")
    drafter = lb.drafter(services, lambda v: lb.assessment(v.claim_id, Category.MEDICAL_NECESSITY,
                                                           deadline=date(2026, 11, 1)))
    draft, _ = drafter.prepare("C1")
    assert draft.gaps[0].need == "deadline" and draft.gaps[0].blocking
    text = squash(drafter.preview(draft))
    assert "the appeal deadline (11/01/2026) has passed" in text
    assert "No denial is on file for this claim" in text
