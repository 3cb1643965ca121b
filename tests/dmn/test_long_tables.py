"""A table of hundreds of rows chains definitions deeper than Python's recursion
limit (the UNIQUE guard adds two per row): every command must still answer, or
refuse in words, never crash (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import dsl
from dsl.dependencies import reads
from verifier.cli import cli
from verifier.dmn import read_dmn, translate
from verifier.dmn.synthetic import synthetic_dmn

ROWS = 1100  # two chains of 1,100 guard definitions: past the default limit of 1,000 frames


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dsl.Ruleset]:
    text = translate(read_dmn(synthetic_dmn(ROWS, 7).encode(), "t.dmn")).text
    path = tmp_path_factory.mktemp("long") / "t.rules"
    path.write_text(text, encoding="utf-8")
    return path, dsl.parse_ruleset(text, str(path))


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "r.json"
    path.write_text(json.dumps({"c0": 1, "c1": 2, "c2": "a", "c3": 3, "c4": 4, "c5": "b", "c6": 5}))
    return path


def test_reads_follows_the_whole_guard_chain(table: tuple[Path, dsl.Ruleset]) -> None:
    _, rs = table
    r = reads(rs.rules[0].condition, rs)
    assert set(r.inputs) == {f"c{k}" for k in range(7)}
    assert sum(1 for d in r.definitions if d.startswith("decision__m")) >= ROWS  # every row's match
    # Asked again (the answer is kept with the ruleset), the same.
    assert reads(rs.rules[0].condition, rs) == r


def test_eval_explain_and_why_not_answer(table: tuple[Path, dsl.Ruleset], record: Path) -> None:
    path, rs = table
    res = run("eval", str(path), str(record), "--explain")
    assert res.exit_code == 0, res.output
    fired = [line for line in res.output.splitlines() if line.startswith("  decision_r")]
    assert len(fired) == 1 and "holds: decision__m" in res.output
    res = run("eval", str(path), str(record), "--why-not", "decision__low")
    assert res.exit_code == 0, res.output
    plain = run("eval", str(path), str(record))
    # Without --explain the fired rule is named the same way (no trace is compiled for it).
    assert fired[0] in plain.output.splitlines()


def test_export_dmn_refuses_the_guard_chain_in_words(table: tuple[Path, dsl.Ruleset]) -> None:
    path, _ = table
    res = CliRunner().invoke(cli, ["export", "dmn", str(path)], catch_exceptions=False)
    assert res.exit_code == 2
    assert "levels of definitions" in res.output and "Traceback" not in res.output
