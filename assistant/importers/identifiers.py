"""Identifiers importers check or make: NPI check digits and derived patient accounts."""

from __future__ import annotations

import hashlib
import re
from datetime import date

_NPI = re.compile(r"\d{10}\Z")


def npi_is_valid(npi: str) -> bool:
    """The CMS NPI check: Luhn over "80840" + the 10 digits (x12-837p-structure.md 2010AA)."""
    if not _NPI.match(npi):
        return False
    total = 0
    for position, char in enumerate(reversed("80840" + npi)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def derived_account(member_id: str, *, dependent: tuple[str, date | None] | None = None) -> str:
    """A stable patient account when the source carries none (no REF*EA, no account column).

    Rule: "M-" + the first 10 hex digits (upper case) of SHA-256 over the member id in upper
    case without spaces; for a dependent (837P loop 2000C, who shares the subscriber's member
    id) the patient's first name (upper case) and date of birth are added, separated by "|".
    The member id itself never appears in the account, because accounts are shown in
    messages and logs and member ids may not be.
    """
    key = re.sub(r"\s+", "", member_id).upper()
    if dependent is not None:
        first, dob = dependent
        key = f"{key}|{first.strip().upper()}|{dob.isoformat() if dob else ''}"
    return "M-" + hashlib.sha256(key.encode()).hexdigest()[:10].upper()


def derived_name_account(last: str, first: str, dob: date | None) -> str:
    """An account for a CSV export with neither account nor member id: "N-" + 10 hex digits
    of SHA-256 over "LAST|FIRST|YYYY-MM-DD" (upper case, spaces collapsed)."""
    key = "|".join(" ".join(part.split()).upper() for part in (last, first, dob.isoformat() if dob else ""))
    return "N-" + hashlib.sha256(key.encode()).hexdigest()[:10].upper()
