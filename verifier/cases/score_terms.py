"""Score cases: each line of a score table pushing its score across a threshold (issue 12).

MC/DC already gives, for each line of a ``points`` table, two records that
differ in that line alone and on which a rule flips: the line crossing the
rule's threshold on its own. That catches a forgotten line or a line worth
nothing, but not a line worth one point too many (2 -> 3 leaves every MC/DC
record on the same side). So for every threshold a score is compared with,
and every line of the score, this stage adds records where the line holds
and the score sits just below, on and just above the threshold, with the
comparison deciding a rule: wherever the line's points are miscounted by a
step, one of them changes side.
"""

from __future__ import annotations

from typing import Any

from dsl import model as m
from dsl.printer import format_expr, format_number
from dsl.span import NOWHERE
from verifier.facts.thresholds import SIDES, Threshold, thresholds
from verifier.cases.case import Purpose
from verifier.cases.finder import Fact, Found
from verifier.cases.plan import Plan
from verifier.facts.conditions import decides, slug
from verifier.facts.values import json_value


def _table_of(ruleset: m.Ruleset, subject: m.Expr) -> tuple[str, m.Points] | None:
    """The score table a threshold's subject is (by name, or written inline)."""
    if isinstance(subject, m.DefRef):
        d = ruleset.definition(subject.name)
        if isinstance(d.expr, m.Points):
            return d.name, d.expr
    if isinstance(subject, m.Points):
        return format_expr(subject), subject
    return None


def plan_score_terms(plan: Plan) -> None:
    """Add, per (threshold on a score, line of the score, side), a record where the line holds."""
    rs = plan.ruleset
    index = plan.index
    users = index.rules_reaching()
    work: list[tuple[int, int, Threshold, str, m.Points, int, str, m.Expr, list[tuple[m.Rule, m.Expr, m.Expr]]]] = []
    for rank, th in enumerate(thresholds(rs)):
        if th.owner_kind == "constraint":
            continue
        table = _table_of(rs, th.subject)
        if table is None:
            continue
        name, points = table
        cond = index.of_node(th.node)
        deciders = [(r, decides(index, r, cond), plan.visibility.visible(r)) for r in users.get(id(th.node), [])]
        if not deciders:
            continue
        for k, line in enumerate(points.conds):
            for side in SIDES:
                fact = m.And((line, th.fact(side)), NOWHERE)
                work.append((rank, k, th, name, points, k, side, fact, deciders))
    plan.finder.register([e for *_, f, ds in work for e in (f, *(x for _, d, v in ds for x in (d, v)))])
    for rank, k, th, name, points, line_no, side, fact, deciders in work:
        line = points.conds[line_no]
        line_text = f"{format_expr(line)}: {format_number(points.weights[line_no])}"
        fields: dict[str, Any] = {
            "comparison": th.label, "score": name, "line": line_text,
            "value": json_value(th.point(side)), "side": side,
        }
        if th.outside_domain(rs, side) is not None:
            continue
        levels = [[Fact(fact), Fact(d), Fact(v)] for _, d, v in deciders]
        levels += [[Fact(fact), Fact(d)] for _, d, _ in deciders]
        got = plan.finder.find(levels)
        if not isinstance(got, Found):
            reason, undecided = plan.not_found_reason(
                got, f"no valid record has `{format_expr(line)}` with {name} = {format_number(th.point(side))} "
                     "where the comparison decides a rule")
            plan.gap("score", fields, reason, undecided)
            continue
        decider = deciders[got.level % len(deciders)][0].id
        fields["decides"] = decider
        plan.assign(got.index, Purpose(
            kind="score",
            name=f"score-{th.owner}--{slug(th.text)}--{slug(format_expr(line))}-{side}",
            why=(f"`{line_text}` holds and {name} = {format_number(th.point(side))}, {side} the threshold of "
                 f"`{th.text}` ({th.owner}), deciding whether {decider} fires: a miscounted line changes side"),
            fields=tuple(fields.items()),
            order=(rank, line_no, SIDES.index(side)),
        ))
