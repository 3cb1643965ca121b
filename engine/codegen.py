"""Checked expressions to Python source, compiled once per ruleset.

Evaluating a record is on the hot path of batch evaluation, so instead of
walking the expression tree per record the engine turns the whole ruleset
into one straight-line Python function. Identifiers come from the checked
model (valid Python names after prefixing) and literals are emitted with
``repr`` or as named constants, so no record data ever reaches the source.

Numbers are exact: real inputs arrive as ``Decimal`` or ``int``, literals are
``int`` or ``Decimal`` built from the exact decimal, and arithmetic runs in a
decimal context wide enough that + - * never round. This is the same
rational arithmetic the Z3 encoding uses.
"""

from __future__ import annotations

import decimal
from fractions import Fraction
from typing import Any

from dsl import model as m

# Wide enough that + - * of any two record values never round.
EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def fraction_to_decimal(v: Fraction) -> decimal.Decimal:
    """An exact Decimal for a Fraction with a finite decimal expansion (all rule literals)."""
    q = EXACT.divide(decimal.Decimal(v.numerator), decimal.Decimal(v.denominator))
    return q


class ExprCompiler:
    """Turns checked expressions into Python expression strings.

    ``consts`` collects the named constants the generated code refers to; it
    becomes part of the namespace the code is executed in.
    """

    def __init__(self) -> None:
        self.consts: dict[str, Any] = {"_ctx": EXACT}
        # (type, value) -> name: a scan of ``consts`` per literal made compiling
        # a 10,000-row decision table quadratic.
        self._names: dict[tuple[type, Any], str] = {}
        self._defs: dict[str, tuple[str, frozenset[str]]] = {}
        # The definitions read by the expressions compiled since the caller last reset
        # it: what a function needs bound, found without walking the model again.
        self.reads: set[str] = set()

    def const(self, value: Any) -> str:
        try:
            key = (type(value), value)
            found = self._names.get(key)
        except TypeError:  # an unhashable value: the plain scan
            key, found = None, next((k for k, v in self.consts.items()
                                     if type(v) is type(value) and v == value), None)
        if found is not None:
            return found
        name = f"_k{len(self.consts)}"
        self.consts[name] = value
        if key is not None:
            self._names[key] = name
        return name

    def definition(self, d: m.Definition) -> str:
        """The source of a definition's value, made once however many functions bind it."""
        return self.definition_reads(d)[0]

    def definition_reads(self, d: m.Definition) -> tuple[str, frozenset[str]]:
        """The source of a definition's value and the definitions it reads directly."""
        got = self._defs.get(d.name)
        if got is None:
            outer, self.reads = self.reads, set()
            try:
                src = self.expr(d.expr)
                got = self._defs[d.name] = (src, frozenset(self.reads))
            finally:
                self.reads = outer
        return got

    def num(self, v: Fraction) -> str:
        if v.denominator == 1:
            return repr(int(v))
        return self.const(fraction_to_decimal(v))

    def expr(self, e: m.Expr) -> str:
        if isinstance(e, m.BoolLit):
            return "True" if e.value else "False"
        if isinstance(e, m.NumLit):
            return self.num(e.value)
        if isinstance(e, m.EnumLit):
            return repr(e.value)
        if isinstance(e, m.InputRef):
            return f"i_{e.name}"
        if isinstance(e, m.DefRef):
            self.reads.add(e.name)
            return f"d_{e.name}"
        if isinstance(e, m.Not):
            return f"(not {self.expr(e.arg)})"
        if isinstance(e, m.And):
            return "(" + " and ".join(self.expr(a) for a in e.args) + ")"
        if isinstance(e, m.Or):
            return "(" + " or ".join(self.expr(a) for a in e.args) + ")"
        if isinstance(e, m.Implies):
            return f"((not {self.expr(e.left)}) or {self.expr(e.right)})"
        if isinstance(e, m.Iff):
            return f"({self.expr(e.left)} == {self.expr(e.right)})"
        if isinstance(e, m.Compare):
            return f"({self.expr(e.left)} {e.op} {self.expr(e.right)})"
        if isinstance(e, m.InSet):
            word = "not in" if e.negated else "in"
            return f"({self.expr(e.subject)} {word} {self.const(frozenset(e.values))})"
        if isinstance(e, m.Arith):
            fn = {"+": "add", "-": "subtract", "*": "multiply"}[e.op]
            return f"_ctx.{fn}({self.expr(e.left)}, {self.expr(e.right)})"
        if isinstance(e, m.Neg):
            return f"_ctx.minus({self.expr(e.arg)})"
        # -- issue 12: conditional, score table, min/max (all exact: ints and Decimals)
        if isinstance(e, m.Ite):
            return f"({self.expr(e.then)} if {self.expr(e.cond)} else {self.expr(e.else_)})"
        if isinstance(e, m.Points):
            terms = [f"({self.num(w)} if {self.expr(c)} else 0)" for c, w in zip(e.conds, e.weights)]
            if e.integral:  # Python ints are exact
                return "(" + " + ".join(terms) + ")"
            out = "0"
            for t in terms:
                out = f"_ctx.add({out}, {t})"
            return out
        if isinstance(e, m.Known):
            return f"k_{e.name}"
        if isinstance(e, m.MinMax):
            return f"{e.op}({', '.join(self.expr(a) for a in e.args)})"
        if isinstance(e, (m.ActionStatus, m.ActionCategory, m.Alternatives)):
            raise ValueError("action status belongs to properties, not to rules")
        raise TypeError(f"not an expression: {e!r}")


def placeholder(i: m.Input) -> Any:
    """A value of the input's type standing in for "unknown" (never decisive, see dsl.optional)."""
    t = i.type
    if isinstance(t, m.BoolType):
        return False
    if isinstance(t, m.EnumType):
        return t.values[0]
    lo = Fraction(t.lo)
    return int(lo) if lo.denominator == 1 else fraction_to_decimal(lo)


def _needed(ruleset: m.Ruleset, exprs: list[m.Expr]) -> set[str]:
    """The definitions ``exprs`` read, directly or through other definitions (one linear pass:
    definitions come after what they use, so users are met first walking backwards)."""
    need = {n.name for e in exprs for n in m.walk(e) if isinstance(n, m.DefRef)}
    for d in reversed(ruleset.definitions):
        if d.name in need:
            need.update(n.name for n in m.walk(d.expr) if isinstance(n, m.DefRef))
    return need


def _inputs(ruleset: m.Ruleset, c: ExprCompiler) -> list[str]:
    """Lines binding every input to a local."""
    lines = []
    for i in ruleset.inputs:
        lines.append(f"    i_{i.name} = r[{i.name!r}]")
        if i.optional:
            # issue 12: an unknown value is read only under known(...) (the checker
            # guarantees it), so any placeholder gives the same result; it keeps
            # comparisons from meeting None.
            lines.append(f"    k_{i.name} = i_{i.name} is not None")
            lines.append(f"    if not k_{i.name}: i_{i.name} = {c.const(placeholder(i))}")
    return lines


def _prelude(ruleset: m.Ruleset, c: ExprCompiler, exprs: list[m.Expr]) -> list[str]:
    """Lines binding every input, and each definition ``exprs`` need, to a local, in dependency order."""
    need = _needed(ruleset, exprs)
    return _inputs(ruleset, c) + [f"    d_{d.name} = {c.definition(d)}" for d in ruleset.definitions if d.name in need]


def _function(ruleset: m.Ruleset, c: ExprCompiler, name: str, body: list[tuple[m.Expr, str]]) -> list[str]:
    """``def name(r):`` appending to ``out`` per (expression, line format with {}), with the
    prelude it needs: the body is compiled first, so the definitions it reads are known
    (``c.reads``) and their own reads come with their source, without a walk of the model."""
    c.reads = set()
    lines = [fmt.format(c.expr(e)) for e, fmt in body]
    need = c.reads
    defs: list[str] = []
    for d in reversed(ruleset.definitions):  # users before what they use: one backward pass
        if d.name in need:
            src, reads = c.definition_reads(d)
            need |= reads
            defs.append(f"    d_{d.name} = {src}")
    defs.reverse()
    return [f"def {name}(r):"] + _inputs(ruleset, c) + defs + ["    out = []"] + lines + ["    return out"]


def build(ruleset: m.Ruleset) -> tuple[Any, Any]:
    """Compile the ruleset into two functions of a validated record.

    ``failed_constraints(r)`` returns the indices of the constraints ``r`` breaks;
    ``fired_rules(r)`` returns the indices of the rules whose condition holds.
    """
    c = ExprCompiler()
    src = _function(ruleset, c, "failed_constraints",
                    [(con.expr, f"    if not {{}}: out.append({k})") for k, con in enumerate(ruleset.constraints)])
    src += [""] + _function(ruleset, c, "fired_rules",
                            [(rule.condition, f"    if {{}}: out.append({k})") for k, rule in enumerate(ruleset.rules)])
    namespace: dict[str, Any] = dict(c.consts)
    code = compile("\n".join(src) + "\n", f"<ruleset {ruleset.name}>", "exec")
    exec(code, namespace)  # noqa: S102 - source built from the checked model only
    return namespace["failed_constraints"], namespace["fired_rules"]


def build_predicate(ruleset: m.Ruleset, exprs: list[m.Expr]) -> Any:
    """One function of a record returning the truth of each expression (for traces)."""
    c = ExprCompiler()
    body = ", ".join(c.expr(e) for e in exprs)
    src = ["def values(r):"] + _prelude(ruleset, c, exprs) + [f"    return ({body}{',' if exprs else ''})"]
    namespace: dict[str, Any] = dict(c.consts)
    exec(compile("\n".join(src) + "\n", f"<trace {ruleset.name}>", "exec"), namespace)  # noqa: S102
    return namespace["values"]
