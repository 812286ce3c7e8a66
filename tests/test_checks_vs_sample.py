"""`check --all` on the sample finds the errors the sample planted, and nothing on a clean claim.

Two small samples (600 claims each, fixed seeds, built through the real importers) between
them plant every kind of claim error; `Services.check(None)` is what `check --all` prints.
A kind is found on a claim when its rule reports an error or a warning there.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.paths import Locations, bundled
from assistant.sample import build_sample
from assistant.services import Services
from tests.conftest import TODAY

CLAIMS = 600
SEEDS = (20261126, 7)  # the default practice, and one whose plans go uncertified and authorizations lapse

# The rule that finds each kind of planted claim error.
RULE_OF = {
    "units_8_minute": "eight-minute-units",
    "missing_go": "discipline-modifier",
    "gp_instead_of_go": "discipline-modifier",
    "co_missing": "assistant-modifier",
    "kx_missing": "kx-threshold",
    "ncci_97530_97140_no_modifier": "ncci-pair",
    "medicare_97014": "medicare-invalid-code",
    "addon_without_base": "add-on-without-base",
    "poc_lapsed": "plan-of-care",
    "poc_uncertified": "plan-of-care",
    "progress_report_missing": "progress-report",
    "auth_exhausted": "authorization",
    "auth_expired": "authorization",
    "late_submission": "timely-filing",
    "invalid_icd10": "icd10-format",
    "duplicate_submission": "duplicate-claim",
}
# Payer-side outcomes, not errors in the claim as sent: nothing on the claim can show them
# (coverage ended, another payer on file, a reviewer's judgement, a lost claim, a later
# reversal or recoupment). They are worked from the payer's answer, not found by a check.
EVENTS = {"coverage_terminated", "other_payer_primary", "medical_necessity_review", "claim_lost",
          "reversal", "recoupment"}
# A claim the payer denied, or never answered, nears or passes its filing limit whatever was
# planted in it: that deadline is real on any such claim.
DEADLINE_RULE = "timely-filing"


@dataclass(frozen=True)
class Checked:
    planted: dict[str, list[str]]  # claim id -> kinds planted
    fired: dict[str, set[str]]  # claim id -> rules that reported an error or a warning
    statuses: dict[str, str]  # claim id -> payer status


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Checked]:
    out = {}
    for seed in SEEDS:
        folder = tmp_path_factory.mktemp(f"sample-{seed}")
        locations = Locations(db=folder / "ar.db", config=folder / "config")
        summary = build_sample(locations, today=TODAY, claims=CLAIMS, seed=seed, user="tester")
        planted = json.loads((Path(str(summary["sources"])) / "planted.json").read_text())
        svc = Services(locations, today=TODAY, user="tester")
        try:
            report = svc.check(None)
            statuses = dict(svc.conn.execute("SELECT claim_id, payer_status FROM claims").fetchall())
        finally:
            svc.close()
        assert report["checked"] == CLAIMS
        fired: dict[str, set[str]] = defaultdict(set)
        for result in report["results"]:
            fired[result["claim_id"]] |= {f["rule"] for f in result["findings"] if f["severity"] != "info"}
        out[seed] = Checked(planted, fired, statuses)
    return out


def test_every_planted_kind_is_a_claim_error_or_a_payer_event() -> None:
    raw = tomllib.loads((bundled("sample_db") / "errors.toml").read_text())
    assert set(raw["errors"]) == set(RULE_OF)
    assert set(raw["events"]) == EVENTS


def test_the_samples_plant_every_kind_of_claim_error(samples: dict[int, Checked]) -> None:
    """Recall is shown only for kinds that are planted: between them the samples plant all."""
    planted = {kind for s in samples.values() for kinds in s.planted.values() for kind in kinds}
    assert set(RULE_OF) <= planted


@pytest.mark.parametrize("seed", SEEDS)
def test_every_planted_claim_error_is_found(samples: dict[int, Checked], seed: int) -> None:
    s = samples[seed]
    missed = {(claim_id, kind) for claim_id, kinds in s.planted.items() for kind in kinds
              if kind in RULE_OF and RULE_OF[kind] not in s.fired[claim_id]}
    assert not missed
    assert sum(1 for kinds in s.planted.values() if set(kinds) & set(RULE_OF)) > 50


@pytest.mark.parametrize("seed", SEEDS)
def test_no_check_fires_on_a_clean_claim(samples: dict[int, Checked], seed: int) -> None:
    s = samples[seed]
    clean = set(s.statuses) - set(s.planted)
    assert len(clean) > CLAIMS * 0.75
    assert {claim_id: s.fired[claim_id] for claim_id in clean if s.fired[claim_id]} == {}


@pytest.mark.parametrize("seed", SEEDS)
def test_a_planted_claim_trips_only_the_rules_of_what_was_planted(samples: dict[int, Checked],
                                                                  seed: int) -> None:
    s = samples[seed]
    stray = {}
    for claim_id, kinds in s.planted.items():
        expected = {RULE_OF[kind] for kind in kinds if kind in RULE_OF}
        if s.statuses[claim_id] in ("denied", "submitted"):
            expected.add(DEADLINE_RULE)
        if s.fired[claim_id] - expected:
            stray[claim_id] = (kinds, s.statuses[claim_id], s.fired[claim_id] - expected)
    assert stray == {}
