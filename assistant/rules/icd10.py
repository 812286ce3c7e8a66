"""ICD-10-CM codes: billable, a category that needs more characters, or unknown (data/icd10cm.toml).

The table is read on the first diagnosis checked (about 75,000 codes, a few tens of
milliseconds) and kept for the process.
"""

from __future__ import annotations

import gzip
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from assistant.errors import ConfigError
from assistant.paths import package_data
from assistant.rules.codes import load_data


class CodeStatus(StrEnum):
    BILLABLE = "billable"
    HEADER = "header"  # a category or subcategory: billable codes extend it
    UNKNOWN = "unknown"


def compact(code: str) -> str:
    """'m62.81 ' -> 'M6281': codes are compared without the dot."""
    return code.replace(".", "").strip().upper()


def dotted(code: str) -> str:
    """'M6281' -> 'M62.81', as a code is written in a chart."""
    code = compact(code)
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


@dataclass(frozen=True)
class CodeTable:
    release: str
    effective_from: date
    effective_through: date
    billable: tuple[str, ...]  # sorted
    headers: frozenset[str]  # every proper prefix (3 characters or more) of a billable code

    def status(self, code: str) -> CodeStatus:
        code = compact(code)
        if code in self.headers:
            return CodeStatus.HEADER
        i = bisect_left(self.billable, code)
        if i < len(self.billable) and self.billable[i] == code:
            return CodeStatus.BILLABLE
        return CodeStatus.UNKNOWN

    def completions(self, code: str) -> list[str]:
        """The billable codes that extend a category, in order."""
        code = compact(code)
        out = []
        for candidate in self.billable[bisect_left(self.billable, code):]:
            if not candidate.startswith(code):
                break
            out.append(candidate)
        return out

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day <= self.effective_through


@cache
def code_table() -> CodeTable:
    meta = load_data("icd10cm.toml")["release"]
    path = package_data(meta["file"])
    try:
        text = gzip.decompress(path.read_bytes()).decode("ascii")
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise ConfigError(f"{path.name}: cannot be read ({exc})") from None
    codes = []
    for line in text.splitlines():
        category, *rests = line.split()
        codes.extend([category + rest for rest in rests] or [category])
    codes.sort()
    headers = frozenset(code[:i] for code in codes for i in range(3, len(code)))
    return CodeTable(meta["name"], meta["effective_from"], meta["effective_through"], tuple(codes), headers)
