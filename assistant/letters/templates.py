"""Letter templates: Jinja2 files in the practice's folder first, the shipped ones second.

A template is `NAME.j2` in one of `Locations.templates_dirs`; a practice file of the same
name replaces the shipped one. Files starting with `_` are shared parts (the letter frame
`_letter.j2`), never offered as letters. Each letter opens with a metadata header in a
Jinja comment, so the file stays a valid template:

    {#---
    title = "Medical necessity"
    categories = ["medical_necessity"]
    level = 1                       # or "any"
    evidence = ["daily_note", "plan_of_care"]   # what assistant.letters.evidence checks
    evidence_profile = "medical_necessity"      # which terms find its excerpts
    description = "..."
    ---#}

Rendering is strict: a variable the context lacks is an error naming the variable, the
template and the line, never a silent blank in a letter that goes to a payer.
"""

from __future__ import annotations

import re
import tomllib
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError, NotFound
from assistant.letters.markup import MarkupText, escape_inline
from assistant.money import fmt

SUFFIX = ".j2"
_HEADER = re.compile(r"\A\{#-*[ \t]*\n(?P<body>.*?)\n[ \t]*-*#\}", re.DOTALL)
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class TemplateInfo:
    """A template's metadata header, and where the file is."""

    name: str
    title: str
    categories: tuple[str, ...]
    level: int | None  # None: any level
    evidence: tuple[str, ...]
    evidence_profile: str  # "argument": quote for the category letter this one extends
    description: str
    appeal: bool  # False: not an appeal (a corrected-claim cover letter), never put in a request form
    quotes: bool  # False: the letter quotes no therapy notes (timely filing, coordination of benefits)
    path: Path
    practice: bool  # the practice's own file (overrides a shipped one of the same name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "title": self.title, "categories": list(self.categories),
            "level": self.level, "evidence": list(self.evidence),
            "evidence_profile": self.evidence_profile, "description": self.description,
            "appeal": self.appeal, "quotes": self.quotes, "path": str(self.path), "practice": self.practice,
        }


def read_header(path: Path, text: str) -> dict[str, Any]:
    """The metadata header of a template file; a broken one names its file and line."""
    match = _HEADER.match(text)
    if match is None:
        raise ConfigError(f"{path}: line 1: no metadata header ({{#--- ... ---#}}) at the top")
    try:
        return tomllib.loads(match.group("body"))
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = int(found.group(1)) + 1 if found else 1
        reason = _TOML_LINE.sub("", str(exc)).strip(" ()")
        raise ConfigError(f"{path}: line {line}: metadata header: {reason}") from None


def _info(name: str, path: Path, practice: bool) -> TemplateInfo:
    meta = read_header(path, path.read_text(encoding="utf-8"))
    level = meta.get("level", "any")
    if level != "any" and not isinstance(level, int):
        raise ConfigError(f"{path}: metadata header: level must be a number or \"any\"")

    def strings(key: str) -> tuple[str, ...]:
        value = meta.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: metadata header: {key} must be a list of names")
        return tuple(value)

    return TemplateInfo(
        name=name,
        title=str(meta.get("title", name.replace("_", " "))),
        categories=strings("categories"),
        level=None if level == "any" else level,
        evidence=strings("evidence"),
        evidence_profile=str(meta.get("evidence_profile", "service_record")),
        description=str(meta.get("description", "")),
        appeal=bool(meta.get("appeal", True)),
        quotes=bool(meta.get("quotes", True)),
        path=path,
        practice=practice,
    )


def _long_date(value: date | None) -> str:
    return f"{value:%B} {value.day}, {value.year}" if value else ""


def _short_date(value: date | None) -> str:
    return f"{value:%m/%d/%Y}" if value else ""


def _money(cents: int | None) -> str:
    return fmt(cents) if cents is not None else ""


def _counted(count: float | int | None, noun: str, plural: str | None = None) -> str:
    """A number with its noun in the right number: 1 unit, 2 units, 1.5 units."""
    if count is None:
        return ""
    number = f"{count:g}" if isinstance(count, float) else str(count)
    return f"{number} {noun if count == 1 else (plural or noun + 's')}"


def _quote(excerpt: Mapping[str, Any]) -> MarkupText:
    """An excerpt as a quotation block citing its document, date and author."""
    return MarkupText(f"> {escape_inline(excerpt['text'])}\n> -- {escape_inline(excerpt['cite'])}\n")


def _table(rows: Sequence[Sequence[object]], header: Sequence[str],
           right: Sequence[int] = ()) -> MarkupText:
    """Rows as a markup table; `right` lists the columns to right-align (amounts)."""
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    out = ["| " + " | ".join(escape_inline(h) for h in header) + " |", "| " + " | ".join(rule) + " |"]
    out += ["| " + " | ".join(escape_inline(c) or " " for c in row) + " |" for row in rows]
    return MarkupText("\n".join(out) + "\n")


def _service_table(lines: Sequence[Mapping[str, Any]]) -> MarkupText:
    """The claim's service lines: date, code, modifiers, units, minutes, billed, denial codes."""
    rows = [
        (_short_date(line["date"]), line["code"], line["modifier_text"], line["units_text"],
         "" if line["minutes"] is None else line["minutes"], _money(line["charge_cents"]),
         ", ".join(line["codes"]))
        for line in lines
    ]
    return _table(rows, ["Date", "Code", "Modifiers", "Units", "Minutes", "Billed", "Denial"],
                  right=(3, 4, 5))


def _finalize(value: object) -> str:
    return value if isinstance(value, MarkupText) else escape_inline(value)


def _located(exc: BaseException, fallback: str) -> tuple[str, int | None]:
    """The innermost template file and line of a rendering error (Jinja rewrites frames)."""
    where: tuple[str, int | None] = (fallback, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(SUFFIX):
            where = (frame.filename, frame.lineno)
    return where


def _source(file: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _variable(exc: Exception, file: str, line: int | None) -> str | None:
    """The variable an UndefinedError is about, as the template spells it (`claim.foo`).

    None when the template does not spell it: a key looked up with a value from the letter's
    data (`{}[patient.name]`) would otherwise put that value in the message.
    """
    message = str(exc)
    source = _source(file)
    plain = re.match(r"'([^']+)' is undefined", message)
    if plain:
        return plain.group(1) if plain.group(1) in source else None
    attr = re.search(r"has no attribute '([^']+)'", message)
    if attr is None:
        return None
    name = attr.group(1)
    if line is not None:
        lines = source.splitlines()
        text = lines[line - 1] if line <= len(lines) else ""
        spelled = re.search(rf"[A-Za-z_][\w.]*\.{re.escape(name)}\b", text)
        if spelled:
            return spelled.group(0)
    return name if re.search(rf"\b{re.escape(name)}\b", source) else None


_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_TYPE_NAMES = frozenset({
    "str", "int", "float", "bool", "list", "dict", "tuple", "set", "NoneType", "bytes", "Decimal",
    "date", "datetime", "datetime.date", "datetime.datetime", "MarkupText", "Undefined",
    "StrictUndefined", "generator", "function", "method", "builtin_function_or_method", "range",
})


def _plain_reason(exc: BaseException, file: str) -> str:
    """The error's type, with its message only when every value it quotes is a type name or
    spelled in the template: messages quote the values they choke on, and a letter's values
    are a patient's name, birth date and member id."""
    message = " ".join(str(exc).split())
    source = _source(file)
    for match in _QUOTED.finditer(message):
        quoted = match.group(1) if match.group(1) is not None else match.group(2)
        harmless = quoted in _TYPE_NAMES or re.fullmatch(r"[^\w\s]{1,3}", quoted)  # an operator
        if quoted and not harmless and quoted not in source:
            return type(exc).__name__
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}")


def keep_line_breaks(source: str) -> str:
    """Keep the line break after a block tag that ends a line of text.

    `trim_blocks` makes a line holding only `{% if %}` vanish, as template authors expect,
    but it also eats the line break after `text{% endif %}`, gluing two lines of markup
    together. Such tags get Jinja's `+%}`, which keeps the break; line numbers stay put.
    """
    out = []
    for line in source.split("\n"):
        stripped = line.rstrip()
        ends_with_tag = stripped.endswith("%}") and not stripped.endswith(("-%}", "+%}"))
        if ends_with_tag and _TAG.sub("", stripped).strip():
            line = stripped[:-2] + "+%}" + line[len(stripped):]
        out.append(line)
    return "\n".join(out)


class LetterTemplates:
    """The layered template set: one Jinja environment over the practice and shipped folders."""

    def __init__(self, dirs: Sequence[Path]) -> None:
        self.dirs = [Path(d) for d in dirs]
        self._infos: dict[str, TemplateInfo] = {}

    @cached_property
    def env(self) -> Any:
        from jinja2 import FileSystemLoader, StrictUndefined
        from jinja2.ext import Extension
        from jinja2.sandbox import SandboxedEnvironment

        class LineBreaks(Extension):
            def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
                return keep_line_breaks(source)

        # Sandboxed: a practice's template is code the practice edits; it may not reach Python's
        # internals or ask for a billion-item range (found by fuzzing: memory ran out).
        env = SandboxedEnvironment(
            extensions=[LineBreaks],
            loader=FileSystemLoader([str(d) for d in self.dirs]),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=_finalize,
            auto_reload=False,
        )
        filters: dict[str, Callable[..., Any]] = {
            "longdate": _long_date, "mdy": _short_date, "money": _money,
            "quote": _quote, "table": _table, "service_table": _service_table,
            "counted": _counted,
        }
        env.filters.update(filters)
        env.globals["raw"] = MarkupText
        return env

    def _locate(self, name: str) -> tuple[Path, bool]:
        for i, folder in enumerate(self.dirs):
            path = folder / f"{name}{SUFFIX}"
            if path.is_file():
                return path, i < len(self.dirs) - 1
        raise NotFound(f"no letter template {name!r}; `ar-assistant appeal-templates` lists them")

    def names(self) -> list[str]:
        found: set[str] = set()
        for folder in self.dirs:
            if folder.is_dir():
                found.update(p.name[: -len(SUFFIX)] for p in folder.glob(f"*{SUFFIX}")
                             if not p.name.startswith("_"))
        return sorted(found)

    def info(self, name: str) -> TemplateInfo:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name):
            raise NotFound(f"no letter template {name!r}; names are letters, digits, _ and -")
        if name not in self._infos:
            path, practice = self._locate(name)
            self._infos[name] = _info(name, path, practice)
        return self._infos[name]

    def all(self) -> list[TemplateInfo]:
        return [self.info(name) for name in self.names()]

    def compile(self, name: str) -> Any:
        """The compiled template; syntax errors name the file and line."""
        from jinja2 import TemplateNotFound, TemplateSyntaxError

        self._locate(name)
        try:
            return self.env.get_template(f"{name}{SUFFIX}")
        except TemplateSyntaxError as exc:
            raise ConfigError(f"{exc.filename or name}: line {exc.lineno}: {exc.message}") from None
        except TemplateNotFound as exc:
            raise ConfigError(f"template {name}: includes or extends a missing template "
                              f"{exc.name!r}") from None

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render to markup; any failure is a ConfigError naming template, file and line."""
        from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError

        template = self.compile(name)
        try:
            return str(template.render(context))
        except UndefinedError as exc:
            file, line = _located(exc, f"{name}{SUFFIX}")
            where = f"{file}: line {line}" if line else file
            variable = _variable(exc, file, line)
            what = (f"variable {variable!r} is not defined" if variable else
                    "looks up a key or attribute the letter's data does not have")
            raise ConfigError(f"template {name} ({where}): {what}") from None
        except TemplateSyntaxError as exc:
            raise ConfigError(f"{exc.filename or name}: line {exc.lineno}: {exc.message}") from None
        except TemplateNotFound as exc:
            file, line = _located(exc, f"{name}{SUFFIX}")
            raise ConfigError(f"template {name} ({file}: line {line}): missing template "
                              f"{exc.name!r}") from None
        except RecursionError:
            raise ConfigError(f"template {name}: recurses without end") from None
        except (MemoryError, OverflowError) as exc:
            raise ConfigError(f"template {name}: asks for more than the machine can give "
                              f"({type(exc).__name__})") from None
        except Exception as exc:  # the template is the practice's code: any error is theirs to fix
            file, line = _located(exc, f"{name}{SUFFIX}")
            where = f"{file}: line {line}" if line else file
            raise ConfigError(f"template {name} ({where}): {_plain_reason(exc, file)}") from None
