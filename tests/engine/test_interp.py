"""The model walker (engine.interp) against the compiled code (engine.codegen), value for value.

The evaluator walks the model for its first records and compiles afterwards,
so the two must never differ: on the project's rulesets, on a ruleset using
every expression form, and on small random DMN tables of every hit policy,
for seeded random records leaning on the thresholds each ruleset names.
"""

from __future__ import annotations

import gc
import random
import weakref
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import dsl
from dsl import model as m
from dsl.printer import conjuncts
from engine import codegen, compile_ruleset, evaluator
from engine.codegen import fraction_to_decimal
from engine.interp import Interpreter
from tests.dmn.random_tables import random_table
from verifier.dmn import read_dmn, translate

REPO = Path(__file__).resolve().parents[2]
RULESETS = sorted((REPO / "rulesets").glob("*.rules")) + [REPO / "examples" / "wound.rules"]

# Every expression form the engine evaluates, with optional inputs.
EVERY_FORM = """\
ruleset forms version "1"
source s "S"
input a: bool
input b: bool
input age: int [0, 120]
input w: real [0, 10]
input rhythm: enum {sinus, af, flutter}
input hb: optional enum {pos, neg}
input kg: optional real [0.5, 6]
action act: drug "Act"
action other: drug "Other"
define score = points { a: 1, age >= 75: 2, b and age >= 65: 0.5, w > 2.25: -1.5 }
define whole = points { a: 1, age >= 75: 2, rhythm == af: 3 }
define worst = max(w, score, 1.5)
define least = min(age - 3, whole * 2, 7)
define mixed = if a then w * 0.1 else -w + 1
define heavy = if known(kg) then kg >= 2.5 else not b
define flag = (a implies b) and (a iff not b or rhythm not in {sinus})
define chain = heavy or flag and rhythm in {af, flutter}
constraint K1 "a positive test needs a weight": (known(hb) and hb == pos) implies (known(kg) or not a or true)
constraint K2 "young": age < 119 or not a
rule r1 "scores" when score >= 1.5 and whole != 3 recommend act category 1 sources [s]
rule r2 "min max" when worst > 2 or least <= 4 consider other category 2A sources [s]
rule r3 "conditional" when mixed < 0.55 and chain recommend other category 1 sources [s]
rule r4 "unknown" when known(hb) and hb == neg and heavy avoid act category 1 sources [s]
rule r5 "always" when true consider act category 3 sources [s]
"""


def _thresholds(rs: m.Ruleset) -> list[Fraction]:
    exprs = [d.expr for d in rs.definitions] + [r.condition for r in rs.rules] + [c.expr for c in rs.constraints]
    found = {n.value for e in exprs for n in m.walk(e) if isinstance(n, m.NumLit)}
    found |= {w for e in exprs for n in m.walk(e) if isinstance(n, m.Points) for w in n.weights}
    return sorted(found)


def _number(i: m.Input, rng: random.Random, cuts: list[Fraction]) -> int | Decimal:
    t = i.type
    lo, hi = Fraction(t.lo), Fraction(t.hi)
    pick = rng.random()
    if pick < 0.5 and cuts:
        v = rng.choice(cuts) + rng.choice([0, 0, 1, -1, Fraction(1, 10), Fraction(-1, 100)])
    elif pick < 0.6:
        v = rng.choice([lo, hi])
    else:
        v = lo + (hi - lo) * Fraction(rng.randrange(1001), 1000)
    if isinstance(t, m.IntType):
        v = Fraction(round(v))
    v = min(max(v, lo), hi)
    if v.denominator != 1 and isinstance(t, m.RealType):
        v = Fraction(round(v * 100), 100)  # a short decimal, as records carry
        v = min(max(v, lo), hi)
    return int(v) if v.denominator == 1 else fraction_to_decimal(v)


def random_records(rs: m.Ruleset, n: int, seed: int) -> list[dict[str, Any]]:
    """Validated-shaped records (values typed as the validator leaves them; constraints ignored)."""
    rng = random.Random(seed)
    cuts = _thresholds(rs)
    out = []
    for _ in range(n):
        rec: dict[str, Any] = {}
        for i in rs.inputs:
            if i.optional and rng.random() < 0.25:
                rec[i.name] = None
            elif isinstance(i.type, m.BoolType):
                rec[i.name] = rng.random() < 0.5
            elif isinstance(i.type, m.EnumType):
                rec[i.name] = rng.choice(i.type.values)
            else:
                rec[i.name] = _number(i, rng, cuts)
        out.append(rec)
    return out


def _exact(values: tuple[Any, ...]) -> list[tuple[str, str]]:
    """Values compared with their type and their exact text (Decimal('1.0') is not Decimal('1'))."""
    return [(type(v).__name__, str(v)) for v in values]


def assert_same(rs: m.Ruleset, records: list[dict[str, Any]]) -> None:
    failed, fired = codegen.build(rs)
    exprs: list[m.Expr] = [m.DefRef(d.name, m.type_of(d.expr), d.span) for d in rs.definitions]
    exprs += [c for r in rs.rules for c in conjuncts(r.condition)]
    values = codegen.build_predicate(rs, exprs)
    walker = Interpreter(rs)
    for rec in records:
        assert walker.failed_constraints(rec) == failed(rec), rec
        assert walker.fired_rules(rec) == fired(rec), rec
        assert _exact(walker.values(exprs, rec)) == _exact(values(rec)), rec


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_walker_agrees_with_compiled_code_on_the_rulesets(path: Path) -> None:
    rs = dsl.load_ruleset(path)
    assert_same(rs, random_records(rs, 300, seed=len(path.stem)))


def test_walker_agrees_on_every_expression_form() -> None:
    rs, _ = dsl.check_text(EVERY_FORM, "forms.rules")
    records = random_records(rs, 600, seed=3)
    assert_same(rs, records)
    # The records reach both sides of what matters (else the test proves little).
    fired = [set(Interpreter(rs).fired_rules(r)) for r in records]
    assert all(any(k in f for f in fired) and any(k not in f for f in fired) for k in range(4))


@pytest.mark.parametrize("seed", range(60))
def test_walker_agrees_on_random_dmn_tables(seed: int) -> None:
    rs = dsl.parse_ruleset(translate(read_dmn(random_table(seed, max_rows=9, max_cols=3), "r.dmn")).text)
    assert_same(rs, random_records(rs, 40, seed=seed))


@pytest.mark.parametrize("perturb", [0.0, 0.3])
def test_walker_agrees_on_a_synthetic_table(perturb: float) -> None:
    from verifier.dmn.synthetic import synthetic_dmn

    rs = dsl.parse_ruleset(translate(read_dmn(synthetic_dmn(150, 5, perturb=perturb, seed=4).encode(), "s.dmn")).text)
    rng = random.Random(5)
    records = []
    for _ in range(60):  # inside the table's ranges (the declared domains are far wider)
        rec: dict[str, Any] = {}
        for i in rs.inputs:
            if isinstance(i.type, m.EnumType):
                rec[i.name] = rng.choice(i.type.values)
            elif isinstance(i.type, m.IntType):
                rec[i.name] = rng.randrange(1000)
            else:
                rec[i.name] = fraction_to_decimal(Fraction(rng.randrange(1000), 10))
        records.append(rec)
    assert_same(rs, records)
    assert sum(bool(Interpreter(rs).fired_rules(r)) for r in records) > 10


def test_a_chain_longer_than_the_recursion_limit() -> None:
    n = 3000
    lines = ['ruleset deep version "1"', 'source s "S"', "input v: int [0, 10000]", 'action act: drug "Act"',
             "define d1 = v < 1"]
    lines += [f"define d{k} = d{k - 1} or v == {k}" for k in range(2, n + 1)]
    lines += [f"define e{k} = d{k} and v != {k}" for k in range(n - 5, n + 1)]
    lines.append(f'rule r "r" when e{n} and not d{n // 2} recommend act category 1 sources [s]')
    rs = dsl.parse_ruleset("\n".join(lines) + "\n")
    assert_same(rs, [{"v": v} for v in (0, 1, 2, 5, n // 2, n // 2 + 1, n - 1, n, n + 1)])
    # d<k> holds for v < 1 or 2 <= v <= k: the rule fires for v in [n/2 + 1, n - 1].
    walker = Interpreter(rs)
    probe = [0, 1, 2, 3, n // 2 - 1, n // 2, n // 2 + 1, n // 2 + 2, n - 2, n - 1, n, n + 1, 9999]
    assert [v for v in probe if walker.fired_rules({"v": v})] == [n // 2 + 1, n // 2 + 2, n - 2, n - 1]


def test_evaluator_decisions_and_traces_do_not_change_when_it_compiles() -> None:
    rs, _ = dsl.check_text(EVERY_FORM, "forms.rules")
    records = random_records(rs, 2 * evaluator.INTERPRETED_RECORDS + 5, seed=11)
    walking = compile_ruleset(rs)
    compiled = compile_ruleset(rs)
    compiled._compile()
    seen_walking = []
    for rec in records:
        seen_walking.append(walking._compiled)
        assert walking.evaluate(rec, trace=True) == compiled.evaluate(rec, trace=True)
        assert walking.evaluate(rec) == compiled.evaluate(rec)
    # Both paths were taken: the first records walked, the later ones ran compiled code.
    assert seen_walking[0] is False and seen_walking[-1] is True


def test_an_evaluator_is_freed_without_the_cycle_collector() -> None:
    # A cycle through the evaluator would keep a 1,500-row table's model alive until exit.
    rs, _ = dsl.check_text(EVERY_FORM, "forms.rules")
    rec = random_records(rs, 1, seed=1)[0]
    was = gc.isenabled()
    gc.disable()
    try:
        for compile_first in (False, True):
            ev = compile_ruleset(rs)
            if compile_first:
                ev._compile()
            ev.evaluate(rec, trace=True)
            ref = weakref.ref(ev)
            del ev
            assert ref() is None
    finally:
        if was:
            gc.enable()


def _nested(depth: int) -> str:
    e = "a"
    for k in range(depth):
        op = "and" if k % 2 else "or"
        e = f"(not {e} {op} b)" if k % 3 == 0 else f"({e} {op} b)"
    return e


def test_the_deepest_expression_the_checker_accepts() -> None:
    # The walker recurses within one expression (never across definitions), so the
    # checker's nesting bound is what keeps it off the recursion limit; called from
    # 300 frames down, as a host application might.
    head = 'ruleset t version "1"\nsource s "S"\ninput a: bool\ninput b: bool\naction act: drug "A"\n'
    for depth in range(100, 0, -1):
        try:
            rs = dsl.parse_ruleset(head + f'rule r "r" when {_nested(depth)} recommend act category 1 sources [s]\n')
            break
        except dsl.RulesetError:
            continue
    assert depth > 50
    records = [{"a": x, "b": y} for x in (False, True) for y in (False, True)]

    def down(n: int) -> None:
        if n:
            return down(n - 1)
        assert_same(rs, records)

    down(300)
