"""Mutation operators on the checked model: small plausible mistakes in a ruleset.

Each mutant is the original ``Ruleset`` with one change made through
``dataclasses.replace`` (the model is frozen): a condition negated or
dropped, a numeric threshold moved one step either way, a comparison
operator swapped, an enum literal replaced, a rule dropped, an action
dropped or swapped for another of its kind, a strength changed. Constraints
and properties are never mutated, so a mutant has exactly the original's
valid records and differs, if at all, only in the decisions.

The step of a threshold shift is ``verifier.cases.boundaries``' step (1 for whole
numbers, 0.01 otherwise): the smallest move a boundary case can notice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Iterator

from dsl import model as m
from dsl.optional import unguarded
from dsl.printer import format_expr, format_number
from dsl.span import NOWHERE
from dsl.dependencies import dependents
from verifier.facts.thresholds import INT_STEP, REAL_STEP, threshold_of
from verifier.facts.conditions import is_condition, rewrite

OPERATORS = (
    "negate-condition", "drop-condition", "shift-threshold", "swap-operator", "replace-literal",
    "drop-rule", "drop-action", "swap-action", "change-strength",
    # issue 12: mistakes in scores and conditional expressions
    "shift-coefficient", "drop-term", "swap-branches",
)

_NUMERIC_OPS = ("<", "<=", ">", ">=", "==", "!=")
_FLIP = {"==": "!=", "!=": "=="}


@dataclass(frozen=True, slots=True)
class Mutant:
    """One mutated ruleset.

    ``id`` is stable across runs (operator, place, change); ``changed_rules``
    and ``changed_definitions`` say what the mutation touched directly, for
    the analysis to rebuild only that.
    """

    id: str
    operator: str
    description: str
    location: str
    ruleset: m.Ruleset
    changed_rules: frozenset[str]
    changed_definitions: frozenset[str]


def _with_definition(rs: m.Ruleset, name: str, expr: m.Expr) -> m.Ruleset:
    defs = tuple(replace(d, expr=expr) if d.name == name else d for d in rs.definitions)
    # A fresh index: ``replace`` would otherwise hand the original's index dict to the mutant.
    return replace(rs, definitions=defs, _index={})


def _with_rule(rs: m.Ruleset, rule: m.Rule | None, rule_id: str) -> m.Ruleset:
    if rule is None:
        rules = tuple(r for r in rs.rules if r.id != rule_id)
    else:
        rules = tuple(rule if r.id == rule_id else r for r in rs.rules)
    return replace(rs, rules=rules, _index={})


@dataclass(frozen=True, slots=True)
class _Owner:
    """A place conditions are written: a definition (or phase) or a rule's ``when``."""

    name: str
    kind: str  # "definition" or "rule"
    expr: m.Expr
    span: str


def _rule_definitions(rs: m.Ruleset) -> set[str]:
    """The definitions (and phases) some rule reads, directly or through other definitions.

    A definition only properties use (the liposarcoma ruleset's ``spec_*``
    terms) is specification, not behaviour: mutating it can change no
    decision, so it yields no mutants.
    """
    used = {r.phase for r in rs.rules if r.phase is not None}
    used |= {n.name for r in rs.rules for n in m.walk(r.when) if isinstance(n, m.DefRef)}
    for d in reversed(rs.definitions):  # users come after what they use: walk back down
        if d.name in used:
            used |= {n.name for n in m.walk(d.expr) if isinstance(n, m.DefRef)}
    return used


def _owners(rs: m.Ruleset) -> list[_Owner]:
    read = _rule_definitions(rs)
    out = [_Owner(d.name, "definition", d.expr, str(d.span)) for d in rs.definitions if d.name in read]
    out += [_Owner(r.id, "rule", r.when, str(r.span)) for r in rs.rules]
    return out


def _replace_in(rs: m.Ruleset, owner: _Owner, node: m.Expr, new: m.Expr) -> m.Ruleset:
    expr = rewrite(owner.expr, {}, frozenset(), {id(node): new})
    if owner.kind == "definition":
        return _with_definition(rs, owner.name, expr)
    return _with_rule(rs, replace(rs.rule(owner.name), when=expr), owner.name)


def _node_mutations(node: m.Expr) -> Iterator[tuple[str, str, m.Expr]]:
    """(operator, change, replacement) for one node of a condition."""
    if is_condition(node):
        yield "negate-condition", "negated", m.Not(node, NOWHERE)
    if isinstance(node, (m.And, m.Or)) and len(node.args) >= 2:
        for k, arg in enumerate(node.args):
            rest = node.args[:k] + node.args[k + 1:]
            smaller = rest[0] if len(rest) == 1 else replace(node, args=rest)
            yield "drop-condition", f"dropped `{format_expr(arg)}`", smaller
    if isinstance(node, m.Compare):
        yield from _compare_mutations(node)
    if isinstance(node, m.InSet):
        yield from _inset_mutations(node)
    if isinstance(node, m.Points):  # issue 12
        yield from _points_mutations(node)
    if isinstance(node, m.Ite):
        yield "swap-branches", "then and else swapped", replace(node, then=node.else_, else_=node.then)
    if isinstance(node, m.MinMax):
        other = "max" if node.op == "min" else "min"
        yield "swap-operator", f"`{node.op}` -> `{other}`", replace(node, op=other)


def _points_mutations(node: m.Points) -> Iterator[tuple[str, str, m.Expr]]:
    """Each line's weight one step either way (a point miscounted), and each line dropped."""
    for k, (cond, w) in enumerate(zip(node.conds, node.weights)):
        step = INT_STEP if w.denominator == 1 else REAL_STEP
        for sign in (-1, 1):
            value = w + sign * step
            weights = node.weights[:k] + (value,) + node.weights[k + 1:]
            yield ("shift-coefficient", f"`{format_expr(cond)}`: {format_number(w)} -> {format_number(value)}",
                   replace(node, weights=weights))
        if len(node.conds) > 1:
            yield ("drop-term", f"dropped `{format_expr(cond)}: {format_number(w)}`",
                   replace(node, conds=node.conds[:k] + node.conds[k + 1:], weights=node.weights[:k] + node.weights[k + 1:]))
        else:
            yield "drop-term", f"dropped `{format_expr(cond)}: {format_number(w)}`", m.NumLit(Fraction(0), True, NOWHERE)


def _with_side(node: m.Compare, side: str, new: m.Expr) -> m.Compare:
    return replace(node, left=new) if side == "left" else replace(node, right=new)


def _compare_mutations(node: m.Compare) -> Iterator[tuple[str, str, m.Expr]]:
    th = threshold_of("", "", node)
    if th is not None:
        for op in _NUMERIC_OPS:
            if op != node.op:
                yield "swap-operator", f"`{node.op}` -> `{op}`", replace(node, op=op)
        for side, lit in (("left", node.left), ("right", node.right)):
            if isinstance(lit, m.NumLit):
                for sign in (-1, 1):
                    value = lit.value + sign * th.step
                    new = replace(lit, value=value, integral=lit.integral and value.denominator == 1)
                    yield ("shift-threshold", f"{format_number(lit.value)} -> {format_number(value)}",
                           _with_side(node, side, new))
        return
    if node.op in _FLIP:
        yield "swap-operator", f"`{node.op}` -> `{_FLIP[node.op]}`", replace(node, op=_FLIP[node.op])
    for side, lit in (("left", node.left), ("right", node.right)):
        if isinstance(lit, m.EnumLit):
            other = node.right if side == "left" else node.left
            t = m.type_of(other)
            values = t.values if isinstance(t, m.EnumType) else ()
            for v in values:
                if v != lit.value:
                    yield "replace-literal", f"{lit.value} -> {v}", _with_side(node, side, replace(lit, value=v))


def _inset_mutations(node: m.InSet) -> Iterator[tuple[str, str, m.Expr]]:
    word = "not in" if node.negated else "in"
    yield "swap-operator", f"`{word}` -> `{'in' if node.negated else 'not in'}`", replace(node, negated=not node.negated)
    t = m.type_of(node.subject)
    if not isinstance(t, m.EnumType):
        return
    outside = [v for v in t.values if v not in node.values]
    for k, old in enumerate(node.values):
        for v in outside:
            values = node.values[:k] + (v,) + node.values[k + 1:]
            yield "replace-literal", f"{old} -> {v}", replace(node, values=values)


def _condition_mutants(rs: m.Ruleset) -> Iterator[Mutant]:
    for owner in _owners(rs):
        nodes = list(m.walk(owner.expr))
        for k, node in enumerate(nodes):
            for op, change, new in _node_mutations(node):
                mutant = _replace_in(rs, owner, node, new)
                where = f"{owner.name}: {format_expr(node)}"
                yield Mutant(
                    id=f"{op}:{owner.name}:{k}:{change}",
                    operator=op,
                    description=f"{where}: {change}",
                    location=str(getattr(node, "span", owner.span)),
                    ruleset=mutant,
                    changed_rules=frozenset([owner.name]) if owner.kind == "rule" else frozenset(),
                    changed_definitions=frozenset([owner.name]) if owner.kind == "definition" else frozenset(),
                )
        # A rule's or phase's whole condition, when it is a single test: dropping it leaves `true`.
        single = not isinstance(owner.expr, (m.And, m.BoolLit))
        is_phase = owner.kind == "definition" and rs.definition(owner.name).is_phase
        if single and (owner.kind == "rule" or is_phase):
            true = m.BoolLit(True, NOWHERE)
            mutant = _replace_in(rs, owner, owner.expr, true)
            yield Mutant(
                id=f"drop-condition:{owner.name}:0:whole",
                operator="drop-condition",
                description=f"{owner.name}: dropped its only condition `{format_expr(owner.expr)}`",
                location=owner.span,
                ruleset=mutant,
                changed_rules=frozenset([owner.name]) if owner.kind == "rule" else frozenset(),
                changed_definitions=frozenset([owner.name]) if owner.kind == "definition" else frozenset(),
            )


def _give_mutants(rs: m.Ruleset) -> Iterator[Mutant]:
    kinds = {a.id: a.kind for a in rs.actions}
    for rule in rs.rules:
        yield Mutant(f"drop-rule:{rule.id}", "drop-rule", f"rule {rule.id} dropped", str(rule.span),
                     _with_rule(rs, None, rule.id), frozenset([rule.id]), frozenset())
        for g_idx, give in enumerate(rule.gives):
            where = f"{rule.id}: {give.strength} {', '.join(give.actions)}"

            def mutant(op: str, change: str, gives: tuple[m.Give, ...]) -> Mutant:
                return Mutant(f"{op}:{rule.id}:{g_idx}:{change}", op, f"{where}: {change}", str(give.span),
                              _with_rule(rs, replace(rule, gives=gives), rule.id),
                              frozenset([rule.id]), frozenset())

            others = rule.gives[:g_idx] + rule.gives[g_idx + 1:]
            for a_idx, action in enumerate(give.actions):
                rest = give.actions[:a_idx] + give.actions[a_idx + 1:]
                if rest:
                    gives = rule.gives[:g_idx] + (replace(give, actions=rest),) + rule.gives[g_idx + 1:]
                    yield mutant("drop-action", f"dropped {action}", gives)
                elif others:
                    yield mutant("drop-action", f"dropped {action}", others)
                for other in (a.id for a in rs.actions if kinds[a.id] == kinds[action]):
                    if other in give.actions:
                        continue
                    swapped = give.actions[:a_idx] + (other,) + give.actions[a_idx + 1:]
                    gives = rule.gives[:g_idx] + (replace(give, actions=swapped),) + rule.gives[g_idx + 1:]
                    yield mutant("swap-action", f"{action} -> {other}", gives)
            for strength in m.STRENGTHS:
                if strength != give.strength:
                    gives = rule.gives[:g_idx] + (replace(give, strength=strength),) + rule.gives[g_idx + 1:]
                    yield mutant("change-strength", f"{give.strength} -> {strength}", gives)


def mutants(ruleset: m.Ruleset, operators: frozenset[str] | None = None) -> tuple[Mutant, ...]:
    """Every mutant of ``ruleset`` (of the named operators only, if given), in a fixed order."""
    out = [*_condition_mutants(ruleset), *_give_mutants(ruleset)]
    if any(i.optional for i in ruleset.inputs):
        # issue 12: a mutant that reads an optional input without known(...)
        # is no ruleset the checker would accept (its meaning is not defined).
        out = [mu for mu in out if _guarded(mu.ruleset)]
    if operators is not None:
        out = [mu for mu in out if mu.operator in operators]
    seen: set[str] = set()
    unique = []
    for mu in out:
        if mu.id not in seen:
            seen.add(mu.id)
            unique.append(mu)
    return tuple(unique)


def _guarded(rs: m.Ruleset) -> bool:
    optional = frozenset(i.name for i in rs.inputs if i.optional)
    defs = {d.name: d.expr for d in rs.definitions}
    roots = [d.expr for d in rs.definitions] + [r.condition for r in rs.rules]
    return not any(unguarded(root, optional, defs.get) for root in roots)


def affected_rules(mutant: Mutant) -> frozenset[str]:
    """The rules of the mutant whose condition or outcome the mutation can change."""
    changed = dependents(mutant.ruleset, mutant.changed_definitions)
    out = {r for r in mutant.changed_rules if r in {x.id for x in mutant.ruleset.rules}}
    for r in mutant.ruleset.rules:
        if r.phase in changed or any(isinstance(n, m.DefRef) and n.name in changed for n in m.walk(r.when)):
            out.add(r.id)
    return frozenset(out)
