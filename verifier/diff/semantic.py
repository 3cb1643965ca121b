"""Two versions of a ruleset over one set of input variables, in one solver.

A semantic diff asks questions about records as both versions see them ("a
record valid under both where OLD recommends X and NEW does not"), so both
rulesets must be read over the *same* variables. Each version is encoded by
the verifier's own ``Encoding`` (one reading of the semantics, shared with
``ruleproof check``); its terms are then translated into one shared Z3
context, where a constant is identified by name and sort, so ``size_cm`` of
OLD and ``size_cm`` of NEW become one variable.

Two things need care in that translation:

- An enum is an Int holding the index of its value. When NEW lists other
  values than OLD (added, removed, reordered), NEW's index is rewritten as a
  function of the shared index, which runs over the union of both lists.
- An input whose kind changed (say bool to enum) cannot share a variable; NEW's
  gets its own, named ``NAME@new``.

Each action's outcome in a version is one integer term, ``code``: strength
(0 none, 1 avoid, 2 consider, 3 recommend) times four plus the rank of the
evidence category. That is the engine's reading: the strongest strength wins
and the category is the strongest among the rules giving it at that strength.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping, Sequence

import z3

from dsl import model as m
from dsl.grading import SHIPPED as SHIPPED_GRADINGS
from dsl.printer import format_expr
from dsl.dependencies import ReadsIndex, reads
from verifier.facts.evaluation import environment, evaluate
from verifier.solver.encoding import Encoding, check_assumptions, unsat_core_ids
from verifier.facts.values import Value, default_value

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"
OLD, NEW = "old", "new"

# Strength levels in a code, weakest first; index = level.
LEVELS = (None, "avoid", "consider", "recommend")
_LEVEL_OF = {s: k for k, s in enumerate(LEVELS)}
# issue 12: a category's code is its place in one table of every level met
# (shipped schemes first, in a fixed order; a ruleset's own levels after), so
# codes mean the same in both versions whatever their schemes. Which level
# is strongest is each version's own scheme's business (``_category_term``).
_CATEGORY_WIDTH = 1 << 16
_CATEGORY_NAMES: list[str] = list(dict.fromkeys(lv for s in SHIPPED_GRADINGS.values() for lv in s.levels))
_CATEGORY_CODE: dict[str, int] = {c: k for k, c in enumerate(_CATEGORY_NAMES)}
# The smallest code of an action that is given (considered or recommended, any category).
GIVEN_CODE = _LEVEL_OF["consider"] * _CATEGORY_WIDTH


# issue 12: a level of a shipped scheme other than NCCN in that scheme's words
# ("I-C" -> "Class I, level C"); the levels of these schemes do not overlap.
_WORDS = {lv: s.label(lv) for s in SHIPPED_GRADINGS.values() if s.name != "nccn" for lv in s.levels}


def _category_words(category: str | None) -> str:
    return _WORDS.get(category or "", f"category {category}")


def _category_code(category: str) -> int:
    code = _CATEGORY_CODE.get(category)
    if code is None:
        code = _CATEGORY_CODE[category] = len(_CATEGORY_NAMES)
        _CATEGORY_NAMES.append(category)
    return code


@dataclass(frozen=True, slots=True)
class ActionStatus:
    """What one version does with one action for a record: strength and category, or nothing."""

    strength: str | None
    category: str | None
    # The other actions of the "one of" lines that give it (sorted); part of the advice.
    alternatives: tuple[str, ...] = ()

    @staticmethod
    def of_code(code: int, alternatives: tuple[str, ...] = ()) -> "ActionStatus":
        level, rank = divmod(code, _CATEGORY_WIDTH)
        strength = LEVELS[level]
        return ActionStatus(strength, _CATEGORY_NAMES[rank] if strength is not None else None,
                            alternatives if strength is not None else ())

    @property
    def given(self) -> bool:
        return self.strength in ("recommend", "consider")

    def code(self) -> int:
        if self.strength is None:
            return 0
        assert self.category is not None
        return _LEVEL_OF[self.strength] * _CATEGORY_WIDTH + _category_code(self.category)

    def text(self) -> str:
        if self.strength is None:
            return "not given"
        alts = f", one of with {', '.join(self.alternatives)}" if self.alternatives else ""
        return f"{self.strength} ({_category_words(self.category)}{alts})"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"strength": self.strength, "category": self.category}
        if self.alternatives:
            out["alternatives"] = list(self.alternatives)
        return out


@dataclass(frozen=True, slots=True)
class SharedInput:
    """One variable of the joint encoding.

    ``name`` is how reports and example records call it; ``old``/``new`` are
    the declarations of each version it stands for (None if that version
    lacks the input). ``values`` lists an enum's values over both versions
    (OLD's order, then NEW's additions); ``lo``/``hi`` are the numeric hull of
    both ranges.
    """

    name: str
    kind: str  # bool | enum | int | real
    var: Any
    old: m.Input | None
    new: m.Input | None
    values: tuple[str, ...] = ()
    lo: Fraction = Fraction(0)
    hi: Fraction = Fraction(0)

    @property
    def declared(self) -> m.Input:
        decl = self.old if self.old is not None else self.new
        assert decl is not None
        return decl

    def default(self) -> Value:
        if self.name in KNOWN_FLAGS.values():  # issue 12: typical records know their values
            return True
        return default_value(self.declared)


@dataclass(frozen=True, slots=True)
class Probe:
    """The answer to one joint query (the model is set when sat)."""

    status: str
    model: z3.ModelRef | None = None
    reason: str = ""
    core: frozenset[int] = frozenset()  # AST ids of the assumption literals an unsat answer used


def _kind(t: m.InputType) -> str:
    if isinstance(t, m.BoolType):
        return "bool"
    if isinstance(t, m.EnumType):
        return "enum"
    return "int" if isinstance(t, m.IntType) else "real"


def _num(value: Fraction, ctx: z3.Context) -> z3.ArithRef:
    if value.denominator == 1:
        return z3.IntVal(value.numerator, ctx)
    return z3.RealVal(f"{value.numerator}/{value.denominator}", ctx)


def _category_term(enc: Encoding, ruleset: m.Ruleset, action: str, strength: str) -> z3.ArithRef:
    """The rank of the strongest category among firing rules giving ``action`` at ``strength``."""
    givers: list[tuple[int, int, str, str]] = []
    for pos, rule in enumerate(ruleset.rules):
        cats = sorted((ruleset.grading.rank(g.category), g.category)
                      for g in rule.gives if g.strength == strength and action in g.actions)
        if cats:
            givers.append((cats[0][0], pos, rule.id, cats[0][1]))
    term: z3.ArithRef = z3.IntVal(0, enc.ctx)  # read only when some giver fires
    for _, _, rid, category in sorted(givers, reverse=True):
        term = z3.If(enc.fires[rid], z3.IntVal(_category_code(category), enc.ctx), term)
    return term


def _code_term(enc: Encoding, ruleset: m.Ruleset, action: str) -> z3.ArithRef:
    ctx = enc.ctx
    if action not in enc.recommended:
        return z3.IntVal(0, ctx)
    code: z3.ArithRef = z3.IntVal(0, ctx)
    for strength, table in (("avoid", enc.avoided), ("consider", enc.considered), ("recommend", enc.recommended)):
        cond = table[action]
        if z3.is_false(cond):
            continue
        level = z3.IntVal(_LEVEL_OF[strength] * _CATEGORY_WIDTH, ctx)
        code = z3.If(cond, level + _category_term(enc, ruleset, action, strength), code)
    return code


def alternative_partners(rulesets: Iterable[m.Ruleset]) -> dict[str, tuple[str, ...]]:
    """For each action, every action that shares a "one of" line with it in any of ``rulesets``."""
    out: dict[str, set[str]] = {}
    for rs in rulesets:
        for rule in rs.rules:
            for g in rule.gives:
                if g.alternatives:
                    for a in g.actions:
                        out.setdefault(a, set()).update(x for x in g.actions if x != a)
    return {a: tuple(sorted(bs)) for a, bs in out.items()}


def _alternative_term(enc: Encoding, ruleset: m.Ruleset, action: str, partner: str) -> z3.BoolRef:
    """``partner`` is among ``action``'s alternatives: a firing rule gives both on one "one of" line,
    at the strength the action ends up with (the engine's reading)."""
    if action not in enc.recommended:
        return z3.BoolVal(False, enc.ctx)
    return enc.alternative_of(action, partner)


def _validity_term(enc: Encoding, ruleset: m.Ruleset) -> z3.BoolRef:
    """Domains and constraints of one version, as a term (``Encoding`` asserts them instead)."""
    ctx = enc.ctx
    facts: list[Any] = []
    for inp in ruleset.inputs:
        var, t = enc.inputs[inp.name], inp.type
        if isinstance(t, m.EnumType):
            facts += [var >= 0, var < len(t.values)]
        elif isinstance(t, (m.IntType, m.RealType)):
            facts += [var >= _num(Fraction(t.lo), ctx), var <= _num(Fraction(t.hi), ctx)]
    facts += [enc.term(c.expr) for c in ruleset.constraints]
    return enc.all_of(facts)


# issue 12: an optional input ``x`` brings a shared bool "known(x)" (the
# Encoding's ``known!x`` flag, the same variable in both versions).
KNOWN_FLAGS: dict[str, str] = {}


def known_flag(name: str) -> str:
    flag = f"known({name})"
    KNOWN_FLAGS[name] = flag
    return flag


class JointEncoding:
    """OLD and NEW over shared input variables, with one incremental solver.

    Every query is phrased as assumptions over literals asserted once
    (``lit``), so the solver keeps what it learnt from one query to the next.
    """

    def __init__(self, old: m.Ruleset, new: m.Ruleset, timeout_ms: int | None = None) -> None:
        self.old, self.new = old, new
        self.reads = {OLD: ReadsIndex(old), NEW: ReadsIndex(new)}
        self.ctx = z3.Context()
        self.solver = z3.Solver(ctx=self.ctx)
        self.timeout_ms = timeout_ms  # to tell an interrupted query from a timed-out one
        if timeout_ms is not None:
            self.solver.set("timeout", min(max(1, int(timeout_ms)), 2**32 - 1))
        self._lits: dict[str, z3.BoolRef] = {}
        self._facts: dict[int, z3.BoolRef] = {}
        self.inputs: tuple[SharedInput, ...] = self._shared_inputs()
        self.actions: tuple[str, ...] = tuple(dict.fromkeys(
            [a.id for a in old.actions] + [a.id for a in new.actions]))
        # Alternatives: side -> action -> partner -> "partner is among the action's alternatives".
        self.partners = alternative_partners((old, new))
        # Both versions are translated on first use (a literal, a query, a term):
        # at table scale that costs seconds, and a diff of two decision tables
        # read as boxes may settle everything without a query.
        self._built = False
        self._code: dict[str, dict[str, z3.ArithRef]] = {}
        self._alt: dict[str, dict[str, dict[str, z3.BoolRef]]] = {}
        self._valid: dict[str, z3.BoolRef] = {}
        self._valid_lit: dict[str, z3.BoolRef] = {}
        self._invalid_lit: dict[str, z3.BoolRef] = {}

    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        old, new = self.old, self.new
        valid: dict[str, z3.BoolRef] = {}
        for side, ruleset in ((OLD, old), (NEW, new)):
            codes, valid[side], alts = self._translate(side, ruleset)
            self._code[side] = dict(zip(self.actions, codes))
            self._alt[side] = alts
        for inp in self.inputs:
            self.solver.add(self._hull(inp))
        # issue 12: a version where an input is required only accepts records that know it.
        flags = {flag: name for name, flag in KNOWN_FLAGS.items()}
        for inp in self.inputs:
            if inp.name in flags:
                for side, decl, rs in ((OLD, inp.old, old), (NEW, inp.new, new)):
                    if decl is None and flags[inp.name] in {i.name for i in rs.inputs}:
                        valid[side] = z3.And(valid[side], inp.var)
        self._valid = valid
        self._valid_lit = {side: self.lit(f"valid:{side}", valid[side]) for side in (OLD, NEW)}
        self._invalid_lit = {side: self.lit(f"invalid:{side}", z3.Not(valid[side])) for side in (OLD, NEW)}

    @property
    def code(self) -> dict[str, dict[str, z3.ArithRef]]:
        """side -> action -> the action's outcome code in that version."""
        self._build()
        return self._code

    @property
    def alt(self) -> dict[str, dict[str, dict[str, z3.BoolRef]]]:
        self._build()
        return self._alt

    @property
    def valid(self) -> dict[str, z3.BoolRef]:
        self._build()
        return self._valid

    @property
    def valid_lit(self) -> dict[str, z3.BoolRef]:
        self._build()
        return self._valid_lit

    @property
    def invalid_lit(self) -> dict[str, z3.BoolRef]:
        self._build()
        return self._invalid_lit

    # ------------------------------------------------------------ building

    def _shared_inputs(self) -> tuple[SharedInput, ...]:
        old_by = {i.name: i for i in self.old.inputs}
        new_by = {i.name: i for i in self.new.inputs}
        names = list(dict.fromkeys([i.name for i in self.old.inputs] + [i.name for i in self.new.inputs]))
        out: list[SharedInput] = []
        for name in names:
            o, n = old_by.get(name), new_by.get(name)
            if o is not None and n is not None and _kind(o.type) != _kind(n.type):
                out.append(self._shared(name, o, None))
                out.append(self._shared(f"{name}@new", None, n))
            else:
                out.append(self._shared(name, o, n))
            if (o is not None and o.optional) or (n is not None and n.optional):
                flag = known_flag(name)
                decl = (o or n)
                synthetic = m.Input(flag, m.BOOL, None, None, decl.span)  # type: ignore[union-attr]
                out.append(SharedInput(flag, "bool", z3.Bool(f"known!{name}", self.ctx),
                                       synthetic if o is not None and o.optional else None,
                                       synthetic if n is not None and n.optional else None))
        return tuple(out)

    def _shared(self, name: str, old: m.Input | None, new: m.Input | None) -> SharedInput:
        decls = [d for d in (old, new) if d is not None]
        kind = _kind(decls[0].type)
        if kind == "bool":
            return SharedInput(name, kind, z3.Bool(name, self.ctx), old, new)
        if kind == "enum":
            values: list[str] = []
            for d in decls:
                assert isinstance(d.type, m.EnumType)
                values += [v for v in d.type.values if v not in values]
            return SharedInput(name, kind, z3.Int(name, self.ctx), old, new, values=tuple(values))
        los = [Fraction(d.type.lo) for d in decls]  # type: ignore[union-attr]
        his = [Fraction(d.type.hi) for d in decls]  # type: ignore[union-attr]
        var = z3.Int(name, self.ctx) if kind == "int" else z3.Real(name, self.ctx)
        return SharedInput(name, kind, var, old, new, lo=min(los), hi=max(his))

    def _hull(self, inp: SharedInput) -> z3.BoolRef:
        """Every variable ranges over the values either version allows (the background of all queries)."""
        if inp.kind == "bool":
            return z3.BoolVal(True, self.ctx)
        if inp.kind == "enum":
            return z3.And(inp.var >= 0, inp.var < len(inp.values))
        return z3.And(inp.var >= _num(inp.lo, self.ctx), inp.var <= _num(inp.hi, self.ctx))

    def _translate(self, side: str, ruleset: m.Ruleset) -> tuple[list[z3.ArithRef], z3.BoolRef,
                                                                  dict[str, dict[str, z3.BoolRef]]]:
        """Action codes, validity and alternatives of one version, as terms over the shared variables."""
        enc = Encoding(ruleset)
        vec = z3.AstVector(ctx=enc.ctx)
        for a in self.actions:
            vec.push(_code_term(enc, ruleset, a))
        vec.push(_validity_term(enc, ruleset))
        alt_keys = [(a, b) for a in self.actions for b in self.partners.get(a, ())]
        for a, b in alt_keys:
            vec.push(_alternative_term(enc, ruleset, a, b))
        moved = vec.translate(self.ctx)
        terms = [moved[k] for k in range(len(moved))]
        pairs = self._renames(side)
        if pairs:
            terms = [z3.substitute(t, *pairs) for t in terms]
        n = len(self.actions)
        alts: dict[str, dict[str, z3.BoolRef]] = {}
        for (a, b), t in zip(alt_keys, terms[n + 1:]):
            alts.setdefault(a, {})[b] = t
        return terms[:n], terms[n], alts

    def _renames(self, side: str) -> list[tuple[Any, Any]]:
        """Substitutions from a version's translated variables to the shared ones (see module doc)."""
        pairs: list[tuple[Any, Any]] = []
        for inp in self.inputs:
            decl = inp.old if side == OLD else inp.new
            if decl is None:
                continue
            t = decl.type
            if inp.name != decl.name:  # NAME@new: the version's own variable, under its own name
                local = z3.Bool(decl.name, self.ctx) if inp.kind == "bool" else (
                    z3.Real(decl.name, self.ctx) if inp.kind == "real" else z3.Int(decl.name, self.ctx))
                pairs.append((local, inp.var))
            elif isinstance(t, m.EnumType) and t.values != inp.values[: len(t.values)]:
                local_index = z3.IntVal(-1, self.ctx)  # a value this version lacks: outside its domain
                for k, v in enumerate(inp.values):
                    if v in t.values:
                        local_index = z3.If(inp.var == k, z3.IntVal(t.values.index(v), self.ctx), local_index)
                pairs.append((inp.var, local_index))
        return pairs

    # ------------------------------------------------------------ queries

    def lit(self, name: str, fact: Any) -> z3.BoolRef:
        """A literal implying ``fact``, asserted once; ``name`` must identify the fact.

        ``fact`` may be a function building it: building Z3 terms in Python
        costs more than the queries, so a known literal never builds one.
        """
        self._build()
        lit = self._lits.get(name)
        if lit is None:
            lit = z3.Bool(f"lit!{name}", self.ctx)
            built = fact() if callable(fact) else fact
            self.solver.add(z3.Implies(lit, built))
            self._lits[name] = lit
            self._facts[lit.get_id()] = built
        return lit

    def fact_of(self, lit: z3.BoolRef) -> z3.BoolRef:
        """The fact a literal made by ``lit`` stands for."""
        return self._facts[lit.get_id()]

    def solve(self, lits: Sequence[z3.BoolRef], want_model: bool = True) -> Probe:
        """Is there a record (within the hull) where every literal's fact holds?

        ``want_model=False`` skips fetching the model of a sat answer (most
        queries only need the verdict, and a model costs as much as the query).
        """
        self._build()
        r = check_assumptions(self.solver, lits, self.timeout_ms)
        if r == z3.sat:
            return Probe(SAT, self.solver.model() if want_model else None)
        if r == z3.unsat:
            return Probe(UNSAT, core=self._core_ids())
        return Probe(UNKNOWN, reason=self.solver.reason_unknown())

    def _core_ids(self) -> frozenset[int]:
        return unsat_core_ids(self.solver)

    def _differs(self, action: str) -> z3.BoolRef:
        """The action's outcome (strength, category, alternatives) differs between the versions."""
        alts = [self.alt[OLD][action][b] != self.alt[NEW][action][b] for b in self.partners.get(action, ())]
        return z3.Or([self.code[OLD][action] != self.code[NEW][action], *alts])

    def _is(self, side: str, action: str, outcome: ActionStatus) -> z3.BoolRef:
        """The action's outcome in ``side`` is exactly ``outcome``."""
        facts = [self.code[side][action] == outcome.code()]
        facts += [self.alt[side][action][b] == z3.BoolVal(b in outcome.alternatives, self.ctx)
                  for b in self.partners.get(action, ())]
        return z3.And(facts)

    def changed_lit(self, action: str) -> z3.BoolRef:
        """The action's outcome differs between the versions."""
        return self.lit(f"changed:{action}", lambda: self._differs(action))

    def not_transition_lit(self, action: str, old: ActionStatus, new: ActionStatus) -> z3.BoolRef:
        """The record does not go from ``old`` to ``new`` for ``action``."""
        def fact() -> z3.BoolRef:
            return z3.Not(z3.And(self._is(OLD, action, old), self._is(NEW, action, new)))

        key = f"{old.code()}{'+'.join(old.alternatives)}:{new.code()}{'+'.join(new.alternatives)}"
        return self.lit(f"not:{action}:{key}", fact)

    def any_changed_lit(self) -> z3.BoolRef:
        return self.lit("changed:*", lambda: z3.Or([self._differs(a) for a in self.actions]
                                                   or [z3.BoolVal(False, self.ctx)]))

    def outcome(self, model: z3.ModelRef, side: str, action: str) -> ActionStatus:
        alts = tuple(b for b in self.partners.get(action, ())
                     if z3.is_true(model.eval(self.alt[side][action][b], model_completion=True)))
        return ActionStatus.of_code(model.eval(self.code[side][action], model_completion=True).as_long(), alts)

    # ------------------------------------------------------------ values

    def value(self, model: z3.ModelRef, inp: SharedInput) -> Value:
        """The value of one input in ``model`` (completed if the model leaves it free)."""
        # Through the C API, as ``Encoding.value_of`` does: z3py's eval wraps
        # several objects per call, and records are read thousands of times.
        ctx = self.ctx.ref()
        out = (z3.Ast * 1)()
        if not z3.Z3_model_eval(ctx, model.model, inp.var.as_ast(), True, out):
            raise RuntimeError(f"Z3 cannot evaluate input {inp.name} in a model")
        ast = out[0]
        z3.Z3_inc_ref(ctx, ast)
        try:
            if inp.kind == "bool":
                return z3.Z3_get_bool_value(ctx, ast) == z3.Z3_L_TRUE
            text = z3.Z3_get_numeral_string(ctx, ast)
        finally:
            z3.Z3_dec_ref(ctx, ast)
        if inp.kind == "enum":
            return inp.values[int(text)]
        if inp.kind == "int":
            return int(text)
        return Fraction(text)

    def values(self, model: z3.ModelRef) -> dict[str, Value]:
        """Every shared input's value in ``model``."""
        return {inp.name: self.value(model, inp) for inp in self.inputs}

    def equals(self, inp: SharedInput, value: Value) -> z3.BoolRef:
        """The fact "``inp`` holds ``value``"."""
        if inp.kind == "bool":
            return inp.var if value else z3.Not(inp.var)
        if inp.kind == "enum":
            return inp.var == inp.values.index(str(value))
        return inp.var == _num(Fraction(value), self.ctx)  # type: ignore[arg-type]

    def shown_record(self, values: Mapping[str, Value]) -> dict[str, Value]:
        """A record as people read it: an optional input is null where unknown, no "known(...)" flags."""
        flags = {flag: name for name, flag in KNOWN_FLAGS.items()}
        out = {k: v for k, v in values.items() if k not in flags}
        for flag, name in flags.items():
            if values.get(flag) is False and name in out:
                out[name] = None  # type: ignore[assignment]
        return out

    def version_record(self, values: Mapping[str, Value], side: str) -> dict[str, Value]:
        """The record one version reads: its own inputs, in its declaration order."""
        shared_name = {}
        for inp in self.inputs:
            decl = inp.old if side == OLD else inp.new
            if decl is not None:
                shared_name[decl.name] = inp.name
        ruleset = self.old if side == OLD else self.new
        out = {i.name: values[shared_name[i.name]] for i in ruleset.inputs}
        for i in ruleset.inputs:  # issue 12: an input whose flag is false is unknown (invalid where required)
            if i.name in KNOWN_FLAGS and values.get(KNOWN_FLAGS[i.name]) is False:
                out[i.name] = None
        return out

    def num(self, value: Fraction) -> z3.ArithRef:
        return _num(value, self.ctx)


# ---------------------------------------------------------------- what a change depends on


def _read_names(joint: JointEncoding, side: str, e: m.Expr) -> tuple[str, ...]:
    """The shared-input names ``e`` (of the ``side`` version) depends on: its inputs and the known-flags it tests.

    Through the version's ``ReadsIndex``: per rule, ``reads`` would walk a
    table's whole chain of row definitions again (quadratic at 1,500 rows).
    """
    inputs, known = joint.reads[side].read(e)
    return tuple(sorted(inputs)) + tuple(known_flag(n) for n in sorted(known))


def _shared_names(joint: JointEncoding, side: str, names: Iterable[str]) -> set[str]:
    wanted = set(names)
    out = set()
    for inp in joint.inputs:
        decl = inp.old if side == OLD else inp.new
        if decl is not None and decl.name in wanted:
            out.add(inp.name)
    return out


def action_support(joint: JointEncoding, action: str) -> frozenset[str]:
    """The inputs an action's outcome depends on, in either version."""
    out: set[str] = set()
    for side, ruleset in ((OLD, joint.old), (NEW, joint.new)):
        for rule in ruleset.rules:
            if any(action in g.actions for g in rule.gives):
                out |= _shared_names(joint, side, _read_names(joint, side, rule.condition))
    return frozenset(out)


def deciding_order(joint: JointEncoding, action: str, support: frozenset[str], seed: Mapping[str, Value],
                   fired: Callable[[str, Mapping[str, Value]], set[str]] | None = None) -> tuple[str, ...]:
    """The order to free the support inputs of a region grown from ``seed``.

    The rules that decide the action at the seed (those giving it that fire,
    in either version) are what the region is about, so their inputs are
    freed last, those of their phases very last: when a constraint ties two
    inputs (``resected`` and ``margin``), the one those rules test is kept.
    """
    own: set[str] = set()
    gate: set[str] = set()
    for side, ruleset in ((OLD, joint.old), (NEW, joint.new)):
        # ``fired``: the rules firing at the seed, read exactly from boxes
        # (``environment`` evaluates every definition: slow for big tables).
        firing = fired(side, seed) if fired is not None else None
        env = environment(ruleset, joint.version_record(seed, side)) if firing is None else None
        for rule in ruleset.rules:
            if not any(action in g.actions for g in rule.gives):
                continue
            if not (rule.id in firing if firing is not None else evaluate(rule.condition, env, None)):
                continue
            own |= _shared_names(joint, side, _read_names(joint, side, rule.when))
            if rule.phase is not None:
                gate |= _shared_names(joint, side, _read_names(joint, side, ruleset.definition(rule.phase).expr))
    rank = {inp.name: 2 if inp.name in gate else 1 if inp.name in own else 0
            for inp in joint.inputs if inp.name in support}
    return tuple(sorted(rank, key=rank.__getitem__))  # stable: declaration order within a rank


def _fingerprint(c: m.Constraint, ruleset: m.Ruleset) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A constraint's meaning as text: its expression and the bodies of the definitions it uses."""
    defs = reads(c.expr, ruleset).definitions
    return format_expr(c.expr), tuple(sorted((d, format_expr(ruleset.definition(d).expr)) for d in defs))


def validity_support(joint: JointEncoding, rejecting: str) -> frozenset[str]:
    """The inputs on which the ``rejecting`` version's validity differs from the other's.

    A record the other version accepts meets every constraint both share, so
    only the rejecting version's own constraints and domains can reject it.
    """
    rej, acc = (joint.old, joint.new) if rejecting == OLD else (joint.new, joint.old)
    shared = {_fingerprint(c, acc) for c in acc.constraints}
    names: set[str] = set()
    for c in rej.constraints:
        if _fingerprint(c, rej) not in shared:
            names.update(_read_names(joint, rejecting, c.expr))
    support = _shared_names(joint, rejecting, names)
    for inp in joint.inputs:
        if inp.old is None or inp.new is None or inp.old.type != inp.new.type:
            support.add(inp.name)
    return frozenset(support)
