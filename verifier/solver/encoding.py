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

import signal
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

import z3

from dsl import model as m
from verifier.facts.values import Value, default_value, to_fraction

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"



@dataclass(frozen=True, slots=True)
class Answer:
    """The outcome of one solver query.

    ``model`` is set when sat; ``core`` (the AST ids of the assumption
    literals that clash, see ``z3.ExprRef.get_id``) when unsat; ``reason``
    says why Z3 gave up when unknown.
    """

    status: str
    model: z3.ModelRef | None = None
    core: frozenset[int] = frozenset()
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


def check_assumptions(solver: z3.Solver, lits: Sequence[z3.BoolRef],
                      timeout_ms: int | None = None) -> z3.CheckSatResult:
    """``solver.check(*lits)`` through the C API.

    z3py re-casts every assumption on each call; with literals that are
    Boolean constants of the solver's context already, that casting
    dominated the cost of the many small queries checks and diffs make.
    """
    arr = (z3.Ast * len(lits))()
    for k, lit in enumerate(lits):
        arr[k] = lit.as_ast()
    ctx = solver.ctx.ref()
    start = time.monotonic()
    result = z3.CheckSatResult(z3.Z3_solver_check_assumptions(ctx, solver.solver, len(lits), arr))
    if result == z3.unknown:
        pass_on_interrupt(solver, (time.monotonic() - start) * 1000, timeout_ms)
    return result


def pass_on_interrupt(solver: z3.Solver, elapsed_ms: float, timeout_ms: int | None) -> None:
    """Re-deliver a Ctrl-C that Z3 consumed.

    During a query Z3 catches SIGINT itself and stops the search with
    "unknown", which would read as a timeout. An interrupt is not a verdict:
    it goes on to whatever handles SIGINT in this process (KeyboardInterrupt
    by default; the command exits 130). Z3 says "interrupted from keyboard",
    or, when a timeout is set, "canceled" as for the timeout itself: a query
    canceled well before its time limit was interrupted.
    """
    reason = solver.reason_unknown()
    if "interrupted" in reason or (
            reason == "canceled" and (timeout_ms is None or elapsed_ms < 0.9 * timeout_ms)):
        signal.raise_signal(signal.SIGINT)


def unsat_core_ids(solver: z3.Solver) -> frozenset[int]:
    """The AST ids of the last unsat core (wrapping each core literal in Python is slow)."""
    ctx = solver.ctx.ref()
    vec = z3.Z3_solver_get_unsat_core(ctx, solver.solver)
    z3.Z3_ast_vector_inc_ref(ctx, vec)
    try:
        n = z3.Z3_ast_vector_size(ctx, vec)
        return frozenset(z3.Z3_get_ast_id(ctx, z3.Z3_ast_vector_get(ctx, vec, k)) for k in range(n))
    finally:
        z3.Z3_ast_vector_dec_ref(ctx, vec)


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
            # Z3 takes an unsigned 32-bit count of milliseconds.
            self.solver.set("timeout", min(max(1, int(timeout_ms)), 2**32 - 1))
        self.inputs: dict[str, z3.ExprRef] = {}
        self._enum_index: dict[str, dict[str, int]] = {}
        self.definitions: dict[str, z3.ExprRef] = {}
        # issue 12: an optional input also has a "known" flag; its value
        # variable is free where the flag is false (never read there).
        self.known: dict[str, z3.BoolRef] = {}
        for inp in ruleset.inputs:
            self._declare_input(inp)
            if inp.optional:
                self.known[inp.name] = z3.Bool(f"known!{inp.name}", self.ctx)
        for d in ruleset.definitions:
            self.definitions[d.name] = self.term(d.expr)

        # Constraints are guarded so that a query can assume all of them,
        # all but one, and so that unsat cores name them.
        self.constraint_lits: dict[str, z3.BoolRef] = {}
        for c in ruleset.constraints:
            lit = z3.Bool(f"constraint!{c.id}", self.ctx)
            self.constraint_lits[c.id] = lit
            self.solver.add(z3.Implies(lit, self.term(c.expr)))

        self.fires: dict[str, z3.BoolRef] = {r.id: self.term(r.condition) for r in ruleset.rules}
        self._build_statuses()
        self.properties: dict[str, z3.BoolRef] = {p.id: self.term(p.expr) for p in ruleset.properties}
        self._tracked: dict[str, z3.BoolRef] = {}
        # Built on first use (see _decision_masks, property_values, serving_query).
        self._masks: tuple[z3.ArithRef, ...] | None = None
        self._property_mask: z3.ArithRef | None = None
        self._serve: tuple[z3.BoolRef, dict[str, z3.BoolRef]] | None = None

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
        # A numeral straight from its text: z3.Q builds a division and simplifies it.
        return z3.RealVal(f"{value.numerator}/{value.denominator}", self.ctx)

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
        # -- issue 12: native Z3 terms (If, sums of If) so scores stay linear
        if isinstance(e, m.Ite):
            return z3.If(self.term(e.cond), self.term(e.then), self.term(e.else_))
        if isinstance(e, m.Points):
            zero = z3.IntVal(0, self.ctx) if e.integral else z3.RealVal(0, self.ctx)
            parts = [z3.If(self.term(c), self._num(Fraction(w)), zero) for c, w in zip(e.conds, e.weights)]
            return z3.Sum(parts) if len(parts) > 1 else parts[0]
        if isinstance(e, m.Known):
            return self.known[e.name]
        if isinstance(e, m.MinMax):
            out = self.term(e.args[0])
            for a in e.args[1:]:
                t = self.term(a)
                out = z3.If(t < out, t, out) if e.op == "min" else z3.If(t > out, t, out)
            return out
        if isinstance(e, m.ActionStatus):
            table = self.status_table(e.status)
            return self.any_of([table[a] for a in e.actions])
        if isinstance(e, m.ActionCategory):
            rank = self.decision_category(e.action)
            hit = self.any_of([rank == self.ruleset.grading.rank(c) for c in e.categories])
            return z3.Not(hit) if e.negated else hit
        if isinstance(e, m.Alternatives):
            return z3.And(self.alternative_of(e.left, e.right), self.alternative_of(e.right, e.left))
        raise TypeError(f"not an expression: {e!r}")

    # ------------------------------------------------------------ category and alternatives of a decision
    # The engine's reading (engine/evaluator.py): an action's strength is the
    # strongest among the firing rules that name it (recommend, consider,
    # avoid); its category the strongest among the rules giving it at that
    # strength; its alternatives the other actions of their "one of" lines.

    def _winning(self, action: str) -> dict[str, z3.BoolRef]:
        return {"recommend": self.recommended[action], "consider": self.considered[action],
                "avoid": z3.And(self.avoided[action], z3.Not(self.given[action]))}

    def decision_category(self, action: str) -> z3.ArithRef:
        """The rank in the ruleset's grading scheme of the action's evidence category (0 the strongest);
        -1 when it is not in the decision."""
        term: z3.ArithRef = z3.IntVal(-1, self.ctx)
        for strength, wins in reversed(list(self._winning(action).items())):
            givers: list[tuple[int, int, str]] = []
            for pos, rule in enumerate(self.ruleset.rules):
                ranks = [self.ruleset.grading.rank(g.category) for g in rule.gives
                         if g.strength == strength and action in g.actions]
                if ranks:
                    givers.append((min(ranks), pos, rule.id))
            if not givers:
                continue
            rank: z3.ArithRef = z3.IntVal(-1, self.ctx)  # unreachable: ``wins`` means some giver fires
            for r, _, rid in sorted(givers, reverse=True):
                rank = z3.If(self.fires[rid], z3.IntVal(r, self.ctx), rank)
            term = z3.If(wins, rank, term)
        return term

    def alternative_of(self, action: str, partner: str) -> z3.BoolRef:
        """``partner`` is among ``action``'s alternatives in the decision."""
        cases = []
        for strength, wins in self._winning(action).items():
            lines = [self.fires[r.id] for r in self.ruleset.rules for g in r.gives
                     if g.alternatives and g.strength == strength and action in g.actions and partner in g.actions]
            if lines:
                cases.append(z3.And(wins, self.any_of(lines)))
        return self.any_of(cases)

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
        giving = self.ruleset.rules_giving
        false = z3.BoolVal(False, self.ctx)

        def any_fires(ids: Sequence[str]) -> z3.BoolRef:
            return self.any_of([self.fires[i] for i in ids])

        self.recommended: dict[str, z3.BoolRef] = {}
        self.considered: dict[str, z3.BoolRef] = {}
        self.avoided: dict[str, z3.BoolRef] = {}
        self.given: dict[str, z3.BoolRef] = {}
        for a in self.ruleset.actions:
            rec = any_fires(giving("recommend", a.id))
            con = any_fires(giving("consider", a.id))
            self.recommended[a.id] = rec
            self.considered[a.id] = z3.And(con, z3.Not(rec)) if not z3.is_false(con) else false
            self.avoided[a.id] = any_fires(giving("avoid", a.id))
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
        if not facts:
            # Assumptions only: no push/pop, so the solver keeps all it learnt.
            return self._answer(lits)
        self.solver.push()
        try:
            for f in facts:
                self.solver.add(f)
            return self._answer(lits)
        finally:
            self.solver.pop()

    def _answer(self, lits: Sequence[z3.BoolRef]) -> Answer:
        result = self._solve(lits)
        if result == z3.sat:
            return Answer(SAT, model=self.solver.model())
        if result == z3.unsat:
            return Answer(UNSAT, core=self._core_ids())
        return Answer(UNKNOWN, reason=self.solver.reason_unknown())

    def _core_ids(self) -> frozenset[int]:
        return unsat_core_ids(self.solver)

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
            label_of: dict[int, str] = {}
            lits = []
            for k, (label, fact) in enumerate(named):
                lit = z3.Bool(f"why!{k}", self.ctx)
                self.solver.add(z3.Implies(lit, fact))
                lits.append(lit)
                label_of[lit.get_id()] = label
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
            ids = {c.get_id() for c in core}
            constraints = tuple(cid for cid, lit in self.constraint_lits.items() if lit.get_id() in ids)
            labels = tuple(label_of[lit.get_id()] for lit in lits if lit.get_id() in ids)
            return constraints, labels
        finally:
            self.solver.pop()

    def _core(self, lits: list[z3.BoolRef]) -> list[z3.BoolRef] | None:
        """The unsat core under ``lits`` (in the order of ``lits``), or None if not unsat."""
        if self._solve(lits) != z3.unsat:
            return None
        ids = self._core_ids()
        return [lit for lit in lits if lit.get_id() in ids]

    def _solve(self, lits: Sequence[z3.BoolRef]) -> z3.CheckSatResult:
        """``solver.check(*lits)`` without z3py re-casting every literal on each call.

        The literals are Boolean constants of our context already; the casting
        dominated the cost of the many small queries the checks make.
        """
        return check_assumptions(self.solver, lits, self.timeout_ms)

    def tracked(self, name: str, fact: Any) -> z3.BoolRef:
        """A literal that implies ``fact``, asserted once and reused as an assumption.

        Queries phrased as assumptions need no push/pop, so the solver keeps
        its learnt lemmas from one query to the next. ``name`` must identify
        ``fact``: the same name gives the same literal.
        """
        lit = self._tracked.get(name)
        if lit is None:
            # Asserted inside a push scope, the implication would vanish at
            # the pop while the cached literal lived on, meaning nothing.
            if self.solver.num_scopes() != 0:
                raise RuntimeError(f"tracked literal {name!r} first made inside a push scope")
            lit = z3.Bool(f"track!{name}", self.ctx)
            self.solver.add(z3.Implies(lit, fact))
            self._tracked[name] = lit
        return lit

    # ------------------------------------------------------------ records

    def value_of(self, model: z3.ModelRef, inp: m.Input) -> Value:
        """The value of one input in ``model`` (completed if the model leaves it free)."""
        # Straight to the C API: z3py's eval builds several wrapper objects per
        # call, and reading records is the hot path of record generation.
        if inp.optional and not z3.is_true(model.eval(self.known[inp.name], model_completion=True)):
            return None  # issue 12: unknown
        ctx = self.ctx.ref()
        out = (z3.Ast * 1)()
        if not z3.Z3_model_eval(ctx, model.model, self.inputs[inp.name].as_ast(), True, out):
            raise RuntimeError(f"Z3 cannot evaluate input {inp.name} in a model")
        ast = out[0]
        z3.Z3_inc_ref(ctx, ast)
        try:
            if isinstance(inp.type, m.BoolType):
                return z3.Z3_get_bool_value(ctx, ast) == z3.Z3_L_TRUE
            text = z3.Z3_get_numeral_string(ctx, ast)
        finally:
            z3.Z3_dec_ref(ctx, ast)
        t = inp.type
        if isinstance(t, m.EnumType):
            return t.values[int(text)]
        if isinstance(t, m.IntType):
            return int(text)
        return Fraction(text)

    def record_from_model(self, model: z3.ModelRef) -> dict[str, Value]:
        """Every input's value in ``model``, in declaration order (reals as Fractions)."""
        return {i.name: self.value_of(model, i) for i in self.ruleset.inputs}

    def equals(self, name: str, value: Any) -> z3.BoolRef:
        """The fact "input ``name`` holds ``value``" (a record value of any accepted form)."""
        inp = self.ruleset.input(name)
        if inp.optional:  # issue 12: null is "unknown"; a value is also "known"
            if value is None:
                return z3.Not(self.known[name])
            return z3.And(self.known[name], self._equals_value(inp, value))
        return self._equals_value(inp, value)

    def _equals_value(self, inp: m.Input, value: Any) -> z3.BoolRef:
        name = inp.name
        var = self.inputs[name]
        t = inp.type
        if isinstance(t, m.BoolType):
            return var == z3.BoolVal(bool(value), self.ctx)
        if isinstance(t, m.EnumType):
            return var == self.enum_index(name, value)
        return var == self._num(to_fraction(value))

    # Inputs with at most this many values get one cached literal per value.
    _FINITE = 64

    def value_lit(self, name: str, value: Any) -> z3.BoolRef | None:
        """A cached literal meaning "input ``name`` holds ``value``", for finite domains.

        None for reals and wide int ranges: caching a literal per value seen
        would grow the solver without bound, so those values go in as facts.
        """
        t = self.ruleset.input(name).type
        if value is None:  # issue 12: an unknown optional input
            key = f"{name}=null"
            lit = self._tracked.get(key)
            return lit if lit is not None else self.tracked(key, self.equals(name, None))
        if isinstance(t, m.RealType) or (isinstance(t, m.IntType) and t.hi - t.lo >= self._FINITE):
            return None
        if isinstance(t, m.IntType):
            value = int(to_fraction(value))
        key = f"{name}={value}" if not isinstance(value, bool) else f"{name}={'true' if value else 'false'}"
        lit = self._tracked.get(key)
        return lit if lit is not None else self.tracked(key, self.equals(name, value))

    def record_query(self, record: Mapping[str, Any]) -> tuple[list[z3.BoolRef], list[z3.BoolRef]]:
        """(assumption literals, facts) that together fix every input to its value in ``record``."""
        lits, facts = [], []
        for i in self.ruleset.inputs:
            lit = self.value_lit(i.name, record[i.name])
            if lit is None:
                facts.append(self.equals(i.name, record[i.name]))
            else:
                lits.append(lit)
        return lits, facts

    def default_lit(self, inp: m.Input) -> z3.BoolRef:
        """A literal meaning "this input holds its typical value" (see ``default_value``)."""
        return self.tracked(f"default!{inp.name}", self.equals(inp.name, default_value(inp)))

    # Reading a decision term by term costs one Python round trip into Z3 per
    # rule and action; a bitmask term per table is evaluated by Z3 in one go.
    def _mask(self, terms: Sequence[z3.BoolRef]) -> z3.ArithRef:
        zero, parts = z3.IntVal(0, self.ctx), []
        for k, t in enumerate(terms):
            if not z3.is_false(t):
                parts.append(z3.If(t, z3.IntVal(1 << k, self.ctx), zero))
        return z3.Sum(parts) if parts else zero

    def _set_bits(self, model: z3.ModelRef, mask: z3.ArithRef) -> list[int]:
        bits = model.eval(mask, model_completion=True).as_long()
        return [k for k in range(bits.bit_length()) if bits >> k & 1]

    def _decision_masks(self) -> tuple[z3.ArithRef, ...]:
        masks = self._masks
        if masks is None:
            actions = [a.id for a in self.ruleset.actions]
            masks = (
                self._mask([self.fires[r.id] for r in self.ruleset.rules]),
                self._mask([self.recommended[a] for a in actions]),
                self._mask([self.considered[a] for a in actions]),
                self._mask([self.avoided[a] for a in actions]),
            )
            self._masks = masks
        return masks

    def decision(self, model: z3.ModelRef) -> ModelDecision:
        """The decision the encoding gives the record of ``model``."""
        fired, rec, con, avo = self._decision_masks()
        rules, actions = self.ruleset.rules, self.ruleset.actions
        return ModelDecision(
            fired=tuple(rules[k].id for k in self._set_bits(model, fired)),
            recommended=frozenset(actions[k].id for k in self._set_bits(model, rec)),
            considered=frozenset(actions[k].id for k in self._set_bits(model, con)),
            avoided=frozenset(actions[k].id for k in self._set_bits(model, avo)),
        )

    def fired_rules(self, model: z3.ModelRef) -> tuple[str, ...]:
        """The rules that fire in ``model``, in file order."""
        rules = self.ruleset.rules
        return tuple(rules[k].id for k in self._set_bits(model, self._decision_masks()[0]))

    def serving_query(self, seen: Iterable[str]) -> list[z3.BoolRef]:
        """Assumptions asking for a record that fires a serving rule not in ``seen``.

        Built once: ``fresh`` implies some serving rule r fires while its
        literal ``seen!r`` is false; assuming ``seen!r`` for the rules already
        found rules them out without building a new formula per query.
        """
        if self._serve is None:
            seen_lits = {r: z3.Bool(f"seen!{r}", self.ctx) for r in self.serving_rules}
            fresh = z3.Bool("fresh!serving", self.ctx)
            self.solver.add(z3.Implies(fresh, self.any_of(
                [z3.And(self.fires[r], z3.Not(seen_lits[r])) for r in self.serving_rules])))
            self._serve = (fresh, seen_lits)
        fresh, seen_lits = self._serve
        return [fresh] + [seen_lits[r] for r in seen]

    def property_values(self, model: z3.ModelRef) -> dict[str, bool]:
        """The truth of every ruleset property in ``model``."""
        if self._property_mask is None:
            self._property_mask = self._mask([self.properties[p.id] for p in self.ruleset.properties])
        true = set(self._set_bits(model, self._property_mask))
        return {p.id: k in true for k, p in enumerate(self.ruleset.properties)}

    def model_of(self, record: Mapping[str, Any]) -> z3.ModelRef | None:
        """The model with every input fixed to ``record``; None if the record is invalid."""
        lits, facts = self.record_query(record)
        ans = self.check(*facts, assumptions=lits)
        if ans.status == SAT:
            return ans.model
        if ans.status == UNSAT:
            return None
        raise RuntimeError(f"Z3 could not evaluate a fixed record ({ans.reason})")

    def decide(self, record: Mapping[str, Any]) -> ModelDecision | None:
        """The decision for a concrete record with every input fixed; None if it is invalid."""
        model = self.model_of(record)
        return None if model is None else self.decision(model)
