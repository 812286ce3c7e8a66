"""Keeping the stored ranking current: refresh after changes, daily re-keying, re-assessment."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from assistant import ranking
from assistant.errors import ConfigError
from assistant.ranking import deadline_phrase, parse_ranking, rank_value, ranking_data
from assistant.services import Services
from tests.builders import claim_record, post_denial, write
from tests.conftest import FIXTURES, TODAY
from tests.worklist_cases import MEDICARE_APPEAL_DAYS, ids, practice


def stored(svc: Services, claim_id: str) -> dict:  # type: ignore[type-arg]
    return dict(svc.conn.execute("SELECT * FROM claims WHERE claim_id = ?", (claim_id,)).fetchone())


def test_an_import_assesses_and_ranks_the_claims_it_wrote(services: Services) -> None:
    [result] = services.import_paths("837", [FIXTURES / "837" / "medicare_self.837"])
    assert result.status == "imported" and result.claim_pks
    for pk in result.claim_pks:
        row = services.conn.execute("SELECT * FROM claims WHERE pk = ?", (pk,)).fetchone()
        assert row["assessed_version"] == row["version"] and row["next_action"] is not None
        assert row["assessed_day"] == services.today.toordinal()


def test_a_change_made_without_the_hook_is_caught_by_its_version(services: Services) -> None:
    practice(services)
    write(services.conn, claim_record("LATE", account="A9", dos=TODAY - timedelta(days=50),
                                      submitted=TODAY - timedelta(days=48)))
    services.refresh_claims([stored(services, "LATE")["pk"]])
    assert stored(services, "LATE")["next_action"] == "call_payer"
    post_denial(services.conn, "LATE", "CO", "50", 225.0, remarks=("N115",), remit_date=TODAY - timedelta(days=2))
    assert stored(services, "LATE")["assessed_version"] != stored(services, "LATE")["version"]
    row = next(r for r in services.worklist("denials-medicare")["rows"] if r["claim_id"] == "LATE")
    assert row["category"] == "medical_necessity" and row["next_action"] == "appeal"


def test_the_refresh_does_not_bump_the_version(services: Services) -> None:
    practice(services)
    version = stored(services, "AUTH")["version"]
    services.refresh_claims([stored(services, "AUTH")["pk"]])
    services.ensure_ranking()
    assert stored(services, "AUTH")["version"] == version


def test_a_second_look_the_same_day_does_no_work(services: Services) -> None:
    practice(services)
    services.worklist()
    assert services.ensure_ranking() == {"reassessed": 0, "unranked": 0, "rekeyed": 0}


def test_a_new_day_rekeys_only_claims_near_a_deadline_or_a_follow_up(services: Services) -> None:
    practice(services)
    services.worklist()
    services.follow_up("PATIENT", TODAY + timedelta(days=1))
    nxt = Services(services.locations, today=TODAY + timedelta(days=1), user="tester")
    nxt._conn = services.conn
    done = nxt.ensure_ranking()
    # DEN-SOON, NORESP and AUTH have deadlines inside the 90-day horizon; PATIENT's follow-up came due.
    # DEN-LATER (deadline in 105 days) and FRESH (none) keep their keys.
    keyed = {r[0] for r in services.conn.execute(
        "SELECT claim_id FROM claims JOIN claim_ranks ON claim_pk = pk WHERE keyed_day = ?", (TODAY.toordinal() + 1,))}
    assert keyed == {"DEN-SOON", "NORESP", "AUTH", "PATIENT"} and done["reassessed"] == 0


def test_a_deadline_passing_is_reassessed_on_its_day(services: Services) -> None:
    practice(services)
    soon = stored(services, "DEN-SOON")
    assert soon["reassess_day"] == soon["deadline_day"] + 1
    after = Services(services.locations, today=TODAY + timedelta(days=10), user="tester")
    after._conn = services.conn
    assert after.ensure_ranking()["reassessed"] >= 1
    again = stored(services, "DEN-SOON")
    assert again["assessed_day"] == TODAY.toordinal() + 10
    # The redetermination window closed yesterday: a reopening (one year from the remittance)
    # comes first now, and the claim is looked at again the day after the next window closes
    # (timely filing, one year from the service, ends before the reopening year).
    remit = TODAY - timedelta(days=MEDICARE_APPEAL_DAYS - 9)
    service = TODAY - timedelta(days=MEDICARE_APPEAL_DAYS - 9 + 20)
    assert again["next_action"] == "reopening" and again["deadline"] == str(remit.replace(year=remit.year + 1))
    assert again["reassess_day"] == service.replace(year=service.year + 1).toordinal() + 1
    row = next(r for r in after.worklist(limit=None)["rows"] if r["claim_id"] == "DEN-SOON")
    assert "deadline passed" not in row["why"] and "reopening due in" in row["why"]
    [first, *_] = after.assess("DEN-SOON").actions
    passed = (remit + timedelta(days=MEDICARE_APPEAL_DAYS)).isoformat()
    assert f"the redetermination deadline passed on {passed}" in first.reason


def test_a_new_playbook_reassesses_every_open_claim(services: Services) -> None:
    practice(services)
    assert stored(services, "FRESH")["next_action"] == "wait"
    services.locations.config.mkdir(parents=True, exist_ok=True)
    (services.locations.config / "playbook.toml").write_text("[settings]\nno_response_days = { default = 3 }\n")
    done = services.ensure_ranking()
    assert done["reassessed"] == 6  # every claim with a balance; PAID is not looked at again
    assert stored(services, "FRESH")["next_action"] == "call_payer"
    assert "FRESH" in ids(services.worklist(limit=None))


def test_claims_never_assessed_and_not_open_are_left_out_without_the_rules(services: Services) -> None:
    write(services.conn, claim_record("NEW1", dos=TODAY - timedelta(days=3)))
    services.conn.execute("UPDATE claims SET balance_cents = 0, payer_status = 'paid'")
    done = services.ensure_ranking()
    assert done == {"reassessed": 0, "unranked": 1, "rekeyed": 0}


def test_rank_value_is_log_dollars_expected_back() -> None:
    assert rank_value(22500, 0.51) == pytest.approx(math.log10(114.75))
    assert rank_value(50, 0.5) == 0.0  # at least $1
    assert rank_value(0, 0.9) is None and rank_value(22500, 0.0) is None


def test_recoverability_by_category_payer_kind_and_action() -> None:
    data = ranking_data()
    assert data.share("medical_necessity", "appeal", "medicare") == 0.51
    assert data.share("medical_necessity", "appeal", "medicare_advantage") == 0.75
    assert data.share(None, "call_payer", "commercial") == data.shares["none"]
    assert data.share("coding", "write_off", "medicare") == 0.01
    assert data.share("contractual", "call_payer", "commercial") == 0.0


def test_a_claim_with_nothing_left_to_file_keeps_a_tenth_of_its_share() -> None:
    data = ranking_data()
    assert data.share("medical_necessity", "call_payer", "commercial", closed=True) == pytest.approx(0.051)
    assert data.share("medical_necessity", "call_payer", "commercial") == 0.51
    assert data.share("medical_necessity", "write_off", "commercial", closed=True) == 0.01  # the action says it


def test_claims_whose_windows_have_all_closed_sink_below_recoverable_work(services: Services) -> None:
    # The same CO-50 denial of the same day, answered 178 days ago: at Aetna the appeal window
    # (60 days) has closed and only a call and a write-off are left; at Medicare the reopening
    # year is still open. Before the discount both ranked on medical necessity's 0.51.
    dos, remit = TODAY - timedelta(days=190), TODAY - timedelta(days=178)
    write(services.conn, claim_record("CLOSED", payer="Aetna", dos=dos),
          claim_record("REOPEN", account="A2", dos=dos))
    for claim_id in ("CLOSED", "REOPEN"):
        post_denial(services.conn, claim_id, "CO", "50", 225.0, remit_date=remit)
    services.refresh_claims([pk for (pk,) in services.conn.execute("SELECT pk FROM claims")])
    closed, reopen = stored(services, "CLOSED"), stored(services, "REOPEN")
    assert (closed["next_action"], closed["deadline_kind"], closed["deadline"]) == ("call_payer", "closed", None)
    assert reopen["next_action"] == "reopening" and reopen["deadline_kind"] == "reopening"
    assert closed["rank_value"] == pytest.approx(reopen["rank_value"] - 1)  # a tenth of the dollars
    rows = {row["claim_id"]: row for row in services.worklist(limit=None)["rows"]}
    assert [row["claim_id"] for row in services.worklist(limit=None)["rows"]] == ["REOPEN", "CLOSED"]
    assert rows["REOPEN"]["score"] - rows["CLOSED"]["score"] == pytest.approx(10, abs=0.05)
    assert rows["CLOSED"]["recoverability"] == pytest.approx(0.051)
    assert "every filing window closed" in rows["CLOSED"]["why"]
    assert rows["REOPEN"]["recoverability"] == 0.51


def test_every_ranking_entry_names_its_source() -> None:
    import tomllib

    from assistant.paths import package_data

    raw = tomllib.loads(package_data("ranking.toml").read_text())
    tables = [raw["weights"], raw["tickler"], raw["recoverability_when_closed"], *raw["recoverability"].values(),
              *raw["recoverability_by_action"].values()]
    assert all(table.get("source") for table in tables)


@pytest.mark.parametrize(("raw", "message"), [
    ({"recoverability": {"none": {"share": 1.5}}}, "share must be a number from 0 to 1"),
    ({"recoverability": {"nonsense": {"share": 0.5}}}, "not a category"),
    ({"recoverability": {}}, "[recoverability.none] is missing"),
    ({"weights": {"money": -1}, "recoverability": {"none": {"share": 1}}}, "money must be a number of 0 or more"),
])
def test_ranking_data_errors_are_located(raw: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError, match=r"ranking\.toml") as caught:
        parse_ranking(raw, "ranking.toml")
    assert message in str(caught.value)


@pytest.mark.parametrize(("kind", "days", "text"), [
    ("appeal_level_1", 9, "appeal due in 9 days"),
    ("appeal_level_2", 1, "level 2 appeal due in 1 day"),
    ("timely_filing", 0, "timely filing ends today"),
    ("reopening", 30, "reopening due in 30 days"),
    ("appeal_level_1", -3, "appeal deadline passed 3 days ago"),
    (None, 4, "deadline due in 4 days"),
])
def test_deadline_phrases(kind: str | None, days: int, text: str) -> None:
    assert deadline_phrase(kind, days) == text


def test_the_score_sql_matches_the_documented_formula(services: Services) -> None:
    practice(services)
    w = ranking_data().weights
    row = stored(services, "DEN-SOON")
    day = TODAY.toordinal()
    left = row["deadline_day"] - day
    expected = (w.money * row["rank_value"] + w.age * (day - row["dos_from_day"])
                + w.silence * (day - row["last_remit_day"])
                + w.deadline * (1 - left / w.deadline_horizon_days) ** 2)
    assert row["score"] == pytest.approx(expected)
    key = services.conn.execute("SELECT rank_key FROM claim_ranks WHERE claim_pk = ?", (row["pk"],)).fetchone()[0]
    assert key == pytest.approx(expected - w.drift * day)
    assert ranking.component_sql()["money"] == ":w_money * c.rank_value"


def test_notes_reassess_their_patients_open_claims_and_settings_all_of_them(services: Services) -> None:
    write(services.conn, claim_record("MINE", account="A1001", dos=TODAY - timedelta(days=40)),
          claim_record("OTHER", account="A2002", dos=TODAY - timedelta(days=40)))
    services.refresh_claims([1, 2])
    later = Services(services.locations, today=TODAY + timedelta(days=1), user="tester")
    later._conn = services.conn
    [result] = later.import_paths("notes", [FIXTURES / "notes" / "daily_front_matter.md"])
    assert result.status == "imported"
    assert stored(services, "MINE")["assessed_day"] == TODAY.toordinal() + 1  # A1001's note
    assert stored(services, "OTHER")["assessed_day"] == TODAY.toordinal()
    settings = services.locations.config / "practice.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('[[payers]]\nname = "Aetna"\nkind = "commercial"\ntimely_filing_days = 120\n')
    [result] = later.import_paths("settings", [settings])
    assert result.status == "imported", result.error
    assert {stored(services, c)["assessed_version"] for c in ("MINE", "OTHER")} == {None}
    assert later.ensure_ranking()["reassessed"] == 2


def test_the_rules_ignore_follow_up_dates_and_assignees(services: Services) -> None:
    """Changing only these re-keys a claim without the rules (ranking.RULES_IGNORE): if the
    rules ever read them, this fails and the shortcut must go."""
    practice(services)
    before = {c: services.assess(c) for c in ("DEN-SOON", "NORESP", "FRESH")}
    for c in before:
        services.assign(c, "jlee")
        services.follow_up(c, TODAY + timedelta(days=3))
        assert services.assess(c) == before[c]
        row = stored(services, c)
        assert row["assessed_version"] == row["version"]
    assert {"follow_up_date", "assignee"} == ranking.RULES_IGNORE


def test_an_835_import_reassesses_the_claims_it_posted_to(services: Services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.remit_builders import clp, file_835, remittance, svc

    write(services.conn, claim_record("C1", dos=TODAY - timedelta(days=40), submitted=TODAY - timedelta(days=38)))
    services.refresh_claims([stored(services, "C1")["pk"]])
    assert stored(services, "C1")["next_action"] == "call_payer"
    denial = clp("C1", "1", svc("97530", 150, 0, ("CO", "50", 150), day=TODAY - timedelta(days=40), remarks=("N115",)),
                 svc("97110", 75, 0, ("CO", "50", 75), day=TODAY - timedelta(days=40)))
    (result,) = services.import_835([file_835(tmp_path, "era.835", remittance(denial))])
    assert result["status"] == "imported", result["error"]
    row = stored(services, "C1")
    assert row["assessed_version"] == row["version"]
    assert (row["category"], row["next_action"], row["codes"].split()[0]) == ("medical_necessity", "appeal", "CO-50")
