"""The clinicians' notes, written as the clinic's EHR exports them: one file per note.

Every note starts with front matter (account, date, type, title, author with credential,
the author's credential and NPI; plans of care add start, end, certified, certified_by,
certifier_npi, recert_due and frequency) and then reads like a note: daily notes list the
minutes of each procedure ("97530 Therapeutic activities: 23 min") and the total timed
minutes; plans of care carry a "Goals:" bullet list. Markdown, plain text or Word, by author.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from assistant.sample.inputs import Clinician, Profile

if TYPE_CHECKING:
    from assistant.sample.model import Episode, PlanOfCare, Visit
    from assistant.sample.visits import EpisodeState, Procedure

DOCX_TIMESTAMP = (2020, 1, 1, 0, 0, 0)


@dataclass(slots=True)
class Note:
    account: str
    doc_type: str
    day: date
    author: Clinician
    title: str
    body: list[str]  # paragraphs / lines
    fields: list[tuple[str, str]]  # extra front matter, in order

    @property
    def slug(self) -> str:
        """The file name part: "daily-note", "plan-of-care", "discharge-summary"."""
        return self.title.lower().replace(" ", "-") if self.title == "Discharge summary" else \
            self.doc_type.replace("_", "-")

    def front_matter(self) -> list[str]:
        lines = [
            f"account: {self.account}",
            f"date: {self.day.isoformat()}",
            f"type: {self.doc_type}",
            f"title: {self.title}",
            f"author: {self.author.signature}",
            f"credential: {self.author.credential.value}",
            f"npi: {self.author.npi}",
        ]
        lines.extend(f"{key}: {value}" for key, value in self.fields)
        return lines


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


class NoteWriter:
    """Builds note texts from the phrase banks and writes each to its own file."""

    def __init__(self, profile: Profile, folder: Path | None, today: date) -> None:
        self.profile = profile
        self.folder = folder
        self.today = today
        self.phrases = profile.phrases
        self.fees = profile.fees
        self.count = 0
        self._used: set[str] = set()
        self._folders: set[Path] = set()

    # ------------------------------------------------------------------ files

    def add(self, note: Note) -> None:
        self.count += 1
        if self.folder is None:
            return
        fmt = note.author.note_format(note.doc_type)
        folder = self.folder / note.account
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        base = f"{folder}/{note.day.isoformat()}-{note.slug}"
        path = f"{base}.{fmt}"
        n = 2
        while path in self._used:
            path = f"{base}-{n}.{fmt}"
            n += 1
        self._used.add(path)
        if fmt == "docx":
            with open(path, "wb") as fh:
                fh.write(_docx(note))
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(render_text(note))

    # ------------------------------------------------------------------ wording

    def _fill(self, text: str, ep: Episode, rng: random.Random, **extra: Any) -> str:
        person = ep.patient.person
        title = "Ms." if person.sex == "F" else "Mr."
        values = _Blank({
            "side": ep.side, "Side": ep.side.capitalize(), "pain": str(rng.randint(1, 7)),
            "reps": str(rng.choice((10, 12, 15, 20))), "cue": rng.choice(self.phrases["cues"]),
            "assist": rng.choice(self.phrases["assist_levels"]), "patient": f"{title} {person.last_name}",
            "weeks": str(ep.planned_weeks), "edema": f"{rng.uniform(0.8, 2.6):.1f}",
            "frequency": f"{ep.per_week}x/week",
        })
        values.update({k: str(v) for k, v in extra.items()})
        return text.format_map(values)

    def _choice(self, key: str, ep: Episode, **extra: Any) -> str:
        bank = list(self.phrases[key])
        own = getattr(ep.condition, key, ()) if key in ("subjective", "skilled") else ()
        if own and ep.rng.random() < 0.5:
            bank = list(own)
        return self._fill(ep.rng.choice(bank), ep, ep.rng, **extra)

    def _plan(self, ep: Episode) -> str:
        text = self._choice("plan", ep)
        if ep.accident_date is not None and ep.rng.random() < 0.5:
            text += " " + self._choice("plan_work", ep)
        return text

    def _header(self, ep: Episode) -> list[str]:
        person = ep.patient.person
        lines = [f"Patient: {person.first_name} {person.last_name}    Account: {ep.patient.account}",
                 f"Payer: {ep.coverage.payer.name}"]
        lines.append("Diagnoses:")
        lines.extend(f"- {code} {text}" for code, text in ep.diagnoses)
        return lines

    def _goals(self, ep: Episode, state: EpisodeState) -> list[str]:
        return [self._fill(goal, ep, ep.rng, **state.marks) for goal in state.goals]

    def _measure_lines(self, state: EpisodeState, ep: Episode, fraction: float | None) -> list[str]:
        out = []
        for tracked in state.measures:
            value = tracked.baseline if fraction is None else tracked.at(fraction, ep.rng)
            name = tracked.measure.name.replace("{side}", ep.side)
            out.append(f"- {name}: {_number(value, tracked.measure.unit)}")
        return out

    def _minutes(self, procedures: list[Procedure], ep: Episode, with_detail: bool) -> list[str]:
        lines = []
        timed = total = 0
        for proc in procedures:
            label = self.fees[proc.code].label
            suffix = "" if proc.timed else " (untimed)"
            lines.append(f"{proc.code} {label}: {proc.minutes} min{suffix}")
            if with_detail and proc.code in self.phrases["interventions"]:
                lines.append("  " + self._fill(ep.rng.choice(self.phrases["interventions"][proc.code]),
                                               ep, ep.rng))
            total += proc.minutes
            if proc.timed:
                timed += proc.minutes
        lines.append(f"Total timed minutes: {timed}")
        lines.append(f"Total treatment minutes: {total}")
        return lines

    def _note(self, ep: Episode, doc_type: str, day: date, author: Clinician, title: str,
              body: list[str], fields: list[tuple[str, str]] | None = None) -> Note:
        signed = f"Electronically signed by {author.signature} (NPI {author.npi}) on {day.isoformat()}"
        return Note(ep.patient.account, doc_type, day, author, title, [*body, "", signed], fields or [])

    # ------------------------------------------------------------------ note kinds

    def evaluation(self, ep: Episode, state: EpisodeState, day: date,
                   procedures: list[Procedure]) -> Note:
        rng = ep.rng
        person = ep.patient.person
        age = day.year - person.dob.year - ((day.month, day.day) < (person.dob.month, person.dob.day))
        eval_code = procedures[0].code
        complexity = self.fees[eval_code].label.rsplit(", ", 1)[-1]
        findings = rng.sample(ep.condition.findings, k=min(3, len(ep.condition.findings)))
        body = [
            *self._header(ep),
            f"Referred by: {ep.certifier.signature}, {ep.certifier.specialty}",
            "",
            f"Occupational profile: {age}-year-old {'woman' if person.sex == 'F' else 'man'} referred for "
            f"{ep.condition.label}. Lives {rng.choice(('alone', 'with spouse', 'with family'))} in "
            f"{rng.choice(('a single-level home', 'a two-story home', 'an apartment with elevator'))}. "
            "Prior level of function: independent in self-care and household tasks.",
            "Findings:",
            *(f"- {self._fill(f, ep, rng)}" for f in findings),
            "Standardized measures:",
            *self._measure_lines(state, ep, None),
            f"Assessment: {complexity} evaluation. Performance deficits limit self-care and "
            "instrumental activities; patient would benefit from skilled occupational therapy.",
            "Time:",
            *self._minutes(procedures, ep, with_detail=False),
        ]
        if ep.eval_only:
            body.append("Plan: home program issued; no further skilled therapy needed at this time.")
        else:
            body.append(f"Plan: {ep.per_week}x/week for {ep.planned_weeks} weeks; see plan of care.")
        return self._note(ep, "evaluation", day, ep.therapist, "Occupational therapy evaluation", body)

    def plan_of_care(self, ep: Episode, state: EpisodeState, plan: PlanOfCare) -> Note:
        certified = plan.certified if plan.certified and plan.certified <= self.today else None
        weeks = max(1, round(((plan.end - plan.start).days + 1) / 7))
        frequency = f"{ep.per_week}x/week for {weeks} weeks" if not ep.eval_only else "evaluation only"
        fields = [
            ("start", plan.start.isoformat()),
            ("end", plan.end.isoformat()),
            ("certified", certified.isoformat() if certified else ""),
            ("certified_by", ep.certifier.signature if certified else ""),
            ("certifier_npi", ep.certifier.npi if certified else ""),
            ("recert_due", plan.end.isoformat()),
            ("frequency", frequency),
        ]
        codes = ", ".join(f"{c} {self.fees[c].label.lower()}" for c in sorted(ep.condition.interventions))
        body = [
            *self._header(ep),
            "",
            "Goals:",
            *(f"- {goal}" for goal in self._goals(ep, state)),
            f"Interventions: {codes}.",
            f"Frequency and duration: {frequency}.",
            f"Rehabilitation potential: {ep.rng.choice(('good', 'good', 'fair', 'excellent'))}.",
        ]
        if ep.maintenance:
            body.append(self._choice("maintenance", ep))
        if certified:
            body.append(f"Certification: plan reviewed and signed by {ep.certifier.signature} "
                        f"(NPI {ep.certifier.npi}) on {certified.isoformat()}.")
        else:
            body.append("Certification: sent to the referring provider for signature; not yet returned.")
        title = "Recertification of plan of care" if plan.recertification else "Plan of care"
        return self._note(ep, "plan_of_care", plan.written, ep.therapist, title, body, fields)

    def daily(self, ep: Episode, state: EpisodeState, visit: Visit, procedures: list[Procedure],
              author: Clinician) -> Note:
        body = [
            *self._header(ep)[:2],
            f"Treatment day {state.treatment_days} of the episode (start of care {ep.start.isoformat()})",
            "",
            "S: " + self._choice("subjective", ep),
            "O:",
            *self._minutes(procedures, ep, with_detail=True),
            "A: " + (self._choice("maintenance", ep) if ep.maintenance else self._choice("skilled", ep)),
            "P: " + self._plan(ep),
        ]
        if author.credential.value == "OTA":
            body.append(self._fill(self.phrases["ota_supervision"][0], ep, ep.rng,
                                   ota=author.signature, ot=ep.therapist.signature))
        return self._note(ep, "daily_note", visit.day, author, "Daily treatment note", body)

    def progress(self, ep: Episode, state: EpisodeState, day: date, fraction: float,
                 period: tuple[int, int] | None = None) -> Note:
        first_day, last_day = period or (state.treatment_days - state.since_report + 1,
                                         state.treatment_days)
        body = [
            *self._header(ep)[:2],
            f"Reporting period: treatment days {first_day} to {last_day} "
            f"(start of care {ep.start.isoformat()})",
            "",
            "Progress toward goals:",
            *(f"- {goal} Status: {self._status(ep, fraction)}." for goal in self._goals(ep, state)),
            "Measures:",
            *self._measure_lines(state, ep, fraction),
            "Assessment: " + self._choice("skilled", ep),
            "Plan: " + self._plan(ep),
        ]
        return self._note(ep, "progress_report", day, ep.therapist, "Progress report", body)

    def re_evaluation(self, ep: Episode, state: EpisodeState, day: date, procedures: list[Procedure],
                      fraction: float) -> Note:
        body = [
            *self._header(ep),
            "",
            self._choice("reeval_reason", ep),
            "Measures:",
            *self._measure_lines(state, ep, fraction),
            "Time:",
            *self._minutes(procedures, ep, with_detail=True),
            "Plan: " + self._plan(ep),
        ]
        return self._note(ep, "re_evaluation", day, ep.therapist, "Occupational therapy re-evaluation",
                          body)

    def discharge(self, ep: Episode, state: EpisodeState, day: date, fraction: float,
                  stopped: bool) -> Note:
        outcome = self.phrases["discharge"][-1] if stopped else self._choice("discharge", ep)
        body = [
            *self._header(ep)[:2],
            f"Episode: {ep.start.isoformat()} to {day.isoformat()}, {state.treatment_days} treatment days",
            "",
            "Goals at discharge:",
            *(f"- {goal} Status: {self._status(ep, fraction)}." for goal in self._goals(ep, state)),
            "Measures:",
            *self._measure_lines(state, ep, fraction),
            "Outcome: " + outcome,
            self._choice("home_program", ep),
        ]
        return self._note(ep, "progress_report", day, ep.therapist, "Discharge summary", body)

    @staticmethod
    def _status(ep: Episode, fraction: float) -> str:
        if fraction >= 0.95 and ep.rng.random() < 0.7:
            return "met"
        return "progressing" if ep.rng.random() < 0.85 else "not met, goal revised"


def render_text(note: Note) -> str:
    """Markdown and plain-text notes share one layout: front matter, title, body."""
    lines = ["---", *note.front_matter(), "---", "", f"# {note.title}", "", *note.body]
    return "\n".join(lines) + "\n"


def _number(value: float, unit: str) -> str:
    text = f"{value:.1f}" if abs(value) < 10 and unit in ("/5", "grade") else f"{round(value)}"
    return f"{text}{unit}" if unit.startswith("/") else f"{text} {unit}"


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/></Relationships>'
)


def _docx(note: Note) -> bytes:
    """A minimal Word document (document part and core properties only), byte-for-byte
    reproducible: the front matter as paragraphs, the title in bold, then the body.

    Written directly rather than through python-docx, which is 20 times slower here and
    stamps the zip with the wall clock.
    """
    def paragraph(text: str, bold: bool = False) -> str:
        props = "<w:rPr><w:b/></w:rPr>" if bold else ""
        return f'<w:p><w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'

    body = [paragraph(line) for line in ["---", *note.front_matter(), "---"]]
    body.append(paragraph(note.title, bold=True))
    body.extend(paragraph(line) for line in note.body)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + "".join(body) + "<w:sectPr/></w:body></w:document>"
    )
    stamp = f"{note.day.isoformat()}T12:00:00Z"
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(note.title)}</dc:title><dc:creator>{escape(note.author.signature)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("word/document.xml", document), ("docProps/core.xml", core)):
            info = zipfile.ZipInfo(name, DOCX_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()
