"""The decision diagram is the engine's recommendation function, reduced and readable.

Laws: following a valid record down the diagram (whole, or the factored
view of overview + parts) reaches exactly the engine's decision; every drawn
path is taken by some valid record (Z3 says so); the diagrams are reduced
(no question with one way out, no duplicate nodes) and ordered.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from typing import Any, Iterator

import pytest
import z3
from hypothesis import HealthCheck, given, settings

import dsl
from engine import Evaluator, RecordError, load_record_json
from engine.codegen import fraction_to_decimal
from verifier.solver.encoding import SAT, Encoding
from verifier.graph.decision import (
    Branch, DecisionView, Diagram, Leaf, LeafAction, PhaseLeaf, build_view, build_whole, outcome_of,
)
from verifier.graph.questions import Interval, Question
from verifier.cases.strategies import valid_records

from tests.conftest import EXAMPLES_DIR, REPO
from tests.verifier_helpers import rule, ruleset

GENERATED = REPO / "generated_cases"


@pytest.fixture(scope="module")
def view(lipo_ruleset: dsl.Ruleset) -> DecisionView:
    return build_view(lipo_ruleset)


@pytest.fixture(scope="module")
def whole(lipo_ruleset: dsl.Ruleset) -> Diagram:
    return build_whole(lipo_ruleset)


def _examples() -> list[dict[str, Any]]:
    paths = sorted(EXAMPLES_DIR.glob("*.json"))
    assert len(paths) >= 9, f"the worked examples are missing from {EXAMPLES_DIR}"
    return [json.loads(p.read_text())["patient"] for p in paths]


def _answer_values(q: Question) -> list[Any]:
    """Values that between them give every answer to ``q``, with each piece's edges for numbers."""
    if q.kind != "number":
        return list(q.values)
    out: list[Any] = []
    for piece in q.values:
        assert isinstance(piece, Interval)
        for v in (piece.lo, piece.hi, (piece.lo + piece.hi) / 2):
            if piece.contains(v) and v not in out:
                out.append(v)
    return out


def _json_value(v: Any) -> Any:
    """A record value: piece edges and midpoints of decimal bounds are finite decimals, kept exact."""
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else fraction_to_decimal(v)
    return v


def mutated_records(ev: Evaluator, domains_questions: tuple[Question, ...], n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Valid records near the worked examples: 1-4 inputs changed at a time, invalid ones dropped."""
    rng = random.Random(seed)
    choices = {q.input: _answer_values(q) for q in domains_questions if q.input is not None}
    names = sorted(choices)
    pool = [ev.validate(load_record_json(json.dumps(r))) for r in _examples()]
    out = list(pool)
    tries = 0
    while len(out) < n and tries < 40 * n:
        tries += 1
        r = dict(rng.choice(out))
        for _ in range(rng.randint(1, 4)):
            name = rng.choice(names)
            r[name] = _json_value(rng.choice(choices[name]))
        try:
            out.append(ev.validate(r))
        except RecordError:
            continue
    return out


def _generated_records(ruleset: dsl.Ruleset) -> Iterator[dict[str, Any]]:
    """Records in generated_cases/<ruleset>/ if the case generator has written any (any JSON layout)."""
    names = {i.name for i in ruleset.inputs}
    root = GENERATED / ruleset.name

    def found(obj: Any) -> Iterator[dict[str, Any]]:
        if isinstance(obj, dict):
            if names <= obj.keys():
                yield {k: obj[k] for k in names}
                return
            for v in obj.values():
                yield from found(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from found(v)

    if not root.is_dir():
        return
    for path in sorted(root.rglob("*.json*")):
        lines = path.read_text(encoding="utf-8").splitlines() if path.suffix == ".jsonl" else [path.read_text(encoding="utf-8")]
        for line in lines:
            if line.strip():
                yield from found(load_record_json(line))


# ---------------------------------------------------------------- agreement with the engine


def test_examples_reach_the_engines_decision(lipo_evaluator: Evaluator, view: DecisionView, whole: Diagram) -> None:
    for raw in _examples():
        record = lipo_evaluator.validate(load_record_json(json.dumps(raw)))
        expected = outcome_of(lipo_evaluator.evaluate(record))
        assert view.leaf_for(record) == expected
        assert whole.end(record) == expected


def test_mutated_records_reach_the_engines_decision(lipo_evaluator: Evaluator, view: DecisionView, whole: Diagram) -> None:
    records = mutated_records(lipo_evaluator, view.overview.questions, 3000)
    assert len(records) >= 2000, "the mutation found too few valid records to mean anything"
    fired_sets = set()
    for record in records:
        decision = lipo_evaluator.evaluate(record)
        fired_sets.add(decision.fired)
        expected = outcome_of(decision)
        assert view.leaf_for(record) == expected, record
        assert whole.end(record) == expected, record
    # The records must exercise much of the diagram, not one corner of it.
    assert len(fired_sets) >= 100


def test_generated_cases_reach_the_engines_decision(lipo_ruleset: dsl.Ruleset, lipo_evaluator: Evaluator,
                                                    view: DecisionView, whole: Diagram) -> None:
    count = 0
    for raw in _generated_records(lipo_ruleset):
        try:
            record = lipo_evaluator.validate(raw)
        except RecordError:
            continue  # a generated case meant to be invalid
        expected = outcome_of(lipo_evaluator.evaluate(record))
        assert view.leaf_for(record) == expected
        assert whole.end(record) == expected
        count += 1
    if not (GENERATED / lipo_ruleset.name).is_dir():
        assert count == 0  # nothing generated yet: the examples and mutations above carry the test


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_records(dsl.load_ruleset(REPO / "rulesets" / "liposarcoma.rules")))
def test_any_valid_record_reaches_the_engines_decision(data: dict[str, Any]) -> None:
    rs, ev, v = _lipo()
    record = ev.validate(data)
    expected = outcome_of(ev.evaluate(record))
    assert v.leaf_for(record) == expected


_CACHE: dict[str, Any] = {}


def _lipo() -> tuple[dsl.Ruleset, Evaluator, DecisionView]:
    if not _CACHE:
        from engine import compile_ruleset

        rs = dsl.load_ruleset(REPO / "rulesets" / "liposarcoma.rules")
        _CACHE["v"] = (rs, compile_ruleset(rs), build_view(rs))
    return _CACHE["v"]


# ---------------------------------------------------------------- shape


def _diagrams(view: DecisionView) -> Iterator[Diagram]:
    yield view.overview
    for s in view.sections:
        for p in s.parts:
            yield p.diagram


def test_diagrams_are_reduced_and_ordered(view: DecisionView, whole: Diagram) -> None:
    for d in [*_diagrams(view), whole]:
        assert len(set(d.nodes)) == len(d.nodes), "hash-consing: no two nodes alike"
        for node in d.nodes:
            if not isinstance(node, Branch):
                continue
            targets = [t for _, t in node.edges]
            assert len(set(targets)) == len(targets) >= 2, "edges to one place are merged; one way out is no question"
            masks = [mask for mask, _ in node.edges]
            assert all(a & b == 0 for i, a in enumerate(masks) for b in masks[i + 1:])
            for t in targets:
                child = d.nodes[t]
                if isinstance(child, Branch):
                    assert child.question > node.question, "questions come in one order on every path"


def test_the_overview_sorts_records_into_phases(view: DecisionView, lipo_ruleset: dsl.Ruleset) -> None:
    leaves = [view.overview.nodes[k] for k in view.overview.leaves()]
    assert all(isinstance(x, PhaseLeaf) for x in leaves)
    assert sorted(p for x in leaves for p in x.phases) == sorted(p.name for p in lipo_ruleset.phases)
    # The phase-deciding inputs come first.
    assert view.overview.questions[view.overview.nodes[0].question].name == "site"


def test_the_view_is_small_enough_to_read(view: DecisionView, whole: Diagram) -> None:
    # The whole diagram multiplies out independent work-up steps; the view must not.
    for s in view.sections:
        assert sum(p.diagram.size for p in s.parts) <= 60, s.phases
    assert whole.size > 3 * sum(sum(p.diagram.size for p in s.parts) for s in view.sections)


def test_work_up_steps_are_separate_parts(view: DecisionView) -> None:
    workup = view.section(("workup",))
    board = next(p for p in workup.parts if "workup_board" in p.rules)
    # Three rules asking the same one question are drawn as one part with one question.
    assert set(board.rules) == {"workup_board", "workup_pet", "workup_no_surgery_before_board"}
    assert len(board.diagram.nodes) == 3


# ---------------------------------------------------------------- every path is real


def _fact(enc: Encoding, q: Question, mask: int, d: Diagram | None = None) -> z3.BoolRef:
    """The Z3 condition "the answer to q is one of mask"."""
    picked = [k for k in range(q.size) if (mask >> k) & 1]
    if q.kind == "test":
        assert d is not None and len(picked) == 1
        t = enc.term(d.domains.tests[q.name])
        return t if q.values[picked[0]] else z3.Not(t)
    var = enc.inputs[q.input]  # type: ignore[index]
    ors = []
    for k in picked:
        v = q.values[k]
        if q.kind == "bool":
            ors.append(var == z3.BoolVal(v, enc.ctx))
        elif q.kind == "enum":
            ors.append(var == enc.enum_index(q.input, v))  # type: ignore[arg-type]
        else:
            lo = z3.RealVal(f"{v.lo.numerator}/{v.lo.denominator}", enc.ctx)
            hi = z3.RealVal(f"{v.hi.numerator}/{v.hi.denominator}", enc.ctx)
            ors.append(z3.And(var >= lo if v.lo_closed else var > lo, var <= hi if v.hi_closed else var < hi))
    return z3.Or(ors)


def _paths(d: Diagram, at: int = 0) -> Iterator[list[tuple[int, int]]]:
    """Every (node, mask) path from ``at`` to a leaf; the last entry is (leaf, 0)."""
    node = d.nodes[at]
    if not isinstance(node, Branch):
        yield [(at, 0)]
        return
    for mask, target in node.edges:
        for rest in _paths(d, target):
            yield [(at, mask), *rest]


def test_every_drawn_path_is_taken_by_a_valid_record(lipo_ruleset: dsl.Ruleset, view: DecisionView) -> None:
    enc = Encoding(lipo_ruleset)
    phase_terms = {p.name: enc.definitions[p.name] for p in lipo_ruleset.phases}
    checked = 0
    for path in _paths(view.overview):
        facts = [_fact(enc, view.overview.questions[view.overview.nodes[n].question], mask) for n, mask in path[:-1]]
        assert enc.check(*facts).status == SAT
        checked += 1
    for s in view.sections:
        within = [t if name in s.phases else z3.Not(t) for name, t in phase_terms.items()]
        for part in s.parts:
            d = part.diagram
            reached = set()
            for path in _paths(d):
                facts = [_fact(enc, d.questions[d.nodes[n].question], mask) for n, mask in path[:-1]]
                assert enc.check(*within, *facts).status == SAT, (s.phases, part.rules, path)
                reached.add(path[-1][0])
                checked += 1
            assert reached == set(d.leaves())
    assert checked > 50


def _every_path_is_satisfiable(enc: Encoding, view: DecisionView) -> int:
    """Z3 decides each drawn path of the overview and of every part; the number checked."""
    rs = view.ruleset
    phase_terms = {p.name: enc.definitions[p.name] for p in rs.phases}
    checked = 0
    for s in view.sections:
        within = [t if name in s.phases else z3.Not(t) for name, t in phase_terms.items()]
        for part in s.parts:
            d = part.diagram
            for path in _paths(d):
                facts = [_fact(enc, d.questions[d.nodes[n].question], mask, d) for n, mask in path[:-1]]
                answer = enc.check(*within, *facts)
                assert answer.status == SAT, (s.phases, part.rules, path)
                checked += 1
    return checked


MINIMAL_ARITHMETIC = (
    "input a: int [0, 1]\ninput b: int [0, 3]\ndefine s = a + b\n"
    "action dx: k \"X\"\naction dy: k \"Y\"\naction dz: k \"Z\"\n"
    + rule("rx", "s >= 2", "recommend dx")
    + rule("ry", "s - a == 0", "recommend dy")
    + rule("rz", "s < 2 and s - a != 0", "recommend dz")
    + "conflict dx with dy\n"
)


def test_arithmetic_questions_draw_no_impossible_path() -> None:
    """Issue 13: comparisons over several inputs are not independent bits; check proves
    dx and dy never meet, so no drawn leaf may show them together."""
    from verifier.check.run import check_ruleset

    rs = ruleset(MINIMAL_ARITHMETIC)
    report = check_ruleset(rs)
    assert [r.status for r in report.results if r.property == "conflict(dx,dy)"] == ["proved"]
    view = build_view(rs)
    assert _every_path_is_satisfiable(Encoding(rs), view) >= 4
    leaves = [p.diagram.nodes[k] for s in view.sections for p in s.parts for k in p.diagram.leaves()]
    assert not any(x.contradictions for x in leaves if isinstance(x, Leaf))
    whole = build_whole(rs)
    enc = Encoding(rs)
    for path in _paths(whole):
        facts = [_fact(enc, whole.questions[whole.nodes[n].question], mask, whole) for n, mask in path[:-1]]
        assert enc.check(*facts).status == SAT, path
    from engine import compile_ruleset

    ev = compile_ruleset(rs)
    for a in range(2):
        for b in range(4):
            record = ev.validate({"a": a, "b": b})
            assert view.leaf_for(record) == outcome_of(ev.evaluate(record))
            assert whole.end(record) == outcome_of(ev.evaluate(record))


# ---------------------------------------------------------------- small rulesets


def test_numbers_are_cut_at_the_thresholds_the_rules_use() -> None:
    rs = ruleset(
        "input size: real [0, 100] unit \"cm\"\ninput num: int [0, 9]\n"
        "action a: k \"A\"\naction b: k \"B\"\n"
        + rule("ra", "size > 5 and num >= 3", "recommend a")
        + rule("rb", "size <= 5 or num == 0", "consider b")
    )
    d = build_whole(rs)
    q = {x.name: x for x in d.questions}
    assert q["size"].answers == ("≤ 5 cm", "> 5 cm")
    assert q["num"].answers == ("0", "1–2", "≥ 3")
    from engine import compile_ruleset

    ev = compile_ruleset(rs)
    for size in (0, 5, Fraction(501, 100), 100):
        for num in range(10):
            record = ev.validate({"size": _json_value(Fraction(size)), "num": num})
            assert d.end(record) == outcome_of(ev.evaluate(record))


def test_a_comparison_of_two_inputs_is_a_question_of_its_own() -> None:
    rs = ruleset(
        "input a: int [0, 5]\ninput b: int [0, 5]\naction act: k \"X\"\n"
        + rule("r", "a + 1 > b", "recommend act")
    )
    d = build_whole(rs)
    assert [q.kind for q in d.questions if q.kind == "test"] == ["test"]
    from engine import compile_ruleset

    ev = compile_ruleset(rs)
    for a in range(6):
        for b in range(6):
            record = ev.validate({"a": a, "b": b})
            assert d.end(record) == outcome_of(ev.evaluate(record))


def test_constraints_cut_branches_without_valid_records() -> None:
    rs = ruleset(
        "input s: enum {p, q, r}\ninput f: bool\naction ax: k \"X\"\naction ay: k \"Y\"\n"
        "constraint C1 \"r needs f\": s == r implies f\n"
        + rule("rx", "s == r and not f", "recommend ax")  # can never fire
        + rule("ry", "f", "recommend ay")
    )
    d = build_whole(rs)
    leaves = [d.nodes[k] for k in d.leaves()]
    assert all(isinstance(x, Leaf) for x in leaves)
    assert not any(o.action == "ax" for x in leaves for o in x.outcomes), "a leaf no valid record reaches"
    # For s == r the constraint forces f, so f is not asked on that branch: it ends in a leaf.
    root = d.nodes[0]
    assert isinstance(root, Branch) and d.questions[root.question].name == "s"
    r_mask = 1 << d.questions[root.question].values.index("r")
    target = next(t for mask, t in root.edges if mask & r_mask)
    assert d.nodes[target] == Leaf((LeafAction("ay", "recommend", "1", ()),))


def test_rulesets_without_phases_have_one_section() -> None:
    rs = ruleset(
        "input f: bool\ninput g: bool\naction ax: k \"X\"\naction ay: k \"Y\"\n"
        + rule("rx", "f", "recommend ax") + rule("ry", "g", "avoid ay")
    )
    v = build_view(rs)
    assert isinstance(v.overview.nodes[0], PhaseLeaf) and len(v.sections) == 1
    assert [p.rules for p in v.sections[0].parts] == [("rx",), ("ry",)]


def test_drawing_a_ruleset_without_arithmetic_questions_imports_no_z3() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from dsl import load_ruleset\n"
        "from verifier.graph.decision import build_view\n"
        "from verifier.graph.decision_dot import decision_dot\n"
        f"decision_dot(build_view(load_ruleset({str(REPO / 'rulesets' / 'liposarcoma.rules')!r})), None, None)\n"
        "print('z3' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "False"


def test_the_cli_draws_no_impossible_conflict(tmp_path) -> None:
    from click.testing import CliRunner

    from tests.verifier_helpers import HEADER
    from verifier.cli import cli

    rules = tmp_path / "minimal.rules"
    rules.write_text(HEADER + MINIMAL_ARITHMETIC)
    res = CliRunner().invoke(cli, ["graph", str(rules), "--view", "decision", "-o", str(tmp_path / "d.dot")])
    assert res.exit_code == 0, res.output
    dot = (tmp_path / "d.dot").read_text()
    assert "conflict" not in dot and "dx" in dot and "dy" in dot
