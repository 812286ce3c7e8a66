"""Patient payments: storage, the one recompute shared with 835 posting, the import with
located errors, the split over an account's open balances, and the `payment` command."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.errors import InvalidInput, NotFound
from assistant.paths import Locations
from assistant.services import Services
from tests.builders import claim_record, write
from tests.remit_builders import clp, file_835, remittance, svc

# The default claim: 97530-GO x2 $150 and 97110-GO x1 $75 on 2026-09-01, billed $225.
HEADER = "Payment Date,Account,Claim #,DOS,Type,Method,Amount,Reference,Memo\n"


def post(services: Services, tmp_path: Path, *claims: Any, name: str = "era.835", **kwargs: Any) -> None:
    path = file_835(tmp_path, name, remittance(*claims, **kwargs))
    (result,) = services.import_835([path])
    assert result["status"] == "imported", result["error"]


def paid_with_coinsurance(pcn: str = "C1") -> Any:
    """Allowed $180, paid $144, patient coinsurance (PR-2) $36."""
    return clp(pcn, "1", svc("97530", 150, 96, ("CO", "45", 30), ("PR", "2", 24)),
               svc("97110", 75, 48, ("CO", "45", 15), ("PR", "2", 12)))


def money(services: Services, claim_id: str = "C1") -> tuple[float, ...]:
    data = services.claim(claim_id)
    return (data["paid"], data["patient_paid"], data["adjusted"], data["patient_responsibility"],
            data["patient_due"], data["balance"])


def payments_file(tmp_path: Path, rows: str, name: str = "payments.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows)
    return path


def import_payments(services: Services, path: Path) -> Any:
    (result,) = services.import_paths("payments", [path])
    return result


# ---------------------------------------------------------------------- the one recompute


def test_a_payment_after_the_835_lowers_the_balance_and_closes_the_claim(services: Services,
                                                                         tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    assert money(services) == (144.0, 0.0, 45.0, 36.0, 36.0, 36.0)
    result = services.record_payment("C1", 3600, method="card", reference="4417")
    assert (result["patient_due"], result["balance"], result["work_status"]) == (0.0, 0.0, "closed")
    assert money(services) == (144.0, 36.0, 45.0, 36.0, 0.0, 0.0)
    data = services.claim("C1")
    (row,) = data["patient_payments"]
    assert (row["amount"], row["method"], row["reference"], row["source"], row["date"]) == (
        36.0, "card", "4417", "manual", "2026-11-26")
    kinds = [(a["kind"], a["field"], a["before"], a["after"]) for a in data["activities"][-2:]]
    assert kinds == [("patient_payment", "patient_paid_cents", "0", "3600"),
                     ("settled", "work_status", "new", "closed")]
    assert "balance $36.00 -> $0.00" in data["activities"][-2]["note"]


def test_an_835_after_a_copay_keeps_the_copay(services: Services, tmp_path: Path) -> None:
    """The copay taken at the front desk, then the payer's answer: 835 recompute keeps it."""
    write(services.conn, claim_record("C1", payer="Aetna"))
    with pytest.raises(InvalidInput, match=r"more than the patient's remaining share of \$0.00 "
                                           r"\(the payer has not assigned a patient share yet\)"):
        services.record_payment("C1", 3000, method="cash")
    services.record_payment("C1", 3000, method="cash", paid_date=date(2026, 9, 1), force=True)
    assert money(services) == (0.0, 30.0, 0.0, 0.0, 0.0, 195.0)
    post(services, tmp_path, clp("C1", "1", svc("97530", 150, 90, ("CO", "45", 30), ("PR", "3", 30)),
                                 svc("97110", 75, 60, ("CO", "45", 15))), payer="AETNA", payer_id="60054")
    assert money(services) == (150.0, 30.0, 45.0, 30.0, 0.0, 0.0)
    assert services.claim("C1")["work_status"] == "closed"


def test_a_reversal_keeps_the_patient_payment(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance(), name="first.835", trace="T1")
    services.record_payment("C1", 3600, method="check", reference="1182")
    assert services.claim("C1")["work_status"] == "closed"
    reversal = clp("C1", "22", svc("97530", -150, -96, ("CO", "45", -30), ("PR", "2", -24)),
                   svc("97110", -75, -48, ("CO", "45", -15), ("PR", "2", -12)))
    post(services, tmp_path, reversal, name="second.835", trace="T2", paid_on=date(2026, 10, 20))
    # The payer took its money back; the patient's $36 is still on the claim.
    assert money(services) == (0.0, 36.0, 0.0, 0.0, 0.0, 189.0)
    data = services.claim("C1")
    assert (data["status"], data["work_status"]) == ("reversed", "new")  # reopened: balance came back
    correction = clp("C1", "1", svc("97530", 150, 96, ("CO", "45", 30), ("PR", "2", 24)),
                     svc("97110", 75, 48, ("CO", "45", 15), ("PR", "2", 12)), number="ICN2", original="ICN1")
    post(services, tmp_path, correction, name="third.835", trace="T3", paid_on=date(2026, 11, 1))
    assert money(services) == (144.0, 36.0, 45.0, 36.0, 0.0, 0.0)
    assert services.claim("C1")["work_status"] == "closed"


def test_a_refund_reopens_a_claim_the_payment_closed(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    services.record_payment("C1", 3600, method="check", reference="1182")
    with pytest.raises(InvalidInput, match="needs a reason"):
        services.record_payment("C1", -3600)
    with pytest.raises(InvalidInput, match=r"a refund of \$40.00 is more than the \$36.00 the patient paid"):
        services.record_payment("C1", -4000, reason="returned check")
    services.record_payment("C1", -3600, reason="returned check (NSF)", reference="1182")
    assert money(services) == (144.0, 0.0, 45.0, 36.0, 36.0, 36.0)
    assert services.claim("C1")["work_status"] == "new"


def test_a_work_status_write_off_survives_payments_and_835s(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, clp("C1", "1", svc("97530", 150, 0), svc("97110", 75, 0),
                                 adjustments=[("CO", "50", 225)]), name="denied.835", trace="T1")
    services.set_status("C1", "written_off", reason="not medically necessary, no appeal")
    row = services.conn.execute(
        "SELECT balance_cents, adjusted_cents, written_off_cents FROM claims WHERE claim_id = 'C1'").fetchone()
    assert tuple(row) == (0, 22500, 22500)
    # A repeat of the denial recomputes the claim from its postings: the write-off stays.
    post(services, tmp_path, clp("C1", "1", svc("97530", 150, 0), svc("97110", 75, 0),
                                 adjustments=[("CO", "50", 225)], number="ICN9"), name="again.835", trace="T2")
    assert services.claim("C1")["balance"] == 0.0
    # The appeal is paid after all: the write-off shrinks, no credit is left.
    post(services, tmp_path, paid_with_coinsurance(), name="paid.835", trace="T3", paid_on=date(2026, 11, 1))
    row = services.conn.execute(
        "SELECT paid_cents, adjusted_cents, written_off_cents, balance_cents FROM claims "
        "WHERE claim_id = 'C1'").fetchone()
    assert tuple(row) == (14400, 4500 + 3600, 3600, 0)
    assert any(a["kind"] == "write_off_reduced" for a in services.claim("C1")["activities"])


def test_adjustment_by_hand_writes_off_the_patients_small_balance(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    services.record_payment("C1", 3200, method="online")
    result = services.record_payment("C1", 400, adjustment=True, reason="small balance write-off")
    assert (result["patient_due"], result["balance"], result["work_status"]) == (0.0, 0.0, "closed")
    assert money(services) == (144.0, 32.0, 49.0, 36.0, 0.0, 0.0)
    with pytest.raises(InvalidInput, match="no payment method"):
        services.record_payment("C1", 100, adjustment=True, method="cash", reason="x")


def test_unknown_claim_and_method(services: Services) -> None:
    write(services.conn, claim_record("C1"))
    with pytest.raises(NotFound, match="no claim 'C9'"):
        services.record_payment("C9", 100, method="cash")
    with pytest.raises(InvalidInput, match="unknown payment method 'bitcoin'"):
        services.record_payment("C1", 100, method="bitcoin", force=True)


# ---------------------------------------------------------------------- the import


def test_import_by_claim_and_by_account(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"), claim_record("C2", dos=date(2026, 9, 8)),
          claim_record("C3", account="A2002", last="Chen"))
    post(services, tmp_path, paid_with_coinsurance("C1"), paid_with_coinsurance("C2"),
         paid_with_coinsurance("C3"))
    path = payments_file(tmp_path, (
        "10/15/2026,A1001,C1,09/01/2026,Patient Payment,Visa,20.00,AUTH77,\n"
        "10/20/2026,A1001,,,Statement payment,Check,40.00,CK 301,\n"   # the account: oldest first
        "10/21/2026,A2002,,09/01/2026,Copay,Cash,36.00,,\n"
        "10/22/2026,A1001,C1,,Insurance payment,EFT,144.00,,\n"
        "Total,,,,,,240.00,,\n"))
    result = import_payments(services, path)
    assert result.status == "imported", result.error
    assert (result.created, result.unchanged, result.counts["payments"]) == (3, 0, 3)
    assert any("insurance" in w for w in result.warnings)
    assert any("totals row" in w for w in result.warnings)
    # C1: $20 + $16 of the account payment; C2: the other $24; C3 by its account and DOS.
    assert money(services, "C1")[1:] == (36.0, 45.0, 36.0, 0.0, 0.0)
    assert money(services, "C2")[1:] == (24.0, 45.0, 36.0, 12.0, 12.0)
    assert money(services, "C3")[1:] == (36.0, 45.0, 36.0, 0.0, 0.0)
    split = [p for p in services.claim("C1")["patient_payments"] + services.claim("C2")["patient_payments"]
             if p["reference"] == "CK 301"]
    assert [(p["amount"], p["receipt_amount"], p["method"], p["line"]) for p in split] == [
        (16.0, 40.0, "check", 3), (24.0, 40.0, "check", 3)]
    assert split[0]["receipt"] == split[1]["receipt"]
    assert services.claim("C1")["work_status"] == "closed"
    assert services.claim("C2")["work_status"] == "new"


def test_the_same_file_twice_is_a_duplicate_and_an_overlapping_export_skips_known_rows(
        services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    rows = "10/15/2026,A1001,C1,,Payment,Card,10.00,A1,\n10/15/2026,A1001,C1,,Payment,Card,10.00,A1,\n"
    first = payments_file(tmp_path, rows, "week1.csv")
    assert import_payments(services, first).status == "imported"
    assert import_payments(services, first).status == "duplicate"
    overlap = payments_file(tmp_path, rows + "10/30/2026,A1001,C1,,Payment,Card,10.00,A1,\n", "week2.csv")
    result = import_payments(services, overlap)
    assert (result.status, result.created, result.unchanged) == ("imported", 1, 2)
    assert "imported from week1.csv; skipped" in result.warnings[0]
    assert money(services)[1] == 30.0


@pytest.mark.parametrize(("row", "where"), [
    ("10/15/2026,A1001,C9,,Payment,Card,10.00,,", "line 2: column 'Claim #': no claim C9 on file"),
    ("10/15/2026,A9999,,,Payment,Card,10.00,,", "line 2: column 'Account': no patient with account A9999"),
    ("10/15/2026,A1001,,09/02/2026,Payment,Card,10.00,,",
     "line 2: column 'DOS': account A1001 has no claim for service on 2026-09-02"),
    ("soon,A1001,C1,,Payment,Card,10.00,,", "line 2: column 'Payment Date': not a date"),
    ("10/15/2026,A1001,C1,,Payment,Card,ten,,", "line 2: column 'Amount': not an amount"),
    ("10/15/2026,A1001,C1,,Payment,Card,-10.00,,", "line 2: column 'Amount': a negative amount"),
    ("10/15/2026,A1001,C1,,Refund,Card,50.00,,", "line 2: column 'Amount': a refund of $50.00 is more than"),
    ("10/15/2026,A1001,C1,,Bonus,Card,10.00,,", "line 2: column 'Type': not a payment, refund or adjustment"),
    ("10/15/2026,A1001,C1,,Small balance adj,,300.00,,", "line 2: column 'Amount': an adjustment of $300.00"),
])
def test_located_errors_leave_the_database_as_it_was(services: Services, tmp_path: Path, row: str,
                                                     where: str) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    before = money(services)
    path = payments_file(tmp_path, "10/01/2026,A1001,C1,,Payment,Cash,1.00,,\n" + row + "\n")
    result = import_payments(services, path)
    assert result.status == "rejected"
    assert result.error.startswith(f"payments.csv: {where}".replace("line 2", "line 3")), result.error
    assert "Rivera" not in result.error
    assert money(services) == before
    assert services.conn.execute("SELECT count(*) FROM patient_payments").fetchone()[0] == 0


def test_missing_columns_are_named(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Account,Amount\nA1001,10\n")
    result = import_payments(services, path)
    assert result.status == "rejected"
    assert "p.csv: line 1: no column for the payment date" in result.error


def test_a_refund_and_a_returned_check_by_account(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"), claim_record("C2", dos=date(2026, 9, 8)))
    post(services, tmp_path, paid_with_coinsurance("C1"), paid_with_coinsurance("C2"))
    path = payments_file(tmp_path, (
        "10/20/2026,A1001,,,Payment,Check,72.00,CK9,\n"
        "10/28/2026,A1001,,,Returned check,Check,72.00,CK9,\n"
        "11/02/2026,A1001,,09/08/2026,Payment,Card,36.00,,\n"))
    result = import_payments(services, path)
    assert result.status == "imported", result.error
    assert money(services, "C1")[1] == 0.0 and money(services, "C2")[1] == 36.0
    refunds = [p for p in services.claim("C1")["patient_payments"] if p["amount"] < 0]
    assert [(p["amount"], p["reason"]) for p in refunds] == [(-36.0, "Returned check")]


def test_a_copay_before_the_payer_answers_goes_to_that_days_claim(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1", payer="Aetna"), claim_record("C2", payer="Aetna", dos=date(2026, 9, 8)))
    path = payments_file(tmp_path, "09/08/2026,A1001,,09/08/2026,Copay,Debit card,30.00,,\n")
    result = import_payments(services, path)
    assert result.status == "imported" and result.warnings == []
    assert money(services, "C2") == (0.0, 30.0, 0.0, 0.0, 0.0, 195.0)
    assert money(services, "C1")[1] == 0.0


def test_a_mapping_file_names_the_exports_columns(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    mapping = tmp_path / "pm.toml"
    mapping.write_text('[csv]\ndate_format = "%d.%m.%Y"\ndelimiter = ";"\n'
                       '[columns]\nclaim_id = "Beleg"\npaid_date = "Datum"\namount = "Betrag"\n'
                       '[defaults]\nmethod = "card"\n')
    path = tmp_path / "export.csv"
    path.write_text("Datum;Beleg;Betrag\n15.10.2026;C1;36,00\n")
    (result,) = services.import_paths("payments", [path], mapping=mapping)
    assert result.status == "imported", result.error
    (row,) = services.claim("C1")["patient_payments"]
    assert (row["amount"], row["method"], row["date"]) == (36.0, "card", "2026-10-15")
    bad = tmp_path / "bad.toml"
    bad.write_text('[defaults]\nmethod = "barter"\n')
    other = tmp_path / "other.csv"
    other.write_text("Payment Date,Claim #,Amount\n10/16/2026,C1,1.00\n")
    (result,) = services.import_paths("payments", [other], mapping=bad)
    assert result.status == "rejected" and "defaults.method" in result.error


# ---------------------------------------------------------------------- the CLI


def test_payment_command(services: Services, tmp_path: Path, run_cli, db_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    services.close()
    db = ("--db", str(db_path), "--today", "2026-11-26")
    refused = run_cli("payment", "C1", "50", "--method", "card", *db)
    assert refused.exit_code == 1
    assert "$50.00 is more than the patient's remaining share of $36.00" in refused.stderr
    assert "--force" in refused.stderr
    done = run_cli("payment", "C1", "20", "--method", "visa", "--ref", "4417", "--date", "11/20/2026",
                   "--json", *db)
    assert done.exit_code == 0, done.stderr
    assert done.json()["patient_due"] == 16.0 and done.json()["method"] == "card"
    text = run_cli("payment", "C1", "16", "--method", "cash", *db)
    assert "recorded  cash payment $16.00 on C1" in text.stdout and "work status closed" in text.stdout
    refund = run_cli("payment", "C1", "16", "--refund", "--reason", "paid twice", "--json", *db)
    assert refund.json()["patient_paid"] == 20.0
    shown = run_cli("claim", "C1", "--json", *db).json()
    assert [p["amount"] for p in shown["patient_payments"]] == [20.0, 16.0, -16.0]


def test_import_payments_command(services: Services, tmp_path: Path, run_cli, db_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    services.close()
    path = payments_file(tmp_path, "10/15/2026,A1001,C1,,Payment,Card,36.00,,\n")
    out = run_cli("import", "payments", str(path), "--db", str(db_path))
    assert out.exit_code == 0, out.stderr
    assert "imported  payments.csv: 1 payment (1 recorded on 1 claim, 0 already imported)" in out.stdout
    again = run_cli("import", "payments", str(path), "--json", "--db", str(db_path))
    assert again.json()[0]["status"] == "duplicate"


def test_a_payment_for_a_visit_stays_on_that_visit(services: Services, tmp_path: Path) -> None:
    """The visit's claim was denied (no patient share): its copay stays on it, not on older visits."""
    write(services.conn, claim_record("C1"), claim_record("C2", dos=date(2026, 9, 8)))
    post(services, tmp_path, paid_with_coinsurance("C1"),
         clp("C2", "1", svc("97530", 150, 0), svc("97110", 75, 0), adjustments=[("CO", "197", 225)]))
    path = payments_file(tmp_path, "09/08/2026,A1001,,09/08/2026,Copay,Card,30.00,,\n")
    result = import_payments(services, path)
    assert result.status == "imported" and result.warnings == []
    assert money(services, "C1")[1] == 0.0  # C1's $36 is still the patient's to pay
    assert money(services, "C2") == (0.0, 30.0, 0.0, 0.0, 0.0, 195.0)


def test_an_overpayment_is_kept_as_a_credit_and_warned(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    path = payments_file(tmp_path, "10/15/2026,A1001,C1,,Payment,Card,40.00,,\n")
    result = import_payments(services, path)
    assert result.status == "imported"
    assert result.warnings == ["line 2: claim C1 is paid $4.00 more than its balance: a credit to refund or apply"]
    data = services.claim("C1")
    assert (data["balance"], data["patient_due"], data["work_status"]) == (-4.0, 0.0, "new")
    # Refunding the $4 settles it.
    services.record_payment("C1", -400, reason="overpayment refunded", method="check")
    assert services.claim("C1")["work_status"] == "closed"


def test_the_migration_keeps_an_earlier_write_off(tmp_path: Path) -> None:
    """A claim written off before patient payments existed: the step records what the write-off
    took, so a later recompute (an 835) keeps it."""
    import json

    from sqlite_utils import Database

    from assistant.storage.db import connect
    from assistant.storage.schema import STEPS, migrate_to_latest, migrations, patient_payments

    path = tmp_path / "old.db"
    old = connect(path)
    migrations().apply(Database(old, execute_plugins=False), stop_before="patient_payments")
    old.execute("PRAGMA user_version = 5")
    # Today's writer needs today's schema: write there, then copy the columns the old one has.
    current = Services(Locations.resolve(tmp_path / "current.db"), today=date(2026, 11, 26), user="tester")
    current.create_database()
    write(current.conn, claim_record("C1"), claim_record("C2", account="A2"))
    with old:
        for table in ("payers", "providers", "patients", "coverages", "claims", "claim_lines", "diagnoses",
                      "activities"):
            have = {row[1] for row in old.execute(f"PRAGMA table_info({table})")}
            columns = [row[1] for row in current.conn.execute(f"PRAGMA table_info({table})") if row[1] in have]
            rows = current.conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            old.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                            f"({', '.join('?' * len(columns))})", [tuple(r) for r in rows])
    current.close()
    with old:
        old.execute("UPDATE claims SET work_status = 'written_off', adjusted_cents = 22500, balance_cents = 0 "
                    "WHERE claim_id = 'C1'")
        old.execute("INSERT INTO activities (claim_pk, user, kind, field, before, after, details) "
                    "SELECT pk, 'tester', 'write_off', 'balance_cents', '22500', '0', ? FROM claims "
                    "WHERE claim_id = 'C1'", (json.dumps({"amount_cents": 22500, "reason": "old"}),))
    assert migrate_to_latest(old) == len(STEPS) - STEPS.index(patient_payments)  # this step and any after
    rows = dict(old.execute("SELECT claim_id, written_off_cents FROM claims").fetchall())
    assert rows == {"C1": 22500, "C2": 0}
    old.close()
    later = Services(Locations.resolve(path), today=date(2026, 11, 26), user="tester")
    post(later, tmp_path, clp("C1", "1", svc("97530", 150, 0), svc("97110", 75, 0),
                              adjustments=[("CO", "50", 225)]))
    assert later.claim("C1")["balance"] == 0.0
    later.close()


@given(st.lists(st.integers(min_value=-5000, max_value=50000), min_size=1, max_size=8),
       st.integers(min_value=1, max_value=200000))
def test_split_oldest_first(open_shares: list[int], amount: int) -> None:
    from assistant.patient_payments import split_oldest_first

    parts = split_oldest_first(open_shares, amount)
    assert len(parts) == len(open_shares)
    assert all(0 <= part <= max(share, 0) for part, share in zip(parts, open_shares, strict=True))
    assert sum(parts) == min(amount, sum(max(s, 0) for s in open_shares))
    # Oldest first: a share gets something only when every older one is full.
    for i, part in enumerate(parts):
        if part:
            assert all(parts[j] == max(open_shares[j], 0) for j in range(i))


@given(st.integers(0, 100_000), st.integers(0, 100_000), st.integers(0, 100_000), st.integers(0, 50_000),
       st.integers(-20_000, 50_000), st.integers(-5_000, 5_000), st.integers(0, 100_000))
def test_claim_money_round_trips_and_never_keeps_a_credit_a_write_off_can_absorb(
        billed: int, paid: int, payer_off: int, patient_paid: int, patient_adjusted: int, unexplained: int,
        written_off: int) -> None:
    from assistant.settlement import ClaimMoney

    money = ClaimMoney(billed, paid, payer_off, patient_paid, patient_adjusted, written_off, unexplained)
    again = ClaimMoney.stored(billed, paid, money.adjusted, money.balance, patient_paid, patient_adjusted,
                              written_off)
    assert again == money
    before = money.balance
    shrunk = money.settle()
    assert money.balance == before + shrunk and money.written_off == written_off - shrunk
    assert shrunk == (min(-before, written_off) if before < 0 else 0)


_TYPES = {"Patient Payment": ("payment", 1), "Copay": ("payment", 1), "Refund": ("payment", -1),
          "Returned check (NSF)": ("payment", -1), "Small Balance Adj": ("adjustment", 1),
          "Write-off reversal": ("adjustment", -1), "": ("payment", 1)}
_METHOD_WORDS = {"Visa": "card", "Card on file": "card", "Cash": "cash", "Check": "check", "Money Order": "check",
                 "Patient Portal": "online", "ACH": "online", "e-check": "online", "": "other"}


@given(st.lists(st.tuples(st.sampled_from(sorted(_TYPES)), st.sampled_from(sorted(_METHOD_WORDS)),
                          st.integers(1, 999_999), st.dates(date(2020, 1, 1), date(2030, 12, 31)),
                          st.booleans()), min_size=1, max_size=12))
def test_payment_rows_parse_back(tmp_path_factory: pytest.TempPathFactory,
                                 rows: list[tuple[str, str, int, date, bool]]) -> None:
    from assistant.importers.patient_payments import parse_payments_csv

    lines = [HEADER.strip()]
    for kind, method, cents, day, by_claim in rows:
        ref = "" if by_claim else f"{day:%m/%d/%Y}"
        lines.append(f"{day:%m/%d/%Y},A1,{'C1' if by_claim else ''},{ref},{kind},{method},"
                     f"\"{cents / 100:,.2f}\",R1,")
    path = tmp_path_factory.mktemp("p") / "p.csv"
    path.write_text("\n".join(lines) + "\n")
    batch = parse_payments_csv(path)
    assert len(batch.patient_payments) == len(rows)
    for record, (kind, method, cents, day, by_claim) in zip(batch.patient_payments, rows, strict=True):
        expected_kind, sign = _TYPES[kind]
        assert (record.kind.value, record.amount_cents, record.paid_date) == (expected_kind, sign * cents, day)
        assert record.method is None if expected_kind == "adjustment" else record.method.value == _METHOD_WORDS[method]
        assert (record.claim_id, record.service_date) == (("C1", None) if by_claim else (None, day))
        assert record.amount_cents > 0 or record.reason == kind


def test_an_adjustment_by_hand_is_for_the_patients_share(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, clp("C1", "1", svc("97530", 150, 96, ("CO", "45", 30), ("PR", "2", 24)),
                                 svc("97110", 75, 0, ("CO", "50", 75))))
    with pytest.raises(InvalidInput, match=r"an adjustment of \$99.00 is more than the patient's remaining "
                                           r"share of \$24.00 .*status C1 written_off"):
        services.record_payment("C1", 9900, adjustment=True, reason="give up")
    services.record_payment("C1", 2400, adjustment=True, reason="hardship")
    assert money(services) == (96.0, 0.0, 54.0, 24.0, 0.0, 75.0)  # the denied line is still the payer's


def test_an_unknown_method_is_other_and_never_echoed(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    path = payments_file(tmp_path, "10/15/2026,A1001,C1,,Payment,Maria Rivera's brother,10.00,,\n")
    result = import_payments(services, path)
    assert result.status == "imported"
    assert result.warnings == ["1 row(s) with a method that is not cash, check, card or online recorded as "
                               "other (lines 2); name the method in the export, or set [defaults] method in "
                               "a mapping file"]
    assert services.claim("C1")["patient_payments"][0]["method"] == "other"


def test_a_folder_of_monthly_exports_is_imported_in_order(services: Services, tmp_path: Path) -> None:
    write(services.conn, claim_record("C1"))
    post(services, tmp_path, paid_with_coinsurance())
    folder = tmp_path / "exports"
    folder.mkdir()
    payments_file(folder, "10/15/2026,A1001,C1,,Payment,Check,36.00,77,\n", "2026-10.csv")
    payments_file(folder, "11/02/2026,A1001,C1,,Returned check,Check,36.00,77,\n", "2026-11.csv")
    (folder / "README.pdf").write_bytes(b"%PDF")
    results = services.import_paths("payments", [folder])
    assert [(r.file, r.status) for r in results] == [("2026-10.csv", "imported"), ("2026-11.csv", "imported")]
    assert money(services)[1] == 0.0 and services.claim("C1")["work_status"] == "new"


def test_an_export_with_both_a_method_and_a_payment_type_column() -> None:
    """"Payment Type" says copay, refund or insurance while "Method" says Visa or Check: the
    insurance row is skipped, not posted as the patient's money; the totals row too."""
    from assistant.importers.patient_payments import parse_payments_csv

    batch = parse_payments_csv(Path(__file__).parent / "fixtures" / "payments" / "payments_pm.csv")
    assert [(p.amount_cents, p.method.value if p.method else None, p.reason)
            for p in batch.patient_payments] == [
        (4000, "card", "front desk"), (3700, "check", "statement"), (-1500, "check", "overpaid statement")]
    assert batch.warnings == ["1 totals row(s) skipped (lines 6)",
                              "1 row(s) of insurance payments (they come from 835 files) skipped (lines 5)"]


def test_an_insurance_row_named_only_in_the_method_column_is_skipped(tmp_path: Path) -> None:
    from assistant.importers.patient_payments import parse_payments_csv

    path = tmp_path / "pay.csv"
    path.write_text("Date,Account,Amount,Payment Method\n11/02/2026,A1001,20.00,Visa\n"
                    "11/03/2026,A1001,96.00,Insurance Payment\n")
    batch = parse_payments_csv(path)
    assert [p.amount_cents for p in batch.patient_payments] == [2000]
    assert "insurance" in batch.warnings[0]
