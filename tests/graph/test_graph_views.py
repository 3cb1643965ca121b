"""The rules view and the decision view as DOT and as rendered files, and `ruleproof graph`."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import dsl
from engine import Evaluator, load_record_json
from verifier.cli.graph_cmd import graph_command
from verifier.graph.render import Highlight, highlight_record, render
from verifier.graph.decision import DecisionView, build_view
from verifier.graph.decision_dot import decision_dot, overview_dot, section_dot
from verifier.graph.rules_view import node_id, rules_view

from tests.conftest import EXAMPLES_DIR, LIPO_RULES

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))
_NODE = re.compile(r'^\s*"?([^"\s]+)"? \[(.*)\]$')


def _nodes(dot: str) -> dict[str, str]:
    """Node id -> its attribute text, for the node statements of a DOT file (edges skipped)."""
    out = {}
    for line in dot.splitlines():
        found = _NODE.match(line)
        if found and " -> " not in line:
            out[found.group(1)] = found.group(2)
    return out


def _with_class(dot: str, cls: str) -> set[str]:
    return {n for n, attrs in _nodes(dot).items() if re.search(rf'class="[^"]*\b{cls}\b', attrs)}


def _highlight(rs: dsl.Ruleset, path: Path) -> Highlight:
    example = json.loads(path.read_text())
    return highlight_record(rs, load_record_json(json.dumps(example["patient"])), example["title"])


@pytest.fixture(scope="module")
def rules_dot(lipo_ruleset: dsl.Ruleset) -> str:
    return rules_view(lipo_ruleset)


@pytest.fixture(scope="module")
def view(lipo_ruleset: dsl.Ruleset) -> DecisionView:
    return build_view(lipo_ruleset)


# ---------------------------------------------------------------- rules view


def test_every_rule_and_action_is_drawn(lipo_ruleset: dsl.Ruleset, rules_dot: str) -> None:
    nodes = _nodes(rules_dot)
    for r in lipo_ruleset.rules:
        assert node_id("rule", r.id) in nodes, r.id
    for a in lipo_ruleset.actions:
        assert node_id("action", a.id) in nodes, a.id
    for p in lipo_ruleset.phases:
        assert node_id("phase", p.name) in nodes


def test_actions_carry_strength_colour_and_category(rules_dot: str) -> None:
    attrs = _nodes(rules_dot)
    assert "recommend cat. 1" in attrs[node_id("action", "postoperative_rt")]
    assert 'fillcolor="#fbd9d7"' in attrs[node_id("action", "pazopanib")]  # avoid: red
    assert "consider cat. 2B" in attrs[node_id("action", "neoadjuvant_chemotherapy")]


def test_shared_conditions_are_drawn_once_per_phase(rules_dot: str) -> None:
    # "subtype is not well_differentiated" is tested by 13 rules of the advanced phase: one node.
    conds = [a for n, a in _nodes(rules_dot).items() if n.startswith("cond-advanced_disease-")]
    assert sum("subtype is not well_differentiated" in a.replace("<br/>", " ") for a in conds) == 1
    edges_from = [ln for ln in rules_dot.splitlines() if '"input-subtype" ->' in ln]
    assert len(edges_from) < 20, "an input feeds condition nodes, not every rule"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_highlighting_a_patient_marks_exactly_the_fired_rules(
    path: Path, lipo_ruleset: dsl.Ruleset, lipo_evaluator: Evaluator
) -> None:
    hl = _highlight(lipo_ruleset, path)
    dot = rules_view(lipo_ruleset, hl)
    fired = set(lipo_evaluator.evaluate(lipo_evaluator.validate(hl.record)).fired)
    assert fired, "every worked example fires some rule"
    assert {n.removeprefix("rule-") for n in _with_class(dot, "fired")} == fired
    given = {a for r in lipo_ruleset.rules if r.id in fired for g in r.gives for a in g.actions}
    assert {n.removeprefix("action-") for n in _with_class(dot, "reached")} == given


def test_one_phase_alone(lipo_ruleset: dsl.Ruleset) -> None:
    dot = rules_view(lipo_ruleset, phase="surveillance")
    rules = {n.removeprefix("rule-") for n in _nodes(dot) if n.startswith("rule-")}
    assert rules == {"surv_individualized", "surv_high_grade", "surv_low_grade"}
    actions = {n.removeprefix("action-") for n in _nodes(dot) if n.startswith("action-")}
    assert actions == {"follow_up_individualized", "follow_up_high_grade", "follow_up_low_grade"}


# ---------------------------------------------------------------- decision view


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_decision_view_marks_the_records_path(path: Path, lipo_ruleset: dsl.Ruleset, view: DecisionView) -> None:
    hl = _highlight(lipo_ruleset, path)
    dot = decision_dot(view, hl)
    top, section, paths = view.walk(hl.record)
    k = view.sections.index(section)
    expected = {f"ov-{n}" for n, _ in top[:-1]}
    expected |= {f"s{k}p{j}-{n}" for j, p in enumerate(paths) for n, _ in p}
    on_path = _with_class(dot, "on-path") | _with_class(dot, "reached")
    assert on_path - {f"phase-{k}"} == expected
    # One reached leaf per part of the record's phase.
    assert len(_with_class(dot, "reached")) == len(section.parts)


def test_decision_view_of_one_phase_has_only_that_phase(view: DecisionView) -> None:
    dot = decision_dot(view, phase="postop")
    k = [s.phases for s in view.sections].index(("postop",))
    assert {n.split("p")[0] for n in _nodes(dot) if re.match(r"s\d+p\d+-", n)} == {f"s{k}"}
    assert "cluster_overview" not in dot


def test_same_ruleset_same_bytes(lipo_ruleset: dsl.Ruleset) -> None:
    again = dsl.load_ruleset(LIPO_RULES)
    hl = _highlight(lipo_ruleset, EXAMPLES[2])
    assert rules_view(lipo_ruleset) == rules_view(again)
    assert rules_view(lipo_ruleset, hl) == rules_view(again, _highlight(again, EXAMPLES[2]))
    v1, v2 = build_view(lipo_ruleset), build_view(again)
    assert decision_dot(v1) == decision_dot(v2)
    assert decision_dot(v1, hl) == decision_dot(v2, hl)
    assert overview_dot(v1) == overview_dot(v2)
    assert [section_dot(v1, s) for s in v1.sections] == [section_dot(v2, s) for s in v2.sections]


def test_rendered_svg_is_deterministic_and_complete(lipo_ruleset: dsl.Ruleset, rules_dot: str) -> None:
    assert shutil.which("dot") is not None, "renders with Graphviz's dot: `make test` installs it (apt-get install graphviz)"
    svg = render(rules_dot, "svg")
    assert svg == render(rules_view(dsl.load_ruleset(LIPO_RULES)), "svg")
    text = html.unescape(svg.decode())
    for r in lipo_ruleset.rules:
        assert f"<title>rule-{r.id}</title>" in text


# ---------------------------------------------------------------- the command


def _run(args: list[str], **kwargs: Any) -> Any:
    return CliRunner().invoke(graph_command, args, catch_exceptions=False, **kwargs)


@pytest.mark.parametrize("ext,magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF"), ("dot", b"digraph")])
def test_graph_writes_each_format(tmp_path: Path, ext: str, magic: bytes) -> None:
    out = tmp_path / f"g.{ext}"
    result = _run([str(LIPO_RULES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


def test_graph_decision_view_with_patient(tmp_path: Path) -> None:
    out = tmp_path / "d.dot"
    result = _run([str(LIPO_RULES), "--view", "decision", "--patient", str(EXAMPLES[4]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "on-path" in out.read_text()


def test_graph_without_dot_explains_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot` anywhere
    result = _run([str(LIPO_RULES), "-o", str(tmp_path / "g.svg")])
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.output
    assert not (tmp_path / "g.svg").exists()
    # DOT needs no Graphviz.
    result = _run([str(LIPO_RULES), "--view", "decision", "-o", str(tmp_path / "g.dot")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


@pytest.mark.parametrize(
    "args,message",
    [
        (["--phase", "nope"], "no phase named 'nope'"),
        (["--patient", "missing.json"], "cannot read patient record"),
        (["--counterexample", "P1"], "check P1 has no counterexample: it is proved"),
        (["--counterexample", "P99"], "no check named 'P99'"),
        (["--whole", "--view", "rules"], "--whole"),
    ],
)
def test_graph_bad_requests_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = _run([str(LIPO_RULES), "-o", str(tmp_path / "g.dot"), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_graph_rejects_an_unknown_extension(tmp_path: Path) -> None:
    result = _run([str(LIPO_RULES), "-o", str(tmp_path / "g.txt")])
    assert result.exit_code == 2 and "extension" in result.output


def test_graph_rejects_an_invalid_patient(tmp_path: Path) -> None:
    record = json.loads(EXAMPLES[0].read_text())["patient"]
    record["grade"] = "G9"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(record))
    result = _run([str(LIPO_RULES), "-o", str(tmp_path / "g.dot"), "--patient", str(bad)])
    assert result.exit_code == 2
    assert "grade" in result.output


def test_graph_highlights_a_counterexample(tmp_path: Path) -> None:
    # A property the liposarcoma rules break on purpose: some valid record gets wide excision.
    text = LIPO_RULES.read_text() + '\nproperty no_wide "never wide excision": not given(wide_excision)\n'
    rules = tmp_path / "broken.rules"
    rules.write_text(text)
    out = tmp_path / "cx.dot"
    result = _run([str(rules), "--counterexample", "no_wide", "-o", str(out)])
    assert result.exit_code == 0, result.output
    fired = {n.removeprefix("rule-") for n in _with_class(out.read_text(), "fired")}
    assert "primary_wide_excision" in fired
    assert "counterexample to no_wide" in out.read_text()


def test_a_ruleset_without_phases_draws_in_both_views() -> None:
    from tests.verifier_helpers import rule, ruleset

    rs = ruleset(
        "input f: bool\ninput size: real [0, 10]\naction ax: k \"X\"\naction ay: k \"Y\"\n"
        + rule("rx", "f and size > 2", "recommend ax") + rule("ry", "not f", "avoid ay")
    )
    rules_dot = rules_view(rs)
    assert {"rule-rx", "rule-ry", "action-ax", "action-ay"} <= set(_nodes(rules_dot))
    view = build_view(rs)
    dot = decision_dot(view, highlight_record(rs, {"f": True, "size": 3}, "a record"))
    assert "All rules" in dot
    # rx and ry both ask about f, so they read best as one part: one leaf reached.
    assert [p.rules for p in view.sections[0].parts] == [("rx", "ry")]
    assert len(_with_class(dot, "reached")) == 1
