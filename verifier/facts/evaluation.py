"""Evaluate a property on one concrete record and the engine's decision.

Used only to replay counterexamples: Z3 says a property fails on a record,
and this evaluator, fed the engine's decision for that record, must agree. It
is a third, deliberately plain reading of the semantics (exact Fractions, no
compilation), independent of both the engine's code generator and the Z3
encoding.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping

from dsl import model as m
from engine.codegen import placeholder
from verifier.facts.values import to_fraction


class Statuses:
    """The action sets of one decision, by status name."""

    def __init__(self, recommended: frozenset[str], considered: frozenset[str], avoided: frozenset[str]) -> None:
        self.table = {
            "recommended": recommended,
            "considered": considered,
            "avoided": avoided,
            "given": recommended | considered,
        }


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
    raise TypeError(f"not an expression: {e!r}")
