"""One therapy note per file (.txt, .md, .docx): who, when, what kind, minutes, plan of care.

Where the facts come from, first found wins:

1. front matter: a block between two `---` lines at the top, one `key: value` per line
   (a `goals:` key may be followed by `- goal` lines; other lists and `|` text blocks
   are passed over);
2. a header block: the first lines (in a .docx, the first paragraphs and a header table
   of label and value cells), under up to three title lines, written as `Key: value`;
   the keys this module knows are read ("Patient account: A2044", "DOS: Nov 6, 2026",
   "Note type: Daily note", "Therapist: Dana Okafor, OTR/L"), others passed over;
3. the file name `<account>_<YYYY-MM-DD>_<type>[_<author>].<ext>`, for example
   `A2044_2026-11-06_daily_Sam-Lee-COTA.txt` (the author's words separated by `-`).

Types: evaluation, daily_note, progress_report, plan_of_care, re_evaluation and their
common names ("eval", "treatment note", "progress note", "POC", "re-eval" ...). Minutes
per CPT/HCPCS code come from lines such as "97530 Therapeutic activities: 23 min" (or
"23 minutes", "23m", "23'", "0:23"); a
plan of care also reads start/end (or "certification period"), certified, certified_by,
certifier_npi, recert_due, frequency (from the front matter, header block or any
`Key: value` line of the note) and the bullets under a "Goals" heading (a bullet
indented under a goal belongs to it).
Control characters are stripped; errors name the file and the part that is wrong. The
document's source is the file's absolute path, so an edited note imported again replaces
its earlier text instead of sitting beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from assistant.dates import parse_flexible
from assistant.domain import DocType, DocumentRecord, PlanOfCareRecord
from assistant.errors import ImportFailed, InvalidInput
from assistant.importers.identifiers import npi_is_valid
from assistant.importers.tabular import read_text
from assistant.importers.vocabulary import credential_from_letters, split_name_and_credential
from assistant.ingest import ParsedBatch

NOTE_SUFFIXES = (".txt", ".md", ".markdown", ".docx")
FILE_NAME_PATTERN = "<account>_<YYYY-MM-DD>_<type>[_<author>]"

# key as written (lower case, single spaces) -> our key
_KEYS = {
    **dict.fromkeys(["account", "patient account", "account number", "account #", "account no", "acct",
                     "acct #", "mrn", "patient id", "chart", "chart #"], "account"),
    **dict.fromkeys(["date", "dos", "date of service", "visit date", "service date", "note date",
                     "session date", "treatment date"], "date"),
    **dict.fromkeys(["type", "note type", "document type", "doc type"], "type"),
    **dict.fromkeys(["author", "therapist", "clinician", "provider", "treating therapist", "signed by",
                     "rendering provider"], "author"),
    **dict.fromkeys(["npi", "author npi", "therapist npi", "provider npi", "clinician npi"], "author_npi"),
    "title": "title",
    **dict.fromkeys(["start", "start date", "poc start", "plan start", "certification start",
                     "cert start"], "start"),
    **dict.fromkeys(["end", "end date", "poc end", "plan end", "certification end", "cert end"], "end"),
    **dict.fromkeys(["certification period", "cert period", "poc period", "plan of care period",
                     "plan period"], "certification_period"),
    **dict.fromkeys(["certified", "certified date", "date certified", "certification date",
                     "date signed", "physician signature date", "physician signed"],
                    "certified"),
    **dict.fromkeys(["certified by", "certifier", "certifying physician", "certifying provider",
                     "physician"], "certified_by"),
    **dict.fromkeys(["certifier npi", "certifying npi", "physician npi", "certifying physician npi"],
                    "certifier_npi"),
    **dict.fromkeys(["recert due", "recertification due", "recert", "recert date", "recertification date",
                     "re-certification due", "recert due date"], "recert_due"),
    **dict.fromkeys(["frequency", "freq", "frequency and duration", "frequency/duration"], "frequency"),
    **dict.fromkeys(["goals", "goal"], "goals"),
}
_PLAN_KEYS = ("start", "end", "certification_period", "certified", "certified_by", "certifier_npi",
              "recert_due", "frequency")

_TYPES = {
    DocType.EVALUATION: ["evaluation", "eval", "initial evaluation", "initial eval", "ie", "ot evaluation",
                         "ot eval", "initial"],
    DocType.DAILY_NOTE: ["daily note", "daily", "treatment note", "tx note", "treatment", "visit note",
                         "daily treatment note", "soap note", "soap", "session note", "encounter note",
                         "dn"],
    DocType.PROGRESS_REPORT: ["progress report", "progress note", "progress", "pr", "progress summary"],
    DocType.PLAN_OF_CARE: ["plan of care", "poc", "plan", "certification", "cert", "recertification",
                           "recert", "updated plan of care"],
    DocType.RE_EVALUATION: ["re evaluation", "reevaluation", "re eval", "reeval", "re-evaluation",
                            "re-eval"],
}
_TYPE_NAMES = {name: kind for kind, names in _TYPES.items() for name in names}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\ufeff]")
_KEY_LINE = re.compile(r"^\s*(?:[*_]{0,2})([A-Za-z][A-Za-z #/&'\-]{0,40}?)(?:[*_]{0,2})\s*:\s*(.*?)\s*$")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25aa\u2013+]|\d{1,2}[.)]|[a-z][.)])\s+(.*\S)\s*$")
_GOAL_HEADING = re.compile(r"^\s*(?:#{1,6}\s*)?[\w\s\-/()]*\b(?:goals?|stgs?|ltgs?)\b[\w\s\-/()]*:?\s*$",
                           re.IGNORECASE)
_GOAL_HEADING_WORDS = 5
_TITLE_LINES = 3  # lines above a note's header block that are its title
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+\S.*|[A-Z][A-Za-z /&()\-]{1,60}:)\s*$")
_CODE = re.compile(r"(?<![\w/.-])(\d{4}[0-9A-Z]|[A-Z]\d{4})(?![\w/.-]|-\d)")
# Minutes as therapists write them: "23 min", "23 minutes", "23-min"; else "23m", "23'" (also the
# typographic right quote and prime a word processor puts in); else "0:23" (h:mm, not a clock
# time or a range).
_MINUTES = re.compile(r"(\d{1,3})\s*-?\s*(?:min(?:ute)?s?|mins?\.)(?![a-z])", re.IGNORECASE)
_MINUTES_SHORT = re.compile(r"(\d{1,3})(?:m(?![a-z0-9])|['\u2019\u2032](?!\w))", re.IGNORECASE)
_HOURS_MINUTES = re.compile(r"(?<![\d:.])([0-2]):([0-5]\d)(?![\d:])(?!\s*(?:[ap]\.?m\b|[-\u2013]|to\b))",
                            re.IGNORECASE)
# "each additional 15 min", "first 15 minutes", "per 15 min": a code's descriptor, not time spent.
_DESCRIPTOR_BEFORE = re.compile(r"(?:each|additional|addl|first|initial|per|every|each add'l)\s*$",
                                re.IGNORECASE)
_DATE_TOKEN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}-\d{1,2}-\d{4}|\b\d{8}\b")
_FILE_NAME = re.compile(
    r"^(?P<account>[^_]+)_(?P<date>\d{4}-?\d{2}-?\d{2})_(?P<type>[^_]+)(?:_(?P<author>.+))?$")


def parse_notes(path: Path) -> ParsedBatch:
    """One note file -> one `DocumentRecord` (with its plan of care when it is one)."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in NOTE_SUFFIXES:
        raise ImportFailed(name, None, f"not a note file ({', '.join(NOTE_SUFFIXES)})")
    text = clean_text(_read_docx(path) if suffix == ".docx" else read_text(path))
    fields = _Fields(name)
    body = fields.read_front_matter(text)
    fields.read_header_block(body)
    from_name = _file_name_fields(path.stem)
    doc_type = fields.doc_type(from_name)
    if doc_type is DocType.PLAN_OF_CARE:
        fields.read_plan_lines(body)
    account = fields.text("account") or from_name.get("account")
    if not account:
        raise fields.missing("account")
    author_text = fields.text("author") or _author_from_file_name(from_name.get("author"))
    author, credential = split_name_and_credential(author_text) if author_text else ("", None)
    author_npi = fields.npi("author_npi")
    plan = _plan_of_care(fields, account, body, author_npi) if doc_type is DocType.PLAN_OF_CARE else None
    doc_date = fields.date("date") or _file_name_date(from_name, name)
    if doc_date is None and plan is not None:
        doc_date = plan.certified_date or plan.start_date
    if doc_date is None:
        raise fields.missing("date")
    document = DocumentRecord(
        account=account,
        doc_type=doc_type,
        doc_date=doc_date,
        text=body.strip(),
        author=author or None,
        author_credential=credential.value if credential else None,
        author_npi=author_npi,
        title=fields.text("title") or _first_heading(body),
        source=str(path.resolve()),
        minutes=() if doc_type is DocType.PLAN_OF_CARE else minutes_by_code(body),
        plan_of_care=plan,
    )
    if not document.text:
        raise ImportFailed(name, None, "the note has no text")
    return ParsedBatch(documents=[document])


def clean_text(text: str) -> str:
    """Newlines normalised, control characters (NUL, form feeds, zero-width marks) removed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _read_docx(path: Path) -> str:
    """Paragraphs and table rows in document order: a header table's label and value cells
    ("Patient | Ana Ruiz | Acct: | A2044") become "Label: value" lines, other rows have their
    cells joined by " | "."""
    try:
        import docx  # python-docx: only notes need it
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
        lines: list[str] = []
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, document).text)
            elif tag == "tbl":
                for row in Table(child, document).rows:
                    lines.extend(_table_row_lines([cell.text.strip() for cell in row.cells]))
        return "\n".join(lines)
    except Exception:  # python-docx raises many kinds for damaged files
        raise ImportFailed(path.name, None, "not a readable .docx file") from None


def _table_row_lines(cells: list[str]) -> list[str]:
    """A table row as note lines: label/value pairs as "Label: value", else one joined line."""
    unique = [cell for i, cell in enumerate(cells) if i == 0 or cell != cells[i - 1]]  # merged cells
    pairs = [(unique[i], unique[i + 1]) for i in range(0, len(unique) - 1, 2)]
    if len(unique) % 2 == 0 and pairs and all(_is_label(label) for label, _ in pairs):
        return [f"{label.rstrip(':').strip()}: {value}" for label, value in pairs if value]
    return [" | ".join(cells)]


def _is_label(cell: str) -> bool:
    """A header table's label cell: a key we know, or a few words ending in ':' without digits."""
    text = cell.strip()
    if not text or any(ch.isdigit() for ch in text):
        return False
    return _key(text.rstrip(":")) is not None or (text.endswith(":") and len(text.split()) <= 4)


# --------------------------------------------------------------------------- fields


def _key(text: str) -> str | None:
    return _KEYS.get(" ".join(text.strip().lower().replace("_", " ").split()))


@dataclass
class _Fields:
    name: str
    values: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # our key -> "front matter 'key'"
    goals: list[str] = field(default_factory=list)

    def put(self, key: str, value: str, where: str) -> None:
        if key not in self.values and value:
            self.values[key] = value
            self.where[key] = where

    def read_front_matter(self, text: str) -> str:
        """Takes a leading `---` block; returns the rest of the text."""
        lines = text.split("\n")
        start = next((i for i, line in enumerate(lines) if line.strip()), None)
        if start is None or lines[start].strip() != "---":
            return text
        try:
            end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() in ("---", "..."))
        except StopIteration:
            raise ImportFailed(self.name, "front matter", "no closing '---' line") from None
        current_list: str | None = None  # the key whose "- item" lines follow ("" for one we skip)
        block_indent: int | None = None  # inside a "key: |" text block indented deeper than this
        for number, line in enumerate(lines[start + 1:end], start + 2):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            indent = len(line) - len(line.lstrip())
            if block_indent is not None:
                if indent > block_indent:
                    continue
                block_indent = None
            bullet = re.match(r"^\s*-\s+(.*\S)\s*$", line)
            if bullet and current_list is not None:
                if current_list == "goals":
                    self.goals.append(bullet.group(1).strip("'\""))
                continue  # an item of a list we do not read ("diagnoses:", "tags:")
            match = re.match(r"^\s*([^:]+?)\s*:\s*(.*?)\s*$", line)
            if match is None:
                raise ImportFailed(self.name, "front matter", f"line {number} is not 'key: value'")
            raw_key, value = match.group(1), match.group(2).strip().strip("'\"")
            key = _key(raw_key)
            current_list = ("goals" if key == "goals" else "") if not value else None
            if value in ("|", ">", "|-", ">-", "|+", ">+"):
                block_indent, current_list = indent, None
                continue
            if key is not None and key != "goals":
                self.put(key, value, f"front matter '{raw_key.strip()}'")
        return "\n".join(lines[end + 1:])

    def read_header_block(self, text: str) -> None:
        """Leading `Key: value` lines (a .docx's first paragraphs and header table), under up
        to three title lines; keys we do not know ("Patient: ...") are passed over."""
        seen = False
        titles = 0
        for line in text.split("\n"):
            if not line.strip():
                if seen:
                    return
                continue
            match = _KEY_LINE.match(line)
            if match is None:
                if not seen and titles < _TITLE_LINES:
                    titles += 1  # "CEDAR RIDGE THERAPY - DAILY NOTE" above the header block
                    continue
                return
            seen = True
            key = _key(match.group(1))
            if key is not None and key != "goals":
                self.put(key, match.group(2), f"header '{match.group(1).strip()}'")

    def read_plan_lines(self, text: str) -> None:
        """Plan-of-care keys written anywhere in the note ("Certification period: ...")."""
        for line in text.split("\n"):
            match = _KEY_LINE.match(line)
            key = _key(match.group(1)) if match else None
            if match is not None and key in _PLAN_KEYS:
                self.put(key, match.group(2), f"line '{match.group(1).strip()}'")

    def text(self, key: str) -> str:
        return self.values.get(key, "").strip()

    def fail(self, key: str, reason: str) -> ImportFailed:
        return ImportFailed(self.name, self.where.get(key, "front matter"), reason)

    def missing(self, key: str) -> ImportFailed:
        return ImportFailed(self.name, None, f"no '{key}' in front matter or 'Key: value' header lines, "
                                             f"and the file name does not follow {FILE_NAME_PATTERN}")

    def date(self, key: str) -> date | None:
        raw = self.text(key)
        if not raw:
            return None
        try:
            return parse_flexible(raw)
        except InvalidInput:
            raise self.fail(key, "not a date") from None

    def npi(self, key: str) -> str | None:
        raw = re.sub(r"\s", "", self.text(key))
        if not raw:
            return None
        if not npi_is_valid(raw):
            raise self.fail(key, f"{raw[:12]!r} is not a valid NPI (10 digits with a Luhn check digit)")
        return raw

    def doc_type(self, from_name: dict[str, str]) -> DocType:
        raw = self.text("type")
        where = self.where.get("type")
        if not raw:
            raw, where = from_name.get("type", ""), "file name"
        if not raw:
            raise self.missing("type")
        found = doc_type_for(raw)
        if found is None:
            known = ", ".join(t.value for t in DocType)
            raise ImportFailed(self.name, where, f"type {raw[:30]!r} is not a note type ({known})")
        return found


def doc_type_for(text: str) -> DocType | None:
    """"Eval", "Treatment note", "POC", "re-eval", "daily_note" -> the document type."""
    normalized = " ".join(re.sub(r"[_\-]+", " ", text.strip().lower()).split())
    for candidate in (normalized, normalized.replace(" ", ""), text.strip().lower()):
        if candidate in _TYPE_NAMES:
            return _TYPE_NAMES[candidate]
    for kind in DocType:
        if normalized == kind.value.replace("_", " "):
            return kind
    return None


def _file_name_fields(stem: str) -> dict[str, str]:
    match = _FILE_NAME.match(stem)
    if match is None:
        return {}
    return {key: value for key, value in match.groupdict().items() if value}


def _file_name_date(fields: dict[str, str], name: str) -> date | None:
    raw = fields.get("date", "").replace("-", "")
    if not raw:
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise ImportFailed(name, "file name", "the date is not a real YYYY-MM-DD date") from None


def _author_from_file_name(text: str | None) -> str:
    """"Dana-Okafor-OTR-L" -> "Dana Okafor, OTR/L" (credential letters split by '-' rejoined)."""
    if not text:
        return ""
    words = [w for w in re.split(r"[-\s.]+", text) if w]
    for size in (2, 1):
        if len(words) > size:
            letters = "/".join(words[-size:])
            if credential_from_letters(letters) is not None:
                return f"{' '.join(words[:-size])}, {letters}"
    return " ".join(words)


def _first_heading(text: str) -> str | None:
    for line in text.split("\n"):
        if line.strip():
            match = re.match(r"^\s*#{1,6}\s+(.*\S)", line)
            return match.group(1)[:200] if match else None
    return None


# --------------------------------------------------------------------------- minutes


def minutes_by_code(text: str) -> tuple[tuple[str, int], ...]:
    """(code, minutes) from lines naming a CPT/HCPCS code and "N min"; repeated codes add up."""
    totals: dict[str, int] = {}
    for line in text.split("\n"):
        for code, minutes in _line_minutes(line):
            totals[code] = totals.get(code, 0) + minutes
    return tuple(totals.items())


def _line_minutes(line: str) -> Iterator[tuple[str, int]]:
    codes = list(_CODE.finditer(line))
    for position, code in enumerate(codes):
        stop = codes[position + 1].start() if position + 1 < len(codes) else len(line)
        found = _minutes_after(line, code.end(), stop)
        if found:
            yield code.group(1), found


def _minutes_after(line: str, start: int, stop: int) -> int:
    """The minutes written between a code and the next one (0: none), in the first form of
    "23 min", "23m"/"23'", "0:23" that the line uses."""
    for pattern in (_MINUTES, _MINUTES_SHORT):
        for minutes in pattern.finditer(line, start, stop):
            if not _DESCRIPTOR_BEFORE.search(line, start, minutes.start()):
                return int(minutes.group(1))
    clock = _HOURS_MINUTES.search(line, start, stop)
    return int(clock.group(1)) * 60 + int(clock.group(2)) if clock else 0


# --------------------------------------------------------------------------- plan of care


def _plan_of_care(fields: _Fields, account: str, body: str, author_npi: str | None) -> PlanOfCareRecord:
    start, end = fields.date("start"), fields.date("end")
    period = fields.text("certification_period")
    if period and (start is None or end is None):
        tokens = _DATE_TOKEN.findall(period)
        if len(tokens) < 2:
            raise fields.fail("certification_period", "write it as '<start date> to <end date>'")
        try:
            start, end = start or parse_flexible(tokens[0]), end or parse_flexible(tokens[1])
        except InvalidInput:
            raise fields.fail("certification_period", "not a pair of dates") from None
    if start is None or end is None:
        raise ImportFailed(fields.name, "front matter", "a plan of care needs 'start' and 'end' "
                                                        "(or 'certification period')")
    if end < start:
        raise fields.fail("end" if "end" in fields.values else "certification_period",
                          "the plan of care ends before it starts")
    goals = tuple(fields.goals) or goals_in(body)
    return PlanOfCareRecord(
        account=account,
        start_date=start,
        end_date=end,
        certified_date=fields.date("certified"),
        certified_by=fields.text("certified_by") or None,
        certifier_npi=fields.npi("certifier_npi"),
        recert_due=fields.date("recert_due"),
        frequency=fields.text("frequency") or None,
        goals=goals,
        therapist_npi=author_npi,
    )


def goals_in(text: str) -> tuple[str, ...]:
    """Bullets under a heading that says "Goals" (short- and long-term sections included);
    a bullet indented under a goal ("- Status: met", "a) by 12/15") belongs to that goal."""
    goals: list[str] = []
    inside = False
    indent: int | None = None  # of the goals' own bullets
    for line in text.split("\n"):
        if not line.strip():
            continue
        if (_GOAL_HEADING.match(line) and not _BULLET.match(line)
                and len(line.split()) <= _GOAL_HEADING_WORDS):
            inside, indent = True, None
            continue
        bullet = _BULLET.match(line)
        if inside and bullet:
            depth = len(line) - len(line.lstrip())
            if indent is None or depth <= indent or not goals:
                indent = depth if indent is None else min(indent, depth)
                goals.append(bullet.group(1).strip())
            else:
                goals[-1] = f"{goals[-1].rstrip('.')}; {bullet.group(1).strip()}"
        elif inside and goals and line.startswith((" ", "\t")) and not _HEADING.match(line):
            goals[-1] = f"{goals[-1]} {line.strip()}"  # a bullet continued on the next line
        elif inside:
            inside = False
    return tuple(goals)

