"""AR aging: buckets by days since service, in money and counts, overall and by payer."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from assistant.errors import NotFound
from assistant.services import Services
from tests.builders import claim_record, write
from tests.conftest import TODAY
from tests.worklist_cases import practice

LABELS = ["0-30", "31-60", "61-90", "91-120", "120+"]


def bucket_of(age: int) -> str:
    for label, end in zip(LABELS, (30, 60, 90, 120), strict=False):
        if age <= end:
            return label
    return "120+"


def test_buckets_split_at_their_edges(services: Services) -> None:
    ages = [0, 30, 31, 60, 61, 90, 91, 120, 121, 400, -3]
    write(services.conn, *[claim_record(f"E{age}", account=f"A{i}", dos=TODAY - timedelta(days=age))
                           for i, age in enumerate(ages)])
    data = services.aging()
    counts = {b["label"]: b["claims"] for b in data["buckets"]}
    assert counts == {"0-30": 3, "31-60": 2, "61-90": 2, "91-120": 2, "120+": 2}
    assert [b["label"] for b in data["buckets"]] == LABELS


def test_buckets_add_up_to_the_balances_above_zero_by_payer(services: Services) -> None:
    rng = random.Random(7)
    payers = ["Medicare Part B", "Aetna", "Blue Cross Blue Shield"]
    records, expected = [], {}
    for i in range(60):
        age, payer = rng.randint(0, 200), rng.choice(payers)
        charge = rng.randint(1, 90000) / 100
        records.append(claim_record(f"R{i}", account=f"A{i}", payer=payer, dos=TODAY - timedelta(days=age),
                                    lines=(("97530", ("GO",), 1, charge),)))
        expected[f"R{i}"] = (payer, bucket_of(age), round(charge * 100))
    write(services.conn, *records)
    # Paid, credit and zero balances are not AR.
    services.conn.execute("UPDATE claims SET balance_cents = 0 WHERE claim_id IN ('R0', 'R1')")
    services.conn.execute("UPDATE claims SET balance_cents = -500 WHERE claim_id = 'R2'")
    for gone in ("R0", "R1", "R2"):
        expected.pop(gone)
    data = services.aging()
    cents = {label: 0 for label in LABELS}
    for _, label, amount in expected.values():
        cents[label] += amount
    assert {b["label"]: b["balance"] for b in data["buckets"]} == {k: v / 100 for k, v in cents.items()}
    assert data["total_claims"] == len(expected) == sum(b["claims"] for b in data["buckets"])
    assert data["total_balance"] == sum(cents.values()) / 100
    assert sum(round(b["balance"] * 100) for b in data["buckets"]) == round(data["total_balance"] * 100)
    for row in data["by_payer"]:
        mine = [v for v in expected.values() if v[0] == row["payer"]]
        assert row["total_claims"] == len(mine) == sum(b["claims"] for b in row["buckets"])
        assert round(row["total_balance"] * 100) == sum(v[2] for v in mine)
    totals = [row["total_balance"] for row in data["by_payer"]]
    assert totals == sorted(totals, reverse=True)


def test_one_payer_and_its_shape(services: Services) -> None:
    practice(services)
    data = services.aging("medicare")
    assert data["payer"] == "Medicare Part B" and [p["payer"] for p in data["by_payer"]] == ["Medicare Part B"]
    assert set(data) == {"today", "payer", "buckets", "by_payer", "total_balance", "total_claims"}
    assert set(data["buckets"][0]) == {"label", "balance", "claims"}
    assert data["total_claims"] == 3  # DEN-SOON, DEN-LATER, FRESH; PAID owes nothing
    with pytest.raises(NotFound, match="no payer 'Acme'"):
        services.aging("Acme")


def test_a_write_off_leaves_the_aging(services: Services) -> None:
    practice(services)
    before = services.aging()["total_balance"]
    services.set_status("AUTH", "written_off", reason="authorization never obtained")
    assert services.aging()["total_balance"] == pytest.approx(before - 600)
