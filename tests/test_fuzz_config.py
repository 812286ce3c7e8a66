"""Files the practice edits, fuzzed: worklist TOML and letter templates.

A worklist file with any content loads and runs, or stops with a ConfigError naming the
file; a practice template with any content gives a letter (a .docx that opens) or a
located error, never a traceback, and the error never quotes the patient.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant import worklists
from assistant.domain import Category, PayerKind, PayerStatus, WorkStatus
from assistant.paths import Locations, bundled
from assistant.ranking import ranking_data
from assistant.services import Services
from tests import letter_builders as lb
from tests.builders import claim_record, post_denial, write
from tests.conftest import TODAY
from tests.fuzzing import (
    Tally,
    cell,
    examples,
    fuzz_settings,
    mutated_text,
    outcome_of,
    toml_text,
    toml_values,
)

SHIPPED = bundled("worklists")
WORKLIST_SEEDS = [p.read_text() for p in sorted(SHIPPED.glob("*.toml"))]
VOCABULARY = ([s.value for s in WorkStatus] + [s.value for s in PayerStatus] + [k.value for k in PayerKind]
              + [c.value for c in Category] + ["none", "me", "unassigned", "Aetna", "Medicare", "wait", "appeal"])
WEIGHTS = sorted(ranking_data().weights.as_dict())


def filter_value() -> st.SearchStrategy[object]:
    return st.one_of(st.lists(st.one_of(st.sampled_from(VOCABULARY), cell()), max_size=3), toml_values(),
                     st.integers(-5, 400), st.booleans())


@st.composite
def made_up_worklist(draw: st.DrawFn) -> str:
    top = draw(st.dictionaries(
        st.sampled_from(["name", "description", "extends", "sort", "disabled"]),
        st.one_of(st.sampled_from(["today", "high-dollar", "fuzz", "score", "balance", "age", "deadline",
                                   "follow_up", "nope"]), toml_values()), max_size=5))
    filters = draw(st.dictionaries(st.one_of(st.sampled_from(list(worklists.FILTER_KEYS)), st.text(max_size=8)),
                                   filter_value(), max_size=6))
    weights = draw(st.dictionaries(st.one_of(st.sampled_from(WEIGHTS), st.text(max_size=8)),
                                   st.one_of(st.floats(-100, 1000, allow_nan=False), toml_values()), max_size=4))
    tables = {}
    if filters or draw(st.booleans()):
        tables["filter"] = filters
    if weights:
        tables["weights"] = weights
    return toml_text(tables, top)


@pytest.fixture
def worked(services: Services) -> Services:
    write(services.conn, claim_record("FZ-1", last="QUILLFEATHER", first="PERSEPHONY", payer="Aetna"),
          claim_record("FZ-2", account="A1002", payer="Medicare Part B"))
    post_denial(services.conn, "FZ-1", "CO", "50", 225.0, remarks=("N115",))
    services.ensure_ranking()
    return services


def test_worklist_files(worked: Services, tmp_path: Path) -> None:
    tally = Tally("worklist TOML (load_worklists, then run)")
    user = tmp_path / "config" / "worklists"
    user.mkdir(parents=True)

    def load_and_run(text: str) -> int:
        (user / "fuzz.toml").write_text(text, encoding="utf-8")
        found = worklists.load_worklists([SHIPPED, user])
        ran = 0
        for wl in found.values():
            if wl.origin == "user":
                worklists.totals(worked.conn, wl, TODAY, "tester")
                worklists.rows(worked.conn, wl, TODAY, "tester", limit=5, offset=0)
                ran += 1
        return ran

    @fuzz_settings(300)
    @given(st.one_of(made_up_worklist(), mutated_text(WORKLIST_SEEDS)))
    def run(text: str) -> None:
        outcome_of(lambda: load_and_run(text), tally, "QUILLFEATHER", "PERSEPHONY")

    run()
    tally.report()
    assert tally.tried >= examples(300)
    assert tally.outcomes.get("result", 0) > 0 and tally.outcomes.get("ConfigError", 0) > 0


# --------------------------------------------------------------------------- letter templates

GOOD_VARIABLES = ["claim.claim_id", "claim.dates", "claim.dos_from", "claim.billed_cents", "claim.rendering.display",
                  "patient.name", "patient.dob", "patient.member_id", "patient.account", "payer.name",
                  "payer.address_lines", "denial.codes", "denial.summary", "lines", "service_days", "letter.date",
                  "letter.level_name", "practice.name", "plan_of_care", "excerpts", "gaps", "findings"]
BAD_VARIABLES = ["claim.nope", "nope", "patient.name.upper()", "lines[0]", "lines[99]", "denial.codes[0].code",
             "patient['name']", "claim.billed_cents / 0", "patient.name + 1", "range(10**9) | list | length",
             "patient.dob.strftime('%Y')", "{}[patient.name]", "patient.name | int", "'%d' % patient.name",
             "[1].index(patient.name)", "{}.pop(patient.name)", "{}[patient.dob]", "patient.member_id | attr('x')",
             "patient.name | truncate(-1)", "patient[patient.member_id]", "(patient.name ~ 'x') | int(patient.name)"]
FILTERS = ["longdate", "mdy", "money", "quote", "table", "service_table", "upper", "capitalize", "nope",
           "join(', ')", "default('x')", "first", "int", "length", "string", "e", "trim"]
MARKUP = ["# Heading", "## Sub", "- bullet", "1. item", "| a | b |", "> quote", "**bold** _it_", "---", "",
          "{{ raw('**x**') }}", "{{ lines | service_table }}", "\\", "*", "_", "|", "#"]
BROKEN = ["{{", "}}", "{%", "%}", "{#", "#}", "{% endif %}", "{% if %}"]


@st.composite
def template_body(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["text", "var", "filter", "if", "for", "markup", "raw", "extends", "block"]))
        variable = draw(st.sampled_from(GOOD_VARIABLES if draw(st.integers(0, 9)) else BAD_VARIABLES))
        if kind == "text":
            parts.append(draw(st.text(max_size=30)))
        elif kind == "var":
            parts.append(f"{{{{ {variable} }}}}")
        elif kind == "filter":
            parts.append(f"{{{{ {variable} | {draw(st.sampled_from(FILTERS))} }}}}")
        elif kind == "if":
            parts.append(f"{{% if {variable} %}}{draw(st.text(max_size=10))}{{% endif %}}")
        elif kind == "for":
            parts.append(f"{{% for x in {variable} %}}- {{{{ x }}}}\n{{% endfor %}}")
        elif kind == "markup":
            parts.append(draw(st.sampled_from(MARKUP if draw(st.integers(0, 9)) else BROKEN)))
        elif kind == "raw":
            parts.append(draw(st.sampled_from(["{% include 'nope.j2' %}", "{% import '_letter.j2' as x %}",
                                               "{{ x.y.z }}", "{% set a = 1 %}{{ a / 0 }}", "{{ 'a' * 10 }}",
                                               "{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}"])))
        elif kind == "extends":
            parts.append('{% extends "_letter.j2" %}')
        else:
            parts.append(f"{{% block {draw(st.sampled_from(['argument', 'subject', 'nope']))} %}}"
                         f"{{{{ {variable} }}}}{{% endblock %}}")
    return "\n".join(parts)


HEADERS = ['{#---\ntitle = "Fuzz"\ncategories = ["medical_necessity"]\nlevel = "any"\n---#}\n',
           '{#---\ntitle = "Fuzz"\nevidence = ["daily_note", "nope"]\nevidence_profile = "nope"\n---#}\n',
           '{#---\ntitle = \n---#}\n', '{#---\nlevel = "x"\n---#}\n', "", '{#---\n']


@pytest.fixture
def letter_services(db_path: Path) -> Services:
    svc = Services(Locations.resolve(db_path), today=TODAY, user="tester")
    lb.clinic(svc.create_database())
    write(svc.conn, claim_record("FZ-1", account="A9001", last="QUILLFEATHER", first="PERSEPHONY",
                                 payer="Aetna", dos=date(2026, 9, 15)))
    post_denial(svc.conn, "FZ-1", "CO", "50", 225.0, remarks=("N115",))
    return svc


def test_practice_templates_give_a_letter_or_a_located_error(letter_services: Services, tmp_path: Path) -> None:
    tally = Tally("letter templates (Drafter.prepare + .docx)")
    folder = tmp_path / "config" / "templates" / "appeals"  # AR_ASSISTANT_CONFIG in conftest
    folder.mkdir(parents=True)
    letters = tmp_path / "letters"
    letters.mkdir()
    drafter = letter_services.drafter()
    counter = iter(range(10**9))
    phi = ("QUILLFEATHER", "PERSEPHONY")

    def draft(name: str) -> Path:
        prepared, _ = drafter.prepare("FZ-1", name)
        written = drafter.write(prepared, letters)
        assert written.path is not None and written.path.stat().st_size > 0
        return written.path

    @fuzz_settings(200)
    @given(st.sampled_from(HEADERS[:2] * 4 + HEADERS[2:]), template_body())
    def run(header: str, body: str) -> None:
        name = f"fuzz{next(counter)}"
        (folder / f"{name}.j2").write_text(header + body, encoding="utf-8")
        outcome_of(lambda: draft(name), tally, *phi)

    run()
    tally.report()
    assert tally.tried >= examples(200)
    assert tally.outcomes.get("result", 0) > 0 and tally.outcomes.get("ConfigError", 0) > 0
    letter_services.close()


@pytest.mark.parametrize(("body", "reason"), [
    ("{{ range(10**9) | list | length }}", "OverflowError"),  # found by fuzzing: memory ran out
    ("{{ patient.name.__class__.__mro__ }}", "SecurityError|not defined|letter's data"),
    ("{{ claim.claim_id.format.__globals__ }}", "SecurityError|not defined|letter's data"),
])
def test_found_by_fuzzing_a_template_cannot_exhaust_the_machine_or_reach_python(
        letter_services: Services, tmp_path: Path, body: str, reason: str) -> None:
    from assistant.errors import ConfigError

    folder = tmp_path / "config" / "templates" / "appeals"
    folder.mkdir(parents=True)
    (folder / "hostile.j2").write_text('{#---\ntitle = "x"\n---#}\n' + body)
    with pytest.raises(ConfigError, match=reason):
        letter_services.drafter().prepare("FZ-1", "hostile")
    letter_services.close()
