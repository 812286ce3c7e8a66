"""Phone numbers and ZIP codes as letters print them; X12 stores them as bare digits."""

from __future__ import annotations

import re


def format_phone(text: str | None) -> str | None:
    """'5035550142' -> '(503) 555-0142'; anything that is not a US number stays as written."""
    if not text:
        return text
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or re.sub(r"[\d\s().+-]", "", text):
        return text
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def format_zip(text: str | None) -> str | None:
    """'972151734' -> '97215-1734' (ZIP+4, as 837P loop 2010AA requires it)."""
    if text and len(text) == 9 and text.isdigit():
        return f"{text[:5]}-{text[5:]}"
    return text
