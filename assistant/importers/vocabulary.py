"""Code lists importers translate through: filing indicators, taxonomies, credential letters.

The facts live in `assistant/data/` (filing_indicators.toml, taxonomy.toml, credentials.toml),
each entry with its source; this module only loads and looks them up.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from typing import Any

from assistant.domain import Credential, PayerKind
from assistant.paths import package_data


def _load(name: str) -> dict[str, Any]:
    with package_data(name).open("rb") as fh:
        return tomllib.load(fh)


@cache
def _filing_indicators() -> dict[str, PayerKind]:
    table = _load("filing_indicators.toml")["indicator"]
    return {code: PayerKind(entry["kind"]) for code, entry in table.items()}


def payer_kind_for_filing_indicator(code: str) -> PayerKind | None:
    """SBR09 -> payer kind; an unlisted code is `other`, an empty one says nothing (None)."""
    code = code.strip().upper()
    if not code:
        return None
    return _filing_indicators().get(code, PayerKind.OTHER)


@cache
def _taxonomy_prefixes() -> list[tuple[str, Credential]]:
    entries = _load("taxonomy.toml")["taxonomy"].values()
    pairs = [(entry["prefix"].upper(), Credential(entry["credential"])) for entry in entries]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


@cache
def credential_for_taxonomy(taxonomy: str | None) -> Credential | None:
    """The credential a taxonomy code implies (longest listed prefix wins), or None."""
    code = (taxonomy or "").strip().upper()
    if len(code) != 10:
        return None
    return next((cred for prefix, cred in _taxonomy_prefixes() if code.startswith(prefix)), None)


def _letters_key(text: str) -> str:
    return re.sub(r"[\s.]", "", text).upper()


@cache
def _credential_letters() -> dict[str, Credential]:
    table: dict[str, Credential] = {}
    for name, entry in _load("credentials.toml")["credential"].items():
        for letters in entry["letters"]:
            table[_letters_key(letters)] = Credential(name)
    return table


def credential_from_letters(letters: str) -> Credential | None:
    """"OTR/L" -> OT, "COTA" -> OTA; None when the letters are not a credential we know."""
    key = _letters_key(letters)
    if not key:
        return None
    if key in _credential_letters():
        return _credential_letters()[key]
    # "MS, OTR/L" or "OTR/L, CHT": the first part that is a known credential decides.
    for part in re.split(r"[,;]|\s+", letters):
        found = _credential_letters().get(_letters_key(part))
        if found is not None:
            return found
    return None


def split_name_and_credential(text: str) -> tuple[str, Credential | None]:
    """"Dana Okafor, OTR/L" -> ("Dana Okafor", OT); a name without letters -> (name, None)."""
    text = " ".join(text.split())
    if "," in text:
        name, _, rest = text.partition(",")
        credential = credential_from_letters(rest)
        if credential is not None:
            return name.strip(), credential
    words = text.split(" ")
    if len(words) > 1:
        credential = credential_from_letters(words[-1])
        if credential is not None:
            return " ".join(words[:-1]).rstrip(","), credential
    return text, None
