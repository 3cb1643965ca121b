"""Checked expressions evaluated by walking the model, definitions on demand.

The compiled path (``engine.codegen``) turns the whole ruleset into Python
source and compiles it: the fastest way through a batch, but on a decision
table imported from DMN (thousands of definitions) compiling costs about
0.2 s, ten times what one record costs here. The evaluator uses
this module for the first records it sees and compiles only once a batch
proves long enough to pay for it (see ``engine.evaluator``).

The semantics are the compiled code's, value for value (``engine.codegen``
is the reference; ``tests/engine/test_interp.py`` runs both on the
same records): inputs read from the validated record, an unknown optional
input replaced by its placeholder, numbers exact (``int`` or ``Decimal`` in
the ``EXACT`` context), ``and``/``or``/``if`` short-circuit as Python does.

Definitions are evaluated when first read and kept for the rest of the
record. A DMN table chains thousands of definitions (``t__multi1500`` reads
``t__multi1499`` ...), deeper than Python's recursion limit, so a definition
is never evaluated from inside another: reading one not yet known abandons
the expression being evaluated (``_Missing``), the definition goes on an
explicit stack, and the abandoned expression is evaluated again once it is
known. An expression that misses a second time has all the definitions it
reads directly pushed at once, so each is evaluated at most three times.
"""

from __future__ import annotations

import operator
from fractions import Fraction
from typing import Any, Callable

from dsl import model as m
from engine.codegen import EXACT, fraction_to_decimal, placeholder

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {"+": EXACT.add, "-": EXACT.subtract, "*": EXACT.multiply}


class _Missing(Exception):
    """A definition was read before its value was known."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _direct_defs(e: m.Expr) -> list[str]:
    """The definitions ``e`` reads itself (not through other definitions), first read first."""
    return list(dict.fromkeys(n.name for n in m.walk(e) if isinstance(n, m.DefRef)))


class Interpreter:
    """One ruleset, ready to evaluate records by walking its model. Cheap to build."""

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset
        # The model's own index: building a map of thousands of definitions per
        # Interpreter made each `--why-not` line cost as much as the whole table.
        self._definition = ruleset.definition
        self._placeholders = {i.name: placeholder(i) for i in ruleset.inputs if i.optional}
        self._frozensets: dict[tuple[str, ...], frozenset[str]] = {}
        self._numbers: dict[Fraction, Any] = {}

    def number(self, v: Fraction) -> Any:
        """A literal as the compiled code has it: an int, or the exact Decimal."""
        got = self._numbers.get(v)
        if got is None:
            got = self._numbers[v] = int(v) if v.denominator == 1 else fraction_to_decimal(v)
        return got

    def set_of(self, values: tuple[str, ...]) -> frozenset[str]:
        got = self._frozensets.get(values)
        if got is None:
            got = self._frozensets[values] = frozenset(values)
        return got

    def failed_constraints(self, record: dict[str, Any]) -> list[int]:
        """The indices of the constraints a validated record breaks (as ``codegen.build``)."""
        run = _Run(self, record)
        return [k for k, c in enumerate(self.ruleset.constraints) if not run.value(c.expr)]

    def fired_rules(self, record: dict[str, Any]) -> list[int]:
        """The indices of the rules whose condition holds on a validated record (as ``codegen.build``)."""
        run = _Run(self, record)
        return [k for k, r in enumerate(self.ruleset.rules) if run.value(r.condition)]

    def values(self, exprs: list[m.Expr], record: dict[str, Any]) -> tuple[Any, ...]:
        """The value of each expression (as ``codegen.build_predicate``)."""
        run = _Run(self, record)
        return tuple(run.value(e) for e in exprs)


class _Run:
    """The evaluation of one record: its inputs and the definitions worked out so far."""

    __slots__ = ("interp", "record", "defs")

    def __init__(self, interp: Interpreter, record: dict[str, Any]) -> None:
        self.interp = interp
        self.record = record
        self.defs: dict[str, Any] = {}

    def value(self, e: m.Expr) -> Any:
        """The value of ``e``, working out first whatever definitions it needs."""
        missed = False
        while True:
            try:
                return self.ev(e)
            except _Missing as miss:
                self._define([miss.name] if not missed else self._unknown(e))
                missed = True

    def _unknown(self, e: m.Expr) -> list[str]:
        return [n for n in _direct_defs(e) if n not in self.defs]

    def _define(self, names: list[str]) -> None:
        """Work out the definitions ``names`` (and what they read), without recursion."""
        definition = self.interp._definition
        stack = list(reversed(names))
        misses: dict[str, int] = {}
        while stack:
            name = stack[-1]
            if name in self.defs:
                stack.pop()
                continue
            try:
                self.defs[name] = self.ev(definition(name).expr)
            except _Missing as miss:
                count = misses[name] = misses.get(name, 0) + 1
                if count == 1:
                    stack.append(miss.name)
                else:
                    stack.extend(reversed(self._unknown(definition(name).expr)))
                continue
            stack.pop()

    def ev(self, e: m.Expr) -> Any:
        return _DISPATCH[type(e)](self, e)

    # -- one function per node type, each mirroring ExprCompiler.expr

    def _bool(self, e: m.BoolLit) -> Any:
        return True if e.value else False

    def _num(self, e: m.NumLit) -> Any:
        return self.interp.number(e.value)

    def _enum(self, e: m.EnumLit) -> Any:
        return e.value

    def _input(self, e: m.InputRef) -> Any:
        v = self.record[e.name]
        if v is None:
            # Only an optional input may be unknown (the validator sees to it); the
            # compiled code reads its placeholder instead (see codegen._prelude).
            return self.interp._placeholders[e.name]
        return v

    def _defref(self, e: m.DefRef) -> Any:
        try:
            return self.defs[e.name]
        except KeyError:
            raise _Missing(e.name) from None

    def _not(self, e: m.Not) -> Any:
        return not self.ev(e.arg)

    def _and(self, e: m.And) -> Any:
        v: Any = True
        for a in e.args:
            v = self.ev(a)
            if not v:
                return v
        return v

    def _or(self, e: m.Or) -> Any:
        v: Any = False
        for a in e.args:
            v = self.ev(a)
            if v:
                return v
        return v

    def _implies(self, e: m.Implies) -> Any:
        return (not self.ev(e.left)) or self.ev(e.right)

    def _iff(self, e: m.Iff) -> Any:
        return self.ev(e.left) == self.ev(e.right)

    def _compare(self, e: m.Compare) -> Any:
        return _COMPARE[e.op](self.ev(e.left), self.ev(e.right))

    def _inset(self, e: m.InSet) -> Any:
        found = self.ev(e.subject) in self.interp.set_of(e.values)
        return not found if e.negated else found

    def _arith(self, e: m.Arith) -> Any:
        return _ARITH[e.op](self.ev(e.left), self.ev(e.right))

    def _neg(self, e: m.Neg) -> Any:
        return EXACT.minus(self.ev(e.arg))

    def _ite(self, e: m.Ite) -> Any:
        return self.ev(e.then) if self.ev(e.cond) else self.ev(e.else_)

    def _points(self, e: m.Points) -> Any:
        terms = [self.interp.number(w) if self.ev(c) else 0 for c, w in zip(e.conds, e.weights)]
        if e.integral:  # as the compiled "(t1 + t2 + ...)": Python ints are exact
            total = terms[0]
            for t in terms[1:]:
                total = total + t
            return total
        out: Any = 0
        for t in terms:
            out = EXACT.add(out, t)
        return out

    def _known(self, e: m.Known) -> Any:
        return self.record[e.name] is not None

    def _minmax(self, e: m.MinMax) -> Any:
        args = [self.ev(a) for a in e.args]
        return min(*args) if e.op == "min" else max(*args)

    def _decision_only(self, e: m.Expr) -> Any:
        raise ValueError("action status belongs to properties, not to rules")


_DISPATCH: dict[type, Callable[[_Run, Any], Any]] = {
    m.BoolLit: _Run._bool, m.NumLit: _Run._num, m.EnumLit: _Run._enum, m.InputRef: _Run._input,
    m.DefRef: _Run._defref, m.Not: _Run._not, m.And: _Run._and, m.Or: _Run._or, m.Implies: _Run._implies,
    m.Iff: _Run._iff, m.Compare: _Run._compare, m.InSet: _Run._inset, m.Arith: _Run._arith, m.Neg: _Run._neg,
    m.Ite: _Run._ite, m.Points: _Run._points, m.Known: _Run._known, m.MinMax: _Run._minmax,
    m.ActionStatus: _Run._decision_only, m.ActionCategory: _Run._decision_only, m.Alternatives: _Run._decision_only,
}
