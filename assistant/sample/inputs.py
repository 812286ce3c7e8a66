"""The sample practice's inputs, read from the bundled `sample_db/` folder.

Everything the generator needs to know about the clinic, its payers, its patients' conditions,
the words of its notes and the errors to plant lives in TOML files there, so the sample can be
read and changed without touching code (`sample_db/README.md` explains each file).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from assistant.domain import Credential, PayerKind, UnitRule
from assistant.errors import ConfigError
from assistant.paths import bundled
from assistant.sample.ids import npi_is_valid


@dataclass(frozen=True)
class Clinician:
    """A therapist of the clinic or a physician who refers and certifies."""

    first_name: str
    last_name: str
    credential: Credential
    npi: str
    key: str = ""
    title: str = ""
    taxonomy: str | None = None
    share: float = 0.0
    visit_share: float = 0.0
    formats: tuple[tuple[str, str], ...] = ()
    specialty: str = ""
    refers: tuple[str, ...] = ()

    @property
    def signature(self) -> str:
        """How the clinician signs a note: "Jordan Ellis, OTR/L"."""
        return f"{self.first_name} {self.last_name}, {self.title or self.credential.value}"

    def note_format(self, doc_type: str) -> str:
        return dict(self.formats).get(doc_type, "md")


@dataclass(frozen=True, eq=False)
class PayerProfile:
    """One payer: the settings the practice imports, and how the simulator treats it."""

    name: str
    kind: PayerKind
    payer_id: str
    unit_rule: UnitRule
    timely_filing_days: int
    settings: dict[str, Any]
    mix: float
    ages: tuple[int, int]
    filing_indicator: str
    remit_filing_indicator: str
    member_pattern: str
    group_pattern: str
    allowed_factor: float
    share_model: str
    copay: tuple[int, int]
    deductible: tuple[int, int]
    coinsurance: int
    lag_days: tuple[int, int]
    run_weekday: int
    requires_auth: bool
    auth_unit_kind: str
    crossover: bool
    secondary: tuple[tuple[str, float], ...]
    payment_method: str
    deductible_by_year: tuple[tuple[int, int], ...]
    kx_threshold_by_year: tuple[tuple[int, int], ...]
    sequestration_percent: int
    assistant_percent: int
    remit_address: dict[str, str]

    @property
    def is_medicare(self) -> bool:
        return self.kind is PayerKind.MEDICARE

    @property
    def uses_assistant_modifier(self) -> bool:
        """CO on OTA-furnished lines: Medicare, and the Medicare Advantage plans that follow it."""
        return self.kind in (PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE)

    def by_year(self, table: tuple[tuple[int, int], ...], year: int) -> int:
        """A yearly amount in dollars; a later year than the table knows uses the latest."""
        return _by_year(table, year)


@cache
def _by_year(table: tuple[tuple[int, int], ...], year: int) -> int:
    known = [amount for y, amount in table if y <= year]
    return known[-1] if known else table[0][1]


@dataclass(frozen=True)
class Fee:
    code: str
    label: str
    timed: bool
    charge_cents: int
    medicare_cents: int


@dataclass(frozen=True)
class Diagnosis:
    """An ICD-10-CM code (no dot), or a right/left pair of them."""

    text: str
    code: str = ""
    right: str = ""
    left: str = ""

    def for_side(self, side: str) -> tuple[str, str]:
        if self.code:
            return self.code, self.text
        return (self.right if side == "right" else self.left), self.text.replace("{side}", side)


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str
    start: tuple[float, float]
    better: str  # higher | lower


@dataclass(frozen=True, eq=False)
class Condition:
    key: str
    label: str
    shape: str  # therapy | brief
    groups: dict[str, float]
    sided: bool
    primary: tuple[Diagnosis, ...]
    secondary: tuple[Diagnosis, ...]
    evals: dict[str, float]
    weeks: tuple[int, int]
    per_week: dict[int, float]
    interventions: dict[str, float]
    orthosis: float
    estim: float
    paraffin: float
    group: float
    cognitive: float
    maintenance: float
    timed_minutes: tuple[int, int]
    measures: tuple[Measure, ...]
    findings: tuple[str, ...]
    goals: tuple[str, ...]
    subjective: tuple[str, ...] = ()
    skilled: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlantedKind:
    """An error (or payer-side event) the generator plants, at `rate` per eligible unit."""

    kind: str
    per: str
    rate: float
    what: str
    denied: float
    codes: tuple[str, ...]
    event: bool


@dataclass(frozen=True)
class Profile:
    folder: Path
    practice: dict[str, str]
    clearinghouse: dict[str, str]
    therapists: tuple[Clinician, ...]  # OTs, in the order of clinic.toml
    assistant: Clinician  # the OTA
    physicians: tuple[Clinician, ...]
    payers: tuple[PayerProfile, ...]
    fees: dict[str, Fee]
    conditions: tuple[Condition, ...]
    names: dict[str, Any]
    places: dict[str, Any]
    phrases: dict[str, Any]
    planted: dict[str, PlantedKind]
    schedule: dict[str, Any]

    def payer(self, name: str) -> PayerProfile:
        for payer in self.payers:
            if payer.name == name:
                return payer
        raise ConfigError(f"sample_db: no payer named {name!r} in payers.toml")

    def rate(self, kind: str) -> float:
        return self.planted[kind].rate


def _read(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"sample_db: cannot read {name} ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sample_db/{name}: {exc}") from None


def _clinician(raw: dict[str, Any]) -> Clinician:
    npi = str(raw["npi"])
    if not npi_is_valid(npi):
        raise ConfigError(f"sample_db: NPI {npi} fails the check digit")
    return Clinician(
        first_name=raw["first_name"], last_name=raw["last_name"],
        credential=Credential(raw["credential"]), npi=npi, key=raw.get("key", ""),
        title=raw.get("title", ""), taxonomy=raw.get("taxonomy"), share=float(raw.get("share", 0)),
        visit_share=float(raw.get("visit_share", 0)),
        formats=tuple(sorted(raw.get("formats", {}).items())), specialty=raw.get("specialty", ""),
        refers=tuple(raw.get("refers", ())),
    )


def _years(table: dict[str, int] | None) -> tuple[tuple[int, int], ...]:
    return tuple(sorted((int(year), int(amount)) for year, amount in (table or {}).items()))


def _payer(raw: dict[str, Any]) -> PayerProfile:
    settings, sim = raw["settings"], raw["sim"]

    def pair(key: str, default: tuple[int, int] = (0, 0)) -> tuple[int, int]:
        value = sim.get(key)
        return (int(value[0]), int(value[1])) if value else default

    return PayerProfile(
        name=settings["name"], kind=PayerKind(settings["kind"]), payer_id=settings["payer_id"],
        unit_rule=UnitRule(settings["unit_rule"]),
        timely_filing_days=int(settings["timely_filing_days"]), settings=settings,
        mix=float(sim["mix"]), ages=pair("ages"), filing_indicator=sim["filing_indicator"],
        remit_filing_indicator=sim.get("remit_filing_indicator", sim["filing_indicator"]),
        member_pattern=sim["member_id"], group_pattern=sim.get("group_number", ""),
        allowed_factor=float(sim["allowed_factor"]), share_model=sim["share_model"],
        copay=pair("copay"), deductible=pair("deductible"), coinsurance=int(sim.get("coinsurance", 0)),
        lag_days=pair("lag_days"), run_weekday=int(sim["run_weekday"]),
        requires_auth=bool(sim.get("requires_auth", False)),
        auth_unit_kind=sim.get("auth_unit_kind", "visits"), crossover=bool(sim.get("crossover", False)),
        secondary=tuple(sim.get("secondary", {}).items()), payment_method=sim["payment_method"],
        deductible_by_year=_years(sim.get("deductible_by_year")),
        kx_threshold_by_year=_years(sim.get("kx_threshold_by_year")),
        sequestration_percent=int(sim.get("sequestration_percent", 0)),
        assistant_percent=int(sim.get("assistant_percent", 100)),
        remit_address={k: str(v) for k, v in sim.get("remit_address", {}).items()},
    )


def _diagnoses(items: list[dict[str, str]]) -> tuple[Diagnosis, ...]:
    return tuple(Diagnosis(text=d["text"], code=d.get("code", ""), right=d.get("right", ""),
                           left=d.get("left", "")) for d in items)


def _condition(key: str, raw: dict[str, Any]) -> Condition:
    return Condition(
        key=key, label=raw["label"], shape=raw["shape"],
        groups={k: float(v) for k, v in raw["groups"].items()}, sided=bool(raw["sided"]),
        primary=_diagnoses(raw["primary"]), secondary=_diagnoses(raw["secondary"]),
        evals={k: float(v) for k, v in raw["eval"].items() if v},
        weeks=(int(raw["weeks"][0]), int(raw["weeks"][1])),
        per_week={int(k): float(v) for k, v in raw["per_week"].items()},
        interventions={k: float(v) for k, v in raw["interventions"].items()},
        orthosis=float(raw["orthosis"]), estim=float(raw["estim"]), paraffin=float(raw["paraffin"]),
        group=float(raw["group"]), cognitive=float(raw["cognitive"]),
        maintenance=float(raw.get("maintenance", 0.0)),
        timed_minutes=(int(raw["timed_minutes"][0]), int(raw["timed_minutes"][1])),
        measures=tuple(Measure(m["name"], m["unit"], (float(m["start"][0]), float(m["start"][1])),
                               m["better"]) for m in raw["measures"]),
        findings=tuple(raw["findings"]), goals=tuple(raw["goals"]),
        subjective=tuple(raw.get("subjective", ())), skilled=tuple(raw.get("skilled", ())),
    )


def _planted(raw: dict[str, Any]) -> dict[str, PlantedKind]:
    planted: dict[str, PlantedKind] = {}
    for section, event in (("errors", False), ("events", True)):
        for kind, entry in raw.get(section, {}).items():
            planted[kind] = PlantedKind(
                kind=kind, per=entry["per"], rate=float(entry["rate"]), what=entry["what"],
                denied=float(entry.get("denied", 0.0)), codes=tuple(entry.get("codes", ())),
                event=event)
    return planted


def load_profile(folder: Path | None = None) -> Profile:
    """Read the sample's inputs (the bundled `sample_db/` unless a folder is given)."""
    return _load(folder or bundled("sample_db"))


@cache
def _load(folder: Path) -> Profile:
    try:
        clinic = _read(folder, "clinic.toml")
        therapists = [_clinician(t) for t in clinic["therapists"]]
        ots = tuple(t for t in therapists if t.credential is Credential.OT)
        assistants = [t for t in therapists if t.credential is Credential.OTA]
        if not ots or len(assistants) != 1:
            raise ConfigError("sample_db/clinic.toml: the sample needs OTs and exactly one OTA")
        fees_raw = _read(folder, "fees.toml")["codes"]
        fees = {
            str(code): Fee(str(code), entry["label"], bool(entry["timed"]),
                           round(float(entry["charge"]) * 100), round(float(entry["medicare"]) * 100))
            for code, entry in fees_raw.items()
        }
        conditions = tuple(_condition(key, raw)
                           for key, raw in _read(folder, "conditions.toml")["conditions"].items())
        return Profile(
            folder=folder,
            practice={k: str(v) for k, v in clinic["practice"].items()},
            clearinghouse={k: str(v) for k, v in clinic["clearinghouse"].items()},
            therapists=ots,
            assistant=assistants[0],
            physicians=tuple(_clinician(p) for p in clinic["physicians"]),
            payers=tuple(_payer(p) for p in _read(folder, "payers.toml")["payers"]),
            fees=fees,
            conditions=conditions,
            names=_read(folder, "names.toml"),
            places=_read(folder, "places.toml"),
            phrases=_read(folder, "phrases.toml"),
            planted=_planted(_read(folder, "errors.toml")),
            schedule=clinic["schedule"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"sample_db: a required entry is missing or malformed ({exc})") from None
