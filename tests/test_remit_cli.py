"""`import 835`, `validate 835` and `unmatched` through the real entry point."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from tests.builders import claim_record, write
from tests.remit_builders import clp, file_835, remittance, svc

KEYS = {"file", "status", "error", "transactions", "claims", "service_lines", "charge_total", "paid_total",
        "patient_responsibility_total", "adjustments", "remark_codes", "matched", "unmatched", "secondary_payments", "balanced",
        "warnings", "imbalances"}


@pytest.fixture
def era(tmp_path: Path) -> Path:
    return file_835(tmp_path, "era.835", remittance(
        clp("C1", "1", svc("97530", 150, 100, ("CO", "45", 30), ("PR", "2", 20)),
            svc("97110", 75, 0, ("CO", "50", 75), remarks=("N115",))),
        clp("GONE", "4", svc("97165", 100, 0, ("CO", "29", 100)), number="ICN9")))


def test_import_835_json(services, run_cli, db_path: Path, era: Path) -> None:
    write(services.conn, claim_record("C1"))
    result = run_cli("import", "835", str(era), "--json", "--db", str(db_path))
    assert result.exit_code == 0, result.stderr
    (data,) = result.json()
    assert set(data) == KEYS
    assert (data["status"], data["claims"], data["service_lines"], data["matched"], data["unmatched"]) == (
        "imported", 2, 3, 1, 1)
    assert (data["charge_total"], data["paid_total"], data["patient_responsibility_total"]) == (325.0, 100.0, 20.0)
    assert data["adjustments"] == [{"group": "CO", "code": "29", "amount": 100.0},
                                   {"group": "CO", "code": "45", "amount": 30.0},
                                   {"group": "CO", "code": "50", "amount": 75.0},
                                   {"group": "PR", "code": "2", "amount": 20.0}]
    assert data["remark_codes"] == {"N115": 1}
    assert data["transactions"] == [{
        "payer_name": "MEDICARE PART B", "payer_id": "04412", "trace_number": "TRC1", "payment_amount": 100.0,
        "payment_date": "2026-09-20", "claims": 2, "plb_total": 0.0, "posted": True}]
    assert data["balanced"] is True and data["error"] is None
    again = run_cli("import", "835", str(era), "--json", "--db", str(db_path)).json()
    assert again[0]["status"] == "duplicate"


def test_exit_code_1_when_any_file_is_rejected(services, run_cli, db_path: Path, era: Path,
                                               tmp_path: Path) -> None:
    bad = tmp_path / "bad.835"
    bad.write_text("ISA*00*junk")
    result = run_cli("import", "835", str(era), str(bad), "--json", "--db", str(db_path))
    assert result.exit_code == 1
    statuses = [(r["file"], r["status"]) for r in result.json()]
    assert statuses == [("era.835", "imported"), ("bad.835", "rejected")]
    assert result.json()[1]["error"].startswith("bad.835: segment 1 (ISA): ")


def test_human_output(services, run_cli, db_path: Path, era: Path) -> None:
    result = run_cli("import", "835", str(era), "--db", str(db_path))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == ("era.835: imported 2 claims, 3 lines: paid $100.00 of $325.00 "
                                             "charged; 0 matched, 2 unmatched; balanced")
    assert "MEDICARE PART B trace TRC1: $100.00 on 2026-09-20, 2 claims" in result.stdout
    assert "RIVERA" not in result.stdout


def test_strict_flag(services, run_cli, db_path: Path, tmp_path: Path) -> None:
    path = file_835(tmp_path, "short.835", remittance(clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30))),
                                                      payment=100))
    result = run_cli("import", "835", str(path), "--strict", "--db", str(db_path))
    assert result.exit_code == 1
    assert "error: short.835: does not balance in 1 place(s)" in result.stderr


def test_unmatched_needs_an_id_for_names(services, run_cli, db_path: Path) -> None:
    result = run_cli("unmatched", "--show-names", "--db", str(db_path))
    assert result.exit_code == 1 and "need a PAYMENT_ID" in result.stderr
    assert run_cli("unmatched", "--db", str(db_path)).stdout.strip() == "No unmatched payments."
    missing = run_cli("unmatched", "99", "--db", str(db_path))
    assert missing.exit_code == 1 and "no unmatched payment 99" in missing.stderr


def test_validate_835_shows_advice(run_cli, tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    path = tmp_path / "v.835"
    path.write_text(file_835(tmp_path, "ok.835", remittance(
        clp("C1", "1", svc("97530", 150, 120, ("CO", "45", 30))))).read_text().replace("N4*NASHVILLE*TN",
                                                                                       "N4*NASHVILLE*ZZ"))
    result = run_cli("validate", "835", str(path))
    assert result.exit_code == 0
    assert "does not pass pyx12" in result.stdout
    assert "advice: line 9: (ZZ) is not a valid code for Payer State Code" in result.stdout
    ok = run_cli("validate", "835", str(tmp_path / "ok.835"), "--json").json()
    assert ok["valid"] is True and ok["findings"] == []


def test_validate_without_pyx12_says_how_to_install(run_cli, tmp_path: Path, monkeypatch) -> None:
    real_import = builtins.__import__

    def no_pyx12(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name.startswith("pyx12"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyx12)
    path = tmp_path / "x.835"
    path.write_text("ISA")
    result = run_cli("validate", "835", str(path))
    assert result.exit_code == 1
    assert "pip install 'ar-assistant[validate]'" in result.stderr


def test_help_texts_have_examples(run_cli) -> None:
    for args in (["import", "835"], ["validate", "835"], ["unmatched"], ["validate"]):
        result = run_cli(*args, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout, args


def test_a_folder_stands_for_its_remittance_files(services, run_cli, db_path: Path, era: Path,
                                                  tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    result = run_cli("import", "835", str(tmp_path), str(tmp_path / "missing.835"), "--json",
                     "--db", str(db_path))
    assert [(r["file"], r["status"]) for r in result.json()] == [
        ("era.835", "imported"), ("missing.835", "rejected")]
    assert result.exit_code == 1
