"""Issue 12: `if C then A else B`, score tables (`points {...}`) and min/max.

Parsing and checking to the model, printing back to text that parses to the
same model, the checker's errors, and exact evaluation by the engine.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

import dsl
from dsl import model as m
from dsl.printer import format_expr
from dsl.printer import format_number
from engine import compile_ruleset, load_record_json

HEADER = 'ruleset t version "1"\nsource s "S"\n'
BASE = HEADER + """\
input a: bool
input b: bool
input age: int [18, 110]
input w: real [0, 10]
input rhythm: enum {sinus, af, flutter}
action act: drug "Act"
rule r "r" when true recommend act category 1 sources [s]
"""


def define(expr: str) -> m.Definition:
    rs, _ = dsl.check_text(BASE + f"define d = {expr}\nconstraint K \"k\": d == d\n", "t.rules")
    return rs.definition("d")


def errors(body: str) -> list[str]:
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(BASE + body, "t.rules")
    return [d.message for d in info.value.diagnostics if d.severity == "error"]


def test_points_table_is_one_node_with_exact_weights() -> None:
    d = define("points {\n  a: 1,\n  age >= 75: 2,\n  b and age >= 65: 0.5,\n}")
    assert isinstance(d.expr, m.Points)
    assert d.expr.weights == (Fraction(1), Fraction(2), Fraction(1, 2))
    assert d.type == m.NumType(False)
    assert define("points { a: 1, b: -1 }").type == m.NumType(True)


def test_if_then_else_types() -> None:
    assert define("if a then 1 else 2").type == m.NumType(True)
    assert define("if a then 1 else w").type == m.NumType(False)
    assert define("if a then b else age > 3").type == m.BOOL
    d = define("(if a then rhythm else af) == af")  # a bare enum value takes the other branch's enum
    assert isinstance(d.expr, m.Compare) and isinstance(d.expr.left, m.Ite)
    assert d.expr.left.else_ == m.EnumLit("rhythm", "af", d.expr.left.else_.span)


def test_min_max() -> None:
    d = define("max(1, min(age, 80), w)")
    assert isinstance(d.expr, m.MinMax) and d.expr.op == "max" and len(d.expr.args) == 3
    assert d.type == m.NumType(False)


@pytest.mark.parametrize("text", [
    "points {a: 1, age >= 75: 2, b and age >= 65: 0.5}",
    "if a then 1 else 2",
    "1 + (if a then 2 else 3) * 2",
    "if a then if b then 1 else 2 else max(3, age)",
    "(if a then b else age > 3) implies b",
    "min(age, 3) - -max(w, 1.5)",
])
def test_printer_round_trips(text: str) -> None:
    first = define(text).expr
    printed = format_expr(first)
    again = define(printed).expr
    assert format_expr(again) == printed
    assert printed == text


def test_if_binds_loosest() -> None:
    d = define("if a then 1 else 2 + 3")
    assert isinstance(d.expr, m.Ite) and isinstance(d.expr.else_, m.Arith)


@pytest.mark.parametrize("body, message", [
    ("define d = points { age: 1 }\n", "each line of 'points' must be a condition (bool), not a number"),
    ("define d = if age then 1 else 2\n", "the condition of 'if' must be a condition (bool), not a number"),
    ("define d = if a then 1 else b\n", "the branches of 'if' must have the same type, not a number and a condition (bool)"),
    ("define d = mn(age, 2)\n", "unknown function 'mn' (functions: min, max); did you mean 'min'?"),
    ("define d = max(age)\n", "'max' needs at least two numbers"),
    ("define d = min(age, b)\n", "'min' needs numbers, not a condition (bool)"),
    ("define d = (if a then rhythm else G9) == af\n", "'G9' is not a value of rhythm (values: sinus, af, flutter)"),
])
def test_checker_errors(body: str, message: str) -> None:
    assert message in errors(body)


def test_syntax_error_points_without_weight() -> None:
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(BASE + "define d = points { a }\n", "t.rules")
    assert "expected" in info.value.render()


SCORE = BASE.replace('rule r "r" when true', 'rule r "r" when score >= 3') + """\
define score = points { a: 1, age >= 75: 2, age >= 65 and age < 75: 1, b: 2 }
define capped = min(score, 3) + max(w, 2.5) + (if a then 0.25 else 0)
rule r2 "r2" when score < 3 and capped > 4 recommend act category 2A sources [s]
"""


@pytest.mark.parametrize("record, score, capped", [
    ('"a": false, "b": false, "age": 40, "w": 0', 0, Fraction(5, 2)),
    ('"a": true, "b": true, "age": 80, "w": 3', 5, Fraction(25, 4)),
    ('"a": true, "b": false, "age": 70, "w": 2.7', 2, Fraction(99, 20)),
    ('"a": false, "b": false, "age": 70, "w": 3.0000000000000000001', 1, Fraction(4) + Fraction(1, 10**19)),
])
def test_engine_is_exact_and_explains_the_score(record: str, score: int, capped: Fraction) -> None:
    rs, _ = dsl.check_text(SCORE, "t.rules")
    ev = compile_ruleset(rs)
    d = ev.evaluate(ev.validate(load_record_json("{" + record + ', "rhythm": "af"}')), trace=True)
    fired = set(d.fired)
    assert ("r" in fired) == (score >= 3)
    assert ("r2" in fired) == (score < 3 and capped > 4)
    shown = [v for t in d.trace for c in t.conditions for v in c.values]
    if fired:
        assert any(v.startswith(f"score = {score} (") for v in shown), shown
    if "r2" in fired:
        assert "capped = " + format_number(capped) in shown
