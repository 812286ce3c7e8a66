"""The sample's 837P (005010X222A1) writer: one interchange per batch file.

Loops: 1000A submitter, 1000B receiver (the clearinghouse), 2000A billing provider (the
clinic's group NPI and EIN), then per claim a 2000B subscriber (and a 2000C patient when the
patient is a dependent), 2300 claim (CLM11 EM and DTP*439 the date of injury for a workers'
comp claim, REF*G1 prior authorization, REF*EA account number, HI
diagnoses, 2310A NM1*DN certifying physician, 2310B NM1*82 rendering OT, 2320 secondary
payer) and 2400 lines (SV1, DTP*472, REF*6R). Counts (SE, GE, IEA) and HL numbering are
computed, never typed; `shared/domain/x12-837p-structure.md` is the reference followed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from assistant.money import x12_amount
from assistant.sample.inputs import Clinician
from assistant.sample.model import Claim, Coverage, Person
from assistant.sample.payers import line_control_number

VERSION_837 = "005010X222A1"
CLAIMS_PER_TRANSACTION = 2500  # the TR3 suggests at most 5000 CLM per ST-SE
_UNSAFE = str.maketrans({"*": " ", ":": " ", "^": " ", "~": " "})


@lru_cache(maxsize=8192)
def _clean(text: str) -> str:
    return " ".join(text.translate(_UNSAFE).upper().split())


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


class _Segments:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, *elements: str) -> None:
        parts = list(elements)
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()  # no trailing empty elements
        self.items.append("*".join(parts))


def write_837(
    claims: Sequence[Claim],
    *,
    practice: dict[str, str],
    clearinghouse: dict[str, str],
    control_number: int,
    created: date,
    time: str = "1830",
) -> str:
    """An 837P interchange holding `claims` (one ST-SE per 2,500 claims)."""
    sender = clearinghouse["submitter_id"]
    receiver = clearinghouse["id"]
    isa = (f"ISA*00*{'':10}*00*{'':10}*ZZ*{sender:<15}*ZZ*{receiver:<15}*{created:%y%m%d}*{time}*^*00501*"
           f"{control_number:09d}*0*P*:")
    out = [isa, f"GS*HC*{sender}*{receiver}*{_d8(created)}*{time}*{control_number}*X*{VERSION_837}"]
    chunks = [claims[i:i + CLAIMS_PER_TRANSACTION] for i in range(0, len(claims), CLAIMS_PER_TRANSACTION)]
    for number, chunk in enumerate(chunks, 1):
        out.extend(_transaction(chunk, number, practice, clearinghouse, control_number, created, time))
    out.append(f"GE*{len(chunks)}*{control_number}")
    out.append(f"IEA*1*{control_number:09d}")
    return "~\n".join(out) + "~\n"


def _transaction(claims: Sequence[Claim], number: int, practice: dict[str, str],
                 clearinghouse: dict[str, str], control_number: int, created: date,
                 time: str) -> list[str]:
    st = f"{number:04d}"
    seg = _Segments()
    seg.add("ST", "837", st, VERSION_837)
    seg.add("BHT", "0019", "00", f"{control_number}{st}", _d8(created), time, "CH")
    seg.add("NM1", "41", "2", _clean(practice["name"]), "", "", "", "", "46",
            clearinghouse["submitter_id"])
    seg.add("PER", "IC", _clean(practice["billing_contact"]), "TE", practice["phone"])
    seg.add("NM1", "40", "2", _clean(clearinghouse["name"]), "", "", "", "", "46", clearinghouse["id"])
    seg.add("HL", "1", "", "20", "1")
    seg.add("PRV", "BI", "PXC", practice["taxonomy"])
    seg.add("NM1", "85", "2", _clean(practice["name"]), "", "", "", "", "XX", practice["npi"])
    seg.add("N3", _clean(practice["address1"]))
    seg.add("N4", _clean(practice["city"]), practice["state"], practice["zip"])
    seg.add("REF", "EI", practice["tax_id"])
    hl = 1
    for claim in claims:
        hl = _claim(seg, claim, hl, practice)
    seg.add("SE", str(len(seg.items) + 1), st)
    return seg.items


def _claim(seg: _Segments, claim: Claim, hl: int, practice: dict[str, str]) -> int:
    coverage = claim.coverage
    payer = coverage.payer
    dependent = coverage.subscriber is not None
    subscriber_hl = hl + 1
    seg.add("HL", str(subscriber_hl), "1", "22", "1" if dependent else "0")
    _sbr(seg, "P", coverage, dependent)
    person = claim.patient.person
    holder = coverage.subscriber or person
    seg.add("NM1", "IL", "1", _clean(holder.last_name), _clean(holder.first_name), "", "", "", "MI",
            coverage.member_id)
    if not dependent:
        _address(seg, person)
    seg.add("NM1", "PR", "2", _clean(payer.name), "", "", "", "", "PI", payer.payer_id)
    hl = subscriber_hl
    if dependent:
        hl += 1
        seg.add("HL", str(hl), str(subscriber_hl), "23", "0")
        seg.add("PAT", coverage.relationship)
        seg.add("NM1", "QC", "1", _clean(person.last_name), _clean(person.first_name))
        _address(seg, person)
    related = "EM" if claim.accident_date is not None else ""
    seg.add("CLM", claim.claim_id, x12_amount(claim.billed_cents), "", "", "11:B:1", "Y", "A", "Y", "Y",
            "", related)
    if claim.accident_date is not None:
        seg.add("DTP", "439", "D8", _d8(claim.accident_date))
    if claim.auth_number:
        seg.add("REF", "G1", claim.auth_number)
    seg.add("REF", "EA", claim.patient.account)
    seg.add("HI", *(f"{'ABK' if i == 0 else 'ABF'}:{code}" for i, code in enumerate(claim.diagnoses)))
    _provider(seg, "DN", claim.certifier)
    if claim.rendering.npi != practice["npi"]:
        _provider(seg, "82", claim.rendering)
        if claim.rendering.taxonomy:
            seg.add("PRV", "PE", "PXC", claim.rendering.taxonomy)
    if claim.secondary is not None:
        other = claim.secondary
        _sbr(seg, "S", other, False)
        seg.add("OI", "", "", "Y", "", "", "Y")
        seg.add("NM1", "IL", "1", _clean(person.last_name), _clean(person.first_name), "", "", "", "MI",
                other.member_id)
        seg.add("NM1", "PR", "2", _clean(other.payer.name), "", "", "", "", "PI", other.payer.payer_id)
    for number, line in enumerate(claim.lines, 1):
        seg.add("LX", str(number))
        procedure = ":".join(["HC", line.code, *line.modifiers])
        seg.add("SV1", procedure, x12_amount(line.charge_cents), "UN", str(line.units), "", "",
                ":".join(str(p) for p in line.pointers))
        seg.add("DTP", "472", "D8", _d8(line.service_date))
        seg.add("REF", "6R", line_control_number(claim.claim_id, number))
    return hl


def _sbr(seg: _Segments, responsibility: str, coverage: Coverage, dependent: bool) -> None:
    group = coverage.group_number
    group_name = _clean(coverage.employer) if coverage.employer and not group else ""
    seg.add("SBR", responsibility, "" if dependent else "18", group, group_name, "", "", "", "",
            coverage.payer.filing_indicator)


def _address(seg: _Segments, person: Person) -> None:
    seg.add("N3", _clean(person.address1))
    seg.add("N4", _clean(person.city), person.state, person.zip)
    seg.add("DMG", "D8", _d8(person.dob), person.sex)


def _provider(seg: _Segments, qualifier: str, who: Clinician) -> None:
    seg.add("NM1", qualifier, "1", _clean(who.last_name), _clean(who.first_name), "", "", "", "XX", who.npi)
