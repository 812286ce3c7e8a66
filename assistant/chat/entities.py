"""Entity extractors: small named readers of one kind of thing each, run over a `Scan`.

Each extractor finds its forms in what earlier extractors left, takes the characters it
used and returns a normalised value: dates as `date` (relative to the `today` it is given),
money in cents, ages in days, codes as "CO-50"/"M127", minutes as {code: minutes}. Nothing
here touches the database directly: claim ids and names are checked through callables the
caller passes in.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from assistant.chat.scan import Scan
from assistant.dates import add_months, month_number, parse_typed
from assistant.errors import InvalidInput

# --------------------------------------------------------------------------- numbers

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "ninety": 90, "couple": 2, "couple of": 2, "a couple": 2, "a couple of": 2, "few": 3,
    "a few": 3, "several": 3,
}
_N = (r"(?:\d{1,4}|a\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+few|few|several|an|a|one|two|three|four"
      r"|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|thirty"
      r"|forty|fifty|sixty|ninety)")


def number(text: str) -> int:
    """"14", "two", "a couple of" -> an int (the patterns only let known forms through)."""
    text = " ".join(text.split())
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("{N}", _N))


# --------------------------------------------------------------------------- call details

_REFERENCE = _rx(
    r"\b(?:call\s+)?(?:ref(?:erence)?|conf(?:irmation)?|ticket|case|call\s+id|icn|tracking)"
    r"(?:\s*(?:number|num|no))?\.?(?:\s*(?:#|:|is|was))*\s*(?P<ref>(?=[a-z0-9\-]*\d)[a-z0-9][a-z0-9\-]*)\b"
)


def extract_reference(scan: Scan) -> str | None:
    """A call reference: "ref 55102", "reference #: A-77", "conf 3391", "call ref# 55102"."""
    for match in scan.finditer(_REFERENCE):
        scan.take(*match.span())
        return scan.typed(*match.span("ref")).upper()
    return None


_NAME = r"[a-z][a-z'\-]*"
_REP = re.compile(
    r"\b(?:(?:talked|spoke|spoken|speaking|talking|chatted)\s+(?:to|with|w/)"
    r"(?:\s+(?:the\s+|a\s+)?(?:rep|representative|agent)(?:\s+named)?)?"
    r"|(?:rep|representative|agent)(?:'s\s+name|\s+name)?(?:\s+(?:was|is|named))?\s*[:\-=]?"
    r"|per)\s+(?P<first>" + _NAME + r")(?:\s+(?P<second>" + _NAME + r"|[a-z]\.))?"
)


def extract_rep(scan: Scan, is_word: Callable[[str], bool]) -> str | None:
    """The payer representative: "talked to Kim", "spoke with Kim Lee", "rep: Dana", "per Kim".

    `is_word` says a word is vocabulary (not a name): "talked to the payer" names nobody.
    After "per" only a capitalised name counts ("per Kim", not "per policy").
    """
    for match in _overlapping(scan, _REP, "first"):
        first = match.group("first")
        if is_word(first):
            continue
        typed_first = scan.typed(*match.span("first"))
        if match.group(0).startswith("per") and not typed_first[:1].isupper():
            continue
        end = match.end("first")
        second = match.group("second")
        if second and not is_word(second.rstrip(".")) and scan.is_free(*match.span("second")):
            end = match.end("second")
        scan.take(match.start(), end)
        name = scan.typed(match.start("first"), end)
        return name.title() if name.islower() else name
    return None


def _overlapping(scan: Scan, pattern: re.Pattern[str], group: str) -> Iterator[re.Match[str]]:
    """Matches that may start inside a match refused before ("spoke to [bcbs] rep Jen": the
    name after "spoke to" is a payer, the one after "rep" is the person)."""
    text = scan.masked
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        if scan.is_free(*match.span(group)):
            yield match
        pos = match.start() + 1


_WHO = r"(?P<who>[a-z][a-z0-9._\-]*)"
_UNASSIGN = re.compile(r"\b(?:un-?assign|remove\s+(?:the\s+)?(?:owner|assignee)|take\s+me\s+off"
                       r"|(?:assign|give)\s+(?:it\s+)?to\s+(?:nobody|no\s+one|none))\b")
_ASSIGN_PATTERNS = (
    # "give 20931 to jordan", "assign it to me", "hand 20932 off to priya"
    re.compile(r"\b(?:re-?assign|assign|give|hand(?:\s+(?:it\s+)?(?:off|over))?|pass|transfer|route|send|put)\b"
               r"(?P<between>[^.;!?]{0,60}?)\bto\s+" + _WHO + r"\b(?!')"),
    # "put 20940 on sam's desk"
    re.compile(r"\b(?:on|to|in)\s+" + _WHO + r"'s\s+(?:desk|plate|list|queue|worklist|pile)\b"),
    # "jordan should take 20935"
    re.compile(r"\b" + _WHO + r"\s+(?:should|can|could|will|needs?\s+to|is\s+going\s+to)\s+"
               r"(?:take|work|handle|own|pick\s+up)\b"),
    # "let maria handle 20931"
    re.compile(r"\blet\s+" + _WHO + r"\s+(?:handle|take|work|have|own|deal\s+with)\b"),
    # "assign jordan 20931", "assign me 20931"
    re.compile(r"\b(?:re-?assign|assign)\s*:?\s+" + _WHO + r"\b"),
)
_OWNER = re.compile(
    r"\bassigned\s+to\s+" + _WHO + r"\b"
    # "sam's queue", "jordan's patients"; "move it to alex's queue" is an assignment
    r"|(?<!\bto )(?<!\bon )(?<!\bin )(?<!\bonto )\b" + _WHO.replace("who", "whose")
    + r"'s\s+(?P<noun>claims|queue|worklist|work\s+list|list|patients|pts|accounts|denials|stuff|ones|desk"
    r"|plate|pile|caseload)\b"
    r"|\b(?P<mine>my\s+(?:claims|queue|worklist|list|accounts|patients|pts|denials|stuff|caseload)|mine)\b"
    r"|\b(?P<nobody>unassigned|not\s+assigned|nobody's|no\s+owner)\b"
)
# What a patient has too: "howard's claims" may be the patient's; "jordan's queue" is a person's.
_SHARED_NOUNS = frozenset({"claims", "accounts", "denials", "stuff", "ones"})


def _person(word: str, scan: Scan, span: tuple[int, int], me: Collection[str], known: Mapping[str, str],
            is_word: Callable[[str], bool], need_known: bool = False) -> str | None:
    """A user named in the text: "me", a known assignee as stored, or a new name as typed."""
    if word in me:
        return "me"
    if word in known:
        return known[word]
    if need_known or is_word(word):
        return None
    return scan.typed(*span)


def extract_owner(scan: Scan, is_word: Callable[[str], bool], me: Collection[str], known: Mapping[str, str],
                  is_patient: Callable[[str], bool] = lambda _w: False) -> str | None:
    """Whose claims a list is about: "assigned to jordan", "sam's queue", "jordan's patients",
    "my claims" (me), "unassigned". "howard's claims" is a patient's when Howard is a patient's
    name and nobody's claims are assigned to a Howard."""
    for match in scan.finditer(_OWNER):
        if match.group("mine"):
            value: str | None = "me"
        elif match.group("nobody"):
            value = "unassigned"
        else:
            group = "who" if match.group("who") else "whose"
            name = match.group(group)
            noun = " ".join((match.group("noun") or "").split())
            if noun in _SHARED_NOUNS and name not in known and is_patient(name):
                continue
            value = _person(name, scan, match.span(group), me, known, is_word)
        if value is not None:
            scan.take(*match.span())
            return value
    return None


def extract_assignee(scan: Scan, is_word: Callable[[str], bool], me: Collection[str],
                     known: Mapping[str, str]) -> str | None:
    """Who a claim goes to: "give 20931 to jordan", "assign it to me", "reassign to Sam",
    "put 20940 on sam's desk", "jordan should take 20935", "assign me 20931".

    `me` are the words for the current user (returned as "me"); `known` maps lower-case
    assignees already in the database to their spelling; "assign jordan" without "to"
    needs a known assignee (or "me").
    """
    for match in scan.finditer(_UNASSIGN):  # "unassign 20931", "take me off it": nobody's
        scan.take(*match.span())
        return "none"
    for n, pattern in enumerate(_ASSIGN_PATTERNS):
        for match in scan.finditer(pattern, "who"):
            value = _person(match.group("who"), scan, match.span("who"), me, known, is_word,
                            need_known=n == len(_ASSIGN_PATTERNS) - 1)
            if value is None:
                continue
            if "between" in match.groupdict():
                scan.take(match.start(), match.start("between"))
                scan.take(match.end("between"), match.end())
            else:
                scan.take(*match.span())
            return value
    return None


# --------------------------------------------------------------------------- rows of a list

_ROW_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                 "eighth": 8, "ninth": 9, "tenth": 10, "last": -1}
_ROW = re.compile(
    r"(?:^|(?<=\s))(?:#|(?:row|number|no\.)\s*#?\s*)(?P<n>\d{1,2})(?![\d/:.\-]|\s*(?:min|units?|days?)\b)"
    r"|\b(?:the\s+)?(?P<ord>" + "|".join(_ROW_ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th))\s+"
    r"(?:one|claim|row|item|line\s+on\s+the\s+list)(?!\s+(?:of|for)\s+(?:the\s+)?(?:month|week))\b"
)


def extract_row(scan: Scan) -> int | None:
    """A row of the list shown: "open #2", "row 3", "the third one", "2nd claim", "the last one"
    (-1). Read before dates, so "the 2nd one" is no date."""
    for match in scan.finditer(_ROW):
        scan.take(*match.span())
        if match.group("n"):
            return int(match.group("n")) or None
        word = match.group("ord")
        return _ROW_ORDINALS.get(word) or int(word[:-2])
    return None


# --------------------------------------------------------------------------- minutes

_CPT = r"(?:\d{4}[0-9a-z]|[a-z]\d{4})"
_MIN_UNIT = r"(?:minutes?|mins?|m)\b"
_CODE_THEN_MINUTES = re.compile(
    r"\b(?P<code>" + _CPT + r")\b\s*(?:for|x|=|:|at|with|-|@)?\s*(?P<min>\d{1,3})(?!\d)"
    r"(?!(?<=\b[1-6])\s*units?\b)\s*(?P<unit>" + _MIN_UNIT
    + r")?(?:\s*(?:each|of\s+time))?"
)
_MINUTES_THEN_CODE = re.compile(
    r"\b(?P<min>\d{1,3})(?:\s*(?P<unit>" + _MIN_UNIT + r")\s*(?:of|on|for|doing|with|in)?|\s+(?:of|doing))\s*"
    r"(?P<code>" + _CPT + r")\b"
)


def _fold_procedure(name: str) -> str:
    return " ".join(name.replace("-", " ").split())


@cache
def _procedure_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """NAME-then-minutes and minutes-then-NAME for the procedures' spoken names ("ther ex 30",
    "18 min self care"), longest name first."""
    spoken = "|".join(re.escape(n).replace(r"\ ", r"[\s\-]*") for n in sorted(names, key=len, reverse=True))
    return (re.compile(r"\b(?P<name>" + spoken + r")\b\s*(?:for|x|=|:|at|with|-|@)?\s*(?P<min>\d{1,3})"
                       r"(?!\d)(?!(?<=\b[1-6])\s*units?\b)\s*(?P<unit>" + _MIN_UNIT + r")?"),
            re.compile(r"\b(?P<min>\d{1,3})\s*(?P<unit>" + _MIN_UNIT + r")\s*(?:of|on|for|doing|with|in)?\s*"
                       r"(?P<name>" + spoken + r")\b"))


_LONE_CODE = re.compile(r"\b(?P<code>" + _CPT + r")\b")
_LONE_MINUTES = re.compile(r"\b(?P<min>\d{1,3})\s*(?:minutes?|mins?)\b")


def extract_minutes(scan: Scan, is_cpt: Callable[[str], bool], units_asked: bool,
                    procedures: Mapping[str, str] | None = None) -> dict[str, int]:
    """CPT code-to-minutes pairs in either order: "97535 for 40 minutes and 97530 for 10",
    "23 min of 97110", "97110=33 97140=7"; procedures by their spoken names ("ther ex 30 min",
    `procedures`: folded name -> code); one code and one "N min" apart ("97530 x 2 units ok
    for 24 min?").

    A pair without a minutes word counts when another pair has one, when it is written
    CODE=MINUTES, or when the message asks about units. A code given twice adds up.
    """
    found: list[tuple[re.Match[str], bool]] = []
    named: list[tuple[int, str, int]] = []  # (start, code, minutes) read from spoken names
    if procedures:
        for pattern in _procedure_patterns(tuple(procedures)):
            for match in scan.finditer(pattern):
                code = procedures.get(_fold_procedure(match.group("name")))
                if code is None or not (match.group("unit") or units_asked):
                    continue
                named.append((match.start(), code, int(match.group("min"))))
                scan.take(*match.span())
    first_code = re.search(r"\b" + _CPT + r"\b", scan.masked)
    first_minutes = re.search(r"\b\d{1,3}\s*" + _MIN_UNIT, scan.masked)
    code_first = first_code is not None and (first_minutes is None
                                             or first_code.start() < first_minutes.start())
    order = ((_CODE_THEN_MINUTES, _MINUTES_THEN_CODE) if code_first
             else (_MINUTES_THEN_CODE, _CODE_THEN_MINUTES))
    for pattern in order:
        for match in scan.finditer(pattern):
            code = match.group("code").upper()
            if not is_cpt(code):
                continue
            explicit = bool(match.group("unit")) or "=" in match.group(0)
            found.append((match, explicit))
            scan.take(*match.span())
    if not found and not named and units_asked:
        codes = [m for m in scan.finditer(_LONE_CODE) if is_cpt(m.group("code").upper())]
        spans = list(scan.finditer(_LONE_MINUTES))
        if len(codes) == 1 and len(spans) == 1:
            named.append((codes[0].start(), codes[0].group("code").upper(), int(spans[0].group("min"))))
            scan.take(*codes[0].span())
            scan.take(*spans[0].span())
    if not (units_asked or named or any(explicit for _, explicit in found)):
        for match, _ in found:  # bare "97110 2" is not minutes: give the text back
            _untake(scan, match)
        return {}
    pairs = sorted([*((m.start(), m.group("code").upper(), int(m.group("min"))) for m, _ in found), *named])
    minutes: dict[str, int] = {}
    for _, code, value in pairs:
        minutes[code] = minutes.get(code, 0) + value
    return minutes


def _untake(scan: Scan, match: re.Match[str]) -> None:
    scan.restore(*match.span())


# --------------------------------------------------------------------------- ages

_UNIT_DAYS = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7,
              "mo": 30, "mos": 30, "month": 30, "months": 30}
_AGE_UNIT = r"(?P<unit>days?|d|weeks?|wks?|w|months?|mos?)\b(?!/)"
_AGE_UNIT2 = r"(?P<unit2>days?|d|weeks?|wks?|w|months?|mos?)\b(?!/)"
_AGE_MIN = (r"over|more\s+than|greater\s+than|longer\s+than|above|past|beyond|at\s+least|older\s+th[ae]n"
            r"|>=|>|exceeding|north\s+of|upwards\s+of|plus")
_AGE_MAX = (r"under|less\s+than|fewer\s+than|below|within|at\s+most|younger\s+th[ae]n|newer\s+th[ae]n"
            r"|<=|<|up\s+to|no\s+more\s+than|no\s+older\s+than|not\s+older\s+than|not\s+over")
_AGED = r"(?:aged?|aging|ageing|age|older|old)"
# Aging-bucket edges: a bare "over 90" in AR speech is days, not dollars.
_BUCKET_EDGES = frozenset({30, 45, 60, 90, 120, 150, 180, 270, 365})
_MONEY_WORDS = re.compile(r"\$|\b(?:dollars?|bucks|balances?|owed?|owing|amounts?|charges?)\b")

_AGE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("between", _rx(r"\b(?:" + _AGED + r"\s+)?(?:between|from)\s+(?P<a>{N})\s*(?:" + _AGE_UNIT2
                    + r")?\s*(?:and|to|-)\s*(?P<b>{N})\s*" + _AGE_UNIT + r"(?:\s+old)?")),
    ("range", _rx(r"\b(?P<a>\d{1,4})\s*(?:-|to)\s*(?P<b>\d{1,4})\s*(?:" + _AGE_UNIT
                  + r"(?:\s+old)?|(?:day\s*)?bucket\b)")),
    ("last", _rx(r"\b(?:in\s+)?(?:the\s+)?(?P<which>last|past)\s+(?P<a>{N})\s*" + _AGE_UNIT)),
    ("cmp", _rx(r"(?:\b|(?=[<>]))(?:" + _AGED + r"\s+)?(?P<cmp>" + _AGE_MIN + "|" + _AGE_MAX
                + r")\s*(?P<a>{N})\s*" + _AGE_UNIT + r"(?:\s+old)?")),
    ("than", _rx(r"\b(?P<cmp>older|younger|newer)\s+th[ae]n\s+(?P<a>{N})\s*(?:" + _AGE_UNIT + r")?")),
    ("aged", _rx(r"\b(?:aged?|aging|ageing)\s+(?:(?P<cmp>" + _AGE_MIN + "|" + _AGE_MAX
                 + r")\s*)?(?P<a>\d{1,4})\s*(?:" + _AGE_UNIT + r")?(?P<plus>\s*\+|\s+or\s+more|\s+plus)?")),
    ("old", _rx(r"\b(?P<a>{N})\s*" + _AGE_UNIT + r"\s+(?P<how>old|or\s+older|and\s+older|or\s+more|and\s+up"
                r"|plus|or\s+over|past\s+due|in\s+a/?r|or\s+less|or\s+younger|or\s+newer|or\s+under)\b")),
    ("period", _rx(r"\b(?:(?P<prep>from|in|during|billed|for|of|since)\s+)?(?:the\s+)?"
                   r"(?P<which>last|previous|this|past)\s+(?P<period>month|week|year)\b(?:'s)?")),
    ("bucket", re.compile(r"(?<![\w$.,/-])(?P<a>\d{1,3})\s*-\s*(?P<b>\d{1,3})(?![\w$%.,/-])")),
    ("plus", _rx(r"(?<![$\d.,])\b(?P<a>\d{1,4})\s*\+\s*(?:" + _AGE_UNIT + r"(?:\s+old)?)?")),
    ("bare", _rx(r"\b(?P<cmp>" + _AGE_MIN + "|" + _AGE_MAX + r")\s*(?P<a>\d{2,3})\b"
                 r"(?!\s*(?:k\b|thousand|grand|dollars?|bucks|\.\d|,\d|%|\+))")),
)


def _days(n: int, unit: str | None) -> int:
    return n * _UNIT_DAYS.get(unit or "days", 1)


def _is_max(cmp: str | None) -> bool:
    return bool(cmp) and re.fullmatch(_AGE_MAX, " ".join((cmp or "").split())) is not None


def _period_ages(today: date, which: str, period: str, has_preposition: bool) -> tuple[int, int] | None:
    """Ages (days since service) of claims from last/this calendar week, month or year;
    "past month" is the last 30 days. "this month" needs "from/in ..." (else it is a date)."""
    if which == "past":
        return 0, {"week": 7, "month": 30, "year": 365}[period]
    if which == "this":
        if not has_preposition:
            return None
        start = {"week": today - timedelta(days=today.weekday()), "month": today.replace(day=1),
                 "year": today.replace(month=1, day=1)}[period]
        return 0, (today - start).days
    if period == "week":
        start = today - timedelta(days=today.weekday() + 7)
        end = start + timedelta(days=6)
    elif period == "month":
        end = today.replace(day=1) - timedelta(days=1)
        start = end.replace(day=1)
    else:
        start, end = date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    return (today - end).days, (today - start).days


def extract_age(scan: Scan, today: date) -> tuple[int | None, int | None]:
    """(min_age_days, max_age_days): "older than 120 days", "over 90 days", "90+ days",
    "between 30 and 60 days", "30-60 days", "under 30 days old", "in the last 2 weeks",
    "from last month", "aged over 90", and a bare "over 90" when 90 is an aging-bucket edge
    and no money word is in the message."""
    scan_today = today
    low: int | None = None
    high: int | None = None
    money_talk = _MONEY_WORDS.search(scan.text) is not None
    for kind, pattern in _AGE_PATTERNS:
        for match in scan.finditer(pattern):
            groups = match.groupdict()
            unit = groups.get("unit")
            a = number(groups["a"]) if groups.get("a") else 0
            if kind in ("between", "range"):
                b = number(groups["b"])
                unit_a = groups.get("unit2") or unit
                lo, hi = sorted((_days(a, unit_a), _days(b, unit)))
                low, high = lo, hi
            elif kind == "last":
                if groups["which"] == "past" and "the" not in match.group(0).split():
                    low = _days(a, unit)  # "past 90 days" = beyond 90 days
                else:
                    high = _days(a, unit)
            elif kind in ("cmp", "aged", "bare"):
                if kind == "bare" and (a not in _BUCKET_EDGES or money_talk):
                    continue
                if kind == "aged" and not (groups.get("cmp") or groups.get("plus") or unit):
                    low = _days(a, unit)
                elif _is_max(groups.get("cmp")):
                    high = _days(a, unit)
                else:
                    low = _days(a, unit)
            elif kind == "than":
                if groups["cmp"] == "older":
                    low = _days(a, unit)
                else:
                    high = _days(a, unit)
            elif kind == "old":
                how = " ".join(groups["how"].split())
                if how in ("or less", "or younger", "or newer", "or under"):
                    high = _days(a, unit)
                else:
                    low = _days(a, unit)
            elif kind == "period":
                span = _period_ages(scan_today, groups["which"], groups["period"], bool(groups.get("prep")))
                if span is None:
                    continue
                low, high = span
            elif kind == "bucket":  # "medicaid 30-60": an aging bucket, said without "days"
                b = number(groups["b"])
                if money_talk or not (a < b and {a, a - 1} & (_BUCKET_EDGES | {0}) and b in _BUCKET_EDGES):
                    continue
                low, high = a, b
            elif kind == "plus":
                if unit is None and (a not in _BUCKET_EDGES or money_talk):
                    continue
                low = _days(a, unit)
            scan.take(*match.span())
    return low, high


# --------------------------------------------------------------------------- money

_AMT = (r"(?P<{g}d>\$\s*)?(?P<{g}>\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(?P<{g}c>\d{{1,2}}))?"
        r"\s*(?P<{g}k>k\b|thousand|grand|m\b|mil\b|million)?(?:\s*(?:dollars?|bucks))?")


def _amt(g: str) -> str:
    return _AMT.format(g=g)


_MONEY_MIN = (r"over|more\s+than|greater\s+than|above|at\s+least|>=|>|exceeding|bigger\s+than|larger\s+than"
              r"|higher\s+than|min(?:imum)?(?:\s+of)?|north\s+of|upwards\s+of|starting\s+at|from")
_MONEY_MAX = (r"under|less\s+than|below|at\s+most|<=|<|up\s+to|no\s+more\s+than|smaller\s+than|lower\s+than"
              r"|max(?:imum)?(?:\s+of)?|not\s+over|not\s+more\s+than|cheaper\s+than")
_MONEY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("between", re.compile(r"\b(?:between|from)\s+" + _amt("a") + r"\s*(?:and|to|-)\s*" + _amt("b"))),
    ("range", re.compile(r"(?<![\w.])" + _amt("a") + r"\s*(?:-|to)\s*" + _amt("b"))),
    ("min", re.compile(r"(?:\b|(?=[<>]))(?P<cmp>" + _MONEY_MIN + r")\s*" + _amt("a"))),
    ("max", re.compile(r"(?:\b|(?=[<>]))(?P<cmp>" + _MONEY_MAX + r")\s*" + _amt("a"))),
    ("more", re.compile(r"(?<![\w.])" + _amt("a") + r"\s*(?:\+|or\s+more|and\s+up|and\s+above|or\s+higher"
                        r"|plus|or\s+greater|or\s+over)")),
    ("less", re.compile(r"(?<![\w.])" + _amt("a") + r"\s*(?:or\s+less|and\s+under|or\s+below|or\s+under)")),
)
_WORD_AMOUNT = _rx(r"(?:(?P<cmp>" + _MONEY_MIN + "|" + _MONEY_MAX + r")\s+)(?P<n>{N})\s+"
                   r"(?P<scale>hundred|thousand|grand)(?:\s+dollars?)?\b")
_SCALE = {"k": 1000, "thousand": 1000, "grand": 1000, "m": 1_000_000, "mil": 1_000_000,
          "million": 1_000_000}


def _cents(match: re.Match[str], g: str) -> int:
    whole = int(match.group(g).replace(",", ""))
    cents = int((match.group(g + "c") or "0").ljust(2, "0"))
    scale = _SCALE.get(match.group(g + "k") or "", 1)
    return (whole * 100 + cents) * scale


def _explicit(match: re.Match[str], g: str) -> bool:
    return bool(match.group(g + "d") or match.group(g + "k") or "dollar" in match.group(0)
                or "buck" in match.group(0))


def extract_money(scan: Scan) -> tuple[int | None, int | None]:
    """(min_balance_cents, max_balance_cents): "over $1k", "more than 500", "under $250",
    "between $500 and $2,000", "$1.5k+", "$500-$1,000", "at least 2 thousand",
    "over five hundred dollars"."""
    low: int | None = None
    high: int | None = None
    for kind, pattern in _MONEY_PATTERNS:
        for match in scan.finditer(pattern):
            if kind == "range" and not (_explicit(match, "a") or _explicit(match, "b")):
                continue
            if kind in ("more", "less") and not _explicit(match, "a") and not (
                    kind == "more" and match.group(0).rstrip().endswith("+")):
                continue  # "500+" is money (aging buckets' "90+" were read as ages before)
            if kind == "min" and match.group("cmp") == "from" and not _explicit(match, "a"):
                continue
            if kind in ("between", "range"):
                low, high = sorted((_cents(match, "a"), _cents(match, "b")))
            elif kind in ("min", "more"):
                low = _cents(match, "a")
            else:
                high = _cents(match, "a")
            scan.take(*match.span())
    for match in scan.finditer(_WORD_AMOUNT):
        cents = number(match.group("n")) * (100 if match.group("scale") == "hundred" else 1000) * 100
        if _is_money_max(match.group("cmp")):
            high = cents
        else:
            low = cents
        scan.take(*match.span())
    return low, high


def _is_money_max(cmp: str) -> bool:
    return re.fullmatch(_MONEY_MAX, " ".join(cmp.split())) is not None


# --------------------------------------------------------------------------- dates

_MONTH = (r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WEEKDAY = (r"(?P<weekday>mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|weds|thu(?:r(?:s(?:day)?)?)?"
            r"|fri(?:day)?|saturday|sunday)")
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty first": 21, "twenty-second": 22,
    "twenty second": 22, "twenty-third": 23, "twenty third": 23, "twenty-fifth": 25,
    "twenty fifth": 25, "thirtieth": 30, "thirty-first": 31, "thirty first": 31, "last": -1,
}
_ORD = (r"(?P<ord>(?P<digits>\d{1,2}(?:st|nd|rd|th))|"
        + "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in _ORDINAL_WORDS), key=len,
                          reverse=True))
        + ")")
# After a word ordinal: nothing, punctuation, or a small word that does not make it a noun's
# ordinal ("on the first for Ortiz" is a date, "the first claim" is not).
_NO_NOUN = r"(?!\s+(?!(?:of|for|on|and|at|to|please|pls|then|or|if|so|with|re|about|too|thanks)\b)[a-z])"
_SPAN_UNIT = r"(?P<unit>days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?)\b(?!/)"


def _month(m: re.Match[str]) -> int:
    number = month_number(m["month"])
    assert number is not None  # the pattern only matches month names
    return number


def _ordinal(text: str) -> int:
    text = " ".join(text.split())
    return int(text[:-2]) if text[:-2].isdigit() else _ORDINAL_WORDS[text]


RECENT_DAYS = 90  # a date without a year this recent is the past one ("received 11/25")


def _month_day(today: date, month: int, day: int, year: int | None) -> date | None:
    """A calendar date; without a year the next one on or after today, unless this year's
    passed less than `RECENT_DAYS` ago: "received 11/25" the day after is yesterday, not next
    November (a follow-up that far ahead is written with its year)."""
    if year is not None and year < 100:
        year += 2000
    try:
        candidate = date(year or today.year, month, day)
    except ValueError:
        if year is None and month == 2 and day == 29:  # the next leap day
            y = today.year + 1
            while not calendar.isleap(y):
                y += 1
            return date(y, 2, 29)
        return None
    if year is None:
        if candidate < today - timedelta(days=RECENT_DAYS):
            candidate = date(today.year + 1, month, day)
        elif candidate > today:  # "12/28" on January 3rd: last year's
            last = _month_day(today.replace(month=1, day=1) - timedelta(days=1), month, day, today.year - 1)
            if last is not None and today - timedelta(days=RECENT_DAYS) <= last < today:
                candidate = last
    return candidate


def _next_day_of_month(today: date, day: int) -> date:
    """"the 15th": this month's if still ahead (or today), else next month's."""
    this = add_months(today, 0, day)
    return this if this >= today and (day == -1 or this.day == day) else add_months(today, 1, day)


def _weekday(today: date, weekday: int, qualifier: str | None) -> date:
    """"friday"/"this friday": the coming one; "next friday": the one in next week."""
    ahead = (weekday - today.weekday()) % 7
    if qualifier == "this":
        return today + timedelta(days=ahead)
    upcoming = today + timedelta(days=ahead or 7)
    if qualifier in ("next", "following") and upcoming.isocalendar()[:2] == today.isocalendar()[:2]:
        upcoming += timedelta(days=7)
    return upcoming


def _business_days(today: date, n: int) -> date:
    d = today
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def _offset(today: date, n: int, unit: str, business: bool) -> date:
    unit = unit.rstrip("s")
    if unit in ("d", "day"):
        return _business_days(today, n) if business else today + timedelta(days=n)
    if unit in ("w", "wk", "week"):
        return today + timedelta(weeks=n)
    if unit in ("mo", "month"):
        return add_months(today, n)
    return add_months(today, 12 * n)


def _period_edge(today: date, edge: str, which: str | None, period: str) -> date:
    """Start, middle or end of this/next week, month or year; a start is always ahead."""
    shift = 1 if which in ("next", "following") else 0
    if period == "week":
        monday = today - timedelta(days=today.weekday())
        if edge in ("start", "beginning"):
            return monday + timedelta(weeks=1)
        return monday + timedelta(weeks=shift, days=2 if edge in ("middle", "mid") else 4)
    if period == "month":
        if edge in ("start", "beginning"):
            return add_months(today, 1, 1)
        if edge in ("middle", "mid"):
            mid = add_months(today, shift, 15)
            return mid if mid >= today else add_months(today, 1, 15)
        return add_months(today, shift, -1)
    if edge in ("start", "beginning"):
        return date(today.year + 1, 1, 1)
    return date(today.year + shift, 7, 1) if edge in ("middle", "mid") else date(today.year + shift, 12, 31)


DateRule = tuple[re.Pattern[str], Callable[[re.Match[str], date], "date | None"]]


def _iso(m: re.Match[str], today: date) -> date | None:
    try:
        return date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


def _us(m: re.Match[str], today: date) -> date | None:
    return _month_day(today, int(m["m"]), int(m["d"]), int(m["y"]) if m["y"] else None)


def _named_month(m: re.Match[str], today: date) -> date | None:
    return _month_day(today, _month(m),
                      int(m["d"]), int(m["y"]) if m["y"] else None)


def _month_edge(m: re.Match[str], today: date) -> date | None:
    """"mid dec" the 15th, "early jan" the 1st, "end of march" its last day; the next such day."""
    month = _month(m)
    edge = m["edge"].split()[0]
    year = int(m["y"]) if m["y"] else None
    if edge in ("end", "late"):
        year = year or today.year
        last = date(year, month, calendar.monthrange(year, month)[1])
        if m["y"] is None and last < today:
            last = date(year + 1, month, calendar.monthrange(year + 1, month)[1])
        return last
    return _month_day(today, month, 15 if edge in ("mid", "middle") else 1, year)


def _ordinal_of_month(m: re.Match[str], today: date) -> date:
    day = _ordinal(m["ord"])
    which = m["which"]
    if which in ("next", "following", "coming"):
        return add_months(today, 1, day)
    if which in ("this", "current"):
        return add_months(today, 0, day)
    return _next_day_of_month(today, day)


def _edge(m: re.Match[str], today: date) -> date:
    return _period_edge(today, m["edge"], m["which"], m["period"])


def _abbreviated_edge(m: re.Match[str], today: date) -> date:
    period = {"m": "month", "w": "week", "y": "year"}[m["p"]]
    return _period_edge(today, "end", None, period)


def _word_day(m: re.Match[str], today: date) -> date:
    word = " ".join(m["w"].split()).removeprefix("the ")
    shift = {"today": 0, "tonight": 0, "eod": 0, "end of day": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1,
             "tomorow": 1, "tommorow": 1, "tommorrow": 1, "day after tomorrow": 2, "yesterday": -1}
    return today + timedelta(days=shift[word])


def _in_offset(m: re.Match[str], today: date) -> date:
    return _offset(today, number(m["n"]), m["unit"], bool(m["biz"]))


def _ago(m: re.Match[str], today: date) -> date:
    """"paid 2 weeks ago": a day in the past, however it was counted."""
    return _offset(today, -number(m["n"]), m["unit"], False)


def _weekday_rule(m: re.Match[str], today: date) -> date:
    qualifier = m["q"]
    if m["nextweek"]:
        qualifier = "next"
    return _weekday(today, _WEEKDAYS[m["weekday"][:3]], qualifier)


def _next_period(m: re.Match[str], today: date) -> date:
    period = m["period"]
    if period == "week":
        return today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    if period == "month":
        return add_months(today, 1)
    return add_months(today, 12)


def _ordinal_day(m: re.Match[str], today: date) -> date:
    return _next_day_of_month(today, _ordinal(m["ord"]))


_DATE_RULES: tuple[DateRule, ...] = (
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"), _iso),
    (re.compile(r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])"), _us),
    (re.compile(r"\b" + _MONTH + r"\s+(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{4})\b)?"),
     _named_month),
    (re.compile(r"\b(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH
                + r"(?:\b,?\s*(?P<y>\d{4})\b)?(?![a-z])"), _named_month),
    (re.compile(r"\b(?P<edge>mid|middle\s+of|early|beginning\s+of|start\s+of|end\s+of|late)[\s\-]+(?:the\s+)?"
                + _MONTH + r"(?![a-z])(?:,?\s+(?P<y>\d{4})\b)?"), _month_edge),
    (re.compile(r"\b(?:the\s+)?" + _ORD + r"\s+(?:day\s+)?of\s+(?:the\s+)?"
                r"(?P<which>next|this|following|coming|current)?\s*month\b"), _ordinal_of_month),
    (re.compile(r"\b(?:the\s+)?(?P<edge>end|start|beginning|middle|mid)(?:\s+of|-)?\s+(?:the\s+)?"
                r"(?P<which>this|next|following)?\s*(?P<period>month|week|year)\b"), _edge),
    (re.compile(r"\beo(?P<p>[mwy])\b"), _abbreviated_edge),
    (_rx(r"\b(?P<n>{N})\s+(?:(?:business|biz|bus|working|work)\.?\s+)?" + _SPAN_UNIT + r"\s+ago\b"), _ago),
    (_rx(r"\b(?P<n>{N})\s+(?P<biz>(?:business|biz|bus|working|work)\.?\s+)?" + _SPAN_UNIT
         + r"\s+(?:from\s+(?:now|today)|out|later|from\s+today)"), _in_offset),
    (re.compile(r"\b(?P<w>(?:the\s+)?day\s+after\s+tomorrow|today|tonight|eod|end\s+of\s+day|tomorrow"
                r"|tmrw|tmr|tomorow|tommorow|tommorrow|yesterday)\b"), _word_day),
    (_rx(r"\b(?:in|after|within|wait)\s+(?:about\s+|another\s+|roughly\s+)?(?P<n>{N})\s+(?:more\s+)?"
         r"(?P<biz>(?:business|biz|bus|working|work)\.?\s+)?" + _SPAN_UNIT), _in_offset),
    # "f/u in 30d", "in 2wks": digits and unit written together
    (re.compile(r"\b(?:in|after|within|wait)\s+(?P<n>\d{1,3})(?P<biz>)" + _SPAN_UNIT), _in_offset),
    (re.compile(r"\b(?:(?P<q>next|this|coming|following)\s+)?" + _WEEKDAY
                + r"(?P<nextweek>\s+(?:of\s+)?next\s+week)?\b"), _weekday_rule),
    (re.compile(r"\b(?:next|following)\s+(?P<period>week|month|year)\b"), _next_period),
    # "on the 15th"; "the last call", "the first claim" are no dates: a word ordinal may not
    # be followed by a noun
    (re.compile(r"\b(?:on\s+)?the\s+" + _ORD + r"(?![\w/])(?(digits)|" + _NO_NOUN + ")"), _ordinal_day),
    (re.compile(r"\b(?P<ord>\d{1,2}(?:st|nd|rd|th))\b"), _ordinal_day),
    (_rx(r"\b(?P<n>{N})\s+(?P<biz>(?:business|biz|bus|working|work)\.?\s+)?" + _SPAN_UNIT), _in_offset),
)


def extract_date(scan: Scan, today: date) -> date | None:
    """The first date the message names (see `extract_date_rule`)."""
    return extract_date_rule(scan, today)[0]


def extract_date_rule(scan: Scan, today: date) -> tuple[date | None, str | None]:
    """The first date the message names, relative to `today`: 2026-12-15, 12/15, Dec 15,
    the 15th, the 3rd of next month, end of month, tomorrow, Monday, next Friday, in 2 weeks,
    in 10 business days, 14 days.

    A date without a year is the next one on or after today (follow-ups look ahead), or this
    year's when that passed less than `RECENT_DAYS` ago (the caller says it is in the past).
    "next Friday" is the Friday of next week; "Friday" the coming one. Returns the date and
    the rule that read it ("offset" for a span ahead, "in 2 weeks", which a list reads as an age).
    """
    for pattern, resolve in _DATE_RULES:
        for match in scan.finditer(pattern):
            try:
                value = resolve(match, today)
            except (ValueError, OverflowError, KeyError):
                value = None
            if value is not None:
                scan.take(*match.span())
                return value, "offset" if resolve is _in_offset else resolve.__name__.lstrip("_")
    return None, None


_AROUND_A_DATE = frozenset({"on", "by", "the", "for", "til", "till", "until", "to", "at", "in", "around"})


def typed_day(text: str, today: date) -> date:
    """A date field as the command line or the chat reads it: 2026-12-15, +14, 2w, "next tues",
    "eom", "in a wk", "mid dec", "12/1". Anything else than one date is refused."""
    try:
        return parse_typed(text, today)
    except InvalidInput:
        pass
    scan = Scan(text[:100])
    day = extract_date(scan, today)
    if day is None or any(w.text not in _AROUND_A_DATE for w in scan.words()):
        raise InvalidInput(f"not a date: {text.strip()[:40]!r} (2026-12-01, 12/1, +14, 2w, next tues, eom)")
    return day


# --------------------------------------------------------------------------- deadlines

_DEADLINE_WORDS = r"(?:due|expir(?:es|ing|e)|deadlines?|runs?\s+out|running\s+out|closes?|closing)"
_DEADLINE_SPAN = _rx(r"\b" + _DEADLINE_WORDS + r"\s+(?:(?:with)?in\s+)?(?:the\s+)?(?:next\s+)?(?P<n>{N})\s*"
                     r"(?P<unit>days?|d|weeks?|wks?|w)\b(?!/)")
_DEADLINE_WORD = re.compile(r"\b" + _DEADLINE_WORDS + r"\s+(?P<when>today|tomorrow|tmrw|this\s+week"
                            r"|next\s+week|this\s+month|soon|shortly)\b")
_DEADLINE_BY = re.compile(r"\b" + _DEADLINE_WORDS + r"\s+(?:by|before|on)\s+")
SOON_DAYS = 14  # "due soon": two weeks, the span in which the ranking's deadline points rise fastest


def extract_deadline(scan: Scan, today: date) -> int | None:
    """Days until a deadline, for lists of claims whose deadline is near: "due this week" (7),
    "due in 10 days", "expiring tomorrow", "due soon" (14), "due by Friday", "deadline before
    12/15". Read before dates, so "due by Friday" is never a follow-up date."""
    for match in scan.finditer(_DEADLINE_SPAN):
        scan.take(*match.span())
        return _days(number(match.group("n")), match.group("unit"))
    for match in scan.finditer(_DEADLINE_WORD):
        when = " ".join(match.group("when").split())
        scan.take(*match.span())
        if when == "this month":
            return (add_months(today, 0, -1) - today).days
        return {"today": 0, "tomorrow": 1, "tmrw": 1, "this week": 7, "next week": 14}.get(when, SOON_DAYS)
    for match in scan.finditer(_DEADLINE_BY):
        for day, found in _dates_at(scan, match.end(), today, _DATE_RULES):
            if day >= today:
                scan.take(match.start(), found.end())
                return (day - today).days
    return None


def _dates_at(scan: Scan, at: int, today: date,
              rules: Sequence[DateRule]) -> Iterator[tuple[date, re.Match[str]]]:
    """Each date a rule reads starting at `at` (after "due by", "dos"), with its match."""
    for pattern, resolve in rules:
        found = pattern.match(scan.masked, at)
        if found is None:
            continue
        try:
            day = resolve(found, today)
        except (ValueError, OverflowError, KeyError):
            continue
        if day is not None:
            yield day, found


# --------------------------------------------------------------------------- date of service

_SERVICE_DATE = re.compile(r"\b(?:dos|d\.o\.s\.?|date\s+of\s+service|service\s+date|seen\s+on|visit\s+on"
                           r"|visit\s+of|service\s+on|claim\s+(?:from|on|of)|visit\s+from|service\s+from)\s*(?:of|on|:|=|-|was)?\s*")


def extract_service_date(scan: Scan, today: date) -> date | None:
    """A date of service: "dos 9/11", "date of service 2026-09-11", "seen on Sept 11". A date
    without a year is the latest one on or before today (services are in the past), and it is
    never a follow-up date."""
    for match in scan.finditer(_SERVICE_DATE):
        # the calendar dates only: ISO, 9/11, Sept 11, 11 Sept
        for day, found in _dates_at(scan, match.end(), today, _DATE_RULES[:4]):
            if day > today and not found.groupdict().get("y"):
                day = add_months(day, -12)
            scan.take(match.start(), found.end())
            return day
    return None


# --------------------------------------------------------------------------- codes

_GROUPED_CODE = re.compile(r"\b(?P<group>co|pr|oa|pi|cr)(?P<sep>\s*[-:/]\s*|\s+|)(?P<code>[a-z]?\d{1,3})"
                           r"(?:'?s)?\b")  # "any co-50s"
_REMARK = re.compile(r"\b(?P<code>ma\d{2,3}|m\d{1,3}|n\d{1,4})\b")
_LETTER_CARC = re.compile(r"\b(?P<code>[a-z]\d{1,2})\b")
_CUED_CARC = re.compile(r"\b(?:carc|rarc|reason\s+code|denial\s+code|adj(?:ustment)?\s+code|remark\s+code"
                        r"|code|reason)s?\s*(?:#|:)?\s*(?P<code>[a-z]{0,2}\d{1,4})\b")
_BARE_NUMBER = re.compile(r"(?<![\w$.,])(?P<code>\d{1,3})(?![\w%]|\.\d|,\d)")
_PROCEDURE = re.compile(r"\b(?P<code>\d{4}[0-9a-z]|[a-z]\d{4})\b")
_EXPLAIN_WORDS = re.compile(r"\b(?:mean|means|meaning|explain|carc|what\s+is|what's|whats|stand\s+for)\b")


@dataclass(frozen=True)
class CodeBook:
    """Which CARCs and RARCs exist (the rules' code data)."""

    is_carc: Callable[[str], bool]
    is_rarc: Callable[[str], bool]
    is_cpt: Callable[[str], bool] = lambda _code: False


def _carc_key(code: str) -> str:
    code = code.upper()
    return (code.lstrip("0") or "0") if code.isdigit() else code


def extract_codes(scan: Scan, book: CodeBook) -> list[str]:
    """CARC and RARC codes: "CO-50", "co 197", "PR2", "N115", "remark code M127", "code 16",
    a bare number when the message asks what it means ("what does 197 mean"), and CPT/HCPCS
    codes of the OT table left over by the claim ids and minutes ("what is 97110").

    Codes are checked against the code data, except a group-prefixed CARC written with a
    dash or colon ("CO-999"), which is clearly meant as a code (explain says it is unknown).
    """
    found: list[tuple[int, str]] = []

    def add(match: re.Match[str], code: str) -> None:
        found.append((match.start(), code))
        scan.take(*match.span())

    for match in scan.finditer(_GROUPED_CODE):
        code = _carc_key(match.group("code"))
        sep = match.group("sep").strip()
        if book.is_carc(code) or (sep in ("-", ":", "/") and code.isdigit()):
            add(match, f"{match.group('group').upper()}-{code}")
    for match in scan.finditer(_REMARK):
        if book.is_rarc(match.group("code").upper()):
            add(match, match.group("code").upper())
    for match in scan.finditer(_CUED_CARC):
        code = _carc_key(match.group("code"))
        if book.is_rarc(code) or book.is_carc(code):
            add(match, code)
    for match in scan.finditer(_LETTER_CARC):
        code = match.group("code").upper()
        if not code[0].isdigit() and book.is_carc(code):
            add(match, code)
    if _EXPLAIN_WORDS.search(scan.text):
        for match in scan.finditer(_BARE_NUMBER):
            code = _carc_key(match.group("code"))
            if book.is_carc(code):
                add(match, code)
    for match in scan.finditer(_PROCEDURE):
        if book.is_cpt(match.group("code").upper()):
            add(match, match.group("code").upper())
    return [code for _, code in sorted(found)]


# --------------------------------------------------------------------------- claim ids

_CLAIM_TOKEN = re.compile(r"(?<![\w$])#?(?P<id>[a-z0-9][a-z0-9_\-]*)(?![\w])")


def extract_claim_ids(scan: Scan, lookup: Callable[[Iterable[str]], dict[str, str]]) -> list[str]:
    """Claim ids the database holds, as it spells them: "20931", "ot250301a1", "#20931".

    `lookup` takes the candidate tokens as typed and returns those that are claim ids
    (exact, case-insensitive) mapped to the stored id. Only tokens with a digit are tried,
    so a number is a claim id only when such a claim exists.
    """
    candidates = [(m, scan.typed(*m.span("id"))) for m in scan.finditer(_CLAIM_TOKEN)
                  if any(ch.isdigit() for ch in m.group("id"))]
    if not candidates:
        return []
    # "OT-2511280010" for OT2511280010: a dash typed between letters and digits
    joined = {typed: typed.replace("-", "") for _, typed in candidates if "-" in typed}
    known = lookup([typed for _, typed in candidates] + list(joined.values()))
    ids: list[str] = []
    for match, typed in candidates:
        claim_id = known.get(typed) or known.get(joined.get(typed, typed))
        if claim_id is not None:
            scan.take(*match.span())
            if claim_id not in ids:
                ids.append(claim_id)
    return ids


_CLAIM_SHAPED = re.compile(r"(?<![\w$.,/:])#?(?P<id>(?=[a-z0-9\-]*\d)[a-z0-9][a-z0-9_\-]{3,})(?![\w/%])")
_YEAR = re.compile(r"(?:19|20)\d\d")


def extract_unknown_claim_ids(scan: Scan, is_account: Callable[[str], bool]) -> list[str]:
    """Tokens left over that look like claim ids (four characters or more with a digit, not a
    year, not a patient's account): "why was 99999 denied" must say there is no claim 99999,
    not act on another claim."""
    found: list[str] = []
    for match in scan.finditer(_CLAIM_SHAPED):
        if _YEAR.fullmatch(match.group("id")) or is_account(match.group("id")):
            continue
        scan.take(*match.span())
        found.append(scan.typed(*match.span("id")).upper())
    return found


# --------------------------------------------------------------------------- limit

_LIMIT = re.compile(
    r"\b(?:top|first|limit(?:\s+to)?|bottom)\s+(?P<n>\d{1,4})\b(?!\s*(?:days?|d\b|weeks?|months?|min|%|k\b|\+|/))"
    r"|\b(?:only|just|show\s+me|show|list|give\s+me)\s+(?:the\s+)?(?P<o>\d{1,4})\s+(?=claims|rows|results|items"
    r"|accounts|worst|oldest|biggest|largest|highest|newest|denials|denied)"
    r"|\b(?:the\s+)?(?<![\w\-/.$])(?P<m>\d{1,4})\s+(?:claims|rows|results|items|worst|oldest|biggest|largest"
    r"|highest|newest)\b"
)


def extract_limit(scan: Scan) -> int | None:
    """How many rows: "top 10", "first 5", "limit 20", "20 claims", "the 5 oldest"."""
    for match in scan.finditer(_LIMIT):
        group = next(g for g in ("n", "o", "m") if match.group(g))
        value = int(match.group(group))
        if value <= 0:
            continue
        scan.take(match.start(), match.end(group))
        return value
    return None


# --------------------------------------------------------------------------- templates

_TEMPLATE = re.compile(
    r"\b(?:with|using|use|via|on|from|per)\s+(?:the\s+|a\s+|an\s+|our\s+)?(?P<a>[a-z][a-z_ \-]{1,40}?)\s+"
    r"(?:template|letter|form)\b"
    r"|\btemplates?\s*[:=]?\s*(?P<b>[a-z][a-z_\-]*)"
    r"|\b(?P<c>[a-z][a-z_\-]*)\s+(?:template|letter)\b"
)


_APPEAL_WORDS = re.compile(r"\b(?:appeal|letter|reconsideration|redetermination|draft)\b")


def extract_template(scan: Scan, resolve: Callable[[str], str | None],
                     names: Collection[str] = ()) -> str | None:
    """An appeal-letter template named in the message: "with the maintenance template",
    "template: medical_necessity", "use the timely filing letter", or a template's full
    name in a message about an appeal ("appeal it with medicare redetermination")."""
    for match in scan.finditer(_TEMPLATE):
        words = next(g for g in (match.group("a"), match.group("b"), match.group("c")) if g)
        name = resolve(words)
        if name is not None:
            scan.take(*match.span())
            return name
    if _APPEAL_WORDS.search(scan.masked):
        for name in sorted(names, key=len, reverse=True):
            pattern = re.compile(r"\b" + r"[\s_\-]+".join(map(re.escape, name.split("_"))) + r"\b")
            for match in scan.finditer(pattern):
                scan.take(*match.span())
                return name
    return None


# --------------------------------------------------------------------------- phrases


@dataclass(frozen=True)
class PhraseHit:
    value: str
    phrase: str
    start: int
    end: int


def match_phrases(scan: Scan, table: Mapping[str, str], *, spelling: Mapping[str, str] | None = None,
                  longest: int = 6, take: bool = True, bridge: bool = False) -> list[PhraseHit]:
    """Phrases of `table` (normalised, space-separated) found as whole words, longest first,
    left to right; `spelling` maps mistyped words to the words meant; with `bridge` a
    phrase's words may have taken text between them ("get 20934 paid"). With `take` the
    phrases' words are masked (only the words: what lies between stays as it was)."""
    spelling = spelling or {}
    words = scan.words()
    hits: list[PhraseHit] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            run = words[i:i + size]
            if any(not (w.bridged if bridge else w.joined) for w in run[1:]):
                continue
            phrase = " ".join(spelling.get(w.text, w.text) for w in run)
            value = table.get(phrase)
            if value is not None:
                hits.append(PhraseHit(value, phrase, run[0].start, run[-1].end))
                if take:
                    for w in run:
                        scan.take(w.start, w.end)
                i += size
                break
        else:
            i += 1
    return hits
