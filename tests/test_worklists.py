"""Worklists: ranking with components and `why`, the shipped lists' filters, user lists, errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from assistant import worklists
from assistant.errors import ConfigError, NotFound
from assistant.paths import Locations
from assistant.services import Services
from assistant.worklists import load_worklists
from tests.builders import claim_record, write
from tests.conftest import TODAY
from tests.worklist_cases import ids, practice

SHIPPED = ["today", "deadline-7-days", "denials-medicare", "high-dollar", "no-response-30", "patient-balance"]


@pytest.fixture
def svc(services: Services) -> Services:
    practice(services)
    return services


def on(svc: Services, days: int) -> Services:
    """The same database seen `days` after TODAY (negative: before)."""
    other = Services(svc.locations, today=TODAY + timedelta(days=days), user=svc.user)
    other._conn = svc.conn
    return other


def user_list(svc: Services, name: str, text: str) -> Path:
    folder = svc.locations.config / "worklists"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- ranking


def test_today_is_ordered_by_score_with_components_and_a_why_on_every_row(svc: Services) -> None:
    data = svc.worklist(limit=None)
    assert data["worklist"] == "today" and data["today"] == TODAY.isoformat()
    assert ids(data) == ["DEN-SOON", "NORESP", "AUTH", "DEN-LATER"]
    assert data["total_claims"] == 4 and data["total_balance"] == 225 + 1500 + 600 + 225
    scores = [row["score"] for row in data["rows"]]
    assert scores == sorted(scores, reverse=True)
    for rank, row in enumerate(data["rows"], 1):
        assert row["rank"] == rank
        assert set(row["components"]) == {"money", "age", "silence", "deadline", "follow_up"}
        assert row["score"] == pytest.approx(sum(row["components"].values()), abs=0.03)
        assert row["why"].startswith("$") and f" - {row['age_days']} days" in row["why"]
    first = data["rows"][0]
    assert first["why"] == "$225 - 136 days - appeal due in 9 days - CO-50 medical necessity"
    assert (first["codes"], first["category"], first["next_action"]) == (["CO-50", "N115"], "medical_necessity",
                                                                         "appeal")
    assert (first["days_left"], first["deadline_kind"], first["recoverability"]) == (9, "appeal_level_1", 0.51)
    noresp = data["rows"][1]
    assert noresp["why"] == "$1,500 - 47 days - timely filing ends in 43 days - no answer in 45 days"


def test_a_near_deadline_outranks_more_money_and_the_same_claim_without_one(svc: Services) -> None:
    rows = {row["claim_id"]: row for row in svc.worklist(limit=None)["rows"]}
    soon, later, big = rows["DEN-SOON"], rows["DEN-LATER"], rows["NORESP"]
    assert soon["components"]["money"] == later["components"]["money"]
    assert soon["components"]["deadline"] > 30 and later["components"]["deadline"] == 0  # 105 days: beyond the horizon
    assert soon["score"] > big["score"] and big["balance"] > 6 * soon["balance"]


def test_claims_that_are_not_work_are_never_ranked(svc: Services) -> None:
    everything = svc.conn.execute(
        "SELECT claim_id, rank_value, r.rank_key FROM claims c LEFT JOIN claim_ranks r ON r.claim_pk = c.pk"
    ).fetchall()
    unranked = {claim_id for claim_id, value, key in everything if key is None}
    assert unranked == {"PAID"} == {claim_id for claim_id, value, _ in everything if value is None}
    today = ids(svc.worklist(limit=None))
    assert "FRESH" not in today  # waiting on the payer, nothing to do yet
    assert "PATIENT" not in today  # patient billing's work


def test_the_stored_ranking_equals_scoring_every_claim_on_any_day(svc: Services) -> None:
    """The rank-key index (re-keyed only in the deadline and follow-up windows) orders claims
    exactly as scoring every claim afresh does, day after day, forwards and back."""
    user_list(svc, "fresh-scores", 'extends = "today"\n[filter]\ninclude_snoozed = true\n'
                                   "due = false\n[weights]\nmoney = 10.0\n")
    user_list(svc, "stored", 'extends = "today"\n[filter]\ninclude_snoozed = true\ndue = false\n')
    svc.follow_up("DEN-LATER", TODAY + timedelta(days=3))
    svc.follow_up("AUTH", TODAY + timedelta(days=40))
    for days in (0, 1, 2, 5, 9, 10, 11, 20, 33, 45, 44, 60, 90, 3, -2, 130, 7):
        seen = on(svc, days)
        stored = seen.worklist("stored", limit=None)["rows"]
        fresh = seen.worklist("fresh-scores", limit=None)["rows"]
        assert [r["claim_id"] for r in stored] == [r["claim_id"] for r in fresh], days
        assert [r["score"] for r in stored] == pytest.approx([r["score"] for r in fresh], abs=1e-6), days
        assert [r["score"] for r in stored] == sorted((r["score"] for r in stored), reverse=True), days


def test_paging(svc: Services) -> None:
    first = svc.worklist(limit=2)
    second = svc.worklist(limit=2, offset=2)
    assert first["has_more"] and not second["has_more"]
    assert [r["rank"] for r in second["rows"]] == [3, 4]
    assert ids(first) + ids(second) == ids(svc.worklist(limit=None))


def test_an_unknown_worklist_says_which_exist(svc: Services) -> None:
    with pytest.raises(NotFound, match=r"no worklist 'nope'.*today"):
        svc.worklist("nope")


# --------------------------------------------------------------------------- the shipped lists


def test_every_shipped_list_is_there_with_today_first(svc: Services) -> None:
    names = [w["name"] for w in svc.worklists()]
    assert names[0] == "today" and sorted(names) == sorted(SHIPPED)
    assert all(w["origin"] == "shipped" and w["description"] for w in svc.worklists())


def test_deadline_7_days(svc: Services) -> None:
    assert ids(svc.worklist("deadline-7-days")) == []
    two_days_on = on(svc, 2)
    assert ids(two_days_on.worklist("deadline-7-days")) == ["DEN-SOON"]
    assert two_days_on.worklist("deadline-7-days")["rows"][0]["days_left"] == 7
    svc.follow_up("DEN-SOON", TODAY + timedelta(days=20))  # snoozed, but a deadline does not wait
    assert ids(two_days_on.worklist("deadline-7-days")) == ["DEN-SOON"]
    assert "DEN-SOON" not in ids(two_days_on.worklist())


def test_denials_medicare(svc: Services) -> None:
    data = svc.worklist("denials-medicare")
    assert ids(data) == ["DEN-SOON", "DEN-LATER"]  # AUTH is an Aetna denial
    assert all(row["payer_kind"] == "medicare" and row["payer_status"] == "denied" for row in data["rows"])


def test_no_response_30_and_the_day_a_sent_claim_goes_unanswered(svc: Services) -> None:
    assert ids(svc.worklist("no-response-30")) == ["NORESP"]
    # FRESH was sent 5 days ago: after 30 days in processing the rules say "call the payer".
    before, after = on(svc, 25), on(svc, 26)
    assert "FRESH" not in ids(before.worklist(limit=None))
    row = next(r for r in after.worklist(limit=None)["rows"] if r["claim_id"] == "FRESH")
    assert row["next_action"] == "call_payer" and "no answer in 31 days" in row["why"]
    assert ids(on(svc, 30).worklist("no-response-30")) == ["NORESP", "FRESH"]


def test_high_dollar(svc: Services) -> None:
    data = svc.worklist("high-dollar")
    assert ids(data) == ["NORESP", "AUTH"]  # largest first, $500 and up
    assert [row["balance"] for row in data["rows"]] == [1500.0, 600.0]


def test_patient_balance(svc: Services) -> None:
    data = svc.worklist("patient-balance")
    assert ids(data) == ["PATIENT"]
    row = data["rows"][0]
    assert row["next_action"] == "bill_patient" and row["balance"] == 40.0
    assert row["why"] == "$40 - 60 days - PR-2 patient responsibility - to patient billing"


# --------------------------------------------------------------------------- the user's lists


def test_a_user_list_with_the_same_name_replaces_the_shipped_one(svc: Services) -> None:
    path = user_list(svc, "my-today", 'name = "today"\ndescription = "Only Aetna"\n'
                                      '[filter]\npayers = ["Aetna"]\n')
    lists = {w["name"]: w for w in svc.worklists()}
    assert lists["today"]["origin"] == "user" and lists["today"]["file"] == str(path)
    assert ids(svc.worklist(limit=None)) == ["NORESP", "AUTH"]


def test_a_user_list_extends_another_and_changes_only_what_it_sets(svc: Services) -> None:
    user_list(svc, "today-aetna", 'extends = "today"\ndescription = "Today at Aetna"\n'
                                  '[filter]\npayer_kinds = ["commercial"]\n[weights]\ndeadline = 0\n')
    lists = {w["name"]: w for w in svc.worklists()}
    assert list(lists)[-1] == "today-aetna" and lists["today-aetna"]["filter"]["due"] is True
    data = svc.worklist("today-aetna")
    assert ids(data) == ["NORESP", "AUTH"]
    assert all(row["components"]["deadline"] == 0 for row in data["rows"])
    assert ids(svc.worklist(limit=None))[0] == "DEN-SOON"  # the shipped today is unchanged


def test_extending_a_list_by_its_own_name_tunes_the_shipped_one(svc: Services) -> None:
    user_list(svc, "today", 'extends = "today"\n[weights]\nmoney = 30\n')
    assert ids(svc.worklist(limit=None))[0] == "NORESP"  # money now outweighs the deadline
    lists = {w["name"]: w for w in svc.worklists()}
    assert lists["today"]["weights"]["money"] == 30 and lists["today"]["weights"]["deadline"] == 40


def test_a_user_list_can_hide_a_shipped_one(svc: Services) -> None:
    user_list(svc, "high-dollar", "disabled = true\n")
    assert "high-dollar" not in [w["name"] for w in svc.worklists()]


def test_assignee_filters(svc: Services) -> None:
    svc.assign("AUTH", "tester")
    svc.assign("NORESP", "jlee")
    user_list(svc, "mine", 'extends = "today"\n[filter]\nassignee = "me"\n')
    user_list(svc, "nobody", 'extends = "today"\n[filter]\nassignee = "unassigned"\n')
    user_list(svc, "jlee", 'extends = "today"\n[filter]\nassignee = "jlee"\n')
    assert ids(svc.worklist("mine")) == ["AUTH"]
    assert ids(svc.worklist("jlee")) == ["NORESP"]
    assert ids(svc.worklist("nobody")) == ["DEN-SOON", "DEN-LATER"]


def test_age_balance_category_action_and_denied_filters(svc: Services) -> None:
    user_list(svc, "mid-age", "[filter]\nmin_age_days = 45\nmax_age_days = 60\n")
    user_list(svc, "small", "[filter]\nmax_balance = 300\nmin_balance = 100\n")
    user_list(svc, "not-denied", "[filter]\ndenied = false\n")
    user_list(svc, "auth-or-none", '[filter]\ncategories = ["authorization", "none"]\n'
                                   'exclude_actions = ["wait"]\n')
    user_list(svc, "appeals", '[filter]\nactions = ["appeal"]\nstatuses = ["new"]\n')
    assert set(ids(svc.worklist("mid-age"))) == {"NORESP", "AUTH", "PATIENT"}
    assert set(ids(svc.worklist("small"))) == {"DEN-SOON", "DEN-LATER", "FRESH"}
    assert set(ids(svc.worklist("not-denied"))) == {"NORESP", "FRESH", "PATIENT"}
    assert set(ids(svc.worklist("auth-or-none"))) == {"AUTH", "NORESP"}
    assert ids(svc.worklist("appeals")) == ["DEN-SOON", "DEN-LATER"]


def test_codes_filter(svc: Services) -> None:
    """A denial code as the 835 gives it, a remark code, or a bare CARC in any group."""
    user_list(svc, "co50", '[filter]\ncodes = ["co-50"]\n')
    user_list(svc, "n115", '[filter]\ncodes = ["N115"]\n')
    user_list(svc, "any50", '[filter]\ncodes = ["50"]\n')
    user_list(svc, "pr50", '[filter]\ncodes = ["PR-50"]\n')
    den50 = {"DEN-SOON", "DEN-LATER"}
    assert any(w["filter"].get("codes") == ["CO-50"] for w in svc.worklists())  # as typed, upper-cased
    assert set(ids(svc.worklist("co50"))) == den50
    assert set(ids(svc.worklist("n115"))) == den50
    assert set(ids(svc.worklist("any50"))) == den50
    assert ids(svc.worklist("pr50")) == []


# --------------------------------------------------------------------------- broken files


@pytest.mark.parametrize(("text", "message"), [
    ("name = \n", "not valid TOML"),
    ("colour = 'red'\n", "unknown key 'colour'"),
    ("sort = 'fastest'\n", "sort: 'fastest' is not one of score"),
    ("[filter]\ncategories = ['medical-necessity']\n", "[filter] categories: 'medical-necessity' is not one of"),
    ("[filter]\nstatuses = 'pending'\n", "[filter] statuses: 'pending' is not one of"),
    ("[filter]\nmin_age_days = -3\n", "[filter] min_age_days: must be a whole number of days"),
    ("[filter]\nmin_balance = 'lots'\n", "[filter] min_balance: must be an amount in dollars"),
    ("[filter]\nmin_balance = 900\nmax_balance = 100\n", "[filter] min_balance is more than max_balance"),
    ("[filter]\ndue = 'yes'\n", "[filter] due: must be true or false"),
    ("[filter]\npayer = ['Aetna']\n", "[filter] unknown key 'payer'"),
    ("[weights]\nurgency = 3\n", "[weights]: unknown weight 'urgency'"),
    ("[weights]\ndeadline_horizon_days = 0\n", "[weights]: deadline_horizon_days must be a whole number"),
    ("extends = 'nothing-like-it'\n", "extends: no worklist 'nothing-like-it'"),
])
def test_a_broken_worklist_file_names_the_file_and_the_key(svc: Services, text: str, message: str) -> None:
    path = user_list(svc, "broken", text)
    with pytest.raises(ConfigError) as caught:
        svc.worklists()
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_an_unknown_payer_in_a_list_is_named_when_the_list_runs(svc: Services) -> None:
    path = user_list(svc, "acme", '[filter]\npayers = ["Acme Health"]\n')
    with pytest.raises(ConfigError, match=r"acme\.toml: \[filter\] payers: no payer 'Acme Health'") as caught:
        svc.worklist("acme")
    assert str(path) in str(caught.value)


def test_two_user_files_with_one_name_are_refused(svc: Services) -> None:
    user_list(svc, "a", 'name = "same"\n')
    user_list(svc, "b", 'name = "same"\n')
    with pytest.raises(ConfigError, match=r"b\.toml: name: worklist 'same' is also defined in .*a\.toml"):
        svc.worklists()


def test_shipped_definitions_load_without_a_database(tmp_path: Path) -> None:
    lists = load_worklists(Locations.resolve(tmp_path / "none.db").worklists_dirs)
    assert next(iter(lists)) == "today" and set(lists) == set(SHIPPED)
    assert lists["today"].filters.due and lists["high-dollar"].sort == "balance"


def test_a_big_list_walks_the_rank_index_and_a_small_one_sorts_its_matches(services: Services) -> None:
    write(services.conn, *[claim_record(f"N{i}", account=f"A{i}", dos=TODAY - timedelta(days=40 + i),
                                        submitted=TODAY - timedelta(days=38 + i)) for i in range(30)])
    services.refresh_claims([pk for (pk,) in services.conn.execute("SELECT pk FROM claims")])
    user_list(services, "one-day", "[filter]\nmin_age_days = 45\nmax_age_days = 45\n")
    walked: list[int] = []
    original = worklists._walk_rank_index

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        walked.append(args[3])
        return original(*args, **kwargs)

    worklists._walk_rank_index = spy  # type: ignore[assignment]
    try:
        big = services.worklist(limit=5)
        small = services.worklist("one-day")
    finally:
        worklists._walk_rank_index = original  # type: ignore[assignment]
    assert walked == [5]  # the page of the big list; the one-claim list sorted its match
    assert big["total_claims"] == 30 and len(big["rows"]) == 5 and ids(small) == ["N5"]
    everything = services.worklist(limit=None)
    assert ids(big) == ids(everything)[:5]
    assert ids(services.worklist(limit=5, offset=25)) == ids(everything)[25:]
    plan = " ".join(str(tuple(r)) for r in services.conn.execute(
        "EXPLAIN QUERY PLAN SELECT rank_key, claim_pk FROM claim_ranks INDEXED BY claim_ranks_key "
        "WHERE rank_key < 5 ORDER BY rank_key DESC, claim_pk LIMIT 10"))
    assert "claim_ranks_key" in plan and "TEMP B-TREE" not in plan


def test_rank_ties_are_walked_in_claim_order(services: Services) -> None:
    """Equal keys (identical claims) page without skipping or repeating any."""
    write(services.conn, *[claim_record(f"T{i:02d}", account=f"A{i}", dos=TODAY - timedelta(days=40),
                                        submitted=TODAY - timedelta(days=38)) for i in range(12)])
    services.refresh_claims([pk for (pk,) in services.conn.execute("SELECT pk FROM claims")])
    keys = {k for (k,) in services.conn.execute("SELECT rank_key FROM claim_ranks")}
    assert len(keys) == 1
    pages = [ids(services.worklist(limit=3, offset=o)) for o in range(0, 12, 3)]
    assert [c for page in pages for c in page] == [f"T{i:02d}" for i in range(12)]
    for batch in (1, 2, 5):  # batches that end inside the tie
        assert worklists._walk_rank_index(services.conn, ["1"], {}, 12, batch) == list(range(1, 13))


def test_walking_the_parts_of_some_categories_matches_sorting_them(svc: Services) -> None:
    by_pk = dict(svc.conn.execute("SELECT pk, claim_id FROM claims"))
    for cats in (["medical_necessity"], ["none", "authorization"], ["patient_responsibility", "medical_necessity"]):
        name = "-".join(cats).replace("_", "-")
        listed = ", ".join(f'"{c}"' for c in cats)
        user_list(svc, name, f"[filter]\ncategories = [{listed}]\n")
        expected = ids(svc.worklist(name, limit=None))
        wl = worklists.find(svc.worklist_definitions(), name)
        where, params = worklists.compile_filters(svc.conn, wl, TODAY, "tester")
        for batch in (1, 2, 50):
            walked = worklists._walk_rank_index(svc.conn, where, params, 10, batch, categories=cats)
            assert [by_pk[pk] for pk in walked] == expected, (cats, batch)
