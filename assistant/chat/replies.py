"""Reply text built from what the services return.

Plain text a terminal shows as is; the structured data travels beside it in `ChatReply.data`
for screens that draw tables. Replies name only what the user asked about: claim ids,
payers, amounts, codes; a patient's name only where the user named the patient or asked
for the claim or the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assistant.chat.resolve import PatientRef
from assistant.money import fmt, to_cents
from assistant.storage.audit import describe_change


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], right: Iterable[int] = ()) -> str:
    """A plain aligned table; `right` lists the columns to right-align (numbers)."""
    right_cols = set(right)
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(widths[i]) if i in right_cols else v.ljust(widths[i])
                         for i, v in enumerate(values)).rstrip()

    return "\n".join([line(list(headers)), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def money(value: float | int | None) -> str:
    return fmt(to_cents(value)) if value is not None else ""


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


# --------------------------------------------------------------------------- claims


def claim_summary(data: Mapping[str, Any], where: str = "") -> str:
    """A claim in a few lines: who, payer, dates, money, status, lines with their codes."""
    head = f"Claim {data['claim_id']}  {data['patient']['name']} ({data['patient']['account']})"
    if where:
        head += f"  [{where}]"
    lines = [
        head,
        f"{data['payer']['name']}  DOS {data['dos_from']}"
        + (f"..{data['dos_to']}" if data["dos_to"] != data["dos_from"] else ""),
        f"billed {money(data['billed'])}  paid {money(data['paid'])}  balance {money(data['balance'])}  "
        f"payer {data['status']}  work {data['work_status']}",
    ]
    extra = [f"assigned to {data['assignee']}" if data.get("assignee") else "unassigned"]
    if data.get("follow_up_date"):
        extra.append(f"follow-up {data['follow_up_date']}")
    lines.append("  ".join(extra))
    for ln in data["lines"]:
        adj = " ".join(f"{a['group']}-{a['code']}" for a in ln["adjustments"])
        remarks = " ".join(ln["remarks"])
        mods = "-".join(ln["modifiers"])
        codes = f"{ln['code']}{'-' + mods if mods else ''}"
        detail = "  ".join(x for x in (adj, remarks) if x)
        paid = f"  paid {money(ln['paid'])}" if ln["paid"] else ""
        lines.append(f"  {ln['line']}. {codes} x{ln['units']:g} {money(ln['charge'])}{paid}"
                     + (f"  {detail}" if detail else ""))
    claim_level = " ".join([*(f"{a['group']}-{a['code']}" for a in data["adjustments"]), *data["remarks"]])
    if claim_level:
        lines.append(f"  claim level: {claim_level}")
    return "\n".join(lines)


def history(activities: Sequence[Mapping[str, Any]], shown: int = 12) -> str:
    """The claim's audit trail, latest last: who did what when."""
    if not activities:
        return "History: nothing recorded."
    lines = [f"History ({plural(len(activities), 'entry', 'entries')}"
             + (f", last {shown}" if len(activities) > shown else "") + "):"]
    for a in activities[-shown:]:
        what = a["note"] or ""
        if a.get("field"):
            change = describe_change(a["field"], a.get("before"), a.get("after"))
            what = change + (f" ({what})" if what else "")
        lines.append(f"  {a['at'][:16].replace('T', ' ')}  {a['user']}  {a['kind']}: {what}".rstrip(": "))
    return "\n".join(lines)


def claims_of_patient(patient: PatientRef, rows: Sequence[Mapping[str, Any]], chosen: str) -> str:
    others = [r for r in rows if r["claim_id"] != chosen]
    if not others:
        return ""
    listed = ", ".join(f"{r['claim_id']} ({r['status']}, {money(r['balance'])})" for r in others[:5])
    more = f" and {len(others) - 5} more" if len(others) > 5 else ""
    return f"{patient.name} also has {listed}{more}."


def patient_choice(mention: str, candidates: Sequence[PatientRef], total: int, example: str,
                   interactive: bool) -> str:
    lines = [f"Which patient do you mean by \"{mention}\"?"]
    lines += [f"  {i}. {p.name} (account {p.account})" for i, p in enumerate(candidates, 1)]
    if total > len(candidates):
        lines.append(f"  ... and {total - len(candidates)} more; add a first name or an account")
    lines.append("Answer with the number or the name." if interactive
                 else f"Ask again with the full name, e.g. \"{example}\".")
    return "\n".join(lines)


# --------------------------------------------------------------------------- codes and actions


def code_lines(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    out = []
    for row in rows:
        head = f"{row['code']}: {row['meaning']}"
        if row.get("category"):
            head += f" [{row['category']}]"
        out.append(head)
        if row.get("advice"):
            out.append(f"  usually: {row['advice']}")
        if row.get("appealable") is False:
            out.append("  not appealable")
        if row.get("notes"):
            out.append(f"  note: {row['notes']}")
    return out


def procedure_lines(procedures: Sequence[Any]) -> list[str]:
    """CPT/HCPCS codes from the rules' code table: what each is and how it is counted."""
    return [f"{p.code}: {p.description} ("
            + (f"timed, {p.unit_minutes}-minute units" if p.timed else "untimed: 1 unit") + ")"
            for p in procedures]


def actions_lines(data: Mapping[str, Any], limit: int = 3) -> list[str]:
    out = []
    for i, action in enumerate(data["actions"][:limit], 1):
        due = f" (by {action['deadline']})" if action.get("deadline") else ""
        template = f"; template {action['template']}" if action.get("template") else ""
        reason = action["reason"].rstrip(".") if template else action["reason"]
        out.append(f"  {i}. {action['action'].replace('_', ' ')}{due}: {reason}{template}")
    return out


def assessment(claim_id: str, data: Mapping[str, Any], codes: Sequence[Mapping[str, Any]],
               payer_status: str | None = None) -> str:
    """Why the claim is where it is: category, codes with their meanings, findings, next steps.
    A claim the payer has not denied says so ("not denied: the payer's status is submitted")."""
    if data.get("category"):
        category = data["category"].replace("_", " ")
    elif payer_status and payer_status not in ("denied", "partially_paid"):
        category = f"not denied: the payer's status is {payer_status.replace('_', ' ')}"
    else:
        category = "no denial category"
    lines = [f"Claim {claim_id}: {category}"
             + (f"; codes {', '.join(data['codes'])}" if data.get("codes") else "")]
    lines += ["  " + line for line in code_lines(codes)]
    problems = [f for f in data.get("findings", []) if f["severity"] in ("error", "warning")]
    if problems:
        lines.append("Claim checks:")
        lines += [f"  {f['severity']}: {f['message']}" for f in problems[:5]]
    if data.get("actions"):
        lines.append("Next:")
        lines += actions_lines(data)
    if data.get("deadline"):
        lines.append(f"Deadline {data['deadline']} ({(data.get('deadline_kind') or '').replace('_', ' ')})")
    return "\n".join(lines)


def next_steps(claim_id: str, data: Mapping[str, Any]) -> str:
    if not data.get("actions"):
        return f"Claim {claim_id}: nothing to do now."
    category = f" ({data['category'].replace('_', ' ')})" if data.get("category") else ""
    lines = [f"Claim {claim_id}{category}: next steps"]
    lines += actions_lines(data, limit=5)
    if data.get("deadline"):
        lines.append(f"Deadline {data['deadline']} ({(data.get('deadline_kind') or '').replace('_', ' ')})")
    return "\n".join(lines)


def check_report(data: Mapping[str, Any], single: str | None) -> str:
    if single is not None:
        findings = data["results"][0]["findings"] if data["results"] else []
        if not findings:
            return f"Claim {single}: the OT claim checks found nothing."
        lines = [f"Claim {single}: {plural(len(findings), 'finding')}"]
        for f in findings:
            where = f" (line {f['line']})" if f.get("line") else ""
            fix = f"; fix: {f['fix']}" if f.get("fix") else ""
            lines.append(f"  {f['severity']}{where}: {f['message']}{fix}")
        return "\n".join(lines)
    lines = [f"Checked {plural(data['checked'], 'claim')}: {plural(data['errors'], 'error')}, "
             f"{plural(data['warnings'], 'warning')}."]
    for result in data["results"][:10]:
        worst = result["findings"][0]
        lines.append(f"  {result['claim_id']}: {worst['message']}"
                     + (f" (+{len(result['findings']) - 1})" if len(result["findings"]) > 1 else ""))
    if len(data["results"]) > 10:
        lines.append(f"  ... {len(data['results']) - 10} more claims with findings")
    return "\n".join(lines)


def units(data: Mapping[str, Any]) -> str:
    rule = "CMS total time" if data["rule"] == "cms" else "per code"
    billed = ", ".join(f"{code} x{n}" for code, n in data["units"].items())
    lines = [f"Bill {billed} ({rule}; {data['rule_origin']})",
             f"  {data['total_minutes']} timed minutes -> {plural(data['total_units'], 'timed unit')}"]
    lines += [f"  {note}" for note in data["notes"]]
    return "\n".join(lines)


def not_understood(summary: str, suggestions: Sequence[str]) -> str:
    lines = [f"I understood: {summary}." if summary else "I did not understand that."]
    if suggestions:
        lines.append("Try: " + " | ".join(suggestions))
    return "\n".join(lines)


def money_cents(cents: int) -> str:
    return fmt(cents)


# --------------------------------------------------------------------------- worklists

_SHOWN_ROWS = 20
WIDTH = 100  # a terminal's width the replies' tables keep to


def _widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "~"


def worklist(data: Mapping[str, Any], label: str) -> str:
    rows = data["rows"]
    head = (f"{label}: {plural(data['total_claims'], 'claim')}, {money(data['total_balance'])} open"
            + (f" (first {len(rows)})" if data["total_claims"] > len(rows) else ""))
    if not rows:
        return f"{label}: no open claims match."
    shown = rows[:_SHOWN_ROWS]
    columns: list[tuple[str, Any]] = [
        ("#", lambda r: r["rank"]), ("claim", lambda r: r["claim_id"]), ("patient", lambda r: r["patient"]),
        ("payer", lambda r: r["payer"]), ("age", lambda r: r["age_days"]),
        ("balance", lambda r: money(r["balance"])),
        ("category", lambda r: (r.get("category") or "").replace("_", " ")),
        ("next", lambda r: (r.get("next_action") or "").replace("_", " ")),
        ("deadline", lambda r: r.get("deadline") or ""),
    ]
    # A column every row shares (the payer of a payer's list) is said once, above the table,
    # so the table fits a terminal or the chat pane.
    shared = []
    if len(shown) > 1:
        for name in ("payer", "category", "next"):
            get = dict(columns)[name]
            values = {get(r) for r in shown}
            if len(values) == 1 and (value := values.pop()):
                shared.append(value)
                columns = [c for c in columns if c[0] != name]
    def render(cols: list[tuple[str, Any]]) -> str:
        return table([[get(r) for _, get in cols] for r in shown], [name for name, _ in cols],
                     right=[i for i, (name, _) in enumerate(cols) if name in ("#", "age", "balance")])

    body = render(columns)
    if _widest(body) > WIDTH:  # the category is in the claim; the next step is what to do
        columns = [c for c in columns if c[0] != "category"]
        body = render(columns)
    if _widest(body) > WIDTH:
        columns = [(n, lambda r: _clip(r["payer"], 20)) if n == "payer" else (n, g) for n, g in columns]
        body = render(columns)
    said = [v for v in shared if v.lower() not in label.lower()]
    if said:
        head += f"; all {', '.join(said)}"
    more = (f"\n... {plural(len(rows) - len(shown), 'more row')} in this page"
            if len(rows) > len(shown) else "")
    return f"{head}\n{body}{more}\nSay \"next\" to work them one by one."


def patient_claims(patient: PatientRef, rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return f"{patient.name} has no claims on file."
    body = table([(r["claim_id"], r["payer"], r["dos_from"], money(r["balance"]), r["status"],
                   r["work_status"]) for r in rows],
                 ["claim", "payer", "dos", "balance", "payer status", "work"], right=(3,))
    return f"{patient.name} ({patient.account}): {plural(len(rows), 'claim')}\n{body}"


# --------------------------------------------------------------------------- letters


def appeal_drafted(draft: Mapping[str, Any], excerpts: int = 2) -> str:
    level = f"level {draft['level']} " if draft.get("level") else ""
    template = draft["template"].replace("_", " ")
    lines = [f"Drafted the {template} {level}appeal for claim {draft['claim_id']}:", f"  {draft['path']}"]
    if draft.get("deadline"):
        lines.append(f"  send by {draft['deadline']}")
    for ex in draft.get("excerpts", [])[:excerpts]:
        text = " ".join(ex["text"].split())
        lines.append(f"  quoted ({ex['type'].replace('_', ' ')} {ex['date']}): \"{text[:160]}"
                     + ("...\"" if len(text) > 160 else "\""))
    if len(draft.get("excerpts", [])) > excerpts:
        lines.append(f"  ... {len(draft['excerpts']) - excerpts} more excerpts in the letter")
    for gap in draft.get("gaps", []):
        lines.append(f"  {'BLOCKING: ' if gap['blocking'] else 'missing: '}{gap['message']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- changes


def _change_text(change: Mapping[str, Any]) -> str:
    if change["field"] == "note":
        return "note added"
    return describe_change(str(change["field"]), change.get("before"), change.get("after"))


def changed(claim_id: str, result: Mapping[str, Any]) -> str:
    changes = result.get("changes", [])
    if not changes:
        return f"Claim {claim_id}: nothing to change."
    return f"Claim {claim_id}: " + "; ".join(_change_text(c) for c in changes) + "."


def note_logged(claim_id: str, text: str, rep: str | None, reference: str | None,
                result: Mapping[str, Any]) -> str:
    details = ", ".join(x for x in (f"rep {rep}" if rep else "", f"ref {reference}" if reference else "")
                        if x)
    lines = [f"Logged on claim {claim_id}: \"{text}\"" + (f" ({details})" if details else "")]
    if result.get("follow_up_date"):
        lines.append(f"Follow-up {result['follow_up_date']}; work status {result['work_status']}.")
    return "\n".join(lines)


def bulk_done(description: str, result: Mapping[str, Any]) -> str:
    return (f"Done: {description}. {plural(result['changed'], 'claim')} changed"
            f" of {result['claims']}.")


# --------------------------------------------------------------------------- reports


_SHOWN_SECTION_ROWS = 8
_SHOWN_SECTION_COLUMNS = 6  # a chat pane is narrow; `ar-assistant report` shows every column


def _value(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "money":
        return money(value)
    if kind == "rate":
        return f"{value:.1f}%"
    if kind == "days":
        return f"{value:.1f}"
    if kind == "count" and isinstance(value, float):
        return f"{value:g}"
    return str(value)


def report(data: Mapping[str, Any], section_word: str | None = None) -> str:
    """A report in a few lines: its figures, then the top rows of the table asked for
    (`section_word`, a word of its title: "payer") or else of the first table."""
    period = data.get("period") or {}
    span = (f"; {period.get('from') or 'start'} to {period.get('to') or 'now'}"
            if period.get("from") or period.get("to") else "")
    lines = [f"{data['title']} as of {data['as_of']}{span}"
             + (f" for {data['payer']}" if data.get("payer") else "")]
    if data.get("empty"):
        lines.append("Nothing to count for this selection.")
        return "\n".join(lines)
    lines += [f"  {f['label']}: {_value(f['value'], f['kind'])}" for f in data["figures"]]
    filled = [s for s in data["sections"] if s["rows"]]
    section = next((s for s in filled if section_word and section_word in s["title"].lower()),
                   filled[0] if filled else None)
    if section is not None:
        columns = [i for i, c in enumerate(section["columns"]) if not c["long"]][:_SHOWN_SECTION_COLUMNS]
        rows = section["rows"][:_SHOWN_SECTION_ROWS]
        cells = [[_value(row[i], section["columns"][i]["kind"]) for i in columns] for row in rows]
        right = [n for n, i in enumerate(columns)
                 if section["columns"][i]["kind"] in ("money", "rate", "days", "count")]
        lines += ["", section["title"],
                  table(cells, [section["columns"][i]["label"] for i in columns], right=right)]
        if len(section["rows"]) > len(rows):
            lines.append(f"... {plural(len(section['rows']) - len(rows), 'more row')}: "
                         f"`ar-assistant report {data['report']}`")
    return "\n".join(lines)
