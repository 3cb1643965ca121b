"""Issue 12: grading schemes. Shipped schemes, a ruleset's own, "strongest" in
the scheme's order, and the scheme's own words in eval, report and diff."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import dsl
from dsl.grading import ESC, GRADE, NCCN, SHIPPED, USPSTF
from engine import compile_ruleset
from verifier.cli import cli
from verifier.diff.compare import diff_rulesets
from verifier.diff.render import render_all


def _rules(grading: str, strong: str, weak: str, avoid: str) -> str:
    return f"""ruleset g version "1"
{grading}
source s "S"
input a: bool
action act: drug "Act"
action other: drug "Other"
rule weak "weak" when a recommend act category {weak} sources [s]
rule strong "strong" when true recommend act category {strong} sources [s]
  avoid other category {avoid} sources [s]
"""


@pytest.mark.parametrize("grading, strong, weak, avoid, words", [
    ("", "2A", "2B", "3", ""),
    ("grading nccn", "1", "3", "2B", ""),
    ("grading esc", "I-C", "IIa-A", "III-B", "Class I, level C"),
    ("grading grade", "strong-low", "weak-high", "strong-moderate", "strong recommendation, low certainty of evidence"),
    ("grading uspstf", "A", "C", "D", "Grade A"),
    ('grading local "Committee" levels {firm, soft, never}', "firm", "soft", "never", "firm"),
])
def test_strongest_follows_the_scheme(grading: str, strong: str, weak: str, avoid: str, words: str) -> None:
    rs, _ = dsl.check_text(_rules(grading, strong, weak, avoid), "g.rules")
    d = compile_ruleset(rs).evaluate({"a": True})
    act = next(r for r in d.recommendations if r.action == "act")
    assert act.category == strong and act.rules == ("weak", "strong")
    out = d.to_json()
    if words:
        assert out["grading"] == rs.grading.name and out["recommendations"][0]["evidence"] == words
    else:  # NCCN outputs are unchanged
        assert "grading" not in out and "evidence" not in out["recommendations"][0]


def test_shipped_schemes_are_ordered_and_labelled() -> None:
    assert set(SHIPPED) == {"nccn", "esc", "grade", "uspstf"}
    assert NCCN.levels == ("1", "2A", "2B", "3")
    assert ESC.levels[:4] == ("I-A", "I-B", "I-C", "IIa-A") and ESC.levels[-1] == "III-C" and len(ESC.levels) == 12
    assert GRADE.rank("strong-very_low") < GRADE.rank("weak-high")
    assert USPSTF.label("I").startswith("I statement")
    for s in SHIPPED.values():
        assert len(set(s.levels)) == len(s.levels) == len(s.labels)


def test_a_category_outside_the_scheme_is_an_error() -> None:
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(_rules("grading esc", "I-A", "2A", "III-A"), "g.rules")
    msgs = [d.message for d in info.value.diagnostics]
    assert msgs == ["'2A' is not a level of grading esc (levels: I-A, I-B, I-C, IIa-A, IIa-B, IIa-C, "
                    "IIb-A, IIb-B, IIb-C, III-A, III-B, III-C)"]


def test_eval_text_and_report_use_the_schemes_words(tmp_path) -> None:
    p = tmp_path / "g.rules"
    p.write_text(_rules("grading esc", "I-C", "IIa-A", "III-B"), encoding="utf-8")
    res = CliRunner().invoke(cli, ["eval", str(p), "-"], input='{"a": true}')
    assert res.exit_code == 0 and "Class I, level C" in res.stdout and "Class III, level B" in res.stdout
    out = tmp_path / "r.html"
    res = CliRunner().invoke(cli, ["report", str(p), "-o", str(out), "--no-timing"])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "Class IIa, level A" in html and "category IIa-A" not in html


def test_diff_sees_a_category_change_in_the_scheme() -> None:
    old, _ = dsl.check_text(_rules("grading esc", "I-C", "IIa-A", "III-B"), "g.rules")
    new, _ = dsl.check_text(_rules("grading esc", "IIa-C", "IIa-A", "III-B"), "g.rules")
    report = diff_rulesets(old, new).to_json()
    text = json.dumps(report)
    assert "category changed" in text and '"I-C"' in text and '"IIa-A"' in text
    words = render_all([diff_rulesets(old, new)], "text", timing=False)
    assert "recommend (Class I, level C) -> recommend (Class IIa, level C)" in words
