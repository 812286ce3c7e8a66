"""Identifiers that look real and pass their checks: NPIs, EINs, Medicare MBIs, member ids."""

from __future__ import annotations

import random

NPI_PREFIX = "80840"  # the card-issuer prefix the NPI check digit is computed over (CMS)
# MBI letters leave out S, L, O, I, B and Z (CMS MBI format).
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def luhn_check_digit(digits: str) -> int:
    """The Luhn digit that makes `digits` + it valid."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def npi_is_valid(npi: str) -> bool:
    return (len(npi) == 10 and npi.isdigit()
            and luhn_check_digit(NPI_PREFIX + npi[:9]) == int(npi[9]))


def make_npi(rng: random.Random) -> str:
    body = "1" + "".join(rng.choice(_DIGITS) for _ in range(8))
    return body + str(luhn_check_digit(NPI_PREFIX + body))


def make_mbi(rng: random.Random) -> str:
    """A Medicare Beneficiary Identifier: C A AN N A AN N A A N N (11 characters)."""
    alnum = MBI_LETTERS + _DIGITS
    slots = ("123456789", MBI_LETTERS, alnum, _DIGITS, MBI_LETTERS, alnum, _DIGITS,
             MBI_LETTERS, MBI_LETTERS, _DIGITS, _DIGITS)
    return "".join(rng.choice(chars) for chars in slots)


def from_pattern(pattern: str, rng: random.Random) -> str:
    """A member or group number from a pattern: A = letter, 9 = digit, M = an MBI, else literal."""
    if pattern == "M":
        return make_mbi(rng)
    out = []
    for ch in pattern:
        if ch == "A":
            out.append(rng.choice(_LETTERS))
        elif ch == "9":
            out.append(rng.choice(_DIGITS))
        else:
            out.append(ch)
    return "".join(out).replace(" ", "")
