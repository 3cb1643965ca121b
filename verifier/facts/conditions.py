"""The conditions of a rule, and rewriting the checked model around them.

Test-case generation and mutation analysis both talk about *conditions*: the
atomic tests of a rule (a comparison, a membership test, a boolean input),
found in the rule's own ``when``, in its phase, and in every derived
definition either reaches ("derived definitions inlined"). A condition is a
place in the ruleset text: ``high_risk: size_cm > 5`` is one condition
however many rules use ``high_risk``, because a mutant or a hand edit
changes it in one place and so in every rule at once.

Both the Z3 encoding (``Encoding.term``) and the engine's code generator
(``engine.codegen.build_predicate``) read checked expressions. The helpers
here therefore build *expressions*, never solver terms: a rule's condition
with one condition replaced by ``true`` (definitions on the way inlined), or
"no other rule gives this action"; each is then read by both, with the same
semantics by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from dsl import model as m
from dsl.printer import format_expr
from dsl.span import NOWHERE, Span

TRUE = m.BoolLit(True, NOWHERE)
FALSE = m.BoolLit(False, NOWHERE)


@dataclass(frozen=True, slots=True)
class Condition:
    """One atomic test at one place of the ruleset.

    ``owner`` is the rule id (its ``when``) or the definition or phase name
    the test is written in; ``index`` counts the owner's conditions in text
    order, so that (owner, index) names the place even when the same text
    occurs twice.
    """

    owner: str
    index: int
    expr: m.Expr
    label: str
    slug: str


def is_condition(e: m.Expr) -> bool:
    """An atomic boolean test: what MC/DC toggles and the mutation operators negate."""
    if isinstance(e, (m.Compare, m.InSet, m.Known)):  # known(x): issue 12
        return True
    return isinstance(e, m.InputRef) and isinstance(e.type, m.BoolType)


def _owner_conditions(e: m.Expr) -> list[m.Expr]:
    """The conditions written directly in ``e`` (not inside definitions), in text order."""
    out: list[m.Expr] = []
    for node in m.walk(e):
        if is_condition(node):
            out.append(node)
    return out


_SLUG_OPS = {"==": "eq", "!=": "ne", "<=": "le", ">=": "ge", "<": "lt", ">": "gt"}


def slug(text: str) -> str:
    """A file-name-safe rendering of expression text: ``size_cm > 5`` -> ``size_cm-gt-5``."""
    for op, word in sorted(_SLUG_OPS.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(f" {op} ", f" {word} ")
    text = text.replace(".", "_")
    return re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-")


class ConditionIndex:
    """Every condition of a ruleset by owner, and which of them each rule reaches."""

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset
        self.defs: dict[str, m.Expr] = {d.name: d.expr for d in ruleset.definitions}
        self.by_owner: dict[str, tuple[Condition, ...]] = {}
        self._by_node: dict[int, Condition] = {}
        for d in ruleset.definitions:
            self._index_owner(d.name, d.expr)
        for r in ruleset.rules:
            self._index_owner(r.id, r.when)
        self._rule_conditions: dict[str, tuple[Condition, ...]] = {}

    def _index_owner(self, owner: str, expr: m.Expr) -> None:
        seen: dict[str, int] = {}
        out = []
        for k, node in enumerate(_owner_conditions(expr)):
            text = format_expr(node)
            seen[text] = seen.get(text, 0) + 1
            suffix = f" #{seen[text]}" if seen[text] > 1 else ""
            c = Condition(owner, k, node, f"{owner}: {text}{suffix}",
                          f"{owner}--{slug(text)}" + (f"-{seen[text]}" if suffix else ""))
            out.append(c)
            self._by_node[id(node)] = c
        self.by_owner[owner] = tuple(out)

    def of_node(self, node: m.Expr) -> Condition:
        return self._by_node[id(node)]

    def rules_reaching(self) -> dict[int, list[m.Rule]]:
        """For each condition (by the id of its node), the rules that reach it, in file order."""
        users: dict[int, list[m.Rule]] = {}
        for rule in self.ruleset.rules:
            for cond in self.conditions(rule):
                users.setdefault(id(cond.expr), []).append(rule)
        return users

    def conditions(self, rule: m.Rule) -> tuple[Condition, ...]:
        """The conditions ``rule`` reaches: its phase's, its own, and its definitions', each once.

        Order: as met walking the rule's condition, definitions expanded
        where first referenced (the order a reader follows).
        """
        got = self._rule_conditions.get(rule.id)
        if got is None:
            out: list[Condition] = []
            seen: set[int] = set()
            visited: set[str] = set()

            def visit(e: m.Expr) -> None:
                for node in m.walk(e):
                    if is_condition(node) and id(node) not in seen:
                        seen.add(id(node))
                        out.append(self._by_node[id(node)])
                    elif isinstance(node, m.DefRef) and node.name not in visited and node.name in self.defs:
                        visited.add(node.name)
                        visit(self.defs[node.name])

            visit(rule.condition)
            got = self._rule_conditions[rule.id] = tuple(out)
        return got

    def reaching(self, nodes: Iterable[m.Expr]) -> frozenset[str]:
        """The definitions whose value depends on any of ``nodes`` (directly or through others)."""
        return definitions_reaching(self.ruleset, nodes)


def definitions_reaching(ruleset: m.Ruleset, nodes: Iterable[m.Expr]) -> frozenset[str]:
    """Names of the definitions whose expression contains one of ``nodes``, transitively."""
    targets = {id(n) for n in nodes}
    out: set[str] = set()
    # Definitions come in dependency order, so one pass suffices.
    for d in ruleset.definitions:
        for node in m.walk(d.expr):
            if id(node) in targets or (isinstance(node, m.DefRef) and node.name in out):
                out.add(d.name)
                break
    return frozenset(out)


def rewrite(
    e: m.Expr,
    defs: Mapping[str, m.Expr],
    inline: frozenset[str],
    replacements: Mapping[int, m.Expr],
) -> m.Expr:
    """``e`` with the nodes keyed by ``id`` in ``replacements`` replaced, and the
    definitions named in ``inline`` expanded in place (their bodies rewritten too).

    Untouched subtrees are shared, not copied; definitions not in ``inline``
    stay references, read by Z3 and the engine as they always are.
    """
    hit = replacements.get(id(e))
    if hit is not None:
        return hit
    if isinstance(e, m.DefRef):
        if e.name in inline:
            return rewrite(defs[e.name], defs, inline, replacements)
        return e
    if isinstance(e, (m.And, m.Or)):
        args = tuple(rewrite(a, defs, inline, replacements) for a in e.args)
        return e if all(a is b for a, b in zip(args, e.args)) else replace(e, args=args)
    if isinstance(e, (m.Not, m.Neg)):
        arg = rewrite(e.arg, defs, inline, replacements)
        return e if arg is e.arg else replace(e, arg=arg)
    if isinstance(e, (m.Implies, m.Iff, m.Compare, m.Arith)):
        left = rewrite(e.left, defs, inline, replacements)
        right = rewrite(e.right, defs, inline, replacements)
        return e if left is e.left and right is e.right else replace(e, left=left, right=right)
    if isinstance(e, m.InSet):
        subject = rewrite(e.subject, defs, inline, replacements)
        return e if subject is e.subject else replace(e, subject=subject)
    # -- issue 12
    if isinstance(e, m.Ite):
        parts = [rewrite(x, defs, inline, replacements) for x in (e.cond, e.then, e.else_)]
        if all(a is b for a, b in zip(parts, (e.cond, e.then, e.else_))):
            return e
        return replace(e, cond=parts[0], then=parts[1], else_=parts[2])
    if isinstance(e, (m.Points, m.MinMax)):
        kids = m.children(e)
        new = tuple(rewrite(a, defs, inline, replacements) for a in kids)
        if all(a is b for a, b in zip(new, kids)):
            return e
        return replace(e, conds=new) if isinstance(e, m.Points) else replace(e, args=new)
    return e


def conj(args: Iterable[m.Expr], span: Span = NOWHERE) -> m.Expr:
    """``a and b and ...``; ``true`` when empty (an empty And would read differently per backend)."""
    items = tuple(args)
    if not items:
        return TRUE
    return items[0] if len(items) == 1 else m.And(items, span)


def disj(args: Iterable[m.Expr], span: Span = NOWHERE) -> m.Expr:
    """``a or b or ...``; ``false`` when empty."""
    items = tuple(args)
    if not items:
        return FALSE
    return items[0] if len(items) == 1 else m.Or(items, span)


def differs(a: m.Expr, b: m.Expr) -> m.Expr:
    """True when the two boolean expressions take different values."""
    return m.Not(m.Iff(a, b, NOWHERE), NOWHERE)


def with_condition(index: ConditionIndex, root: m.Expr, cond: Condition, value: m.Expr) -> m.Expr:
    """``root`` with ``cond`` replaced by ``value`` everywhere it is reached."""
    reach = index.reaching([cond.expr])
    return rewrite(root, index.defs, reach, {id(cond.expr): value})


def decides(index: ConditionIndex, rule: m.Rule, cond: Condition) -> m.Expr:
    """True on the records where flipping ``cond`` alone flips whether ``rule`` fires.

    (The boolean derivative of the rule's condition by this condition: the
    core of masking MC/DC, well-defined when the condition is reached along
    several paths or is coupled to others through a shared input.)
    """
    return differs(with_condition(index, rule.condition, cond, TRUE),
                   with_condition(index, rule.condition, cond, FALSE))


class Visibility:
    """When a rule's firing shows in the decision.

    A rule that fires where other firing rules already give the same actions
    at the same strengths changes nothing a reader (or a test) can see. A
    test case built to show a rule matters should sit where it does.
    """

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset

    def outcomes(self, rule: m.Rule) -> tuple[tuple[str, str], ...]:
        """The (strength, action) pairs ``rule`` gives, each once, in text order."""
        out: list[tuple[str, str]] = []
        for g in rule.gives:
            for a in g.actions:
                if (g.strength, a) not in out:
                    out.append((g.strength, a))
        return tuple(out)

    def shows(self, rule: m.Rule, strength: str, action: str) -> m.Expr:
        """True where ``rule`` firing or not decides ``action``'s status at ``strength``.

        recommend: no other rule recommends it; consider: no other rule
        recommends or considers it (a recommendation hides a consideration);
        avoid: no other rule avoids it.
        """
        masking = [strength] if strength != "consider" else ["recommend", "consider"]
        others = [self.ruleset.rule(r) for s in masking for r in self.ruleset.rules_giving(s, action) if r != rule.id]
        unique = list(dict.fromkeys(others))
        return conj([m.Not(r.condition, NOWHERE) for r in unique])

    def visible(self, rule: m.Rule) -> m.Expr:
        """True where firing ``rule`` changes at least one action's status."""
        return disj([self.shows(rule, s, a) for s, a in self.outcomes(rule)])
