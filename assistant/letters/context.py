"""The template context: one claim's facts, the denial, the evidence and the excerpts.

Plain dicts, lists, strings, numbers and dates, so templates read `claim.claim_id` and
`denial.codes` and the whole context prints as JSON for a practice writing its own
templates. Money stays in cents (`| money` formats it); dates stay dates (`| mdy`,
`| longdate`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from assistant.contact import format_phone
from assistant.domain import Assessment, ClaimView, LineView, PayerKind
from assistant.letters.choice import Choice, level_name
from assistant.letters.evidence import Evidence, Gap, Situation
from assistant.letters.excerpts import DOC_LABELS, Excerpt
from assistant.letters.templates import TemplateInfo
from assistant.rules.codes import carc, modifier, ncci_modifiers, rarc, writes_off
from assistant.storage.practice import PracticeView

CATEGORY_LABELS = {
    "eligibility": "eligibility", "authorization": "authorization",
    "medical_necessity": "medical necessity", "coding": "coding", "bundling": "bundling (NCCI)",
    "frequency": "frequency and units", "timely_filing": "timely filing", "duplicate": "duplicate claim",
    "coordination_of_benefits": "coordination of benefits",
    "missing_information": "missing information", "patient_responsibility": "patient responsibility",
    "contractual": "contractual", "provider": "provider eligibility",
}


def _dates_text(days: Sequence[date]) -> str:
    if not days:
        return ""
    if len(days) == 1:
        return f"{days[0]:%m/%d/%Y}"
    if len(days) <= 4:
        return ", ".join(f"{d:%m/%d/%Y}" for d in days)
    return f"{days[0]:%m/%d/%Y} - {days[-1]:%m/%d/%Y}"


_STATE_ZIP = re.compile(r"^[A-Z]{2}\s+\d{5}(-\d{4})?$")


def address_lines(text: str | None) -> list[str]:
    """An address as envelope lines: as typed when it has line breaks or semicolons; a
    one-line address split at its commas ("Dept, PO Box 1, Fargo ND 58108"), keeping a
    state and ZIP on the city's line ("Fargo, ND 58108")."""
    raw = (text or "").replace(";", "\n")
    parts = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(parts) != 1:
        return parts
    out: list[str] = []
    for piece in (p.strip() for p in parts[0].split(",")):
        if not piece:
            continue
        if out and _STATE_ZIP.match(piece):
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
    return out


def _is_denial(group: str, code: str, amount_cents: int) -> bool:
    return amount_cents > 0 and group != "PR" and not writes_off(group, code)


def _is_assistant(code: str) -> bool:
    """CO (CQ): furnished in whole or in part by a therapy assistant (modifiers.toml)."""
    info = modifier(code)
    return info is not None and info.role == "assistant"


def _line(line: LineView, view: ClaimView, minutes: dict[tuple[str, str], int],
          situation: Situation) -> dict[str, Any]:
    """A service line; a claim-level denial (CO-29, CO-197 ...) counts against every line."""
    day = line.service_date or view.dos_from
    on_file = line.minutes if line.minutes is not None else minutes.get((day.isoformat(), line.code))
    own = [a for a in line.adjustments if _is_denial(a.group, a.code, a.amount_cents)]
    claim_level = [a for a in view.adjustments if _is_denial(a.group, a.code, a.amount_cents)]
    codes = list(dict.fromkeys(f"{a.group}-{a.code}" for a in own or claim_level))
    return {
        "line_no": line.line_no, "date": day, "code": line.code, "timed": situation.is_timed(line.code),
        "modifiers": list(line.modifiers),
        "modifier_text": " ".join(line.modifiers), "units": line.units,
        "units_text": f"{line.units:g}", "minutes": on_file, "charge_cents": line.charge_cents,
        "paid_cents": line.paid_cents, "denied_cents": sum(a.amount_cents for a in own),
        "denied": bool(codes), "codes": codes, "remarks": list(line.remarks),
        "distinct_modifier": bool(ncci_modifiers() & set(line.modifiers)),
        "assistant": any(_is_assistant(m) for m in line.modifiers),
    }


def _code_meaning(code: str) -> str | None:
    """A CARC's or RARC's meaning (the rules' code tables)."""
    info = carc(code)
    if info is not None:
        return info.meaning
    remark = rarc(code)
    return remark.meaning if remark else None


def _denial(view: ClaimView, assessment: Assessment) -> dict[str, Any]:
    seen: dict[str, dict[str, Any]] = {}
    for adj in view.all_adjustments:
        if not _is_denial(adj.group, adj.code, adj.amount_cents):
            continue
        key = f"{adj.group}-{adj.code}"
        entry = seen.setdefault(key, {"code": key, "group": adj.group, "reason": adj.code,
                                      "meaning": _code_meaning(adj.code), "amount_cents": 0})
        entry["amount_cents"] += adj.amount_cents
    for code in assessment.codes:
        group, _, reason = code.rpartition("-")
        if group and code not in seen and carc(reason) is not None and group != "PR" \
                and not writes_off(group, reason):
            seen[code] = {"code": code, "group": group, "reason": reason,
                          "meaning": _code_meaning(reason), "amount_cents": 0}
    remark_codes = dict.fromkeys([*view.all_remarks, *(c for c in assessment.codes if "-" not in c)])
    remarks = [{"code": code, "meaning": _code_meaning(code)} for code in remark_codes
               if carc(code) is None]
    codes = list(seen.values())
    summary = "; ".join(f"{c['code']}: {c['meaning']}" if c["meaning"] else c["code"] for c in codes)
    category = assessment.category.value if assessment.category else None
    return {
        "category": category,
        "category_label": CATEGORY_LABELS.get(category or "", "denial"),
        "codes": codes,
        "remarks": remarks,
        "summary": summary or "denied",
        "denied_cents": sum(c["amount_cents"] for c in codes),
    }


def _service_days(lines: Sequence[dict[str, Any]], situation: Situation) -> list[dict[str, Any]]:
    """Per date: timed minutes documented, the units they support under the payer's rule, and
    the timed units billed (8-minute rule letters)."""
    days: dict[date, list[dict[str, Any]]] = {}
    for line in lines:
        days.setdefault(line["date"], []).append(line)
    out = []
    for day, day_lines in sorted(days.items()):
        timed = [line for line in day_lines if line["timed"]]
        units = sum(line["units"] for line in timed)
        complete = all(line["minutes"] is not None for line in timed)
        minutes: dict[str, int] = {}
        for line in timed:
            minutes[line["code"]] = minutes.get(line["code"], 0) + (line["minutes"] or 0)
        supported = situation.supported_units(minutes) if complete and timed else None
        out.append({
            "date": day,
            "timed_minutes": sum(line["minutes"] or 0 for line in timed),
            "minutes_complete": complete,
            "supported_units": supported,
            "over_billed": supported is not None and supported < units,
            "timed_units": units,
            "timed_units_text": f"{units:g}",
            "codes": ", ".join(f"{line['code']} {line['minutes']} min" for line in timed
                               if line["minutes"] is not None),
        })
    return out


def _plan(ev: Evidence) -> dict[str, Any] | None:
    plan = ev.plan
    if plan is None:
        return None
    return {
        "start": plan.start_date, "end": plan.end_date, "certified_date": plan.certified_date,
        "certified_by": plan.certified_by, "frequency": plan.frequency, "goals": list(plan.goals),
        "recert_due": plan.recert_due,
    }


def _enclosures(needs: set[str], ev: Evidence, view: ClaimView, denial_date: date | None) -> list[str]:
    """What goes in the envelope: the denial, the decision appealed from, and each piece of
    needed evidence that is on file."""
    out = [f"Remittance advice / denial notice dated {denial_date:%m/%d/%Y}" if denial_date
           else "Remittance advice / denial notice"]
    decided = [a for a in ev.appeals if a.outcome is not None and a.decided_date is not None]
    if decided:
        appeal = decided[-1]
        out.append(f"Decision on our {level_name(view.payer.kind, appeal.level)} dated "
                   f"{appeal.decided_date:%m/%d/%Y}")
    if needs & {"plan_of_care", "certification"} and ev.plan is not None:
        cert = (f", certified {ev.plan.certified_date:%m/%d/%Y}" if ev.plan.certified_date else "")
        out.append(f"Plan of care {ev.plan.start_date:%m/%d/%Y} - {ev.plan.end_date:%m/%d/%Y}{cert}")
    evaluations = [d for d in ev.documents if d.doc_type.value in ("evaluation", "re_evaluation")]
    if needs & {"plan_of_care", "progress_report"} and evaluations:
        last = evaluations[-1]
        out.append(f"{DOC_LABELS[last.doc_type]} dated {last.doc_date:%m/%d/%Y}")
    if "progress_report" in needs and ev.progress_report is not None:
        out.append(f"Progress report dated {ev.progress_report.doc_date:%m/%d/%Y}")
    noted = [d for d in ev.service_dates if ev.notes_on(d)]
    if noted and needs & {"daily_note", "minutes", "distinct_time", "notes"}:
        out.append(f"Treatment notes for {_dates_text(noted)}")
    if "authorization" in needs and ev.authorization is not None:
        out.append(f"Authorization {ev.authorization.number}")
    if "timely_submission" in needs and view.submitted_date is not None:
        out.append(f"Clearinghouse acceptance report for the submission of {view.submitted_date:%m/%d/%Y}")
    if "other_coverage" in needs:
        out.append("Primary payer's explanation of benefits, or proof of no other coverage")
    return out


def _person(name: str | None, credential: str | None, npi: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    return {"name": name, "credential": credential, "npi": npi,
            "display": f"{name}, {credential}" if credential else name}


def _accident(view: ClaimView) -> dict[str, Any] | None:
    """The date an adjuster finds the claim by: an injury at work (a workers' comp payer or
    CLM11 EM) or another accident; None when the claim carries no such date."""
    accident = view.accident
    if accident is None or accident.day is None:
        return None
    injury = view.payer.kind is PayerKind.WORKERS_COMP or accident.employment
    return {"date": accident.day, "label": "Date of injury" if injury else "Date of accident",
            "causes": list(accident.causes), "state": accident.state}


def build_context(
    *,
    view: ClaimView,
    assessment: Assessment,
    info: TemplateInfo,
    needs: Sequence[str],
    choice: Choice,
    practice: PracticeView | None,
    evidence: Evidence,
    excerpts: Sequence[Excerpt],
    gaps: Sequence[Gap],
    situation: Situation,
    today: date,
    user: str,
    quotes: bool = True,
    deadline: date | None = None,
) -> dict[str, Any]:
    payer = view.payer
    medicare = payer.kind is PayerKind.MEDICARE
    address = address_lines(payer.appeal_address)
    rendering = _person(view.rendering_name, view.rendering_credential, view.rendering_npi)
    signer_name = (practice.contact if practice and practice.contact else None) or \
        (rendering["display"] if rendering else user)
    lines = [_line(line, view, evidence.minutes, situation) for line in view.lines]
    denial = _denial(view, assessment)
    first_name = view.patient.first_name
    prior = [a for a in evidence.appeals if a.outcome is not None]
    return {
        "letter": {
            "date": today, "template": info.name, "title": info.title, "level": choice.level,
            "appeal": info.appeal, "quotes": quotes,
            "level_name": level_name(payer.kind, choice.level),
            "argument_template": f"{choice.argument}.j2",
        },
        "practice": {
            "name": practice.name if practice else "",
            "npi": practice.npi if practice else None,
            "tax_id": practice.tax_id if practice else None,
            "address_lines": list(practice.address_lines) if practice else [],
            "phone": practice.phone if practice else None,
            "fax": practice.fax if practice else None,
        },
        "signer": {"name": signer_name, "practice": practice.name if practice else ""},
        "payer": {
            "name": payer.name, "kind": payer.kind.value, "payer_id": payer.payer_id,
            "address_lines": address, "fax": format_phone(payer.appeal_fax),
            "phone": format_phone(payer.appeal_phone or payer.phone),
            "portal_url": payer.portal_url, "is_medicare": medicare,
            "timely_filing_days": situation.timely_filing_days,
            "unit_rule": situation.unit_rule.value if situation.unit_rule else None,
        },
        "patient": {
            "name": f"{first_name} {view.patient.last_name}".strip(),
            "first_name": first_name, "last_name": view.patient.last_name,
            "account": view.patient.account, "dob": view.patient.dob,
            "member_id": view.member_id or view.patient.member_id,
        },
        "claim": {
            "claim_id": view.claim_id, "payer_claim_number": view.payer_claim_number,
            "dos_from": view.dos_from, "dos_to": view.dos_to,
            "dates": _dates_text(evidence.service_dates), "service_dates": list(evidence.service_dates),
            "billed_cents": view.billed_cents, "paid_cents": view.paid_cents,
            "balance_cents": view.balance_cents, "submitted_date": view.submitted_date,
            "days_to_submit": ((view.submitted_date - view.dos_from).days
                               if view.submitted_date else None),
            "coverage_priority": view.coverage_priority,
            "prior_auth": view.prior_auth, "frequency_code": view.frequency_code,
            "place_of_service": view.place_of_service, "diagnoses": list(view.diagnoses),
            "rendering": rendering,
            "referring": _person(view.referring_name, None, view.referring_npi),
            "denial_date": evidence.denial_date,
            "accident": _accident(view),
        },
        "lines": lines,
        "service_days": _service_days(lines, situation),
        "denied_lines": [line for line in lines if line["denied"]] or lines,
        "denial": denial,
        "findings": [{"rule": f.rule, "severity": f.severity, "message": f.message, "fix": f.fix,
                      "line": f.line} for f in assessment.findings],
        "deadline": deadline,
        "deadline_kind": assessment.deadline_kind,
        "excerpts": [
            {"document_id": e.document_id, "type": e.doc_type.value, "type_label": DOC_LABELS[e.doc_type],
             "date": e.doc_date, "author": e.author, "credential": e.author_credential,
             "text": e.text, "cite": e.cite}
            for e in excerpts
        ],
        "has_notes": bool(evidence.documents),
        "plan_of_care": _plan(evidence),
        "progress_report": ({"date": evidence.progress_report.doc_date,
                             "author": evidence.progress_report.author}
                            if evidence.progress_report else None),
        "authorization": ({"number": evidence.authorization.number,
                           "approved": evidence.authorization.approved,
                           "unit_kind": evidence.authorization.unit_kind,
                           "start": evidence.authorization.start_date,
                           "end": evidence.authorization.end_date,
                           "used": max((evidence.authorization_use.get(d, 0.0)
                                        for d in evidence.service_dates), default=0.0),
                           "exceeded": any(evidence.authorization_use.get(d, 0.0)
                                           > evidence.authorization.approved
                                           for d in evidence.service_dates)}
                          if evidence.authorization else None),
        "coverages": [{"payer": c.payer_name, "priority": c.priority}
                      for c in evidence.coverages],
        "prior_appeal": ({"level": prior[-1].level, "level_name": level_name(payer.kind, prior[-1].level),
                          "outcome": prior[-1].outcome, "decided_date": prior[-1].decided_date}
                         if prior else None),
        "gaps": [gap.as_dict() for gap in gaps],
        "enclosures": _enclosures(set(needs), evidence, view, evidence.denial_date),
    }
