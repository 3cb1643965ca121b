"""Issue 12: tests that can see scores.

The classic score error of the AF ruleset (prior stroke worth 1 point
instead of 2) must be refuted by `check`, named by `cases --check` against
the committed suite, and killed by `mutate`; and every line of a score gets
records placing the score around each threshold it decides.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import dsl
from verifier.cases.generate import generate
from verifier.cases.store import load_suite, write_suite
from verifier.cli import cli
from verifier.mutation.analysis import analyse, suite_from_cases
from verifier.mutation.mutants import mutants

REPO = Path(__file__).resolve().parents[2]
AF = REPO / "rulesets" / "af_stroke.rules"
AF_CASES = REPO / "generated_cases" / "af_stroke"
GOOD_LINE = "    prior_stroke_tia:       2,   # S2\n"


def _edited(tmp_path: Path) -> Path:
    text = AF.read_text(encoding="utf-8")
    assert GOOD_LINE in text
    p = tmp_path / "af_stroke.rules"
    p.write_text(text.replace(GOOD_LINE, GOOD_LINE.replace("2,", "1,")), encoding="utf-8")
    return p


def test_prior_stroke_worth_one_point_is_refuted_by_check(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["check", str(_edited(tmp_path)), "--format", "json"])
    assert res.exit_code == 1
    refuted = {r["property"] for r in json.loads(res.stdout)["rulesets"][0]["results"] if r["status"] == "refuted"}
    assert "P1" in refuted


def test_prior_stroke_worth_one_point_is_named_by_cases_check(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["cases", str(_edited(tmp_path)), "--out", str(AF_CASES), "--check"])
    assert res.exit_code == 1
    assert "doac: strength recommend -> consider" in res.stdout


def test_prior_stroke_worth_one_point_is_killed_by_mutate() -> None:
    rs = dsl.load_ruleset(AF)
    made = [mu for mu in mutants(rs, frozenset(["shift-coefficient"]))
            if mu.description.endswith("`prior_stroke_tia`: 2 -> 1")]
    assert len(made) == 1
    suite = suite_from_cases("generated", rs, load_suite(AF_CASES).cases)
    report = analyse(rs, made, [suite], timeout_s=None)
    assert [o.status for o in report.outcomes] == ["killed"]


SCORE_RULES = """ruleset s version "1"
source s "S"
input a: bool
input b: bool
input c: bool
action treat: drug "Treat"
action watch: surveillance "Watch"
define score = points { a: 1, b: 1, c: 2 }
rule high "high" when score >= 2 recommend treat category 1 sources [s]
rule low "low" when score < 2 recommend watch category 1 sources [s]
"""


def test_each_line_of_a_score_gets_records_around_each_threshold(tmp_path: Path) -> None:
    rs = dsl.parse_ruleset(SCORE_RULES, "s.rules")
    suite = generate(rs, SCORE_RULES, timeout_s=None)
    write_suite(tmp_path, suite)
    stored = load_suite(tmp_path).cases
    scored = [p for c in stored for p in c["purposes"] if p["kind"] == "score"]
    seen = {(p["line"], p["side"], p["comparison"]) for p in scored}
    # `c: 2` alone is already 2: "c holds and score = 1" is impossible and listed as a gap.
    assert ("c: 2", "below", "high: score >= 2") not in seen
    assert {("a: 1", side, "high: score >= 2") for side in ("below", "on", "above")} <= seen
    assert ("c: 2", "on", "high: score >= 2") in seen
    gaps = [dict(g.fields) for g in suite.gaps if g.kind == "score"]
    assert {"line": "c: 2", "side": "below", "comparison": "high: score >= 2"}.items() <= next(
        g for g in gaps if g["line"] == "c: 2" and g["side"] == "below" and g["comparison"] == "high: score >= 2").items()
    # With them, every weight shifted a step either way is killed.
    cases_suite = suite_from_cases("generated", rs, stored)
    report = analyse(rs, mutants(rs, frozenset(["shift-coefficient", "drop-term"])), [cases_suite], timeout_s=None)
    assert {o.status for o in report.outcomes} <= {"killed", "equivalent"}
    assert sum(o.status == "killed" for o in report.outcomes) >= 6
