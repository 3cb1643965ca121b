"""``ruleproof cases``: --check names exactly the changed cases, --update renews the
suite, a plain run never overwrites changed expectations, --freeze adds regressions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import dsl
from engine import compile_ruleset
from tests.verifier_helpers import HEADER
from verifier.facts.values import engine_form
from verifier.cases.case import expected_json
from verifier.cases.store import freeze_regression, load_suite, replay
from verifier.cli.cases_cmd import cases_command

REPO = Path(__file__).resolve().parents[2]
LIPO = REPO / "rulesets" / "liposarcoma.rules"
COMMITTED = REPO / "generated_cases" / "liposarcoma"

SMALL = HEADER + """
input size: real [0, 20]
input grade: enum {low, high}
input fit: bool
action cut: surgery "Cut"
action watch: surveillance "Watch"
rule big "big" when size > 5 and grade == high
  recommend cut category 1 sources [s]
rule small "small" when not (size > 5 and grade == high)
  recommend watch category 1 sources [s]
"""


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cases_command, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _edited_lipo(tmp_path: Path) -> Path:
    text = LIPO.read_text(encoding="utf-8")
    # Two hand edits: a threshold in a shared definition and one in a rule.
    edits = [("and size_cm > 5\n", "and size_cm > 6\n"),
             ("when subtype != well_differentiated and ecog >= 3", "when subtype != well_differentiated and ecog >= 4")]
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "liposarcoma.rules"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_of_the_committed_suite_passes() -> None:
    code, out, _ = run(str(LIPO), "--out", str(COMMITTED), "--check")
    assert code == 0, out
    assert " 0 of " in out


def test_check_after_a_hand_edit_names_exactly_the_changed_cases(tmp_path: Path) -> None:
    edited = _edited_lipo(tmp_path)
    code, out, _ = run(str(edited), "--out", str(COMMITTED), "--check", "--format", "json")
    assert code == 1
    report = json.loads(out)
    named = {c["case"] for c in report["changed"]}
    # Independently: every committed case whose engine decision differs under the edit.
    ev = compile_ruleset(dsl.load_ruleset(edited))
    stored = load_suite(COMMITTED)
    differ = {c["id"] for c in stored.cases if expected_json(ev.evaluate(engine_form(ev, c["record"]))) != c["expected"]}
    assert differ and named == differ
    for c in report["changed"]:
        assert c["before"] != c["after"] and c["changes"]
    assert report["ruleset_changed_since_generation"] is True
    # Text: each changed case with its decision before and after.
    code, text, _ = run(str(edited), "--out", str(COMMITTED), "--check")
    assert code == 1
    for name in differ:
        assert f"  {name}\n    before: " in text


def test_a_plain_run_does_not_overwrite_changed_expectations(tmp_path: Path) -> None:
    edited = _edited_lipo(tmp_path)
    suite = tmp_path / "suite"
    shutil.copytree(COMMITTED, suite)
    before = {p.name: p.read_bytes() for p in (suite / "cases").iterdir()}
    code, out, err = run(str(edited), "--out", str(suite))
    assert code == 1 and "--update" in err
    assert {p.name: p.read_bytes() for p in (suite / "cases").iterdir()} == before


def test_update_renews_the_suite_after_an_intended_edit(tmp_path: Path) -> None:
    rules = tmp_path / "small.rules"
    rules.write_text(SMALL, encoding="utf-8")
    suite = tmp_path / "suite"
    code, out, _ = run(str(rules), "--out", str(suite))
    assert code == 0, out
    first = load_suite(suite)
    assert first.cases
    rules.write_text(SMALL.replace("size > 5", "size > 7"), encoding="utf-8")
    code, out, _ = run(str(rules), "--out", str(suite), "--check")
    assert code == 1
    code, out, _ = run(str(rules), "--out", str(suite), "--update")
    assert code == 0, out
    assert "before:" in out and "after:" in out  # the update reports what it changed
    code, out, _ = run(str(rules), "--out", str(suite), "--check")
    assert code == 0, out
    values = {c["record"]["size"] for c in load_suite(suite).cases}
    assert {6.99, 7, 7.01} <= values


def test_freeze_a_regression_with_the_function(tmp_path: Path) -> None:
    rules = tmp_path / "small.rules"
    rules.write_text(SMALL, encoding="utf-8")
    rs = dsl.load_ruleset(rules)
    suite = tmp_path / "suite"
    assert run(str(rules), "--out", str(suite))[0] == 0
    record = {"size": 12.5, "grade": "high", "fit": True}
    path = freeze_regression(suite, rs, record, "found by a random test")
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case["purposes"][0]["kind"] == "regression" and case["record"] == record
    assert case["expected"]["recommended"] == ["cut"]
    stored = load_suite(suite)
    assert stored.manifest is not None and case["id"] in [c["id"] for c in stored.manifest["cases"]]
    assert not replay(rs, stored.cases)
    # Regenerating keeps the regression case.
    assert run(str(rules), "--out", str(suite), "--update")[0] == 0
    kept = [c for c in load_suite(suite).cases
            if any(p["kind"] == "regression" for p in c["purposes"])]
    assert [c["record"] for c in kept] == [record]


def test_freeze_a_regression_with_the_cli(tmp_path: Path) -> None:
    rules = tmp_path / "small.rules"
    rules.write_text(SMALL, encoding="utf-8")
    suite = tmp_path / "suite"
    code, out, err = run(str(rules), "--out", str(suite), "--freeze", "-", "--note", "engine and Z3 disagreed",
                         stdin='{"size": 5.0, "grade": "high", "fit": false}')
    assert code == 0, err
    frozen = load_suite(suite).cases
    assert len(frozen) == 1 and frozen[0]["record"] == {"size": 5, "grade": "high", "fit": False}
    assert frozen[0]["purposes"][0]["note"] == "engine and Z3 disagreed"


@pytest.mark.parametrize("record, message", [
    ('{"size": 50, "grade": "high", "fit": false}', "size: 50 is out of range"),
    ('{"size": 1, "grade": "hi", "fit": false}', "did you mean 'high'"),
    ("[1]", "must be a JSON object"),
    ("{", "not valid JSON"),
])
def test_freeze_rejects_an_invalid_record(tmp_path: Path, record: str, message: str) -> None:
    rules = tmp_path / "small.rules"
    rules.write_text(SMALL, encoding="utf-8")
    code, _, err = run(str(rules), "--out", str(tmp_path / "suite"), "--freeze", "-", stdin=record)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_bad_input_exits_2(tmp_path: Path) -> None:
    rules = tmp_path / "small.rules"
    rules.write_text(SMALL, encoding="utf-8")
    code, _, err = run(str(rules), "--out", str(tmp_path / "nothing"), "--check")
    assert code == 2 and "no generated cases" in err
    code, _, err = run(str(rules), "--out", str(tmp_path), "--check", "--freeze", "x.json")
    assert code == 2
    code, _, err = run(str(tmp_path / "missing.rules"), "--out", str(tmp_path))
    assert code == 2 and "cannot read ruleset" in err
    broken = tmp_path / "suite" / "cases"
    broken.mkdir(parents=True)
    (broken / "x.json").write_text("{", encoding="utf-8")
    code, _, err = run(str(rules), "--out", str(tmp_path / "suite"), "--check")
    assert code == 2 and "not valid JSON" in err
