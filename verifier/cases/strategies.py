"""Hypothesis strategies for valid patient records of any ruleset (the public API).

``valid_records(ruleset)`` draws valid records; ``valid_records_with_boundaries(ruleset)``
also moves half of them onto a threshold of the ruleset or one step beside
it. Both yield plain JSON values for every input, ready for the engine.

Generate-and-filter fails for real rulesets: a random record breaks some of
the liposarcoma constraints almost always. Instead a record is drawn in full
from the input domains, with a second candidate value and a priority per
input, and then repaired with Z3: every value is an assumption, and while
the constraints reject the set, the core member of highest priority gives
way, first to its second candidate, then to whatever Z3 completes. Now and
then the record also aims at a rule (its condition joins the assumptions),
since random values rarely reach the later phases of a guideline, where most
rules live.

All draws happen before Z3 is asked anything. Which core Z3 returns depends
on the solver's history, and Hypothesis rejects strategies whose sequence of
draws varies between replays of the same choices; drawing everything up
front keeps the sequence fixed. Numbers are drawn with a bias towards the
boundaries the ruleset itself names (domain bounds and the thresholds each
input is compared with, with their neighbours), where off-by-one mistakes live.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any, Callable, TypeVar

import z3
from hypothesis import strategies as st

from dsl import model as m
from verifier.cases.finder import Fact, RecordFinder
from verifier.facts.thresholds import REAL_STEP, SIDES, input_cuts, thresholds
from verifier.solver.encoding import SAT, UNSAT, Encoding
from verifier.facts.values import json_record
from verifier.solver.plain_models import is_simple, round_reals

_prepared: dict[int, tuple[m.Ruleset, "_Prepared"]] = {}


class _Prepared:
    """Everything about a ruleset the strategy needs, built once per ruleset."""

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset
        self.enc = Encoding(ruleset)
        # Each number input leans towards the thresholds it is compared with.
        cuts = input_cuts((ruleset,), properties=True)
        literals = {i.name: sorted(cuts.get(i.name, ())) for i in ruleset.inputs}
        self.values = {i.name: _value_strategy(i, literals[i.name]) for i in ruleset.inputs}
        for i in ruleset.inputs:  # an optional input is unknown (null) in one draw of five
            if i.optional:
                self.values[i.name] = st.one_of(st.none(), self.values[i.name], self.values[i.name],
                                                self.values[i.name], self.values[i.name])
        self.rule_ids = tuple(r.id for r in ruleset.rules)
        self.edges = {i.name: _edges(i, literals[i.name]) for i in ruleset.inputs}
        self._ids: dict[int, int] = {}
        # Reals and wide ints have no cached literal per value: a literal
        # meaning "holds the drawn value" is bound inside a push scope.
        self.pick = {i.name: z3.Bool(f"pick!{i.name}", self.enc.ctx) for i in ruleset.inputs}
        self.repick = {i.name: z3.Bool(f"repick!{i.name}", self.enc.ctx) for i in ruleset.inputs}
        # Create the finite-domain literals now, in a fixed order, so that the
        # solver state does not depend on which records came first.
        for i in ruleset.inputs:
            for v in _finite_values(i) + ((None,) if i.optional else ()):
                self.enc.value_lit(i.name, v)
        for r in ruleset.rules:
            self.enc.tracked(f"fires!{r.id}", self.enc.fires[r.id])

    def lit_id(self, lit: z3.BoolRef) -> int:
        """The AST id of a literal (memoised: get_id goes through several wrappers)."""
        key = id(lit)
        got = self._ids.get(key)
        if got is None:
            got = self._ids[key] = lit.get_id()
        return got

    def random_value(self, rnd: Any, inp: m.Input) -> Any:
        """A value of ``inp`` from ``rnd``, with the same boundary bias as the drawn values."""
        t = inp.type
        if inp.optional and rnd.random() < 0.2:  # issue 12: unknown
            return None
        if isinstance(t, m.BoolType):
            return rnd.random() < 0.5
        if isinstance(t, m.EnumType):
            return rnd.choice(t.values)
        edges = self.edges[inp.name]
        if edges and rnd.random() < 0.5:
            return rnd.choice(edges)
        if isinstance(t, m.IntType):
            return rnd.randint(t.lo, t.hi)
        lo, hi = _grid_bounds(Fraction(t.lo), Fraction(t.hi))
        return Fraction(rnd.randint(lo, hi), 100) if lo <= hi else rnd.choice(edges)


def _finite_values(inp: m.Input) -> tuple[Any, ...]:
    t = inp.type
    if isinstance(t, m.BoolType):
        return (False, True)
    if isinstance(t, m.EnumType):
        return t.values
    if isinstance(t, m.IntType) and t.hi - t.lo < Encoding._FINITE:
        return tuple(range(t.lo, t.hi + 1))
    return ()


def _boundaries(lo: Fraction, hi: Fraction, literals: list[Fraction], step: Fraction) -> list[Fraction]:
    out = {lo, hi}
    for v in literals:
        out.update({v - step, v, v + step})
    return sorted(v for v in out if lo <= v <= hi)


def _edges(inp: m.Input, literals: list[Fraction]) -> list[Any]:
    """Boundary values worth trying for a number input (empty for others)."""
    t = inp.type
    if isinstance(t, m.IntType):
        ints = [v for v in literals if v.denominator == 1]
        return [int(v) for v in _boundaries(Fraction(t.lo), Fraction(t.hi), ints, Fraction(1))]
    if isinstance(t, m.RealType):
        return list(_boundaries(Fraction(t.lo), Fraction(t.hi), literals, REAL_STEP))
    return []


def _grid_bounds(lo: Fraction, hi: Fraction) -> tuple[int, int]:
    """The integer range n with n/100 within [lo, hi]."""
    return int(-((-lo * 100) // 1)), int((hi * 100) // 1)


def _value_strategy(inp: m.Input, literals: list[Fraction]) -> st.SearchStrategy[Any]:
    t = inp.type
    if isinstance(t, m.BoolType):
        return st.booleans()
    if isinstance(t, m.EnumType):
        return st.sampled_from(t.values)
    edges = _edges(inp, literals)
    if isinstance(t, m.IntType):
        return _mostly_edges(edges, st.integers(t.lo, t.hi))
    # Random reals on a grid of hundredths: exact decimals the engine reads back exactly.
    lo, hi = _grid_bounds(Fraction(t.lo), Fraction(t.hi))
    grid = st.integers(lo, hi).map(lambda n: Fraction(n, 100))
    return _mostly_edges(edges, grid) if lo <= hi else st.sampled_from(edges)


def _mostly_edges(edges: list[Any], anywhere: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Two draws in three on a boundary (a threshold, its neighbours, a bound).

    A drawn value often gives way to a constraint (size > 5 when deep), so an
    even split reaches each boundary too rarely for the cases that matter.
    """
    if not edges:
        return anywhere
    on_edge = st.sampled_from(edges)
    return st.integers(0, 2).flatmap(lambda k: anywhere if k == 0 else on_edge)


T = TypeVar("T")


def per_ruleset(cache: dict[int, tuple[m.Ruleset, Any]], ruleset: m.Ruleset, build: Callable[[m.Ruleset], T]) -> T:
    """``build(ruleset)``, made once per ruleset object.

    Keyed by identity (hashing a whole ruleset per draw would be slow); the
    ruleset is kept alive beside its entry so the id cannot be reused.
    """
    hit = cache.get(id(ruleset))
    if hit is None or hit[0] is not ruleset:
        hit = (ruleset, build(ruleset))
        cache[id(ruleset)] = hit
    return hit[1]


def _prepare(ruleset: m.Ruleset) -> _Prepared:
    return per_ruleset(_prepared, ruleset, _Prepared)


class NoValidRecord(Exception):
    """The ruleset's constraints admit no record at all."""


class _Handle:
    """The ruleset as a strategy argument, with a short repr: Hypothesis prints
    strategy arguments in its reports, and a whole Ruleset runs to megabytes."""

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset

    def __repr__(self) -> str:
        return f"<ruleset {self.ruleset.name} {self.ruleset.version}>"


@st.composite
def _records(draw: st.DrawFn, handle: _Handle) -> dict[str, Any]:
    ruleset = handle.ruleset
    p = _prepare(ruleset)
    enc = p.enc
    first = {i.name: draw(p.values[i.name]) for i in ruleset.inputs}
    # The target rule, the fallback values and the order of giving way come
    # from one Random: one draw instead of dozens (draws dominate the cost).
    # Its seed mixes in the drawn values: Hypothesis mutates earlier
    # examples and keeps reusing a few seeds, which alone would aim at the
    # same few rules over and over. (A str seed hashes the same in every run.)
    rnd = random.Random(f"{draw(st.integers(0, 2**32 - 1))}:{sorted(first.items())}")
    target = rnd.choice(p.rule_ids) if p.rule_ids and rnd.random() < 0.5 else None
    second = {i.name: p.random_value(rnd, i) for i in ruleset.inputs}
    rank = {i.name: (rnd.random(), k) for k, i in enumerate(ruleset.inputs)}

    enc.solver.push()
    try:
        assumed = {name: _bind(p, p.pick, name, v) for name, v in first.items()}
        second_tried: set[str] = set()
        hard = [enc.tracked(f"fires!{target}", enc.fires[target])] if target is not None else []
        while True:
            ans = enc.check(assumptions=hard + list(assumed.values()))
            if ans.status == SAT:
                break
            if ans.status != UNSAT:
                raise RuntimeError(f"Z3 could not complete a record ({ans.reason})")
            clashing = [n for n, lit in assumed.items() if p.lit_id(lit) in ans.core]
            if not clashing:
                if hard:  # the target rule is dead: aim at nothing instead
                    hard = []
                    continue
                raise NoValidRecord(f"ruleset {ruleset.name}: no record satisfies its constraints")
            name = max(clashing, key=rank.__getitem__)
            if name in second_tried or second[name] == first[name]:
                del assumed[name]
            else:
                second_tried.add(name)
                assumed[name] = _bind(p, p.repick, name, second[name])
        assert ans.model is not None
        model = ans.model
        completed = [i for i in ruleset.inputs if i.name not in assumed and isinstance(i.type, m.RealType)]
        values = [enc.value_of(model, i) for i in completed]
        if any(v is not None and not is_simple(Fraction(v)) for v in values):
            # Z3 may complete a real with 1/3: move it to a short decimal.
            model = round_reals(enc, [], hard + list(assumed.values()), model)
        return json_record(enc.record_from_model(model))
    finally:
        enc.solver.pop()


def _bind(p: _Prepared, table: dict[str, z3.BoolRef], name: str, value: Any) -> z3.BoolRef:
    """A literal meaning "``name`` holds ``value``": cached, or bound in the current scope."""
    lit = p.enc.value_lit(name, value)
    if lit is None:
        lit = table[name]
        p.enc.solver.add(z3.Implies(lit, p.enc.equals(name, value)))
    return lit


def valid_records(ruleset: m.Ruleset) -> st.SearchStrategy[dict[str, Any]]:
    """Records (plain JSON values, every input) that satisfy every domain and constraint of ``ruleset``."""
    return _records(_Handle(ruleset))


# ---------------------------------------------------------------- thresholds


class _Targets:
    """The reachable boundary points of one ruleset and a solver to move records onto them."""

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.finder = RecordFinder(ruleset)
        self.base = valid_records(ruleset)
        facts = [th.fact(side) for th in thresholds(ruleset) for side in SIDES
                 if th.outside_domain(ruleset, side) is None]
        self.facts = tuple(f for f in facts if self.finder.satisfiable([Fact(f)]) == SAT)


_targets: dict[int, tuple[m.Ruleset, _Targets]] = {}


def _targets_of(ruleset: m.Ruleset) -> _Targets:
    return per_ruleset(_targets, ruleset, _Targets)


def boundary_points(ruleset: m.Ruleset) -> tuple[m.Expr, ...]:
    """Facts "subject == point" for every boundary point some valid record reaches."""
    return _targets_of(ruleset).facts


@st.composite
def _moved_onto_boundary(draw: st.DrawFn, handle: _Handle) -> dict[str, Any]:
    targets = _targets_of(handle.ruleset)
    base = draw(targets.base)
    if not targets.facts:
        return base
    # Every draw comes before the solver is asked (see verifier.cases.strategies on replayable draws).
    fact = draw(st.sampled_from(targets.facts))
    status, record = targets.finder.solve([Fact(fact)], prefer=base)
    return record if record is not None else base


def valid_records_with_boundaries(ruleset: m.Ruleset) -> st.SearchStrategy[dict[str, Any]]:
    """Valid records of ``ruleset`` (plain JSON values), half of them exactly at a
    threshold or one step beside it, the rest of the record kept as drawn where
    the constraints allow."""
    handle = _Handle(ruleset)
    return st.one_of(valid_records(ruleset), _moved_onto_boundary(handle))
