"""The dashboard: key figures, aging and denials drawn from the reports."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from assistant.services import Services
from assistant.tui.app import ArApp
from assistant.tui.screens.dashboard import DashboardScreen, Figure, money_ticks, value_text
from assistant.tui.screens.worklist import WorklistScreen
from tests.tui.conftest import drive, settle


def test_dashboard_shows_figures_aging_and_denials(practice_services: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert "$1,125.00" in str(screen.query_one("#kpi-ar_balance", Figure).render())
        await pilot.press("2")
        await settle(pilot)
        aging = screen.query_one("#table-aging", DataTable)
        payers = [aging.get_row_at(i)[0] for i in range(aging.row_count)]
        assert set(payers) == {"Medicare Part B", "Aetna", "Blue Cross Blue Shield"}
        await pilot.press("3")
        await settle(pilot)
        categories = screen.query_one("#table-categories", DataTable)
        names = {categories.get_row_at(i)[0] for i in range(categories.row_count)}
        assert {"medical necessity", "authorization"} <= names
        assert "2" in str(screen.query_one("#denial-figures", Static).render())
        await pilot.press("escape")
        assert isinstance(app.screen, WorklistScreen)

    drive(practice_services, scenario)


def test_values_read_as_money_rates_days_and_dashes() -> None:
    assert value_text(1240.5, "money") == "$1,240.50"
    assert value_text(12.34, "rate") == "12.3%"
    assert value_text(45.0, "days") == "45 days"
    assert value_text(1234, "count") == "1,234"
    assert value_text(None, "rate") == "-"


@given(st.lists(st.floats(min_value=0, max_value=5e7, allow_nan=False), min_size=1, max_size=12))
def test_money_axis_ticks_are_round_and_reach_past_the_largest_bar(values: list[float]) -> None:
    ticks, labels = money_ticks(values)
    assert ticks[0] == 0 and ticks[-1] >= max(values) and len(ticks) <= 6
    assert ticks == sorted(set(ticks)) and all(label.startswith("$") for label in labels)


def test_money_axis_labels_read_as_money() -> None:
    assert money_ticks([49710.8, 12000.0]) == ([0, 20000, 40000, 60000], ["$0", "$20k", "$40k", "$60k"])
    assert money_ticks([3.2e6])[1][-1] == "$4M"
