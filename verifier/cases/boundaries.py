"""Numeric thresholds: records just below, exactly on and just above each one.

Every numeric comparison of the ruleset (in definitions, rules and
constraints) is a threshold: ``size_cm > 5`` moves ``size_cm`` across 5.
Off-by-one mistakes (``>`` for ``>=``, 5 for 5.1) live there, so the suite
holds a record at the threshold and one step either side. For comparisons
that decide rules, the records sit where the comparison decides one (and the
rule's firing shows), or the boundary would test nothing. The step is 1 for
whole numbers and 0.01 otherwise: the mutation analysis shifts thresholds by
the same step, and records at hundredths read back exactly from JSON.

``valid_records_with_boundaries`` is the Hypothesis strategy for any
ruleset: ``verifier.cases.strategies.valid_records`` (constraint-aware, biased
towards literals) mixed with draws moved onto a threshold by the solver.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from dsl import model as m
from dsl.printer import format_expr, format_number
from dsl.span import NOWHERE
from verifier.facts.conditions import decides, slug
from verifier.cases.finder import Fact, Found, RecordFinder
from verifier.cases.case import Purpose
from verifier.cases.plan import Plan
from verifier.solver.encoding import SAT, json_value
from verifier.cases.strategies import per_ruleset, valid_records

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
    if isinstance(e, m.Ite):  # issue 12
        return isinstance(e.type, m.NumType)
    if isinstance(e, (m.InputRef, m.DefRef)):
        return isinstance(e.type, m.NumType)
    return False


def _integral(e: m.Expr) -> bool:
    t = m.type_of(e)
    return isinstance(t, m.NumType) and t.integral


def threshold_of(owner: str, owner_kind: str, node: m.Compare) -> Threshold | None:
    """The threshold a numeric comparison sets (None for enum and bool comparisons)."""
    left, right = node.left, node.right
    if not (_numeric(left) or _numeric(right)):
        return None
    if isinstance(right, m.NumLit) and not isinstance(left, m.NumLit):
        subject, value = left, right.value
    elif isinstance(left, m.NumLit) and not isinstance(right, m.NumLit):
        subject, value = right, left.value
    else:
        whole = _integral(left) and _integral(right)
        subject, value = m.Arith("-", left, right, whole, NOWHERE), Fraction(0)
    step = INT_STEP if _integral(subject) and value.denominator == 1 else REAL_STEP
    return Threshold(owner, owner_kind, node, subject, value, step)


def thresholds(ruleset: m.Ruleset) -> tuple[Threshold, ...]:
    """Every numeric comparison of definitions, rules and constraints, in that order."""
    roots: list[tuple[str, str, m.Expr]] = [(d.name, "definition", d.expr) for d in ruleset.definitions]
    roots += [(r.id, "rule", r.when) for r in ruleset.rules]
    roots += [(c.id, "constraint", c.expr) for c in ruleset.constraints]
    out: list[Threshold] = []
    for owner, kind, root in roots:
        for node in m.walk(root):
            if isinstance(node, m.Compare):
                th = threshold_of(owner, kind, node)
                if th is not None:
                    out.append(th)
    return tuple(out)


def _name(th: Threshold, side: str, duplicate: int) -> str:
    more = f"-{duplicate}" if duplicate > 1 else ""
    return f"boundary-{th.owner}--{slug(th.text)}{more}-{side}"


def plan_boundaries(plan: Plan) -> None:
    """Records below, on and above every threshold (where the comparison decides a rule, if it can)."""
    finder = plan.finder
    index = plan.index
    users = index.rules_reaching()
    work = []
    seen: dict[tuple[str, str], int] = {}
    for rank, th in enumerate(thresholds(plan.ruleset)):
        key = (th.owner, th.text)
        seen[key] = seen.get(key, 0) + 1
        deciders: list[tuple[m.Rule, m.Expr, m.Expr]] = []
        if th.owner_kind != "constraint":
            cond = index.of_node(th.node)
            deciders = [(r, decides(index, r, cond), plan.visibility.visible(r)) for r in users.get(id(th.node), [])]
        for side in SIDES:
            work.append((rank, th, side, th.fact(side), deciders, seen[key]))
    finder.register([e for *_, f, ds, _ in work for e in (f, *(x for _, d, v in ds for x in (d, v)))])

    for rank, th, side, fact, deciders, dup in work:
        fields: dict[str, Any] = {
            "comparison": th.label, "subject": format_expr(th.subject),
            "value": json_value(th.point(side)), "side": side,
        }
        outside = th.outside_domain(plan.ruleset, side)
        if outside is not None:
            plan.gap("boundary", fields, outside)
            continue
        levels = [[Fact(fact), Fact(d), Fact(v)] for _, d, v in deciders]
        levels += [[Fact(fact), Fact(d)] for _, d, _ in deciders]
        levels.append([Fact(fact)])
        got = finder.find(levels)
        if not isinstance(got, Found):
            reason, undecided = plan.not_found_reason(
                got, f"no valid record has {format_expr(th.subject)} = {format_number(th.point(side))}")
            if not undecided:
                why = finder.explain([("value", Fact(fact))])
                if why and why[0]:
                    reason += f" (constraints {', '.join(why[0])})"
            plan.gap("boundary", fields, reason, undecided)
            continue
        # Levels: each decider with its rule showing, each decider alone, then the value alone.
        decider = deciders[got.level % len(deciders)][0].id if got.level < 2 * len(deciders) else None
        fields["decides"] = decider
        shows = f" and decides whether {decider} fires" if decider else ""
        plan.assign(got.index, Purpose(
            kind="boundary",
            name=_name(th, side, dup),
            why=(f"boundary of `{th.text}` ({th.owner}): {format_expr(th.subject)} = "
                 f"{format_number(th.point(side))}, {side} the threshold{shows}"),
            fields=tuple(fields.items()),
            order=(rank, SIDES.index(side)),
        ))


# ---------------------------------------------------------------- Hypothesis


class _Handle:
    """The ruleset as a strategy argument with a short repr (Hypothesis prints arguments)."""

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset

    def __repr__(self) -> str:
        return f"<ruleset {self.ruleset.name} {self.ruleset.version}>"


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
