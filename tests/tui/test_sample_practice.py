"""The app on the synthetic sample practice: the banner, a ranked day of work, a claim, the palette."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from assistant.paths import Locations
from assistant.services import Services
from assistant.tui.app import ArApp
from assistant.tui.screens.claim import ClaimScreen
from assistant.tui.screens.worklist import WorklistScreen
from assistant.tui.widgets.ranked_table import RankedTable
from tests.conftest import TODAY
from tests.tui.conftest import drive, settle


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    svc = Services(Locations(db=folder / "ar.db", config=folder / "config"), today=TODAY, user="tester")
    svc.build_sample(claims=150, seed=7)
    svc.close()
    return folder / "ar.db"


@pytest.fixture
def sample(sample_db: Path) -> Iterator[Services]:
    svc = Services(Locations(db=sample_db, config=sample_db.parent / "config"), today=TODAY, user="tester")
    yield svc
    svc.close()


def test_the_sample_opens_with_its_banner_and_a_ranked_day(sample: Services) -> None:
    async def scenario(app: ArApp, pilot: Pilot[None]) -> None:
        screen = app.screen
        assert isinstance(screen, WorklistScreen) and screen.has_class("-sample")
        assert screen.query_one("#banner").display
        table = screen.query_one(RankedTable)
        total = sample.worklist(None, limit=1)["total_claims"]
        assert table.total == total > 0
        ranks = [table.row(i)["rank"] for i in range(min(total, 20))]  # type: ignore[index]
        assert ranks == list(range(1, len(ranks) + 1))
        top = table.current
        assert top is not None and top["why"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen) and app.screen.claim_id == top["claim_id"]
        assert app.screen.has_class("-sample") and app.screen.query_one("#banner").display
        await pilot.press("escape")
        await settle(pilot)
        assert table.current is not None and table.current["claim_id"] == top["claim_id"]

    drive(sample, scenario)
