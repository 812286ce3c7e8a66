"""One-line strips above and below the ranked table: the worklist switcher, aging, the banner
and the highlighted claim's reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.content import Content
from textual.widgets import Static

from assistant.tui.columns import days_left, money, words

SAMPLE_BANNER = "SYNTHETIC SAMPLE DATA · every name, id and date here is made up"


class WorklistBar(Static):
    """The saved worklists, the active one marked; `[` and `]` move between them."""

    def show(self, names: Sequence[str], active: str, total: int | None = None,
             balance: float | None = None) -> None:
        parts: list[Content | str] = [Content.styled("Worklists ", "bold")]
        for name in names:
            if name == active:
                label = f" {name}" + (f" {total:,}" if total is not None else "") + " "
                parts.append(Content.styled(label, "reverse bold"))
            else:
                parts.append(Content(f" {name} "))
        if balance is not None:
            parts.append(Content.styled(f"  {money(balance)} owed", "dim"))
        self.update(Content.assemble(*parts))


class AgingStrip(Static):
    """Open balances by age of service: 0-30 ... 120+, with claim counts."""

    def show(self, aging: Mapping[str, Any]) -> None:
        parts: list[Content | str] = [Content.styled("Aging ", "bold")]
        for bucket in aging.get("buckets", []):
            parts.append(Content.styled(f" {bucket['label']} ", "reverse"))
            parts.append(Content(f" {money(bucket['balance'])} ({bucket['claims']:,})  "))
        parts.append(Content.styled(f"total {money(aging.get('total_balance', 0))}", "bold"))
        self.update(Content.assemble(*parts))


class ReasonPanel(Static):
    """The highlighted claim in a sentence: what it is, what to do, by when, and why it ranks here."""

    def show(self, row: Mapping[str, Any] | None) -> None:
        if row is None:
            self.update("")
            return
        what = " · ".join(filter(None, [
            f"#{row.get('rank', '')} {row['claim_id']}", str(row.get("patient") or ""),
            str(row.get("payer") or ""), money(row.get("balance")),
            words(row.get("category") or row.get("payer_status")),
            " ".join(row.get("codes") or []),
        ]))
        todo = words(row.get("next_action"))
        if row.get("deadline"):
            todo += f" by {row['deadline']} ({days_left(row)})"
        lines: list[Content | str] = [Content.styled(what, "bold"), "\n"]
        if todo:
            lines += [Content.styled("Next: ", "bold"), todo, "\n"]
        if row.get("why"):
            lines += [Content.styled("Why: ", "bold"), str(row["why"])]
        self.update(Content.assemble(*lines))
