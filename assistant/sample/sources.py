"""Writing the sample's source files: the practice settings, 837P batches, the authorization
list, 835 remittances, the patient-payment exports and the manifest of planted errors.

`generate_sources` runs the year day by day: each day's visits become claims and notes, the
day's 837 batch is written once no later claim can join it, and each payer run is written
once its date has passed. Claims and answers wait in memory only until their file is
written; the plan itself (episodes and visit dates) is small.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

from assistant.paths import ensure_private_dir
from assistant.remit.records import RemittanceRecord
from assistant.sample.inputs import Profile
from assistant.sample.model import Claim, Episode
from assistant.sample.notes import NoteWriter
from assistant.sample.patient_payments import PatientLedger
from assistant.sample.payers import PayerSimulator
from assistant.sample.practice import Planner
from assistant.sample.visits import Clinic
from assistant.sample.x837 import write_837

Progress = Callable[[int, int], None]
RemitWriter = Callable[[RemittanceRecord, int], str]

SETTINGS_FILE = "practice.toml"
AUTHORIZATIONS_FILE = "authorizations.csv"
PLANTED_FILE = "planted.json"
CLAIMS_DIR = "837"
REMITS_DIR = "835"
NOTES_DIR = "notes"
PAYMENTS_DIR = "payments"


@dataclass
class Sources:
    """What was written, for the importer to read back in order."""

    folder: Path
    settings: Path
    batches: list[Path] = field(default_factory=list)
    notes: list[Path] = field(default_factory=list)
    authorizations: Path | None = None
    remittances: list[Path] = field(default_factory=list)
    patient_payments: list[Path] = field(default_factory=list)
    planted: dict[str, list[str]] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def generate_sources(profile: Profile, folder: Path, *, today: date, claims: int, seed: int,
                     remit_writer: RemitWriter | None, progress: Progress) -> Sources:
    """Write every source file of the sample into `folder` (emptied first)."""
    if folder.exists():
        shutil.rmtree(folder)
    ensure_private_dir(folder)
    for name in (CLAIMS_DIR, REMITS_DIR, NOTES_DIR, PAYMENTS_DIR):
        ensure_private_dir(folder / name)
    sources = Sources(folder=folder, settings=write_settings(profile, folder / SETTINGS_FILE))
    planner = Planner(profile, today=today, claims=claims, seed=seed)
    episodes = planner.plan()
    notes = NoteWriter(profile, folder / NOTES_DIR, today)
    payers = PayerSimulator(profile, today=today, seed=seed, tally=planner.tally)
    patients = PatientLedger(folder / PAYMENTS_DIR, today=today, seed=seed)
    pending: dict[date, list[Claim]] = defaultdict(list)
    counters = {"claims": 0, "lines": 0, "batches": 0, "remits": 0, "billed_cents": 0}

    def on_claim(claim: Claim) -> None:
        counters["claims"] += 1
        counters["lines"] += len(claim.lines)
        counters["billed_cents"] += claim.billed_cents
        if claim.errors:
            sources.planted[claim.claim_id] = list(claim.errors)
        pending[claim.submitted].append(claim)
        answered = payers.receive(claim)
        answer, remit_day = answered if answered is not None else (None, None)
        patients.claim(claim, answer, remit_day)

    clinic = Clinic(profile, planner, notes, today=today, emit_claim=on_claim)
    clinic.billed_accounts = {ep.patient.account for ep in episodes
                              if any(v.day >= planner.window_start for v in ep.visits)}
    visits = sorted(((v.day, i, v.index) for i, ep in enumerate(episodes) for v in ep.visits))
    days = sorted({day for day, _, _ in visits})
    last_day = days[-1] if days else today

    def flush(through: date) -> None:
        for day in sorted(d for d in pending if d <= through):
            batch = sorted(pending.pop(day), key=lambda c: c.claim_id)
            counters["batches"] += 1
            path = folder / CLAIMS_DIR / f"{day.isoformat()}.837"
            path.write_text(write_837(batch, practice=profile.practice,
                                      clearinghouse=profile.clearinghouse,
                                      control_number=counters["batches"], created=day),
                            encoding="ascii")
            sources.batches.append(path)
        for remittance in payers.due(through):
            counters["remits"] += 1
            if remit_writer is None:
                continue
            slug = remittance.payer_name.lower().replace(" ", "-")
            path = folder / REMITS_DIR / f"{remittance.payment_date}-{slug}.835"
            path.write_text(remit_writer(remittance, counters["remits"]), encoding="ascii")
            sources.remittances.append(path)
        patients.flush(through)

    for done, (day, group) in enumerate(groupby(visits, key=lambda item: item[0]), 1):
        for _, episode_index, visit_index in group:
            ep = episodes[episode_index]
            clinic.see(ep, ep.visits[visit_index])
        flush(day)
        progress(done, len(days))
    flush(max(today, last_day))
    sources.patient_payments = patients.finish()
    sources.authorizations = write_authorizations(episodes, folder / AUTHORIZATIONS_FILE,
                                                  clinic.billed_accounts)
    for claim_id, events in payers.later_events.items():
        sources.planted.setdefault(claim_id, []).extend(events)
    write_planted(sources.planted, folder / PLANTED_FILE)
    sources.notes = sorted(p for p in (folder / NOTES_DIR).rglob("*") if p.is_file())
    sources.stats = {
        **counters, "patients": planner.patients, "episodes": len(episodes),
        "notes": notes.count, "answered": payers.answered, "planted": planner.tally.as_dict(),
        "patient_payments": dict(sorted(patients.counts.items())),
    }
    return sources


# ---------------------------------------------------------------------- small files


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value))


def write_settings(profile: Profile, path: Path) -> Path:
    """The practice settings file, in the format a practice writes its own."""
    practice = profile.practice
    lines = [
        "# Practice settings of the SYNTHETIC sample practice: every name and number is made up.",
        "",
        "[practice]",
        *(f"{key} = {_toml_value(practice[key])}"
          for key in ("name", "npi", "tax_id", "address1", "city", "state", "zip", "phone")),
    ]
    for person in (*profile.therapists, profile.assistant, *profile.physicians):
        lines += [
            "",
            "[[providers]]",
            f"npi = {_toml_value(person.npi)}",
            f"last_name = {_toml_value(person.last_name)}",
            f"first_name = {_toml_value(person.first_name)}",
            f"credential = {_toml_value(person.credential.value)}",
        ]
        if person.taxonomy:
            lines.append(f"taxonomy = {_toml_value(person.taxonomy)}")
    for payer in profile.payers:
        lines += ["", "[[payers]]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in payer.settings.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


AUTH_COLUMNS = ("account", "payer", "number", "unit_kind", "approved", "used", "start", "end", "codes")


def write_authorizations(episodes: list[Episode], path: Path, accounts: set[str]) -> Path | None:
    """The authorization list as a payer portal or PM system exports it (used as of today)."""
    rows = []
    for ep in episodes:
        auth = ep.authorization
        if auth is None or ep.patient.account not in accounts:
            continue
        rows.append({
            "account": ep.patient.account, "payer": auth.payer.name, "number": auth.number,
            "unit_kind": auth.unit_kind, "approved": auth.approved,
            "used": min(auth.used, auth.approved), "start": auth.start.isoformat(),
            "end": auth.end.isoformat(), "codes": ";".join(auth.codes),
        })
    if not rows:
        return None
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=AUTH_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_planted(planted: dict[str, list[str]], path: Path) -> None:
    """planted.json: claim id -> the kinds planted in it (sorted, one line per claim)."""
    items = sorted(planted.items())
    body = ",\n".join(f"  {json.dumps(cid)}: {json.dumps(sorted(kinds))}" for cid, kinds in items)
    path.write_text("{\n" + body + ("\n" if body else "") + "}\n", encoding="utf-8")
