"""`ruleproof check --format sarif|junit`, validated against the vendored schemas (tests/schemas/)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from click.testing import CliRunner

import dsl
from tests.conftest import LIPO_RULES
from tests.verifier_helpers import HEADER, rule
from verifier.check.run import check_ruleset
from verifier.cli.check_cmd import check_command
from verifier.check.junit import render_junit
from verifier.check.results import PROVED, REFUTED, UNKNOWN, CheckResult, CheckWarning, RulesetReport
from verifier.check.sarif import render_sarif

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"

# A ruleset with one of each finding: a coverage gap, a dead rule, a refuted property, a redundant
# rule, and a checker warning (input b is never used).
FLAWED = HEADER + (
    'input n: int [0, 5]\ninput b: bool\naction a: t "a"\naction c: t "c"\n'
    + rule("r1", "n >= 2", "recommend a")
    + rule("r2", "n >= 3 and n < 2", "recommend c")
    + rule("r3", "n >= 4", "recommend a")
    + 'property P1 "a always": given(a)\n'
)


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


@pytest.fixture
def flawed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RulesetReport:
    monkeypatch.chdir(tmp_path)
    Path("flawed.rules").write_text(FLAWED, encoding="utf-8")
    rs, warnings = dsl.load_ruleset_with_warnings("flawed.rules")
    return check_ruleset(rs, dsl_warnings=warnings)


def _synthetic() -> RulesetReport:
    """A report with what a real ruleset rarely shows: an undecided check and an internal error."""
    return RulesetReport(
        path="rules/x.rules", name="x", version="1", seconds=1.5,
        results=(
            CheckResult("P1", "invariant", PROVED, 0.25, location="rules/x.rules:3:1"),
            CheckResult("P2", "invariant", UNKNOWN, 10.0, location="rules/x.rules:5:3",
                        message="timed out after 10s (the --timeout per query); not proved"),
            CheckResult("P3", "invariant", UNKNOWN, 0.1, location="rules/x.rules:7:1",
                        message="internal error: engine and Z3 disagree <&>", internal_error=True),
        ),
        warnings=(CheckWarning("checker", "unused input \x01 z", "rules/x.rules:2:7"),),
    )


def _results(doc: dict[str, Any]) -> list[dict[str, Any]]:
    (run,) = doc["runs"]
    return run["results"]


# ---------------------------------------------------------------- SARIF


def test_sarif_of_a_proved_ruleset_has_no_results(sarif_validator: jsonschema.Draft4Validator,
                                                 lipo_ruleset: dsl.Ruleset) -> None:
    doc = json.loads(render_sarif([check_ruleset(lipo_ruleset)]))
    sarif_validator.validate(doc)
    assert doc["version"] == "2.1.0"
    assert _results(doc) == []
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"coverage", "contradiction", "dead-rule", "invariant"}


def test_sarif_findings(flawed: RulesetReport, sarif_validator: jsonschema.Draft4Validator) -> None:
    doc = json.loads(render_sarif([flawed]))
    sarif_validator.validate(doc)
    results = _results(doc)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    by = {(r["ruleId"], r["properties"].get("property")): r for r in results}
    assert set(by) == {("coverage", "coverage"), ("dead-rule", "fires(r2)"), ("invariant", "P1"),
                       ("redundant-rule", None), ("checker", None)}
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "flawed.rules"
    assert by[("dead-rule", "fires(r2)")]["level"] == "error"
    assert by[("redundant-rule", None)]["level"] == by[("checker", None)]["level"] == "warning"
    assert by[("checker", None)]["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 7}
    p1 = by[("invariant", "P1")]
    lines = FLAWED.splitlines()
    region = p1["locations"][0]["physicalLocation"]["region"]
    assert lines[region["startLine"] - 1].startswith("property P1") and region["startColumn"] == 1
    assert 'counterexample: {"n": ' in p1["message"]["text"]
    assert p1["properties"]["counterexample"]["b"] in (True, False)
    assert "region" not in by[("coverage", "coverage")]["locations"][0]["physicalLocation"]  # the whole file


def test_sarif_unknown_is_a_warning_and_paths_are_uris(sarif_validator: jsonschema.Draft4Validator,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    doc = json.loads(render_sarif([_synthetic()]))
    sarif_validator.validate(doc)
    levels = {(r["properties"].get("property"), r["level"]) for r in _results(doc)}
    assert levels == {("P2", "warning"), ("P3", "error"), (None, "warning")}
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is False
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in _results(doc)}
    assert uris == {"rules/x.rules"}
    outside = RulesetReport("/elsewhere/a b.rules", "y", "1", results=(
        CheckResult("P", "invariant", REFUTED, 0.0, location="/elsewhere/a b.rules:4:2", counterexample={"k": 1}),))
    doc = json.loads(render_sarif([outside]))
    sarif_validator.validate(doc)
    assert _results(doc)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "file:///elsewhere/a%20b.rules"


# ---------------------------------------------------------------- JUnit


def test_junit_one_testcase_per_check(flawed: RulesetReport, junit_schema: xmlschema.XMLSchema) -> None:
    xml = render_junit([flawed])
    junit_schema.validate(xml)
    root = ET.fromstring(xml)
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [r.property for r in flawed.results]
    assert all(c.get("time") and float(c.get("time") or "x") >= 0 for c in cases)
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert set(failed) == {"coverage", "fires(r2)", "P1"}
    assert all(f.get("type") == "refuted" for f in failed.values())
    assert "counterexample:" in (failed["P1"].text or "")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "3", "0")
    assert root.get("failures") == "3"
    assert "redundant" in (suite.findtext("system-out") or "")


def test_junit_unknown_is_an_error_not_skipped(junit_schema: xmlschema.XMLSchema) -> None:
    xml = render_junit([_synthetic()], timing=False)
    junit_schema.validate(xml)
    root = ET.fromstring(xml)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["P2"].find("error").get("type") == "unknown"  # type: ignore[union-attr]
    assert cases["P3"].find("error").get("type") == "internal-error"  # type: ignore[union-attr]
    assert root.find(".//skipped") is None
    assert {c.get("time") for c in cases.values()} == {"0.000"}
    assert "\ufffd" in (root.findtext(".//system-out") or "")  # a control character XML cannot hold


# ---------------------------------------------------------------- the command


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_check_command_formats(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               sarif_validator: jsonschema.Draft4Validator, junit_schema: xmlschema.XMLSchema) -> None:
    monkeypatch.chdir(tmp_path)
    Path("flawed.rules").write_text(FLAWED, encoding="utf-8")
    res = CliRunner().invoke(check_command, ["flawed.rules", "--format", fmt, "--no-timing"],
                             catch_exceptions=False)
    assert res.exit_code == 1
    assert "warning:" not in res.stderr  # the report carries the warnings
    if fmt == "sarif":
        sarif_validator.validate(json.loads(res.stdout))
    else:
        junit_schema.validate(res.stdout)
    again = CliRunner().invoke(check_command, ["flawed.rules", "--format", fmt, "--no-timing"])
    assert again.stdout == res.stdout
    ok = CliRunner().invoke(check_command, [str(LIPO_RULES), "--format", fmt])
    assert ok.exit_code == 0


# ---------------------------------------------------------------- SARIF: where a finding lands

# P1 holds until rule `cut` (an edit) gives surgery without the board: the finding belongs on `cut`.
BROKEN_BY_A_RULE = HEADER + (
    'input board: bool\ninput n: int [0, 5]\naction surg: surgery "s"\naction rest: t "r"\naction talk: t "t"\n'
    + rule("safe", "board and n >= 3", "recommend surg")
    + rule("cut", "n >= 4", "recommend surg")
    + rule("other", "true", "recommend rest")
    + rule("chat", "n >= 4", "recommend talk")
    + 'conflict rest with talk\n'
    + 'property P1 "no surgery before the board": given(kind surgery) implies board\n'
)


def _sarif_run(args: list[str]) -> tuple[int, dict[str, Any]]:
    res = CliRunner().invoke(check_command, [*args, "--format", "sarif"], catch_exceptions=False)
    return res.exit_code, json.loads(res.stdout)


def test_sarif_places_a_refuted_property_at_the_rule_that_broke_it(
        sarif_validator: jsonschema.Draft4Validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.rules").write_text(BROKEN_BY_A_RULE, encoding="utf-8")
    code, doc = _sarif_run(["p.rules"])
    sarif_validator.validate(doc)
    assert code == 1
    lines = BROKEN_BY_A_RULE.splitlines()
    by = {r["properties"].get("property"): r for r in _results(doc)}
    p1 = by["P1"]
    (primary,) = p1["locations"]
    region = primary["physicalLocation"]["region"]
    assert lines[region["startLine"] - 1].startswith("rule cut ")
    assert region["endLine"] >= region["startLine"] + 1  # the whole rule, its outcome line included
    (related,) = p1["relatedLocations"]
    assert lines[related["physicalLocation"]["region"]["startLine"] - 1].startswith("property P1")
    assert p1["properties"]["culprits"] == ["cut"]
    assert "broken by rule(s) cut:" in p1["message"]["text"]
    # A declared conflict: both rules that gave one of the pair are primary locations, in file order.
    conflict = by["conflict(rest,talk)"]
    starts = [lines[loc["physicalLocation"]["region"]["startLine"] - 1].split()[1] for loc in conflict["locations"]]
    assert starts == ["other", "chat"]
    assert lines[conflict["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] - 1].startswith("conflict")


def test_sarif_of_a_syntax_error_is_a_valid_log_and_other_files_keep_their_results(
        sarif_validator: jsonschema.Draft4Validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.rules").write_text(HEADER + "input a: bool\ndefine d = a and\n", encoding="utf-8")
    Path("p.rules").write_text(BROKEN_BY_A_RULE, encoding="utf-8")
    code, doc = _sarif_run(["bad.rules"])
    sarif_validator.validate(doc)
    assert code == 2
    (err,) = _results(doc)
    assert err["ruleId"] == "ruleset-error" and err["level"] == "error"
    assert "unexpected end of file" in err["message"]["text"]
    assert err["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.rules"
    assert err["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is False

    code, doc = _sarif_run(["bad.rules", "p.rules"])
    sarif_validator.validate(doc)
    assert code == 2  # bad input, yet the good file was proved and reported
    ids = {(r["ruleId"], r["properties"].get("property")) for r in _results(doc)}
    assert ("ruleset-error", None) in ids and ("invariant", "P1") in ids


def test_text_check_goes_on_past_a_file_that_does_not_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("missing.rules").unlink(missing_ok=True)
    Path("p.rules").write_text(BROKEN_BY_A_RULE, encoding="utf-8")
    res = CliRunner().invoke(check_command, ["missing.rules", "p.rules"], catch_exceptions=False)
    assert res.exit_code == 2
    assert "missing.rules: error: cannot read ruleset" in res.stderr
    assert "P1" in res.stdout and "REFUTED" in res.stdout
