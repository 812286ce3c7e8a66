"""The practice settings file (TOML): the practice, its providers and its payers.

Documented key by key in `docs/practice-settings.example.toml`. The file is checked
whole before anything is written; each error names the key path, counting array items
from 1 ("payers[3].kind: 'hmo' is not one of medicare, ..."), and every NPI must pass
the CMS check digit. What the file says replaces what claim files suggested (a payer's
kind, a provider's name); keys it leaves out keep their defaults.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from assistant.domain import (
    Credential,
    PayerKind,
    PayerSettingsRecord,
    PracticeRecord,
    ProviderRecord,
    UnitRule,
)
from assistant.errors import ImportFailed
from assistant.importers.identifiers import npi_is_valid
from assistant.importers.vocabulary import credential_for_taxonomy, credential_from_letters
from assistant.ingest import ParsedBatch

_PRACTICE_KEYS = ("name", "npi", "tax_id", "address", "address1", "city", "state", "zip", "phone")
_PROVIDER_KEYS = ("npi", "last_name", "first_name", "credential", "taxonomy", "organization")
_PAYER_KEYS = ("name", "kind", "payer_id", "aliases", "timely_filing_days", "appeal_windows", "unit_rule",
               "appeal_address", "appeal_fax", "appeal_phone", "portal_url", "phone", "corrected_claim_days")
_SECTIONS = ("practice", "providers", "payers")
_ADDRESS = re.compile(r"^(?P<street>.+?),\s*(?P<city>[^,]+?),\s*(?P<state>[A-Za-z]{2})\s+"
                      r"(?P<zip>\d{5}(?:-?\d{4})?)$")
_TAXONOMY = re.compile(r"[0-9A-Z]{9}X\Z")
_MAX_DAYS = 3650
_APPEAL_LEVELS = ("1", "2", "3", "4", "5")


class _Checker:
    """Typed values from the parsed TOML, with errors naming the key path."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, reason: str) -> ImportFailed:
        return ImportFailed(self.name, where, reason)

    def table(self, value: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a table")
        for key in value:
            if key not in allowed:
                raise self.fail(f"{where}.{key}", f"unknown key; expected one of {', '.join(allowed)}")
        return value

    def text(self, data: dict[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(f"{where}.{key}", "is required")
            return None
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "must be text in quotes")
        value = value.strip()
        if required and not value:
            raise self.fail(f"{where}.{key}", "is required")
        return value or None

    def npi(self, data: dict[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", "is required (10-digit NPI)")
        npi = value.strip()
        if not npi_is_valid(npi):
            raise self.fail(f"{where}.{key}", f"{npi[:12]!r} is not a valid NPI (10 digits; the last "
                                              "is a check digit over 80840 + the first nine)")
        return npi

    def days(self, value: Any, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= _MAX_DAYS:
            raise self.fail(where, f"must be a number of days (1-{_MAX_DAYS})")
        return value

    def choice(self, value: Any, where: str, choices: list[str]) -> str:
        text = value.strip().lower() if isinstance(value, str) else value
        if text not in choices:
            raise self.fail(where, f"{value!r} is not one of {', '.join(choices)}")
        return str(text)


def parse_settings(path: Path) -> ParsedBatch:
    """Practice, providers and payer settings from one TOML file."""
    name = path.name
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise ImportFailed(name, None, f"cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ImportFailed(name, None, "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ImportFailed(name, None, f"is not valid TOML ({exc})") from None
    check = _Checker(name)
    for key in raw:
        if key not in _SECTIONS:
            raise check.fail(key, f"unknown section; expected {', '.join(_SECTIONS)}")
    batch = ParsedBatch(authoritative=True)
    if "practice" in raw:
        batch.practice = _practice(check, raw["practice"])
    providers = raw.get("providers", [])
    if not isinstance(providers, list):
        raise check.fail("providers", "must be a list of [[providers]] tables")
    seen_npis: dict[str, int] = {}
    for number, item in enumerate(providers, 1):
        provider = _provider(check, item, f"providers[{number}]")
        if provider.npi in seen_npis:
            raise check.fail(f"providers[{number}].npi", f"repeats providers[{seen_npis[provider.npi]}]")
        seen_npis[provider.npi] = number
        batch.providers.append(provider)
    payers = raw.get("payers", [])
    if not isinstance(payers, list):
        raise check.fail("payers", "must be a list of [[payers]] tables")
    seen_names: dict[str, int] = {}
    for number, item in enumerate(payers, 1):
        payer = _payer(check, item, f"payers[{number}]")
        for label in (payer.name, *payer.aliases):
            if label.lower() in seen_names:
                raise check.fail(f"payers[{number}]", f"the name {label!r} is already used by "
                                                      f"payers[{seen_names[label.lower()]}]")
            seen_names[label.lower()] = number
        batch.payer_settings.append(payer)
    if batch.is_empty:
        raise ImportFailed(name, None, "holds no [practice], [[providers]] or [[payers]]")
    return batch


def _practice(check: _Checker, value: Any) -> PracticeRecord:
    data = check.table(value, "practice", _PRACTICE_KEYS)
    tax_id = check.text(data, "tax_id", "practice")
    if tax_id is not None:
        digits = tax_id.replace("-", "")
        if not re.fullmatch(r"\d{9}", digits):
            raise check.fail("practice.tax_id", "must be the 9-digit EIN (12-3456789)")
        tax_id = digits
    street = check.text(data, "address1", "practice")
    city, state, zip_code = (check.text(data, k, "practice") for k in ("city", "state", "zip"))
    address = check.text(data, "address", "practice")
    if address is not None:
        match = _ADDRESS.match(" ".join(address.split()))
        if match is None:
            raise check.fail("practice.address", "write it as 'street, city, ST zip' or use the keys "
                                                 "address1, city, state, zip")
        street = street or match.group("street")
        city = city or match.group("city")
        state = state or match.group("state").upper()
        zip_code = zip_code or match.group("zip")
    return PracticeRecord(
        name=check.text(data, "name", "practice", required=True) or "",
        npi=check.npi(data, "npi", "practice"),
        tax_id=tax_id,
        address1=street,
        city=city,
        state=state,
        zip=zip_code,
        phone=check.text(data, "phone", "practice"),
    )


def _provider(check: _Checker, value: Any, where: str) -> ProviderRecord:
    data = check.table(value, where, _PROVIDER_KEYS)
    taxonomy = check.text(data, "taxonomy", where)
    if taxonomy is not None:
        taxonomy = taxonomy.upper()
        if not _TAXONOMY.match(taxonomy):
            raise check.fail(f"{where}.taxonomy",
                             f"{taxonomy[:12]!r} is not a taxonomy code (like 225X00000X)")
    organization = data.get("organization", False)
    if not isinstance(organization, bool):
        raise check.fail(f"{where}.organization", "must be true or false")
    credential_text = check.text(data, "credential", where)
    credential: Credential | None = None
    if credential_text is not None:
        known = {c.value.lower(): c for c in Credential}
        credential = known.get(credential_text.lower()) or credential_from_letters(credential_text)
        if credential is None:
            raise check.fail(f"{where}.credential", f"{credential_text!r} is not one of "
                                                    f"{', '.join(c.value for c in Credential)}")
    elif not organization:
        credential = credential_for_taxonomy(taxonomy)
    return ProviderRecord(
        npi=check.npi(data, "npi", where, required=True) or "",
        last_name=check.text(data, "last_name", where, required=True) or "",
        first_name=check.text(data, "first_name", where) or "",
        credential=credential,
        taxonomy=taxonomy,
        is_organization=organization,
    )


def _payer(check: _Checker, value: Any, where: str) -> PayerSettingsRecord:
    data = check.table(value, where, _PAYER_KEYS)
    name = check.text(data, "name", where, required=True) or ""
    if "kind" not in data:
        raise check.fail(f"{where}.kind", f"is required: one of {', '.join(k.value for k in PayerKind)}")
    kind = PayerKind(check.choice(data["kind"], f"{where}.kind", [k.value for k in PayerKind]))
    payer_id = data.get("payer_id")
    if payer_id is not None and not isinstance(payer_id, str):
        raise check.fail(f"{where}.payer_id", "must be text in quotes (payer ids keep their leading zeros)")
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise check.fail(f"{where}.aliases", "must be a list of names, like [\"BCBS\", \"Blue Cross\"]")
    timely = data.get("timely_filing_days")
    windows_raw = data.get("appeal_windows")
    windows: dict[str, int] | None = None
    if windows_raw is not None:
        if not isinstance(windows_raw, dict) or not windows_raw:
            raise check.fail(f"{where}.appeal_windows", "must be a table like {\"1\" = 120, \"2\" = 180}")
        windows = {}
        for level, days in windows_raw.items():
            if level not in _APPEAL_LEVELS:
                raise check.fail(f"{where}.appeal_windows.{level}", "appeal levels are \"1\" to \"5\"")
            windows[level] = check.days(days, f"{where}.appeal_windows.{level}")
    unit_rule = data.get("unit_rule")
    corrected = data.get("corrected_claim_days")
    return PayerSettingsRecord(
        name=name,
        kind=kind,
        payer_id=(payer_id or "").strip() or None,
        aliases=tuple(a.strip() for a in aliases),
        timely_filing_days=check.days(timely, f"{where}.timely_filing_days") if timely is not None else None,
        appeal_windows=windows,
        unit_rule=UnitRule(check.choice(unit_rule, f"{where}.unit_rule", [u.value for u in UnitRule]))
        if unit_rule is not None else None,
        appeal_address=check.text(data, "appeal_address", where),
        appeal_fax=check.text(data, "appeal_fax", where),
        appeal_phone=check.text(data, "appeal_phone", where),
        portal_url=check.text(data, "portal_url", where),
        phone=check.text(data, "phone", where),
        corrected_claim_days=(check.days(corrected, f"{where}.corrected_claim_days")
                              if corrected is not None else None),
    )
