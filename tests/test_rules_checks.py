"""OT claim checks: each named rule with a claim that trips it and one that does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from assistant.domain import AuthorizationRecord, DocType, Finding, PlanOfCareRecord
from assistant.rules.assess import check_record
from assistant.rules.checks import CHECKS, check_claim
from assistant.rules.context import load_context
from tests.builders import OTA, claim_record, note, post_denial, post_remit, write, write_clinical
from tests.conftest import TODAY

D = date(2026, 9, 15)


def findings(services, claim_id: str, rule: str | None = None) -> list[Finding]:  # type: ignore[no-untyped-def]
    found = check_claim(load_context(services.conn, claim_id, TODAY))
    return [f for f in found if rule is None or f.rule == rule]


def test_a_clean_medicare_claim_has_no_findings(services) -> None:
    write(services.conn, claim_record("OK", dos=date(2026, 11, 20), minutes=[30, 15]))
    assert findings(services, "OK") == []


def test_every_check_is_named_and_has_a_docstring() -> None:
    for name, check in CHECKS.items():
        assert check.__doc__ and f"`{name}`" in check.__doc__, name


# --------------------------------------------------------------------------- units


def test_eight_minute_units_cms(services) -> None:
    write(services.conn,
          claim_record("OVER", lines=(("97530", ("GO",), 3, 150.0),), minutes=[35]),
          claim_record("RIGHT", account="A2", lines=(("97530", ("GO",), 2, 150.0),), minutes=[35]),
          claim_record("NOMIN", account="A3", lines=(("97530", ("GO",), 3, 150.0),)))
    [over] = findings(services, "OVER", "eight-minute-units")
    assert over.severity == "error" and over.line == 1 and "support 2" in over.message
    assert over.fix == "bill 2 units of 97530"
    assert findings(services, "RIGHT", "eight-minute-units") == []
    assert findings(services, "NOMIN", "eight-minute-units") == []  # minutes unknown: nothing to say


def test_eight_minute_units_follow_the_payers_rule(services) -> None:
    lines = (("97112", ("GO",), 2, 100.0), ("97110", ("GO",), 2, 100.0))
    write(services.conn, claim_record("MC", lines=lines, minutes=[24, 23]),
          claim_record("AET", account="A2", payer="Aetna", lines=lines, minutes=[24, 23]))
    [mc] = findings(services, "MC", "eight-minute-units")
    assert mc.line == 2 and "97110" in mc.message and "CMS total time" in mc.message
    assert findings(services, "AET", "eight-minute-units") == []  # per code: 2 + 2


def test_minutes_come_from_the_daily_note(services) -> None:
    write(services.conn, claim_record("N1", dos=D, lines=(("97530", ("GO",), 3, 150.0),)))
    write_clinical(services.conn, documents=[note("A1001", D, minutes=[("97530", 30)])])
    [f] = findings(services, "N1", "eight-minute-units")
    assert "support 2" in f.message


def test_untimed_code_billed_more_than_once(services) -> None:
    write(services.conn, claim_record("U", lines=(("97150", ("GO",), 2, 40.0),)),
          claim_record("U1", account="A2", lines=(("97150", ("GO",), 1, 40.0),)))
    [f] = findings(services, "U", "eight-minute-units")
    assert f.severity == "warning" and "untimed" in f.message
    assert findings(services, "U1", "eight-minute-units") == []


def test_timed_code_on_two_lines_for_medicare(services) -> None:
    split = (("97110", ("GO",), 1, 75.0), ("97110", ("GO",), 1, 75.0))
    write(services.conn, claim_record("SPLIT", lines=split),
          claim_record("SPLIT-AET", account="A2", payer="Aetna", lines=split))
    [f] = findings(services, "SPLIT", "timed-code-one-line")
    assert f.line == 2 and f.severity == "error"
    assert findings(services, "SPLIT-AET", "timed-code-one-line") == []


# --------------------------------------------------------------------------- modifiers and codes


def test_go_missing_at_medicare_and_gp_on_an_ot_claim(services) -> None:
    write(services.conn,
          claim_record("NOGO", lines=(("97530", (), 2, 150.0),)),
          claim_record("GP", account="A2", payer="Aetna", lines=(("97530", ("GP",), 2, 150.0),)),
          claim_record("NOGO-AET", account="A3", payer="Aetna", lines=(("97530", (), 2, 150.0),)))
    [nogo] = findings(services, "NOGO", "discipline-modifier")
    assert "GO missing" in nogo.message and nogo.fix == "add GO"
    [gp] = findings(services, "GP", "discipline-modifier")
    assert "GP" in gp.message and gp.fix == "replace GP with GO"
    assert findings(services, "NOGO-AET", "discipline-modifier") == []


def test_co_needed_when_an_ota_furnished_the_service(services) -> None:
    write(services.conn,
          claim_record("OTA", rendering=OTA, lines=(("97530", ("GO",), 2, 150.0),)),
          claim_record("OTA-CO", account="A2", rendering=OTA, lines=(("97530", ("GO", "CO"), 2, 150.0),)),
          claim_record("NOTE", account="A3", dos=D, lines=(("97535", ("GO",), 2, 150.0),)))
    write_clinical(services.conn, documents=[note("A3", D, credential="OTA")])
    [ota] = findings(services, "OTA", "assistant-modifier")
    assert "CO missing" in ota.message and "OTA" in ota.message
    assert findings(services, "OTA-CO", "assistant-modifier") == []
    [by_note] = findings(services, "NOTE", "assistant-modifier")
    assert "note" in by_note.message


def test_kx_needed_above_the_threshold_and_not_below(services) -> None:
    conn = services.conn
    earlier = [claim_record(f"E{i}", dos=date(2026, 3, i + 1), lines=(("97530", ("GO",), 4, 300.0),))
               for i in range(9)]
    write(conn, *earlier)
    for i in range(9):  # 9 x $260 allowed = $2,340 before the claim under test
        post_remit(conn, f"E{i}", [("CO", "45", 40.0, 1)], paid={1: 208.0}, allowed={1: 260.0},
                   remit_date=date(2026, 4, 1))
    write(conn, claim_record("KX-NEEDED", dos=date(2026, 10, 1), lines=(("97530", ("GO",), 4, 300.0),)),
          claim_record("KX-EARLY", account="A2", dos=date(2026, 10, 1),
                       lines=(("97530", ("GO", "KX"), 2, 150.0),)),
          claim_record("KX-OK", account="A3", dos=date(2026, 10, 1), lines=(("97530", ("GO",), 2, 150.0),)))
    needed = findings(services, "KX-NEEDED", "kx-threshold")
    assert needed[0].severity == "warning"  # this claim's own amount is estimated from its charge
    assert "KX needed" in needed[0].message and "$2,480.00" in needed[0].message
    early = findings(services, "KX-EARLY", "kx-threshold")
    assert len(early) == 1 and "below the threshold" in early[0].message and early[0].fix.startswith("remove KX")
    assert findings(services, "KX-OK", "kx-threshold") == []


def test_kx_on_priced_amounts_is_an_error_and_review_threshold_is_noted(services) -> None:
    conn = services.conn
    write(conn, *[claim_record(f"P{i}", dos=date(2026, 2, i + 1), lines=(("97530", ("GO",), 4, 400.0),))
                  for i in range(10)])
    for i in range(10):
        post_remit(conn, f"P{i}", [("CO", "45", 100.0, 1)], paid={1: 240.0}, allowed={1: 300.0},
                   remit_date=date(2026, 3, 1))
    kx = findings(services, "P9", "kx-threshold")  # $2,700 after P8, $3,000 reached exactly at P9
    assert [f.severity for f in kx] == ["error"]
    later = findings(services, "P8", "kx-threshold")
    assert [f.severity for f in later] == ["error"] and "$2,700.00" in later[0].message
    write(conn, claim_record("P10", dos=date(2026, 2, 20), lines=(("97530", ("GO", "KX"), 1, 100.0),)))
    post_remit(conn, "P10", [], paid={1: 80.0}, allowed={1: 100.0}, remit_date=date(2026, 3, 1))
    [review] = findings(services, "P10", "kx-threshold")
    assert review.severity == "info" and "$3,000.00" in review.message


def test_add_on_without_base(services) -> None:
    write(services.conn, claim_record("ADDON", lines=(("97130", ("GO",), 2, 150.0),)),
          claim_record("BOTH", account="A2", lines=(("97129", ("GO",), 1, 75.0), ("97130", ("GO",), 2, 150.0))))
    [f] = findings(services, "ADDON", "add-on-without-base")
    assert "97129" in f.message and "N122" in f.message
    assert findings(services, "BOTH", "add-on-without-base") == []


def test_97014_and_97010_at_medicare(services) -> None:
    write(services.conn,
          claim_record("ESTIM", lines=(("97014", ("GO",), 1, 30.0),)),
          claim_record("G0283", account="A2", lines=(("G0283", ("GO",), 1, 30.0),)),
          claim_record("ESTIM-AET", account="A3", payer="Aetna", lines=(("97014", ("GO",), 1, 30.0),)),
          claim_record("PACKS", account="A4", lines=(("97010", ("GO",), 1, 20.0),)))
    [estim] = findings(services, "ESTIM", "medicare-invalid-code")
    assert estim.fix == "bill G0283 instead"
    assert findings(services, "G0283", "medicare-invalid-code") == []
    assert findings(services, "ESTIM-AET", "medicare-invalid-code") == []
    [packs] = findings(services, "PACKS", "medicare-bundled-code")
    assert "status B" in packs.message and packs.severity == "warning"
    assert findings(services, "ESTIM", "medicare-bundled-code") == []


def test_ncci_pairs(services) -> None:
    write(services.conn,
          claim_record("PAIR", lines=(("97140", ("GO",), 1, 70.0), ("97530", ("GO",), 1, 75.0))),
          claim_record("PAIR59", account="A2", lines=(("97140", ("GO",), 1, 70.0), ("97530", ("GO", "59"), 1, 75.0))),
          claim_record("WRONG", account="A3", lines=(("97140", ("GO", "59"), 1, 70.0), ("97530", ("GO",), 1, 75.0))),
          claim_record("REEVAL", account="A4", lines=(("97168", ("GO",), 1, 90.0), ("97535", ("GO",), 2, 150.0))),
          claim_record("REEVAL-XU", account="A5", lines=(("97168", ("GO", "XU"), 1, 90.0), ("97535", ("GO",), 2, 150.0))),
          claim_record("OLD", account="A6", dos=date(2019, 6, 3),
                       lines=(("97140", ("GO",), 1, 70.0), ("97530", ("GO",), 1, 75.0))))
    [pair] = findings(services, "PAIR", "ncci-pair")
    assert pair.line == 2 and pair.severity == "error" and "59" in pair.fix
    assert findings(services, "PAIR59", "ncci-pair") == []
    [wrong] = findings(services, "WRONG", "ncci-pair")
    assert "column-2" in wrong.message
    [reeval] = findings(services, "REEVAL", "ncci-pair")
    assert reeval.line == 1 and "97168" in reeval.message
    assert findings(services, "REEVAL-XU", "ncci-pair") == []
    assert findings(services, "OLD", "ncci-pair") == []  # the 97140/97530 edit starts 2020


# --------------------------------------------------------------------------- documentation


def test_plan_of_care_certification(services) -> None:
    conn = services.conn
    write(conn, *[claim_record(f"POC{i}", account=f"P{i}", dos=D) for i in range(4)])
    write_clinical(conn, plans=[
        PlanOfCareRecord("P0", date(2026, 8, 1), date(2026, 10, 29)),
        PlanOfCareRecord("P1", date(2026, 8, 1), date(2026, 10, 29), certified_date=date(2026, 8, 10)),
        PlanOfCareRecord("P2", date(2026, 8, 1), date(2026, 10, 29), certified_date=date(2026, 9, 5)),
        PlanOfCareRecord("P3", date(2026, 6, 1), date(2026, 12, 31), certified_date=date(2026, 6, 5),
                         recert_due=date(2026, 8, 30)),
    ])
    [uncertified] = findings(services, "POC0", "plan-of-care")
    assert uncertified.severity == "error" and "not certified within 30 days" in uncertified.message
    assert findings(services, "POC1", "plan-of-care") == []
    [late] = findings(services, "POC2", "plan-of-care")
    assert late.severity == "warning" and "late" in late.message
    [lapsed] = findings(services, "POC3", "plan-of-care")
    assert "after the plan of care's certification ended (2026-08-30)" in lapsed.message


def test_no_plan_on_file_only_when_the_practice_keeps_plans(services) -> None:
    write(services.conn, claim_record("NOPLAN", dos=D), claim_record("OTHER", account="A2", dos=D))
    assert findings(services, "NOPLAN", "plan-of-care") == []
    write_clinical(services.conn, plans=[PlanOfCareRecord("A2", date(2026, 9, 1), date(2026, 11, 1),
                                                          certified_date=date(2026, 9, 2))])
    [f] = findings(services, "NOPLAN", "plan-of-care")
    assert f.severity == "warning" and "no plan of care" in f.message


def test_progress_report_every_ten_treatment_days(services) -> None:
    conn = services.conn
    days = [date(2026, 9, d) for d in (1, 3, 5, 8, 10, 12, 15, 17, 19, 22, 24, 26)]
    write(conn, *[claim_record(f"V{i}", dos=d) for i, d in enumerate(days, 1)],
          *[claim_record(f"W{i}", account="A2", dos=d) for i, d in enumerate(days, 1)])
    plans = [PlanOfCareRecord(a, date(2026, 9, 1), date(2026, 11, 29), certified_date=date(2026, 9, 2))
             for a in ("A1001", "A2")]
    write_clinical(conn, plans=plans, documents=[
        note("A2", days[9], doc_type=DocType.PROGRESS_REPORT),
        note("A1001", days[5], doc_type=DocType.PROGRESS_REPORT, credential="OTA")])
    assert findings(services, "V10", "progress-report") == []
    [f] = findings(services, "V11", "progress-report")
    assert "treatment day 11" in f.message and "OTA does not count" in f.message
    assert findings(services, "W11", "progress-report") == []  # report written on day 10
    assert findings(services, "W12", "progress-report") == []


def test_authorization_states(services) -> None:
    conn = services.conn
    days = [date(2026, 9, d) for d in range(1, 14)]
    claims = [claim_record(f"AU{i}", payer="Aetna", dos=d, prior_auth="A12345") for i, d in enumerate(days, 1)]
    write(conn, *claims[:10])
    write_clinical(conn, authorizations=[
        AuthorizationRecord("A1001", "A12345", 12, date(2026, 9, 1), date(2026, 12, 31), payer_name="Aetna")])
    assert findings(services, "AU9", "authorization") == []
    # A heads-up about the visits to come, not an error of the claim: on the latest claim only.
    [note] = findings(services, "AU10", "authorization")
    assert note.severity == "info" and "2 of 12 visits left" in note.message
    write(conn, *claims[10:])
    assert findings(services, "AU10", "authorization") == []
    [used_up] = findings(services, "AU13", "authorization")
    assert used_up.severity == "error" and "visit 13 of 12" in used_up.message


def test_authorization_expired_missing_and_not_carried(services) -> None:
    conn = services.conn
    write(conn, claim_record("EXP", payer="Aetna", dos=date(2026, 10, 5), prior_auth="B1"),
          claim_record("NONUM", account="A2", payer="Aetna", dos=date(2026, 10, 5)),
          claim_record("UNKNOWN", account="A3", payer="Aetna", dos=date(2026, 10, 5), prior_auth="ZZ9"))
    write_clinical(conn, authorizations=[
        AuthorizationRecord("A1001", "B1", 10, date(2026, 7, 1), date(2026, 9, 30), payer_name="Aetna"),
        AuthorizationRecord("A2", "B2", 20, date(2026, 9, 1), date(2027, 3, 1), payer_name="Aetna")])
    [exp] = findings(services, "EXP", "authorization")
    assert exp.severity == "error" and "expired on 2026-09-30" in exp.message
    [nonum] = findings(services, "NONUM", "authorization")
    assert "does not carry authorization number B2" in nonum.message
    [unknown] = findings(services, "UNKNOWN", "authorization")
    assert "ZZ9" in unknown.message and "not on file" in unknown.message


def test_timely_filing_at_risk(services) -> None:
    write(services.conn,
          replace(claim_record("SOON", payer="Aetna", dos=date(2026, 9, 1)), submitted_date=None),
          replace(claim_record("LATE", account="A2", payer="Aetna", dos=date(2026, 8, 1)), submitted_date=None),
          replace(claim_record("FINE", account="A3", dos=date(2026, 9, 1)), submitted_date=None))
    [soon] = findings(services, "SOON", "timely-filing")
    assert soon.severity == "warning" and "2026-11-30" in soon.message and "not sent yet" in soon.message
    [late] = findings(services, "LATE", "timely-filing")
    assert late.severity == "error"
    assert findings(services, "FINE", "timely-filing") == []  # Medicare: one year


def test_a_claim_the_payer_decided_met_timely_filing(services) -> None:
    write(services.conn,
          claim_record("DECIDED", payer="Aetna", dos=date(2026, 6, 1)),
          claim_record("TF", account="A2", payer="Aetna", dos=date(2026, 6, 1)))
    post_denial(services.conn, "DECIDED", "CO", "50", 225.0, remit_date=date(2026, 7, 1))
    post_denial(services.conn, "TF", "CO", "29", 225.0, remit_date=date(2026, 7, 1))
    [decided] = findings(services, "DECIDED", "timely-filing")
    assert decided.severity == "info" and "corrected claim may now be refused" in decided.message
    [untimely] = findings(services, "TF", "timely-filing")
    assert untimely.severity == "error"


def test_icd10_codes_and_pointers(services) -> None:
    write(services.conn,
          claim_record("DX-OK", diagnoses=("M62.81", "Z9181")),
          claim_record("DX-BAD", account="A2", diagnoses=("6281", "M6281")),
          claim_record("DX-SEQ", account="A3", diagnoses=("S52501S", "M6281")),
          claim_record("DX-NONE", account="A4", diagnoses=()),
          claim_record("DX-PTR", account="A5", diagnoses=("M6281",)))
    assert findings(services, "DX-OK", "icd10-format") == []
    [bad] = findings(services, "DX-BAD", "icd10-format")
    assert "'6281'" in bad.message
    [seq] = findings(services, "DX-SEQ", "icd10-format")
    assert "sequela" in seq.message
    assert any("no diagnosis" in f.message for f in findings(services, "DX-NONE", "icd10-format"))
    assert findings(services, "DX-PTR", "icd10-format") == []
    write(services.conn, replace(claim_record("PTR", account="A6", diagnoses=("M6281",)),
                                 lines=tuple(replace(ln, dx_pointers=(2,))
                                             for ln in claim_record("x").lines)))
    assert all("points at diagnosis 2" in f.message for f in findings(services, "PTR", "icd10-format"))


def test_replacement_claims(services) -> None:
    write(services.conn,
          claim_record("R-MC", frequency="7"),
          claim_record("R-AET", account="A2", payer="Aetna", frequency="7"),
          replace(claim_record("R-OK", account="A3", payer="Aetna", frequency="7"), payer_claim_number="PC1"))
    [mc] = findings(services, "R-MC", "replacement-claim")
    assert "reopening" in mc.fix
    [aet] = findings(services, "R-AET", "replacement-claim")
    assert "REF*F8" in aet.fix
    assert findings(services, "R-OK", "replacement-claim") == []


# --------------------------------------------------------------------------- before sending


def test_record_not_yet_imported_is_checked_against_the_patients_file(services) -> None:
    conn = services.conn
    write(conn, claim_record("SEEN", payer="Aetna", dos=date(2026, 11, 2), prior_auth="A9"))
    write_clinical(conn, authorizations=[
        AuthorizationRecord("A1001", "A9", 2, date(2026, 11, 1), date(2026, 12, 31), payer_name="Aetna")])
    record = claim_record("NEW", payer="Aetna", dos=date(2026, 11, 20), prior_auth="A9",
                          lines=(("97530", ("GO",), 3, 150.0),), minutes=[35])
    found = check_record(conn, record, TODAY)
    rules = {f.rule for f in found}
    assert {"eight-minute-units", "authorization"} <= rules
    assert any("visits left" in f.message or "of 2" in f.message for f in found if f.rule == "authorization")
    assert services.claims.__self__ is services  # the record was not written
    assert conn.execute("SELECT count(*) FROM claims WHERE claim_id = 'NEW'").fetchone()[0] == 0


def test_record_without_a_database(services) -> None:
    record = claim_record("LONE", lines=(("97130", (), 2, 150.0),), diagnoses=("6281",))
    rules = {f.rule for f in check_record(None, record, TODAY)}
    assert {"add-on-without-base", "discipline-modifier", "icd10-format"} <= rules


def test_go_where_payers_usually_follow_medicare_and_on_a_mixed_claim(services) -> None:
    from assistant.domain import PayerKind, PayerRecord

    ma = replace(claim_record("MA", account="A2", lines=(("97530", (), 2, 150.0),)),
                 payer=PayerRecord("Humana Medicare Advantage", "61101", PayerKind.MEDICARE_ADVANTAGE))
    write(services.conn, ma, claim_record("MIXED", account="A3", payer="Aetna",
                                          lines=(("97530", ("GO",), 2, 150.0), ("97110", (), 1, 75.0))))
    [f] = findings(services, "MA", "discipline-modifier")
    assert f.severity == "warning" and "usually follow Medicare" in f.message
    [mixed] = findings(services, "MIXED", "discipline-modifier")
    assert mixed.line == 2 and "other lines carry it" in mixed.message


def test_medicare_advantage_documentation_rules_are_warnings(services) -> None:
    from assistant.domain import PayerKind, PayerRecord

    ma = replace(claim_record("MA-POC", account="P9", dos=D),
                 payer=PayerRecord("Humana Medicare Advantage", "61101", PayerKind.MEDICARE_ADVANTAGE))
    write(services.conn, ma)
    write_clinical(services.conn, plans=[PlanOfCareRecord("P9", date(2026, 8, 1), date(2026, 10, 29))])
    [f] = findings(services, "MA-POC", "plan-of-care")
    assert f.severity == "warning" and "not certified within 30 days" in f.message


def test_sent_after_the_filing_limit(services) -> None:
    write(services.conn, claim_record("SENT-LATE", payer="Aetna", dos=date(2026, 6, 1),
                                      submitted=date(2026, 9, 15)))
    [f] = findings(services, "SENT-LATE", "timely-filing")
    assert f.severity == "error" and "after the timely filing limit of 2026-08-30" in f.message


def test_injury_code_without_its_seventh_character(services) -> None:
    write(services.conn, claim_record("S7", diagnoses=("M6281", "S52.501")),
          claim_record("S7-OK", account="A2", diagnoses=("M6281", "S52501D")))
    [f] = findings(services, "S7", "icd10-format")
    assert "7th character" in f.message
    assert findings(services, "S7-OK", "icd10-format") == []


def test_duplicate_claim_flags_the_later_copy_only(services) -> None:
    write(services.conn, claim_record("FIRST", dos=D, submitted=date(2026, 9, 16)),
          claim_record("AGAIN", dos=D, submitted=date(2026, 10, 5)),
          claim_record("SOON", dos=D, submitted=date(2026, 9, 25)),
          claim_record("OTHER-DAY", dos=date(2026, 9, 16)))
    assert findings(services, "FIRST", "duplicate-claim") == []
    [f] = findings(services, "AGAIN", "duplicate-claim")
    assert "FIRST" in f.message and "CO-18" in f.message
    assert findings(services, "OTHER-DAY", "duplicate-claim") == []
    # a new claim sent after the first came back unprocessable (MA130) is no repeat of it ...
    post_denial(services.conn, "FIRST", "CO", "16", 225.0, remarks=["MA130"], remit_date=date(2026, 10, 1))
    assert "FIRST" not in " ".join(f.message for f in findings(services, "AGAIN", "duplicate-claim"))
    # ... but one sent while the first was still pending repeats it
    [soon] = findings(services, "SOON", "duplicate-claim")
    assert "FIRST" in soon.message
    record = claim_record("SCRUB", dos=date(2026, 9, 16))
    assert [f.rule for f in check_record(services.conn, record, TODAY) if f.rule == "duplicate-claim"] == [
        "duplicate-claim"]


def test_a_copy_of_a_claim_denied_on_its_merits_is_a_duplicate(services) -> None:
    write(services.conn, claim_record("FIRST", dos=D, submitted=date(2026, 9, 16)),
          claim_record("AGAIN", dos=D, submitted=date(2026, 10, 20)))
    post_denial(services.conn, "FIRST", "CO", "50", 225.0, remarks=["N115"], remit_date=date(2026, 10, 1))
    [f] = findings(services, "AGAIN", "duplicate-claim")
    assert "FIRST" in f.message and "corrected claim" in f.fix
