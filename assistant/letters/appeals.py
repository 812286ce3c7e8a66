"""The appeal lifecycle: drafted -> sent (date, channel) -> decided (won, partly won, lost).

Each step is one change to the claim, audited in the same transaction. Sending puts the
claim in `appealed` with a follow-up date when a decision is due (`decision_wait_days`);
past it, the decision is overdue and the claim is back on the worklist for a status
call. A decision is recorded by hand or found in a later 835 that pays or re-denies the
claim (`settle_from_remittances`, which the remittance posting calls for the claims it
touched). Losing (or winning only part) opens the next level, whose deadline counts from
the decision date (`next_level_deadline`, the payer's appeal windows from the rules;
Medicare: reconsideration within 180 days of receiving the redetermination, fact sheet 7.1).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from assistant.domain import AppealStatus, PayerView, WorkStatus
from assistant.errors import InvalidInput
from assistant.followup import start_work
from assistant.letters.choice import appeal_letters
from assistant.money import as_number
from assistant.rules.codes import writes_off
from assistant.rules.deadlines import appeal_deadline
from assistant.rules.payer_rules import payer_rules
from assistant.storage import appeals as rows
from assistant.storage import audit
from assistant.storage.appeals import AppealView
from assistant.storage.claims import claim_pk

CHANNELS = ("mail", "fax", "portal")
OUTCOMES = ("won", "partly_won", "lost")
OPEN_NEXT_LEVEL = ("partly_won", "lost")
STATUSES = (*(s.value for s in AppealStatus), "overdue")


def next_level_deadline(payer: PayerView, level: int, decided: date) -> date | None:
    """Last day to file the level after `level`, counted from its decision (the payer's windows,
    receipt days included); None when the payer has no further level on file."""
    return appeal_deadline(level + 1, decided, payer_rules(payer))


def decision_wait_days(payer: PayerView, level: int) -> int:
    """Days to wait for the decision on `level` before calling: the payer's decision time for
    that level, else the practice default."""
    window = payer_rules(payer).appeal_level(level)
    if window is not None and window.decision_days:
        return int(window.decision_days)
    return int(appeal_letters()["decision_wait"]["default_days"])


def decision_due(appeal: AppealView) -> date | None:
    if appeal.status is not AppealStatus.SENT or appeal.sent_date is None:
        return None
    return appeal.sent_date + timedelta(days=decision_wait_days(appeal.payer, appeal.level))


def level_title(payer: PayerView, level: int) -> str:
    window = payer_rules(payer).appeal_level(level)
    return window.name if window else f"level {level} appeal"


def is_overdue(appeal: AppealView, today: date) -> bool:
    due = decision_due(appeal)
    return due is not None and today > due


# --------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class DraftRecord:
    claim_pk: int
    level: int
    template: str
    path: Path | None
    deadline: date | None


def record_draft(conn: sqlite3.Connection, draft: DraftRecord, today: date, user: str) -> int:
    """An appeal row for a drafted letter; drafting again before sending updates that row."""
    existing = rows.appeals_for_claim(conn, draft.claim_pk)
    details = {"level": draft.level, "template": draft.template,
               "file": draft.path.name if draft.path else None,
               "deadline": draft.deadline.isoformat() if draft.deadline else None}
    current = existing[-1] if existing else None
    if current is not None and current.status is AppealStatus.DRAFTED and current.level == draft.level:
        rows.redraft(conn, current.pk, template=draft.template, drafted=today,
                     deadline=draft.deadline, path=draft.path)
        audit.record(conn, claim_pk=draft.claim_pk, user=user, kind="appeal", field="appeal_letter",
                     before=current.template, after=draft.template,
                     note=f"level {draft.level} appeal letter redrafted", details=details)
        return current.pk
    pk = rows.insert_draft(conn, claim_pk=draft.claim_pk, level=draft.level, template=draft.template,
                           drafted=today, deadline=draft.deadline, path=draft.path)
    audit.record(conn, claim_pk=draft.claim_pk, user=user, kind="appeal", field="appeal_status",
                 after=AppealStatus.DRAFTED.value,
                 note=f"level {draft.level} appeal letter drafted", details=details)
    start_work(conn, draft.claim_pk, user=user, why="an appeal letter was drafted")
    return pk


def _current(conn: sqlite3.Connection, claim_id: str) -> tuple[int, AppealView | None]:
    pk = claim_pk(conn, claim_id)
    existing = rows.appeals_for_claim(conn, pk)
    return pk, (existing[-1] if existing else None)


def _work_status(conn: sqlite3.Connection, pk: int) -> str:
    return str(conn.execute("SELECT work_status FROM claims WHERE pk = ?", (pk,)).fetchone()[0])


def _move_claim(conn: sqlite3.Connection, pk: int, user: str, status: WorkStatus | None,
                follow_up: date | None, reason: str) -> None:
    before = _work_status(conn, pk)
    rows.set_claim_follow_up(conn, pk, work_status=status.value if status else None, follow_up=follow_up)
    if status is not None and status.value != before:
        audit.record(conn, claim_pk=pk, user=user, kind="appeal", field="work_status",
                     before=before, after=status.value, note=reason)
    audit.record(conn, claim_pk=pk, user=user, kind="appeal", field="follow_up_date",
                 after=follow_up.isoformat() if follow_up else None, note=reason)


def mark_sent(conn: sqlite3.Connection, claim_id: str, via: str, day: date, user: str) -> AppealView:
    """The drafted letter went out: the claim waits for the payer's decision."""
    if via not in CHANNELS:
        raise InvalidInput(f"sent via {via!r}? one of {', '.join(CHANNELS)}")
    pk, appeal = _current(conn, claim_id)
    if appeal is None or appeal.status is not AppealStatus.DRAFTED:
        state = f"its latest appeal is {appeal.status.value}" if appeal else "it has no appeal"
        raise InvalidInput(f"claim {claim_id}: nothing to send ({state}); "
                           f"draft a letter with `ar-assistant appeal {claim_id}`")
    if day < appeal.drafted_date:
        raise InvalidInput(f"claim {claim_id}: sent {day} is before the letter was drafted "
                           f"({appeal.drafted_date})")
    rows.mark_sent(conn, appeal.pk, day, via)
    due = day + timedelta(days=decision_wait_days(appeal.payer, appeal.level))
    audit.record(conn, claim_pk=pk, user=user, kind="appeal", field="appeal_status",
                 before=AppealStatus.DRAFTED.value, after=AppealStatus.SENT.value,
                 note=f"level {appeal.level} appeal sent by {via}",
                 details={"level": appeal.level, "channel": via, "sent_date": day.isoformat(),
                          "decision_due": due.isoformat()})
    _move_claim(conn, pk, user, WorkStatus.APPEALED, due,
                f"decision on the level {appeal.level} appeal due")
    return _current(conn, claim_id)[1]  # type: ignore[return-value]


def mark_decided(conn: sqlite3.Connection, claim_id: str, outcome: str, day: date, user: str,
                 *, recovered_cents: int | None = None, source: str = "user",
                 payment_wait_days: int | None = None) -> AppealView:
    """The payer decided. Losing opens the next level, with its deadline from `day`.

    Won by hand, the payment is still to come: the claim waits for it and is followed up
    after `payment_wait_days` (the playbook's days without a remittance).
    """
    if outcome not in OUTCOMES:
        raise InvalidInput(f"decision {outcome!r}? one of {', '.join(OUTCOMES)}")
    pk, appeal = _current(conn, claim_id)
    if appeal is None or appeal.status is not AppealStatus.SENT:
        state = f"its latest appeal is {appeal.status.value}" if appeal else "it has no appeal"
        raise InvalidInput(f"claim {claim_id}: no appeal awaiting a decision ({state}); "
                           f"record the sending first with `ar-assistant appeal-sent {claim_id}`")
    if appeal.sent_date and day < appeal.sent_date:
        raise InvalidInput(f"claim {claim_id}: decided {day} is before the appeal was sent "
                           f"({appeal.sent_date})")
    rows.mark_decided(conn, appeal.pk, outcome, day, recovered_cents)
    next_deadline = (next_level_deadline(appeal.payer, appeal.level, day)
                     if outcome in OPEN_NEXT_LEVEL else None)
    audit.record(conn, claim_pk=pk, user=user, kind="appeal", field="appeal_outcome",
                 before=AppealStatus.SENT.value, after=outcome,
                 note=f"level {appeal.level} appeal {outcome.replace('_', ' ')}",
                 details={"level": appeal.level, "decided_date": day.isoformat(), "source": source,
                          "recovered": as_number(recovered_cents) if recovered_cents is not None else None,
                          "next_level_deadline": next_deadline.isoformat() if next_deadline else None})
    if outcome == "won":
        if source == "user":
            follow_up = day + timedelta(days=payment_wait_days) if payment_wait_days else None
            _move_claim(conn, pk, user, WorkStatus.WAITING_PAYER, follow_up, "appeal won; payment expected")
    else:
        _move_claim(conn, pk, user, WorkStatus.IN_PROGRESS, day,
                    f"appeal {outcome.replace('_', ' ')}; next level due by "
                    f"{next_deadline.isoformat() if next_deadline else 'no further level'}")
    return _current(conn, claim_id)[1]  # type: ignore[return-value]


def _denies(adjustments: Sequence[tuple[str, str, int]]) -> bool:
    return any(amount > 0 and group != "PR" and not writes_off(group, code)
               for group, code, amount in adjustments)


@dataclass(frozen=True)
class FoundDecision:
    claim_id: str
    outcome: str
    day: date
    paid_cents: int


def decisions_in_remittances(conn: sqlite3.Connection,
                             claim_pks: list[int] | None = None) -> list[FoundDecision]:
    """Sent appeals that a remittance dated after the sending has decided (read only).

    Paid with nothing denied: won; paid but something still denied: partly won; nothing
    paid and denied again: lost. A remittance with neither (a contractual adjustment
    alone) decides nothing.
    """
    found = []
    for appeal in rows.sent_appeals(conn, claim_pks):
        if appeal.sent_date is None:
            continue
        for remit in rows.remittances_since(conn, appeal.claim_pk, appeal.sent_date):
            denied = _denies(remit.adjustments)
            if remit.paid_cents > 0:
                outcome = "partly_won" if denied else "won"
            elif denied:
                outcome = "lost"
            else:
                continue
            found.append(FoundDecision(appeal.claim_id, outcome, remit.day, remit.paid_cents))
            break
    return found


def settle_from_remittances(conn: sqlite3.Connection, user: str,
                            claim_pks: list[int] | None = None) -> list[tuple[str, str]]:
    """Record the decisions later remittances show; call inside a transaction (the 835
    posting does, for the claims it touched). Returns (claim_id, outcome) pairs."""
    decided = []
    for found in decisions_in_remittances(conn, claim_pks):
        mark_decided(conn, found.claim_id, found.outcome, found.day, user,
                     recovered_cents=max(found.paid_cents, 0), source="remittance")
        decided.append((found.claim_id, found.outcome))
    return decided


# --------------------------------------------------------------------------- listing


def appeal_row(appeal: AppealView, today: date) -> dict[str, Any]:
    next_deadline = (next_level_deadline(appeal.payer, appeal.level, appeal.decided_date)
                     if appeal.decided_date and appeal.outcome in OPEN_NEXT_LEVEL else None)
    due = decision_due(appeal)
    return {
        "claim_id": appeal.claim_id,
        "payer": appeal.payer.name,
        "level": appeal.level,
        "level_name": level_title(appeal.payer, appeal.level),
        "template": appeal.template,
        "status": appeal.status.value,
        "drafted_date": appeal.drafted_date.isoformat(),
        "deadline": appeal.deadline.isoformat() if appeal.deadline else None,
        "sent_date": appeal.sent_date.isoformat() if appeal.sent_date else None,
        "channel": appeal.channel,
        "decision_due": due.isoformat() if due else None,
        "overdue": is_overdue(appeal, today),
        "outcome": appeal.outcome,
        "decided_date": appeal.decided_date.isoformat() if appeal.decided_date else None,
        "recovered": as_number(appeal.recovered_cents) if appeal.recovered_cents is not None else None,
        "next_level_deadline": next_deadline.isoformat() if next_deadline else None,
        "balance": as_number(appeal.balance_cents),
        "path": appeal.letter_path,
    }


def list_rows(conn: sqlite3.Connection, today: date, status: str | None = None) -> list[dict[str, Any]]:
    """Appeals as `appeals --json` prints them; status `overdue` = sent, decision past due."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status {status!r}? one of {', '.join(STATUSES)}")
    wanted = AppealStatus.SENT if status == "overdue" else (AppealStatus(status) if status else None)
    found = [appeal_row(a, today) for a in rows.list_appeals(conn, wanted)]
    if status == "overdue":
        found = [row for row in found if row["overdue"]]
    return found

