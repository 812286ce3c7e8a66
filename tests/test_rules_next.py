"""Next actions with reasons: one claim per category, the claim's standing, deadlines, the playbook file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.domain import Action, AuthorizationRecord, Category, PayerKind, PlanOfCareRecord
from assistant.errors import ConfigError
from assistant.rules.deadlines import add_one_year, appeal_deadline, timely_filing_deadline
from assistant.rules.payer_rules import kind_rules
from assistant.rules.playbook import load_playbook
from assistant.storage import transaction
from tests.builders import claim_record, post_denial, post_remit, write, write_clinical

REMIT = date(2026, 10, 1)


def actions(services, claim_id: str) -> list[Action]:  # type: ignore[no-untyped-def]
    return [a.action for a in services.assess(claim_id).actions]


# --------------------------------------------------------------------------- one per category


def test_authorization_on_file_appeal_with_the_authorization(services) -> None:
    conn = services.conn
    days = [date(2026, 9, d) for d in (2, 4, 7, 9, 11, 14, 16, 18)]
    write(conn, *[claim_record(f"V{i}", payer="Aetna", dos=d, prior_auth="A12345") for i, d in enumerate(days)])
    write(conn, claim_record("C197", payer="Aetna", dos=date(2026, 9, 21), prior_auth="A12345"))
    write_clinical(conn, authorizations=[AuthorizationRecord(
        "A1001", "A12345", 12, date(2026, 9, 1), date(2026, 11, 30), payer_name="Aetna")])
    post_denial(conn, "C197", "CO", "197", 225.0, remit_date=REMIT)
    a = services.assess("C197")
    assert a.category is Category.AUTHORIZATION and a.codes == ("CO-197",)
    first = a.actions[0]
    assert first.action is Action.APPEAL and first.template == "authorization" and first.level == 1
    assert ("CO-197, and authorization A12345 covered 2026-09-01 to 2026-11-30 for 12 visits with 9 used "
            "on this date: appeal with the authorization") in first.reason
    assert first.deadline == date(2026, 11, 30)  # commercial default: 60 days from the remittance
    assert a.deadline == first.deadline and a.deadline_kind == "appeal_level_1"


def test_authorization_missing_asks_for_a_retro_authorization(services) -> None:
    write(services.conn, claim_record("NOAUTH", payer="Aetna", dos=date(2026, 9, 21)))
    post_denial(services.conn, "NOAUTH", "CO", "197", 225.0, remit_date=REMIT)
    a = services.assess("NOAUTH")
    assert [x.action for x in a.actions] == [Action.REQUEST_AUTH, Action.APPEAL, Action.WRITE_OFF]
    assert "no authorization on file covers 2026-09-21" in a.actions[0].reason


def test_medical_necessity_at_medicare_is_a_redetermination(services) -> None:
    write(services.conn, claim_record("MN", dos=date(2026, 9, 10)))
    post_denial(services.conn, "MN", "CO", "50", 225.0, remarks=["N115"], remit_date=REMIT)
    a = services.assess("MN")
    assert a.category is Category.MEDICAL_NECESSITY and a.codes == ("CO-50", "N115")
    [appeal] = a.actions
    assert appeal.action is Action.APPEAL and appeal.level == 1
    assert appeal.template == "medicare_redetermination"
    assert appeal.deadline == date(2027, 2, 3)  # 120 days from receipt, presumed 5 days after the notice
    assert "redetermination" in appeal.reason and "N115" in appeal.reason


def test_maintenance_plan_picks_the_maintenance_letter(services) -> None:
    write(services.conn, claim_record("MAINT", payer="Aetna", dos=date(2026, 9, 10)))
    write_clinical(services.conn, plans=[PlanOfCareRecord(
        "A1001", date(2026, 9, 1), date(2026, 11, 29), certified_date=date(2026, 9, 3),
        goals=("Maintain safe independent transfers",))])
    post_denial(services.conn, "MAINT", "CO", "50", 225.0, remit_date=REMIT)
    first = services.assess("MAINT").actions[0]
    assert first.template == "maintenance_therapy" and "maintain function" in first.reason


def test_coding_error_at_medicare_is_a_reopening_not_a_replacement(services) -> None:
    write(services.conn, claim_record("NOGO", dos=date(2026, 9, 10), lines=(("97530", (), 2, 150.0),)))
    post_denial(services.conn, "NOGO", "CO", "4", 150.0, line=1, remit_date=REMIT)
    a = services.assess("NOGO")
    assert a.category is Category.CODING
    assert a.actions[0].action is Action.REOPENING and "add GO" in a.actions[0].reason
    assert a.actions[0].deadline == date(2027, 10, 1)  # one year from the initial determination
    assert Action.RESUBMIT_CORRECTED not in [x.action for x in a.actions]


def test_corrected_claim_beats_an_appeal_at_a_commercial_payer(services) -> None:
    write(services.conn, claim_record("GP", payer="Aetna", dos=date(2026, 9, 10),
                                      lines=(("97530", ("GP",), 2, 150.0),)))
    post_denial(services.conn, "GP", "CO", "4", 150.0, line=1, remit_date=REMIT)
    first = services.assess("GP").actions[0]
    assert first.action is Action.RESUBMIT_CORRECTED
    assert "beats an appeal" in first.reason and "replace GP with GO" in first.reason


def test_bundling_without_the_modifier(services) -> None:
    lines = (("97140", ("GO",), 1, 70.0), ("97530", ("GO",), 1, 75.0))
    write(services.conn, claim_record("NCCI", dos=date(2026, 9, 10), lines=lines),
          claim_record("PACKS", account="A2", dos=date(2026, 9, 10),
                       lines=(("97530", ("GO",), 2, 150.0), ("97010", ("GO",), 1, 20.0))))
    post_denial(services.conn, "NCCI", "CO", "236", 75.0, remarks=["M80"], line=2, remit_date=REMIT)
    post_remit(services.conn, "PACKS", [("CO", "45", 30.0, 1), ("CO", "B15", 20.0, 2)],
               paid={1: 120.0}, remit_date=REMIT)
    a = services.assess("NCCI")
    assert a.category is Category.BUNDLING
    assert [x.action for x in a.actions] == [Action.REOPENING, Action.APPEAL, Action.WRITE_OFF]
    assert a.actions[1].template == "medicare_redetermination"
    packs = services.assess("PACKS")
    assert packs.actions[0].action is Action.WRITE_OFF and "status B" in packs.actions[0].reason


def test_frequency_kx_missing_at_medicare(services) -> None:
    write(services.conn, claim_record("K", dos=date(2026, 11, 2)))
    post_denial(services.conn, "K", "CO", "119", 225.0, remit_date=date(2026, 11, 20))
    a = services.assess("K")
    assert a.category is Category.FREQUENCY
    assert a.actions[0].action is Action.REOPENING and "KX" in a.actions[0].reason


def test_frequency_units_over_the_minutes(services) -> None:
    write(services.conn, claim_record("UNITS", payer="Aetna", dos=date(2026, 9, 10),
                                      lines=(("97530", ("GO",), 3, 225.0),), minutes=[35]))
    post_denial(services.conn, "UNITS", "CO", "151", 225.0, remarks=["N362"], remit_date=REMIT)
    first = services.assess("UNITS").actions[0]
    assert first.action is Action.RESUBMIT_CORRECTED and "bill 2 units of 97530" in first.reason


def test_timely_filing_at_medicare_is_not_appealable(services) -> None:
    write(services.conn, claim_record("TF", dos=date(2025, 6, 2), submitted=date(2026, 7, 1)))
    post_denial(services.conn, "TF", "CO", "29", 225.0, remit_date=REMIT)
    a = services.assess("TF")
    assert a.category is Category.TIMELY_FILING
    assert [x.action for x in a.actions] == [Action.WRITE_OFF]
    assert "cannot be appealed" in a.actions[0].reason


def test_timely_filing_with_proof_at_a_commercial_payer(services) -> None:
    write(services.conn, claim_record("TF2", payer="Aetna", dos=date(2026, 8, 3), submitted=date(2026, 8, 5)))
    post_denial(services.conn, "TF2", "CO", "29", 225.0, remit_date=REMIT)
    first = services.assess("TF2").actions[0]
    assert first.action is Action.APPEAL and first.template == "timely_filing"
    assert "clearinghouse acceptance report" in first.reason


def test_duplicate_points_at_the_other_claim(services) -> None:
    write(services.conn, claim_record("ORIG", dos=date(2026, 9, 10)),
          claim_record("DUP", dos=date(2026, 9, 10)))
    post_denial(services.conn, "DUP", "OA", "18", 225.0, remit_date=REMIT)
    a = services.assess("DUP")
    assert a.category is Category.DUPLICATE
    assert a.actions[0].action is Action.NO_ACTION and "ORIG" in a.actions[0].reason


def test_coordination_of_benefits(services) -> None:
    write(services.conn, claim_record("COB", payer="Aetna", dos=date(2026, 9, 10)))
    post_denial(services.conn, "COB", "CO", "22", 225.0, remarks=["N479"], remit_date=REMIT)
    a = services.assess("COB")
    assert a.category is Category.COORDINATION_OF_BENEFITS
    # find the primary, bill it first, then come back as secondary with its remittance
    assert [x.action for x in a.actions] == [Action.VERIFY_ELIGIBILITY, Action.NEW_CLAIM,
                                             Action.RESUBMIT_CORRECTED, Action.APPEAL]
    assert "bill it first" in a.actions[1].reason and a.actions[1].deadline is None
    assert "as secondary" in a.actions[2].reason


def test_ma130_means_a_new_claim_and_no_appeal(services) -> None:
    write(services.conn, claim_record("MA130", dos=date(2026, 9, 10), lines=(("97530", (), 2, 150.0),)))
    post_denial(services.conn, "MA130", "CO", "16", 150.0, remarks=["MA130"], remit_date=REMIT)
    a = services.assess("MA130")
    assert a.category is Category.MISSING_INFORMATION
    assert [x.action for x in a.actions] == [Action.NEW_CLAIM]
    assert "no appeal rights" in a.actions[0].reason and "add GO" in a.actions[0].reason
    assert a.actions[0].deadline == date(2027, 9, 10)


def test_missing_information_takes_the_remarks_category(services) -> None:
    write(services.conn, claim_record("M76", payer="Aetna", dos=date(2026, 9, 10), diagnoses=("6281",)))
    post_denial(services.conn, "M76", "CO", "16", 225.0, remarks=["M76"], remit_date=REMIT)
    a = services.assess("M76")
    assert a.category is Category.MISSING_INFORMATION
    assert a.actions[0].action is Action.RESUBMIT_CORRECTED and "6281" in a.actions[0].reason


def test_eligibility(services) -> None:
    write(services.conn, claim_record("ELIG", payer="Aetna", dos=date(2026, 9, 10)),
          claim_record("ELIG-PR", account="A2", payer="Aetna", dos=date(2026, 9, 10)))
    post_denial(services.conn, "ELIG", "CO", "27", 225.0, remit_date=REMIT)
    post_denial(services.conn, "ELIG-PR", "PR", "27", 225.0, remit_date=REMIT)
    a = services.assess("ELIG")
    assert a.category is Category.ELIGIBILITY and a.actions[0].action is Action.VERIFY_ELIGIBILITY
    assert [x.action for x in services.assess("ELIG-PR").actions] == [Action.VERIFY_ELIGIBILITY,
                                                                        Action.BILL_PATIENT]


def test_patient_responsibility_and_a_secondary_payer(services) -> None:
    write(services.conn, claim_record("COINS", dos=date(2026, 9, 10)))
    post_remit(services.conn, "COINS", [("CO", "45", 45.0, 1), ("PR", "2", 36.0, 1)],
               paid={1: 144.0}, remit_date=REMIT)
    a = services.assess("COINS")
    assert a.category is Category.PATIENT_RESPONSIBILITY
    assert [x.action for x in a.actions] == [Action.BILL_PATIENT] and "$36.00" in a.actions[0].reason
    # the same patient with a secondary plan on file
    write(services.conn, claim_record("SEC", dos=date(2026, 9, 12)))
    with transaction(services.conn):
        services.conn.execute(
            "INSERT INTO coverages (patient_pk, payer_pk, priority) SELECT p.pk, y.pk, 2 FROM patients p, "
            "payers y WHERE p.account = 'A1001' AND y.name = 'Blue Cross Blue Shield'")
    post_remit(services.conn, "SEC", [("CO", "45", 45.0, 1), ("PR", "2", 36.0, 1)], paid={1: 144.0},
               remit_date=REMIT)
    sec = services.assess("SEC")
    assert [x.action for x in sec.actions] == [Action.BILL_SECONDARY, Action.BILL_PATIENT]
    assert "Blue Cross Blue Shield" in sec.actions[0].reason


def test_contractual(services) -> None:
    write(services.conn, claim_record("CONTR", payer="Aetna", dos=date(2026, 9, 10)),
          claim_record("SHORT", account="A2", payer="Aetna", dos=date(2026, 9, 10)))
    post_denial(services.conn, "CONTR", "CO", "256", 225.0, remit_date=REMIT)
    post_remit(services.conn, "SHORT", [("CO", "45", 25.0, 1)], paid={1: 100.0}, remit_date=REMIT)
    contr = services.assess("CONTR")
    # CO-256 is written off when posted: nothing left, so nothing to do
    assert contr.actions[0].action is Action.NO_ACTION and contr.category is None
    short = services.assess("SHORT")
    assert short.category is Category.CONTRACTUAL
    assert short.actions[0].action is Action.CALL_PAYER and "$100.00" in short.actions[0].reason


def test_provider(services) -> None:
    write(services.conn, claim_record("PROV", payer="Aetna", dos=date(2026, 9, 10)))
    post_denial(services.conn, "PROV", "CO", "185", 225.0, remit_date=REMIT)
    a = services.assess("PROV")
    assert a.category is Category.PROVIDER and a.actions[0].action is Action.CALL_PAYER


def test_unknown_code_is_a_call(services) -> None:
    write(services.conn, claim_record("UNK", payer="Aetna", dos=date(2026, 9, 10)))
    post_denial(services.conn, "UNK", "CO", "999", 225.0, remit_date=REMIT)
    a = services.assess("UNK")
    assert a.category is None and a.actions[0].action is Action.CALL_PAYER
    assert "CO-999" in a.actions[0].reason


# --------------------------------------------------------------------------- where the claim stands


def test_submitted_claims_wait_then_call(services) -> None:
    write(services.conn, claim_record("NEW", dos=date(2026, 11, 10), submitted=date(2026, 11, 11)),
          claim_record("OLD", account="A2", dos=date(2026, 9, 1), submitted=date(2026, 9, 2)))
    new = services.assess("NEW")
    assert new.category is None and [x.action for x in new.actions] == [Action.WAIT]
    assert "15 days ago" in new.actions[0].reason
    old = services.assess("OLD")
    assert [x.action for x in old.actions] == [Action.CALL_PAYER, Action.NEW_CLAIM]
    assert old.deadline == date(2027, 9, 1) and old.deadline_kind == "timely_filing"


def test_paid_in_full_and_closed(services) -> None:
    write(services.conn, claim_record("PAID", dos=date(2026, 9, 1)))
    post_remit(services.conn, "PAID", [("CO", "45", 45.0, 1), ("CO", "45", 15.0, 2)],
               paid={1: 105.0, 2: 60.0}, remit_date=REMIT)
    a = services.assess("PAID")
    assert a.category is None and [x.action for x in a.actions] == [Action.NO_ACTION]
    write(services.conn, claim_record("GONE", account="A2", dos=date(2026, 9, 1)))
    post_denial(services.conn, "GONE", "CO", "50", 225.0, remit_date=REMIT)
    services.conn.execute("UPDATE claims SET work_status = 'written_off' WHERE claim_id = 'GONE'")
    assert [x.action for x in services.assess("GONE").actions] == [Action.NO_ACTION]


def test_appeal_pending_waits_and_a_lost_appeal_goes_up_a_level(services) -> None:
    write(services.conn, claim_record("AP", dos=date(2026, 6, 1)))
    post_denial(services.conn, "AP", "CO", "50", 225.0, remit_date=date(2026, 7, 1))
    conn = services.conn
    conn.execute("INSERT INTO appeals (claim_pk, level, template, status, drafted_date, sent_date) "
                 "SELECT pk, 1, 'medicare_redetermination', 'sent', '2026-10-19', '2026-10-20' FROM claims "
                 "WHERE claim_id = 'AP'")
    a = services.assess("AP")
    assert [x.action for x in a.actions] == [Action.WAIT] and "redetermination" in a.actions[0].reason
    assert "due by 2026-12-19" in a.actions[0].reason  # the MAC decides within 60 days (S65, S74)
    assert a.recheck == date(2026, 12, 20)
    conn.execute("UPDATE appeals SET status = 'decided', outcome = 'lost', decided_date = '2026-11-20'")
    second = services.assess("AP").actions[0]
    assert second.action is Action.APPEAL and second.level == 2
    assert second.template == "medicare_reconsideration"
    assert second.deadline == date(2027, 5, 24)  # 180 days from receipt (decision + 5 days)


# --------------------------------------------------------------------------- deadlines


def test_deadlines_from_the_fact_sheet() -> None:
    medicare, ma = kind_rules(PayerKind.MEDICARE), kind_rules(PayerKind.MEDICARE_ADVANTAGE)
    assert timely_filing_deadline(date(2026, 3, 4), medicare) == date(2027, 3, 4)
    assert add_one_year(date(2028, 2, 29)) == date(2029, 2, 28)
    assert appeal_deadline(1, date(2026, 10, 1), medicare) == date(2027, 2, 3)
    assert appeal_deadline(2, date(2026, 10, 1), medicare) == date(2026, 10, 1).fromordinal(
        date(2026, 10, 1).toordinal() + 185)
    assert appeal_deadline(1, date(2026, 10, 1), ma) == date(2026, 12, 5)  # 65 days, no receipt rule
    assert appeal_deadline(3, date(2026, 10, 1), ma) is None
    commercial = kind_rules(PayerKind.COMMERCIAL)
    assert timely_filing_deadline(date(2026, 9, 1), commercial) == date(2026, 11, 30)


def test_payer_settings_override_the_kind(services) -> None:
    write(services.conn, claim_record("CUSTOM", payer="Aetna", dos=date(2026, 9, 10)))
    services.conn.execute("UPDATE payers SET timely_filing_days = 120, appeal_windows = '{\"1\": 180}' "
                          "WHERE name = 'Aetna'")
    post_denial(services.conn, "CUSTOM", "CO", "50", 225.0, remit_date=REMIT)
    a = services.assess("CUSTOM")
    assert a.actions[0].deadline == date(2027, 3, 30)  # 180 days from 2026-10-01


# --------------------------------------------------------------------------- the playbook file


def test_practice_playbook_overrides_replace_add_and_disable(services) -> None:
    write(services.conn, claim_record("MN", payer="Aetna", dos=date(2026, 9, 10)),
          claim_record("EL", account="A2", payer="Aetna", dos=date(2026, 9, 10)))
    post_denial(services.conn, "MN", "CO", "50", 225.0, remit_date=REMIT)
    post_denial(services.conn, "EL", "CO", "27", 225.0, remit_date=REMIT)
    assert actions(services, "MN") == [Action.APPEAL]
    practice = services.locations.playbook_files[1]
    practice.parent.mkdir(parents=True, exist_ok=True)
    practice.write_text('''
[[rule]]
id = "medical-necessity"
priority = 520
final = true
when.category = ["medical_necessity"]
[[rule.actions]]
action = "send_records"
reason = "{code}: our policy is to send the records first ({notes})."
[[rule.actions]]
action = "appeal"
template = "generic"
reason = "Then appeal by {deadline}."

[[rule]]
id = "eligibility"
disabled = true

[[rule]]
id = "eligibility-call-first"
priority = 499
final = true
when.category = ["eligibility"]
[[rule.actions]]
action = "call_payer"
reason = "{code}: call {payer} before anything else."
''')
    assert actions(services, "MN") == [Action.SEND_RECORDS, Action.APPEAL]
    assert services.assess("MN").actions[0].reason.startswith("CO-50: our policy")
    assert actions(services, "EL") == [Action.CALL_PAYER]


def test_playbook_cannot_make_medicare_take_a_replacement(services, tmp_path: Path) -> None:
    write(services.conn, claim_record("MC", dos=date(2026, 9, 10)))
    post_denial(services.conn, "MC", "CO", "50", 225.0, remit_date=REMIT)
    practice = services.locations.playbook_files[1]
    practice.parent.mkdir(parents=True, exist_ok=True)
    practice.write_text('''
[[rule]]
id = "medical-necessity"
priority = 520
final = true
when.category = ["medical_necessity"]
[[rule.actions]]
action = "resubmit_corrected"
reason = "Resubmit it."
''')
    [only] = services.assess("MC").actions
    assert only.action is Action.REOPENING and "no replacement claim" in only.reason


@pytest.mark.parametrize(("text", "message"), [
    ('[[rule]]\nid = "x"\nwhen.colour = ["red"]\n[[rule.actions]]\naction = "wait"\nreason = "r"\n',
     "rule 'x': unknown condition 'colour'"),
    ('[[rule]]\nid = "x"\nwhen.facts = ["sunny"]\n[[rule.actions]]\naction = "wait"\nreason = "r"\n',
     "unknown facts 'sunny'"),
    ('[[rule]]\nid = "x"\n[[rule.actions]]\naction = "pray"\nreason = "r"\n', "unknown action 'pray'"),
    ('[[rule]]\nid = "x"\n[[rule.actions]]\naction = "wait"\nreason = "{colour}"\n', "unknown placeholder {colour}"),
    ('[[rule]\n', "not valid TOML"),
])
def test_a_broken_playbook_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    from assistant.paths import package_data

    practice = tmp_path / "playbook.toml"
    practice.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_playbook([package_data("playbook.toml"), practice])
    assert message in str(err.value) and "playbook.toml" in str(err.value)


def test_shipped_playbook_loads_and_uses_every_category() -> None:
    from assistant.paths import package_data

    playbook = load_playbook([package_data("playbook.toml")])
    used = {c for rule in playbook.rules for c in rule.when.category}
    # timely filing is routed by its one CARC (29); the last two by facts
    assert used | {"timely_filing", "patient_responsibility", "contractual"} >= {c.value for c in Category}
    assert len({r.id for r in playbook.rules}) == len(playbook.rules)


def test_days_to_wait_for_a_remittance_is_a_playbook_setting(services) -> None:
    write(services.conn, claim_record("W", payer="Aetna", dos=date(2026, 10, 20), submitted=date(2026, 10, 21)))
    assert actions(services, "W") == [Action.CALL_PAYER, Action.NEW_CLAIM]  # 36 days > 30
    practice = services.locations.playbook_files[1]
    practice.parent.mkdir(parents=True, exist_ok=True)
    practice.write_text("[settings]\nno_response_days = { commercial = 45 }\n")
    [wait] = services.assess("W").actions
    assert wait.action is Action.WAIT and "within 45 days" in wait.reason


def test_practice_can_rename_the_medicare_letter_templates(services) -> None:
    write(services.conn, claim_record("T", dos=date(2026, 9, 10)))
    post_denial(services.conn, "T", "CO", "50", 225.0, remit_date=REMIT)
    practice = services.locations.playbook_files[1]
    practice.parent.mkdir(parents=True, exist_ok=True)
    practice.write_text('[appeal_templates.medicare]\n1 = "our_redetermination"\n')
    assert services.assess("T").actions[0].template == "our_redetermination"


def test_bad_settings_are_a_clear_error(tmp_path: Path) -> None:
    from assistant.paths import package_data

    practice = tmp_path / "playbook.toml"
    practice.write_text("[settings]\nno_response_days = { sometimes = 3 }\n")
    with pytest.raises(ConfigError, match="no_response_days"):
        load_playbook([package_data("playbook.toml"), practice])
