"""Code knowledge: every data entry has a source, the fact sheet's tables are covered, `explain` answers."""

from __future__ import annotations

import re
import tomllib
from datetime import date

import pytest

from assistant.domain import Action, Category, PayerKind
from assistant.errors import InvalidInput
from assistant.paths import package_data
from assistant.rules.codes import (
    carc,
    cpt,
    explain,
    group,
    kx_threshold,
    modifier,
    ncci_pairs,
    rarc,
    split_code,
    writes_off,
)
from tests.conftest import SHARED

FACTS = SHARED / "domain" / "ot-billing-facts.md"

DATA_FILES = {"carc.toml": "carc", "rarc.toml": "rarc", "group_codes.toml": "group", "cpt.toml": "cpt",
              "modifiers.toml": "modifier", "thresholds.toml": "kx"}


@pytest.mark.parametrize(("name", "table"), DATA_FILES.items())
def test_every_entry_names_its_source(name: str, table: str) -> None:
    with package_data(name).open("rb") as fh:
        entries = tomllib.load(fh)[table]
    assert entries
    for code, entry in entries.items():
        assert entry.get("source"), f"{name}: {code} has no source"


def test_ncci_and_payer_defaults_name_their_sources() -> None:
    with package_data("ncci.toml").open("rb") as fh:
        assert all(p["source"] for p in tomllib.load(fh)["pair"])
    with package_data("payer_defaults.toml").open("rb") as fh:
        kinds = tomllib.load(fh)["kind"]
    assert set(kinds) == {k.value for k in PayerKind}
    for kind, entry in kinds.items():
        assert entry["timely_filing_source"] and entry["unit_rule_source"], kind
        assert all(level["source"] for level in entry["appeal"].values()), kind


def _table_codes(section: str, next_section: str) -> list[str]:
    text = FACTS.read_text()
    body = text[text.index(section):text.index(next_section)]
    return [m.group(1) for m in re.finditer(r"^\| ([A-Z]{0,2}\d+)(?: / [A-Z0-9 /]+)? \|", body, re.M)]


@pytest.mark.skipif(not FACTS.exists(), reason="fact sheet not available")
def test_every_carc_of_the_fact_sheet_table_is_known() -> None:
    codes = _table_codes("### 6.2 CARCs", "### 6.3 RARCs")
    assert len(codes) >= 55
    missing = [c for c in codes if carc(c) is None]
    assert not missing


@pytest.mark.skipif(not FACTS.exists(), reason="fact sheet not available")
def test_every_rarc_of_the_fact_sheet_table_is_known() -> None:
    text = FACTS.read_text()
    body = text[text.index("### 6.3 RARCs"):text.index("## 7.")]
    codes = set()
    for m in re.finditer(r"^\| ([A-Z0-9 /]+?) \|", body, re.M):
        codes.update(c.strip() for c in m.group(1).split("/") if re.fullmatch(r"(MA|M|N)\d+", c.strip()))
    assert len(codes) >= 40
    assert sorted(c for c in codes if rarc(c) is None) == []


def test_carc_entries_have_actions_and_categories() -> None:
    for code in ("1", "16", "29", "45", "50", "97", "119", "197", "236", "B15", "A1"):
        info = carc(code)
        assert info is not None and info.actions and isinstance(info.category, Category)
    assert carc("029") == carc("29")
    assert carc("999") is None


def test_writes_off_keeps_its_contract() -> None:
    assert writes_off("CO", "45") and writes_off("CO", "253") and writes_off("OA", "23")
    assert not writes_off("CO", "50") and not writes_off("PR", "45") and not writes_off("CO", "999")


def test_appealability() -> None:
    co29 = carc("29")
    assert co29 is not None
    assert co29.appealable_for(PayerKind.COMMERCIAL) and not co29.appealable_for(PayerKind.MEDICARE)
    ma130 = rarc("MA130")
    assert ma130 is not None and ma130.appealable is False and ma130.actions == (Action.NEW_CLAIM,)


def test_cpt_modifiers_thresholds() -> None:
    assert cpt("97130").add_on_of == ("97129",)  # type: ignore[union-attr]
    assert cpt("97010").medicare_status == "B"  # type: ignore[union-attr]
    assert cpt("97014").medicare_replacement == "G0283"  # type: ignore[union-attr]
    assert cpt("97165").timed is False and cpt("97530").timed is True  # type: ignore[union-attr]
    assert modifier("GO").role == "discipline"  # type: ignore[union-attr]
    assert kx_threshold(2025).ot_cents == 241000  # type: ignore[union-attr]
    assert kx_threshold(2026).ot_cents == 248000  # type: ignore[union-attr]
    assert kx_threshold(2026).review_cents == 300000  # type: ignore[union-attr]
    assert kx_threshold(2020) is None  # not in the fact sheet


def test_ncci_pairs_in_force() -> None:
    pairs = {p.id: p for p in ncci_pairs()}
    assert pairs["97140-97530"].indicator == 1 and "97530" in pairs["97140-97530"].column2
    assert pairs["97140-97530"].in_force(date(2026, 1, 5))
    historical = pairs["eval-97530-97150-2020"]
    assert not historical.in_force(date(2019, 12, 31)) and not historical.in_force(date(2021, 1, 1))
    reeval = pairs["treatment-re-evaluation"]
    assert {"97530", "97110", "97150", "97535"} <= reeval.column1 and "97168" in reeval.column2


@pytest.mark.parametrize(("text", "expected"), [
    ("CO-197", ("CO", "197")), ("197", (None, "197")), ("co 197", ("CO", "197")), ("CO197", ("CO", "197")),
    ("PR-2", ("PR", "2")), ("N115", (None, "N115")), ("MA130", (None, "MA130")), ("PR", ("PR", "")),
    ("OA-B15", ("OA", "B15")), ("CO-050", ("CO", "50")),
])
def test_split_code(text: str, expected: tuple[str | None, str]) -> None:
    assert split_code(text) == expected


@pytest.mark.parametrize("text", ["hello", "CO-N115", "", "12345x"])
def test_split_code_refuses_what_is_no_code(text: str) -> None:
    with pytest.raises(InvalidInput):
        split_code(text)


def test_explain_the_brief_examples() -> None:
    rows = explain(["CO-197", "197", "N115", "PR-2"])
    assert [(r["code"], r["kind"], r["group"]) for r in rows] == [
        ("CO-197", "carc", "CO"), ("197", "carc", None), ("N115", "rarc", None), ("PR-2", "carc", "PR")]
    co197 = rows[0]
    assert co197["category"] == "authorization" and co197["appealable"] is True
    assert "appeal" in co197["actions"] and co197["meaning"]
    assert rows[2]["category"] == "medical_necessity"
    assert rows[3]["category"] == "patient_responsibility" and rows[3]["appealable"] is False


def test_explain_group_code_and_space_separated_pair() -> None:
    [pr] = explain("PR")
    assert pr["kind"] == "group" and pr["group"] == "PR" and "patient" in pr["meaning"].lower()
    assert [r["code"] for r in explain("CO 29 N115")] == ["CO-29", "N115"]


def test_explain_unknown_codes_with_their_group() -> None:
    [row] = explain("CO-999")
    assert row["known"] is False and row["kind"] == "carc" and row["group"] == "CO"
    assert "unknown" in row["meaning"] and group("CO").meaning in row["meaning"]  # type: ignore[union-attr]
    assert row["actions"] == ["call_payer"]
    [remark] = explain("N9999")
    assert remark["known"] is False and remark["kind"] == "rarc"


def test_explain_at_a_payer_kind() -> None:
    [medicare] = explain("CO-29", PayerKind.MEDICARE)
    [commercial] = explain("CO-29", PayerKind.COMMERCIAL)
    assert medicare["appealable"] is False and "appeal" not in medicare["actions"]
    assert commercial["appealable"] is True and "appeal" in commercial["actions"]


def test_explain_pr_on_a_denial_code_puts_the_patient_first() -> None:
    [row] = explain("PR-50")
    assert row["actions"][0] == "bill_patient" and "patient is liable" in row["notes"]
