"""The ICD-10-CM code table (data/icd10cm.toml) and rule `icd10-format` on billable codes."""

from __future__ import annotations

import gzip
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assistant.paths import package_data
from assistant.rules.checks import check_claim
from assistant.rules.codes import load_data
from assistant.rules.context import load_context
from assistant.rules.icd10 import CodeStatus, code_table, dotted
from tests.builders import claim_record, write
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("code", "status"), [
    ("M62.81", CodeStatus.BILLABLE), ("M6281", CodeStatus.BILLABLE), ("I10", CodeStatus.BILLABLE),
    ("S52.501D", CodeStatus.BILLABLE), ("S62.90XA", CodeStatus.BILLABLE), ("G20.A1", CodeStatus.BILLABLE),
    ("M62.8", CodeStatus.HEADER), ("M62", CodeStatus.HEADER), ("S52.501", CodeStatus.HEADER),
    ("G20A", CodeStatus.HEADER), ("M65.31", CodeStatus.HEADER), ("R41.84", CodeStatus.HEADER),
    ("M62.99", CodeStatus.UNKNOWN), ("S6290A", CodeStatus.UNKNOWN), ("Z99.999", CodeStatus.UNKNOWN),
])
def test_code_status(code: str, status: CodeStatus) -> None:
    assert code_table().status(code) is status


def test_the_table_matches_its_description() -> None:
    meta = load_data("icd10cm.toml")["release"]
    table = code_table()
    assert len(table.billable) == meta["codes"] and meta["source"]
    assert table.effective_from == date(2025, 10, 1) and table.effective_through == date(2026, 9, 30)
    assert table.completions("M628")[:3] == ["M6281", "M6282", "M62830"]
    assert dotted("s52501d") == "S52.501D" and dotted("I10") == "I10"


def test_every_diagnosis_the_sample_uses_is_billable() -> None:
    """The generator's conditions (sample_db/conditions.toml) must make clean claims."""
    import re

    from assistant.paths import bundled

    text = (bundled("sample_db") / "conditions.toml").read_text()
    codes = set(re.findall(r'"([A-Z][0-9][0-9A-Z][0-9A-Z]{0,4})"', text))
    assert len(codes) > 40
    assert {c for c in codes if code_table().status(c) is not CodeStatus.BILLABLE} == set()


def _icd(services, claim_id: str):  # type: ignore[no-untyped-def]
    return [f for f in check_claim(load_context(services.conn, claim_id, TODAY)) if f.rule == "icd10-format"]


def test_truncated_codes_are_not_billable(services) -> None:
    d = date(2026, 3, 2)
    write(services.conn,
          claim_record("OK", dos=d, diagnoses=("S52.501D", "M62.81")),
          claim_record("HEADER", account="A2", dos=d, diagnoses=("M62.8", "R41.844")),
          claim_record("SEVENTH", account="A3", dos=d, diagnoses=("M62.81", "S52501")),
          claim_record("NOT-A-CODE", account="A4", dos=d, diagnoses=("M62.99",)),
          claim_record("PLACEHOLDER", account="A5", dos=d, diagnoses=("S6290A",)))
    assert _icd(services, "OK") == []
    [header] = _icd(services, "HEADER")
    assert header.severity == "error"
    assert header.message == ("diagnosis 1 (M62.8) is a category, not a billable code: it has subcodes "
                              "(M62.81, M62.82, M62.830 ...)")
    [seventh] = _icd(services, "SEVENTH")
    assert seventh.severity == "error" and "diagnosis 2 (S52.501) is without its 7th character" in seventh.message
    [unknown] = _icd(services, "NOT-A-CODE")
    assert unknown.severity == "error" and "not an ICD-10-CM code" in unknown.message
    [placeholder] = _icd(services, "PLACEHOLDER")
    assert "S62.90XA" in placeholder.message and placeholder.fix == "send S62.90XA"


def test_outside_the_tables_year_only_a_split_category_stays_an_error(services) -> None:
    # Before FY2026 a code unknown now, or split now, may have been valid: a warning. After it,
    # a split category is still split; an unknown code may be new: a warning.
    write(services.conn,
          claim_record("OLD-HEADER", dos=date(2025, 6, 2), diagnoses=("M62.8",)),
          claim_record("OLD-UNKNOWN", account="A2", dos=date(2025, 6, 2), diagnoses=("M62.99",)),
          claim_record("NEW-HEADER", account="A3", dos=date(2026, 10, 5), diagnoses=("M62.8",)),
          claim_record("NEW-UNKNOWN", account="A4", dos=date(2026, 10, 5), diagnoses=("M62.99",)))
    assert [f.severity for f in _icd(services, "OLD-HEADER")] == ["warning"]
    [old] = _icd(services, "OLD-UNKNOWN")
    assert old.severity == "warning" and "check it was valid on 2025-06-02" in old.message
    assert [f.severity for f in _icd(services, "NEW-HEADER")] == ["error"]
    assert [f.severity for f in _icd(services, "NEW-UNKNOWN")] == ["warning"]


def test_the_table_is_built_from_a_code_list(tmp_path: Path) -> None:
    """tools/build_icd10cm.py keeps the codes no other listed code extends, grouped by category."""
    source = tmp_path / "codes.txt"
    source.write_text("1\nA00-A09\nA00\nA000\nA001\nI10\nS52501\nS52501A\nS52501D\nM62.81 Muscle weakness\n")
    target = tmp_path / "out.txt.gz"
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_icd10cm.py"), str(source), str(target)],
                   check=True, capture_output=True)
    assert gzip.decompress(target.read_bytes()).decode() == "A00 0 1\nI10\nM62 81\nS52 501A 501D\n"


def test_the_shipped_table_is_what_the_builder_writes() -> None:
    """Rebuilding from the shipped table's own codes changes nothing (sorted, grouped, no headers)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from build_icd10cm import billable, encode  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "tools"))
    shipped = gzip.decompress(package_data("icd10cm_codes.txt.gz").read_bytes()).decode()
    assert encode(billable(list(code_table().billable))) == shipped


def test_the_table_loads_only_when_a_diagnosis_is_checked() -> None:
    code = ("import assistant.rules.checks, assistant.rules.icd10 as t\n"
            "assert t.code_table.cache_info().currsize == 0\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
