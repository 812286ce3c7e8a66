"""The single entry point for "what is this claim's problem, what do I do now, and by when?".

`assess` for one claim, `assess_many` for a worklist refresh (context loaded in bulk), and
`check_record` for a claim not yet imported (the pre-submission scrub).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from assistant.domain import WINDOWS_CLOSED, Assessment, ClaimRecord, ClaimView, Finding
from assistant.rules.checks import check_claim
from assistant.rules.context import ClaimContext, context_for_view, load_contexts, record_context
from assistant.rules.next_actions import next_actions
from assistant.rules.playbook import Playbook, load_playbook


def assess_context(ctx: ClaimContext, playbook: Playbook) -> Assessment:
    findings = tuple(check_claim(ctx))
    route = next_actions(ctx, findings, playbook)
    deadline, kind = None, None
    dated = [(a.deadline, k) for a, k in zip(route.actions, route.deadline_kinds, strict=True)
             if a.deadline is not None and a.deadline >= ctx.today]
    if route.actions[0].deadline is not None:
        deadline, kind = route.actions[0].deadline, route.deadline_kinds[0]
    elif dated:
        deadline, kind = min(dated, key=lambda item: item[0])
    if route.closed:
        deadline, kind = None, WINDOWS_CLOSED
    return Assessment(
        claim_id=ctx.claim.claim_id, category=route.category, codes=route.situation.codes,
        actions=route.actions, findings=findings, deadline=deadline, deadline_kind=kind,
        recheck=route.recheck,
    )


def assess(conn: sqlite3.Connection, view: ClaimView, today: date,
           playbook_files: Sequence[Path]) -> Assessment:
    """One claim: its category, findings, ranked actions with reasons, and the deadline that matters."""
    return assess_context(context_for_view(conn, view, today), load_playbook(playbook_files))


def assess_many(conn: sqlite3.Connection, claim_pks: Sequence[int], today: date,
                playbook_files: Sequence[Path]) -> dict[int, Assessment]:
    """Many claims by pk, with their context loaded in bulk (a worklist refresh)."""
    playbook = load_playbook(playbook_files)
    contexts = load_contexts(conn, claim_pks, today)
    return {pk: assess_context(contexts[pk], playbook) for pk in claim_pks if pk in contexts}


def check_record(conn: sqlite3.Connection | None, record: ClaimRecord, today: date) -> list[Finding]:
    """The claim checks on a claim not yet imported, with the patient's file when the database has it."""
    return check_claim(record_context(conn, record, today))
