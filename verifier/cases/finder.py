"""Finding simple valid records that meet a list of facts, reusing records already found.

A test suite is small when one record serves many purposes. So every request
("a record where rule r fires and its outcome shows") is first put to the
records already chosen, evaluated concretely by the engine's code generator
(fast: one compiled function gives every registered fact of a record at
once), and only then to Z3. A new record is made *simple*: starting from a
preferred record (the typical one, or the partner of an MC/DC pair) every
input keeps its preferred value unless the facts forbid it, greedily in
declaration order, so a reviewer sees few unusual values.

Requests come in levels, strongest first (for example "fires and shows" then
"fires"); the first level some record meets wins, an existing record before
a new one at the same level.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable, Iterator, Mapping, Sequence

import z3

from dsl import model as m
from engine import Evaluator, compile_ruleset
from engine.codegen import build_predicate
from verifier.solver.encoding import SAT, UNSAT, Encoding
from verifier.facts.values import engine_form, default_value, is_exact_record, json_record, to_fraction
from verifier.solver.plain_models import round_reals

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Fact:
    """``expr`` (a boolean expression over the ruleset's inputs and definitions) has ``value``."""

    expr: m.Expr
    value: bool = True


@dataclass(frozen=True, slots=True)
class Found:
    """A record meeting one level of a request: its index in the pool and the level met."""

    index: int
    level: int
    new: bool


@dataclass(frozen=True, slots=True)
class NotFound:
    """No valid record meets even the weakest level; ``undecided`` when Z3 gave up."""

    undecided: bool = False


class RecordFinder:
    """The pool of chosen records of one ruleset, and the solver that grows it."""

    def __init__(self, ruleset: m.Ruleset, enc: Encoding | None = None, evaluator: Evaluator | None = None) -> None:
        self.ruleset = ruleset
        self.enc = enc if enc is not None else Encoding(ruleset)
        self.ev = evaluator if evaluator is not None else compile_ruleset(ruleset)
        self.records: list[Record] = []
        # Pool records by content, so that adding one is not a scan of the pool (thousands at table scale).
        self._by_key: dict[tuple[tuple[str, Any], ...], int] = {}
        self._engine_records: list[dict[str, Any]] = []
        # Concrete evaluation: every registered expression, per record.
        self._slots: dict[int, int] = {}
        self._exprs: list[m.Expr] = []
        self._compiled: Any = None
        self._compiled_upto = 0
        self._values: list[tuple[bool, ...]] = []
        # Solver terms per (expression, value); the expressions are kept
        # alive so that their ids, the keys, are never reused.
        self._terms: dict[tuple[int, bool], Any] = {}
        self._alive: dict[int, m.Expr] = {}
        self.queries = 0

    # ------------------------------------------------------------ concrete side

    def register(self, exprs: Sequence[m.Expr]) -> None:
        """Make ``exprs`` evaluable on pool records (batch them: each batch recompiles)."""
        for e in exprs:
            if id(e) not in self._slots:
                self._slots[id(e)] = len(self._exprs)
                self._exprs.append(e)

    def _ensure_compiled(self) -> None:
        if self._compiled is None or self._compiled_upto != len(self._exprs):
            self._compiled = build_predicate(self.ruleset, list(self._exprs))
            self._compiled_upto = len(self._exprs)
            self._values = [tuple(self._compiled(r)) for r in self._engine_records]

    def holds(self, index: int, facts: Sequence[Fact]) -> bool:
        """Whether pool record ``index`` meets every fact."""
        slots = self._slots
        if any(id(f.expr) not in slots for f in facts):
            self.register([f.expr for f in facts])
        if self._compiled_upto != len(self._exprs) or self._compiled is None:
            self._ensure_compiled()
        values = self._values[index]
        for f in facts:
            if bool(values[slots[id(f.expr)]]) != f.value:
                return False
        return True

    def value(self, index: int, expr: m.Expr) -> bool:
        return self.holds(index, [Fact(expr, True)])

    def add(self, record: Mapping[str, Any]) -> int:
        """Put a record (plain JSON values, valid) into the pool; returns its index."""
        key = _record_key(record)
        if key is None:
            for k, r in enumerate(self.records):
                if r == record:
                    return k
        elif key in self._by_key:
            return self._by_key[key]
        norm = engine_form(self.ev, record)
        if key is not None:
            self._by_key[key] = len(self.records)
        self.records.append(dict(record))
        self._engine_records.append(norm)
        if self._compiled is not None and self._compiled_upto == len(self._exprs):
            self._values.append(tuple(self._compiled(norm)))
        else:
            self._compiled = None
        return len(self.records) - 1

    # ------------------------------------------------------------ solver side

    def _term(self, fact: Fact) -> Any:
        key = (id(fact.expr), fact.value)
        term = self._terms.get(key)
        if term is None:
            self._alive[id(fact.expr)] = fact.expr
            term = self.enc.term(fact.expr)
            if not fact.value:
                term = z3.Not(term)
            self._terms[key] = term
        return term

    def value_lit(self, name: str, value: Any) -> z3.BoolRef:
        """A literal meaning "input ``name`` holds ``value``" (cached per value)."""
        lit = self.enc.value_lit(name, value)
        if lit is None:  # (None, "unknown", has a cached literal of its own)
            lit = self.enc.tracked(f"cases-value!{name}={to_fraction(value)}", self.enc.equals(name, value))
        return lit

    @contextmanager
    def _scope(self, facts: Sequence[Fact]) -> Iterator[None]:
        """The facts asserted for the duration of one request.

        Asserted in a scope rather than as reusable tracked literals: a
        generation makes thousands of requests, and every literal left behind
        would slow each later query and enlarge each model.
        """
        terms = [self._term(f) for f in facts]
        self.enc.solver.push()
        try:
            for t in terms:
                self.enc.solver.add(t)
            yield
        finally:
            self.enc.solver.pop()

    def satisfiable(self, facts: Sequence[Fact]) -> str:
        """sat, unsat or unknown: is there a valid record meeting ``facts``?"""
        self.queries += 1
        with self._scope(facts):
            return self.enc.check().status

    def solve(self, facts: Sequence[Fact], prefer: Mapping[str, Any] | None = None) -> tuple[str, Record | None]:
        """A simple valid record meeting ``facts``: (status, record or None).

        The record keeps the values of ``prefer`` where it can, then the
        typical values (``encode.default_value``), input by input.
        """
        wishes: list[tuple[m.Input, Any, z3.BoolRef]] = []
        if prefer:
            wishes += [(i, prefer[i.name], self.value_lit(i.name, prefer[i.name]))
                       for i in self.ruleset.inputs if i.name in prefer]
        wishes += [(i, default_value(i), self.enc.default_lit(i)) for i in self.ruleset.inputs]
        with self._scope(facts):
            return self._simplest(wishes)

    def _simplest(self, wishes: list[tuple[m.Input, Any, z3.BoolRef]]) -> tuple[str, Record | None]:
        enc = self.enc
        self.queries += 1
        ans = enc.check()
        if ans.status != SAT:
            return ans.status, None
        assert ans.model is not None
        model = ans.model
        kept: list[z3.BoolRef] = []
        settled: set[str] = set()
        for inp, want, lit in wishes:
            if inp.name in settled:
                continue
            if _same(enc.value_of(model, inp), want):
                kept.append(lit)
                settled.add(inp.name)
                continue
            self.queries += 1
            trial = enc.check(assumptions=kept + [lit])
            if trial.status == SAT:
                assert trial.model is not None
                model = trial.model
                kept.append(lit)
                settled.add(inp.name)
        model = round_reals(enc, [], kept, model)
        values = enc.record_from_model(model)
        if not is_exact_record(values):
            return "inexact", None
        return SAT, json_record(values)

    # ------------------------------------------------------------ requests

    def find(
        self,
        levels: Sequence[Sequence[Fact]],
        prefer: Mapping[str, Any] | None = None,
        first: Iterable[int] = (),
        create: bool = True,
    ) -> Found | NotFound:
        """The first level met, by a pool record if one does, else (if ``create``) by a new record.

        Pool records are tried in the order they were made, those in
        ``first`` before the others.
        """
        undecided = False
        order = list(dict.fromkeys([*first, *range(len(self.records))]))
        for k, facts in enumerate(levels):
            for idx in order:
                if self.holds(idx, facts):
                    return Found(idx, k, new=False)
            if not create:
                continue
            status, record = self.solve(facts, prefer)
            if record is not None:
                return Found(self.add(record), k, new=True)
            if status not in (UNSAT, SAT):
                undecided = True
        return NotFound(undecided=undecided)

    def explain(self, named: Sequence[tuple[str, Fact]]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """Which constraints and which of ``named`` facts together admit no record (a minimal core)."""
        terms = [(label, self._term(f)) for label, f in named]
        return self.enc.explain_unsat(terms)


def _record_key(record: Mapping[str, Any]) -> tuple[tuple[str, Any], ...] | None:
    """A dict key equal for two records exactly when ``==`` says they are (Python's number equality
    and hashing agree: 1 == 1.0 == True hash alike); None for an unhashable value."""
    key = tuple(sorted(record.items(), key=lambda kv: kv[0]))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _same(have: Any, want: Any) -> bool:
    if have is None or want is None:  # issue 12: an unknown optional input
        return have is want
    if isinstance(have, bool) or isinstance(want, bool):
        return have is want if isinstance(have, bool) and isinstance(want, bool) else False
    if isinstance(have, str) or isinstance(want, str):
        return have == want
    return Fraction(have) == to_fraction(want)
