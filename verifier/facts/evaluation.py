"""Evaluate a property on one concrete record and the engine's decision.

Used only to replay counterexamples: Z3 says a property fails on a record,
and this evaluator, fed the engine's decision for that record, must agree. It
is a third, deliberately plain reading of the semantics (exact Fractions, no
compilation), independent of both the engine's code generator and the Z3
encoding.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, Mapping

from dsl import model as m
from engine.codegen import placeholder
from verifier.facts.values import to_fraction


class Statuses:
    """The action sets of one decision, by status name."""

    def __init__(self, recommended: frozenset[str], considered: frozenset[str], avoided: frozenset[str],
                 categories: Mapping[str, str] | None = None,
                 alternatives: Mapping[str, Iterable[str]] | None = None) -> None:
        self.table = {
            "recommended": recommended,
            "considered": considered,
            "avoided": avoided,
            "given": recommended | considered,
        }
        # Per action in the decision: its evidence category and its "one of" alternatives
        # (None: not known, so a property that reads them cannot be evaluated).
        self.categories = dict(categories) if categories is not None else None
        self.alternatives = ({a: frozenset(bs) for a, bs in alternatives.items()}
                             if alternatives is not None else None)

    @staticmethod
    def of_decision(decision: Any) -> "Statuses":
        """The statuses of an engine ``Decision``, with categories and alternatives."""
        return Statuses(frozenset(decision.recommended), frozenset(decision.considered),
                        frozenset(decision.avoided),
                        {r.action: r.category for r in decision.recommendations},
                        {r.action: tuple(r.alternatives) for r in decision.recommendations})


def environment(ruleset: m.Ruleset, record: Mapping[str, Any]) -> dict[str, Any]:
    """Every input and definition of ``ruleset`` evaluated on ``record``."""
    env: dict[str, Any] = {}
    for i in ruleset.inputs:
        v = record.get(i.name) if i.optional else record[i.name]
        if i.optional:  # issue 12: "known(x)" lives beside x; an unknown x is never read
            env[f"known({i.name})"] = v is not None
            if v is None:
                v = placeholder(i)  # as in the engine: any value, never decisive
        env[i.name] = to_fraction(v) if isinstance(i.type, (m.IntType, m.RealType)) else v
    for d in ruleset.definitions:
        env[d.name] = evaluate(d.expr, env, None)
    return env


def evaluate(e: m.Expr, env: Mapping[str, Any], statuses: Statuses | None) -> Any:
    """The value of ``e`` (bool, Fraction or enum value) in ``env``."""
    if isinstance(e, m.BoolLit):
        return e.value
    if isinstance(e, m.NumLit):
        return Fraction(e.value)
    if isinstance(e, m.EnumLit):
        return e.value
    if isinstance(e, (m.InputRef, m.DefRef)):
        return env[e.name]
    if isinstance(e, m.Not):
        return not evaluate(e.arg, env, statuses)
    if isinstance(e, m.And):
        return all(evaluate(a, env, statuses) for a in e.args)
    if isinstance(e, m.Or):
        return any(evaluate(a, env, statuses) for a in e.args)
    if isinstance(e, m.Implies):
        return (not evaluate(e.left, env, statuses)) or bool(evaluate(e.right, env, statuses))
    if isinstance(e, m.Iff):
        return evaluate(e.left, env, statuses) == evaluate(e.right, env, statuses)
    if isinstance(e, m.Compare):
        a, b = evaluate(e.left, env, statuses), evaluate(e.right, env, statuses)
        return {
            "==": lambda: a == b,
            "!=": lambda: a != b,
            "<": lambda: a < b,
            "<=": lambda: a <= b,
            ">": lambda: a > b,
            ">=": lambda: a >= b,
        }[e.op]()
    if isinstance(e, m.InSet):
        inside = evaluate(e.subject, env, statuses) in e.values
        return not inside if e.negated else inside
    if isinstance(e, m.Arith):
        a, b = evaluate(e.left, env, statuses), evaluate(e.right, env, statuses)
        return a + b if e.op == "+" else a - b if e.op == "-" else a * b
    if isinstance(e, m.Neg):
        return -evaluate(e.arg, env, statuses)
    # -- issue 12
    if isinstance(e, m.Ite):
        branch = e.then if evaluate(e.cond, env, statuses) else e.else_
        return evaluate(branch, env, statuses)
    if isinstance(e, m.Points):
        return sum((Fraction(w) for c, w in zip(e.conds, e.weights) if evaluate(c, env, statuses)), Fraction(0))
    if isinstance(e, m.Known):
        return env[f"known({e.name})"]
    if isinstance(e, m.MinMax):
        values = [evaluate(a, env, statuses) for a in e.args]
        return min(values) if e.op == "min" else max(values)
    if isinstance(e, m.ActionStatus):
        if statuses is None:
            raise ValueError("an action status needs a decision")
        chosen = statuses.table[e.status]
        return any(a in chosen for a in e.actions)
    if isinstance(e, m.ActionCategory):
        if statuses is None or statuses.categories is None:
            raise ValueError("an evidence category needs a decision with categories")
        hit = statuses.categories.get(e.action) in e.categories
        return not hit if e.negated else hit
    if isinstance(e, m.Alternatives):
        if statuses is None or statuses.alternatives is None:
            raise ValueError("alternatives need a decision with its one-of choices")
        alts = statuses.alternatives
        return e.right in alts.get(e.left, ()) and e.left in alts.get(e.right, ())
    raise TypeError(f"not an expression: {e!r}")
