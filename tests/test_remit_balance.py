"""Balancing with exact numbers, strict mode, and the import's safety rules."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.remit.balance import check_remittance
from assistant.remit.service import import_835
from assistant.services import Services
from tests.builders import claim_record, write
from tests.remit_builders import clp, file_835, remittance, svc
from tests.test_remit_reader import GS, HEADER, ISA


def unbalanced() -> object:
    line = dataclasses.replace(svc("97530", 150, 120, ("CO", "45", 20)), segment=18)  # 150 - 20 != 120
    claim = dataclasses.replace(clp("C1", "1", line, svc("97110", 75, 60, ("CO", "45", 15))),
                                paid_cents=18500, segment=14)  # 225 - 20 - 15 != 185
    return dataclasses.replace(remittance(claim, payment=200), segment=3)  # 190 != 200


def test_every_level_with_exact_numbers() -> None:
    found = [i.as_dict() for i in check_remittance(unbalanced())]
    assert found == [
        {"level": "line", "where": "segment 18 (SVC) of claim C1", "expected": 130.0, "actual": 120.0,
         "difference": -10.0},
        {"level": "claim", "where": "segment 14 (CLP) claim C1", "expected": 190.0, "actual": 185.0,
         "difference": -5.0},
        {"level": "transaction", "where": "segment 3 (ST) trace TRC1", "expected": 185.0, "actual": 200.0,
         "difference": 15.0},
    ]


def test_plb_and_debit_in_the_transaction_balance() -> None:
    claim = clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30)))
    rem = remittance(claim, plb=[("WO", 200, "OVP")])  # pays 120 - 200 = -80: the provider owes
    assert rem.payment_cents == -8000
    debit = dataclasses.replace(rem, payment_cents=8000, credit_debit="D")
    assert list(check_remittance(debit)) == []
    assert [i.difference for i in check_remittance(dataclasses.replace(debit, credit_debit="C"))] == [16000]


def test_unbalanced_file_posts_with_warnings_but_strict_refuses_it(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    path = file_835(tmp_path, "off.835", unbalanced())
    before = list(services.conn.iterdump())
    strict = import_835(services.conn, path, user="t", strict=True)
    assert strict["status"] == "rejected"
    assert strict["error"].startswith("off.835: does not balance in 3 place(s), first segment 20 (SVC) "
                                      "of claim C1: line does not balance: expected $130.00, the file "
                                      "says $120.00 (difference -$10.00)")
    assert list(services.conn.iterdump()) == before
    loose = import_835(services.conn, path, user="t")
    assert loose["status"] == "imported" and loose["balanced"] is False
    assert [i["level"] for i in loose["imbalances"]] == ["line", "claim", "transaction"]
    assert any("transaction does not balance" in w for w in loose["warnings"])
    balanced = services.conn.execute("SELECT balanced FROM remittances").fetchone()[0]
    assert balanced == 0


def test_clp_segments_that_yield_no_claim_are_an_error(services: Services, tmp_path: Path) -> None:
    # CLPs inside a 277 set are not claims of an 835: the file posts nothing, and must say so.
    text = ISA + GS + "ST*277*0001~CLP*C1*1*225*180~CLP*C2*1*100*0~SE*4*0001~GE*1*1~IEA*1*000000001~"
    path = tmp_path / "odd.835"
    path.write_text(text)
    result = import_835(services.conn, path, user="t")
    assert result["status"] == "rejected"
    assert result["error"] == ("odd.835: holds 2 CLP segment(s) but no claim could be read from them; "
                               "nothing was imported")


def test_an_835_with_nothing_to_post_says_so(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "empty.835"
    path.write_text(ISA + GS + "ST*835*0001~SE*2*0001~GE*1*1~IEA*1*000000001~")
    result = import_835(services.conn, path, user="t")
    assert (result["status"], result["claims"], result["transactions"]) == ("imported", 0, [])
    assert any("nothing to post" in w for w in result["warnings"])
    assert import_835(services.conn, path, user="t")["status"] == "duplicate"


def test_a_file_that_cannot_be_read(services: Services, tmp_path: Path) -> None:
    result = import_835(services.conn, tmp_path / "missing.835", user="t")
    assert result["status"] == "rejected" and "cannot read" in result["error"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300),
                 st.text(alphabet="CLPSVCAS*~:0123456789.-\n", max_size=200).map(
                     lambda body: (ISA + GS + HEADER + body).encode())))
def test_any_bytes_import_or_are_rejected_and_a_rejection_changes_nothing(
        services: Services, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.835"
    path.write_bytes(data)
    before = list(services.conn.iterdump())
    result = import_835(services.conn, path, user="t")
    assert result["status"] in ("imported", "rejected", "duplicate")
    if result["status"] == "rejected":
        assert result["error"].startswith("fuzz.835: ")
        assert list(services.conn.iterdump()) == before
