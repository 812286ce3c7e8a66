"""The editable playbook: rules from codes and claim facts to ranked actions (data/playbook.toml).

The practice's own file (config folder) layers over the shipped one by rule id: the same id
replaces, a new id adds, `disabled = true` removes. `[[late]]` rules say what to offer in
place of an action whose own deadline has passed, and layer the same way. Every file is
checked when loaded, so a typo in a condition, fact, action or {placeholder} is an error
naming the file and the rule, not a silent miss at run time.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain import Action, Category, PayerKind
from assistant.errors import ConfigError

STATUSES = frozenset({"unsubmitted", "submitted", "denied", "partially_paid", "paid", "forwarded",
                      "reversed", "closed"})
FACTS = frozenset({
    "has_denial", "balance_due", "patient_balance", "has_secondary", "is_secondary_claim",
    "in_processing", "no_response", "appeal_pending", "appeal_lost", "awaiting_correction",
    "auth_on_file", "auth_used_up", "auth_expired", "auth_missing", "auth_number_missing", "fixable",
    "units_over", "kx_needed", "kx_present", "ncci_modifier_missing", "ncci_modifier_present",
    "documentation_gap", "plan_on_file", "maintenance_plan", "abn_on_file", "submitted_in_time",
    "timely_filing_open", "reopening_open", "appeal_open", "duplicate_on_file", "has_97010",
    "replacement_allowed", "unknown_code", "only_contractual", "appeal_overdue", "appeal_won",
    "appeal_won_overdue", "sent_late", "minutes_on_file", "patient_billed", "below_aic",
    "quiet_since_remit",
})
PLACEHOLDERS = frozenset({
    "code", "codes", "carc", "group", "meaning", "rarc", "rarc_meaning", "rarc_text", "payer",
    "payer_kind", "amount", "balance", "patient_resp", "auth", "findings", "fixes", "fixes_text",
    "dos", "submitted", "days_since_submission", "no_response_days", "remit_date", "tf_deadline",
    "deadline", "level", "level_name", "plan", "progress", "notes", "secondary", "appeal",
    "work_status", "kx", "duplicates", "reopening_deadline", "appeal_decided", "appeal_decision_due",
    "missed", "missed_days", "missed_what", "aic", "days_since_remit",
})
DEADLINE_KINDS = frozenset({"timely_filing", "appeal", "reopening", "reopening_good_cause",
                            "corrected_claim", "none"})
_LIST_CONDITIONS = ("status", "category", "carc", "code", "group", "rarc", "payer_kind",
                    "not_payer_kind", "facts", "not_facts", "findings")
_KEEP = object()  # a rule that does not set the category


@dataclass(frozen=True)
class PlaybookAction:
    action: Action
    reason: str
    template: str | None = None
    level: int | None = None
    deadline: str | None = None  # None: the action's default


@dataclass(frozen=True)
class Condition:
    status: frozenset[str] = frozenset()
    category: frozenset[str] = frozenset()
    carc: frozenset[str] = frozenset()
    code: frozenset[str] = frozenset()
    group: frozenset[str] = frozenset()
    rarc: frozenset[str] = frozenset()
    payer_kind: frozenset[str] = frozenset()
    not_payer_kind: frozenset[str] = frozenset()
    facts: frozenset[str] = frozenset()
    not_facts: frozenset[str] = frozenset()
    findings: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlaybookRule:
    id: str
    priority: int
    when: Condition
    actions: tuple[PlaybookAction, ...]
    final: bool
    always: bool
    sets_category: bool
    category: Category | None
    file: str
    lapsed: frozenset[Action] = frozenset()  # a [[late]] rule: the actions it stands in for (empty: any)


@dataclass(frozen=True)
class Playbook:
    rules: tuple[PlaybookRule, ...]  # highest priority first
    appeal_templates: dict[str, dict[int, str]]  # payer kind -> level -> template
    no_response_days: dict[str, int]  # payer kind or "default" -> days
    late_rules: tuple[PlaybookRule, ...] = ()  # highest priority first
    appeal_response_days: dict[str, int] = field(default_factory=dict)

    def rule(self, rule_id: str) -> PlaybookRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def appeal_letter_for(self, category: Category | None) -> str | None:
        """The letter the playbook's own rules use to appeal this category (first by priority),
        for an appeal that a [[late]] rule or a level without a form offers without naming one."""
        if category is None:
            return None
        for rule in self.rules:
            if category.value in rule.when.category:
                for spec in rule.actions:
                    if spec.action is Action.APPEAL and spec.template:
                        return spec.template
        return None

    def days_to_wait(self, kind: PayerKind) -> int:
        return self.no_response_days.get(kind.value, self.no_response_days.get("default", 30))

    def days_to_decide(self, kind: PayerKind) -> int:
        """Days to wait for an appeal decision when the payer's level has no decision time on file."""
        return self.appeal_response_days.get(kind.value, self.appeal_response_days.get("default", 60))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _strings(value: Any, where: str, key: str) -> frozenset[str]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in items):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return frozenset(items)


def _condition(raw: Any, where: str) -> Condition:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: `when` must be a table")
    unknown = set(raw) - set(_LIST_CONDITIONS)
    if unknown:
        raise ConfigError(f"{where}: unknown condition {sorted(unknown)[0]!r} "
                          f"(known: {', '.join(_LIST_CONDITIONS)})")
    values = {key: _strings(value, where, key) for key, value in raw.items()}
    checks: dict[str, frozenset[str]] = {
        "status": STATUSES, "category": frozenset(c.value for c in Category),
        "payer_kind": frozenset(k.value for k in PayerKind),
        "not_payer_kind": frozenset(k.value for k in PayerKind), "facts": FACTS, "not_facts": FACTS,
    }
    from assistant.rules.checks import CHECKS

    checks["findings"] = frozenset(CHECKS)
    for key, allowed in checks.items():
        bad = values.get(key, frozenset()) - allowed
        if bad:
            raise ConfigError(f"{where}: unknown {key} {sorted(bad)[0]!r}")
    if "code" in values:
        values["code"] = frozenset(v.upper() for v in values["code"])
    if "rarc" in values:
        values["rarc"] = frozenset(v.upper() for v in values["rarc"])
    if "group" in values:
        values["group"] = frozenset(v.upper() for v in values["group"])
    return Condition(**values)


def _action(raw: Any, where: str) -> PlaybookAction:
    if not isinstance(raw, dict) or "action" not in raw or "reason" not in raw:
        raise ConfigError(f"{where}: each action needs `action` and `reason`")
    try:
        action = Action(raw["action"])
    except ValueError:
        raise ConfigError(f"{where}: unknown action {raw['action']!r} "
                          f"(known: {', '.join(a.value for a in Action)})") from None
    reason = raw["reason"]
    try:
        bad = _fields(reason) - PLACEHOLDERS
    except ValueError as exc:
        raise ConfigError(f"{where}: reason has a broken {{placeholder}} ({exc})") from None
    if bad:
        raise ConfigError(f"{where}: unknown placeholder {{{sorted(bad)[0]}}} in a reason")
    deadline = raw.get("deadline")
    if deadline is not None and deadline not in DEADLINE_KINDS:
        raise ConfigError(f"{where}: deadline must be one of {', '.join(sorted(DEADLINE_KINDS))}")
    level = raw.get("level")
    if level is not None and (not isinstance(level, int) or level < 1):
        raise ConfigError(f"{where}: level must be a whole number from 1")
    return PlaybookAction(action, reason, raw.get("template"), level, deadline)


def _rule(raw: Any, index: int, file: str, section: str = "rule") -> PlaybookRule:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ConfigError(f"{file}: {section} {index} has no `id`")
    where = f"{file}: {section} {raw['id']!r}"
    category: Category | None = None
    sets_category = "category" in raw
    if sets_category and raw["category"]:
        try:
            category = Category(raw["category"])
        except ValueError:
            raise ConfigError(f"{where}: unknown category {raw['category']!r}") from None
    actions = raw.get("actions", [])
    if not actions:
        raise ConfigError(f"{where}: a rule needs at least one action")
    priority = raw.get("priority", 0)
    if not isinstance(priority, int):
        raise ConfigError(f"{where}: priority must be a whole number")
    lapsed: set[Action] = set()
    if section == "late":
        for name in _strings(raw.get("lapsed", []), where, "lapsed"):
            try:
                lapsed.add(Action(name))
            except ValueError:
                raise ConfigError(f"{where}: lapsed: unknown action {name!r}") from None
    return PlaybookRule(
        id=raw["id"], priority=priority, when=_condition(raw.get("when", {}), where),
        actions=tuple(_action(a, where) for a in actions), final=bool(raw.get("final", False)),
        always=bool(raw.get("always", False)), sets_category=sets_category, category=category,
        file=file, lapsed=frozenset(lapsed),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None


_SETTINGS = ("no_response_days", "appeal_response_days")


def _days_by_kind(settings: Any, key: str, file: str) -> dict[str, int]:
    unknown = set(settings) - set(_SETTINGS)
    if unknown:
        raise ConfigError(f"{file}: settings: unknown setting {sorted(unknown)[0]!r}")
    raw = settings.get(key, {})
    if isinstance(raw, int):
        raw = {"default": raw}
    allowed = {k.value for k in PayerKind} | {"default"}
    if not isinstance(raw, dict) or not all(k in allowed and isinstance(v, int) and v > 0
                                            for k, v in raw.items()):
        raise ConfigError(f"{file}: settings: {key} must map payer kinds (or default) "
                          "to a number of days")
    return dict(raw)


_CACHE: dict[tuple[tuple[str, float], ...], Playbook] = {}


def load_playbook(files: Sequence[Path]) -> Playbook:
    """The shipped playbook with the practice's file layered over it; files that do not exist are skipped.

    Cached per set of files and their modification times, so an edit takes effect on the next call.
    """
    present = [Path(f) for f in files if Path(f).is_file()]
    key = tuple((str(p), p.stat().st_mtime) for p in present)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    sections: dict[str, dict[str, tuple[int, PlaybookRule]]] = {"rule": {}, "late": {}}
    templates: dict[str, dict[int, str]] = {}
    waits: dict[str, int] = {}
    decisions: dict[str, int] = {}
    order = 0
    for path in present:
        raw = _read(path)
        unknown = set(raw) - {"rule", "late", "appeal_templates", "settings"}
        if unknown:
            raise ConfigError(f"{path.name}: unknown section {sorted(unknown)[0]!r}")
        settings = raw.get("settings", {})
        waits.update(_days_by_kind(settings, "no_response_days", path.name))
        decisions.update(_days_by_kind(settings, "appeal_response_days", path.name))
        for kind, levels in raw.get("appeal_templates", {}).items():
            if kind not in {k.value for k in PayerKind}:
                raise ConfigError(f"{path.name}: appeal_templates: unknown payer kind {kind!r}")
            templates.setdefault(kind, {}).update({int(level): str(name) for level, name in levels.items()})
        for section, by_id in sections.items():
            for index, entry in enumerate(raw.get(section, []), 1):
                if isinstance(entry, dict) and entry.get("disabled"):
                    by_id.pop(str(entry.get("id")), None)
                    continue
                rule = _rule(entry, index, path.name, section)
                previous = by_id.get(rule.id)
                by_id[rule.id] = (previous[0] if previous else order, rule)
                order += 1

    def ranked(by_id: dict[str, tuple[int, PlaybookRule]]) -> tuple[PlaybookRule, ...]:
        order = sorted(by_id.values(), key=lambda item: (-item[1].priority, item[0]))
        return tuple(rule for _, rule in order)

    playbook = Playbook(ranked(sections["rule"]), templates, waits, ranked(sections["late"]), decisions)
    _CACHE[key] = playbook
    return playbook
