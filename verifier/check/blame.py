"""Which rules a refuted check is about: where a code-scanning annotation belongs.

A refuted property is declared once, but it is broken by the rules that gave
the offending action on the counterexample. Code scanning annotates only the
lines a pull request changed, so a finding placed at the property line stays
silent when a rule edit breaks it; placed at the rules that fired and gave the
action, it lands on the edit. The declaration stays a related location.
"""

from __future__ import annotations

import re

from dsl import model as m
from verifier.check.results import CheckResult

# Which rule strengths can make each action-status predicate true.
_STRENGTHS = {
    "recommended": ("recommend",),
    "considered": ("consider",),
    "given": ("recommend", "consider"),
    "avoided": ("avoid",),
}
_GIVEN = ("recommend", "consider")
_PAIR = re.compile(r"conflict\(([^,()]+),([^,()]+)\)\Z")
_AVOIDED = re.compile(r"given-and-avoided\(([^()]+)\)\Z")


def _offending(rs: m.Ruleset, r: CheckResult) -> dict[str, set[str]]:
    """action -> the strengths that take part in the failure of ``r``."""
    if r.kind == "contradiction":
        pair = _PAIR.match(r.property)
        if pair:
            return {pair.group(1): set(_GIVEN), pair.group(2): set(_GIVEN)}
        avoided = _AVOIDED.match(r.property)
        if avoided:
            return {avoided.group(1): {"recommend", "consider", "avoid"}}
        return {}
    if r.kind == "invariant":
        prop = next((p for p in rs.properties if p.id == r.property), None)
        out: dict[str, set[str]] = {}
        if prop is not None:
            for node in m.walk(prop.expr):
                if isinstance(node, m.ActionStatus):
                    for action in node.actions:
                        out.setdefault(action, set()).update(_STRENGTHS[node.status])
        return out
    return {}


def culprit_rules(rs: m.Ruleset, r: CheckResult) -> tuple[m.Rule, ...]:
    """The rules that fired on ``r``'s counterexample and gave (or avoided) an action its failure is about.

    Empty when there is no such rule: a coverage gap (nothing fired), a dead
    rule (the rule is already the location), a property over inputs alone.
    """
    if r.counterexample is None or not r.fired:
        return ()
    wanted = _offending(rs, r)
    if not wanted:
        return ()
    fired = set(r.fired)
    out = []
    for rule in rs.rules:
        if rule.id in fired and any(
            g.strength in wanted.get(a, ()) for g in rule.gives for a in g.actions
        ):
            out.append(rule)
    return tuple(out)
