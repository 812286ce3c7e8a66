"""Bad input everywhere: every reader gives a result or its own clear error, never a traceback.

Inputs start from real files (synthetic 837P and 835, the CSV, notes and settings fixtures)
and are broken by hypothesis: segments and lines dropped, repeated, swapped and cut, values
replaced with what broken exports hold, bytes that are not text, whole documents made up
from the keys a file may use. Each test counts the inputs it tried (see tests/fuzzing.py;
`AR_FUZZ_EXAMPLES` for a longer run). Errors and warnings never quote the patients'
names, birth dates or member ids of the seed files.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.errors import AssistantError
from assistant.importers.authorizations import parse_authorizations
from assistant.importers.csv_claims import default_columns, parse_claims_csv
from assistant.importers.notes import parse_notes
from assistant.importers.settings import parse_settings
from assistant.importers.x837 import read_837
from assistant.ingest import import_file, parser_for
from assistant.remit.reader import read_835
from assistant.remit.service import import_835
from assistant.storage import open_database
from tests import synthetic as syn
from tests.conftest import FIXTURES
from tests.fuzzing import (
    Tally,
    assert_clear,
    cell,
    examples,
    fuzz_settings,
    mutated_text,
    mutated_x12,
    outcome_of,
    toml_body,
    toml_text,
    toml_values,
    write_bytes,
)
from tests.remit_builders import clp, remittance, svc, text_835

ROOT = Path(__file__).resolve().parents[1]
# The seed files' patient data: no error or warning may quote it.
PHI = (*syn.LAST_NAMES, syn.FIRST_NAME, syn.BIRTH_DATE.strftime("%Y%m%d"), syn.member_id(1), syn.member_id(2))

SEEDS_837 = [syn.x837(3), *(p.read_text() for p in sorted((FIXTURES / "837").glob("*.837")))]
SEEDS_835 = [
    syn.x835(3),
    text_835(remittance(
        clp("C1", "1", svc("97530", 150, 100, ("CO", "45", 20), ("PR", "2", 30)), last=syn.LAST_NAMES[0],
            first=syn.FIRST_NAME, member=syn.member_id(1)),
        clp("C2", "4", svc("97110", 75, 0, ("CO", "50", 75), remarks=("N115",)), remarks=("MA130",),
            last=syn.LAST_NAMES[1], first=syn.FIRST_NAME, member=syn.member_id(2)),
        clp("C1", "22", svc("97530", -150, -100, ("CO", "45", -20), ("PR", "2", -30)), last=syn.LAST_NAMES[0],
            first=syn.FIRST_NAME, member=syn.member_id(1)),
        plb=[("WO", 12.5, "REF1")])),
]


def _warnings_clear(warnings: list[str]) -> None:
    for warning in warnings:
        for text in PHI:
            assert text not in warning, f"warning quotes {text!r}: {warning!r}"


def test_the_835_reader(tmp_path: Path) -> None:
    tally = Tally("835 reader (read_835)")

    @fuzz_settings(500)
    @given(mutated_x12(SEEDS_835))
    def run(data: bytes) -> None:
        read = outcome_of(lambda: read_835(data, "fuzz.835"), tally, *PHI)
        if read is not None:
            _warnings_clear([*read.skipped, *read.all_warnings])

    run()
    tally.report()
    assert tally.tried >= examples(500)


def test_835_imports_post_or_reject_and_the_database_stays_whole(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "ar.db", create=True)
    billed = tmp_path / "billed.837"
    billed.write_text(syn.x837(3))
    assert import_file(conn, billed, "837", parser_for("837"), "fuzz").status == "imported"
    tally = Tally("835 import (import_835)")
    counter = iter(range(10**9))

    @fuzz_settings(150)
    @given(mutated_x12(SEEDS_835))
    def run(data: bytes) -> None:
        path = write_bytes(tmp_path, f"fuzz{next(counter)}.835", data)
        result = import_835(conn, path, user="fuzz")
        assert result["status"] in ("imported", "duplicate", "rejected")
        tally.count(result["status"])
        if result["error"]:
            assert_clear(AssistantError(result["error"]), *PHI)
        _warnings_clear(result["warnings"])
        assert not conn.in_transaction

    run()
    tally.report()
    assert tally.tried >= examples(150)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def test_the_837p_reader() -> None:
    tally = Tally("837P reader (read_837)")

    @fuzz_settings(500)
    @given(mutated_x12(SEEDS_837))
    def run(data: bytes) -> None:
        batch = outcome_of(lambda: read_837(data, "fuzz.837"), tally, *PHI)
        if batch is not None:
            _warnings_clear(batch.warnings)

    run()
    tally.report()
    assert tally.tried >= examples(500)


def test_837p_imports_write_or_reject_and_the_database_stays_whole(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "ar.db", create=True)
    tally = Tally("837P import (import_file)")
    counter = iter(range(10**9))

    @fuzz_settings(150)
    @given(mutated_x12(SEEDS_837))
    def run(data: bytes) -> None:
        path = write_bytes(tmp_path, f"fuzz{next(counter)}.837", data)
        result = import_file(conn, path, "837", parser_for("837"), "fuzz")
        tally.count(result.status)
        if result.error:
            assert_clear(AssistantError(result.error), *PHI)
        _warnings_clear(result.warnings)
        assert not conn.in_transaction

    run()
    tally.report()
    assert tally.tried >= examples(150)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


# --------------------------------------------------------------------------- CSV exports

CSV_SEEDS = [p.read_text() for p in sorted((FIXTURES / "csv").glob("*.csv"))]
HEADERS = sorted({name for names in default_columns().values() for name in names})


@st.composite
def made_up_csv(draw: st.DrawFn) -> str:
    """A header of known and unknown column names over rows of any values, any delimiter."""
    columns = draw(st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=12)), min_size=1, max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = draw(st.lists(st.lists(cell(), min_size=len(columns), max_size=len(columns)), max_size=6))
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def test_the_csv_importer_without_a_mapping(tmp_path: Path) -> None:
    tally = Tally("CSV claims (parse_claims_csv, no mapping)")

    @fuzz_settings(400)
    @given(st.one_of(mutated_text(CSV_SEEDS), made_up_csv()))
    def run(text: str) -> None:
        path = write_bytes(tmp_path, "export.csv", text)
        batch = outcome_of(lambda: parse_claims_csv(path), tally)
        if batch is not None:
            assert all(claim.claim_id for claim in batch.claims)

    run()
    tally.report()
    assert tally.tried >= examples(400)


MAPPING_SEED = (FIXTURES / "csv" / "pm_export.toml").read_text()
PM_EXPORT = (FIXTURES / "csv" / "pm_export.txt").read_text()


@st.composite
def made_up_mapping(draw: st.DrawFn) -> str:
    columns = draw(st.dictionaries(st.sampled_from(sorted(default_columns())),
                                   st.one_of(st.sampled_from(HEADERS), st.text(max_size=10),
                                             st.lists(st.text(max_size=10), max_size=3), toml_values()),
                                   max_size=8))
    options = draw(toml_body(["delimiter", "encoding", "date_format", "header_line", "line_amounts",
                              "use_defaults"]))
    defaults = draw(toml_body(["payer_kind", "payer", "place_of_service"]))
    tables = {"csv": options, "columns": columns, "defaults": defaults}
    return toml_text({k: v for k, v in tables.items() if draw(st.booleans())})


def test_the_csv_importer_with_a_mapping(tmp_path: Path) -> None:
    tally = Tally("CSV claims (parse_claims_csv, with mapping)")

    @fuzz_settings(300)
    @given(st.one_of(mutated_text([MAPPING_SEED]), made_up_mapping()),
           st.one_of(st.just(PM_EXPORT), mutated_text([PM_EXPORT, *CSV_SEEDS]), made_up_csv()))
    def run(mapping: str, text: str) -> None:
        mapping_path = write_bytes(tmp_path, "mapping.toml", mapping)
        path = write_bytes(tmp_path, "export.txt", text)
        outcome_of(lambda: parse_claims_csv(path, mapping=mapping_path), tally)

    run()
    tally.report()
    assert tally.tried >= examples(300)


def test_the_authorizations_importer(tmp_path: Path) -> None:
    tally = Tally("authorizations CSV (parse_authorizations)")
    seeds = [(FIXTURES / "auths" / "authorizations.csv").read_text()]

    @fuzz_settings(200)
    @given(mutated_text(seeds))
    def run(text: str) -> None:
        outcome_of(lambda: parse_authorizations(write_bytes(tmp_path, "auths.csv", text)), tally)

    run()
    tally.report()
    assert tally.tried >= examples(200)


# --------------------------------------------------------------------------- notes

NOTE_SEEDS = [p.read_text() for p in sorted((FIXTURES / "notes").rglob("*")) if p.suffix in (".txt", ".md")]
NOTE_NAMES = st.one_of(
    st.sampled_from(["A2044_2026-11-06_daily_Sam-Lee-COTA", "note", "A1_20261106_eval", "plan_of_care",
                     "A1_2026-13-45_progress", "_", "A1__", "x_2026-11-06_poc_Dana-Okafor-OTR-L"]),
    st.from_regex(r"[A-Za-z0-9-]{1,8}_[0-9-]{0,10}_[a-z_]{0,10}(_[A-Za-z-]{0,12})?", fullmatch=True))


def _docx_bytes(paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph("".join(ch for ch in text if ch.isprintable() or ch in "\t\n"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@st.composite
def note_file(draw: st.DrawFn) -> tuple[str, bytes]:
    stem = draw(NOTE_NAMES)
    kind = draw(st.sampled_from(["txt", "md", "docx", "docx-junk", "docx-cut"]))
    text = draw(mutated_text(NOTE_SEEDS))
    if kind in ("txt", "md"):
        data = text.encode("utf-8") if draw(st.booleans()) else text.encode("latin-1", "replace")
        return f"{stem}.{kind}", data
    if kind == "docx-junk":
        return f"{stem}.docx", draw(st.binary(max_size=200))
    data = _docx_bytes(text.split("\n")[:40])
    if kind == "docx-cut":
        data = data[: draw(st.integers(0, len(data) - 1))]
    return f"{stem}.docx", data


def test_the_notes_importer(tmp_path: Path) -> None:
    tally = Tally("notes (parse_notes: txt, md, docx)")
    counter = iter(range(10**9))

    @fuzz_settings(250)
    @given(note_file())
    def run(file: tuple[str, bytes]) -> None:
        name, data = file
        folder = tmp_path / str(next(counter))
        folder.mkdir()
        outcome_of(lambda: parse_notes(write_bytes(folder, name, data)), tally)

    run()
    tally.report()
    assert tally.tried >= examples(250)


# --------------------------------------------------------------------------- settings

SETTINGS_SEED = (ROOT / "docs" / "practice-settings.example.toml").read_text()


@st.composite
def made_up_settings(draw: st.DrawFn) -> str:
    practice = draw(toml_body(["name", "npi", "tax_id", "address", "address1", "city", "state", "zip", "phone"]))
    providers = draw(st.lists(toml_body(["npi", "last_name", "first_name", "credential", "taxonomy",
                                         "organization"]), max_size=3))
    payers = draw(st.lists(toml_body(["name", "kind", "payer_id", "aliases", "timely_filing_days",
                                      "appeal_windows", "unit_rule", "appeal_address", "phone"]), max_size=3))
    return toml_text({"practice": practice} if draw(st.booleans()) else {},
                     arrays={"providers": providers, "payers": payers})


def test_the_settings_importer(tmp_path: Path) -> None:
    tally = Tally("practice settings TOML (parse_settings)")

    @fuzz_settings(300)
    @given(st.one_of(mutated_text([SETTINGS_SEED]), made_up_settings()))
    def run(text: str) -> None:
        outcome_of(lambda: parse_settings(write_bytes(tmp_path, "practice.toml", text)), tally)

    run()
    tally.report()
    assert tally.tried >= examples(300)


def test_a_fuzzed_import_never_leaves_a_transaction_open(tmp_path: Path) -> None:
    """The last word on the importers: after any of the above, the connection is usable."""
    conn = open_database(tmp_path / "ar.db", create=True)
    path = write_bytes(tmp_path, "x.837", b"ISA*00*" + bytes(range(256)))
    result = import_file(conn, path, "837", parser_for("837"), "fuzz")
    assert result.status == "rejected" and not conn.in_transaction
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("ROLLBACK")
    assert isinstance(conn, sqlite3.Connection)
    conn.close()


def test_found_by_fuzzing_a_key_with_a_line_break_is_a_one_line_error(tmp_path: Path) -> None:
    mapping = write_bytes(tmp_path, "mapping.toml", '[defaults]\n"\\n" = ""\n')
    with pytest.raises(AssistantError) as caught:
        parse_claims_csv(write_bytes(tmp_path, "export.txt", PM_EXPORT), mapping=mapping)
    assert_clear(caught.value)
    assert "defaults.\\n" in str(caught.value)
