"""Build assistant/data/icd10cm_codes.txt.gz, the billable ICD-10-CM codes behind rule `icd10-format`.

Input: a list of ICD-10-CM codes, one per line, the code first (CMS's `icd10cm-codes-YYYY.txt`,
which lists the billable codes with their descriptions, or a code list that also holds
chapters, blocks and categories, such as `code-list-<release>.txt` of the simple-icd-10-cm
package). Ranges ("A00-A09") and chapter numbers are skipped; a code is billable when no
other listed code extends it. Update `assistant/data/icd10cm.toml` (release, dates, count)
with the output.

    python tools/build_icd10cm.py code-list-April-2026.txt assistant/data/icd10cm_codes.txt.gz
"""

from __future__ import annotations

import gzip
import re
import sys
from collections import defaultdict
from pathlib import Path

_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")


def billable(lines: list[str]) -> list[str]:
    firsts = (line.split()[0].replace(".", "").upper() for line in lines if line.strip())
    codes = {code for code in firsts if _CODE.match(code)}
    prefixes = {code[:i] for code in codes for i in range(3, len(code))}
    return sorted(codes - prefixes)


def encode(codes: list[str]) -> str:
    """One line per 3-character category: the category, then what follows it in each billable
    code (nothing when the category itself is billable)."""
    by_category: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        by_category[code[:3]].append(code[3:])
    return "".join(f"{' '.join([category, *rests]).rstrip()}\n"
                   for category, rests in sorted(by_category.items()))


def main(source: str, target: str) -> None:
    codes = billable(Path(source).read_text(encoding="utf-8", errors="replace").splitlines())
    Path(target).write_bytes(gzip.compress(encode(codes).encode("ascii"), compresslevel=9, mtime=0))
    print(f"{len(codes)} billable codes -> {target}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
