"""Benchmark: drafting appeal letters against python-docx alone, measured in the same run.

    python bench/bench_letters.py                    # 500 letters from a generated practice
    python bench/bench_letters.py --db sample.db     # the denied claims of an existing database
    python bench/bench_letters.py --letters 200 --workers 2

The floor is python-docx by itself writing, for each letter, a document with the same
letterhead, paragraphs (same styles) and service-line table, and saving it: what any
letter writer pays. Against it:

  one process   Services.draft_appeals with one worker: assessment, evidence, excerpts,
                Jinja, markup, .docx, appeal records and audit entries, per letter;
  both cores    the same batch over a process pool (one worker per core, at most 2).

Prints ms per letter and letters per second for each, and our single-process cost as a
multiple of the floor (the aim is 1.25x or less).
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.domain import (  # noqa: E402
    AuthorizationRecord,
    ClaimLineRecord,
    ClaimRecord,
    Credential,
    DocType,
    DocumentRecord,
    PatientRecord,
    PayerKind,
    PayerRecord,
    PayerSettingsRecord,
    PlanOfCareRecord,
    PracticeRecord,
    ProviderRecord,
    UnitRule,
)
from assistant.ingest import ParsedBatch, write_batch  # noqa: E402
from assistant.paths import Locations  # noqa: E402
from assistant.services import Services  # noqa: E402
from assistant.storage import transaction  # noqa: E402

TODAY = date(2026, 11, 26)
CHUNK = 25
OT = ProviderRecord(npi="1234567893", last_name="Okafor", first_name="Dana", credential=Credential.OT)
CLINIC = ProviderRecord(npi="1699999996", last_name="Harbor Hand & Occupational Therapy",
                        is_organization=True)
PAYERS = [
    PayerSettingsRecord("Medicare Part B", PayerKind.MEDICARE, payer_id="04412", unit_rule=UnitRule.CMS,
                        appeal_address="Noridian JE Part B Redeterminations\nPO Box 6781\nFargo, ND 58108"),
    PayerSettingsRecord("Aetna", PayerKind.COMMERCIAL, payer_id="60054", unit_rule=UnitRule.PER_CODE,
                        appeal_address="Aetna Provider Appeals\nPO Box 14020\nLexington, KY 40512"),
    PayerSettingsRecord("Blue Cross Blue Shield", PayerKind.COMMERCIAL, payer_id="00570",
                        appeal_address="BCBS Appeals Unit\nPO Box 2000\nBoston, MA 02110"),
]
DENIALS = [("CO", "50"), ("CO", "50"), ("CO", "197"), ("CO", "97"), ("CO", "151"), ("CO", "119"),
           ("CO", "29"), ("CO", "22"), ("CO", "4"), ("CO", "16")]
LAST = ["Rivera", "Chen", "Okoro", "Silva", "Brown", "Novak", "Haddad", "Kim", "Price", "Ortiz", "Walsh"]
FIRST = ["Maria", "Wei", "Ada", "Ana", "Lee", "Ivan", "Rana", "Joon", "Eve", "Luis", "Nora"]
SUBJECTIVE = ["Patient reports less fatigue with morning dressing.", "Pt reports pain 3/10 in the R wrist.",
              "Caregiver reports two near-falls at home this week.", "Patient states grip feels stronger."]
OBJECTIVE = ["97530 x {a} min functional transfer training with min A and verbal cues for sequencing; "
             "97110 x {b} min UE strengthening.",
             "97530 x {a} min reaching and grasp tasks at shoulder height; 97110 x {b} min theraband "
             "exercise for the shoulder.",
             "97530 x {a} min tub transfer practice with CGA; 97110 x {b} min grip and pinch strengthening."]
ASSESSMENT = ["Patient tolerated treatment well and is progressing toward the independent dressing goal; "
              "requires skilled cueing for safety.",
              "Progressing toward goals; continues to need skilled OT for safe transfers and to grade the "
              "activity to her deficits.",
              "Function maintained; without skilled oversight the patient is at high risk of falls."]


def generate(db: Path, letters: int, seed: int = 7) -> list[str]:
    """A practice with `letters` denied claims and the notes behind them."""
    rng = random.Random(seed)
    svc = Services(Locations(db=db, config=db.parent / "config"), today=TODAY, user="bench")
    conn = svc.create_database()
    patients = max(1, -(-letters // 3))
    claims, documents, plans, auths = [], [], [], []
    start = date(2026, 7, 1)
    for p in range(patients):
        account = f"B{p:05d}"
        payer = PAYERS[p % len(PAYERS)]
        patient = PatientRecord(account, LAST[p % len(LAST)], FIRST[p % len(FIRST)], dob=date(1948, 1, 1),
                                member_id=f"M{p:07d}")
        episode = start + timedelta(days=rng.randrange(0, 20))
        plan = PlanOfCareRecord(account, episode, episode + timedelta(days=89),
                                certified_date=episode + timedelta(days=4), certified_by="Dr. Alan Price",
                                frequency="2x/week for 12 weeks",
                                goals=("Patient will dress the upper body independently in 6 weeks.",
                                       "Patient will complete tub transfers with supervision in 8 weeks."))
        plans.append(plan)
        documents.append(DocumentRecord(account, DocType.EVALUATION, episode, author="Dana Okafor",
                                        author_credential="OT", text=(
            "Evaluation:\nPatient presents after a CVA with right hemiparesis; requires mod A for "
            "upper-body dressing and min A for toilet transfers; fall risk is high.\n"
            "Plan: skilled OT 2x/week for ADL retraining and neuromuscular re-education.")))
        documents.append(DocumentRecord(account, DocType.PROGRESS_REPORT, episode + timedelta(days=21),
                                        author="Dana Okafor", author_credential="OT", text=(
            "Progress report:\nGoal 1 partially met: dresses upper body with min A (was mod A). Goal 2 "
            "not yet met: tub transfers with CGA. Continued skilled OT is needed.")))
        auths.append(AuthorizationRecord(account, f"PA{p:05d}", 24, episode, episode + timedelta(days=89),
                                         payer_name=payer.name))
        for visit in range(3):
            if len(claims) >= letters:
                break
            dos = episode + timedelta(days=24 + 3 * visit)
            a, b = rng.choice([(23, 15), (30, 15), (38, 8), (25, 20)])
            claim_id = f"BENCH{len(claims):05d}"
            lines = (ClaimLineRecord(1, "97530", ("GO",), units=Decimal(2),
                                     charge_cents=15000, dx_pointers=(1,), service_date=dos, minutes=a),
                     ClaimLineRecord(2, "97110", ("GO",), units=Decimal(1),
                                     charge_cents=7500, dx_pointers=(1,), service_date=dos, minutes=b))
            claims.append(ClaimRecord(claim_id, patient, PayerRecord(payer.name, payer.payer_id, payer.kind),
                                      lines, 22500, dos, dos, member_id=patient.member_id,
                                      billing_provider=CLINIC, rendering_provider=OT, diagnoses=("I69351",),
                                      submitted_date=dos + timedelta(days=3), prior_auth=f"PA{p:05d}"))
            documents.append(DocumentRecord(account, DocType.DAILY_NOTE, dos, author="Dana Okafor",
                                            author_credential="OT", minutes=(("97530", a), ("97110", b)),
                                            text="Subjective: " + rng.choice(SUBJECTIVE) + "\nObjective: "
                                            + rng.choice(OBJECTIVE).format(a=a, b=b) + "\nAssessment: "
                                            + rng.choice(ASSESSMENT) + "\nPlan: continue plan of care."))
    batch = ParsedBatch(practice=PracticeRecord("Harbor Hand & Occupational Therapy", npi="1699999996",
                                                address1="200 Harbor Way", city="Portland", state="ME",
                                                zip="04101", phone="(207) 555-0142"),
                        providers=[CLINIC, OT], payer_settings=PAYERS, claims=claims, documents=documents,
                        plans_of_care=plans, authorizations=auths)
    with transaction(conn):
        write_batch(conn, batch, "bench", "bench")
        for i, claim in enumerate(claims):
            group, code = DENIALS[i % len(DENIALS)]
            pk = conn.execute("SELECT pk FROM claims WHERE claim_id = ?", (claim.claim_id,)).fetchone()[0]
            notice = (claim.dos_from + timedelta(days=20)).isoformat()
            remit = conn.execute("INSERT INTO remittances (payer_name, payment_cents, payment_date) "
                                 "VALUES ('p', 0, ?)", (notice,)).lastrowid
            cp = conn.execute("INSERT INTO claim_payments (remittance_pk, claim_pk, patient_control_number, "
                              "status_code, charge_cents, payer_claim_number) "
                              "VALUES (?, ?, ?, '1', 22500, ?)",
                              (remit, pk, claim.claim_id, f"PCN{i:08d}")).lastrowid
            conn.execute("INSERT INTO adjustments (claim_payment_pk, claim_pk, group_code, reason_code, "
                         "amount_cents) VALUES (?, ?, ?, ?, 22500)", (cp, pk, group, code))
            conn.execute("UPDATE claims SET payer_status = 'denied', last_remit_date = ?, "
                         "payer_claim_number = ? WHERE pk = ?",
                         ((claim.dos_from + timedelta(days=20)).isoformat(), f"PCN{i:08d}", pk))
    svc.close()
    return [c.claim_id for c in claims]


def floor_letter(blocks: list, head: object, path: Path) -> None:
    """python-docx alone: the same letterhead, paragraphs (same styles) and table, saved."""
    from docx import Document

    from assistant.letters import markup as m

    doc = Document()
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    for i, line in enumerate(head.text_lines()):  # type: ignore[attr-defined]
        p = section.first_page_header.paragraphs[0] if i == 0 else section.first_page_header.add_paragraph()
        p.add_run(line)
    styles = {m.Quote: "Quote", m.Heading: "Heading 2"}
    for block in blocks:
        if isinstance(block, m.Table):
            table = doc.add_table(rows=1 + len(block.rows), cols=len(block.header), style="Table Grid")
            for r, values in enumerate((block.header, *block.rows)):
                for c, value in enumerate(values):
                    table.cell(r, c).text = value
        elif isinstance(block, m.Lines):
            p = doc.add_paragraph()
            for i, line in enumerate(block.lines):
                if i:
                    p.add_run().add_break()
                for run in line:
                    p.add_run(run.text).bold = run.bold or None
        elif isinstance(block, m.ListItem):
            doc.add_paragraph(m.plain(block.runs), style="List Number" if block.ordered else "List Bullet")
        elif isinstance(block, m.PageBreak):
            doc.add_page_break()
        else:
            p = doc.add_paragraph(style=styles.get(type(block)))
            for run in block.runs:  # type: ignore[union-attr]
                p.add_run(run.text).bold = run.bold or None
            if isinstance(block, m.Quote) and block.source:
                p.add_run().add_break()
                p.add_run(block.source)
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--db", type=Path, help="an existing database (its denied claims are drafted)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    try:
        if args.db:
            db = work / "ar.db"
            shutil.copy(args.db, db)
            svc = Services(Locations(db=db, config=work / "config"), today=TODAY, user="bench")
            ids = [r[0] for r in svc.conn.execute(
                "SELECT claim_id FROM claims WHERE payer_status IN ('denied', 'partially_paid') "
                "ORDER BY claim_id LIMIT ?", (args.letters,))]
            svc.close()
        else:
            db = work / "ar.db"
            ids = generate(db, args.letters)
        print(f"{len(ids)} claims to draft ({'from ' + str(args.db) if args.db else 'generated'})")

        def services(tag: str) -> Services:
            config = work / f"config-{tag}"
            return Services(Locations(db=db, config=config), today=TODAY, user="bench")

        # Prepare every letter once (not timed) so the floor writes exactly the same content.
        svc = services("floor")
        drafter = svc.drafter()
        prepared = {cid: drafter.prepare(cid)[0] for cid in ids}
        head = drafter.letterhead
        svc.close()
        floor_dir = work / "floor"
        floor_dir.mkdir()
        one = services("one")
        # The machine is shared: floor and ours alternate in chunks, so load drift hits both.
        floor_time = single_time = 0.0
        failed = 0
        for start_at in range(0, len(ids), CHUNK):
            chunk = ids[start_at:start_at + CHUNK]
            start = time.perf_counter()
            for cid in chunk:
                floor_letter(list(prepared[cid].blocks), head, floor_dir / f"{cid}.docx")
            floor_time += time.perf_counter() - start
            start = time.perf_counter()
            failed += len(one.draft_appeals(chunk, workers=1)["failed"])
            single_time += time.perf_counter() - start
        floor, single = floor_time / len(ids), single_time / len(ids)
        one.close()

        both = services("both")
        start = time.perf_counter()
        result = both.draft_appeals(ids, workers=args.workers)
        batch = (time.perf_counter() - start) / len(ids)
        both.close()

        print(f"floor (python-docx alone)  {floor * 1000:7.2f} ms/letter  {1 / floor:7.1f} letters/s")
        print(f"ours, one process          {single * 1000:7.2f} ms/letter  {1 / single:7.1f} letters/s"
              f"  = {single / floor:.2f}x the floor")
        print(f"ours, {args.workers} processes           {batch * 1000:7.2f} ms/letter  "
              f"{1 / batch:7.1f} letters/s  = {single / batch:.2f}x one process")
        if failed or result["failed"]:
            print(f"failed: {failed} (one process), {len(result['failed'])} (batch); first: "
                  f"{(result['failed'] or [{}])[0]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
