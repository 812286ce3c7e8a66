"""Throughput of the 837P importer: generate N synthetic claims, parse them, import them.

    python bench/bench_837.py [CLAIMS]     (default 20000)

Writes a throwaway file and database under a temporary folder and prints claims per
second for parsing alone and for parse + write (one transaction, as `import 837` does).
Everything generated is synthetic.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.importers.x837 import parse_837
from assistant.ingest import import_file
from assistant.storage import open_database

CLAIMS_PER_SET = 5000  # the TR3's suggested ceiling per ST-SE
PATIENTS = 2000
LINES = (("97530", "GO", 150, 2), ("97110", "GO", 90, 1), ("97535", "GO", 75, 1))


def claim_segments(n: int) -> list[str]:
    patient = n % PATIENTS
    day = 1 + n % 28
    lines = LINES[: 1 + n % 3]
    total = sum(charge for _, _, charge, _ in lines)
    segments = [
        "HL*{hl}*1*22*0", "SBR*P*18*******MB",
        f"NM1*IL*1*PATIENT{patient}*TEST****MI*MBI{patient:08d}",
        "DMG*D8*19500101*F", "NM1*PR*2*MEDICARE PART B*****PI*01112",
        f"CLM*BENCH{n:07d}*{total}***11:B:1*Y*A*Y*Y", "HI*ABK:M6281*ABF:Z9181",
        "NM1*82*1*OKAFOR*DANA****XX*1234567893", "PRV*PE*PXC*225X00000X",
    ]
    for number, (code, modifier, charge, units) in enumerate(lines, 1):
        segments += [f"LX*{number}", f"SV1*HC:{code}:{modifier}*{charge}*UN*{units}***1",
                     f"DTP*472*D8*202610{day:02d}", f"REF*6R*BENCH{n:07d}L{number}"]
    return segments


def generate(path: Path, claims: int) -> None:
    out = ["ISA*00*          *00*          *ZZ*BENCH          *ZZ*CLEARINGHOUSE  *261120*0930*^*00501*000000001*0*T*:",
           "GS*HC*BENCH*CLEARINGHOUSE*20261120*0930*1*X*005010X222A1"]
    sets = 0
    for start in range(0, claims, CLAIMS_PER_SET):
        sets += 1
        body = ["BHT*0019*00*BENCH*20261120*0930*CH", "NM1*41*2*BENCH CLINIC*****46*B1", "PER*IC*X*TE*5035550100",
                "NM1*40*2*CLEARINGHOUSE*****46*C1", "HL*1**20*1", "NM1*85*2*BENCH CLINIC*****XX*1333333338",
                "N3*1 MAIN ST", "N4*PORTLAND*OR*972041234", "REF*EI*931234567"]
        hl = 1
        for n in range(start, min(start + CLAIMS_PER_SET, claims)):
            hl += 1
            body += [s.replace("{hl}", str(hl)) for s in claim_segments(n)]
        control = f"{sets:04d}"
        out += [f"ST*837*{control}*005010X222A1", *body, f"SE*{len(body) + 2}*{control}"]
    out += [f"GE*{sets}*1", "IEA*1*000000001"]
    path.write_text("~\n".join(out) + "~\n")


def main() -> None:
    claims = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "bench.837"
        generate(source, claims)
        size = source.stat().st_size / 1e6
        started = time.perf_counter()
        batch = parse_837(source)
        parsed = time.perf_counter() - started
        assert len(batch.claims) == claims and not batch.warnings, batch.warnings[:3]
        conn = open_database(Path(folder) / "bench.db", create=True)
        started = time.perf_counter()
        result = import_file(conn, source, "837", parse_837, "bench")
        imported = time.perf_counter() - started
        assert result.status == "imported" and result.created == claims, result
        lines = sum(len(c.lines) for c in batch.claims)
        print(f"{claims} claims, {lines} lines, {size:.1f} MB")
        print(f"parse only:     {parsed:6.2f} s  {claims / parsed:8.0f} claims/s")
        print(f"parse + import: {imported:6.2f} s  {claims / imported:8.0f} claims/s")
        conn.close()


if __name__ == "__main__":
    main()
