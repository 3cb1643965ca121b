"""The Z3 reading of a checked ruleset: one encoding, one incremental solver.

Everything the checks ask is a satisfiability query over the same base: the
input domains (asserted outright) and the constraints (each guarded by a
tracking literal passed as an assumption, so an unsat core names constraint
ids and a check may leave one constraint out). Definitions, rule conditions
and action statuses are plain Z3 terms over the input variables; a query adds
its own assertions inside a push/pop, so the solver keeps what it learnt about
the base between queries.

The semantics mirror the engine (``engine/``) exactly; the differential tests
and the counterexample replay keep the two readings honest.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

import z3

from dsl import model as m

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"

# A record as the verifier handles it internally: bool, int, enum value (str)
# or an exact Fraction for reals. ``json_record`` turns it into what the engine
# and the JSON output take.
Value = bool | int | str | Fraction


@dataclass(frozen=True, slots=True)
class Answer:
    """The outcome of one solver query.

    ``model`` is set when sat; ``core`` (the assumption literals that clash)
    when unsat; ``reason`` says why Z3 gave up when unknown.
    """

    status: str
    model: z3.ModelRef | None = None
    core: tuple[z3.BoolRef, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ModelDecision:
    """The decision read off a Z3 model, shaped like the engine's ``Decision``."""

    fired: tuple[str, ...]
    recommended: frozenset[str]
    considered: frozenset[str]
    avoided: frozenset[str]

    @property
    def given(self) -> frozenset[str]:
        return self.recommended | self.considered


def to_fraction(value: Any) -> Fraction:
    """An exact rational for a record number (int, Decimal, float as printed, Fraction)."""
    if isinstance(value, float):
        # A float in a record stands for the decimal it prints as (as in the engine).
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def default_value(inp: m.Input) -> Value:
    """The value a "typical" record holds, used to keep counterexamples simple.

    Booleans are false and enums take their first value; numbers take the
    roundest value in range (0, else 1, else the lower bound).
    """
    t = inp.type
    if isinstance(t, m.BoolType):
        return False
    if isinstance(t, m.EnumType):
        return t.values[0]
    lo, hi = (Fraction(t.lo), Fraction(t.hi))
    for v in (Fraction(0), Fraction(1)):
        if lo <= v <= hi:
            return int(v)
    return lo if lo.denominator != 1 else int(lo)


class Encoding:
    """Z3 variables and terms for one ruleset, and the solver they live in.

    Built once per ruleset. ``timeout_ms`` bounds each query; a query that
    times out answers ``unknown``.
    """

    def __init__(self, ruleset: m.Ruleset, timeout_ms: int | None = None) -> None:
        self.ruleset = ruleset
        self.ctx = z3.Context()
        self.solver = z3.Solver(ctx=self.ctx)
        self.timeout_ms = timeout_ms
        if timeout_ms is not None:
            self.solver.set("timeout", max(1, int(timeout_ms)))
        self.inputs: dict[str, z3.ExprRef] = {}
        self._enum_index: dict[str, dict[str, int]] = {}
        self.definitions: dict[str, z3.ExprRef] = {}
        for inp in ruleset.inputs:
            self._declare_input(inp)
        for d in ruleset.definitions:
            self.definitions[d.name] = self.term(d.expr)

        # Constraints are guarded so that a query can assume all of them,
        # all but one, and so that unsat cores name them.
        self.constraint_lits: dict[str, z3.BoolRef] = {}
        self._lit_constraint: dict[str, str] = {}
        for c in ruleset.constraints:
            lit = z3.Bool(f"constraint!{c.id}", self.ctx)
            self.constraint_lits[c.id] = lit
            self._lit_constraint[str(lit)] = c.id
            self.solver.add(z3.Implies(lit, self.term(c.expr)))

        self.fires: dict[str, z3.BoolRef] = {r.id: self.term(r.condition) for r in ruleset.rules}
        self._build_statuses()
        self.properties: dict[str, z3.BoolRef] = {p.id: self.term(p.expr) for p in ruleset.properties}
        # Tracking literals "input == its default", for simplifying counterexamples.
        self._default_lits: dict[str, z3.BoolRef] = {}

    # ------------------------------------------------------------ variables

    def _declare_input(self, inp: m.Input) -> None:
        t = inp.type
        name = inp.name
        if isinstance(t, m.BoolType):
            self.inputs[name] = z3.Bool(name, self.ctx)
            return
        if isinstance(t, m.EnumType):
            # An enum is an Int holding the index of its value: cheap, and a
            # model reads back directly.
            var = z3.Int(name, self.ctx)
            self._enum_index[name] = {v: k for k, v in enumerate(t.values)}
            self.solver.add(var >= 0, var < len(t.values))
        elif isinstance(t, m.IntType):
            var = z3.Int(name, self.ctx)
            self.solver.add(var >= t.lo, var <= t.hi)
        else:
            var = z3.Real(name, self.ctx)
            self.solver.add(var >= self._num(Fraction(t.lo)), var <= self._num(Fraction(t.hi)))
        self.inputs[name] = var

    def _num(self, value: Fraction) -> z3.ArithRef:
        if value.denominator == 1:
            return z3.IntVal(value.numerator, self.ctx)
        return z3.Q(value.numerator, value.denominator, self.ctx)

    def enum_index(self, enum: str, value: str) -> int:
        return self._enum_index[enum][value]

    # ------------------------------------------------------------ expressions

    def term(self, e: m.Expr) -> Any:
        """The Z3 term of a checked expression (bool, arithmetic, or enum index)."""
        if isinstance(e, m.BoolLit):
            return z3.BoolVal(e.value, self.ctx)
        if isinstance(e, m.NumLit):
            return self._num(e.value)
        if isinstance(e, m.EnumLit):
            return z3.IntVal(self.enum_index(e.enum, e.value), self.ctx)
        if isinstance(e, m.InputRef):
            return self.inputs[e.name]
        if isinstance(e, m.DefRef):
            return self.definitions[e.name]
        if isinstance(e, m.Not):
            return z3.Not(self.term(e.arg))
        if isinstance(e, m.And):
            return self.all_of([self.term(a) for a in e.args])
        if isinstance(e, m.Or):
            return self.any_of([self.term(a) for a in e.args])
        if isinstance(e, m.Implies):
            return z3.Implies(self.term(e.left), self.term(e.right))
        if isinstance(e, m.Iff):
            return self.term(e.left) == self.term(e.right)
        if isinstance(e, m.Compare):
            return self._compare(e.op, self.term(e.left), self.term(e.right))
        if isinstance(e, m.InSet):
            subject = self.term(e.subject)
            enum = self._enum_of(e.subject)
            hit = self.any_of([subject == self.enum_index(enum, v) for v in e.values])
            return z3.Not(hit) if e.negated else hit
        if isinstance(e, m.Arith):
            left, right = self.term(e.left), self.term(e.right)
            if e.op == "+":
                return left + right
            if e.op == "-":
                return left - right
            return left * right
        if isinstance(e, m.Neg):
            return -self.term(e.arg)
        if isinstance(e, m.ActionStatus):
            table = self.status_table(e.status)
            return self.any_of([table[a] for a in e.actions])
        raise TypeError(f"not an expression: {e!r}")

    # z3.And([]) / z3.Or([]) would build their constant in the default
    # context, not ours.
    def all_of(self, terms: Sequence[Any]) -> z3.BoolRef:
        return z3.And(list(terms)) if terms else z3.BoolVal(True, self.ctx)

    def any_of(self, terms: Sequence[Any]) -> z3.BoolRef:
        return z3.Or(list(terms)) if terms else z3.BoolVal(False, self.ctx)

    def _enum_of(self, e: m.Expr) -> str:
        t = m.type_of(e)
        assert isinstance(t, m.EnumType), "membership is checked to be over an enum"
        return t.name

    @staticmethod
    def _compare(op: str, left: Any, right: Any) -> z3.BoolRef:
        if op == "==":
            return left == right
        if op == "!=":
            return z3.Not(left == right)
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        return left >= right

    # ------------------------------------------------------------ decisions

    def _build_statuses(self) -> None:
        by_strength: dict[str, dict[str, list[str]]] = {s: {} for s in m.STRENGTHS}
        for r in self.ruleset.rules:
            for g in r.gives:
                for a in g.actions:
                    rules = by_strength[g.strength].setdefault(a, [])
                    if r.id not in rules:
                        rules.append(r.id)
        self.rules_giving = by_strength  # strength -> action -> rule ids (file order)
        false = z3.BoolVal(False, self.ctx)

        def any_fires(ids: Sequence[str]) -> z3.BoolRef:
            return self.any_of([self.fires[i] for i in ids])

        self.recommended: dict[str, z3.BoolRef] = {}
        self.considered: dict[str, z3.BoolRef] = {}
        self.avoided: dict[str, z3.BoolRef] = {}
        self.given: dict[str, z3.BoolRef] = {}
        for a in self.ruleset.actions:
            rec = any_fires(by_strength["recommend"].get(a.id, []))
            con = any_fires(by_strength["consider"].get(a.id, []))
            self.recommended[a.id] = rec
            self.considered[a.id] = z3.And(con, z3.Not(rec)) if not z3.is_false(con) else false
            self.avoided[a.id] = any_fires(by_strength["avoid"].get(a.id, []))
            self.given[a.id] = z3.Or(rec, con) if not z3.is_false(con) else rec
        # Rules that give something (recommend or consider): they serve a record.
        self.serving_rules: tuple[str, ...] = tuple(
            r.id for r in self.ruleset.rules if any(g.strength != "avoid" for g in r.gives)
        )
        self.anything_given: z3.BoolRef = any_fires(self.serving_rules)

    def status_table(self, status: str) -> dict[str, z3.BoolRef]:
        return {
            "recommended": self.recommended,
            "considered": self.considered,
            "given": self.given,
            "avoided": self.avoided,
        }[status]

    # ------------------------------------------------------------ queries

    def all_constraints(self, without: Iterable[str] = ()) -> list[z3.BoolRef]:
        skip = set(without)
        return [lit for cid, lit in self.constraint_lits.items() if cid not in skip]

    def constraint_of(self, lit: z3.ExprRef) -> str | None:
        """The constraint id a tracking literal stands for (None for other literals)."""
        return self._lit_constraint.get(str(lit))

    def check(
        self,
        *facts: Any,
        assumptions: Sequence[z3.BoolRef] = (),
        without_constraints: Iterable[str] = (),
    ) -> Answer:
        """Is there a valid record where every one of ``facts`` holds?

        ``assumptions`` are extra tracking literals that may appear in the
        core; ``without_constraints`` leaves those constraints out of "valid".
        """
        lits = self.all_constraints(without_constraints) + list(assumptions)
        self.solver.push()
        try:
            for f in facts:
                self.solver.add(f)
            result = self.solver.check(*lits)
            if result == z3.sat:
                return Answer(SAT, model=self.solver.model())
            if result == z3.unsat:
                return Answer(UNSAT, core=tuple(self.solver.unsat_core()))
            return Answer(UNKNOWN, reason=self.solver.reason_unknown())
        finally:
            self.solver.pop()

    def explain_unsat(
        self, named: Sequence[tuple[str, Any]], *facts: Any
    ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """Why no valid record satisfies ``named`` facts and ``facts`` together.

        Returns (constraint ids, labels of ``named`` facts) of a minimal unsat
        core: dropping any one of them makes the query satisfiable. Returns
        None when the query is not unsat (satisfiable, or the solver gave up).
        """
        self.solver.push()
        try:
            label_of: dict[str, str] = {}
            lits = []
            for k, (label, fact) in enumerate(named):
                lit = z3.Bool(f"why!{k}", self.ctx)
                self.solver.add(z3.Implies(lit, fact))
                lits.append(lit)
                label_of[str(lit)] = label
            for f in facts:
                self.solver.add(f)
            core = self._core(self.all_constraints() + lits)
            if core is None:
                return None
            # Deletion-based minimisation: try without each literal in turn;
            # when still unsat, continue from the (possibly smaller) new core.
            i = 0
            while i < len(core):
                trial = core[:i] + core[i + 1:]
                smaller = self._core(trial)
                if smaller is None:
                    i += 1
                else:
                    core = smaller
            names = {str(c) for c in core}
            constraints = tuple(cid for cid, lit in self.constraint_lits.items() if str(lit) in names)
            labels = tuple(label_of[str(lit)] for lit in lits if str(lit) in names)
            return constraints, labels
        finally:
            self.solver.pop()

    def _core(self, lits: list[z3.BoolRef]) -> list[z3.BoolRef] | None:
        """The unsat core under ``lits`` (in the order of ``lits``), or None if not unsat."""
        if self.solver.check(*lits) != z3.unsat:
            return None
        names = {str(c) for c in self.solver.unsat_core()}
        return [lit for lit in lits if str(lit) in names]

    def tracked(self, name: str, fact: Any) -> z3.BoolRef:
        """A fresh literal that implies ``fact`` (asserted once, used as an assumption)."""
        lit = z3.Bool(f"track!{name}", self.ctx)
        self.solver.add(z3.Implies(lit, fact))
        return lit

    # ------------------------------------------------------------ records

    def value_of(self, model: z3.ModelRef, inp: m.Input) -> Value:
        v = model.eval(self.inputs[inp.name], model_completion=True)
        t = inp.type
        if isinstance(t, m.BoolType):
            return z3.is_true(v)
        if isinstance(t, m.EnumType):
            return t.values[v.as_long()]
        if isinstance(t, m.IntType):
            return v.as_long()
        frac = v.as_fraction()
        return Fraction(frac.numerator, frac.denominator)

    def record_from_model(self, model: z3.ModelRef) -> dict[str, Value]:
        """Every input's value in ``model``, in declaration order (reals as Fractions)."""
        return {i.name: self.value_of(model, i) for i in self.ruleset.inputs}

    def equals(self, name: str, value: Any) -> z3.BoolRef:
        """The fact "input ``name`` holds ``value``" (a record value of any accepted form)."""
        inp = self.ruleset.input(name)
        var = self.inputs[name]
        t = inp.type
        if isinstance(t, m.BoolType):
            return var == z3.BoolVal(bool(value), self.ctx)
        if isinstance(t, m.EnumType):
            return var == self.enum_index(name, value)
        return var == self._num(to_fraction(value))

    def record_facts(self, record: Mapping[str, Any]) -> list[z3.BoolRef]:
        """Facts fixing every input to its value in ``record``."""
        return [self.equals(i.name, record[i.name]) for i in self.ruleset.inputs]

    def default_lit(self, inp: m.Input) -> z3.BoolRef:
        """A literal meaning "this input holds its typical value" (see ``default_value``)."""
        lit = self._default_lits.get(inp.name)
        if lit is None:
            lit = self.tracked(f"default!{inp.name}", self.equals(inp.name, default_value(inp)))
            self._default_lits[inp.name] = lit
        return lit

    def decision(self, model: z3.ModelRef) -> ModelDecision:
        """The decision the encoding gives the record of ``model``."""

        def holds(t: z3.BoolRef) -> bool:
            return z3.is_true(model.eval(t, model_completion=True))

        return ModelDecision(
            fired=tuple(r.id for r in self.ruleset.rules if holds(self.fires[r.id])),
            recommended=frozenset(a for a, t in self.recommended.items() if holds(t)),
            considered=frozenset(a for a, t in self.considered.items() if holds(t)),
            avoided=frozenset(a for a, t in self.avoided.items() if holds(t)),
        )

    def decide(self, record: Mapping[str, Any]) -> ModelDecision | None:
        """The decision for a concrete record with every input fixed; None if it is invalid."""
        ans = self.check(*self.record_facts(record))
        if ans.status == SAT:
            assert ans.model is not None
            return self.decision(ans.model)
        if ans.status == UNSAT:
            return None
        raise RuntimeError(f"Z3 could not evaluate a fixed record ({ans.reason})")


def json_value(value: Value) -> bool | int | str | float:
    """A record value as plain JSON data.

    A non-integral real becomes the float that prints as its exact decimal
    (the engine reads a float as the decimal it prints as). Callers choose
    values with short decimal expansions so that this is exact.
    """
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        return float(exact_decimal(value))
    return value


def exact_decimal(value: Fraction) -> Decimal:
    """The exact decimal of a Fraction whose denominator has only factors 2 and 5."""
    d = value.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        raise ValueError(f"{value} has no finite decimal expansion")
    scale = max(twos, fives)
    return Decimal(value.numerator * 10**scale // value.denominator).scaleb(-scale)


def is_json_exact(value: Fraction) -> bool:
    """True when ``json_value(value)`` stands for exactly ``value``."""
    if value.denominator == 1:
        return True
    try:
        dec = exact_decimal(value)
    except ValueError:
        return False
    return Decimal(repr(float(dec))) == dec


def json_record(record: Mapping[str, Value]) -> dict[str, bool | int | str | float]:
    """A verifier record as the plain dict the engine validates and JSON prints."""
    return {k: json_value(v) for k, v in record.items()}
