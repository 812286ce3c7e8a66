"""The synthetic sample practice: deterministic files, valid X12, planted errors at their
rates, balanced remittances, and the database built through the real importers."""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.domain import UnitRule
from assistant.importers.x12 import tokenize, transactions
from assistant.paths import bundled
from assistant.remit.records import RemittanceRecord
from assistant.sample.ids import make_mbi, npi_is_valid
from assistant.sample.inputs import load_profile
from assistant.sample.sources import PLANTED_FILE, Sources, generate_sources
from assistant.sample.units import cms_units, per_code_units
from tests.conftest import TODAY

SEED = 20261126


def _generate(folder: Path, claims: int, seed: int = SEED,
              remits: list[RemittanceRecord] | None = None) -> Sources:
    def keep(remittance: RemittanceRecord, control: int) -> str:
        if remits is not None:
            remits.append(remittance)
        return f"{remittance.payer_name} {remittance.payment_date} {control}\n"

    return generate_sources(load_profile(), folder, today=TODAY, claims=claims, seed=seed,
                            remit_writer=keep, progress=lambda _d, _t: None)


@pytest.fixture(scope="module")
def default_year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Sources, list[RemittanceRecord]]:
    """The default sample's files (3,000 claims), generated once for this module."""
    remits: list[RemittanceRecord] = []
    sources = _generate(tmp_path_factory.mktemp("sample") / "sources", 3000, remits=remits)
    return sources, remits


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _claims_in(sources: Sources) -> dict[str, list[list[str]]]:
    """claim id -> its SV1 segments' elements, read back from the 837 batches."""
    claims: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for path in sources.batches:
        for seg in tokenize(path.read_bytes(), path.name).segments:
            if seg.id == "CLM":
                current = claims.setdefault(seg.get(1), [])
            elif seg.id in ("SV1", "HI"):
                current.append(seg.elements)
    return claims


# ---------------------------------------------------------------------- shape of the year


def test_default_shape_meets_the_issue(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    sources, _ = default_year
    stats = sources.stats
    assert stats["claims"] == 3000
    assert stats["patients"] >= 400
    assert len(_claims_in(sources)) == 3000
    payers = {re.search(r"NM1\*PR\*2\*([^*]+)", p.read_text()).group(1)  # type: ignore[union-attr]
              for p in sources.batches}
    assert len(payers) >= 1
    named = set()
    for path in sources.batches:
        named.update(re.findall(r"NM1\*PR\*2\*([^*]+)\*", path.read_text()))
    assert named == {p.name.upper() for p in load_profile().payers}
    assert len(sources.notes) > 3000
    assert sources.authorizations is not None


def test_claims_fall_in_the_last_twelve_months(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    sources, _ = default_year
    first = TODAY - timedelta(days=364)
    dates = set()
    for path in sources.batches:
        dates.update(re.findall(r"DTP\*472\*D8\*(\d{8})", path.read_text()))
    days = sorted(date(int(d[:4]), int(d[4:6]), int(d[6:])) for d in dates)
    assert days[0] >= first and days[-1] <= TODAY
    assert (days[-1] - days[0]).days > 300
    submitted = [date.fromisoformat(p.stem) for p in sources.batches]
    assert max(submitted) <= TODAY


def test_code_mix_is_ot(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    sources, _ = default_year
    codes = Counter()
    modifiers = Counter()
    for lines in _claims_in(sources).values():
        for elements in lines:
            if elements[0] == "SV1":
                parts = elements[1].split(":")
                codes[parts[1]] += 1
                modifiers.update(parts[2:])
    for code in ("97165", "97166", "97167", "97168", "97110", "97112", "97140", "97530", "97535",
                 "97150", "97129", "97130", "G0283", "97014", "97760", "97763"):
        assert codes[code] > 0, code
    assert codes.most_common(1)[0][0] in ("97530", "97110", "97535")
    for modifier in ("GO", "KX", "CO", "59"):
        assert modifiers[modifier] > 0, modifier


def test_count_is_exact_for_any_size(tmp_path: Path) -> None:
    for claims in (1, 7, 250):
        sources = _generate(tmp_path / str(claims), claims, seed=claims)
        assert sources.stats["claims"] == claims
        assert len(_claims_in(sources)) == claims


# ---------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", 300)
    second = _generate(tmp_path / "b", 300)
    assert _digests(first.folder) == _digests(second.folder)
    other = _generate(tmp_path / "c", 300, seed=SEED + 1)
    assert _digests(other.folder) != _digests(first.folder)


# ---------------------------------------------------------------------- identifiers


def test_identifiers_pass_their_checks(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    sources, _ = default_year
    text = "".join(p.read_text() for p in sources.batches[:40])
    npis = set(re.findall(r"\*XX\*(\d+)~", text))
    assert npis and all(npi_is_valid(n) for n in npis)
    assert re.search(r"REF\*EI\*\d{9}~", text)
    mbis = re.findall(r"NM1\*IL\*1\*[^*]+\*[^*]+\*\*\*\*MI\*([^~]+)~\s*N3[^~]*~\s*N4[^~]*~\s*DMG[^~]*~\s*"
                      r"NM1\*PR\*2\*MEDICARE PART B", text)
    assert mbis and all(re.fullmatch(r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y]"
                                     r"[AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y]{2}\d\d", m) for m in mbis)


def test_mbi_format() -> None:
    import random

    rng = random.Random(1)
    for _ in range(200):
        mbi = make_mbi(rng)
        assert len(mbi) == 11 and not set(mbi) & set("SLOIBZ")


def test_bundled_npis_are_luhn_valid() -> None:
    raw = tomllib.loads((bundled("sample_db") / "clinic.toml").read_text())
    numbers = [raw["practice"]["npi"], *(p["npi"] for p in raw["therapists"] + raw["physicians"])]
    assert all(npi_is_valid(n) for n in numbers)
    assert re.fullmatch(r"\d{9}", raw["practice"]["tax_id"])


# ---------------------------------------------------------------------- the 8-minute rule


@pytest.mark.parametrize(("minutes", "expected"), [
    ({"97112": 24, "97110": 23}, {"97112": 2, "97110": 1}),
    ({"97110": 33, "97140": 7}, {"97110": 2, "97140": 1}),
    ({"97110": 18, "97140": 13, "97116": 10, "97035": 8},
     {"97110": 1, "97140": 1, "97116": 1, "97035": 0}),
    ({"97530": 60}, {"97530": 4}),
    ({"97530": 7}, {"97530": 0}),
])
def test_cms_units_reproduce_the_published_examples(minutes: dict[str, int],
                                                    expected: dict[str, int]) -> None:
    assert cms_units(minutes) == expected


def test_per_code_units_round_each_code() -> None:
    assert per_code_units({"97112": 24, "97110": 23}) == {"97112": 2, "97110": 2}
    assert per_code_units({"97110": 7, "97140": 8}) == {"97110": 0, "97140": 1}


def _note_minutes(path: Path) -> tuple[str, dict[str, int]]:
    text = path.read_text()
    account = re.search(r"^account: (\S+)", text, re.M).group(1)  # type: ignore[union-attr]
    day = re.search(r"^date: (\S+)", text, re.M).group(1)  # type: ignore[union-attr]
    minutes = {m.group(1): int(m.group(2))
               for m in re.finditer(r"^(\d{5}|G\d{4}) [^:\n]+: (\d+) min$", text, re.M)}
    return f"{account}:{day}", minutes


def test_clean_claims_follow_the_8_minute_rule_and_planted_ones_break_it(
        default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    """Units on the 837 agree with the note's minutes under the payer's rule, except where
    units_8_minute was planted (and there they bill more than the minutes support)."""
    sources, _ = default_year
    profile = load_profile()
    rule = {p.name.upper(): p.unit_rule for p in profile.payers}
    timed = {code for code, fee in profile.fees.items() if fee.timed}
    notes = dict(_note_minutes(p) for p in sources.notes if p.stem.endswith("daily-note") and p.suffix != ".docx")
    planted = json.loads((sources.folder / PLANTED_FILE).read_text())
    checked = broken = 0
    for path in sources.batches:
        text = path.read_text()
        for block in text.split("~\nCLM*")[1:]:
            claim_id = block.split("*", 1)[0]
            account = re.search(r"REF\*EA\*(\w+)", block).group(1)  # type: ignore[union-attr]
            payer = re.findall(r"NM1\*PR\*2\*([^*]+)\*", text[:text.index(f"CLM*{claim_id}*")])[-1]
            lines = re.findall(r"SV1\*HC:(\w+)[^*]*\*[\d.]+\*UN\*(\d+)", block)
            day = re.search(r"DTP\*472\*D8\*(\d{8})", block).group(1)  # type: ignore[union-attr]
            key = f"{account}:{day[:4]}-{day[4:6]}-{day[6:]}"
            if key not in notes or "duplicate_submission" in planted.get(claim_id, []):
                continue
            minutes = {c: m for c, m in notes[key].items() if c in timed}
            expected = cms_units(minutes) if rule[payer] is UnitRule.CMS else per_code_units(minutes)
            billed = {code: int(units) for code, units in lines if code in timed}
            right = all(billed[c] == expected.get(c, 0) for c in billed if c not in ("97129", "97130"))
            if "units_8_minute" in planted.get(claim_id, []):
                broken += 1
                assert sum(billed.values()) > sum(expected.values()) or not right, claim_id
            else:
                checked += 1
                assert right, (claim_id, minutes, billed, rule[payer])
    assert checked > 1000 and broken > 10


# ---------------------------------------------------------------------- planted errors


def test_planted_errors_at_their_rates(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    sources, _ = default_year
    profile = load_profile()
    tally = sources.stats["planted"]
    for kind, entry in profile.planted.items():
        counts = tally.get(kind)
        assert counts is not None, f"{kind} never considered"
        n, hits = counts["eligible"], counts["planted"]
        assert n >= 20, kind
        spread = 4 * math.sqrt(entry.rate * (1 - entry.rate) / n) + 1.5 / n
        assert abs(hits / n - entry.rate) <= spread, (kind, hits, n, entry.rate)
    planted = json.loads((sources.folder / PLANTED_FILE).read_text())
    seen = Counter(kind for kinds in planted.values() for kind in kinds)
    claim_kinds = [k for k in profile.planted if k not in ("reversal", "recoupment")]
    assert all(seen[k] > 0 for k in claim_kinds), [k for k in claim_kinds if not seen[k]]


def test_planted_errors_are_in_the_claims(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    sources, _ = default_year
    planted = json.loads((sources.folder / PLANTED_FILE).read_text())
    claims = _claims_in(sources)
    valid_dx = {code for c in load_profile().conditions for d in (*c.primary, *c.secondary)
                for code in (d.code, d.right, d.left) if code}

    def lines(claim_id: str) -> list[list[str]]:
        return [e[1].split(":") for e in claims[claim_id] if e[0] == "SV1"]

    for claim_id, kinds in planted.items():
        if "missing_go" in kinds:
            assert any("GO" not in parts[2:] for parts in lines(claim_id)), claim_id
        if "gp_instead_of_go" in kinds:
            assert any("GP" in parts[2:] for parts in lines(claim_id)), claim_id
        if "medicare_97014" in kinds:
            assert any(parts[1] == "97014" for parts in lines(claim_id)), claim_id
        if "addon_without_base" in kinds:
            codes = [parts[1] for parts in lines(claim_id)]
            assert "97130" in codes and "97129" not in codes, claim_id
        if "ncci_97530_97140_no_modifier" in kinds:
            by_code = {parts[1]: parts[2:] for parts in lines(claim_id)}
            assert "97140" in by_code and "59" not in by_code["97530"], claim_id
        if "kx_missing" in kinds:
            assert all("KX" not in parts[2:] for parts in lines(claim_id)), claim_id
        hi = next(e for e in claims[claim_id] if e[0] == "HI")
        codes = [c.split(":")[1] for c in hi[1:]]
        if "invalid_icd10" in kinds:
            assert any(c not in valid_dx for c in codes), claim_id
        else:
            assert all(c in valid_dx for c in codes), claim_id
    clean = [cid for cid in claims if cid not in planted]
    assert len(clean) > 2000
    for claim_id in clean[:500]:
        assert all("GO" in parts[2:] for parts in lines(claim_id)), claim_id


# ---------------------------------------------------------------------- X12 validity


def _x12valid(path: Path) -> str:
    """pyx12 4.0.0 exits 1 even on success: read its OK / Failure line."""
    result = subprocess.run([sys.executable, "-m", "pyx12.scripts.x12valid", str(path)],
                            capture_output=True, text=True, cwd=path.parent, timeout=300)
    verdict = re.search(r": (OK|Failure)\s*$", result.stderr, re.M)
    return verdict.group(1) if verdict else result.stderr[-2000:]


@pytest.mark.slow
def test_generated_837_files_pass_pyx12(default_year: tuple[Sources, list[RemittanceRecord]],
                                        tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    sources, _ = default_year
    # The batches with the most varied structure: dependents, workers' comp, secondary payers.
    text = {p: p.read_text() for p in sources.batches}
    wanted = [
        next(p for p, t in text.items() if "*23*0~" in t),
        next(p for p, t in text.items() if "DTP*439" in t),
        next(p for p, t in text.items() if "SBR*S*" in t),
        max(text, key=lambda p: len(text[p])),
    ]
    for path in dict.fromkeys(wanted):
        copy = tmp_path / path.name
        shutil.copy(path, copy)
        assert _x12valid(copy) == "OK", path.name


def test_837_envelope_counts(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    sources, _ = default_year
    for path in sources.batches[::25]:
        doc = tokenize(path.read_bytes(), path.name)
        for tx in transactions(doc):
            se = tx.segments[-1]
            assert se.id == "SE" and int(se.get(1)) == len(tx.segments)
            hls = [s for s in tx.segments if s.id == "HL"]
            assert [int(s.get(1)) for s in hls] == list(range(1, len(hls) + 1))


# ---------------------------------------------------------------------- the payers' answers


def test_remittances_balance_at_every_level(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    _, remits = default_year
    assert len(remits) > 100
    statuses = Counter()
    for remit in remits:
        total = 0
        for claim in remit.claims:
            statuses[claim.status_code] += 1
            adjustments = sum(a.amount_cents for a in claim.adjustments)
            for service in claim.services:
                line_adj = sum(a.amount_cents for a in service.adjustments)
                assert service.charge_cents - line_adj == service.paid_cents
                adjustments += line_adj
            assert claim.charge_cents - adjustments == claim.paid_cents, claim.patient_control_number
            patient = sum(a.amount_cents for a in claim.adjustments if a.group == "PR") + sum(
                a.amount_cents for s in claim.services for a in s.adjustments if a.group == "PR")
            assert patient == claim.patient_resp_cents
            total += claim.paid_cents
        plb = sum(p.amount_cents for p in remit.provider_adjustments)
        assert remit.payment_cents == total - plb >= 0
        assert remit.payment_date is not None and remit.payment_date <= TODAY
    assert {"1", "19", "22"} <= set(statuses)


def test_payers_answer_with_the_ot_denial_mix(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    _, remits = default_year
    codes = Counter()
    remarks = Counter()
    plb = Counter()
    for remit in remits:
        plb.update(p.reason_code for p in remit.provider_adjustments)
        for claim in remit.claims:
            remarks.update(claim.remarks)
            for adj in (*claim.adjustments, *(a for s in claim.services for a in s.adjustments)):
                codes[f"{adj.group}-{adj.reason}"] += 1
            for service in claim.services:
                remarks.update(service.remarks)
    for code in ("CO-45", "PR-1", "PR-2", "PR-3", "CO-253", "CO-50", "CO-197", "CO-97", "CO-4",
                 "CO-119", "CO-151", "CO-29", "CO-16", "CO-18", "CO-22", "CO-27"):
        assert codes[code] > 0, code
    for remark in ("N115", "N386", "M15", "MA130"):
        assert remarks[remark] > 0, remark
    assert plb["WO"] > 0


def test_recent_claims_wait_for_an_answer(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    sources, remits = default_year
    answered = {c.patient_control_number for r in remits for c in r.claims}
    recent = [cid for cid in _claims_in(sources)
              if cid.startswith(f"OT{TODAY:%y%m}") or cid.startswith(f"OT{TODAY - timedelta(days=10):%y%m}")]
    unanswered_recent = [cid for cid in recent if cid not in answered]
    assert len(unanswered_recent) > len(recent) / 3
    old = [cid for cid in _claims_in(sources) if cid < f"OT{TODAY - timedelta(days=120):%y%m%d}"]
    assert sum(cid in answered for cid in old) / len(old) > 0.9


# ---------------------------------------------------------------------- notes


def test_notes_carry_front_matter_and_minutes(default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    sources, _ = default_year
    kinds = Counter()
    for path in sources.notes:
        if path.suffix == ".docx":
            kinds["docx"] += 1
            continue
        text = path.read_text()
        assert text.startswith("---\naccount: A"), path
        doc_type = re.search(r"^type: (\w+)$", text, re.M).group(1)  # type: ignore[union-attr]
        kinds[doc_type] += 1
        assert re.search(r"^author: .+, (OTR/L|COTA/L)", text, re.M)
        if doc_type == "daily_note":
            assert re.search(r"^Total timed minutes: \d+$", text, re.M)
        if doc_type == "plan_of_care":
            for key in ("start", "end", "certified", "certified_by", "certifier_npi", "recert_due",
                        "frequency"):
                assert re.search(rf"^{key}:", text, re.M), (path, key)
            assert "\nGoals:\n- " in text
    assert {"daily_note", "evaluation", "plan_of_care", "progress_report", "docx"} <= set(kinds)
    assert any(p.suffix == ".txt" for p in sources.notes)


def _claim_facts(sources: Sources) -> dict[str, tuple[str, str, date]]:
    """claim id -> (account, payer, date of service), read back from the 837 batches."""
    facts: dict[str, tuple[str, str, date]] = {}
    payer = claim_id = account = ""
    for path in sources.batches:
        for seg in tokenize(path.read_bytes(), path.name).segments:
            if seg.id == "NM1" and seg.get(1) == "PR":
                payer = seg.get(3)
            elif seg.id == "CLM":
                claim_id, account = seg.get(1), ""
            elif seg.id == "REF" and seg.get(1) == "EA":
                account = seg.get(2)
            elif seg.id == "DTP" and seg.get(1) == "472" and claim_id not in facts:
                day = seg.get(3)
                facts[claim_id] = (account, payer, date(int(day[:4]), int(day[4:6]), int(day[6:])))
    return facts


def _payment_rows(sources: Sources) -> list[dict[str, str]]:
    import csv

    rows = []
    for path in sources.patient_payments:
        with path.open(newline="", encoding="utf-8") as fh:
            rows.extend({**row, "file": path.name} for row in csv.DictReader(fh))
    return rows


def _us(text: str) -> date:
    month, day, year = text.split("/")
    return date(int(year), int(month), int(day))


def test_patient_payments_are_exported_like_a_pm_system(
        default_year: tuple[Sources, list[RemittanceRecord]]) -> None:
    from assistant.sample.patient_payments import COLUMNS

    sources, remits = default_year
    assert [p.name for p in sources.patient_payments] == sorted(p.name for p in sources.patient_payments)
    assert all(p.read_text().splitlines()[0] == ",".join(COLUMNS) for p in sources.patient_payments)
    rows = _payment_rows(sources)
    facts = _claim_facts(sources)
    by_visit = {(account, dos): cid for cid, (account, _, dos) in sorted(facts.items(), reverse=True)}
    answers: dict[str, tuple[date, str, int]] = {}  # the first answer: remittance date, CLP02, patient share
    for rem in remits:
        for c in rem.claims:
            answers.setdefault(c.patient_control_number, (rem.payment_date, c.status_code, c.patient_resp_cents))
    kinds = Counter(row["Type"] for row in rows)
    assert kinds["Copay"] > 300 and kinds["Patient Payment"] > 600
    assert 0 < kinds["Refund"] < 100 and 0 < kinds["Adjustment"] < 100
    paid: Counter[str] = Counter()
    for row in rows:
        day = _us(row["Payment Date"])
        assert day <= TODAY and row["file"] == f"{day:%Y-%m}.csv"
        claim_id = row["Claim #"] or by_visit[(row["Account"], _us(row["DOS"]))]
        account, payer, dos = facts[claim_id]
        assert row["Account"] == account and _us(row["DOS"]) == dos
        cents = round(float(row["Amount"]) * 100)
        if row["Type"] == "Copay":  # at the front desk on the day, for plans with a copay
            assert not row["Claim #"] and day == dos and cents > 0
            assert payer.upper() in ("HUMANA GOLD PLUS HMO", "BLUE CROSS BLUE SHIELD", "CIGNA")
        elif row["Type"] == "Refund":
            assert cents < 0 and row["Memo"]
        else:
            remitted, status, share = answers[claim_id]
            assert status != "19" and share > 0  # crossovers are the secondary payer's
            assert (day - remitted).days >= 20
            if row["Type"] == "Adjustment":
                assert row["Memo"] == "Small balance write-off" and 0 < cents < 1000 and not row["Method"]
        paid[claim_id] += cents
    # Never more than the patient's share, except a copay kept while the payer has not answered
    # or denied the claim, or whose refund is not due yet (7-30 days after the remittance).
    for claim_id, cents in paid.items():
        remitted, _, share = answers.get(claim_id, (TODAY, "", 0))
        assert cents <= share or share == 0 or (TODAY - remitted).days < 30, claim_id
    # Most patient shares billed long enough ago are settled; a few are never paid.
    old = [cid for cid, (day, status, share) in answers.items()
           if share > 0 and status != "19" and (TODAY - day).days > 160 and cid in facts]
    settled = sum(1 for cid in old if paid[cid] >= answers[cid][2])
    assert 0.7 < settled / len(old) < 0.97
    assert sources.stats["patient_payments"]["never_paid"] > 0


def test_readme_documents_every_planted_kind() -> None:
    readme = (bundled("sample_db") / "README.md").read_text()
    for kind, entry in load_profile().planted.items():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{kind}` |")), None)
        assert row is not None, kind
        assert f"{entry.rate * 100:g}%" in row, (kind, row)


# ---------------------------------------------------------------------- the built database


def _build(folder: Path, claims: int = 300, seed: int = SEED) -> dict[str, object]:
    from assistant.paths import Locations
    from assistant.sample import build_sample

    return build_sample(Locations(db=folder / "ar.db", config=folder / "config"), today=TODAY,
                        claims=claims, seed=seed, user="tester")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("built")
    return folder / "ar.db", _build(folder)


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return [tuple(row) for row in conn.execute(sql)]
    finally:
        conn.close()


def test_build_imports_every_file_through_the_importers(built: tuple[Path, dict[str, object]]) -> None:
    db, summary = built
    assert summary["claims"] == 300 and summary["sample"] is True
    assert summary["patients"] >= 30 and summary["documents"] > 300
    assert len(summary["payers"]) == 8  # type: ignore[arg-type]
    assert summary["denied_claims"] > 0
    files = summary["files"]
    assert files["837"] > 50 and files["835"] > 50 and files["notes"] == summary["documents"]  # type: ignore[index]
    imported = dict(_rows(db, "SELECT kind, count(*) FROM import_files GROUP BY kind"))
    assert imported == {"settings": 1, "837": files["837"], "notes": files["notes"],  # type: ignore[index]
                        "auths": files["authorizations"], "835": files["835"],  # type: ignore[index]
                        "payments": files["payments"]}  # type: ignore[index]
    assert _rows(db, "SELECT count(*) FROM claim_payments WHERE claim_pk IS NULL") == [(0,)]
    assert _rows(db, "SELECT count(*) FROM remittances WHERE balanced = 0") == [(0,)]
    meta = dict(_rows(db, "SELECT key, value FROM meta WHERE key LIKE 'sample%'"))
    assert meta["sample"] == "1" and meta["sample_seed"] == str(SEED)
    assert meta["sample_today"] == TODAY.isoformat()


def test_the_build_leaves_the_claims_ranked(built: tuple[Path, dict[str, object]]) -> None:
    """The first worklist must open at once, not assess every open claim."""
    from assistant.paths import Locations
    from assistant.services import Services

    db, _ = built
    svc = Services(Locations.resolve(db), today=TODAY, user="tester")
    try:
        assert svc.ensure_ranking() == {"reassessed": 0, "unranked": 0, "rekeyed": 0}
    finally:
        svc.close()


def test_patient_payments_reach_the_claims(built: tuple[Path, dict[str, object]]) -> None:
    db, _ = built
    # The claims' totals are the rows summed; a claim with nothing left to collect is closed.
    assert _rows(db, "SELECT count(*) FROM claims c WHERE patient_paid_cents <> (SELECT coalesce(sum("
                     "amount_cents), 0) FROM patient_payments p WHERE p.claim_pk = c.pk AND kind = 'payment')"
                 ) == [(0,)]
    assert _rows(db, "SELECT count(*) FROM claims WHERE balance_cents <> billed_cents - paid_cents - "
                     "patient_paid_cents - adjusted_cents") == [(0,)]
    ((closed, paid_off),) = _rows(db, "SELECT count(*), sum(patient_paid_cents > 0) FROM claims "
                                      "WHERE work_status = 'closed'")
    assert closed == _rows(db, "SELECT count(*) FROM claims WHERE balance_cents = 0")[0][0]
    assert paid_off > 0
    ((due, share),) = _rows(db, "SELECT sum(max(min(patient_resp_cents - patient_paid_cents - "
                                "patient_adjusted_cents, balance_cents), 0)), sum(patient_resp_cents) FROM claims "
                                "WHERE payer_status = 'paid'")
    assert due < share * 0.35  # most of the patients' share is collected


def test_payer_answers_reach_the_claims(built: tuple[Path, dict[str, object]]) -> None:
    db, summary = built
    statuses = dict(_rows(db, "SELECT payer_status, count(*) FROM claims GROUP BY 1"))
    assert {"paid", "denied", "submitted", "forwarded"} <= set(statuses)
    assert statuses["paid"] > statuses["denied"] > 0
    planted = json.loads((Path(summary["sources"]) / PLANTED_FILE).read_text())  # type: ignore[arg-type]
    denied = [cid for (cid,) in _rows(db, "SELECT claim_id FROM claims WHERE payer_status = 'denied'")]
    # Payers deny only what was planted: every denial has its cause in planted.json.
    assert all(cid in planted for cid in denied)
    lost = [cid for cid, kinds in planted.items() if "claim_lost" in kinds]
    unanswered = {cid for (cid,) in _rows(db, "SELECT claim_id FROM claims WHERE payer_status = 'submitted'")}
    assert set(lost) <= unanswered


def test_same_seed_gives_the_same_database(built: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    db, summary = built
    _build(tmp_path)
    again = tmp_path / "ar.db"
    # The source files, 835s included, are byte-identical too.
    assert _digests(Path(summary["sources"])) == _digests(tmp_path / "sample-sources")  # type: ignore[arg-type]
    queries = [
        "SELECT claim_id, frequency_code, dos_from, submitted_date, billed_cents, paid_cents, "
        "adjusted_cents, patient_resp_cents, balance_cents, payer_status, prior_auth, member_id "
        "FROM claims ORDER BY claim_id",
        "SELECT c.claim_id, l.line_no, l.code, l.modifiers, l.units, l.charge_cents, l.paid_cents "
        "FROM claim_lines l JOIN claims c ON c.pk = l.claim_pk ORDER BY 1, 2",
        "SELECT account, last_name, first_name, dob, member_id FROM patients ORDER BY account",
        "SELECT doc_type, doc_date, author, title, text FROM documents ORDER BY doc_date, text",
        "SELECT start_date, end_date, certified_date, recert_due, goals FROM plans_of_care ORDER BY 1, 5",
        "SELECT number, approved, used, start_date, end_date FROM authorizations ORDER BY 1",
        "SELECT patient_control_number, status_code, charge_cents, paid_cents, payer_claim_number "
        "FROM claim_payments ORDER BY 1, 5, 2",
        "SELECT group_code, reason_code, amount_cents FROM adjustments ORDER BY pk",
        "SELECT c.claim_id, p.kind, p.amount_cents, p.paid_date, p.method, p.reference, p.reason, p.receipt, "
        "p.source, p.line FROM patient_payments p JOIN claims c ON c.pk = p.claim_pk ORDER BY p.pk",
        "SELECT claim_id, patient_paid_cents, patient_adjusted_cents, work_status FROM claims ORDER BY 1",
    ]
    for sql in queries:
        assert _rows(db, sql) == _rows(again, sql), sql


@pytest.mark.slow
def test_generated_835_files_pass_pyx12(built: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    _, summary = built
    files = sorted((Path(summary["sources"]) / "835").glob("*.835"))  # type: ignore[arg-type]
    text = {p: p.read_text() for p in files}
    wanted = [max(files, key=lambda p: len(text[p]))]
    wanted += [p for p in files if "*22*" in text[p]][:1] + [p for p in files if "NM1*TT" in text[p]][:1]
    wanted += [p for p in files if "PLB*" in text[p]][:1]
    for path in dict.fromkeys(wanted):
        copy = tmp_path / path.name
        shutil.copy(path, copy)
        assert _x12valid(copy) == "OK", path.name


# ---------------------------------------------------------------------- the CLI


def test_sample_json_reports_the_counts(run_cli, tmp_path: Path) -> None:
    db = tmp_path / "s" / "ar.db"
    result = run_cli("--db", str(db), "--today", TODAY.isoformat(), "sample", "--claims", "120",
                     "--seed", "7", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert isinstance(data, dict)
    assert data["claims"] == 120 and data["sample"] is True
    assert {"claims", "patients", "payers", "documents", "denied_claims"} <= set(data)
    assert sorted(data["payers"]) == sorted(p.name for p in load_profile().payers)
    assert result.stderr == ""  # no progress bar with --json
    again = run_cli("--db", str(db), "--today", TODAY.isoformat(), "sample", "--claims", "60", "--json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["claims"] == 60  # type: ignore[index]
    opened = run_cli("--db", str(db))
    assert opened.exit_code == 0 and "SYNTHETIC SAMPLE DATA" in opened.stdout


def test_sample_never_replaces_a_practice_database(run_cli, tmp_path: Path) -> None:
    db = tmp_path / "practice.db"
    assert run_cli("--db", str(db), "init").exit_code == 0
    before = db.read_bytes()
    result = run_cli("--db", str(db), "sample", "--claims", "20")
    assert result.exit_code == 1
    assert "not a sample" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == before
    assert not (tmp_path / "sample-sources").exists()


@pytest.mark.slow
def test_first_run_builds_the_default_sample(run_cli, tmp_path: Path) -> None:
    """The bare command on a missing database builds the real default sample (3,000 claims,
    at least 400 patients, the eight payers) and opens it."""
    db = tmp_path / "default" / "ar.db"  # AR_ASSISTANT_DB (tests/conftest.py)
    assert not db.exists()
    result = run_cli("--today", TODAY.isoformat())
    assert result.exit_code == 0, result.stderr
    assert "building a synthetic sample" in result.stdout
    assert "SYNTHETIC SAMPLE DATA" in result.stdout
    assert "3,000 claims" in result.stdout
    patients = _rows(db, "SELECT count(*) FROM patients")[0][0]
    assert isinstance(patients, int) and patients >= 400
    payers = {name for (name,) in _rows(db, "SELECT name FROM payers")}
    assert payers == {p.name for p in load_profile().payers}
    assert dict(_rows(db, "SELECT key, value FROM meta"))["sample"] == "1"
