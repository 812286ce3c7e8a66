"""write_835: valid 005010X221A1 that balances, and read_835 gives the same records back."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.remit.balance import check_remittance
from assistant.remit.reader import read_835
from assistant.remit.records import AdjustmentRecord, ClaimPaymentRecord, RemittanceRecord
from tests.remit_builders import clp, remittance, svc, text_835


def without_positions(value: Any) -> Any:
    """Records with `segment` and `warnings` cleared (they depend on where the writer put things)."""
    if isinstance(value, tuple):
        return tuple(without_positions(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: without_positions(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if "segment" in changes:
            changes["segment"] = 0
        if "warnings" in changes:
            changes["warnings"] = ()
        if isinstance(value, RemittanceRecord):
            changes["control_number"] = None  # ST02 is the writer's to number
        return dataclasses.replace(value, **changes)
    return value


def rich_remittances() -> list[RemittanceRecord]:
    paid = clp("C1", "1", svc("97530", 150, 100, ("CO", "45", 30), ("PR", "2", 20), control="C1-1",
                              remarks=("N670",)),
               svc("97110", 75, 0, ("CO", "97", 75), original="97140", units="1.5"),
               remarks=["MA01"])
    denied = clp("C2", "4", svc("97165", 100, 0, ("CO", "50", 100)), remarks=["N115"],
                 number="ICN2", last="CHEN", first="LI", member="M2")
    whole_claim = clp("C6", "4", adjustments=[("CO", "29", 90)], charge=90, number="ICN6")
    reversal = clp("C3", "22", svc("97535", -80, -64, ("CO", "45", -16), units="-2"), number="ICN3")
    crossover = dataclasses.replace(
        clp("C4", "19", svc("97530", 150, 96, ("CO", "45", 30), ("PR", "2", 24)), number="ICN4"),
        crossover_payer="AARP MEDIGAP", crossover_payer_id="36273")
    inpatient = dataclasses.replace(clp("C5", "1", svc("97112", 60, 48, ("CO", "45", 12))),
                                    remarks=("MA130", "N20"), remarks_from="MIA")
    plb = [("WO", 1.25, f"REF{i}") for i in range(5)] + [("L6", -0.75, None)]
    first = remittance(paid, denied, reversal, whole_claim, trace="TRC1", plb=plb)
    second = remittance(crossover, inpatient, trace="TRC2", payer="AETNA", payer_id="60054")
    return [first, second]


def test_round_trip_gives_the_same_records() -> None:
    records = rich_remittances()
    back = read_835(text_835(*records).encode(), "rt.835")
    assert back.all_warnings == []
    assert [without_positions(r) for r in back.remittances] == [without_positions(r) for r in records]


def test_what_the_writer_writes_balances_at_every_level() -> None:
    back = read_835(text_835(*rich_remittances()).encode(), "rt.835")
    assert [list(check_remittance(r)) for r in back.remittances] == [[], []]


def test_pyx12_accepts_the_output(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    from assistant.remit.validate import validate_835

    path = tmp_path / "written.835"
    path.write_text(text_835(*rich_remittances()))
    report = validate_835(path)
    assert report["findings"] == [] and report["valid"] is True


def test_more_than_six_provider_adjustments_take_several_plb_segments() -> None:
    # The guide allows PLB to repeat; pyx12 4.0.0 counts a second PLB as a second footer loop.
    record = remittance(clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30))),
                        plb=[("WO", 1, f"R{i}") for i in range(8)])
    text = text_835(record)
    assert text.count("PLB*") == 2
    (back,) = read_835(text.encode(), "plb.835").remittances
    assert back.provider_adjustments == record.provider_adjustments


def test_delimiters_inside_values_are_refused() -> None:
    bad = dataclasses.replace(clp("C~1", "1", svc("97530", 150, 120, ("CO", "45", 30))))
    with pytest.raises(ValueError, match="delimiter"):
        text_835(remittance(bad))


_CODES = st.sampled_from(["97110", "97112", "97140", "97530", "97535", "97165", "G0283"])
_MONEY = st.integers(min_value=0, max_value=500_000)


@st.composite
def _claims(draw: st.DrawFn) -> ClaimPaymentRecord:
    services = []
    for _ in range(draw(st.integers(1, 4))):
        charge = draw(_MONEY)
        reasons = draw(st.lists(st.sampled_from([("CO", "45"), ("PR", "2"), ("CO", "50"), ("OA", "23")]),
                                max_size=3, unique=True))
        adjustments = tuple(  # grouped by group code, as the writer writes CAS
            AdjustmentRecord(g, r, draw(st.integers(0, charge))) for g, r in sorted(reasons))
        services.append(dataclasses.replace(
            svc(draw(_CODES), 0, 0, day=date(2026, 1, 1) + (draw(st.integers(0, 300)) * date.resolution),
                units=str(draw(st.decimals(min_value=Decimal("0.5"), max_value=Decimal(8), places=1)))),
            charge_cents=charge, paid_cents=charge - sum(a.amount_cents for a in adjustments),
            adjustments=adjustments))
    return clp(f"C{draw(st.integers(1, 10**6))}", draw(st.sampled_from(["1", "2", "4", "19", "22"])),
               *services)


@settings(max_examples=60, deadline=None)
@given(st.lists(_claims(), min_size=1, max_size=5))
def test_round_trip_of_any_balanced_remittance(claims: list[ClaimPaymentRecord]) -> None:
    record = remittance(*claims)
    back = read_835(text_835(record).encode(), "rt.835")
    (read_back,) = back.remittances
    assert without_positions(read_back) == without_positions(record)
    assert list(check_remittance(read_back)) == []
