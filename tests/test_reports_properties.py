"""Properties of the report calculators and the fee-schedule parser."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.errors import AssistantError
from assistant.importers.fee_schedule import parse_fee_schedule
from assistant.reports.adjudication import spread
from assistant.reports.common import Query, rate
from assistant.storage.reporting import LineRow


def line(pk: int, charge: int) -> LineRow:
    return LineRow(pk, 1, pk, "97110", ("GO",), 1.0, charge, date(2026, 9, 1), None)


@given(st.integers(min_value=0, max_value=10_000_000),
       st.lists(st.integers(min_value=0, max_value=1_000_000), min_size=1, max_size=8))
def test_spread_adds_up_and_follows_the_charges(cents: int, charges: list[int]) -> None:
    lines = [line(i, c) for i, c in enumerate(charges)]
    parts = spread(cents, lines)
    assert sum(p for _, p in parts) == cents
    total = sum(charges)
    for (ln, part) in parts:
        exact = cents * ln.charge_cents / total if total else cents / len(lines)
        assert abs(part - exact) < 1 + 1e-9


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_rate_never_divides_by_zero(numerator: int, denominator: int) -> None:
    value = rate(numerator, denominator)
    if denominator == 0:
        assert value is None
    else:
        assert value == round(100 * numerator / denominator, 1)
        if numerator <= denominator:
            assert 0 <= value <= 100


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
       st.one_of(st.none(), st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1))),
       st.one_of(st.none(), st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1))))
def test_period_membership(day: date, start: date | None, end: date | None) -> None:
    q = Query(today=date(2026, 11, 26), date_from=start, date_to=end)
    inside = (start is None or day >= start) and (end is None or day <= end)
    assert q.in_period(day) is inside
    assert q.in_period(None) is (start is None and end is None)


_CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_CELL, _CELL, _CELL, _CELL, _CELL, _CELL), max_size=4))
def test_fee_parser_accepts_or_names_the_problem(rows: list[tuple[str, ...]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["payer", "code", "modifier", "allowed", "effective_from", "effective_to"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fees.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            schedule = parse_fee_schedule(path)
        except AssistantError as exc:
            assert exc.message.startswith("fees.csv")
        else:
            for r in schedule.records:
                assert len(r.code) == 5 and 0 <= r.allowed_cents <= 10_000_000
                assert r.effective_to is None or r.effective_from is None or r.effective_to >= r.effective_from
