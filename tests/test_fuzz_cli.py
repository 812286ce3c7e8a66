"""The command line given bad input: one `error:` line and exit 1, never a traceback.

A table of the ways people mistype commands, and hypothesis over the free-text arguments
(dates, codes, names, statuses, worklist names). Commands run in-process through the real
entry point against a database of synthetic claims.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.services import Services
from tests import synthetic as syn
from tests.fuzzing import Tally, examples, fuzz_settings

CLAIM = syn.claim_id("SYN", 1)
PHI = (*syn.LAST_NAMES, syn.FIRST_NAME, syn.BIRTH_DATE.isoformat(), syn.member_id(1))


@pytest.fixture
def db(services: Services, tmp_path: Path) -> str:
    source = tmp_path / "batch.837"
    source.write_text(syn.x837(12))
    assert services.import_paths("837", [source])[0].status == "imported"
    return str(services.locations.db)


def one_error_line(result, *forbidden: str) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for text in forbidden:
        assert text not in result.stderr + result.stdout
    return lines[0]


MISTAKES = [
    ("claim", "NOPE"), ("history", "NOPE"), ("note", "NOPE", "called"), ("assign", "NOPE", "me"),
    ("status", CLAIM, "bogus"), ("status", CLAIM, "written_off"), ("status", CLAIM, "in_progress", "--follow-up", "1999-01-01"),
    ("follow-up", CLAIM, "next blue moon"), ("follow-up", CLAIM, "2020-01-01"), ("follow-up", CLAIM, "02/30/2027"),
    ("note", CLAIM, ""), ("note", CLAIM, "x" * 5000), ("note", CLAIM, "ok", "--promised", "soonish"),
    ("note", CLAIM, "ok", "--expect-version", "99"), ("status", CLAIM, "closed", "--expect-version", "-1"),
    ("worklist", "nope"), ("worklist", "--limit", "-3"), ("bulk", "status", "in_progress", "--claims", "NOPE,ALSO"),
    ("bulk", "explode", "x", "--claims", CLAIM), ("bulk", "status", "written_off", "--claims", CLAIM),
    ("claims", "--status", "bogus"), ("claims", "--limit", "x"), ("next", "NOPE"), ("check", "NOPE"),
    ("explain",), ("units", "97110"), ("units", "97110=abc"), ("units", "97110=-5"), ("units", "=5"),
    ("appeal", "NOPE"), ("appeal", CLAIM, "--template", "../../etc/passwd"), ("appeal-sent", CLAIM, "--via", "pigeon"),
    ("appeal-decided", CLAIM, "maybe"), ("unmatched", "999"), ("unmatched", "999", "--post-to", CLAIM),
    ("restore", "/nonexistent/backup.db", "--yes"), ("backup", "/nonexistent/folder/x.db"),
    ("--today", "2026-13-01", "claims"), ("--today", "yesterday-ish", "worklist"), ("nosuchcommand",),
    ("claims", "--no-such-option"), ("import", "837"), ("import", "nosuchkind", "x"),
]


@pytest.mark.parametrize("args", MISTAKES, ids=lambda a: " ".join(a)[:40])
def test_a_mistake_is_one_error_line_and_exit_1(run_cli, db: str, args: tuple[str, ...]) -> None:
    one_error_line(run_cli("--db", db, *args), *PHI)


def test_a_missing_database_is_one_error_line(run_cli, tmp_path: Path) -> None:
    line = one_error_line(run_cli("--db", str(tmp_path / "none.db"), "claims"))
    assert "ar-assistant init" in line


def test_a_bad_file_is_rejected_on_one_line_and_exit_1(run_cli, db: str, tmp_path: Path) -> None:
    bad = tmp_path / "broken.837"
    bad.write_bytes(b"ISA*00*" + bytes(range(256)))
    for kind in ("837", "835", "csv", "notes", "settings", "auths"):
        files = [str(bad)] if kind == "settings" else [str(bad), str(tmp_path / "missing.file")]
        result = run_cli("--db", db, "import", kind, *files)
        assert result.exit_code == 1 and "Traceback" not in result.stderr + result.stdout
        rejected = result.stderr.splitlines()
        assert len(rejected) == len(files) and all(line.startswith("error: ") for line in rejected), (
            kind, result.stderr)


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
COMMANDS = st.one_of(
    st.tuples(st.just("follow-up"), st.just(CLAIM), TEXT),
    st.tuples(st.just("note"), st.just(CLAIM), st.just("called"), st.just("--promised"), TEXT),
    st.tuples(st.just("note"), st.just(CLAIM), TEXT),
    st.tuples(st.just("status"), st.just(CLAIM), TEXT),
    st.tuples(st.just("assign"), st.sampled_from([CLAIM, "NOPE"]), TEXT),
    st.tuples(st.just("explain"), TEXT),
    st.tuples(st.just("units"), TEXT),
    st.tuples(st.just("worklist"), TEXT),
    st.tuples(st.just("claim"), TEXT),
    st.tuples(st.just("claims"), st.sampled_from(["--payer", "--status", "--work-status"]), TEXT),
    st.tuples(st.just("--today"), TEXT, st.just("aging")),
    st.tuples(st.just("bulk"), st.just("follow-up"), TEXT, st.just("--claims"), TEXT),
)


def test_any_argument_text_gives_an_answer_or_one_error_line(run_cli, db: str) -> None:
    tally = Tally("CLI arguments (follow-up, note, status, assign, explain, units, worklist, claim, claims, aging, bulk)")

    @fuzz_settings(250)
    @given(COMMANDS)
    def run(args: tuple[str, ...]) -> None:
        result = run_cli("--db", db, *args)
        if result.exit_code == 0:
            assert result.stderr == "", result.stderr
            tally.count("answer")
        else:
            one_error_line(result, *PHI)
            tally.count("error")

    run()
    tally.report()
    assert tally.tried >= examples(250)
    assert tally.outcomes.get("answer", 0) > 0 and tally.outcomes.get("error", 0) > 0
