"""A payer's rules: the kind's defaults (payer_defaults.toml) with the payer's own settings over them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from assistant.domain import PayerKind, PayerView, UnitRule
from assistant.errors import ConfigError
from assistant.rules.codes import load_data


@dataclass(frozen=True)
class AppealLevel:
    level: int
    name: str
    days: int
    receipt_days: int  # a notice is presumed received this many days after its date
    source: str
    decision_days: int | None = None


@dataclass(frozen=True)
class PayerRules:
    name: str
    kind: PayerKind
    label: str
    timely_filing: str  # one_year | days
    timely_filing_days: int | None
    timely_filing_source: str
    unit_rule: UnitRule
    unit_rule_source: str
    appeal_levels: tuple[AppealLevel, ...]
    replacement_claims: bool
    reopening_days: int | None
    authorization_expected: bool
    corrected_claim_days: int | None = None  # None: a corrected claim follows timely filing
    reopening_good_cause_years: int | None = None  # reopening with good cause, years from the determination

    def appeal_level(self, level: int) -> AppealLevel | None:
        return next((a for a in self.appeal_levels if a.level == level), None)


@cache
def _defaults() -> dict[str, Any]:
    return load_data("payer_defaults.toml")["kind"]  # type: ignore[no-any-return]


def _levels(raw: dict[str, Any], overrides: dict[str, int] | None) -> tuple[AppealLevel, ...]:
    levels: dict[int, AppealLevel] = {}
    for key, entry in raw.items():
        levels[int(key)] = AppealLevel(int(key), entry["name"], int(entry["days"]),
                                       int(entry.get("receipt_days", 0)), entry["source"],
                                       entry.get("decision_days"))
    for key, days in (overrides or {}).items():
        try:
            level = int(key)
        except ValueError:
            raise ConfigError(f"appeal window level {key!r} is not a number") from None
        known = levels.get(level)
        if known is not None:
            levels[level] = AppealLevel(level, known.name, int(days), known.receipt_days,
                                        "payer setting", known.decision_days)
        else:
            levels[level] = AppealLevel(level, f"level {level} appeal", int(days), 0, "payer setting")
    return tuple(levels[k] for k in sorted(levels))


@cache
def kind_rules(kind: PayerKind) -> PayerRules:
    return rules_for(kind.value, kind, None, None, None, None)


@cache
def rules_for(name: str, kind: PayerKind, timely_filing_days: int | None,
              appeal_windows: tuple[tuple[str, int], ...] | None,
              unit_rule: UnitRule | None, corrected_claim_days: int | None) -> PayerRules:
    raw = _defaults().get(kind.value) or _defaults()["other"]
    tf_days = raw.get("timely_filing_days")
    return PayerRules(
        name=name,
        kind=kind,
        label=raw["label"],
        timely_filing="days" if timely_filing_days else raw["timely_filing"],
        timely_filing_days=timely_filing_days or (int(tf_days) if tf_days else None),
        timely_filing_source="payer setting" if timely_filing_days else raw["timely_filing_source"],
        unit_rule=unit_rule or UnitRule(raw["unit_rule"]),
        unit_rule_source="payer setting" if unit_rule else raw["unit_rule_source"],
        appeal_levels=_levels(raw.get("appeal", {}), dict(appeal_windows) if appeal_windows else None),
        replacement_claims=bool(raw.get("replacement_claims", True)),
        reopening_days=raw.get("reopening_days"),
        authorization_expected=bool(raw.get("authorization_expected", False)),
        corrected_claim_days=corrected_claim_days or raw.get("corrected_claim_days"),
        reopening_good_cause_years=raw.get("reopening_good_cause_years"),
    )


def payer_rules(payer: PayerView) -> PayerRules:
    """The payer's settings merged over its kind's defaults."""
    windows = tuple(sorted(payer.appeal_windows.items())) if payer.appeal_windows else None
    return rules_for(payer.name, payer.kind, payer.timely_filing_days, windows, payer.unit_rule,
                     payer.corrected_claim_days)
