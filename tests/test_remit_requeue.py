"""The unmatched queue matched again when the claims arrive after their 835.

Real 835 and 837 text through the real readers, posting and imports (tests/synthetic.py:
Medicare allows 80%, pays 80% of that, 20% coinsurance; every 7th claim denied CO-50).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.paths import Locations
from assistant.services import Services
from tests.builders import claim_record, write
from tests.remit_builders import clp, file_835, remittance, svc
from tests.synthetic import x835, x837


def _files(tmp_path: Path, claims: int = 10) -> tuple[Path, Path]:
    era = tmp_path / "early.835"
    era.write_text(x835(claims, trace="EARLY1"))
    sent = tmp_path / "claims.837"
    sent.write_text(x837(claims))
    return era, sent


def _totals(services: Services) -> tuple[int, ...]:
    return tuple(services.conn.execute(
        "SELECT count(*), sum(paid_cents), sum(adjusted_cents), sum(patient_resp_cents), sum(balance_cents) "
        "FROM claims").fetchone())


def test_an_835_before_its_837_is_posted_when_the_claims_arrive(services: Services, tmp_path: Path) -> None:
    era, sent = _files(tmp_path)
    (early,) = services.import_835([era])
    assert (early["matched"], early["unmatched"]) == (0, 10)
    assert len(services.unmatched()) == 10

    (imported,) = services.import_paths("837", [sent])
    assert imported.status == "imported", imported.error
    assert imported.as_dict()["queued_payments_posted"] == 10
    assert services.unmatched() == []

    # The same money as an 837 first, then its 835, in another database.
    other = Services(Locations.resolve(tmp_path / "other" / "ar.db"), today=services.today, user="tester")
    other.create_database()
    try:
        other.import_paths("837", [sent])
        other.import_835([era])
        assert _totals(services) == _totals(other)
    finally:
        other.close()
    # 8 claims paid (80% of $1,875 allowed less 20% coinsurance), 2 denied in full ($150, $315).
    assert _totals(services) == (10, 120000, 37500, 30000, 69000)
    matched = services.conn.execute(
        "SELECT DISTINCT match_method FROM claim_payments WHERE claim_pk IS NOT NULL").fetchall()
    assert [m[0] for m in matched] == ["pcn"]
    notes = services.conn.execute(
        "SELECT count(*) FROM activities WHERE kind = 'posting' AND claim_pk IS NOT NULL "
        "AND note LIKE '%posted when claims.837 brought its claim%'").fetchone()[0]
    assert notes == 10
    summary = services.conn.execute(
        "SELECT summary FROM import_files WHERE kind = '837'").fetchone()[0]
    assert '"queued_payments_posted": 10' in summary


def test_one_claim_exactly(services: Services, tmp_path: Path) -> None:
    era, sent = _files(tmp_path, claims=3)
    services.import_835([era])
    services.import_paths("837", [sent])
    # SYN000000 (claim 0) is denied CO-50; SYN000001 pays 97530 $150 + 97110 $90:
    # allowed $192, paid $153.60, CO-45 $48, PR-2 $38.40.
    rows = dict((r[0], tuple(r[1:])) for r in services.conn.execute(
        "SELECT claim_id, paid_cents, adjusted_cents, patient_resp_cents, balance_cents, payer_status "
        "FROM claims"))
    assert rows["SYN000000"] == (0, 0, 0, 15000, "denied")
    assert rows["SYN000001"] == (15360, 4800, 3840, 3840, "paid")


def test_reimporting_the_same_files_changes_nothing(services: Services, tmp_path: Path) -> None:
    era, sent = _files(tmp_path)
    services.import_835([era])
    services.import_paths("837", [sent])
    before = _totals(services)
    activities = services.conn.execute("SELECT count(*) FROM activities").fetchone()[0]
    (again,) = services.import_paths("837", [sent])
    assert again.status == "duplicate"
    assert services.import_835([era])[0]["status"] == "duplicate"
    assert _totals(services) == before
    assert services.conn.execute("SELECT count(*) FROM activities").fetchone()[0] == activities


def test_an_import_posts_only_to_its_own_claims(services: Services, tmp_path: Path) -> None:
    # A payment that fits two claims on file by patient, dates and charge stays queued: the
    # import of a third, unrelated claim does not settle that for the specialist.
    write(services.conn, claim_record("A1"), claim_record("A2"))
    early = clp("NOPE", "1", svc("97530", 150, 120, ("CO", "45", 30)), svc("97110", 75, 60, ("CO", "45", 15)))
    (result,) = services.import_835([file_835(tmp_path, "early.835", remittance(early))])
    assert result["unmatched"] == 1
    sent = tmp_path / "other.837"
    sent.write_text(x837(1, prefix="OTH"))
    (imported,) = services.import_paths("837", [sent])
    assert imported.as_dict()["queued_payments_posted"] == 0
    assert len(services.unmatched()) == 1


def test_a_csv_export_matches_by_patient_dates_and_charge(services: Services, tmp_path: Path) -> None:
    # The payer echoes a claim number the practice system does not export: patient + dates + charge.
    early = clp("PMS-77", "1", svc("97530", 150, 120, ("CO", "45", 30)), svc("97110", 75, 60, ("CO", "45", 15)),
                last="RIVERA", member="MA1001")
    services.import_835([file_835(tmp_path, "early.835", remittance(early))])
    export = tmp_path / "aging.csv"
    export.write_text("Claim #,Patient,Account,DOB,Payer,Payer ID,DOS,Billed,Paid,Balance\n"
                      'OT260901A1,"Rivera, Maria",A1001,04/02/1950,Medicare Part B,04412,09/01/2026,'
                      "225.00,0.00,225.00\n")
    (imported,) = services.import_paths("csv", [export])
    assert imported.status == "imported", imported.error
    assert imported.as_dict()["queued_payments_posted"] == 1
    row = services.conn.execute(
        "SELECT paid_cents, adjusted_cents, balance_cents, payer_status, work_status FROM claims "
        "WHERE claim_id = 'OT260901A1'").fetchone()
    assert tuple(row) == (18000, 4500, 0, "paid", "closed")
    method = services.conn.execute("SELECT match_method FROM claim_payments").fetchone()[0]
    assert method == "patient_dates_charge"


def test_the_cli_lists_and_rematches_the_queue(services: Services, tmp_path: Path, run_cli: Any,
                                               db_path: Path) -> None:
    early = clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30)), svc("97110", 75, 60, ("CO", "45", 15)))
    services.import_835([file_835(tmp_path, "early.835", remittance(early))])
    listed = run_cli("unmatched", "--json", "--db", str(db_path))
    assert [p["claim_id"] for p in listed.json()] == ["C1"]
    # The claim comes in by a path that does not match the queue (a test writer, no import).
    write(services.conn, claim_record("C1"))
    done = run_cli("unmatched", "--rematch", "--json", "--db", str(db_path))
    assert done.exit_code == 0, done.stderr
    data = done.json()
    assert (data["posted"], data["still_unmatched"]) == (1, 0)
    assert data["payments"][0]["claim_id"] == "C1" and data["payments"][0]["match"] == "pcn"
    assert services.claim("C1")["balance"] == 0.0
    again = run_cli("unmatched", "--rematch", "--db", str(db_path))
    assert "Posted 0 queued payment(s); 0 still unmatched." in again.stdout
