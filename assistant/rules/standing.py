"""Where a claim stands on its authorization and plan of care, day by day, for a screen to show.

The checks (`checks.py`) say what is wrong; this says what is on file, right or wrong, so
the specialist sees the authorization's count and the plan's dates beside the findings.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from assistant.rules.codes import setting
from assistant.rules.context import ClaimContext


def _authorization(ctx: ClaimContext) -> dict[str, Any]:
    days = []
    for day in ctx.service_dates:
        status = ctx.auth_status(day)
        auth = status.auth
        days.append({
            "date": day.isoformat(),
            "number": auth.number if auth else None,
            "approved": auth.approved if auth else None,
            "used": status.used if auth else None,
            "remaining": status.remaining if auth else None,
            "unit_kind": auth.unit_kind if auth else None,
            "problem": status.problem,
            "text": status.describe(),
        })
    return {"expected": ctx.auth_relevant, "prior_auth": ctx.claim.prior_auth, "days": days}


def _plan_of_care(ctx: ClaimContext) -> dict[str, Any]:
    """Each service day's plan: its dates, certification and when the certification ends."""
    max_days = int(setting("plan_of_care", "max_certified_days"))
    days: list[dict[str, Any]] = []
    for day in ctx.service_dates:
        plan = ctx.plan_for(day)
        if plan is None:
            days.append({"date": day.isoformat(), "plan": None,
                         "text": f"no plan of care on file for {day}"})
            continue
        ends = min(plan.end_date, plan.start_date + timedelta(days=max_days))
        if plan.recert_due is not None:
            ends = min(ends, plan.recert_due)
        by = f" by {plan.certified_by}" if plan.certified_by else ""
        certified = f"certified {plan.certified_date}{by}" if plan.certified_date else "not certified"
        days.append({
            "date": day.isoformat(),
            "plan": {"start": plan.start_date.isoformat(), "end": plan.end_date.isoformat(),
                     "certified": plan.certified_date.isoformat() if plan.certified_date else None,
                     "certified_by": plan.certified_by,
                     "recert_due": plan.recert_due.isoformat() if plan.recert_due else None,
                     "frequency": plan.frequency, "goals": list(plan.goals),
                     "certification_ends": ends.isoformat()},
            "text": f"plan of care {plan.start_date} to {plan.end_date}, {certified}, "
                    f"certification through {ends}" + (" (lapsed before this day)" if day > ends else ""),
        })
    return {"tracked": ctx.tracks_plans, "days": days}


def care_status(ctx: ClaimContext) -> dict[str, Any]:
    """{claim_id, authorization: {expected, prior_auth, days: [...]}, plan_of_care: {tracked, days}}."""
    return {"claim_id": ctx.claim.claim_id, "authorization": _authorization(ctx),
            "plan_of_care": _plan_of_care(ctx)}
