"""Numeric thresholds: records just below, exactly on and just above each one.

Every numeric comparison of the ruleset (in definitions, rules and
constraints) is a threshold: ``size_cm > 5`` moves ``size_cm`` across 5.
Off-by-one mistakes (``>`` for ``>=``, 5 for 5.1) live there, so the suite
holds a record at the threshold and one step either side. For comparisons
that decide rules, the records sit where the comparison decides one (and the
rule's firing shows), or the boundary would test nothing. The step is 1 for
whole numbers and 0.01 otherwise: the mutation analysis shifts thresholds by
the same step, and records at hundredths read back exactly from JSON.
"""

from __future__ import annotations

from typing import Any

from dsl import model as m
from dsl.printer import format_expr, format_number
from verifier.facts.conditions import decides, slug
from verifier.facts.thresholds import SIDES, Threshold, thresholds
from verifier.cases.finder import Fact, Found
from verifier.cases.case import Purpose
from verifier.cases.plan import Plan
from verifier.facts.values import json_value

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
