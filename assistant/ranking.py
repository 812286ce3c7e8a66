"""Ranking open claims: a score in points from money, age, silence, deadline and follow-up.

    score = money + age + silence + deadline + follow_up

- money: `money` points per tenfold of the dollars expected back, balance x the share the
  claim's category and next action let a specialist recover (`data/ranking.toml`);
- age and silence: points per day since the date of service and since the payer last
  answered (a remittance; else since the claim was sent);
- deadline: up to `deadline` points as the deadline that matters nears, quadratic inside
  the horizon, so it dominates in the last weeks;
- follow_up: points when a follow-up date comes due, more for each day overdue (capped).

Speed. Age and silence grow by the same points each day for every claim (the daily
*drift*), so they never change the order. The stored rank key (`claim_ranks.rank_key`) is
the score minus drift x day: one index keeps the whole ranking in order from one day to the
next, and only claims whose deadline or follow-up terms moved (a deadline inside the
horizon, a follow-up due or overdue) are re-keyed when the day changes, in SQL over indexed
integer day columns. The key sits in its own narrow table so that re-keying rewrites a few
pages rather than one claims page per claim. The score shown is `rank_key + drift x today`;
`claims.score` is the score as of `claims.score_day`, the day of the last assessment.

Assessments (the rules' category, next action, deadline) are stored per claim with the
claim version they reflect. A claim is re-assessed when it changed (its version moved),
when the calendar alone changes what the rules say (`reassess_day`: the day after a
deadline, the day a sent claim counts as unanswered), or when the playbook or these
weights change. Everything else is only re-keyed. docs/worklists.md has the figures.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from assistant import __version__
from assistant.domain import WINDOWS_CLOSED, Action, Category, PayerKind, PayerStatus, WorkStatus
from assistant.errors import ConfigError
from assistant.money import fmt
from assistant.paths import package_data

Progress = Callable[[int, int], None]

RANKING_FILE = "ranking.toml"
# Bump when the meaning of the stored columns changes, so every claim is re-assessed.
STORE_FORMAT = 1
CHUNK = 10_000  # claims per assess_many call: its bulk loads have a fixed cost per call



def open_sql(alias: str = "c") -> str:
    """Claims a specialist can still work: money owed and not written off or closed."""
    prefix = f"{alias}." if alias else ""
    return f"({prefix}balance_cents > 0 AND {prefix}work_status NOT IN ('written_off', 'closed'))"

COMPONENTS = ("money", "age", "silence", "deadline", "follow_up")


@dataclass(frozen=True)
class Weights:
    """Points per unit of each component (see the module docstring and data/ranking.toml)."""

    money: float = 10.0
    age: float = 0.05
    silence: float = 0.05
    deadline: float = 40.0
    deadline_horizon_days: int = 90
    follow_up: float = 10.0
    follow_up_per_day: float = 0.5
    follow_up_max_days: int = 30

    @property
    def drift(self) -> float:
        """Points every open claim gains per day: the part of the score that never reorders."""
        return self.age + self.silence

    def params(self, today: int) -> dict[str, float | int]:
        """Named parameters of `score_sql` for this day (an ordinal day number)."""
        return {
            "t": today, "w_money": self.money, "w_age": self.age, "w_silence": self.silence,
            "w_deadline": self.deadline, "h": self.deadline_horizon_days, "w_fu": self.follow_up,
            "w_fu_day": self.follow_up_per_day, "fu_max": self.follow_up_max_days,
            "drift": self.drift,
        }

    def as_dict(self) -> dict[str, float | int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


WEIGHT_NAMES = tuple(f.name for f in fields(Weights))
_WHOLE_DAYS = ("deadline_horizon_days", "follow_up_max_days")


def weights_from(raw: Mapping[str, Any], where: str, base: Weights | None = None) -> Weights:
    """Weights from a TOML table, over `base`; errors name `where` and the key."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "source":
            continue
        if key not in WEIGHT_NAMES:
            raise ConfigError(f"{where}: unknown weight {key!r} (one of {', '.join(WEIGHT_NAMES)})")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{where}: {key} must be a number of 0 or more, not {value!r}")
        if key in _WHOLE_DAYS and (value != int(value) or value < 1):
            raise ConfigError(f"{where}: {key} must be a whole number of days, 1 or more")
        values[key] = int(value) if key in _WHOLE_DAYS else float(value)
    return replace(base or Weights(), **values)


@dataclass(frozen=True)
class RankingData:
    """The weights and recoverable shares of data/ranking.toml."""

    weights: Weights
    shares: dict[str, float]  # category value or "none"
    shares_by_kind: dict[tuple[str, str], float]  # (category, payer kind)
    shares_by_action: dict[str, float]
    tickler_days: dict[WorkStatus, int]
    closed_factor: float = 1.0  # scales the share when nothing can be filed any more

    def share(self, category: str | None, action: str | None, payer_kind: str | None,
              closed: bool = False) -> float:
        """The share of the balance a specialist can expect to recover; `closed`: every window
        the rules named has passed (the assessment's deadline kind `closed`)."""
        if action in self.shares_by_action:
            return self.shares_by_action[action]
        key = category or "none"
        if payer_kind is not None and (key, payer_kind) in self.shares_by_kind:
            share = self.shares_by_kind[(key, payer_kind)]
        else:
            share = self.shares.get(key, self.shares["none"])
        return share * self.closed_factor if closed else share


def _share(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"{where}: a share must be a number from 0 to 1, not {value!r}")
    return float(value)


def parse_ranking(raw: Mapping[str, Any], file: str) -> RankingData:
    weights = weights_from(raw.get("weights", {}), f"{file}: [weights]")
    categories = {c.value for c in Category} | {"none"}
    shares: dict[str, float] = {}
    by_kind: dict[tuple[str, str], float] = {}
    for name, entry in raw.get("recoverability", {}).items():
        if name not in categories:
            raise ConfigError(f"{file}: [recoverability.{name}]: not a category")
        shares[name] = _share(entry.get("share"), f"{file}: [recoverability.{name}] share")
        for kind, value in entry.get("by_payer_kind", {}).items():
            PayerKind(kind)
            by_kind[(name, kind)] = _share(value, f"{file}: [recoverability.{name}] by_payer_kind")
    if "none" not in shares:
        raise ConfigError(f"{file}: [recoverability.none] is missing")
    actions = {a.value for a in Action}
    by_action: dict[str, float] = {}
    for name, entry in raw.get("recoverability_by_action", {}).items():
        if name not in actions:
            raise ConfigError(f"{file}: [recoverability_by_action.{name}]: not an action")
        by_action[name] = _share(entry.get("share"), f"{file}: [recoverability_by_action.{name}] share")
    tickler = {WorkStatus(k): int(v) for k, v in raw.get("tickler", {}).items() if k != "source"}
    closed = _share(raw.get("recoverability_when_closed", {}).get("factor", 1.0),
                    f"{file}: [recoverability_when_closed] factor")
    return RankingData(weights, shares, by_kind, by_action, tickler, closed)


@cache
def ranking_data() -> RankingData:
    path = package_data(RANKING_FILE)
    with path.open("rb") as fh:
        return parse_ranking(tomllib.load(fh), path.name)


def fingerprint(playbook_files: Sequence[Path]) -> str:
    """What stored assessments depend on besides the claim: program, playbook files, ranking data."""
    digest = hashlib.sha256(f"{__version__}|{STORE_FORMAT}".encode())
    for path in [*playbook_files, package_data(RANKING_FILE)]:
        try:
            content = path.read_bytes()
        except OSError:
            content = b"absent"
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()[:32]


# --------------------------------------------------------------------------- the score in SQL


def component_sql(alias: str = "c") -> dict[str, str]:
    """Each component as an SQL expression over integer day columns (named parameters)."""
    c = alias
    left = f"(1.0 - ({c}.deadline_day - :t) * 1.0 / :h)"
    return {
        "money": f":w_money * {c}.rank_value",
        "age": f":w_age * (:t - {c}.dos_from_day)",
        "silence": f":w_silence * (:t - coalesce({c}.last_remit_day, {c}.submitted_day, {c}.dos_from_day))",
        "deadline": f"(CASE WHEN {c}.deadline_day BETWEEN :t AND :t + :h "
                    f"THEN :w_deadline * {left} * {left} ELSE 0.0 END)",
        "follow_up": f"(CASE WHEN {c}.follow_up_day <= :t "
                     f"THEN :w_fu + :w_fu_day * min(:t - {c}.follow_up_day, :fu_max) ELSE 0.0 END)",
    }


def score_sql(alias: str = "c") -> str:
    return "(" + " + ".join(component_sql(alias).values()) + ")"


def _rekey(conn: sqlite3.Connection, where: str, params: Mapping[str, Any], today: int,
           index: str | None = None) -> int:
    """Store the rank key as of `today` (in `claim_ranks`) for the ranked claims `where`
    selects (alias c = claims).

    `index` names the index to read. The daily windows read `claims_ranked`, which covers
    every column of the score: one pass over an index instead of a random read of each
    claim's row (a million-claim table does not stay in memory).
    """
    weights = ranking_data().weights
    table = f"claims c INDEXED BY {index}" if index else "claims c"
    cur = conn.execute(
        f"INSERT INTO claim_ranks (claim_pk, rank_key, keyed_day, category) "
        f"SELECT c.pk, {score_sql('c')} - :drift * :t, :t, c.category FROM {table} "
        f"WHERE c.rank_value IS NOT NULL AND {where} "
        f"ON CONFLICT (claim_pk) DO UPDATE SET rank_key = excluded.rank_key, "
        f"keyed_day = excluded.keyed_day, category = excluded.category",
        {**weights.params(today), **params},
    )
    return cur.rowcount


# --------------------------------------------------------------------------- storing assessments


def _chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" for _ in values)


def _reassess_day(assessment: Any, row: sqlite3.Row, wait_days: int, today: int) -> int | None:
    """First day after `today` on which the rules may say something else with no change to the claim:
    the day after any deadline they named, the day a sent claim counts as unanswered, and the
    day the rules themselves say a calendar fact turns (`Assessment.recheck`)."""
    days = {a.deadline.toordinal() + 1 for a in assessment.actions if a.deadline is not None}
    if assessment.deadline is not None:
        days.add(assessment.deadline.toordinal() + 1)
    if assessment.recheck is not None:
        days.add(assessment.recheck.toordinal())
    if (row["payer_status"] == PayerStatus.SUBMITTED.value and row["last_remit_day"] is None
            and row["submitted_day"] is not None):
        days.add(row["submitted_day"] + wait_days + 1)
    future = [d for d in days if d > today]
    return min(future) if future else None


def _is_open(row: sqlite3.Row) -> bool:
    return row["balance_cents"] > 0 and row["work_status"] not in (
        WorkStatus.WRITTEN_OFF.value, WorkStatus.CLOSED.value)


def rank_value(balance_cents: int, share: float) -> float | None:
    """log10 of the dollars expected back (at least $1); None when there is nothing to work."""
    if balance_cents <= 0 or share <= 0:
        return None
    return math.log10(max(balance_cents * share / 100, 1.0))


def refresh(conn: sqlite3.Connection, claim_pks: Sequence[int], today: date,
            playbook_files: Sequence[Path]) -> int:
    """Re-assess claims and store category, next action, codes, deadline and rank key.

    Runs inside the caller's transaction (after an import, a posting, a user action).
    Does not bump `version`: derived columns are not a change anyone could conflict with.
    """
    from assistant.rules.assess import assess_many
    from assistant.rules.playbook import load_playbook

    if not claim_pks:
        return 0
    data = ranking_data()
    playbook = load_playbook(playbook_files)
    day = today.toordinal()
    done = 0
    for part in _chunks(sorted(set(claim_pks)), CHUNK):
        rows = {row["pk"]: row for row in conn.execute(
            f"SELECT c.pk, c.balance_cents, c.work_status, c.payer_status, c.submitted_day, "
            f"c.last_remit_day, y.kind FROM claims c JOIN payers y ON y.pk = c.payer_pk "
            f"WHERE c.pk IN ({_marks(part)})", list(part))}
        assessments = assess_many(conn, list(rows), today, playbook_files)
        updates = []
        for pk, a in assessments.items():
            row = rows[pk]
            category = a.category.value if a.category else None
            action = a.actions[0].action.value if a.actions else None
            is_open = _is_open(row)
            share = data.share(category, action, row["kind"], closed=a.nothing_to_file)
            value = rank_value(row["balance_cents"], share) if is_open else None
            reassess = _reassess_day(a, row, playbook.days_to_wait(PayerKind(row["kind"])), day) \
                if is_open else None
            updates.append((
                category, action, " ".join(a.codes) or None,
                a.deadline.isoformat() if a.deadline else None,
                a.deadline.toordinal() if a.deadline else None, a.deadline_kind,
                day, reassess, value, pk,
            ))
        conn.executemany(
            "UPDATE claims SET category = ?, next_action = ?, codes = ?, deadline = ?, deadline_day = ?, "
            "deadline_kind = ?, assessed_version = version, assessed_day = ?, reassess_day = ?, "
            "rank_value = ? WHERE pk = ?",
            updates,
        )
        _store_scores(conn, list(assessments), day)
        done += len(assessments)
    _widen_keyed_days(conn, day)
    return done


def _store_scores(conn: sqlite3.Connection, claim_pks: Sequence[int], day: int) -> None:
    """After an assessment: `score` and `score_day` on the claim (the score as of that day,
    for anyone reading the table) and the rank key; an unranked claim loses both."""
    if not claim_pks:
        return
    listed = ",".join(str(int(pk)) for pk in claim_pks)
    conn.execute(
        f"UPDATE claims SET score = CASE WHEN rank_value IS NULL THEN NULL ELSE {score_sql('claims')} END, "
        f"score_day = CASE WHEN rank_value IS NULL THEN NULL ELSE :t END WHERE pk IN ({listed})",
        ranking_data().weights.params(day))
    conn.execute(f"DELETE FROM claim_ranks WHERE claim_pk IN (SELECT pk FROM claims WHERE pk IN ({listed}) "
                 f"AND rank_value IS NULL)")
    _rekey(conn, f"c.pk IN ({listed})", {}, day)


# Claim columns the rules never read: changing only these leaves an assessment valid.
RULES_IGNORE = frozenset({"follow_up_date", "assignee"})


def rescore(conn: sqlite3.Connection, claim_pks: Sequence[int], today: date) -> int:
    """Re-key claims whose change the rules do not read (a follow-up date, an assignee) and
    whose assessment was current before it: the assessment now covers the new version too."""
    pks = sorted(set(claim_pks))
    if not pks:
        return 0
    listed = ",".join(str(int(pk)) for pk in pks)
    conn.execute(f"UPDATE claims SET assessed_version = version WHERE pk IN ({listed})")
    _store_scores(conn, pks, today.toordinal())
    _widen_keyed_days(conn, today.toordinal())
    return len(pks)


# --------------------------------------------------------------------------- keeping it current

_META_FINGERPRINT = "ranking_fingerprint"
_META_KEYED_FROM = "ranking_keyed_from"  # earliest day a stored rank key was computed for
_META_KEYED_TO = "ranking_keyed_to"  # latest such day


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _set_meta(conn: sqlite3.Connection, key: str, value: object) -> None:
    if value is None:
        conn.execute("DELETE FROM meta WHERE key = ?", (key,))
    else:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))


def _keyed_days(conn: sqlite3.Connection) -> tuple[int, int] | None:
    low, high = _meta(conn, _META_KEYED_FROM), _meta(conn, _META_KEYED_TO)
    return (int(low), int(high)) if low is not None and high is not None else None


def _widen_keyed_days(conn: sqlite3.Connection, day: int) -> None:
    """Remember that some rank keys are as of `day`, so the next re-key covers their windows."""
    keyed = _keyed_days(conn)
    if keyed is None:
        return  # nothing keyed consistently yet: the next `ensure_current` re-keys every claim
    _set_meta(conn, _META_KEYED_FROM, min(keyed[0], day))
    _set_meta(conn, _META_KEYED_TO, max(keyed[1], day))


def rekey_for_day(conn: sqlite3.Connection, today: date) -> int:
    """Bring every rank key to `today` (inside the caller's transaction).

    A key computed on day s is still right on day t unless the deadline or follow-up term
    differs between s and t, which needs the deadline inside [s, s + horizon] or
    [t, t + horizon], or the follow-up date inside (min(s, t) - max_days, max(s, t)].
    Keys were computed between the stored keyed-from and keyed-to days, so one pass over
    the covering index finds every claim to re-key.
    """
    day = today.toordinal()
    keyed = _keyed_days(conn)
    weights = ranking_data().weights
    if keyed == (day, day):
        return 0
    if keyed is None:
        count = _rekey(conn, "1", {}, day)
    else:
        low, high = min(keyed[0], day), max(keyed[1], day)
        window = "(c.deadline_day BETWEEN :dlo AND :dhi OR c.follow_up_day BETWEEN :flo AND :fhi)"
        count = _rekey(conn, window,
                       {"dlo": low, "dhi": high + weights.deadline_horizon_days,
                        "flo": low - weights.follow_up_max_days, "fhi": high}, day, "claims_ranked")
    _set_meta(conn, _META_KEYED_FROM, day)
    _set_meta(conn, _META_KEYED_TO, day)
    return count


def ensure_current(conn: sqlite3.Connection, today: date, playbook_files: Sequence[Path],
                   progress: Progress = lambda _d, _t: None) -> dict[str, int]:
    """Make the stored ranking right for `today` before a worklist reads it.

    1. When the program, the playbook or the ranking data changed, every open claim is due
       for re-assessment.
    2. Claims never assessed that nobody can work (paid, closed) are marked unranked in SQL.
    3. Claims changed since their assessment, or whose `reassess_day` has come, are
       re-assessed with the rules (the only Python-per-claim step), in chunks of their own
       transactions so a long catch-up keeps what it did.
    4. Rank keys whose deadline or follow-up terms moved since they were computed are
       re-keyed (`rekey_for_day`).
    Must be called outside a transaction; returns what it did.
    """
    from assistant.storage import transaction

    day = today.toordinal()
    stats = {"reassessed": 0, "unranked": 0, "rekeyed": 0}
    current = fingerprint(playbook_files)
    if _meta(conn, _META_FINGERPRINT) != current:
        with transaction(conn):
            conn.execute(f"UPDATE claims SET assessed_version = NULL WHERE {open_sql('')}")
            _set_meta(conn, _META_FINGERPRINT, current)
    never = (f"FROM claims INDEXED BY claims_unassessed WHERE assessed_version IS NOT version "
             f"AND assessed_version IS NULL AND NOT {open_sql('')}")
    if conn.execute(f"SELECT 1 {never} LIMIT 1").fetchone() is not None:
        with transaction(conn):
            stats["unranked"] = conn.execute(
                f"UPDATE claims SET assessed_version = version, assessed_day = :t, reassess_day = NULL, "
                f"rank_value = NULL, score = NULL, score_day = NULL "
                f"WHERE pk IN (SELECT pk {never})", {"t": day}).rowcount
    pending = [pk for (pk,) in conn.execute(
        "SELECT pk FROM claims INDEXED BY claims_unassessed WHERE assessed_version IS NOT version "
        "UNION SELECT pk FROM claims INDEXED BY claims_reassess WHERE reassess_day <= ?", (day,))]
    for part in _chunks(pending, CHUNK):
        with transaction(conn):
            stats["reassessed"] += refresh(conn, part, today, playbook_files)
        progress(stats["reassessed"], len(pending))
    if _keyed_days(conn) != (day, day):
        with transaction(conn):
            stats["rekeyed"] = rekey_for_day(conn, today)
    return stats


# --------------------------------------------------------------------------- explaining a row


@dataclass(frozen=True)
class Explained:
    """One ranked claim's score as a specialist reads it."""

    score: float
    components: dict[str, float]
    recoverability: float
    why: str


_DEADLINE_WORDS = {"timely_filing": "timely filing", "reopening": "reopening",
                   "reopening_good_cause": "good-cause reopening", "corrected_claim": "corrected claim"}


def deadline_phrase(kind: str | None, days_left: int | None) -> str | None:
    """"appeal due in 9 days", "timely filing ends today", "level 2 appeal passed 3 days ago"."""
    if days_left is None:
        return None
    if kind and kind.startswith("appeal_level_"):
        level = kind.removeprefix("appeal_level_")
        name = "appeal" if level == "1" else f"level {level} appeal"
        verb = "due"
    elif kind == "timely_filing":
        name, verb = "timely filing", "ends"
    else:
        name, verb = _DEADLINE_WORDS.get(kind or "", "deadline"), "due"
    if days_left < 0:
        return f"{name} deadline passed {_days(-days_left)} ago"
    if days_left == 0:
        return f"{name} {verb} today"
    return f"{name} {verb} in {_days(days_left)}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _dollars(cents: int) -> str:
    text = fmt(cents)
    return text[:-3] if text.endswith(".00") else text


def explain(row: Mapping[str, Any], components: Mapping[str, float], today: date,
            data: RankingData | None = None) -> Explained:
    """The score, its components and a one-line `why` for a row the worklist returns.

    `row` needs balance_cents, dos_from_day, category, codes, next_action, deadline_day,
    deadline_kind, follow_up_day, payer_status, last_remit_day, submitted_day, payer_kind.
    """
    data = data or ranking_data()
    day = today.toordinal()
    parts = [_dollars(row["balance_cents"]), f"{day - row['dos_from_day']} days"]
    follow_up_day = row["follow_up_day"]
    if follow_up_day is not None and follow_up_day <= day:
        late = day - follow_up_day
        parts.append("follow-up due today" if late == 0 else f"follow-up overdue {_days(late)}")
    if row["deadline_day"] is not None:
        phrase = deadline_phrase(row["deadline_kind"], row["deadline_day"] - day)
        if phrase:
            parts.append(phrase)
    codes = (row["codes"] or "").split()
    category = (row["category"] or "").replace("_", " ")
    if codes or category:
        parts.append(" ".join(x for x in (codes[0] if codes else "", category) if x))
    action = row["next_action"]
    if (row["payer_status"] == PayerStatus.SUBMITTED.value and row["last_remit_day"] is None
            and row["submitted_day"] is not None and action == Action.CALL_PAYER.value):
        parts.append(f"no answer in {day - row['submitted_day']} days")
    closed = row["deadline_kind"] == WINDOWS_CLOSED
    if closed:
        parts.append("every filing window closed")
    share = data.share(row["category"], action, row["payer_kind"], closed=closed)
    if action == Action.BILL_PATIENT.value:
        parts.append("to patient billing")
    elif action == Action.WRITE_OFF.value:
        parts.append("write-off candidate")
    elif action == Action.WAIT.value:
        parts.append("waiting on the payer")
    rounded = {name: round(components[name], 2) for name in COMPONENTS}
    return Explained(round(sum(components[name] for name in COMPONENTS), 2), rounded, round(share, 4),
                     " - ".join(parts))


# --------------------------------------------------------------------------- what a change touches


def invalidate(conn: sqlite3.Connection, claim_pks: Sequence[int] | None = None) -> int:
    """Mark open claims (all, or these) for re-assessment before the next worklist reads them."""
    if claim_pks is None:
        return conn.execute(f"UPDATE claims SET assessed_version = NULL WHERE {open_sql('')}").rowcount
    count = 0
    for part in _chunks(list(claim_pks), 500):
        count += conn.execute(f"UPDATE claims SET assessed_version = NULL WHERE pk IN ({_marks(part)})",
                              list(part)).rowcount
    return count


def open_claims_of_patients(conn: sqlite3.Connection, patient_sql: str,
                            params: Sequence[Any] = ()) -> list[int]:
    """Open claims of the patients `patient_sql` selects (a SELECT of patient pks)."""
    return [pk for (pk,) in conn.execute(
        f"SELECT c.pk FROM claims c WHERE {open_sql()} AND c.patient_pk IN ({patient_sql})", params)]
