"""Shared pieces of the fuzz tests: how many inputs to try, counting them, and strategies that
start from real files and break them the way payers' and PM systems' files break.

`AR_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz_*.py` tries 5,000 inputs per target
(the default keeps each target to a few seconds). Runs are derandomized (the same inputs on
every run) unless `AR_FUZZ_RANDOM=1`. With `AR_FUZZ_REPORT=FILE` each target appends a line
"target inputs" to FILE.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from assistant.errors import AssistantError


def examples(default: int) -> int:
    return int(os.environ.get("AR_FUZZ_EXAMPLES", default))


def fuzz_settings(default: int) -> settings:
    return settings(
        max_examples=examples(default), deadline=None, database=None,
        derandomize=not os.environ.get("AR_FUZZ_RANDOM"),
        suppress_health_check=list(HealthCheck), print_blob=True,
    )


@dataclass
class Tally:
    """Inputs tried and how they ended, for the test to assert and the report to show."""

    target: str
    tried: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.tried += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def report(self) -> None:
        path = os.environ.get("AR_FUZZ_REPORT")
        if path:
            with Path(path).open("a", encoding="utf-8") as fh:
                fh.write(f"{self.target} {self.tried} {sorted(self.outcomes.items())}\n")


def assert_clear(exc: AssistantError, *forbidden: str) -> None:
    """The program's own error: one line, not empty, quoting none of the `forbidden` strings."""
    message = str(exc)
    assert message.strip(), "empty error message"
    assert "\n" not in message and "\r" not in message, f"multi-line error: {message!r}"
    assert "Traceback" not in message
    for text in forbidden:
        assert text not in message, f"error message quotes {text!r}: {message!r}"


def outcome_of(run: Callable[[], Any], tally: Tally, *forbidden: str) -> Any:
    """Run one input: a result, or an AssistantError that is clear; anything else fails the test."""
    try:
        result = run()
    except AssistantError as exc:
        assert_clear(exc, *forbidden)
        tally.count(type(exc).__name__)
        return None
    tally.count("result")
    return result


# --------------------------------------------------------------------------- text and files

NASTY = ["", " ", "0", "-1", "00000000", "99999999999999999999", "1e309", "nan", "-0.00", "1,234.56",
         "$-5", "(12.00)", "20261301", "20260230", "2026-02-30", "13/45/2026", "\x00", "\ufeff", "é",
         "🦷", "~", "*", ":", "^", "\\", "'", '"', "\n", "\r\n", "NULL", "None", "true", "[]", "{}",
         "A" * 300]


def cell() -> st.SearchStrategy[str]:
    """A value a broken export might hold."""
    return st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                     st.from_regex(r"-?\$?\(?[0-9]{0,7}(,[0-9]{3})*(\.[0-9]{0,3})?\)?", fullmatch=True),
                     st.from_regex(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}", fullmatch=True),
                     st.from_regex(r"9[0-9]{4}(-[A-Z0-9]{2})?", fullmatch=True))


@st.composite
def mutated_text(draw: st.DrawFn, seeds: Sequence[str], separator: str = "\n") -> str:
    """A seed file broken by a few edits: parts dropped, repeated, swapped or replaced, text
    inserted, the file cut short."""
    parts = draw(st.sampled_from(seeds)).split(separator)
    for _ in range(draw(st.integers(0, 6))):
        if not parts:
            parts = [""]
        i = draw(st.integers(0, len(parts) - 1))
        edit = draw(st.sampled_from(["drop", "repeat", "swap", "replace", "insert", "edit"]))
        if edit == "drop":
            del parts[i]
        elif edit == "repeat":
            parts.insert(i, parts[i])
        elif edit == "swap":
            j = draw(st.integers(0, len(parts) - 1))
            parts[i], parts[j] = parts[j], parts[i]
        elif edit == "replace":
            parts[i] = draw(cell())
        elif edit == "insert":
            parts.insert(i, draw(st.text(max_size=60)))
        else:
            part = parts[i]
            at = draw(st.integers(0, len(part)))
            parts[i] = part[:at] + draw(cell()) + part[at + draw(st.integers(0, 3)):]
    text = separator.join(parts)
    if draw(st.booleans()) and draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


@st.composite
def mutated_x12(draw: st.DrawFn, seeds: Sequence[str]) -> bytes:
    """An X12 file broken at the element level: segments dropped, repeated, swapped; elements
    replaced with nasty values; separators changed; the file cut; bytes that are not text."""
    seed = draw(st.sampled_from(seeds))
    terminator = "~"
    segments = [s for s in seed.split(terminator)]
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, max(len(segments) - 1, 0)))
        edit = draw(st.sampled_from(["drop", "repeat", "swap", "element", "element", "element", "truncate"]))
        if not segments:
            segments = [""]
        if edit == "drop":
            del segments[i]
        elif edit == "repeat":
            segments.insert(i, segments[i])
        elif edit == "swap":
            j = draw(st.integers(0, len(segments) - 1))
            segments[i], segments[j] = segments[j], segments[i]
        elif edit == "truncate":
            segments[i] = segments[i][: draw(st.integers(0, len(segments[i])))]
        else:
            elements = segments[i].split("*")
            k = draw(st.integers(0, len(elements)))
            value = draw(cell())
            if k == len(elements):
                elements.append(value)
            else:
                elements[k] = value
            segments[i] = "*".join(elements)
    text = terminator.join(segments)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=12)) + data[at:]
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def write_bytes(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- TOML

def toml_value(value: object) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def toml_text(tables: dict[str, dict[str, object]], top: dict[str, object] | None = None,
              arrays: dict[str, list[dict[str, object]]] | None = None) -> str:
    """A TOML document: top-level keys, [tables] and [[arrays of tables]]."""
    import json

    def key(name: str) -> str:
        return name if name.replace("_", "").replace("-", "").isalnum() and name.isascii() else json.dumps(name)

    lines = [f"{key(k)} = {toml_value(v)}" for k, v in (top or {}).items()]
    for name, body in tables.items():
        lines.append(f"[{key(name)}]")
        lines += [f"{key(k)} = {toml_value(v)}" for k, v in body.items()]
    for name, items in (arrays or {}).items():
        for body in items:
            lines.append(f"[[{key(name)}]]")
            lines += [f"{key(k)} = {toml_value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


def toml_scalar() -> st.SearchStrategy[object]:
    return st.one_of(cell(), st.integers(-10**6, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                     st.booleans())


def toml_values() -> st.SearchStrategy[object]:
    return st.one_of(toml_scalar(), st.lists(toml_scalar(), max_size=4))


def toml_body(keys: Sequence[str]) -> st.SearchStrategy[dict[str, object]]:
    """A table with some of the known `keys` (and now and then an unknown one), any values."""
    return st.dictionaries(st.one_of(st.sampled_from(list(keys)), st.text(min_size=1, max_size=12)),
                           toml_values(), max_size=len(keys) + 1)
