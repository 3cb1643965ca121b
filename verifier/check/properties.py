"""Invariants declared by the ruleset, and contradictions between actions."""

from __future__ import annotations

from typing import Any

import z3

from dsl import model as m
from dsl.printer import format_expr
from verifier.facts.evaluation import Statuses, environment, evaluate
from verifier.solver.encoding import SAT, UNSAT
from verifier.solver.replay import DecisionView
from verifier.check.results import CheckResult
from verifier.check.session import Verdict, Session, proved


def check_invariant(s: Session, prop: m.Property) -> CheckResult:
    """``prop`` holds for every valid record and the decision it gets."""

    def fails(record: dict[str, Any], d: DecisionView) -> bool:
        env = environment(s.ruleset, record)
        return not evaluate(prop.expr, env, statuses_of(s.ruleset, d))

    def run() -> Verdict:
        fact = z3.Not(s.enc.properties[prop.id])
        ans = s.enc.check(fact)
        if ans.status == UNSAT:
            return proved(prop.title)
        if ans.status == SAT:
            return s.refuted(
                [fact], ans, fails, f"property {prop.id}",
                f'property {prop.id} "{prop.title}" fails', detail=(format_expr(prop.expr),),
            )
        return s.gave_up(ans)

    return s.run(prop.id, "invariant", str(prop.span), run)


def statuses_of(ruleset: m.Ruleset, d: DecisionView) -> Statuses:
    """The statuses of a decision, with each action's category and alternatives.

    An engine decision carries them; a decision read off a Z3 model only says
    which rules fired, and the categories and alternatives follow from those
    rules as the engine combines them.
    """
    if hasattr(d, "recommendations"):
        return Statuses.of_decision(d)
    import engine  # the verifier's checks always have the engine beside them

    index = {r.id: k for k, r in enumerate(ruleset.rules)}
    full = engine.compile_ruleset(ruleset).decide(tuple(sorted(index[r] for r in d.fired)))
    return Statuses(d.recommended, d.considered, d.avoided,
                    {r.action: r.category for r in full.recommendations},
                    {r.action: tuple(r.alternatives) for r in full.recommendations})


def _conflict_location(rs: m.Ruleset, a: str, b: str) -> str | None:
    for c in rs.conflicts:
        if (a, b) in c.pairs or (b, a) in c.pairs:
            return str(c.span)
    return None


def check_conflict(s: Session, a: str, b: str) -> CheckResult:
    """No valid record is given (recommended or considered) both ``a`` and ``b``."""
    enc = s.enc

    def both(record: dict[str, Any], d: DecisionView) -> bool:
        given = d.recommended | d.considered
        return a in given and b in given

    def run() -> Verdict:
        facts = [enc.given[a], enc.given[b]]
        for x in (a, b):
            if z3.is_false(enc.given[x]):
                return proved(f"no rule recommends or considers {x}")
        ans = enc.check(*facts)
        if ans.status == UNSAT:
            return proved(f"{a} and {b} are never given together")
        if ans.status == SAT:
            return s.refuted(
                facts, ans, both, f"conflict {a} / {b}",
                f"{a} and {b} are declared in conflict but a valid record is given both",
                actions=(a, b),
            )
        return s.gave_up(ans)

    return s.run(f"conflict({a},{b})", "contradiction", _conflict_location(s.ruleset, a, b), run)


def check_given_and_avoided(s: Session, action: str) -> CheckResult:
    """No valid record gets ``action`` both given (recommended or considered) and avoided."""
    enc = s.enc

    def clash(record: dict[str, Any], d: DecisionView) -> bool:
        return action in (d.recommended | d.considered) and action in d.avoided

    def run() -> Verdict:
        facts = [enc.given[action], enc.avoided[action]]
        if z3.is_false(enc.given[action]):
            return proved(f"no rule recommends or considers {action}")
        ans = enc.check(*facts)
        if ans.status == UNSAT:
            return proved(f"{action} is never both given and avoided")
        if ans.status == SAT:
            return s.refuted(
                facts, ans, clash, f"given-and-avoided {action}",
                f"{action} is both given and avoided for a valid record", actions=(action,),
            )
        return s.gave_up(ans)

    avoiders = s.ruleset.rules_giving("avoid", action)
    location = str(s.ruleset.rule(avoiders[0]).span) if avoiders else str(s.ruleset.action(action).span)
    return s.run(f"given-and-avoided({action})", "contradiction", location, run)


def avoidable_actions(s: Session) -> list[str]:
    """Actions some rule says to avoid, in declaration order."""
    return [a.id for a in s.ruleset.actions if s.ruleset.rules_giving("avoid", a.id)]
