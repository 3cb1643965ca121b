"""The checked-ruleset cache (issue 14): a large ruleset checked once is read back
from the private cache folder; it gives the same model, any change to the text
or path misses, and a planted entry can neither run code nor change an answer."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

import dsl
from dsl import checked_cache
from verifier.dmn import read_dmn, translate
from verifier.dmn.synthetic import synthetic_dmn


@pytest.fixture(scope="module")
def big_text() -> str:
    text = translate(read_dmn(synthetic_dmn(600, 7).encode(), "t.dmn")).text
    assert len(text) >= checked_cache.MIN_CHARS
    return text


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RULEPROOF_CACHE", raising=False)
    return tmp_path / "ruleproof"


def _entries(home: Path) -> list[Path]:
    return sorted(home.glob("checked-*.pickle")) if home.exists() else []


def test_second_read_comes_from_the_cache_and_is_the_same_model(big_text: str, home: Path) -> None:
    fresh = dsl.check_text_cached(big_text, "t.rules")
    [entry] = _entries(home)
    assert entry.stat().st_mode & 0o077 == 0
    kept = checked_cache.load(big_text, "t.rules")
    assert kept is not None
    assert kept[0] == fresh[0] and kept[1] == fresh[1]
    # The lookup tables are rebuilt, not carried: the kept model answers like the fresh one.
    assert kept[0].rules_giving("recommend", kept[0].actions[0].id) == fresh[0].rules_giving(
        "recommend", fresh[0].actions[0].id)
    assert dsl.check_text_cached(big_text, "t.rules")[0] == fresh[0]


def test_any_change_of_text_or_path_misses(big_text: str, home: Path) -> None:
    dsl.check_text_cached(big_text, "t.rules")
    assert checked_cache.load(big_text + "\n", "t.rules") is None
    assert checked_cache.load(big_text, "other.rules") is None


def test_small_rulesets_and_RULEPROOF_CACHE_0_write_nothing(big_text: str, home: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    dsl.check_text_cached('ruleset t version "1"\ninput q: bool\n', "s.rules")
    assert _entries(home) == []
    monkeypatch.setenv("RULEPROOF_CACHE", "0")
    dsl.check_text_cached(big_text, "t.rules")
    assert _entries(home) == []


class _Boom:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_planted_entry_runs_no_code_and_changes_no_answer(big_text: str, home: Path, tmp_path: Path) -> None:
    fresh = dsl.check_text_cached(big_text, "t.rules")
    [entry] = _entries(home)
    head = entry.read_bytes().split(b"\n", 1)[0]
    marker = tmp_path / "code-ran"
    entry.write_bytes(head + b"\n" + pickle.dumps(_Boom(str(marker))))
    entry.chmod(0o600)
    assert checked_cache.load(big_text, "t.rules") is None  # refused, not loaded
    assert not marker.exists()
    assert dsl.check_text_cached(big_text, "t.rules")[0] == fresh[0]


def test_a_planted_entry_cannot_call_a_function_of_the_package(big_text: str, home: Path, tmp_path: Path) -> None:
    # A writer of files lives in the dsl package too: only model classes may be built.
    from dsl import private_cache

    class _Write:
        def __reduce__(self):
            return (private_cache.write_by_rename, (str(tmp_path / "planted"), b"x"))

    dsl.check_text_cached(big_text, "t.rules")
    [entry] = _entries(home)
    head = entry.read_bytes().split(b"\n", 1)[0]
    entry.write_bytes(head + b"\n" + pickle.dumps(_Write()))
    assert checked_cache.load(big_text, "t.rules") is None
    assert not (tmp_path / "planted").exists()


def test_a_folder_others_can_write_or_a_link_is_not_used(big_text: str, home: Path, tmp_path: Path) -> None:
    dsl.check_text_cached(big_text, "t.rules")
    [entry] = _entries(home)
    os.chmod(home, 0o777)
    assert checked_cache.load(big_text, "t.rules") is None
    os.chmod(home, 0o700)
    target = tmp_path / "elsewhere.pickle"
    target.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(target)
    assert checked_cache.load(big_text, "t.rules") is None


def test_old_entries_are_removed(big_text: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checked_cache, "MAX_ENTRIES", 3)
    for k in range(checked_cache.MAX_ENTRIES + 2):
        dsl.check_text_cached(big_text + f"# {k}\n", "t.rules")
    assert len(_entries(home)) == checked_cache.MAX_ENTRIES


def test_import_dmn_leaves_its_output_checked_for_the_next_command(home: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from verifier.cli import cli

    dmn = tmp_path / "t.dmn"
    dmn.write_text(synthetic_dmn(600, 7), encoding="utf-8")
    out = tmp_path / "t.rules"
    res = CliRunner().invoke(cli, ["import", "dmn", str(dmn), "-o", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert checked_cache.load(out.read_text(encoding="utf-8"), str(out)) is not None
