"""The claim screen's sections as styled text, from the plain data the services return."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from textual.content import Content

from assistant.storage.audit import describe_change
from assistant.tui.columns import money, words

Data = Mapping[str, Any]
SEVERITY_STYLE = {"error": "bold $text-error", "warning": "$text-warning", "info": "$text-muted"}


def _join(lines: Sequence[Content | str]) -> Content:
    return Content("\n").join(Content(line) if isinstance(line, str) else line for line in lines)


def _left(deadline: str | None, today: date) -> str:
    if not deadline:
        return ""
    days = (date.fromisoformat(deadline) - today).days
    return f"overdue by {-days} days" if days < 0 else "today" if days == 0 else f"{days} days left"


def summary(claim: Data) -> Content:
    patient = claim["patient"]
    payer = claim["payer"]
    dos = claim["dos_from"]
    if claim["dos_to"] != dos:
        dos = f"{dos} to {claim['dos_to']}"
    first = Content.assemble(
        Content.styled(claim["claim_id"], "bold"), f"  {patient['name']} ({patient['account']})  ",
        Content.styled(payer["name"], "bold"), f" [{words(payer['kind'])}]  DOS {dos}")
    second = Content.assemble(
        f"billed {money(claim['billed'])}  paid {money(claim['paid'])}  ",
        Content.styled(f"balance {money(claim['balance'])}", "bold"),
        f"  payer status {words(claim['status'])}  work {words(claim['work_status'])}",
        f"  follow-up {claim['follow_up_date'] or '-'}  assigned {claim['assignee'] or '-'}")
    return _join([first, second])


def denial(assessment: Data, explained: Sequence[Data]) -> Content:
    """The category and every code on the claim with its meaning."""
    if not assessment["codes"]:
        head = Content.styled("No denial codes on this claim.", "$text-muted")
    else:
        head = Content.assemble(Content.styled(words(assessment["category"]) or "uncategorised", "bold"),
                                f"  ({', '.join(assessment['codes'])})")
    lines: list[Content | str] = [head]
    for info in explained:
        appeal = ""
        if info.get("appealable") is True:
            appeal = "  appealable"
        elif info.get("appealable") is False:
            appeal = "  not appealable"
        lines.append(Content.assemble(Content.styled(f"{info['code']:<8}", "bold $accent"),
                                      str(info["meaning"]), Content.styled(appeal, "$text-muted")))
        if info.get("group_meaning") and info.get("kind") == "carc":
            lines.append(Content.styled(f"{'':8}group {info['group_meaning']}", "$text-muted"))
        if info.get("advice"):
            lines.append(Content.styled(f"{'':8}{info['advice']}", "italic"))
    return _join(lines)


def actions(assessment: Data, today: date) -> Content:
    """Ranked next actions: what, why, at which appeal level, with which letter, by when."""
    lines: list[Content | str] = []
    if assessment.get("deadline"):
        kind = words(assessment.get("deadline_kind")) or "deadline"
        left = _left(assessment["deadline"], today)
        lines.append(Content.assemble(Content.styled("Deadline ", "bold"),
                                      f"{assessment['deadline']} ({kind}, {left})"))
    for i, action in enumerate(assessment["actions"], 1):
        extra = [f"level {action['level']}" if action.get("level") else "",
                 f"letter {action['template']}" if action.get("template") else "",
                 f"by {action['deadline']} ({_left(action['deadline'], today)})"
                 if action.get("deadline") else ""]
        detail = "  " + " · ".join(e for e in extra if e)
        lines.append(Content.assemble(Content.styled(f"{i}. {words(action['action'])}", "bold"),
                                      Content.styled(detail, "$text-muted")))
        lines.append(f"   {action['reason']}")
    return _join(lines or [Content.styled("Nothing to do on this claim.", "$text-muted")])


def findings(items: Sequence[Data]) -> Content:
    if not items:
        return Content.styled("The OT claim checks found nothing.", "$text-muted")
    lines: list[Content | str] = []
    for f in items:
        where = f"line {f['line']}: " if f.get("line") else ""
        severity = Content.styled(f"{f['severity']:<8}", SEVERITY_STYLE.get(f["severity"], ""))
        lines.append(Content.assemble(severity, f"{where}{f['message']}",
                                      Content.styled(f"  [{f['rule']}]", "$text-muted")))
        if f.get("fix"):
            lines.append(Content.styled(f"{'':8}fix: {f['fix']}", "italic"))
    return _join(lines)


def care(status: Data) -> Content:
    """Authorization and plan of care, one line per service day."""
    auth, plan = status["authorization"], status["plan_of_care"]
    lines: list[Content | str] = [Content.styled("Authorization", "bold")]
    if not auth["expected"] and not any(d["number"] for d in auth["days"]):
        lines.append(Content.styled("  not expected for this payer", "$text-muted"))
    else:
        for day in auth["days"]:
            style = "$text-error" if day["problem"] in ("missing", "expired", "used_up", "not_on_file") else (
                "$text-warning" if day["problem"] else "")
            lines.append(Content.styled(f"  {day['text']}", style))
    lines.append(Content.styled("Plan of care", "bold"))
    if not plan["tracked"]:
        lines.append(Content.styled("  no plans of care kept in this database", "$text-muted"))
    else:
        for day in plan["days"]:
            style = "$text-error" if day["plan"] is None or "lapsed" in day["text"] else ""
            lines.append(Content.styled(f"  {day['text']}", style))
    return _join(lines)


def timeline(activities: Sequence[Data]) -> Content:
    """The audit trail, newest first: when, who, what changed, and any note."""
    if not activities:
        return Content.styled("No activity yet.", "$text-muted")
    lines: list[Content | str] = []
    for a in reversed(activities):
        change = describe_change(a["field"], a["before"], a["after"]) if a.get("field") else ""
        details = a.get("details") or {}
        extra = " · ".join(f"{k} {details[k]}" for k in ("rep", "reference", "outcome") if details.get(k))
        lines.append(Content.assemble(Content.styled(f"{a['at'][:16].replace('T', ' ')}  ", "$text-muted"),
                                      Content.styled(f"{a['kind']:<10}", "bold"), f" {a['user']}  {change}"))
        if a.get("note"):
            lines.append(f"{'':18}{a['note']}")
        if extra:
            lines.append(Content.styled(f"{'':18}{extra}", "$text-muted"))
    return _join(lines)
