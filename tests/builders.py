"""Small builders for hand-written test records: real records through the real writer."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from assistant.domain import (
    ClaimLineRecord,
    ClaimRecord,
    Credential,
    PatientRecord,
    PayerKind,
    PayerRecord,
    PayerSettingsRecord,
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
