"""Synthetic source files of any size for the trust tests: an 837P batch, the 835 that answers
it, and a folder of therapy notes. Every name, id and date is made up; the patients' names,
birth dates and member ids are distinctive so a test can look for them in output."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from assistant.remit.records import AdjustmentRecord, ClaimPaymentRecord, RemittanceRecord, ServiceRecord
from assistant.remit.writer import write_835

CLAIMS_PER_SET = 5000
# code, modifier, charge (dollars), units
LINES = (("97530", "GO", 150, 2), ("97110", "GO", 90, 1), ("97535", "GO", 75, 1))
# Distinctive patient data: none of these strings may reach an error message or a log line.
LAST_NAMES = ("QUILLFEATHER", "ZANZIBARRO", "MOONWHISTLE")
FIRST_NAME = "PERSEPHONY"
BIRTH_DATE = date(1937, 2, 19)


def member_id(patient: int) -> str:
    return f"XQZ{patient:06d}W"


def patient_last(patient: int) -> str:
    return LAST_NAMES[patient % len(LAST_NAMES)]


def claim_id(prefix: str, n: int) -> str:
    return f"{prefix}{n:06d}"


def service_day(n: int) -> date:
    return date(2026, 10, 1 + n % 28)


def _claim_segments(prefix: str, n: int, patients: int) -> list[str]:
    patient = n % patients
    day = service_day(n)
    lines = LINES[: 1 + n % 3]
    total = sum(charge for _, _, charge, _ in lines)
    segments = [
        "HL*{hl}*1*22*0", "SBR*P*18*******MB",
        f"NM1*IL*1*{patient_last(patient)}*{FIRST_NAME}****MI*{member_id(patient)}",
        "N3*12 ELM ST", "N4*PORTLAND*ME*04101",
        f"DMG*D8*{BIRTH_DATE:%Y%m%d}*F", "NM1*PR*2*MEDICARE PART B*****PI*04412",
        f"CLM*{claim_id(prefix, n)}*{total}***11:B:1*Y*A*Y*Y", "HI*ABK:M6281*ABF:Z9181",
        "NM1*82*1*OKAFOR*DANA****XX*1234567893", "PRV*PE*PXC*225X00000X",
    ]
    for number, (code, modifier, charge, units) in enumerate(lines, 1):
        segments += [f"LX*{number}", f"SV1*HC:{code}:{modifier}*{charge}*UN*{units}***1",
                     f"DTP*472*D8*{day:%Y%m%d}", f"REF*6R*{claim_id(prefix, n)}L{number}"]
    return segments


def x837(claims: int, *, prefix: str = "SYN", start: int = 0, patients: int = 50) -> str:
    """An 837P interchange of `claims` Medicare Part B claims (1-3 OT lines each)."""
    out = ["ISA*00*          *00*          *ZZ*SYNTHETIC      *ZZ*CLEARINGHOUSE  *261120*0930*^*00501*"
           "000000001*0*T*:", "GS*HC*SYNTHETIC*CLEARINGHOUSE*20261120*0930*1*X*005010X222A1"]
    sets = 0
    for first in range(start, start + claims, CLAIMS_PER_SET):
        sets += 1
        body = ["BHT*0019*00*SYN*20261120*0930*CH", "NM1*41*2*HARBOR HAND*****46*B1", "PER*IC*X*TE*2075550100",
                "NM1*40*2*CLEARINGHOUSE*****46*C1", "HL*1**20*1",
                "NM1*85*2*HARBOR HAND OCCUPATIONAL THERAPY*****XX*1699999995",
                "N3*12 HARBOR ST", "N4*PORTLAND*ME*041011234", "REF*EI*123456789"]
        hl = 1
        for n in range(first, min(first + CLAIMS_PER_SET, start + claims)):
            hl += 1
            body += [s.replace("{hl}", str(hl)) for s in _claim_segments(prefix, n, patients)]
        control = f"{sets:04d}"
        out += [f"ST*837*{control}*005010X222A1", *body, f"SE*{len(body) + 2}*{control}"]
    out += [f"GE*{sets}*1", "IEA*1*000000001"]
    return "~\n".join(out) + "~\n"


def x835(claims: int, *, prefix: str = "SYN", start: int = 0, patients: int = 50, trace: str = "SYNTRACE1",
         denied_every: int = 7) -> str:
    """The Medicare remittance that answers `x837(claims, prefix=..., start=...)`: 80% allowed,
    20% coinsurance, every `denied_every`th claim denied CO-50."""
    paid_claims = []
    for n in range(start, start + claims):
        day = service_day(n)
        services = []
        denied = denied_every and n % denied_every == 0
        for number, (code, modifier, charge, units) in enumerate(LINES[: 1 + n % 3], 1):
            cents = charge * 100
            allowed = cents * 8 // 10
            if denied:
                adjustments: tuple[AdjustmentRecord, ...] = (AdjustmentRecord("CO", "50", cents),)
                paid = 0
            else:
                adjustments = (AdjustmentRecord("CO", "45", cents - allowed),
                               AdjustmentRecord("PR", "2", allowed // 5))
                paid = allowed - allowed // 5
            services.append(ServiceRecord("HC", code, (modifier,), cents, paid, Decimal(units),
                                          service_from=day, service_to=day,
                                          control_number=f"{claim_id(prefix, n)}L{number}",
                                          allowed_cents=allowed if paid else None,
                                          adjustments=adjustments, remarks=("N115",) if denied else ()))
        charge = sum(s.charge_cents for s in services)
        paid_total = sum(s.paid_cents for s in services)
        responsibility = sum(a.amount_cents for s in services for a in s.adjustments if a.group == "PR")
        patient = n % patients
        paid_claims.append(ClaimPaymentRecord(
            claim_id(prefix, n), "4" if denied else "1", charge, paid_total, responsibility, "MB",
            f"ICN{prefix}{n:08d}", "11", "1", patient_last(patient), FIRST_NAME, member_id(patient),
            day, day, services=tuple(services)))
    remittance = RemittanceRecord(
        "005010X221A1", "MEDICARE PART B", sum(c.paid_cents for c in paid_claims), payer_id="04412",
        payee_name="HARBOR HAND", payee_npi="1699999995", trace_number=trace, payment_method="ACH",
        payment_date=date(2026, 11, 20), production_date=date(2026, 11, 18), claims=tuple(paid_claims))
    return write_835([remittance], sender_id="04412", receiver_id="1699999995", control_number=1,
                     when=datetime(2026, 11, 18, 6, 0))


def accounts(patients: int) -> list[str]:
    """The patient accounts an 837 from `x837` creates (derived from the member ids)."""
    from assistant.importers.identifiers import derived_account

    return [derived_account(member_id(p)) for p in range(patients)]


def notes_folder(folder: Path, patients: int, per_patient: int = 3) -> Path:
    """Daily notes for the patients of `x837` (account in the file name)."""
    folder.mkdir(parents=True, exist_ok=True)
    for p, account in enumerate(accounts(patients)):
        for i in range(per_patient):
            day = service_day(p + i)
            (folder / f"{account}_{day.isoformat()}_daily_Dana-Okafor-OTR.txt").write_text(
                f"Daily note for {patient_last(p)}, {FIRST_NAME}, seen {day:%m/%d/%Y}.\n"
                "97530 Therapeutic activities: 23 min\n97110 Therapeutic exercise: 15 min\n"
                "Patient tolerated treatment well; fine motor coordination improving.\n")
    return folder
