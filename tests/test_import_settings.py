"""Practice settings (TOML) and prior authorizations (CSV)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.domain import Credential, PayerKind, UnitRule
from assistant.errors import ImportFailed
from assistant.importers.authorizations import parse_authorizations
from assistant.importers.identifiers import npi_is_valid
from assistant.importers.settings import parse_settings
from tests.conftest import FIXTURES

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "practice-settings.example.toml"
AUTHS = FIXTURES / "auths" / "authorizations.csv"
F837 = FIXTURES / "837"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_npi_check_digit() -> None:
    assert npi_is_valid("1234567893") and npi_is_valid("1245319599")
    assert not npi_is_valid("1234567890") and not npi_is_valid("123456789") and not npi_is_valid("12345678AB")


def test_the_shipped_example_parses() -> None:
    batch = parse_settings(EXAMPLE)
    assert batch.authoritative and batch.warnings == []
    practice = batch.practice
    assert practice is not None
    assert (practice.name, practice.npi, practice.tax_id) == ("Harbor Hand & Occupational Therapy", "1333333338",
                                                               "931234567")
    assert (practice.address1, practice.city, practice.state, practice.zip) == ("100 Main St", "Portland", "OR",
                                                                                 "97204-1234")
    assert [(p.npi, p.credential) for p in batch.providers] == [
        ("1234567893", Credential.OT), ("1245319599", Credential.OTA), ("1444444446", Credential.MD)]
    medicare = batch.payer_settings[0]
    assert (medicare.name, medicare.kind, medicare.payer_id) == ("Medicare Part B", PayerKind.MEDICARE, "01112")
    assert medicare.aliases == ("Noridian JF", "Medicare", "CMS")
    assert medicare.appeal_windows == {"1": 120, "2": 180} and medicare.unit_rule is UnitRule.CMS
    assert medicare.timely_filing_days == 365
    assert [p.name for p in batch.payer_settings] == ["Medicare Part B", "Aetna", "Blue Cross of Oregon",
                                                      "Oregon Medicaid"]
    aetna = batch.payer_settings[1]
    assert aetna.corrected_claim_days == 180 and medicare.corrected_claim_days is None


def test_credential_from_taxonomy_when_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", '[[providers]]\nnpi = "1245319599"\nlast_name = "Lee"\n'
                                     'taxonomy = "224ZE0001X"\n')
    assert parse_settings(path).providers[0].credential is Credential.OTA


SETTINGS_ERRORS = [
    ('[[payers]]\nname = "A"\nkind = "commercial"\n[[payers]]\nname = "B"\nkind = "medicare"\n'
     '[[payers]]\nname = "C"\nkind = "hmo"\n',
     "practice.toml: payers[3].kind: 'hmo' is not one of medicare, medicare_advantage, medicaid, commercial, "
     "workers_comp, other"),
    ('[[providers]]\nnpi = "1234567893"\nlast_name = "A"\n[[providers]]\nnpi = "1234567890"\nlast_name = "B"\n',
     "practice.toml: providers[2].npi: '1234567890' is not a valid NPI"),
    ('[practice]\nname = "X"\nnpi = "1333333330"\n', "practice.toml: practice.npi: '1333333330' is not a valid NPI"),
    ('[practice]\nname = "X"\nfax = "1"\n', "practice.toml: practice.fax: unknown key"),
    ('[practice]\nnpi = "1333333338"\n', "practice.toml: practice.name: is required"),
    ('[practice]\nname = "X"\ntax_id = "12-345"\n', "practice.toml: practice.tax_id: must be the 9-digit EIN"),
    ('[practice]\nname = "X"\naddress = "somewhere"\n', "practice.toml: practice.address: write it as"),
    ('[[payers]]\nname = "A"\n', "practice.toml: payers[1].kind: is required"),
    ('[[payers]]\nname = "A"\nkind = "medicare"\npayer_id = 4412\n',
     "practice.toml: payers[1].payer_id: must be text in quotes"),
    ('[[payers]]\nname = "A"\nkind = "medicare"\nappeal_windows = { "1" = 120, "9" = 10 }\n',
     "practice.toml: payers[1].appeal_windows.9: appeal levels are"),
    ('[[payers]]\nname = "A"\nkind = "medicare"\nappeal_windows = { "1" = -5 }\n',
     "practice.toml: payers[1].appeal_windows.1: must be a number of days"),
    ('[[payers]]\nname = "A"\nkind = "medicare"\nunit_rule = "eights"\n',
     "practice.toml: payers[1].unit_rule: 'eights' is not one of cms, per_code"),
    ('[[payers]]\nname = "A"\nkind = "medicare"\ntimely_filing_days = "90"\n',
     "practice.toml: payers[1].timely_filing_days: must be a number of days"),
    ('[[payers]]\nname = "A"\nkind = "medicare"\ntimely = 90\n', "practice.toml: payers[1].timely: unknown key"),
    ('[[payers]]\nname = "A"\nkind = "commercial"\ncorrected_claim_days = 0\n',
     "practice.toml: payers[1].corrected_claim_days: must be a number of days"),
    ('[[payers]]\nname = "Aetna"\nkind = "commercial"\n[[payers]]\nname = "BCBS"\nkind = "commercial"\n'
     'aliases = ["aetna"]\n', "practice.toml: payers[2]: the name 'aetna' is already used by payers[1]"),
    ('[[providers]]\nnpi = "1234567893"\nlast_name = "A"\ncredential = "wizard"\n',
     "practice.toml: providers[1].credential: 'wizard' is not one of OT, OTA"),
    ('[[providers]]\nnpi = "1234567893"\nlast_name = "A"\ntaxonomy = "225X"\n',
     "practice.toml: providers[1].taxonomy: '225X' is not a taxonomy code"),
    ('[payer]\nname = "A"\n', "practice.toml: payer: unknown section"),
    ('payers = "A"\n', "practice.toml: payers: must be a list"),
    ('[practice\n', "practice.toml: is not valid TOML"),
    ('', "practice.toml: holds no [practice], [[providers]] or [[payers]]"),
]


@pytest.mark.parametrize(("text", "message"), SETTINGS_ERRORS)
def test_settings_errors_name_the_key_path(text: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_settings(write(tmp_path, "practice.toml", text))
    assert str(caught.value).startswith(message), str(caught.value)


def test_settings_correct_what_claim_files_suggested(run_cli, db_path, services) -> None:
    db = str(db_path)
    assert run_cli("import", "837", str(F837 / "medicare_self.837"), "--db", db).exit_code == 0
    result = run_cli("import", "settings", str(EXAMPLE), "--db", db, "--json")
    assert result.exit_code == 0, result.stdout
    [data] = result.json()
    assert (data["status"], data["payers"], data["providers"]) == ("imported", 4, 3)
    conn = services.conn
    assert conn.execute("SELECT name, tax_id FROM practice").fetchone()[0] == "Harbor Hand & Occupational Therapy"
    payer = conn.execute("SELECT name, kind, aliases, appeal_windows, unit_rule FROM payers "
                         "WHERE payer_id = '01112'").fetchall()
    assert len(payer) == 1  # the payer the 837 created, renamed by its payer id
    assert (payer[0][0], payer[0][1], json.loads(payer[0][2]), json.loads(payer[0][3]), payer[0][4]) == (
        "Medicare Part B", "medicare", ["Noridian JF", "Medicare", "CMS"], {"1": 120, "2": 180}, "cms")
    assert services.claim("OT261101A1")["payer"]["name"] == "Medicare Part B"
    assert conn.execute("SELECT corrected_claim_days FROM payers WHERE name = 'Aetna'").fetchone()[0] == 180
    okafor = conn.execute("SELECT last_name, first_name, credential FROM providers WHERE npi = '1234567893'")
    assert tuple(okafor.fetchone()) == ("Okafor", "Dana", "OT")
    human = run_cli("import", "settings", str(EXAMPLE), "--db", db)
    assert human.stdout.startswith("duplicate practice-settings.example.toml")


def test_a_claim_file_naming_a_payer_by_an_alias_lands_on_that_payer(services, tmp_path: Path) -> None:
    services.import_paths("settings", [EXAMPLE])
    text = (F837 / "medicare_self.837").read_text().replace("NM1*PR*2*NORIDIAN JF*****PI*01112",
                                                            "NM1*PR*2*MEDICARE*****PI*99999")
    [result] = services.import_paths("837", [write(tmp_path, "alias.837", text)])
    assert result.status == "imported"
    assert services.claim("OT261101A1")["payer"]["name"] == "Medicare Part B"
    assert services.conn.execute("SELECT count(*) FROM payers").fetchone()[0] == 4


# --------------------------------------------------------------------------- authorizations


def test_authorizations_csv() -> None:
    first, second = parse_authorizations(AUTHS).authorizations
    assert (first.account, first.payer_name, first.number, first.unit_kind) == ("A2044", "Aetna", "AUTH778812",
                                                                                 "visits")
    assert (first.approved, first.used, first.start_date, first.end_date) == (12, 3, date(2026, 11, 1),
                                                                              date(2027, 1, 31))
    assert first.codes == ("97530", "97535", "97110")
    assert (second.number, second.unit_kind, second.approved, second.used, second.codes) == (
        "PA-55-1209", "units", 24, 0, ())


AUTH_ERRORS = [
    ("Account,Auth #,Approved,Start,End\nA1,N1,12,2026-01-01,2025-01-01\n",
     "auths.csv: line 2: column 'End': ends before the authorization starts"),
    ("Account,Auth #,Approved,Start,End\nA1,N1,twelve,2026-01-01,2026-02-01\n",
     "auths.csv: line 2: column 'Approved': not a whole number of visits or units"),
    ("Account,Auth #,Approved,Start,End\nA1,,12,2026-01-01,2026-02-01\n",
     "auths.csv: line 2: column 'Auth #': is empty"),
    ("Account,Auth #,Approved,Start,End,Unit Type\nA1,N1,12,2026-01-01,2026-02-01,hours\n",
     "auths.csv: line 2: column 'Unit Type': must be visits or units"),
    ("Account,Auth #,Approved,Start,End,Codes\nA1,N1,12,2026-01-01,2026-02-01,975\n",
     "auths.csv: line 2: column 'Codes': must be CPT/HCPCS codes"),
    ("Account,Auth #,Approved,Start,End\nA1,N1,12,2026-01-01,2026-02-01\nA1,N1,10,2026-01-01,2026-02-01\n",
     "auths.csv: line 3: column 'Auth #': authorization N1 for account A1 is also on line 2"),
    ("Account,Auth #,Approved,Start\nA1,N1,12,2026-01-01\n",
     "auths.csv: line 1: no column for 'end'"),
]


@pytest.mark.parametrize(("text", "message"), AUTH_ERRORS)
def test_authorization_errors_are_located(text: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_authorizations(write(tmp_path, "auths.csv", text))
    assert str(caught.value).startswith(message), str(caught.value)


def test_authorizations_into_the_database(services, run_cli, db_path, tmp_path: Path) -> None:
    services.import_paths("csv", [FIXTURES / "csv" / "aging_claims.csv"])
    services.import_paths("settings", [EXAMPLE])
    result = run_cli("import", "auths", str(AUTHS), "--db", str(db_path))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("imported  authorizations.csv: 2 authorizations")
    rows = services.conn.execute(
        "SELECT p.account, y.name, a.number, a.approved, a.used, a.codes FROM authorizations a "
        "JOIN patients p ON p.pk = a.patient_pk LEFT JOIN payers y ON y.pk = a.payer_pk ORDER BY a.number"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("A2044", "Aetna", "AUTH778812", 12, 3, '["97530", "97535", "97110"]'),
        ("A3090", "Blue Cross of Oregon", "PA-55-1209", 24, 0, None),  # "BCBS" is an alias
    ]
    unknown = write(tmp_path, "other.csv", "Account,Auth #,Approved,Start,End\nZ9,N1,1,2026-01-01,2026-02-01\n")
    refused = run_cli("import", "auths", str(unknown), "--db", str(db_path))
    assert refused.exit_code == 1
    assert refused.stderr.strip() == ("error: other.csv: authorization: no patient with account 'Z9'; "
                                      "import the claims (837P or CSV) first")


def test_an_authorization_report_with_a_title_month_name_dates_and_a_totals_row() -> None:
    """As a PM system exports it: "Visits Authorized", "Nov 2, 2026", a "Total" row at the end."""
    batch = parse_authorizations(FIXTURES / "auths" / "auths_pm.csv")
    vance, okonkwo = batch.authorizations
    assert (vance.account, vance.number, vance.approved, vance.used) == ("MRN40021", "UHC-PA-77812", 12, 8)
    assert (vance.start_date, vance.end_date) == (date(2026, 11, 2), date(2027, 1, 31))
    assert vance.codes == ("97530", "97110", "97140")
    assert (okonkwo.number, okonkwo.approved, okonkwo.used) == ("AET 5519-02", 8, 9)
    assert batch.warnings == ["1 totals row(s) skipped (lines 6)"]
