"""Reports on postings made by the real 835 import: reversals, corrections, PLB and AMT*B6."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.services import Services
from tests.builders import claim_record, write
from tests.remit_builders import clp, file_835, remittance, svc


def post(services: Services, tmp_path: Path, *claims: Any, name: str, **kwargs: Any) -> None:
    (result,) = services.import_835([file_835(tmp_path, name, remittance(*claims, **kwargs))])
    assert result["status"] == "imported", result["error"]


def allowed(service: Any, dollars: float) -> Any:
    return dataclasses.replace(service, allowed_cents=round(dollars * 100))


@pytest.fixture
def posted(services: Services, tmp_path: Path) -> Services:
    """C1 paid $180 on Sep 20, reversed and corrected to $160 on Oct 20 (with a PLB WO $20 for ICN1);
    C2 denied CO-50 N115 at claim level; C3's 97110 denied CO-97 (both Sep 20)."""
    write(services.conn, claim_record("C1"), claim_record("C2", account="A2", last="Chen"),
          claim_record("C3", account="A3", last="Okoro"))
    first = clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30), units="2"), svc("97110", 75, 60, ("CO", "45", 15)))
    denied = clp("C2", "1", svc("97530", 150, 0), svc("97110", 75, 0), adjustments=[("CO", "50", 225)],
                 remarks=["N115"], number="ICN2", last="CHEN", member="MA2")
    bundled = clp("C3", "1", svc("97530", 150, 120, ("CO", "45", 30), units="2"), svc("97110", 75, 0, ("CO", "97", 75)),
                  number="ICN3", last="OKORO", member="MA3")
    post(services, tmp_path, first, denied, bundled, name="sep.835", trace="T1")
    reversal = clp("C1", "22", svc("97530", -150, -120, ("CO", "45", -30), units="2"),
                   svc("97110", -75, -60, ("CO", "45", -15)))
    correction = clp("C1", "1", allowed(svc("97530", 150, 100, ("CO", "45", 30), ("PR", "2", 20), units="2"), 120),
                     allowed(svc("97110", 75, 60, ("CO", "45", 15)), 60), number="ICN1B", original="ICN1")
    post(services, tmp_path, reversal, correction, name="oct.835", trace="T2", paid_on=date(2026, 10, 20),
         plb=[("WO", 20, "ICN1")])
    return services


def test_denials_count_the_first_adjudication(posted: Services) -> None:
    data = posted.report("denials")
    assert (data["claims_adjudicated"], data["claims_denied"], data["denied"]) == (3, 2, 300.0)
    categories = {row[0]: row[3] for row in data["sections"][0]["rows"]}
    assert categories == {"medical_necessity": 225.0, "bundling": 75.0}


def test_recoupments_from_real_postings(posted: Services) -> None:
    data = posted.report("recoupments")
    assert (data["reversals"], data["reversed"], data["corrections"], data["corrections_paid"]) == (
        1, 180.0, 1, 160.0)
    assert data["reversal_net"] == -20.0 and data["plb_takebacks"] == 20.0
    plb = next(s for s in data["sections"] if s["name"] == "plb")["rows"]
    assert [(row[2], row[5], row[7]) for row in plb] == [("WO", "C1", 20.0)]


def test_underpayments_compare_only_live_postings(posted: Services, tmp_path: Path) -> None:
    fees = tmp_path / "fees.csv"
    fees.write_text("payer,code,allowed\nMedicare Part B,97530,65.00\nMedicare Part B,97110,60.00\n")
    posted.import_fee_schedule([fees])
    data = posted.report("underpayments")
    # C1's correction (B6 120 and 60 against 130 and 60) and C3's paid 97530 (120 + 0 PR against 130);
    # the reversed first payment and the denied lines are not compared.
    assert (data["lines_compared"], data["lines_underpaid"], data["short"]) == (3, 2, 20.0)
