"""What every report shares: the query (period, payer, today), rates that never divide by zero,
and the table-shaped sections the CLI (text, CSV) and the dashboard render.

A report returns a dict: its named figures (JSON-ready: money as decimal numbers, rates
0-100 with one decimal or None), `figures` (those figures with labels and units, for
display) and `sections` ([{name, title, columns: [{key, label, kind}], rows: [[...]]}]).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median
from typing import Any

from assistant.domain import PayerView
from assistant.money import as_number

# Column and figure kinds: how a face formats a value.
TEXT, MONEY, COUNT, RATE, DAYS, DATE = "text", "money", "count", "rate", "days", "date"


@dataclass(frozen=True)
class Query:
    """Which slice of the database a report reads; `today` comes from the caller."""

    today: date
    date_from: date | None = None
    date_to: date | None = None
    payer: PayerView | None = None

    @property
    def payer_pk(self) -> int | None:
        return self.payer.pk if self.payer else None

    @property
    def has_period(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def in_period(self, day: date | None) -> bool:
        """Without a period everything is in; with one, a missing date is out."""
        if not self.has_period:
            return True
        if day is None:
            return False
        return ((self.date_from is None or day >= self.date_from)
                and (self.date_to is None or day <= self.date_to))

    def header(self) -> dict[str, Any]:
        return {
            "as_of": self.today.isoformat(),
            "period": {"from": self.date_from.isoformat() if self.date_from else None,
                       "to": self.date_to.isoformat() if self.date_to else None},
            "payer": self.payer.name if self.payer else None,
        }


def rate(numerator: float, denominator: float) -> float | None:
    """A percentage with one decimal; None when there is nothing to divide by."""
    if not denominator:
        return None
    return round(100 * numerator / denominator, 1)


def ratio(numerator: float, denominator: float, digits: int = 1) -> float | None:
    if not denominator:
        return None
    return round(numerator / denominator, digits)


def mean_days(values: Sequence[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def median_days(values: Sequence[int]) -> float | None:
    return round(float(median(values)), 1) if values else None


def money(cents: int | None) -> float | None:
    return None if cents is None else as_number(cents)


def month(day: date | None) -> str:
    return day.strftime("%Y-%m") if day else "(no date)"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT
    long: bool = False  # sentences (a fix, a finding): a screen shows them below the table, not in it

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "kind": self.kind, "long": self.long}


@dataclass
class Section:
    """One table of a report. Money cells are held in cents and turned into numbers on output."""

    name: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)

    def add(self, *values: Any) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"section {self.name}: {len(values)} values for {len(self.columns)} columns")
        self.rows.append(list(values))

    def as_dict(self) -> dict[str, Any]:
        money_at = [i for i, c in enumerate(self.columns) if c.kind == MONEY]
        rows = []
        for row in self.rows:
            out = list(row)
            for i in money_at:
                out[i] = money(out[i])
            rows.append(out)
        return {"name": self.name, "title": self.title, "columns": [c.as_dict() for c in self.columns],
                "rows": rows}

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts by column key (money as numbers), for named JSON lists."""
        data = self.as_dict()
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in data["rows"]]


@dataclass(frozen=True)
class Figure:
    """A named headline number: `value` is JSON-ready (money already a number)."""

    key: str
    label: str
    value: Any
    kind: str
    target: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": self.value, "kind": self.kind,
                "target": self.target, "note": self.note}


def result(query: Query, *, empty: bool, figures: Iterable[Figure], sections: Iterable[Section],
           **named: Any) -> dict[str, Any]:
    """The report's dict: header, named figures, `figures` for display and `sections`."""
    figure_list = list(figures)
    data: dict[str, Any] = {**query.header(), "empty": empty}
    data.update({f.key: f.value for f in figure_list})
    data.update(named)
    data["figures"] = [f.as_dict() for f in figure_list]
    data["sections"] = [s.as_dict() for s in sections]
    return data
