"""Template layering, metadata headers, and errors that name the file, line and variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError, NotFound
from assistant.letters.evidence import CHECKS
from assistant.letters.excerpts import profile_names
from assistant.letters.templates import LetterTemplates, keep_line_breaks
from assistant.paths import Locations, bundled

SHIPPED = bundled("templates") / "appeals"
REQUIRED = {
    "medical_necessity", "maintenance_therapy", "authorization", "bundling_ncci", "frequency_units",
    "visit_limit", "timely_filing", "coordination_of_benefits", "coding_correction",
    "medicare_redetermination", "medicare_reconsideration", "generic",
}
HEADER = '{#---\ntitle = "Mine"\ncategories = ["medical_necessity"]\nlevel = 1\nevidence = ["notes"]\n---#}\n'


def practice_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    return folder


def test_shipped_templates_have_valid_metadata() -> None:
    templates = LetterTemplates([SHIPPED])
    infos = {info.name: info for info in templates.all()}
    assert set(infos) >= REQUIRED
    assert "_letter" not in infos
    for info in infos.values():
        assert info.title and info.description and not info.practice
        assert set(info.evidence) <= set(CHECKS), info.name
        assert info.evidence_profile in {*profile_names(), "argument"}, info.name
    assert infos["medicare_redetermination"].level == 1
    assert infos["medicare_reconsideration"].level == 2
    assert infos["coding_correction"].appeal is False


def test_practice_template_overrides_the_shipped_one_by_name(tmp_path: Path) -> None:
    mine = practice_dir(tmp_path)
    (mine / "generic.j2").write_text(HEADER + "Our own letter for {{ claim_id }}.\n")
    (mine / "extra.j2").write_text(HEADER + "Extra.\n")
    templates = LetterTemplates([mine, SHIPPED])
    info = templates.info("generic")
    assert info.practice and info.title == "Mine" and info.path == mine / "generic.j2"
    assert templates.render("generic", {"claim_id": "C1"}) == "Our own letter for C1.\n"
    assert "extra" in templates.names() and "medical_necessity" in templates.names()
    assert not templates.info("medical_necessity").practice


def test_locations_put_the_practice_folder_first(tmp_path: Path) -> None:
    loc = Locations(db=tmp_path / "ar.db", config=tmp_path / "cfg")
    assert loc.templates_dirs == [tmp_path / "cfg" / "templates" / "appeals", SHIPPED]


def test_missing_variable_names_variable_template_and_line(tmp_path: Path) -> None:
    mine = practice_dir(tmp_path)
    (mine / "mine.j2").write_text(HEADER + "Dear reviewer,\n\nClaim {{ claim.nonsense }} was denied.\n")
    with pytest.raises(ConfigError) as err:
        LetterTemplates([mine]).render("mine", {"claim": {"claim_id": "C1"}})
    message = str(err.value)
    assert "template mine" in message and "'claim.nonsense'" in message
    assert f"{mine / 'mine.j2'}: line 9" in message


def test_undefined_top_level_variable(tmp_path: Path) -> None:
    mine = practice_dir(tmp_path)
    (mine / "mine.j2").write_text(HEADER + "{{ not_there }}\n")
    with pytest.raises(ConfigError, match=r"variable 'not_there' is not defined"):
        LetterTemplates([mine]).render("mine", {})


def test_broken_practice_template_names_file_and_line(tmp_path: Path) -> None:
    mine = practice_dir(tmp_path)
    (mine / "generic.j2").write_text(HEADER + "ok\n{% if claim %}\nno endif\n")
    with pytest.raises(ConfigError) as err:
        LetterTemplates([mine, SHIPPED]).render("generic", {"claim": 1})
    assert str(err.value).startswith(f"{mine / 'generic.j2'}: line ")
    assert "endif" in str(err.value) or "end of template" in str(err.value)


def test_broken_metadata_header_names_file_and_line(tmp_path: Path) -> None:
    mine = practice_dir(tmp_path)
    (mine / "bad.j2").write_text('{#---\ntitle = "x"\nlevel = = 2\n---#}\nbody\n')
    (mine / "none.j2").write_text("no header\n")
    templates = LetterTemplates([mine])
    with pytest.raises(ConfigError, match=r"bad\.j2: line 3: metadata header"):
        templates.info("bad")
    with pytest.raises(ConfigError, match=r"none\.j2: line 1: no metadata header"):
        templates.info("none")


def test_unknown_template_is_not_found(tmp_path: Path) -> None:
    templates = LetterTemplates([practice_dir(tmp_path), SHIPPED])
    with pytest.raises(NotFound, match="no letter template 'nope'"):
        templates.info("nope")
    with pytest.raises(NotFound):
        templates.info("../etc/passwd")


def test_extending_a_missing_template_is_a_config_error(tmp_path: Path) -> None:
    mine = practice_dir(tmp_path)
    (mine / "child.j2").write_text(HEADER + '{% extends "_gone.j2" %}\n')
    with pytest.raises(ConfigError, match=r"_gone\.j2"):
        LetterTemplates([mine]).render("child", {})


def test_line_breaks_survive_tags_that_end_a_line_of_text() -> None:
    source = "{% if a %}\nA is {% if b %}on{% endif %}\nnext\n{% endif %}\n"
    assert keep_line_breaks(source) == "{% if a %}\nA is {% if b %}on{% endif +%}\nnext\n{% endif %}\n"


def test_rendering_keeps_one_markup_line_per_template_line(tmp_path: Path) -> None:
    mine = practice_dir(tmp_path)
    (mine / "t.j2").write_text(HEADER + "{% if x %}\n**A:** {% if x %}yes{% endif %}\n**B:** two\n{% endif %}\n")
    assert LetterTemplates([mine]).render("t", {"x": True}) == "**A:** yes\n**B:** two\n"


def test_inserted_values_are_escaped_but_filters_give_markup(tmp_path: Path) -> None:
    mine = practice_dir(tmp_path)
    (mine / "t.j2").write_text(HEADER + "{{ text }}\n{{ excerpt | quote }}{{ 1234 | money }}\n")
    out = LetterTemplates([mine]).render("t", {
        "text": "- not a bullet **x**",
        "excerpt": {"text": "> pasted", "cite": "Daily note, 09/01/2026"},
    })
    assert out == "\\- not a bullet \\*\\*x\\*\\*\n> \\> pasted\n> -- Daily note, 09/01/2026\n$12.34\n"
