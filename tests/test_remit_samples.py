"""The 27 public 835 samples (../shared/x12-samples/835, SOURCES.md beside it): each one either
imports with the claim count, paid total and adjustment totals the file itself says, computed
here by an independent little split, or is refused with a located reason. Reimporting says
duplicate and changes nothing. All files go into one database, once (the large one too)."""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistant.remit.service import import_835
from assistant.storage import open_database
from tests.conftest import SHARED_835

pytestmark = pytest.mark.skipif(not SHARED_835.is_dir(), reason="shared 835 samples not present")

# file -> None (imports) or the located refusal; and whether it balances (SOURCES.md).
REFUSED = {
    "perlx12_4010_placeholder_values_malformed.835": "segment 4 (BPR): BPR02 'A' is not an amount",
}
UNBALANCED = {
    "pyx12_4010_reversals_cr_group_plb_crlf.835",
    "tigershark_4010_pipe_caret_tilde_at_line_start_plb_lq.835",
    "tigershark_4010_pipe_two_st_in_one_gs.835",
    "tigershark_4010_header_only_wrong_se_count.835",
    "oopfactory_4010_bom_crlf_indented_multi_triplet_cas.835",
    "oopfactory_4010_nth_deidentified_01.835",
    "oopfactory_4010_nth_deidentified_02_large.835",
    "oopfactory_5010_nth_deidentified_gt_components.835",
    "oopfactory_5010_nth_multiple_interchanges_crlf.835",
}
SAMPLES = sorted(p.name for p in SHARED_835.glob("*") if p.suffix != ".md") if SHARED_835.is_dir() else []


def independent_totals(data: bytes) -> tuple[int, Decimal, dict[str, Decimal]]:
    """CLP count, sum of CLP04 and CAS amounts by group, by a split that knows nothing else."""
    text = data.decode("utf-8-sig").lstrip()
    element = text[3] if text.startswith("ISA") else text[2]
    claims, paid, groups = 0, Decimal(0), defaultdict(Decimal)
    for raw in re.split(r"[~\r\n]+", text):
        fields = raw.strip().split(element)
        if fields[0] == "CLP":
            claims += 1
            paid += Decimal(fields[4])
        elif fields[0] == "CAS":
            for amount in fields[3::3]:
                groups[fields[1]] += Decimal(amount or 0)
    return claims, paid, dict(groups)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("samples") / "ar.db"
    conn = open_database(db, create=True)
    results = {name: import_835(conn, SHARED_835 / name, user="tester") for name in SAMPLES}
    yield {"conn": conn, "results": results}
    conn.close()


def test_the_corpus_is_all_there() -> None:
    assert len(SAMPLES) == 27


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_imports_with_the_files_own_totals_or_is_refused(imported: dict[str, Any], name: str) -> None:
    result = imported["results"][name]
    if name in REFUSED:
        assert result["status"] == "rejected"
        assert result["error"] == f"{name}: {REFUSED[name]}"
        return
    assert result["status"] == "imported", result["error"]
    claims, paid, groups = independent_totals((SHARED_835 / name).read_bytes())
    assert result["claims"] == claims
    assert Decimal(str(result["paid_total"])) == paid
    by_group: dict[str, Decimal] = defaultdict(Decimal)
    for adj in result["adjustments"]:
        by_group[adj["group"]] += Decimal(str(adj["amount"]))
    assert {g: a for g, a in by_group.items() if a} == {g: a for g, a in groups.items() if a}
    assert result["balanced"] is (name not in UNBALANCED)
    if name in UNBALANCED:
        assert result["imbalances"] and all(
            set(i) == {"level", "where", "expected", "actual", "difference"} for i in result["imbalances"])


def test_known_details_of_particular_samples(imported: dict[str, Any]) -> None:
    results = imported["results"]
    tertiary = results["lfh_5010_ig_tertiary_payment_malformed_svc01.835"]
    assert tertiary["service_lines"] == 1
    assert any("shifted by one" in w for w in tertiary["warnings"])
    secondary = results["lfh_5010_ig_secondary_payment_gt_components_vs_isa16_colon.835"]
    assert any("separates components with '>'" in w for w in secondary["warnings"])
    managed = results["lfh_5010_ig_managed_care_claim_and_line_cas.835"]
    assert managed["transactions"][0]["payment_date"] is None
    assert any("BPR16 '20002316' is not a date" in w for w in managed["warnings"])
    mixed = results["pyx12_4010_multi_isa_mixed_278_837_empty_835.x12"]
    assert mixed["claims"] == 0 and mixed["transactions"] == []
    assert any("non-835 sets (278 x6, 837 x2)" in w for w in mixed["warnings"])
    assert sum("nothing to post" in w for w in mixed["warnings"]) == 4
    header_only = results["tigershark_4010_header_only_wrong_se_count.835"]
    assert header_only["transactions"][0]["payment_amount"] == 12345.67
    assert header_only["imbalances"] == [{"level": "transaction", "where": "segment 3 (ST) trace 1QG11111111",
                                          "expected": 0.0, "actual": 12345.67, "difference": 12345.67}]
    reversals = results["pyx12_4010_reversals_cr_group_plb_crlf.835"]
    assert {(a["group"], a["code"]): a["amount"] for a in reversals["adjustments"]} == {("CR", "45"): 0.0}
    assert reversals["transactions"][0]["plb_total"] == -977.94  # -1008.10 + 24.21 + 5.95
    assert reversals["imbalances"][-1]["expected"] == 467.69  # SOURCES.md: sum(CLP04) - sum(PLB)
    large = results["oopfactory_4010_nth_deidentified_02_large.835"]
    assert (large["claims"], large["service_lines"], len(large["transactions"])) == (375, 1552, 6)
    assert large["remark_codes"] and sum(large["remark_codes"].values()) >= 454
    bcbs = results["edi835parser_bcbs_nc_no_isa_gs_envelope.835"]
    assert any("no ISA envelope" in w for w in bcbs["warnings"])
    assert bcbs["paid_total"] == 1922.86


def test_an_identical_remittance_in_another_file_is_not_posted_twice(imported: dict[str, Any]) -> None:
    results = imported["results"]
    # Same content as the one-line eMedNY file, but newline-terminated: read, not posted again.
    again = results["tastypackets_emedny_newline_terminated_no_tilde.835"]
    assert again["claims"] == 3 and (again["matched"], again["unmatched"]) == (0, 0)
    assert again["transactions"][0]["posted"] is False
    # Two identical interchanges in one file: the second is not posted.
    twice = results["tastypackets_emedny_institutional_two_isa_lines.835"]
    assert [t["posted"] for t in twice["transactions"]] == [True, False]
    assert twice["unmatched"] == 2


def test_reimporting_every_sample_says_duplicate_and_changes_nothing(imported: dict[str, Any]) -> None:
    conn: sqlite3.Connection = imported["conn"]
    before = list(conn.iterdump())
    for name in SAMPLES:
        result = import_835(conn, SHARED_835 / name, user="tester")
        expected = "rejected" if name in REFUSED else "duplicate"
        assert result["status"] == expected, name
    assert list(conn.iterdump()) == before


def test_unmatched_queue_holds_every_posted_claim(imported: dict[str, Any]) -> None:
    conn: sqlite3.Connection = imported["conn"]
    results = imported["results"].values()
    posted = sum(t["claims"] for r in results for t in r["transactions"] if t["posted"])
    queued = conn.execute("SELECT count(*) FROM claim_payments WHERE claim_pk IS NULL").fetchone()[0]
    assert posted == queued == sum(r["unmatched"] for r in results) > 500
    assert conn.execute("SELECT count(*) FROM activities WHERE kind = 'posting'").fetchone()[0] == queued


def test_a_rejected_sample_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "ar.db", create=True)
    before = list(conn.iterdump())
    result = import_835(conn, SHARED_835 / "perlx12_4010_placeholder_values_malformed.835", user="t")
    assert result["status"] == "rejected"
    assert list(conn.iterdump()) == before
    conn.close()


def test_no_patient_names_or_member_ids_in_any_message(imported: dict[str, Any]) -> None:
    for name, result in imported["results"].items():
        text = (SHARED_835 / name).read_bytes().decode("utf-8-sig")
        element = text.lstrip()[3] if text.lstrip().startswith("ISA") else text.lstrip()[2]
        people = set()
        for raw in re.split(r"[~\r\n]+", text):
            fields = raw.strip().split(element)
            if fields[0] == "NM1" and len(fields) > 3 and fields[1] in ("QC", "IL", "74"):
                people.update(f for f in (fields[3], *fields[4:5], *fields[9:10])
                              if len(f) > 2 and not set(f) <= set("X9 "))  # masked in the NTH files
        messages = " ".join([*result["warnings"], result["error"] or ""])
        assert not [p for p in people if p in messages], name
