"""The parsed-data cache: read back while the file is unchanged, re-parsed when it changes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from assistant import datafiles
from assistant.errors import ConfigError
from assistant.rules import codes


def test_a_parsed_file_is_read_back_from_the_cache_until_it_changes(tmp_path: Path) -> None:
    source = tmp_path / "table.toml"
    source.write_text('[code]\n"50" = { meaning = "not necessary" }\n')
    first = datafiles.read_toml(str(source))
    cached = list((tmp_path / "cache").rglob("*.marshal"))  # AR_ASSISTANT_CACHE in conftest
    assert len(cached) == 1 and stat.S_IMODE(cached[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cached[0].parent.stat().st_mode) == 0o700
    assert datafiles.read_toml(str(source)) == first == {"code": {"50": {"meaning": "not necessary"}}}
    source.write_text('[code]\n"50" = { meaning = "changed" }\n')
    os.utime(source, ns=(1, 1))  # even with an old time stamp: the size differs
    assert datafiles.read_toml(str(source))["code"]["50"]["meaning"] == "changed"


def test_dates_and_an_unwritable_cache_mean_parsing_each_time(tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "dated.toml"
    source.write_text("effective = 2026-01-01\n")
    assert str(datafiles.read_toml(str(source))["effective"]) == "2026-01-01"
    assert not list((tmp_path / "cache").rglob("*dated*"))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("AR_ASSISTANT_CACHE", str(blocked))
    assert datafiles.read_toml(str(source))["effective"].year == 2026


def test_a_damaged_cache_entry_is_parsed_again(tmp_path: Path) -> None:
    source = tmp_path / "table.toml"
    source.write_text("x = 1\n")
    datafiles.read_toml(str(source))
    for entry in (tmp_path / "cache").rglob("*.marshal"):
        entry.write_bytes(b"\x00garbage")
    assert datafiles.read_toml(str(source)) == {"x": 1}


def test_a_broken_shipped_file_is_still_a_configuration_error(tmp_path: Path, monkeypatch) -> None:
    broken = tmp_path / "carc.toml"
    broken.write_text("this is = = not toml")
    monkeypatch.setattr(codes, "package_data_file", lambda name: str(tmp_path / name))
    with pytest.raises(ConfigError, match=r"carc\.toml: cannot be read"):
        codes.load_data("carc.toml")
