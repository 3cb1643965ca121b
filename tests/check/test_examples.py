"""Issue 12: worked examples in the ruleset: checked by the checker, run by
`check` (proved or refuted with what was not met), and added to the cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import dsl
from verifier.cases.generate import generate
from verifier.check.run import check_ruleset
from verifier.cli import cli

RULES = """ruleset r version "1"
source s "S"
input age: int [18, 110]
input htn: bool
input hb: optional enum {pos, neg}
action doac: drug "DOAC"
action watch: surveillance "Watch"
constraint C1 "the very old have hypertension recorded": age > 100 implies htn
rule r1 "old" when age >= 75 or htn recommend doac category 1 sources [s]
rule r2 "young" when not (age >= 75 or htn) recommend watch category 2A sources [s]
  avoid doac category 2B sources [s]
baseline typical { age: 50, htn: false, hb: null }
example old_woman "a 78-year-old with hypertension gets a DOAC" from typical { age: 78, htn: true }
  expect recommended { doac category 1 }
  expect not given { watch }
example young "a young patient is watched" { age: 30, htn: false, }
  expect recommended { watch }
  expect avoided { doac category 2B }
"""


def _results(text: str) -> dict[str, object]:
    rs, _ = dsl.check_text(text, "r.rules")
    return {r.property: r for r in check_ruleset(rs).results if r.kind == "example"}


def test_examples_are_proved() -> None:
    rs, _ = dsl.check_text(RULES, "r.rules")
    assert [e.id for e in rs.examples] == ["old_woman", "young"]
    assert rs.examples[0].record_dict() == {"age": 78, "htn": True, "hb": None}
    assert rs.examples[1].record_dict() == {"age": 30, "htn": False}  # hb left out: unknown
    assert {k: r.status for k, r in _results(RULES).items()} == {"example(old_woman)": "proved", "example(young)": "proved"}


@pytest.mark.parametrize("edit, message", [
    (("doac category 1 }", "doac category 2A }"), "doac is expected with category 2A, but comes with 1"),
    (("expect not given { watch }", "expect not given { doac }"), "doac is expected not to be given, but is recommended"),
    (("expect recommended { watch }", "expect considered { watch }"), "watch is expected considered, but is recommend"),
])
def test_an_unmet_expectation_is_refuted_with_the_record(edit: tuple[str, str], message: str) -> None:
    results = _results(RULES.replace(*edit))
    bad = [r for r in results.values() if r.status == "refuted"]
    assert len(bad) == 1 and message in bad[0].message
    assert bad[0].counterexample is not None and bad[0].location.startswith("r.rules:")


def test_an_example_breaking_a_constraint_is_refuted() -> None:
    results = _results(RULES.replace("{ age: 78, htn: true }", "{ age: 105, htn: false }"))
    r = results["example(old_woman)"]
    assert r.status == "refuted" and "not a valid record" in r.message and "C1" in r.message


def test_cli_exit_code_and_json(tmp_path: Path) -> None:
    p = tmp_path / "r.rules"
    p.write_text(RULES.replace("doac category 1 }", "doac category 2A }"), encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", str(p), "--format", "json"])
    assert res.exit_code == 1
    got = {r["property"]: r["status"] for r in json.loads(res.stdout)["rulesets"][0]["results"] if r["kind"] == "example"}
    assert got == {"example(old_woman)": "refuted", "example(young)": "proved"}


@pytest.mark.parametrize("body, message", [
    ('example e "e" from nobody { age: 30, htn: false }\n  expect recommended { watch }\n', "unknown baseline 'nobody'"),
    ('example e "e" { age: 30 }\n  expect recommended { watch }\n', "example e gives no value for htn"),
    ('example e "e" { age: 30, htn: null }\n  expect recommended { watch }\n', "'htn' is not optional, so it cannot be null in example e"),
    ('example e "e" { age: 30, htn: false }\n  expect recommended { wach }\n', "unknown action 'wach'; did you mean 'watch'?"),
    ('example e "e" { age: 30, htn: false }\n  expect recommended { watch category 7 }\n', "'7' is not a level of grading nccn"),
    ('example e "e" { age: 3, htn: false }\n  expect recommended { watch }\n', "age = 3 is out of range [18, 110]"),
    ('example e "e" { age: 30, htn: false, hb: maybe }\n  expect recommended { watch }\n', "'maybe' is not a value of hb"),
])
def test_checker_errors(body: str, message: str) -> None:
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(RULES + body, "r.rules")
    assert any(message in d.message for d in info.value.diagnostics), [d.message for d in info.value.diagnostics]


def test_examples_join_the_generated_cases() -> None:
    rs, _ = dsl.check_text(RULES, "r.rules")
    suite = generate(rs, RULES, timeout_s=None)
    examples = {c.name: c for c in suite.cases if c.name.startswith("example-")}
    assert set(examples) == {"example-old_woman", "example-young"}
    assert suite.count("example") == 2
