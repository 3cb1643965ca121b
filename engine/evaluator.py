"""Evaluate validated records against a compiled ruleset.

Semantics (shared with the Z3 encoding in ``verifier.solver.encoding``):
- every rule whose condition holds fires;
- an action is *recommended* if a fired rule recommends it, *considered* if a
  fired rule considers it and none recommends it, *avoided* if a fired rule
  says to avoid it; recommended or considered is *given*;
- a "one of" line gives each of its actions, marked as alternatives.
"""

from __future__ import annotations

import weakref
from dataclasses import replace
from typing import Any

from dsl import model as m
from dsl.printer import conjuncts, format_expr
from engine import codegen
from engine.computed import computed_values, describe
from engine.decision import ConditionTrace, Decision, Recommendation, RuleTrace
from engine.interp import Interpreter
from engine.record import RecordValidator

_STRENGTH_RANK = {s: k for k, s in enumerate(m.STRENGTHS)}
_DECISION_CACHE_SIZE = 4096
# Records evaluated by walking the model before the ruleset is compiled. Compiling
# a 1,500-row DMN table costs 0.2 s, ten walks of 20 ms: a single `ruleproof eval`
# (or a why-not, a few examples) never compiles, and a batch pays at most four
# walks more than compiling at once (a 5,000-record batch on that table took
# 1.55 s before and after the walk came in).
INTERPRETED_RECORDS = 4


class _Walker:
    """``fired_rules`` by walking the model, until the evaluator has evaluated enough records
    to compile (then it replaces this by the compiled function). It holds the evaluator
    weakly, so that neither keeps the other alive in a cycle."""

    __slots__ = ("evaluator", "interp", "count")

    def __init__(self, evaluator: "weakref.ref[Evaluator]", interp: Interpreter) -> None:
        self.evaluator = evaluator
        self.interp = interp
        self.count = 0

    def __call__(self, record: dict[str, Any]) -> list[int]:
        self.count += 1
        ev = self.evaluator() if self.count > INTERPRETED_RECORDS else None
        if ev is None:
            return self.interp.fired_rules(record)
        ev._compile()
        return ev._fired_rules(record)


class Evaluator:
    """A ruleset ready for evaluation: build once, call many times (compiled once a batch pays for it)."""

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset
        # Walk the model for the first records; compile when a batch shows it pays (_compile).
        # No bound method of self is kept on self: that cycle would keep a large
        # ruleset alive until the cyclic collector ran (at exit, for `eval`).
        self._interp = Interpreter(ruleset)
        self._compiled = False
        self._fired_rules: Any = _Walker(weakref.ref(self), self._interp)
        self.validator = RecordValidator(ruleset, self._interp.failed_constraints)
        self._action_order = {a.id: k for k, a in enumerate(ruleset.actions)}
        # Per rule: (action, strength, category, sources, alternatives) for each action it gives.
        self._gives: list[list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]] = []
        for rule in ruleset.rules:
            items = []
            for g in rule.gives:
                for a in g.actions:
                    alts = tuple(x for x in g.actions if x != a) if g.alternatives else ()
                    items.append((a, g.strength, g.category, g.sources, alts))
            self._gives.append(items)
        self._conflicts = ruleset.conflict_pairs()
        # issue 12: "strongest" follows the ruleset's grading scheme.
        self._category_rank = {c: k for k, c in enumerate(ruleset.grading.levels)}
        self._trace_fn: Any = None
        self._trace_layout: Any = None
        # A decision depends only on which rules fired, and real batches repeat
        # the same few fired sets over and over: decisions are immutable, so
        # share them. Bounded so an adversarial batch cannot grow it forever.
        self._decisions: dict[tuple[int, ...], Decision] = {}

    def _compile(self) -> None:
        """Replace the walking functions by compiled ones (same results, see engine.interp)."""
        failed, fired = codegen.build(self.ruleset)
        self._fired_rules = fired
        self.validator.failed_constraints = failed
        self._compiled = True

    def validate(self, record: Any) -> dict[str, Any]:
        """Check a record (a dict from JSON); raises ``engine.RecordError`` listing every problem."""
        return self.validator.validate(record)

    def evaluate(self, record: dict[str, Any], trace: bool = False) -> Decision:
        """The decision for a *validated* record (see ``validate``)."""
        fired = tuple(self._fired_rules(record))
        decision = self._decisions.get(fired)
        if decision is None:
            if len(self._decisions) >= _DECISION_CACHE_SIZE:
                self._decisions.clear()
            decision = self._decisions[fired] = self.decide(fired)
        if trace:
            return replace(decision, trace=self.trace(record, list(fired)))
        return decision

    def decide(self, fired: tuple[int, ...]) -> Decision:
        """The decision given the indices of the fired rules."""
        rules = self.ruleset.rules
        # action -> strength -> list of (rule id, category, sources, alternatives)
        by_action: dict[str, dict[str, list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]]] = {}
        for k in fired:
            rid = rules[k].id
            for action, strength, category, sources, alts in self._gives[k]:
                by_action.setdefault(action, {}).setdefault(strength, []).append((rid, category, sources, alts))
        recs: list[Recommendation] = []
        avoided_but_given: list[str] = []
        for action, by_strength in by_action.items():
            strength = min(by_strength, key=_STRENGTH_RANK.__getitem__)
            if strength != "avoid" and "avoid" in by_strength:
                avoided_but_given.append(action)
            givers = by_strength[strength]
            decl = self.ruleset.action(action)
            category = min((g[1] for g in givers), key=self._category_rank.__getitem__)
            recs.append(Recommendation(
                action=action,
                kind=decl.kind,
                label=decl.label,
                strength=strength,
                category=category,
                rules=tuple(dict.fromkeys(g[0] for g in givers)),
                sources=tuple(dict.fromkeys(s for g in givers for s in g[2])),
                alternatives=tuple(sorted({a for g in givers for a in g[3]})),
                evidence=self._evidence(category),
            ))
        recs.sort(key=lambda r: (_STRENGTH_RANK[r.strength], self._action_order[r.action]))
        given = {r.action for r in recs if r.strength != "avoid"}
        conflicts = tuple(p for p in self._conflicts if p[0] in given and p[1] in given)
        return Decision(
            ruleset=self.ruleset.name,
            version=self.ruleset.version,
            recommendations=tuple(recs),
            fired=tuple(rules[k].id for k in fired),
            avoided_but_given=tuple(sorted(avoided_but_given, key=self._action_order.__getitem__)),
            conflicts=conflicts,
            grading=self.ruleset.grading.name,
        )

    def _evidence(self, category: str) -> str:
        grading = self.ruleset.grading
        return "" if grading.name == "nccn" else grading.label(category)

    def trace(self, record: dict[str, Any], fired: list[int] | None = None) -> tuple[RuleTrace, ...]:
        """For each fired rule, its top-level conditions and whether each held."""
        fired_list = sorted(set(self._fired_rules(record) if fired is None else fired))
        if self._compiled:
            if self._trace_fn is None:
                # Compiled on first use only: batch evaluation never pays for it.
                self._trace_layout = self._layout(range(len(self.ruleset.rules)))
                self._trace_fn = codegen.build_predicate(self.ruleset, self._trace_layout[0])
            exprs, places = self._trace_layout
            values = self._trace_fn(record)
        else:  # one record: walk only what the fired rules read
            exprs, places = self._layout(fired_list)
            values = self._interp.values(exprs, record)
        out: list[RuleTrace] = []
        for k in fired_list:
            rule = self.ruleset.rules[k]
            conds = tuple(ConditionTrace(format_expr(c), bool(values[pos]), self._numbers(spans, values))
                          for c, pos, spans in places[k])
            out.append(RuleTrace(rule.id, rule.title, str(rule.span), conds))
        return tuple(out)

    def _layout(self, rules: Any) -> tuple[list[m.Expr], dict[int, list[tuple[m.Expr, int, list[tuple[Any, int]]]]]]:
        """What a trace of ``rules`` (indices) evaluates: each rule's top-level conditions and,
        issue 12, the numbers each condition reads with their score lines; per rule, each
        condition with its position in that list and those of its numbers."""
        exprs: list[m.Expr] = []
        places: dict[int, list[tuple[m.Expr, int, list[tuple[Any, int]]]]] = {}
        for k in rules:
            row = places[k] = []
            for c in conjuncts(self.ruleset.rules[k].condition):
                pos = len(exprs)
                exprs.append(c)
                spans = []
                for item in computed_values(self.ruleset, c):
                    spans.append((item, len(exprs)))
                    exprs.append(item.expr)
                    exprs.extend(item.table.conds if item.table is not None else ())
                row.append((c, pos, spans))
        return exprs, places

    def _numbers(self, spans: list[tuple[Any, int]], values: tuple[Any, ...]) -> tuple[str, ...]:
        out = []
        for item, start in spans:
            n = len(item.table.conds) if item.table is not None else 0
            held = tuple(bool(v) for v in values[start + 1:start + 1 + n])
            out.append(describe(item, values[start], held))
        return tuple(out)
