"""Numeric thresholds: where a ruleset's comparisons cut its number inputs.

Every numeric comparison is read once, here, as "``subject`` against
``value``" (``size_cm > 5`` is ``size_cm`` against 5). The boundary cases,
the diff's regions, the decision diagram's questions and the Hypothesis
strategies all take their cut points from this one reading, so they cannot
drift apart on what counts as a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

from dsl import model as m
from dsl.printer import format_expr, format_number
from dsl.span import NOWHERE

INT_STEP = Fraction(1)
REAL_STEP = Fraction(1, 100)
SIDES = ("below", "on", "above")
_OFFSET = {"below": -1, "on": 0, "above": 1}


@dataclass(frozen=True, slots=True)
class Threshold:
    """One numeric comparison, read as "``subject`` against ``value``".

    ``owner`` is the definition, rule or constraint the comparison is
    written in; ``node`` the comparison itself; ``step`` how far "just
    below" and "just above" are.
    """

    owner: str
    owner_kind: str
    node: m.Compare
    subject: m.Expr
    value: Fraction
    step: Fraction

    @property
    def text(self) -> str:
        return format_expr(self.node)

    @property
    def label(self) -> str:
        return f"{self.owner}: {self.text}"

    def point(self, side: str) -> Fraction:
        return self.value + _OFFSET[side] * self.step

    def fact(self, side: str) -> m.Expr:
        """"``subject`` == the point of ``side``", as an expression."""
        point = self.point(side)
        return m.Compare("==", self.subject, m.NumLit(point, point.denominator == 1, NOWHERE), NOWHERE)

    def outside_domain(self, ruleset: m.Ruleset, side: str) -> str | None:
        """Why the point of ``side`` is no value of the input, if the subject is an input."""
        if not isinstance(self.subject, m.InputRef):
            return None
        t = ruleset.input(self.subject.name).type
        if not isinstance(t, (m.IntType, m.RealType)):
            return None
        point, lo, hi = self.point(side), Fraction(t.lo), Fraction(t.hi)
        if lo <= point <= hi:
            return None
        return (f"{self.subject.name} = {format_number(point)} is outside its domain "
                f"[{format_number(lo)}, {format_number(hi)}]")


def _numeric(e: m.Expr) -> bool:
    if isinstance(e, (m.NumLit, m.Arith, m.Neg, m.Points, m.MinMax)):
        return True
    if isinstance(e, m.Ite):
        return isinstance(e.type, m.NumType)
    if isinstance(e, (m.InputRef, m.DefRef)):
        return isinstance(e.type, m.NumType)
    return False


def _integral(e: m.Expr) -> bool:
    t = m.type_of(e)
    return isinstance(t, m.NumType) and t.integral


def threshold_of(owner: str, owner_kind: str, node: m.Compare, ruleset: m.Ruleset | None = None) -> Threshold | None:
    """The threshold a numeric comparison sets (None for enum and bool comparisons).

    With ``ruleset``, a definition that names a constant counts as that constant.
    """
    left, right = node.left, node.right
    if not (_numeric(left) or _numeric(right)):
        return None
    lc, rc = constant(left, ruleset), constant(right, ruleset)
    if rc is not None and lc is None:
        subject, value = left, rc
    elif lc is not None and rc is None:
        subject, value = right, lc
    else:
        whole = _integral(left) and _integral(right)
        subject, value = m.Arith("-", left, right, whole, NOWHERE), Fraction(0)
    step = INT_STEP if _integral(subject) and value.denominator == 1 else REAL_STEP
    return Threshold(owner, owner_kind, node, subject, value, step)


def thresholds(ruleset: m.Ruleset, *, properties: bool = False) -> tuple[Threshold, ...]:
    """Every numeric comparison of definitions, rules and constraints (and, if
    asked, properties), in that order."""
    roots: list[tuple[str, str, m.Expr]] = [(d.name, "definition", d.expr) for d in ruleset.definitions]
    roots += [(r.id, "rule", r.when) for r in ruleset.rules]
    roots += [(c.id, "constraint", c.expr) for c in ruleset.constraints]
    if properties:
        roots += [(p.id, "property", p.expr) for p in ruleset.properties]
    out: list[Threshold] = []
    for owner, kind, root in roots:
        for node in m.walk(root):
            if isinstance(node, m.Compare):
                th = threshold_of(owner, kind, node, ruleset)
                if th is not None:
                    out.append(th)
    return tuple(out)


def constant(e: m.Expr, ruleset: m.Ruleset | None = None) -> Fraction | None:
    """The value of a constant numeric expression (literals, negation, arithmetic
    and, with ``ruleset``, definitions of constants), else None."""
    if isinstance(e, m.NumLit):
        return Fraction(e.value)
    if isinstance(e, m.DefRef) and ruleset is not None and isinstance(e.type, m.NumType):
        return constant(ruleset.definition(e.name).expr, ruleset)
    if isinstance(e, m.Neg):
        v = constant(e.arg, ruleset)
        return None if v is None else -v
    if isinstance(e, m.Arith):
        a, b = constant(e.left, ruleset), constant(e.right, ruleset)
        if a is None or b is None:
            return None
        return a + b if e.op == "+" else a - b if e.op == "-" else a * b
    return None


def numeric_input(e: m.Expr, ruleset: m.Ruleset) -> str | None:
    """The number input ``e`` stands for, through definitions that merely rename it."""
    while isinstance(e, m.DefRef):
        e = ruleset.definition(e.name).expr
    return e.name if isinstance(e, m.InputRef) else None


def input_cuts(rulesets: Iterable[m.Ruleset], *, properties: bool = False) -> dict[str, set[Fraction]]:
    """For each number input, the constants any comparison compares it with directly."""
    out: dict[str, set[Fraction]] = {}
    for rs in rulesets:
        for th in thresholds(rs, properties=properties):
            name = numeric_input(th.subject, rs)
            if name is not None:
                out.setdefault(name, set()).add(th.value)
    return out
