"""Builders for the letters tests: practice, notes, plans of care, authorizations, denials.

Clinical records go through the real writer; remittance rows (until the 835 posting is
used here) are inserted as the posting would leave them, with the claim's totals updated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from assistant.domain import (
    Assessment,
    AuthorizationRecord,
    Category,
    ClaimView,
    DocType,
    DocumentRecord,
    Finding,
    PlanOfCareRecord,
    PracticeRecord,
)
from assistant.letters.drafting import Drafter, rules_knowledge
from assistant.services import Services
from assistant.storage import transaction
from assistant.storage.writer import Writer
from tests.builders import post_remit


def drafter(services: Services, assess: Callable[[ClaimView], Assessment]) -> Drafter:
    """The program's drafter (rules knowledge, playbook forms) with the assessment given here."""
    knowledge = rules_knowledge(services.locations, services.today)
    return Drafter(services.conn, services.locations, services.today, "tester",
                   replace(knowledge, assess=lambda _conn, view: assess(view)))


def practice(conn: sqlite3.Connection, **fields: str | None) -> None:
    values = {"name": "Harbor Hand & Occupational Therapy", "npi": "1699999996",
              "tax_id": "12-3456789", "address1": "200 Harbor Way, Suite 4", "city": "Portland",
              "state": "ME", "zip": "04101", "phone": "(207) 555-0142"}
    values.update(fields)
    with transaction(conn):
        Writer(conn, "tester").practice(PracticeRecord(**values))  # type: ignore[arg-type]


def note(conn: sqlite3.Connection, day: date, text: str, *, account: str = "A1001",
         doc_type: DocType = DocType.DAILY_NOTE, author: str | None = "Dana Okafor",
         credential: str | None = "OT", minutes: Sequence[tuple[str, int]] = (),
         plan: PlanOfCareRecord | None = None) -> int:
    record = DocumentRecord(account=account, doc_type=doc_type, doc_date=day, text=text, author=author,
                            author_credential=credential, minutes=tuple(minutes), plan_of_care=plan)
    with transaction(conn):
        Writer(conn, "tester").document(record)
    row = conn.execute("SELECT max(pk) FROM documents").fetchone()
    return int(row[0])


def plan_of_care(conn: sqlite3.Connection, start: date, end: date, *, account: str = "A1001",
                 certified: date | None = None, goals: Sequence[str] = (),
                 frequency: str | None = "2x/week for 8 weeks",
                 certified_by: str | None = "Dr. Alan Price") -> None:
    record = PlanOfCareRecord(account=account, start_date=start, end_date=end, certified_date=certified,
                              certified_by=certified_by if certified else None, frequency=frequency,
                              goals=tuple(goals))
    with transaction(conn):
        Writer(conn, "tester").plan_of_care(record)


def authorization(conn: sqlite3.Connection, number: str, approved: int, start: date, end: date, *,
                  account: str = "A1001", payer: str | None = "Aetna", unit_kind: str = "visits",
                  codes: Sequence[str] = ()) -> None:
    record = AuthorizationRecord(account=account, number=number, approved=approved, start_date=start,
                                 end_date=end, payer_name=payer, unit_kind=unit_kind, codes=tuple(codes))
    with transaction(conn):
        Writer(conn, "tester").authorization(record)


def appeal_address(conn: sqlite3.Connection, payer: str, address: str, fax: str | None = None) -> None:
    with transaction(conn):
        conn.execute("UPDATE payers SET appeal_address = ?, appeal_fax = ? WHERE name = ?",
                     (address, fax, payer))


Adjustment = tuple[int | None, str, str, float]  # line number (None: claim level), group, CARC, dollars


def remit(conn: sqlite3.Connection, claim_id: str, *, day: date = date(2026, 10, 1),
          adjustments: Sequence[Adjustment] = ((1, "CO", "50", 150.0),), remarks: Sequence[str] = (),
          paid: float = 0.0, payer_claim_number: str = "2026274001234") -> None:
    """A remittance for the claim as 835 posting leaves it (`tests.builders.post_remit`);
    `paid` goes to line 1."""
    post_remit(conn, claim_id, [(group, code, amount, line) for line, group, code, amount in adjustments],
               remarks=remarks, paid={1: paid} if paid else None, remit_date=day,
               payer_claim_number=payer_claim_number)


def assessment(claim_id: str, category: Category | None, *codes: str,
               deadline: date | None = None) -> Assessment:
    return Assessment(claim_id=claim_id, category=category, codes=tuple(codes), actions=(),
                      findings=(), deadline=deadline)


# --------------------------------------------------------------------------- a small clinic

GOALS = (
    "Patient will don and doff upper-body clothing independently within 6 weeks.",
    "Patient will complete toilet transfers with supervision only within 6 weeks.",
)


def _episode(conn: sqlite3.Connection, account: str, start: date, *, goals: Sequence[str] = GOALS,
             certified: bool = True, frequency: str = "2x/week for 8 weeks") -> None:
    plan_of_care(conn, start, date.fromordinal(start.toordinal() + 89), account=account,
                 certified=date.fromordinal(start.toordinal() + 5) if certified else None,
                 goals=goals, frequency=frequency)
    note(conn, start, "Evaluation:\nPatient presents after a left CVA with right hemiparesis and "
         "impaired fine motor coordination. Requires moderate assistance (mod A) for upper-body "
         "dressing and min A for toilet transfers; fall risk is high.\nPlan: skilled OT 2x/week "
         "for 8 weeks for ADL retraining, neuromuscular re-education and caregiver education.",
         account=account, doc_type=DocType.EVALUATION)


def clinic(conn: sqlite3.Connection) -> dict[str, Assessment]:
    """One denied claim per letter, with the record each letter quotes; claim id -> assessment."""
    from tests.builders import claim_record, write

    practice(conn)
    sep1, sep8, sep15 = date(2026, 9, 1), date(2026, 9, 8), date(2026, 9, 15)
    ot_lines = (("97530", ("GO",), 2, 150.0), ("97110", ("GO",), 1, 75.0))
    claims = [
        claim_record("MN-MCR-1", account="A1001", dos=sep15, minutes=(30, 15)),
        claim_record("MN-AET-1", account="A1002", last="Chen", first="Wei", payer="Aetna", dos=sep15,
                     lines=ot_lines, minutes=(30, 15)),
        claim_record("MAINT-BCBS-1", account="A1003", last="Okoro", first="Ada",
                     payer="Blue Cross Blue Shield", dos=sep15, minutes=(30, 15)),
        claim_record("AUTH-AET-1", account="A1004", last="Silva", first="Ana", payer="Aetna", dos=sep8,
                     minutes=(30, 15), prior_auth="AUTH-7781"),
        claim_record("NCCI-AET-1", account="A1005", last="Brown", first="Lee", payer="Aetna", dos=sep8,
                     lines=(("97140", ("GO",), 1, 70.0), ("97530", ("GO", "59"), 2, 150.0)),
                     minutes=(10, 25)),
        claim_record("UNITS-BCBS-1", account="A1006", last="Novak", first="Ivan",
                     payer="Blue Cross Blue Shield", dos=sep8, lines=(("97110", ("GO",), 3, 210.0),),
                     minutes=(40,)),
        claim_record("VISIT-AET-1", account="A1007", last="Haddad", first="Rana", payer="Aetna",
                     dos=sep15, minutes=(30, 15)),
        claim_record("TF-BCBS-1", account="A1008", last="Kim", first="Joon", payer="Blue Cross Blue Shield",
                     dos=sep1, minutes=(30, 15), submitted=date(2026, 9, 20)),
        claim_record("COB-AET-1", account="A1009", last="Price", first="Eve", payer="Aetna", dos=sep8,
                     minutes=(30, 15)),
        claim_record("CODE-AET-1", account="A1010", last="Ortiz", first="Luis", payer="Aetna", dos=sep8,
                     lines=(("97530", (), 2, 150.0),), minutes=(30,)),
        claim_record("RECON-MCR-1", account="A1011", last="Walsh", first="Nora", dos=date(2026, 6, 2),
                     minutes=(30, 15)),
        claim_record("GEN-BCBS-1", account="A1012", last="Dubois", first="Remy",
                     payer="Blue Cross Blue Shield", dos=sep8, minutes=(30, 15)),
    ]
    cob_medicare = claim_record("COB-MCR-2", account="A1009", last="Price", first="Eve", dos=sep8,
                                minutes=(30, 15))
    write(conn, *claims)
    write(conn, cob_medicare)
    appeal_address(conn, "Medicare Part B", "Noridian JE Part B Redeterminations\nPO Box 6781\n"
                   "Fargo, ND 58108-6781", fax="(701) 277-7888")
    appeal_address(conn, "Aetna", "Aetna Provider Appeals\nPO Box 14020\nLexington, KY 40512")
    appeal_address(conn, "Blue Cross Blue Shield", "BCBS Appeals Unit; PO Box 2000; Boston, MA 02110")
    with transaction(conn):
        conn.execute("UPDATE coverages SET priority = 2 WHERE patient_pk = (SELECT pk FROM patients "
                     "WHERE account = 'A1009') AND payer_pk = (SELECT pk FROM payers WHERE name = 'Medicare Part B')")
    aug = date(2026, 8, 20)
    for account in ("A1001", "A1002", "A1004", "A1006", "A1007", "A1008", "A1009", "A1010", "A1012"):
        _episode(conn, account, aug)
    _episode(conn, "A1005", aug)
    _episode(conn, "A1003", aug, goals=(
        "Maintain safe independent transfers and prevent decline in ADL function (progressive MS).",
        "Caregiver will carry out the home maintenance program safely with skilled oversight.",
    ), frequency="1x/week for 12 weeks")
    _episode(conn, "A1011", date(2026, 5, 20))
    for account in ("A1001", "A1002", "A1007"):
        note(conn, date(2026, 9, 1), "Progress report:\nGoal 1 partially met: patient now dresses upper "
             "body with min A (was mod A at evaluation). Goal 2 not yet met: toilet transfers with "
             "contact guard (CGA). Continued skilled OT is needed to progress safely toward "
             "independence.", account=account, doc_type=DocType.PROGRESS_REPORT)
    daily = ("Subjective: Patient reports less fatigue with morning dressing.\n"
             "Objective: 97530 x 30 min functional transfer training with min A and verbal cues for "
             "sequencing; 97110 x 15 min UE strengthening.\n"
             "Assessment: Patient tolerated treatment well and is progressing toward the independant "
             "dressing goal; requires skilled cueing for safety.\nPlan: continue plan of care.")
    for account, day in (("A1001", sep15), ("A1002", sep15), ("A1004", sep8), ("A1007", sep15),
                         ("A1008", sep1), ("A1009", sep8), ("A1012", sep8), ("A1011", date(2026, 6, 2))):
        note(conn, day, daily, account=account, minutes=(("97530", 30), ("97110", 15)))
    note(conn, sep15, "Objective: 97530 x 30 min; 97110 x 15 min skilled maintenance program: "
         "transfer practice with contact guard and caregiver training.\nAssessment: function "
         "maintained; without skilled oversight the patient is at high risk of falls and decline.",
         account="A1003", minutes=(("97530", 30), ("97110", 15)))
    note(conn, sep8, "Objective: 09:00-09:10 manual therapy (97140) to the right wrist, soft tissue "
         "mobilization for edema. Then, in a separate time block 09:12-09:37, 97530 functional "
         "reaching and grasp activities.\nAssessment: distinct interventions for distinct goals.",
         account="A1005", minutes=(("97140", 10), ("97530", 25)))
    note(conn, sep8, "Objective: 97110 therapeutic exercise x 40 min one-on-one: progressive "
         "resistive exercise for the right shoulder and grip.\nTotal timed minutes 40; total "
         "treatment time 45 min.", account="A1006", minutes=(("97110", 40),))
    note(conn, sep8, "Objective: 97530 x 30 min functional reaching with the right hand.",
         account="A1010", minutes=(("97530", 30),))
    authorization(conn, "AUTH-7781", 12, date(2026, 8, 15), date(2026, 11, 15), account="A1004")
    remit(conn, "MN-MCR-1", adjustments=[(1, "CO", "50", 150.0)], remarks=["N115"])
    remit(conn, "MN-AET-1", adjustments=[(1, "CO", "50", 150.0), (2, "CO", "50", 75.0)])
    remit(conn, "MAINT-BCBS-1", adjustments=[(1, "CO", "50", 150.0), (2, "CO", "50", 75.0)])
    remit(conn, "AUTH-AET-1", adjustments=[(None, "CO", "197", 225.0)])
    remit(conn, "NCCI-AET-1", adjustments=[(2, "CO", "97", 150.0)], remarks=["M15"])
    remit(conn, "UNITS-BCBS-1", adjustments=[(1, "CO", "151", 70.0)], paid=140.0)
    remit(conn, "VISIT-AET-1", adjustments=[(1, "CO", "119", 150.0), (2, "CO", "119", 75.0)])
    remit(conn, "TF-BCBS-1", adjustments=[(None, "CO", "29", 225.0)])
    remit(conn, "COB-AET-1", adjustments=[(None, "CO", "22", 225.0)])
    remit(conn, "CODE-AET-1", adjustments=[(1, "CO", "4", 150.0)])
    remit(conn, "RECON-MCR-1", adjustments=[(1, "CO", "50", 150.0)], day=date(2026, 7, 1))
    remit(conn, "GEN-BCBS-1", adjustments=[(None, "CO", "16", 225.0)], remarks=["N290"])
    with transaction(conn):
        pk = conn.execute("SELECT pk FROM claims WHERE claim_id = 'RECON-MCR-1'").fetchone()[0]
        conn.execute("INSERT INTO appeals (claim_pk, level, template, status, drafted_date, sent_date, "
                     "channel, outcome, decided_date) VALUES (?, 1, 'medicare_redetermination', "
                     "'decided', '2026-07-10', '2026-07-11', 'fax', 'lost', '2026-09-02')", (pk,))
    C = Category
    return {
        "MN-MCR-1": assessment("MN-MCR-1", C.MEDICAL_NECESSITY, "CO-50", "N115"),
        "MN-AET-1": assessment("MN-AET-1", C.MEDICAL_NECESSITY, "CO-50"),
        "MAINT-BCBS-1": assessment("MAINT-BCBS-1", C.MEDICAL_NECESSITY, "CO-50"),
        "AUTH-AET-1": assessment("AUTH-AET-1", C.AUTHORIZATION, "CO-197"),
        "NCCI-AET-1": assessment("NCCI-AET-1", C.BUNDLING, "CO-97", "M15"),
        "UNITS-BCBS-1": assessment("UNITS-BCBS-1", C.FREQUENCY, "CO-151"),
        "VISIT-AET-1": assessment("VISIT-AET-1", C.FREQUENCY, "CO-119"),
        "TF-BCBS-1": assessment("TF-BCBS-1", C.TIMELY_FILING, "CO-29"),
        "COB-AET-1": assessment("COB-AET-1", C.COORDINATION_OF_BENEFITS, "CO-22"),
        "CODE-AET-1": Assessment(
            claim_id="CODE-AET-1", category=C.CODING, codes=("CO-4",), actions=(),
            findings=(Finding("ot-discipline-modifier", "error", "line 1 (97530) has no GO modifier", 1,
                              "add GO to line 1"),),
            deadline=None),
        "RECON-MCR-1": assessment("RECON-MCR-1", C.MEDICAL_NECESSITY, "CO-50"),
        "GEN-BCBS-1": assessment("GEN-BCBS-1", C.MISSING_INFORMATION, "CO-16", "N290"),
    }


# Which letter each clinic claim gets, and the claim each template is tested on.
EXPECTED_TEMPLATES = {
    "MN-MCR-1": "medicare_redetermination",
    "MN-AET-1": "medical_necessity",
    "MAINT-BCBS-1": "maintenance_therapy",
    "AUTH-AET-1": "authorization",
    "NCCI-AET-1": "bundling_ncci",
    "UNITS-BCBS-1": "frequency_units",
    "VISIT-AET-1": "visit_limit",
    "TF-BCBS-1": "timely_filing",
    "COB-AET-1": "coordination_of_benefits",
    "CODE-AET-1": "coding_correction",
    "RECON-MCR-1": "medicare_reconsideration",
    "GEN-BCBS-1": "generic",
}
