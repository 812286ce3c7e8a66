"""Names from upper-case sources are stored the way a person writes them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.contact import format_phone, format_zip
from assistant.names import proper_case
from tests.builders import claim_record, write


@pytest.mark.parametrize("raw, expected", [
    ("MCDONALD", "McDonald"),
    ("O'BRIEN", "O'Brien"),
    ("SMITH-JONES", "Smith-Jones"),
    ("VAN DER BERG", "Van der Berg"),
    ("JOSÉ", "José"),
    ("DeLuca", "DeLuca"),      # the source's own mixed case stays
    ("MacArthur", "MacArthur"),
    ("", ""),
])
def test_proper_case(raw: str, expected: str) -> None:
    assert proper_case(raw) == expected


@given(st.text(max_size=40))
def test_only_the_case_changes(text: str) -> None:
    assert proper_case(text).lower() == text.lower()


def test_upper_case_claim_names_are_stored_proper(services) -> None:
    write(services.conn, claim_record("C1", last="MCDONALD", first="ALBERT"))
    assert services.claim("C1")["patient"]["name"] == "McDonald, Albert"


@pytest.mark.parametrize("raw, expected", [
    ("5035550142", "(503) 555-0142"),
    ("1-503-555-0142", "(503) 555-0142"),
    ("503.555.0142", "(503) 555-0142"),
    ("ext 12", "ext 12"),
    ("+44 20 7946 0958", "+44 20 7946 0958"),
    (None, None),
])
def test_phone_numbers(raw: str | None, expected: str | None) -> None:
    assert format_phone(raw) == expected


def test_zip_plus_four() -> None:
    assert format_zip("972151734") == "97215-1734"
    assert format_zip("97215") == "97215"
