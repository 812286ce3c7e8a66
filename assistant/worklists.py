"""Saved worklists: TOML definitions, layered user over shipped, compiled to one SQL query.

A worklist file (`worklists/<name>.toml`, shipped; `<config>/worklists/<name>.toml`, the
user's) holds `name` (default: the file name), `description`, `sort`, a `[filter]` table and
an optional `[weights]` table. The user's folder extends the shipped lists (a new name) and
overrides them (the same name replaces the shipped list; with `extends = "<name>"` it starts
from that list and changes only the keys it sets); `disabled = true` hides a list. Every
mistake is reported with the file and the key. docs/worklists.md lists every key.
"""

from __future__ import annotations

import heapq
import itertools
import sqlite3
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from assistant.domain import Action, Category, PayerKind, PayerStatus, WorkStatus
from assistant.errors import ConfigError, NotFound
from assistant.money import as_number, to_cents
from assistant.ranking import (
    COMPONENTS,
    RankingData,
    Weights,
    component_sql,
    explain,
    ranking_data,
    weights_from,
)

DEFAULT_WORKLIST = "today"
SORTS = ("score", "balance", "age", "deadline", "follow_up")
TOP_KEYS = ("name", "description", "extends", "sort", "disabled", "filter", "weights")
NO_CATEGORY = "none"  # in category lists: claims without a denial category


@dataclass(frozen=True)
class Filters:
    """Which open claims a worklist shows; every filter set must hold (AND)."""

    due: bool = False
    include_snoozed: bool = False
    statuses: tuple[str, ...] = ()
    payer_statuses: tuple[str, ...] = ()
    payers: tuple[str, ...] = ()
    payer_kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    exclude_categories: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    exclude_actions: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # CARC/RARC on the claim: "CO-50", "N115", or "50" in any group
    assignee: str | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None
    min_balance: int | None = None  # cents
    max_balance: int | None = None
    deadline_within_days: int | None = None
    no_response_days: int | None = None
    denied: bool | None = None
    search: tuple[str, ...] = ()  # words typed to narrow the list (the app's filter); not a file key

    def as_dict(self) -> dict[str, Any]:
        """The filters that are set, as they are written in a file (dollars for money)."""
        out: dict[str, Any] = {}
        for key in FILTER_KEYS:
            value = getattr(self, key)
            if value in (None, (), False):
                continue
            if key in ("min_balance", "max_balance"):
                value = as_number(value)
            out[key] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class Worklist:
    name: str
    description: str
    filters: Filters
    sort: str = "score"
    weights: Weights | None = None  # None: the default weights (and the stored ranking)
    file: Path | None = None
    origin: str = "shipped"  # shipped | user

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "description": self.description, "origin": self.origin,
            "file": str(self.file) if self.file else None, "sort": self.sort,
            "filter": self.filters.as_dict(),
            "weights": self.weights.as_dict() if self.weights else None,
        }


# --------------------------------------------------------------------------- reading files


def _choices(enum: type[StrEnum], extra: Sequence[str] = ()) -> tuple[str, ...]:
    return (*[e.value for e in enum], *extra)


_LISTS: dict[str, tuple[str, ...] | None] = {
    "statuses": _choices(WorkStatus),
    "payer_statuses": _choices(PayerStatus),
    "payers": None,  # payer names, aliases or ids, checked against the database
    "payer_kinds": _choices(PayerKind),
    "categories": _choices(Category, (NO_CATEGORY,)),
    "exclude_categories": _choices(Category, (NO_CATEGORY,)),
    "actions": _choices(Action),
    "exclude_actions": _choices(Action),
    "codes": None,  # adjustment and remark codes as the 835 gives them
}
_FLAGS = ("due", "include_snoozed", "denied")
_DAYS = ("min_age_days", "max_age_days", "deadline_within_days", "no_response_days")
_MONEY = ("min_balance", "max_balance")
FILTER_KEYS = ("due", "include_snoozed", *_LISTS, "assignee", *_DAYS, *_MONEY, "denied")


def _check_filter(raw: Any, where: str) -> dict[str, Any]:
    """The [filter] table of one file, checked key by key; values as `Filters` holds them."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [filter] must be a table")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        at = f"{where}: [filter] {key}"
        if key in _FLAGS:
            if not isinstance(value, bool):
                raise ConfigError(f"{at}: must be true or false, not {value!r}")
            out[key] = value
        elif key in _LISTS:
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
                raise ConfigError(f"{at}: must be a list of names")
            choices = _LISTS[key]
            items = [v.strip().upper() if key == "codes" else v.strip() if choices is None
                     else v.strip().lower() for v in items]
            for item in items:
                if choices is not None and item not in choices:
                    raise ConfigError(f"{at}: {item!r} is not one of {', '.join(choices)}")
            out[key] = tuple(items)
        elif key == "assignee":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{at}: must be a user name, \"me\" or \"unassigned\"")
            out[key] = value.strip()
        elif key in _DAYS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{at}: must be a whole number of days, 0 or more, not {value!r}")
            out[key] = value
        elif key in _MONEY:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"{at}: must be an amount in dollars, 0 or more, not {value!r}")
            out[key] = to_cents(value)
        else:
            raise ConfigError(f"{where}: [filter] unknown key {key!r} (one of {', '.join(FILTER_KEYS)})")
    for low, high in (("min_age_days", "max_age_days"), ("min_balance", "max_balance")):
        if low in out and high in out and out[low] > out[high]:
            raise ConfigError(f"{where}: [filter] {low} is more than {high}")
    return out


@dataclass
class _Entry:
    """One file's checked contents, before layering."""

    name: str
    file: Path
    origin: str
    extends: str | None = None
    disabled: bool = False
    values: dict[str, Any] = field(default_factory=dict)  # description, sort
    filters: dict[str, Any] = field(default_factory=dict)
    weights: dict[str, Any] | None = None


def _read(path: Path, origin: str) -> _Entry:
    where = str(path)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read ({exc.strerror})") from None
    for key in raw:
        if key not in TOP_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (one of {', '.join(TOP_KEYS)})")
    entry = _Entry(name=path.stem, file=path, origin=origin)
    for key in ("name", "description", "extends"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise ConfigError(f"{where}: {key} must be a non-empty text")
    if "name" in raw:
        entry.name = raw["name"].strip()
    if "extends" in raw:
        entry.extends = raw["extends"].strip()
    if "description" in raw:
        entry.values["description"] = raw["description"].strip()
    if "sort" in raw:
        if raw["sort"] not in SORTS:
            raise ConfigError(f"{where}: sort: {raw['sort']!r} is not one of {', '.join(SORTS)}")
        entry.values["sort"] = raw["sort"]
    if "disabled" in raw:
        if not isinstance(raw["disabled"], bool):
            raise ConfigError(f"{where}: disabled must be true or false")
        entry.disabled = raw["disabled"]
    entry.filters = _check_filter(raw.get("filter", {}), where)
    if "weights" in raw:
        if not isinstance(raw["weights"], dict):
            raise ConfigError(f"{where}: [weights] must be a table")
        weights_from(raw["weights"], f"{where}: [weights]")  # check now, to name this file
        entry.weights = dict(raw["weights"])
    return entry


def load_worklists(dirs: Sequence[Path]) -> dict[str, Worklist]:
    """Worklists by name: the first folder holds the shipped lists, later folders the user's.

    A later folder's list replaces an earlier one of the same name, or with `extends`
    starts from it. Order: `today` first, then shipped lists by name, then the user's new ones.
    """
    layers: list[dict[str, _Entry]] = []
    for index, folder in enumerate(dirs):
        origin = "shipped" if index == 0 else "user"
        layer: dict[str, _Entry] = {}
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                if path.name.startswith("."):
                    continue
                entry = _read(path, origin)
                if entry.name in layer:
                    raise ConfigError(f"{path}: name: worklist {entry.name!r} is also defined in "
                                      f"{layer[entry.name].file}")
                layer[entry.name] = entry
        layers.append(layer)

    resolved: dict[str, Worklist] = {}
    order: list[str] = []
    for depth, layer in enumerate(layers):
        below = dict(resolved)
        for name, entry in layer.items():
            resolved[name] = _resolve(entry, layer, below, depth)
            if name not in order:
                order.append(name)
        for name, entry in layer.items():
            if entry.disabled:
                resolved.pop(name, None)
    names = [n for n in order if n in resolved]
    names.sort(key=lambda n: (n != DEFAULT_WORKLIST, resolved[n].origin != "shipped", n))
    return {name: resolved[name] for name in names}


def _resolve(entry: _Entry, layer: Mapping[str, _Entry], below: Mapping[str, Worklist],
             depth: int, seen: tuple[str, ...] = ()) -> Worklist:
    """An entry merged over what it extends: the same layer first, else the layers below."""
    base: Worklist | None = None
    if entry.extends is not None:
        target = entry.extends
        if target != entry.name and target in layer:
            if target in seen:
                raise ConfigError(f"{entry.file}: extends: {target!r} extends {entry.name!r} in a circle")
            base = _resolve(layer[target], layer, below, depth, (*seen, entry.name))
        elif target in below:
            base = below[target]
        else:
            raise ConfigError(f"{entry.file}: extends: no worklist {target!r} to extend")
    filters = {**(base.filters.__dict__ if base else {}), **entry.filters}
    weights: Weights | None = base.weights if base else None
    if entry.weights is not None:
        weights = weights_from(entry.weights, f"{entry.file}: [weights]", weights or ranking_data().weights)
    return Worklist(
        name=entry.name,
        description=entry.values.get("description", base.description if base else ""),
        filters=Filters(**filters),
        sort=entry.values.get("sort", base.sort if base else "score"),
        weights=weights,
        file=entry.file,
        origin=entry.origin,
    )


# --------------------------------------------------------------------------- filters to SQL


def _in(column: str, values: Sequence[str], params: dict[str, Any], prefix: str) -> str:
    names = []
    for i, value in enumerate(values):
        params[f"{prefix}{i}"] = value
        names.append(f":{prefix}{i}")
    return f"{column} IN ({', '.join(names)})"


def _categories(values: Sequence[str], params: dict[str, Any], prefix: str) -> str:
    named = [v for v in values if v != NO_CATEGORY]
    terms = [_in("c.category", named, params, prefix)] if named else []
    if NO_CATEGORY in values:
        terms.append("c.category IS NULL")
    return "(" + " OR ".join(terms) + ")"


def _codes(codes: Sequence[str], params: dict[str, Any]) -> str:
    """Claims whose stored codes ("CO-50 N115 PR-1") hold any of `codes`; a bare CARC number
    ("50") matches it in any group."""
    terms = []
    for i, code in enumerate(codes):
        params[f"code{i}"] = ("%-" if code.isdigit() else "% ") + code.upper() + " %"
        terms.append(f"(' ' || coalesce(c.codes, '') || ' ') LIKE :code{i}")
    return "(" + " OR ".join(terms) + ")"


DENIED_SQL = ("(c.payer_status = 'denied' OR (c.category IS NOT NULL AND c.category NOT IN "
              "('patient_responsibility', 'contractual')))")
# One typed word: in the claim id, the patient's name or account, the payer, the category, the
# next action or the denial codes (categories and actions are stored with underscores).
SEARCH_SQL = (
    "(c.claim_id LIKE {q} ESCAPE '\\' OR y.name LIKE {q} ESCAPE '\\' "
    "OR replace(coalesce(c.category, '') || ' ' || coalesce(c.next_action, ''), '_', ' ') "
    "LIKE {q} ESCAPE '\\' "
    "OR coalesce(c.codes, '') LIKE {q} ESCAPE '\\' "
    "OR c.patient_pk IN (SELECT pk FROM patients WHERE last_name || ', ' || first_name || ' ' || account "
    "LIKE {q} ESCAPE '\\'))")
DUE_SQL = ("(c.follow_up_day <= :t OR (c.follow_up_day IS NULL AND c.work_status IN ('new', 'in_progress') "
           "AND coalesce(c.next_action, '') NOT IN ('wait', 'no_action')))")


def compile_filters(conn: sqlite3.Connection, wl: Worklist, today: date,
                    user: str) -> tuple[list[str], dict[str, Any]]:
    """WHERE terms (alias c = claims, y = payers) and named parameters, `:t` being today."""
    f = wl.filters
    params: dict[str, Any] = {"t": today.toordinal()}
    where = ["c.rank_value IS NOT NULL"]
    if not f.include_snoozed:
        where.append("(c.follow_up_day IS NULL OR c.follow_up_day <= :t)")
    if f.due:
        where.append(DUE_SQL)
    if f.statuses:
        where.append(_in("c.work_status", f.statuses, params, "ws"))
    if f.payer_statuses:
        where.append(_in("c.payer_status", f.payer_statuses, params, "ps"))
    if f.payers:
        from assistant.storage.payers import resolve_payer

        pks = []
        for name in f.payers:
            try:
                pks.append(str(resolve_payer(conn, name).pk))
            except NotFound as exc:
                if wl.origin != "command line":
                    raise ConfigError(f"{wl.file or wl.name}: [filter] payers: {exc.message}") from None
                raise
        where.append(f"c.payer_pk IN ({', '.join(pks)})")
    if f.payer_kinds:
        where.append(_in("y.kind", f.payer_kinds, params, "pk"))
    if f.categories:
        where.append(_categories(f.categories, params, "cat"))
    if f.exclude_categories:
        where.append(f"NOT coalesce({_categories(f.exclude_categories, params, 'xcat')}, 0)")
    if f.actions:
        where.append(_in("c.next_action", f.actions, params, "act"))
    if f.exclude_actions:
        where.append(f"coalesce(c.next_action, '') NOT IN "
                     f"({', '.join(':xact' + str(i) for i in range(len(f.exclude_actions)))})")
        params.update({f"xact{i}": v for i, v in enumerate(f.exclude_actions)})
    if f.codes:
        where.append(_codes(f.codes, params))
    if f.assignee:
        who = f.assignee.lower()
        if who == "unassigned":
            where.append("c.assignee IS NULL")
        else:
            where.append("c.assignee = :assignee")
            params["assignee"] = user if who == "me" else f.assignee
    if f.min_age_days is not None:
        where.append("c.dos_from_day <= :t - :min_age")
        params["min_age"] = f.min_age_days
    if f.max_age_days is not None:
        where.append("c.dos_from_day >= :t - :max_age")
        params["max_age"] = f.max_age_days
    if f.min_balance is not None:
        where.append("c.balance_cents >= :min_balance")
        params["min_balance"] = f.min_balance
    if f.max_balance is not None:
        where.append("c.balance_cents <= :max_balance")
        params["max_balance"] = f.max_balance
    if f.deadline_within_days is not None:
        where.append("c.deadline_day BETWEEN :t AND :t + :within")
        params["within"] = f.deadline_within_days
    if f.no_response_days is not None:
        where.append("c.payer_status = 'submitted' AND c.last_remit_day IS NULL "
                     "AND c.submitted_day <= :t - :no_response")
        params["no_response"] = f.no_response_days
    if f.denied is True:
        where.append(DENIED_SQL)
    elif f.denied is False:
        where.append(f"NOT coalesce({DENIED_SQL}, 0)")
    for i, word in enumerate(f.search):
        where.append(SEARCH_SQL.format(q=f":q{i}"))
        params[f"q{i}"] = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return where, params


def search_words(text: str | None) -> tuple[str, ...]:
    """What a person typed to narrow a list: each word must appear somewhere in the claim's row."""
    return tuple(dict.fromkeys((text or "").lower().replace("_", " ").split()))


# --------------------------------------------------------------------------- running a worklist

_ORDER = {
    "balance": "c.balance_cents DESC, r.rank_key DESC, c.pk",
    "age": "c.dos_from_day, r.rank_key DESC, c.pk",
    "deadline": "c.deadline_day IS NULL, c.deadline_day, r.rank_key DESC, c.pk",
    "follow_up": "c.follow_up_day IS NULL, c.follow_up_day, r.rank_key DESC, c.pk",
}

_COLUMNS = """
    c.pk, c.claim_id, c.version, c.dos_from, c.dos_from_day, c.balance_cents, c.category, c.codes,
    c.next_action, c.deadline, c.deadline_day, c.deadline_kind, c.follow_up_date, c.follow_up_day,
    c.assignee, c.work_status, c.payer_status, c.last_remit_day, c.submitted_day,
    p.last_name, p.first_name, p.account, y.name AS payer_name, y.kind AS payer_kind
"""


def _from(where: Sequence[str], index: str | None = None) -> str:
    """Ranked claims with their rank and payer; `index` pins the claims index to read."""
    claims = f"claims c INDEXED BY {index}" if index else "claims c"
    return (f"FROM {claims} JOIN claim_ranks r ON r.claim_pk = c.pk JOIN payers y ON y.pk = c.payer_pk "
            "WHERE " + " AND ".join(where))


def totals(conn: sqlite3.Connection, wl: Worklist, today: date, user: str) -> tuple[int, int]:
    """How many claims the worklist holds and their balance in cents (one covering index)."""
    where, params = compile_filters(conn, wl, today, user)
    count, balance = conn.execute(
        "SELECT count(*), coalesce(sum(c.balance_cents), 0) FROM claims c INDEXED BY claims_ranked "
        "JOIN payers y ON y.pk = c.payer_pk WHERE " + " AND ".join(where), params).fetchone()
    return int(count), int(balance)


def _listed(pks: Sequence[int]) -> str:
    return ",".join(str(int(pk)) for pk in pks)


def _ranked(conn: sqlite3.Connection, category: str | None, whole: bool,
            batch: int) -> Iterator[tuple[float, int]]:
    """(rank_key, claim_pk) best first: the whole ranking, or (`whole` False) one category's
    part of it, read a batch at a time by keyset (rank_key descending, then claim_pk)."""
    index, part, args = ("claim_ranks_key", "", []) if whole else \
        ("claim_ranks_category", "category IS ? AND ", [category])
    table = f"claim_ranks INDEXED BY {index}"
    last: tuple[float, int] | None = None
    while True:
        if last is None:
            rows = conn.execute(f"SELECT rank_key, claim_pk FROM {table} WHERE {part}1 "
                                f"ORDER BY rank_key DESC, claim_pk LIMIT ?", (*args, batch)).fetchall()
        else:
            rows = conn.execute(f"SELECT rank_key, claim_pk FROM {table} WHERE {part}rank_key = ? "
                                f"AND claim_pk > ? ORDER BY claim_pk LIMIT ?",
                                (*args, *last, batch)).fetchall()
            rows += conn.execute(f"SELECT rank_key, claim_pk FROM {table} WHERE {part}rank_key < ? "
                                 f"ORDER BY rank_key DESC, claim_pk LIMIT ?",
                                 (*args, last[0], batch - len(rows))).fetchall()
        yield from ((key, pk) for key, pk in rows)
        if len(rows) < batch:
            return
        last = (rows[-1][0], rows[-1][1])
        batch = min(batch * 2, 20_000)


def _walk_rank_index(conn: sqlite3.Connection, where: Sequence[str], params: dict[str, Any],
                     wanted: int, batch: int | None = None,
                     categories: Sequence[str] = ()) -> list[int]:
    """The first `wanted` matching claims in rank order: read the rank index a batch at a
    time and keep the claims the filters pass. A list of given categories walks only their
    parts of the ranking, merged.

    A join would do the same in one statement, but with ANALYZE statistics SQLite builds a
    Bloom filter over every claim before the first row, which costs more than the page.
    """
    check = ("SELECT c.pk FROM claims c NOT INDEXED JOIN payers y ON y.pk = c.payer_pk "
             "WHERE c.pk IN ({pks}) AND " + " AND ".join(where))
    size = batch or max(256, 2 * wanted)
    if categories:
        parts = [None if c == NO_CATEGORY else c for c in dict.fromkeys(categories)]
        stream: Iterator[tuple[float, int]] = heapq.merge(
            *(_ranked(conn, c, False, size) for c in parts), key=lambda item: (-item[0], item[1]))
    else:
        stream = _ranked(conn, None, True, size)
    found: list[int] = []
    while len(found) < wanted:
        order = [pk for _, pk in itertools.islice(stream, size)]
        if not order:
            break
        passed = {pk for (pk,) in conn.execute(check.format(pks=_listed(order)), params)}
        found.extend(pk for pk in order if pk in passed)
        size = min(size * 2, 20_000)
    return found[:wanted]


def page_pks(conn: sqlite3.Connection, wl: Worklist, today: date, user: str, *, limit: int | None,
             offset: int = 0, count: int | None = None) -> list[int]:
    """The claims of one page, in the worklist's order.

    With the default weights and `sort = "score"`, the rank index is walked from the top
    when that reads fewer claims than the worklist holds (a page of a big list); otherwise,
    and for other weights or sorts, the matching claims are read through a covering index
    and sorted in SQL.
    """
    where, params = compile_filters(conn, wl, today, user)
    weights = wl.weights or ranking_data().weights
    params.update(weights.params(today.toordinal()))
    if wl.sort == "score" and wl.weights is None:
        if count is None:
            count = totals(conn, wl, today, user)[0]
        ranked = int(conn.execute("SELECT count(*) FROM claim_ranks").fetchone()[0])
        wanted = offset + (count if limit is None else limit)
        if wanted * ranked <= count * count:  # the walk reads about wanted x ranked / count claims
            return _walk_rank_index(conn, where, params, wanted, categories=wl.filters.categories)[offset:]
        source, order = _from(where, "claims_ranked"), "r.rank_key DESC, c.pk"
    elif wl.sort == "score":
        source = _from(where, "claims_ranked")
        order = "(" + " + ".join(component_sql("c").values()) + ") DESC, c.pk"
    else:
        source = _from(where, "claims_ranked_balance" if wl.sort == "balance" else "claims_ranked")
        order = _ORDER[wl.sort]
    sql = f"SELECT c.pk {source} ORDER BY {order}"
    if limit is not None or offset:
        sql += " LIMIT :limit OFFSET :offset"
        params.update(limit=-1 if limit is None else limit, offset=offset)
    return [pk for (pk,) in conn.execute(sql, params)]


def rows(conn: sqlite3.Connection, wl: Worklist, today: date, user: str, *, limit: int | None,
         offset: int = 0, count: int | None = None, data: RankingData | None = None) -> list[dict[str, Any]]:
    """One page of the worklist, ranked, each row with its score, components and `why`
    (computed for these rows only). `count`: the worklist's size, when already known."""
    data = data or ranking_data()
    pks = page_pks(conn, wl, today, user, limit=limit, offset=offset, count=count)
    if not pks:
        return []
    extra = ", ".join(f"{expr} AS part_{name}" for name, expr in component_sql("c").items())
    found = {row["pk"]: row for row in conn.execute(
        f"SELECT {_COLUMNS}, {extra} FROM claims c JOIN patients p ON p.pk = c.patient_pk "
        f"JOIN payers y ON y.pk = c.payer_pk WHERE c.pk IN ({_listed(pks)})",
        (wl.weights or data.weights).params(today.toordinal()))}
    day = today.toordinal()
    out = []
    for rank, pk in enumerate(pks, offset + 1):
        row = found[pk]
        explained = explain(row, {name: row[f"part_{name}"] for name in COMPONENTS}, today, data)
        out.append({
            "rank": rank,
            "claim_id": row["claim_id"],
            "patient": f"{row['last_name']}, {row['first_name']}".strip(", "),
            "account": row["account"],
            "payer": row["payer_name"],
            "payer_kind": row["payer_kind"],
            "dos": row["dos_from"],
            "age_days": day - row["dos_from_day"],
            "balance": as_number(row["balance_cents"]),
            "category": row["category"],
            "codes": (row["codes"] or "").split(),
            "next_action": row["next_action"],
            "deadline": row["deadline"],
            "deadline_kind": row["deadline_kind"],
            "days_left": None if row["deadline_day"] is None else row["deadline_day"] - day,
            "score": explained.score,
            "components": explained.components,
            "recoverability": explained.recoverability,
            "why": explained.why,
            "work_status": row["work_status"],
            "payer_status": row["payer_status"],
            "follow_up_date": row["follow_up_date"],
            "assignee": row["assignee"],
            "version": row["version"],
        })
    return out


def narrowed(worklists: Mapping[str, Worklist], name: str | None, raw: Mapping[str, Any]) -> Worklist:
    """A saved worklist with filters given on the command line (as a file writes them, dollars
    for money) set over its own; with no name, every open claim that passes them, as the
    chat's lists ("bcbs claims over 90 days")."""
    checked = _check_filter(dict(raw), "filter options")
    base = (find(worklists, name) if name is not None else
            Worklist(name="ad hoc", description="open claims by the filters given", filters=Filters(),
                      origin="command line"))
    return replace(base, filters=replace(base.filters, **checked))


def find(worklists: Mapping[str, Worklist], name: str | None) -> Worklist:
    wanted = name or DEFAULT_WORKLIST
    if wanted not in worklists:
        raise NotFound(f"no worklist {wanted!r}; `ar-assistant worklists` lists them "
                       f"({', '.join(worklists) or 'none defined'})")
    return worklists[wanted]
