"""Which ruleset expressions have a faithful CQL form, and how numbers are sized.

CQL is not Python's Fraction. A CQL ``Decimal`` keeps 8 digits after the
point (values in between do not exist), a CQL ``Integer`` is 32 bits (an
overflow gives null), and the reference JavaScript engine, ``cql-execution``,
computes both with IEEE doubles. An export is only faithful if every value an
expression can take survives all three. This module works that out from the
model alone, before anything is written:

* the *scale* of a numeric expression is the number of decimal places its
  exact value can need: a real input is read at CQL's 8, a literal at its own
  digits, ``+``/``-`` keep the larger scale, ``*`` adds them. A scale above 8
  is refused: CQL would round the product.
* the *bounds* of a numeric expression come from the inputs' declared ranges
  (interval arithmetic). An integer expression must stay within 32 bits; a
  decimal must have at most 14 significant digits at its scale, so that the
  double holding it is the nearest one to exactly one decimal at that scale
  (comparisons of such doubles agree with the exact comparison, and rounding
  a computed double back to the scale recovers the exact decimal).

A record whose real inputs carry more than 8 decimal places is outside what
CQL can represent; ``record_parameters`` refuses it by field name.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Mapping

from dsl import model as m
from dsl.errors import Diagnostic
from dsl.printer import format_expr
from dsl.span import Span

# CQL Decimal: "a step size of 10^-8" (CQL 1.5, 5.2 Decimal).
DECIMAL_PLACES = 8
# CQL Integer: a 32-bit signed value.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# At most this many significant digits. A double holds any decimal of 15
# significant digits uniquely; one digit less leaves room for the rounding
# error of one double operation, which the export's Round then removes.
SIGNIFICANT_DIGITS = 14


class UnfaithfulError(Exception):
    """A ruleset construct with no faithful CQL form; ``diagnostics`` locate each one."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__(f"{len(diagnostics)} construct(s) without a faithful CQL form")


@dataclass(frozen=True, slots=True)
class Num:
    """What the export knows about a numeric expression: exact bounds and scale."""

    lo: Fraction
    hi: Fraction
    scale: int
    integral: bool


def literal_scale(v: Fraction) -> int:
    """Decimal places of a finite decimal (every rules-file literal is one)."""
    s = 0
    while (v * 10**s).denominator != 1:
        s += 1
        if s > 60:
            raise ValueError(f"{v} is not a finite decimal")
    return s


class Sizer:
    """Computes ``Num`` for every numeric expression of a ruleset and collects refusals."""

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset
        self.problems: list[Diagnostic] = []
        self._defs: dict[str, Num] = {}
        self._seen: set[tuple[int, int, str]] = set()  # each refusal once, though a definition is walked once per use

    def _refuse(self, message: str, span: Span) -> None:
        key = (span.line, span.col, message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(Diagnostic("error", message, span))

    def check_inputs(self) -> None:
        for i in self.ruleset.inputs:
            t = i.type
            if isinstance(t, m.IntType) and (t.lo < INT_MIN or t.hi > INT_MAX):
                self._refuse(f"input {i.name}: the range [{t.lo}, {t.hi}] does not fit a CQL Integer (32 bits)", i.span)
            if isinstance(t, m.RealType):
                self._fits_decimal(f"input {i.name}", Num(t.lo, t.hi, DECIMAL_PLACES, False), i.span)

    def _fits_decimal(self, what: str, n: Num, span: Span) -> None:
        if n.integral:
            if n.lo < INT_MIN or n.hi > INT_MAX:
                self._refuse(f"{what} can reach [{n.lo}, {n.hi}], beyond a CQL Integer (32 bits)", span)
            return
        if n.scale > DECIMAL_PLACES:
            self._refuse(f"{what} needs {n.scale} decimal places; a CQL Decimal keeps {DECIMAL_PLACES}, "
                         f"so CQL would round it", span)
            return
        biggest = max(abs(n.lo), abs(n.hi)) * 10**n.scale
        if biggest >= 10**SIGNIFICANT_DIGITS:
            self._refuse(f"{what} can reach [{float(n.lo):g}, {float(n.hi):g}] at {n.scale} decimal places: "
                         f"more than {SIGNIFICANT_DIGITS} significant digits, beyond exact double arithmetic", span)

    def num(self, e: m.Expr) -> Num:
        """Bounds and scale of numeric expression ``e`` (refusals are collected, not raised)."""
        if isinstance(e, m.NumLit):
            n = Num(e.value, e.value, 0 if e.integral else literal_scale(e.value), e.integral)
            self._fits_decimal(f"the literal {format_expr(e)}", n, e.span)
            return n
        if isinstance(e, m.InputRef):
            t = self.ruleset.input(e.name).type
            if isinstance(t, m.IntType):
                return Num(Fraction(t.lo), Fraction(t.hi), 0, True)
            assert isinstance(t, m.RealType)
            return Num(Fraction(t.lo), Fraction(t.hi), DECIMAL_PLACES, False)
        if isinstance(e, m.DefRef):
            got = self._defs.get(e.name)
            if got is None:
                got = self._defs[e.name] = self.num(self.ruleset.definition(e.name).expr)
            return got
        if isinstance(e, m.Neg):
            a = self.num(e.arg)
            return Num(-a.hi, -a.lo, a.scale, a.integral)
        if isinstance(e, m.Arith):
            a, b = self.num(e.left), self.num(e.right)
            if e.op == "+":
                lo, hi, scale = a.lo + b.lo, a.hi + b.hi, max(a.scale, b.scale)
            elif e.op == "-":
                lo, hi, scale = a.lo - b.hi, a.hi - b.lo, max(a.scale, b.scale)
            else:
                corners = (a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi)
                lo, hi, scale = min(corners), max(corners), a.scale + b.scale
            n = Num(lo, hi, scale, e.integral)
            if max(a.scale, b.scale) <= DECIMAL_PLACES:  # else the operand is already refused: name only it
                self._fits_decimal(f"`{format_expr(e)}`", n, e.span)
            return n
        raise TypeError(f"not a numeric expression: {type(e).__name__}")

    def visit(self, e: m.Expr) -> None:
        """Size every numeric subexpression of boolean expression ``e``."""
        for node in m.walk(e):
            if isinstance(node, m.ActionStatus):
                self._refuse("an action status (recommended/considered/given/avoided) depends on the decision, "
                             "not on the record; it has no CQL form in a rule condition", node.span)
            if isinstance(node, m.Compare) and (_is_numeric(node.left) or _is_numeric(node.right)):
                self.num(node.left)
                self.num(node.right)


def _is_numeric(e: m.Expr) -> bool:
    if isinstance(e, (m.NumLit, m.Arith, m.Neg)):
        return True
    if isinstance(e, (m.InputRef, m.DefRef)):
        return isinstance(e.type, m.NumType)
    return False


def size_ruleset(ruleset: m.Ruleset) -> Sizer:
    """Size everything the export writes (definitions, constraints, rules); raise if anything is unfaithful."""
    sizer = Sizer(ruleset)
    sizer.check_inputs()
    for d in ruleset.definitions:
        if isinstance(d.type, m.NumType):
            sizer.num(d.expr)
        else:
            sizer.visit(d.expr)
    for c in ruleset.constraints:
        sizer.visit(c.expr)
    for r in ruleset.rules:
        sizer.visit(r.when)
    if sizer.problems:
        raise UnfaithfulError(sorted(sizer.problems, key=lambda d: (d.span.line, d.span.col, d.message)))
    return sizer


class RecordOutsideCql(ValueError):
    """A (valid) record a CQL engine cannot be given faithfully."""


def record_parameters(ruleset: m.Ruleset, record: Mapping[str, Any]) -> dict[str, Any]:
    """The CQL parameter values of a validated record, as JSON values.

    Decimals stay ``Decimal`` so that the JSON text carries their exact digits;
    a real with more than 8 decimal places has no CQL Decimal and is refused.
    """
    out: dict[str, Any] = {}
    for i in ruleset.inputs:
        v = record[i.name]
        if isinstance(i.type, m.RealType):
            d = v if isinstance(v, Decimal) else Decimal(str(v)) if not isinstance(v, Fraction) else None
            if d is None:
                f = Fraction(v)
                if (f * 10**DECIMAL_PLACES).denominator != 1:
                    raise RecordOutsideCql(f"{i.name}: {v} has more than {DECIMAL_PLACES} decimal places")
                d = Decimal(f.numerator) / Decimal(f.denominator)
            exp = d.normalize().as_tuple().exponent
            if isinstance(exp, int) and -exp > DECIMAL_PLACES:
                raise RecordOutsideCql(f"{i.name}: {d} has more than {DECIMAL_PLACES} decimal places "
                                       f"(a CQL Decimal keeps {DECIMAL_PLACES})")
            out[i.name] = d
        elif isinstance(i.type, m.IntType):
            out[i.name] = int(v)
        else:
            out[i.name] = v
    return out
