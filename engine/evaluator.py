"""Evaluate validated records against a compiled ruleset.

Semantics (shared with the Z3 encoding in ``verifier.solver.encoding``):
- every rule whose condition holds fires;
- an action is *recommended* if a fired rule recommends it, *considered* if a
  fired rule considers it and none recommends it, *avoided* if a fired rule
  says to avoid it; recommended or considered is *given*;
- a "one of" line gives each of its actions, marked as alternatives.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dsl import model as m
from dsl.printer import conjuncts, format_expr
from engine import codegen
from engine.computed import computed_values, describe
from engine.decision import ConditionTrace, Decision, Recommendation, RuleTrace
from engine.record import RecordValidator

_STRENGTH_RANK = {s: k for k, s in enumerate(m.STRENGTHS)}
_DECISION_CACHE_SIZE = 4096


class Evaluator:
    """A ruleset compiled for evaluation: build once, call many times."""

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset
        failed, fired = codegen.build(ruleset)
        self._fired_rules = fired
        self.validator = RecordValidator(ruleset, failed)
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
        self._computed: dict[int, list[tuple[Any, int]]] = {}
        # A decision depends only on which rules fired, and real batches repeat
        # the same few fired sets over and over: decisions are immutable, so
        # share them. Bounded so an adversarial batch cannot grow it forever.
        self._decisions: dict[tuple[int, ...], Decision] = {}

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
        if self._trace_fn is None:
            # Compiled on first use only: batch evaluation never pays for it.
            exprs = [c for r in self.ruleset.rules for c in conjuncts(r.condition)]
            # issue 12: then the numbers each condition reads, and their score lines.
            self._computed = {}
            for c in list(exprs):
                items = computed_values(self.ruleset, c)
                spans = []
                for item in items:
                    start = len(exprs)
                    exprs.append(item.expr)
                    exprs.extend(item.table.conds if item.table is not None else ())
                    spans.append((item, start))
                self._computed[id(c)] = spans
            self._trace_fn = codegen.build_predicate(self.ruleset, exprs)
        values = self._trace_fn(record)
        fired_set = set(self._fired_rules(record) if fired is None else fired)
        out: list[RuleTrace] = []
        pos = 0
        for k, rule in enumerate(self.ruleset.rules):
            parts = conjuncts(rule.condition)
            if k in fired_set:
                conds = tuple(ConditionTrace(format_expr(c), bool(values[pos + j]), self._numbers(c, values))
                              for j, c in enumerate(parts))
                out.append(RuleTrace(rule.id, rule.title, str(rule.span), conds))
            pos += len(parts)
        return tuple(out)

    def _numbers(self, cond: m.Expr, values: tuple[Any, ...]) -> tuple[str, ...]:
        out = []
        for item, start in self._computed.get(id(cond), ()):
            n = len(item.table.conds) if item.table is not None else 0
            held = tuple(bool(v) for v in values[start + 1:start + 1 + n])
            out.append(describe(item, values[start], held))
        return tuple(out)
