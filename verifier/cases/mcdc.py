"""MC/DC pairs per rule, and every value of each membership test.

For each rule and each condition it reaches (its phase's, its own, and those
of the definitions it uses, inlined), two valid records: on one the condition
is true, on the other false, and on both the condition *decides* whether the
rule fires (flipping it alone would flip the rule), so the rule's outcome
changes with it. The second record is built from the first, keeping every
other condition of the rule at its value where the constraints allow
(unique-cause MC/DC; the case says when only masking MC/DC was possible) and
every input it can. Where the rule's firing shows in the decision (no other
rule gives the same actions there) the records sit there, so that the pair
also tells apart rulesets that differ in this condition.

A membership test ``site in {extremity, trunk_wall}`` is true or false for
several values; MC/DC alone lets a replaced value go unnoticed. So each value
of the enum also gets a record where the test decides some rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dsl import model as m
from dsl.printer import format_expr
from dsl.span import NOWHERE
from verifier.facts.conditions import Condition, decides
from verifier.cases.finder import Fact, Found, NotFound
from verifier.cases.case import Purpose, side_word
from verifier.cases.plan import Plan
from verifier.solver.encoding import SAT, UNSAT


def _constraints_note(constraints: tuple[str, ...]) -> str:
    return f" (with constraint{'s' if len(constraints) > 1 else ''} {', '.join(constraints)})" if constraints else ""


def why_no_side(plan: Plan, rule: m.Rule, cond: Condition, dec: m.Expr, side: bool) -> tuple[str, bool, bool]:
    """Why no valid record has ``cond`` equal to ``side`` where it decides ``rule``.

    Returns (reason, undecided, whether the reason holds for either value).
    """
    finder = plan.finder
    status = finder.satisfiable([Fact(dec)])
    if status not in (SAT, UNSAT):
        return "the solver gave up", True, False
    if status == UNSAT:
        why = finder.explain([("decides", Fact(dec))])
        note = _constraints_note(why[0]) if why else ""
        return (f"never decides whether {rule.id} fires: on every valid record{note} the rest of the "
                f"rule's condition already fixes the outcome"), False, True
    why = finder.explain([("value", Fact(cond.expr, side)), ("decides", Fact(dec))])
    note = _constraints_note(why[0]) if why else ""
    if side:
        return (f"never true where it decides whether {rule.id} fires: the rest of the rule's "
                f"condition{note} excludes it"), False, False
    return (f"never false where it decides whether {rule.id} fires: the rest of the rule's "
            f"condition{note} implies it (a redundant condition)"), False, False


def _purpose(rule: m.Rule, cond: Condition, value: bool, partner: int | None, unique: bool,
             rule_rank: int, cond_rank: int) -> Purpose:
    text = format_expr(cond.expr)
    how = "only this condition changes" if unique else "other conditions of the rule change too, without deciding"
    return Purpose(
        kind="mcdc",
        name=f"mcdc-{rule.id}-{cond.slug}-{side_word(value)}",
        why=(f"MC/DC for rule {rule.id}: `{text}` ({cond.owner}) is {side_word(value)} and decides "
             f"whether the rule fires; the pair case flips it ({how})"),
        fields=(("rule", rule.id), ("condition", cond.label), ("value", value), ("unique_cause", unique)),
        order=(rule_rank, cond_rank, 0 if value else 1),
        partner=partner,
    )


def plan_pairs(plan: Plan) -> None:
    """MC/DC pairs for every condition of every rule (after the witnesses)."""
    finder = plan.finder
    index = plan.index
    work: list[tuple[m.Rule, Condition, m.Expr, m.Expr]] = []
    for rule in plan.ruleset.rules:
        visible = plan.visibility.visible(rule)
        for cond in index.conditions(rule):
            work.append((rule, cond, decides(index, rule, cond), visible))
    finder.register([e for _, c, d, v in work for e in (c.expr, d, v)])

    # Pairs made so far per condition (true-side record, false-side record):
    # a pair made for one rule often serves the next rule of the same phase.
    made: dict[int, list[tuple[int, int]]] = {}
    for rule, cond, dec, visible in work:
        rank = plan.rule_order[rule.id]
        conds = index.conditions(rule)
        cond_rank = conds.index(cond)
        shared = _shared_pair(plan, made.get(id(cond.expr), []), conds, cond, dec, visible)
        if shared is not None:
            t, f = shared
            plan.assign(t, _purpose(rule, cond, True, f, True, rank, cond_rank))
            plan.assign(f, _purpose(rule, cond, False, t, True, rank, cond_rank))
            continue
        witness = plan.witness_of.get(rule.id)
        prefer: dict[str, Any] | None = finder.records[witness] if witness is not None else None
        first_side = finder.value(witness, cond.expr) if witness is not None else True

        first: Found | NotFound = NotFound()
        side = first_side
        for side in (first_side, not first_side):
            first = finder.find([[Fact(cond.expr, side), Fact(dec), Fact(visible)],
                                 [Fact(cond.expr, side), Fact(dec)]], prefer,
                                first=[witness] if witness is not None else [])
            if isinstance(first, Found):
                break
            reason, undecided, either = why_no_side(plan, rule, cond, dec, side)
            plan.gap("mcdc", {"rule": rule.id, "condition": cond.label, "value": "either" if either else side},
                     reason, undecided)
            if either:
                break
        if not isinstance(first, Found):
            continue
        a = first.index
        others = [Fact(d.expr, finder.value(a, d.expr)) for d in conds if d is not cond]
        flip = Fact(cond.expr, not side)
        second = finder.find(
            [[flip, Fact(dec), Fact(visible), *others], [flip, Fact(dec), *others],
             [flip, Fact(dec), Fact(visible)], [flip, Fact(dec)]],
            prefer=finder.records[a],
        )
        if not isinstance(second, Found):
            if side == first_side:  # the other side was not yet reported
                reason, undecided, _ = why_no_side(plan, rule, cond, dec, not side)
                plan.gap("mcdc", {"rule": rule.id, "condition": cond.label, "value": not side}, reason, undecided)
            continue
        b = second.index
        unique = second.level < 2
        if unique:
            made.setdefault(id(cond.expr), []).append((a, b) if side else (b, a))
        plan.assign(a, _purpose(rule, cond, side, b, unique, rank, cond_rank))
        plan.assign(b, _purpose(rule, cond, not side, a, unique, rank, cond_rank))


def _shared_pair(
    plan: Plan, pairs: list[tuple[int, int]], conds: tuple[Condition, ...], cond: Condition,
    dec: m.Expr, visible: m.Expr,
) -> tuple[int, int] | None:
    """A pair made for another rule that is a unique-cause pair, showing, for this rule too."""
    finder = plan.finder
    for t, f in pairs:
        if not (finder.holds(t, [Fact(cond.expr, True), Fact(dec), Fact(visible)])
                and finder.holds(f, [Fact(cond.expr, False), Fact(dec), Fact(visible)])):
            continue
        if all(finder.value(t, d.expr) == finder.value(f, d.expr) for d in conds if d is not cond):
            return t, f
    return None


@dataclass(frozen=True, slots=True)
class EnumTest:
    """A condition testing an enum: ``subject in {...}`` or ``subject == value`` (or their negations)."""

    subject: m.Expr
    enum: m.EnumType
    true_for: frozenset[str]


def enum_test(e: m.Expr) -> EnumTest | None:
    """The enum test ``e`` is, if it is one."""
    if isinstance(e, m.InSet):
        t = m.type_of(e.subject)
        if isinstance(t, m.EnumType):
            inside = frozenset(e.values)
            return EnumTest(e.subject, t, frozenset(t.values) - inside if e.negated else inside)
    if isinstance(e, m.Compare) and e.op in ("==", "!="):
        for lit, other in ((e.right, e.left), (e.left, e.right)):
            if isinstance(lit, m.EnumLit) and not isinstance(other, m.EnumLit):
                t = m.type_of(other)
                if isinstance(t, m.EnumType):
                    same = frozenset([lit.value])
                    return EnumTest(other, t, same if e.op == "==" else frozenset(t.values) - same)
    return None


def plan_values(plan: Plan) -> None:
    """Every value of the enum of each enum test, where the test decides some rule.

    MC/DC shows one value on each side of ``subtype != well_differentiated``;
    a test written with the wrong value (``!= pleomorphic``) can agree with
    it on both. One record per value, with the test deciding, tells them apart.
    """
    finder = plan.finder
    index = plan.index
    users = index.rules_reaching()
    work: list[tuple[Condition, EnumTest, str, m.Expr, list[tuple[m.Rule, m.Expr, m.Expr]]]] = []
    for owner_conds in index.by_owner.values():
        for cond in owner_conds:
            rules = users.get(id(cond.expr))
            test = enum_test(cond.expr)
            if not rules or test is None:
                continue
            deciders = [(r, decides(index, r, cond), plan.visibility.visible(r)) for r in rules]
            for value in test.enum.values:
                fact: m.Expr = m.Compare("==", test.subject, m.EnumLit(test.enum.name, value, NOWHERE), NOWHERE)
                work.append((cond, test, value, fact, deciders))
    finder.register([e for *_, f, ds in work for e in (f, *(x for _, d, v in ds for x in (d, v)))])

    for cond, test, value, fact, deciders in work:
        levels = [[Fact(fact), Fact(d), Fact(v)] for _, d, v in deciders]
        levels += [[Fact(fact), Fact(d)] for _, d, _ in deciders]
        got = finder.find(levels)
        subject = format_expr(test.subject)
        if not isinstance(got, Found):
            reason, undecided = plan.not_found_reason(
                got, f"no valid record with {subject} == {value} where `{format_expr(cond.expr)}` decides a rule")
            plan.gap("value", {"condition": cond.label, "value": value}, reason, undecided)
            continue
        rule = deciders[got.level % len(deciders)][0]
        plan.assign(got.index, Purpose(
            kind="value",
            name=f"value-{cond.slug}-{value}",
            why=(f"{subject} == {value}: `{format_expr(cond.expr)}` ({cond.owner}) is "
                 f"{side_word(value in test.true_for)} and decides whether {rule.id} fires"),
            fields=(("condition", cond.label), ("input", subject), ("value", value), ("decides", rule.id)),
            order=(_owner_rank(plan, cond.owner), cond.index, test.enum.values.index(value)),
        ))


def _owner_rank(plan: Plan, owner: str) -> tuple[int, int]:
    """Definitions first (in dependency order), then rules (in file order)."""
    names = [d.name for d in plan.ruleset.definitions]
    if owner in names:
        return (0, names.index(owner))
    return (1, plan.rule_order.get(owner, 0))
