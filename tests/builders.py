"""Small builders for hand-written test records: real records through the real writer."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from assistant.domain import (
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
    ProviderRecord,
    UnitRule,
)
from assistant.ingest import ParsedBatch, write_batch
from assistant.storage import transaction

OT = ProviderRecord(npi="1234567893", last_name="Okafor", first_name="Dana", credential=Credential.OT)
OTA = ProviderRecord(npi="1245319599", last_name="Lee", first_name="Sam", credential=Credential.OTA)
CLINIC = ProviderRecord(npi="1699999995", last_name="Harbor Hand & Occupational Therapy",
                        is_organization=True)

PAYERS = {
    "Medicare Part B": PayerSettingsRecord("Medicare Part B", PayerKind.MEDICARE, payer_id="04412",
                                           aliases=("Medicare", "CMS"), unit_rule=UnitRule.CMS),
    "Aetna": PayerSettingsRecord("Aetna", PayerKind.COMMERCIAL, payer_id="60054",
                                 unit_rule=UnitRule.PER_CODE),
    "Blue Cross Blue Shield": PayerSettingsRecord("Blue Cross Blue Shield", PayerKind.COMMERCIAL,
                                                  payer_id="00570", aliases=("BCBS", "Blue Cross")),
}

Line = tuple[str, Sequence[str], float, float]  # code, modifiers, units, charge in dollars


def claim_record(
    claim_id: str,
    *,
    account: str = "A1001",
    last: str = "Rivera",
    first: str = "Maria",
    payer: str = "Medicare Part B",
    dos: date = date(2026, 9, 1),
    lines: Sequence[Line] = (("97530", ("GO",), 2, 150.0), ("97110", ("GO",), 1, 75.0)),
    minutes: Sequence[int | None] | None = None,
    rendering: ProviderRecord = OT,
    diagnoses: Sequence[str] = ("M6281", "Z9181"),
    prior_auth: str | None = None,
    frequency: str = "1",
    submitted: date | None = None,
) -> ClaimRecord:
    line_records = tuple(
        ClaimLineRecord(
            line_no=i,
            code=code,
            modifiers=tuple(mods),
            units=Decimal(str(units)),
            charge_cents=round(charge * 100),
            dx_pointers=(1,),
            service_date=dos,
            minutes=minutes[i - 1] if minutes else None,
        )
        for i, (code, mods, units, charge) in enumerate(lines, 1)
    )
    settings = PAYERS.get(payer)
    return ClaimRecord(
        claim_id=claim_id,
        patient=PatientRecord(account=account, last_name=last, first_name=first,
                              dob=date(1950, 4, 2), member_id=f"M{account}"),
        payer=PayerRecord(payer, settings.payer_id if settings else None,
                          settings.kind if settings else PayerKind.COMMERCIAL),
        lines=line_records,
        billed_cents=sum(line.charge_cents for line in line_records),
        dos_from=dos,
        dos_to=dos,
        member_id=f"M{account}",
        billing_provider=CLINIC,
        rendering_provider=rendering,
        diagnoses=tuple(diagnoses),
        prior_auth=prior_auth,
        frequency_code=frequency,
        submitted_date=submitted or dos,
    )


def write(conn: sqlite3.Connection, *claims: ClaimRecord, source: str = "test") -> None:
    """Write claims (with the standard payers and providers) in one transaction."""
    batch = ParsedBatch(providers=[CLINIC, OT, OTA], payer_settings=list(PAYERS.values()),
                        claims=list(claims))
    with transaction(conn):
        write_batch(conn, batch, "tester", source)


# --------------------------------------------------------------------------- remittances

Adjustment = tuple[str, str, float, int | None]  # group, CARC, dollars, line number (None: claim level)


def post_remit(
    conn: sqlite3.Connection,
    claim_id: str,
    adjustments: Sequence[Adjustment] = (),
    *,
    remarks: Sequence[str] = (),
    line_remarks: dict[int, Sequence[str]] | None = None,
    paid: dict[int, float] | None = None,
    allowed: dict[int, float] | None = None,
    remit_date: date = date(2026, 10, 1),
    status_code: str = "1",
    payer_claim_number: str | None = None,
) -> None:
    """Post one remittance to a claim the way 835 posting does: rows in remittances,
    claim_payments, line_payments, adjustments and remarks, then the claim's money and status.

    `paid` and `allowed` are dollars per line number; contractual adjustments are written off.
    """
    from assistant.rules.codes import writes_off
    from assistant.storage import audit

    paid = paid or {}
    allowed = allowed or {}
    line_remarks = line_remarks or {}
    with transaction(conn):
        claim = conn.execute("SELECT * FROM claims WHERE claim_id = ?", (claim_id,)).fetchone()
        lines = {r["line_no"]: r for r in conn.execute(
            "SELECT * FROM claim_lines WHERE claim_pk = ?", (claim["pk"],))}
        paid_cents = {n: round(d * 100) for n, d in paid.items()}
        total_paid = sum(paid_cents.values())
        pcn = payer_claim_number or f"PCN{claim['pk']:06d}"
        remit_pk = conn.execute(
            "INSERT INTO remittances (payer_pk, payment_cents, payment_date, production_date) "
            "VALUES (?, ?, ?, ?)",
            (claim["payer_pk"], total_paid, remit_date.isoformat(), remit_date.isoformat())).lastrowid
        patient_resp = sum(round(a * 100) for g, _, a, _ in adjustments if g == "PR")
        cp_pk = conn.execute(
            "INSERT INTO claim_payments (remittance_pk, claim_pk, patient_control_number, status_code, "
            "charge_cents, paid_cents, patient_resp_cents, payer_claim_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (remit_pk, claim["pk"], claim_id, status_code, claim["billed_cents"], total_paid, patient_resp,
             pcn)).lastrowid
        lp_pks: dict[int, int] = {}
        for no, line in lines.items():
            lp_pks[no] = int(conn.execute(
                "INSERT INTO line_payments (claim_payment_pk, line_pk, qualifier, code, modifiers, "
                "charge_cents, paid_cents, allowed_cents, units) VALUES (?, ?, 'HC', ?, ?, ?, ?, ?, ?)",
                (cp_pk, line["pk"], line["code"], line["modifiers"], line["charge_cents"],
                 paid_cents.get(no, 0), round(allowed[no] * 100) if no in allowed else None,
                 line["units"])).lastrowid or 0)
            conn.execute("UPDATE claim_lines SET paid_cents = ? WHERE pk = ?",
                         (paid_cents.get(no, 0), line["pk"]))
        written_off = 0
        for group, code, amount, line_no in adjustments:
            cents = round(amount * 100)
            conn.execute(
                "INSERT INTO adjustments (claim_payment_pk, line_payment_pk, claim_pk, group_code, "
                "reason_code, amount_cents) VALUES (?, ?, ?, ?, ?, ?)",
                (cp_pk, lp_pks.get(line_no) if line_no else None, claim["pk"], group, code, cents))
            if writes_off(group, code):
                written_off += cents
        for code in remarks:
            conn.execute("INSERT INTO remarks (claim_payment_pk, claim_pk, code, source) VALUES (?, ?, ?, 'MOA')",
                         (cp_pk, claim["pk"], code))
        for line_no, codes in line_remarks.items():
            for code in codes:
                conn.execute("INSERT INTO remarks (claim_payment_pk, line_payment_pk, claim_pk, code, source) "
                             "VALUES (?, ?, ?, ?, 'LQ')", (cp_pk, lp_pks[line_no], claim["pk"], code))
        balance = claim["billed_cents"] - total_paid - written_off
        status = "paid" if balance <= 0 else "partially_paid" if total_paid else "denied"
        conn.execute(
            "UPDATE claims SET paid_cents = ?, adjusted_cents = ?, patient_resp_cents = ?, balance_cents = ?, "
            "payer_status = ?, last_remit_date = ?, last_remit_day = ?, payer_claim_number = ?, "
            "version = version + 1 WHERE pk = ?",
            (total_paid, written_off, patient_resp, balance, status, remit_date.isoformat(),
             remit_date.toordinal(), pcn, claim["pk"]))
        audit.record(conn, claim_pk=claim["pk"], user="tester", kind="posting", field="payer_status",
                     before=claim["payer_status"], after=status)


def post_denial(
    conn: sqlite3.Connection,
    claim_id: str,
    group: str,
    code: str,
    amount: float,
    remarks: Sequence[str] = (),
    line: int | None = None,
    remit_date: date = date(2026, 10, 1),
) -> None:
    """One denial adjustment (e.g. CO-197 for the whole claim) with its remarks."""
    post_remit(conn, claim_id, [(group, code, amount, line)], remarks=remarks, remit_date=remit_date)


# --------------------------------------------------------------------------- clinical records


def write_clinical(
    conn: sqlite3.Connection,
    *,
    authorizations: Sequence[AuthorizationRecord] = (),
    plans: Sequence[PlanOfCareRecord] = (),
    documents: Sequence[DocumentRecord] = (),
    source: str = "clinical",
) -> None:
    """Authorizations, plans of care and notes for patients whose claims are already written."""
    batch = ParsedBatch(authorizations=list(authorizations), plans_of_care=list(plans),
                        documents=list(documents))
    with transaction(conn):
        write_batch(conn, batch, "tester", source)


def note(account: str, day: date, *, doc_type: DocType = DocType.DAILY_NOTE, credential: str = "OT",
         minutes: Sequence[tuple[str, int]] = (), text: str | None = None) -> DocumentRecord:
    """A therapy note (daily note by default) with the minutes it records per code."""
    return DocumentRecord(account=account, doc_type=doc_type, doc_date=day,
                          text=text or f"{doc_type.value} {day} {credential}", author="Therapist",
                          author_credential=credential, minutes=tuple(minutes))
