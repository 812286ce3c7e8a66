"""What a payer's reviewer would catch: letters that contradict their own facts, denials that
should not be appealed, contractual codes called denials, wrong plurals, misleading quotes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from assistant.domain import Action, Category, NextAction
from assistant.letters.context import address_lines
from assistant.letters.excerpts import split_passages
from assistant.letters.templates import _counted
from tests import letter_builders as lb
from tests.builders import claim_record, write


@pytest.fixture
def clinic(services):
    assessments = lb.clinic(services.conn)
    return services, assessments


def _draft(services, assessments, claim_id, template=None, **changes):
    chosen = {**assessments, claim_id: replace(assessments[claim_id], **changes)} if changes else assessments
    drafter = lb.drafter(services, lambda view: chosen[view.claim_id])
    draft, context = drafter.prepare(claim_id, template)
    return draft, context, " ".join(drafter.preview(draft).split())


def test_counted_says_one_unit_and_two_units() -> None:
    assert _counted(1, "unit") == "1 unit"
    assert _counted(2, "unit") == "2 units"
    assert _counted(1.5, "unit") == "1.5 units"
    assert _counted(3, "timed minute") == "3 timed minutes"
    assert _counted(1, "visit", "visits") == "1 visit"


@pytest.mark.parametrize("text, lines", [
    ("Noridian JF Part B Redeterminations, PO Box 6783, Fargo ND 58108-6783",
     ["Noridian JF Part B Redeterminations", "PO Box 6783", "Fargo ND 58108-6783"]),
    ("Claims Appeals, PO Box 14601, Lexington, KY 40512",
     ["Claims Appeals", "PO Box 14601", "Lexington, KY 40512"]),
    ("Aetna Provider Appeals\nPO Box 14020\nLexington, KY 40512",
     ["Aetna Provider Appeals", "PO Box 14020", "Lexington, KY 40512"]),
    ("BCBS Appeals Unit; PO Box 2000; Boston, MA 02110", ["BCBS Appeals Unit", "PO Box 2000", "Boston, MA 02110"]),
    (None, []),
])
def test_an_appeal_address_is_written_on_envelope_lines(text, lines) -> None:
    assert address_lines(text) == lines


def test_a_timed_codes_description_is_quoted_with_its_minutes_and_list_marks_are_not() -> None:
    note = ("O:\n97530 Therapeutic activities: 14 min\n  Dynamic standing activity at the counter.\n"
            "Goals:\n- Patient will dress independently within 4 weeks.\n2. Patient will cook.")
    assert split_passages(note) == [
        "O: 97530 Therapeutic activities: 14 min Dynamic standing activity at the counter.",
        "Goals: Patient will dress independently within 4 weeks.",
        "Patient will cook.",
    ]


def test_a_late_claim_is_not_called_timely(clinic) -> None:
    services, assessments = clinic
    with services.conn:
        services.conn.execute("UPDATE claims SET submitted_date = '2027-01-15' WHERE claim_id = 'TF-BCBS-1'")
    draft, context, text = _draft(services, assessments, "TF-BCBS-1")
    limit = context["payer"]["timely_filing_days"]
    assert limit is not None and context["claim"]["days_to_submit"] > limit
    assert "was filed on time" not in text and "within Blue Cross Blue Shield's filing limit" not in text
    assert "good cause" in text
    assert draft.blocking


def test_timely_filing_and_cob_letters_quote_no_clinical_notes(clinic) -> None:
    services, assessments = clinic
    for claim_id in ("TF-BCBS-1", "COB-AET-1"):
        draft, _, text = _draft(services, assessments, claim_id)
        assert not draft.excerpts and "treating therapist's record" not in text


def test_contractual_and_patient_share_codes_are_not_called_the_denial(clinic) -> None:
    services, assessments = clinic
    _, context, text = _draft(services, assessments, "NCCI-AET-1", codes=("CO-97", "CO-45", "PR-2", "M15"))
    assert [c["code"] for c in context["denial"]["codes"]] == ["CO-97"]
    assert "CO-45" not in text and "PR-2" not in text


def test_bundling_letter_claims_no_modifier_the_line_lacks(services) -> None:
    assessments = lb.clinic(services.conn)
    write(services.conn, claim_record("NCCI-AET-2", account="A1005", last="Brown", first="Lee", payer="Aetna",
                                      dos=date(2026, 9, 8), lines=(("97140", ("GO",), 1, 70.0),
                                                                   ("97530", ("GO",), 2, 150.0)),
                                      minutes=(10, 25)))
    lb.remit(services.conn, "NCCI-AET-2", adjustments=[(1, "CO", "45", 10.0), (2, "CO", "97", 150.0)])
    assessments["NCCI-AET-2"] = lb.assessment("NCCI-AET-2", Category.BUNDLING, "CO-97")
    draft, _, text = _draft(services, assessments, "NCCI-AET-2")
    assert "the modifier on the claim reports exactly that" not in text
    assert "1 unit," in text and "2 units," in text and "unit(s)" not in text
    modifier_gaps = [g for g in draft.gaps if "59/X" in g.message and g.blocking]
    assert len(modifier_gaps) == 1 and "line 2 (97530) carries" in modifier_gaps[0].message
    assert "line 1" not in modifier_gaps[0].message  # its CO-45 is the contract, not a denial


def test_units_letter_does_not_ask_for_units_the_minutes_do_not_support(clinic) -> None:
    services, assessments = clinic
    with services.conn:
        services.conn.execute("UPDATE claim_lines SET units = 4 WHERE claim_pk = "
                              "(SELECT pk FROM claims WHERE claim_id = 'UNITS-BCBS-1')")
    _, context, text = _draft(services, assessments, "UNITS-BCBS-1")
    day = context["service_days"][0]
    assert day["supported_units"] == 3 and day["over_billed"]
    assert "should be paid as billed" not in text
    assert "support fewer units than were billed" in text and "support 3 units; 4 timed units billed" in text


def test_an_exceeded_authorization_is_not_called_within_the_approved_visits(clinic) -> None:
    services, assessments = clinic
    with services.conn:
        services.conn.execute("UPDATE authorizations SET approved = 0 WHERE number = 'AUTH-7781'")
    _, context, text = _draft(services, assessments, "AUTH-AET-1")
    assert context["authorization"]["exceeded"]
    assert "within the approved visits" not in text and "processing error" not in text
    assert "extend the authorization" in text
    assert "The date of service, 09/08/2026, falls within that period" in text


def test_a_denial_without_appeal_rights_blocks_with_the_better_action(clinic) -> None:
    services, assessments = clinic
    lb.remit(services.conn, "GEN-BCBS-1", adjustments=[(None, "CO", "16", 225.0)], remarks=["MA130"],
             day=date(2026, 10, 2))
    draft, _, text = _draft(services, assessments, "GEN-BCBS-1",
                            actions=(NextAction(Action.NEW_CLAIM, "MA130: submit a new claim"),))
    gap = next(g for g in draft.gaps if g.need == "appealable")
    assert gap.blocking and gap.instead is Action.NEW_CLAIM and "MA130" in gap.message
    assert "This appeal will likely fail as it stands" in text


def test_timely_filing_at_medicare_is_not_appealable(services) -> None:
    assessments = lb.clinic(services.conn)
    write(services.conn, claim_record("TF-MCR-1", account="A1001", dos=date(2025, 6, 2), minutes=(30, 15),
                                      submitted=date(2026, 8, 1)))
    lb.remit(services.conn, "TF-MCR-1", adjustments=[(None, "CO", "29", 225.0)])
    assessments["TF-MCR-1"] = lb.assessment("TF-MCR-1", Category.TIMELY_FILING, "CO-29")
    draft, _, _ = _draft(services, assessments, "TF-MCR-1")
    gap = next(g for g in draft.gaps if g.need == "appealable")
    assert gap.blocking and gap.instead is Action.WRITE_OFF and "cannot be appealed at medicare" in gap.message


def test_a_contractual_adjustment_alone_is_not_a_denial_to_appeal(services) -> None:
    assessments = lb.clinic(services.conn)
    write(services.conn, claim_record("CONTR-AET-1", account="A1002", last="Chen", first="Wei", payer="Aetna",
                                      dos=date(2026, 9, 15), minutes=(30, 15)))
    lb.remit(services.conn, "CONTR-AET-1", adjustments=[(1, "CO", "45", 40.0)], paid=110.0)
    assessments["CONTR-AET-1"] = lb.assessment("CONTR-AET-1", None, "CO-45")
    draft, context, _ = _draft(services, assessments, "CONTR-AET-1", template="generic")
    assert context["denial"]["codes"] == []
    gap = next(g for g in draft.gaps if g.need == "appealable")
    assert gap.blocking and gap.instead is Action.WRITE_OFF and "contractual" in gap.message


def test_a_duplicate_the_rules_say_to_wait_on_is_flagged_not_blocked(clinic) -> None:
    services, assessments = clinic
    draft, _, _ = _draft(services, assessments, "GEN-BCBS-1",
                         actions=(NextAction(Action.WAIT, "N522: wait for the crossover payment"),))
    gap = next(g for g in draft.gaps if g.need == "appealable")
    assert not gap.blocking and gap.instead is Action.WAIT and "not an appeal" in gap.message


def test_a_reconsideration_named_at_level_one_is_level_two_without_a_made_up_deadline(clinic) -> None:
    services, assessments = clinic
    draft, context, text = _draft(services, assessments, "MN-MCR-1", template="medicare_reconsideration",
                                  deadline=date(2026, 12, 30))
    assert draft.level == 2 and context["letter"]["level_name"] == "request for reconsideration"
    assert draft.deadline is None and "Appeal deadline" not in text
    assert "request for redetermination of" not in text
    assert "Qualified Independent Contractor to reverse the redetermination" in text


def test_an_ota_furnished_service_says_so(clinic) -> None:
    services, assessments = clinic
    with services.conn:
        services.conn.execute("UPDATE claim_lines SET modifiers = 'GO CO' WHERE line_no = 1 AND claim_pk = "
                              "(SELECT pk FROM claims WHERE claim_id = 'MN-AET-1')")
    _, context, text = _draft(services, assessments, "MN-AET-1")
    assert context["lines"][0]["assistant"] and not context["lines"][1]["assistant"]
    assert "The services billed with modifier CO were furnished in whole or in part by an occupational " \
           "therapy assistant" in text
