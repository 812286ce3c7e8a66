"""837P other-payer loops (2320/2330A/2330B/2430): parsed, stored with the claim, shown, checked.

Two hand-written files (tests/fixtures/837/cob_*.837) for one patient: a claim billed to
Aetna (primary) naming Regence as secondary, and a claim billed to Regence (secondary)
carrying Aetna's adjudication: $160 paid on $240 (97530 $100 + 97110 $60), CO-45 and PR.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.domain import OtherPayerAdjustment, PayerKind
from assistant.importers.x12 import X12Error
from assistant.importers.x837 import parse_837, read_837
from assistant.rules.assess import check_record
from assistant.rules.checks import check_claim
from assistant.rules.context import load_context
from assistant.services import Services
from tests.conftest import FIXTURES, TODAY
from tests.remit_builders import clp, file_835, remittance, svc

F837 = FIXTURES / "837"
PRIMARY, SECONDARY = F837 / "cob_primary.837", F837 / "cob_secondary.837"
COB_RULES = {"prior-payer-missing", "prior-payer-paid-total", "prior-payer-line-balance"}


def variant(tmp_path: Path, source: Path, *swaps: tuple[str, str], name: str = "variant.837") -> Path:
    text = source.read_text()
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


def imported(services: Services, *paths: Path) -> list[tuple[int, int, int]]:
    """(created, updated, unchanged) per file."""
    results = services.import_paths("837", list(paths))
    assert all(r.status == "imported" for r in results), [r.error for r in results]
    return [(r.created, r.updated, r.unchanged) for r in results]


def without(source: Path, tmp_path: Path, drop: tuple[str, ...], name: str) -> Path:
    """The file without the segments starting with `drop` (SE01 counted again)."""
    body, _, trailer = source.read_text().partition("~\nSE*")
    kept = [seg for seg in body.split("~\n") if seg and not seg.startswith(drop)]
    count = len(kept[kept.index(next(s for s in kept if s.startswith("ST*"))):]) + 1
    path = tmp_path / name
    path.write_text("~\n".join(kept) + f"~\nSE*{count}*" + trailer.split("*", 1)[1])
    return path


def rows(services: Services, table: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in services.conn.execute(f"SELECT * FROM {table} ORDER BY pk")]


def cob_findings(services: Services, claim_id: str) -> list[Any]:
    ctx = load_context(services.conn, claim_id, TODAY)
    return [f for f in check_claim(ctx) if f.rule in COB_RULES]


# --------------------------------------------------------------------------- parsing


def test_a_claim_to_the_secondary_carries_the_primarys_adjudication() -> None:
    batch = parse_837(SECONDARY)
    assert batch.warnings == []
    [claim] = batch.claims
    assert claim.coverage_priority == 2 and claim.payer.payer_id == "00851"
    [aetna] = claim.other_payers or ()
    assert (aetna.payer.name, aetna.payer.payer_id, aetna.payer.kind) == ("AETNA", "60054", PayerKind.COMMERCIAL)
    assert (aetna.priority, aetna.relationship, aetna.group_number, aetna.filing_indicator) == (
        1, "18", "GRP55012", "CI")
    assert (aetna.member_id, aetna.paid_cents, aetna.patient_liability_cents) == ("W987654321", 16000, 3200)
    assert (aetna.adjudicated, aetna.claim_number, aetna.benefits_assigned) == (
        date(2026, 11, 18), "AET7781234", "Y")
    assert [(ln.line_no, ln.paid_cents, ln.code, ln.modifiers, ln.units) for ln in aetna.lines] == [
        (1, 10000, "97530", ("GO",), Decimal(2)), (2, 6000, "97110", ("GO",), Decimal(1))]
    assert aetna.lines[0].adjustments == (OtherPayerAdjustment("CO", "45", 3000),
                                          OtherPayerAdjustment("PR", "2", 2000))
    assert aetna.lines[1].adjudicated == date(2026, 11, 18)
    assert aetna.adjudicated_claim


def test_a_claim_to_the_primary_names_the_secondary_coverage() -> None:
    [claim] = parse_837(PRIMARY).claims
    assert claim.coverage_priority == 1
    [regence] = claim.other_payers or ()
    assert (regence.payer.name, regence.priority, regence.member_id) == (
        "REGENCE BCBS OREGON", 2, "RGX900112233")
    assert not regence.adjudicated_claim and regence.lines == ()


def test_claim_level_cas_moa_and_amounts_and_an_unknown_order(tmp_path: Path) -> None:
    path = variant(tmp_path, SECONDARY,
                   ("SBR*P*18*GRP55012******CI~\n", "SBR*U*18*GRP55012******CI~\nCAS*PR*1*25**3*5*2~\n"),
                   ("AMT*EAF*32~\n", "AMT*EAF*32~\nAMT*A8*0~\nMOA***MA01*N130~\n"))
    batch = parse_837(path)
    [other] = batch.claims[0].other_payers or ()
    assert other.priority == 1  # SBR01 U on a claim to the secondary: the primary (X12 RFI 1980)
    assert other.adjustments == (OtherPayerAdjustment("PR", "1", 2500), OtherPayerAdjustment("PR", "3", 500, Decimal(2)))
    assert (other.noncovered_cents, other.remarks) == (0, ("MA01", "N130"))
    assert any("responsibility 'U'" in w for w in batch.warnings)


def test_an_svd_naming_no_other_payer_is_warned_and_read_for_the_only_one(tmp_path: Path) -> None:
    path = variant(tmp_path, SECONDARY, ("SVD*60054*60*", "SVD*99999*60*"))
    batch = parse_837(path)
    [other] = batch.claims[0].other_payers or ()
    assert [ln.line_no for ln in other.lines] == [1, 2]
    assert any("SVD01 is not the other payer's id" in w for w in batch.warnings)


def test_a_claim_without_other_payer_loops_says_so_and_csv_cannot() -> None:
    [claim] = parse_837(F837 / "medicare_self.837").claims
    assert claim.other_payers == ()


@pytest.mark.parametrize(("old", "new", "where"), [
    ("AMT*D*160~", "AMT*D*1X0~", "AMT02 is not an amount"),
    ("SVD*60054*100*", "SVD*60054*1O0*", "SVD02 is not an amount"),
    ("CAS*CO*45*30~", "CAS*CO*45*~", "CAS03 is not an amount"),
    ("CAS*PR*2*20~", "CAS*PR*2*20*-1~", "CAS04 is not a unit count"),
    ("DTP*573*D8*20261118~\nREF*F8", "DTP*573*D8*20261318~\nREF*F8", "DTP03 is not a CCYYMMDD date"),
    ("NM1*PR*2*AETNA*****PI*60054~", "NM1*PR*2******PI~", "other payer (NM1*PR) without a name"),
    ("CAS*CO*45*18~", "CAS**45*18~", "CAS01 has no adjustment group"),
])
def test_bad_values_give_a_located_error(tmp_path: Path, old: str, new: str, where: str) -> None:
    path = variant(tmp_path, SECONDARY, (old, new))
    with pytest.raises(X12Error) as err:
        parse_837(path)
    assert where in str(err.value) and "segment" in str(err.value)


def test_a_2320_without_an_other_payer_name_is_refused(tmp_path: Path) -> None:
    path = without(PRIMARY, tmp_path, ("NM1*PR*2*REGENCE",), "no_payer.837")
    with pytest.raises(X12Error, match=r"other payer loop \(2320\) has no payer"):
        parse_837(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["SBR*S*18~", "SBR*P~", "CAS*PR*1*5~", "AMT*D*9~", "AMT*EAF*1~", "OI***Y~",
                                 "MOA***MA01~", "NM1*IL*1*X****MI*1~", "NM1*PR*2*P*****PI*7~",
                                 "DTP*573*D8*20261101~", "REF*F8*9~", "SVD*7*5*HC:97110**1~",
                                 "LX*9~", "SV1*HC:97110*5*UN*1~", "DTP*472*D8*20261101~"]),
                max_size=12))
def test_any_other_payer_segments_read_or_give_a_located_error(extra: list[str]) -> None:
    text = SECONDARY.read_text().replace("LX*1~", "".join(extra) + "LX*1~", 1)
    try:
        batch = read_837(text, "fuzz.837")
    except X12Error as exc:
        assert "segment" in str(exc)
        return
    for claim in batch.claims:
        for other in claim.other_payers or ():
            assert 1 <= other.priority <= 11 and {ln.line_no for ln in other.lines} <= {1, 2, 9}


# --------------------------------------------------------------------------- storing


def test_round_trip_through_the_import_and_claim_json(services: Services) -> None:
    imported(services, PRIMARY, SECONDARY)
    coverages = services.conn.execute(
        "SELECT y.name, v.priority, v.member_id, v.group_number, v.relationship FROM coverages v "
        "JOIN payers y ON y.pk = v.payer_pk ORDER BY v.priority").fetchall()
    assert [tuple(c) for c in coverages] == [("AETNA", 1, "W987654321", "GRP55012", "18"),
                                             ("REGENCE BCBS OREGON", 2, "RGX900112233", "RGX4471", "18")]
    data = services.claim("OT261110S1")
    assert data["coverage_priority"] == 2 and data["other_coverages"] == []
    [prior] = data["prior_payers"]
    assert (prior["payer"], prior["priority"], prior["paid"], prior["adjudicated"], prior["claim_number"]) == (
        "AETNA", 1, 160.0, "2026-11-18", "AET7781234")
    assert [(a["group"], a["code"], a["amount"], a["line"]) for a in prior["adjustments"]] == [
        ("CO", "45", 30.0, 1), ("PR", "2", 20.0, 1), ("CO", "45", 18.0, 2), ("PR", "1", 12.0, 2)]
    assert [(ln["line"], ln["paid"]) for ln in prior["lines"]] == [(1, 100.0), (2, 60.0)]
    primary = services.claim("OT261103P1")
    assert primary["prior_payers"] == []
    assert [(c["payer"], c["order"]) for c in primary["other_coverages"]] == [("REGENCE BCBS OREGON", "secondary")]


def test_an_unknown_other_payer_is_created_like_an_unknown_claim_payer(services: Services) -> None:
    imported(services, SECONDARY)
    kinds = dict(services.conn.execute("SELECT payer_id, kind FROM payers").fetchall())
    assert kinds == {"00851": "commercial", "60054": "commercial"}


def test_a_known_payer_is_matched_by_id_or_alias(services: Services, tmp_path: Path) -> None:
    services.conn.execute("INSERT INTO payers (name, payer_id, kind, aliases) VALUES "
                          "('Aetna Commercial', NULL, 'commercial', '[\"AETNA\"]')")
    services.conn.commit()
    imported(services, SECONDARY)
    assert services.conn.execute("SELECT count(*) FROM payers").fetchone()[0] == 2
    assert services.claim("OT261110S1")["prior_payers"][0]["payer"] == "Aetna Commercial"


def test_re_import_is_idempotent_and_a_replacement_is_audited(services: Services, tmp_path: Path) -> None:
    imported(services, PRIMARY, SECONDARY)
    before = rows(services, "claim_other_payers"), rows(services, "coverages")
    again = variant(tmp_path, SECONDARY, ("B20261121C", "B20261121D"), name="resent.837")  # other bytes
    assert imported(services, again) == [(0, 0, 1)]
    assert (rows(services, "claim_other_payers"), rows(services, "coverages")) == before
    corrected = variant(tmp_path, SECONDARY, ("11:B:1", "11:B:7"), ("AMT*D*160~", "AMT*D*150~"),
                        ("SVD*60054*60*", "SVD*60054*50*"), ("CAS*CO*45*18~", "CAS*CO*45*28~"),
                        name="replacement.837")
    assert imported(services, corrected) == [(0, 1, 0)]
    assert services.claim("OT261110S1")["prior_payers"][0]["paid"] == 150.0
    [change] = [h for h in services.history("OT261110S1") if h["field"] == "other_payers"]
    assert change["before"] == "AETNA (primary) paid $160.00 on 2026-11-18 claim AET7781234"
    assert change["after"] == "AETNA (primary) paid $150.00 on 2026-11-18 claim AET7781234"
    assert len(rows(services, "claim_other_payers")) == 2


def test_the_claim_text_output_shows_the_prior_payer(services: Services, run_cli, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    imported(services, PRIMARY, SECONDARY)
    services.conn.commit()
    out = run_cli("claim", "OT261110S1", "--db", str(db_path))
    assert "Prior payer AETNA (primary) paid $160.00 on 2026-11-18 claim AET7781234" in out.stdout
    out = run_cli("claim", "OT261103P1", "--db", str(db_path))
    assert "Other coverage REGENCE BCBS OREGON (secondary)" in out.stdout
    data = json.loads(run_cli("claim", "OT261110S1", "--json", "--db", str(db_path)).stdout)
    assert data["prior_payers"][0]["claim_number"] == "AET7781234"


# --------------------------------------------------------------------------- rules


def test_a_commercial_primary_with_a_secondary_from_the_837_proposes_bill_secondary(
        services: Services, tmp_path: Path) -> None:
    imported(services, PRIMARY)
    answer = clp("OT261103P1", "1", svc("97530", 150, 100, ("CO", "45", 30), ("PR", "2", 20), units="2",
                                       day=date(2026, 11, 3)),
                 svc("97110", 90, 60, ("CO", "45", 18), ("PR", "1", 12), day=date(2026, 11, 3)),
                 number="AET7781234", last="PARKER", first="JOAN", member="W987654321")
    [result] = services.import_835([file_835(tmp_path, "aetna.835", remittance(
        answer, payer="AETNA", payer_id="60054", paid_on=date(2026, 11, 18)))])
    assert result["status"] == "imported", result["error"]
    actions = services.next_actions("OT261103P1")["actions"]
    assert actions[0]["action"] == "bill_secondary"
    assert "REGENCE BCBS OREGON" in actions[0]["reason"]


def test_the_secondary_claim_with_the_primarys_adjudication_is_clean(services: Services) -> None:
    imported(services, PRIMARY, SECONDARY)
    assert cob_findings(services, "OT261110S1") == []
    assert cob_findings(services, "OT261103P1") == []


def test_a_claim_to_a_secondary_without_the_primary_is_warned(services: Services, tmp_path: Path) -> None:
    path = without(SECONDARY, tmp_path, ("SBR*P", "AMT", "OI", "NM1*IL*1*PARKER*JOAN****MI*W9", "NM1*PR*2*AETNA",
                                         "DTP*573", "REF*F8", "SVD", "CAS"), "no_primary.837")
    imported(services, path)
    [finding] = cob_findings(services, "OT261110S1")
    assert (finding.rule, finding.severity) == ("prior-payer-missing", "warning")
    assert "CO-22" in finding.message and "MA04" in finding.message
    # The same before it is sent: the scrub of the file says it too.
    report = services.check_file(path)
    assert "prior-payer-missing" in json.dumps(report)


def test_a_named_primary_without_its_adjudication_is_warned(tmp_path: Path) -> None:
    path = variant(tmp_path, PRIMARY, ("SBR*P*18*GRP55012******CI~\nNM1*IL", "SBR*S*18*GRP55012******CI~\nNM1*IL"),
                   ("SBR*S*18*RGX4471******BL~\nOI", "SBR*P*18*RGX4471******BL~\nOI"))
    [claim] = parse_837(path).claims
    found = [f for f in check_record(None, claim, TODAY) if f.rule in COB_RULES]
    assert [f.rule for f in found] == ["prior-payer-missing"]
    assert "named without its adjudication" in found[0].message


def test_a_csv_claim_to_a_secondary_says_nothing(services: Services) -> None:
    import dataclasses

    from tests.builders import claim_record, write

    write(services.conn, dataclasses.replace(claim_record("CSV2", payer="Aetna"), coverage_priority=2))
    assert cob_findings(services, "CSV2") == []


def test_paid_amounts_that_do_not_add_up_are_warned(services: Services, tmp_path: Path) -> None:
    path = variant(tmp_path, SECONDARY, ("AMT*D*160~", "AMT*D*170~"), ("CAS*PR*1*12~", "CAS*PR*1*2~"))
    imported(services, path)
    found = {f.rule: f for f in cob_findings(services, "OT261110S1")}
    assert set(found) == {"prior-payer-paid-total", "prior-payer-line-balance"}
    assert "paid $170.00 on the claim (AMT*D) but $160.00 on its lines" in found["prior-payer-paid-total"].message
    assert found["prior-payer-line-balance"].line == 2
