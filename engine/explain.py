"""Explanations beyond the trace: the definitions a rule reads, and why an action was not given.

``ruleproof eval --explain`` shows each fired rule's conditions; a condition
such as ``high_risk`` means little without the value of the definition and of
the definitions it is built from. ``--why-not ACTION`` answers the question a
clinician asks when an expected action is missing: which rules could give it,
and which of their conditions failed on this record.

Both evaluate with the engine's model walker (``engine.interp``), which the
tests hold to the compiled code value for value, so they cannot disagree with
the decision they explain; a walk reads only the definitions asked about,
where compiling would cost more than the record on a large decision table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from dsl import model as m
from dsl.dependencies import reads
from dsl.printer import conjuncts, format_expr
from engine.interp import Interpreter


@dataclass(frozen=True, slots=True)
class DefinitionValue:
    """A definition's value on one record, with its formula."""

    name: str
    value: bool | str
    formula: str

    def to_json(self) -> dict[str, Any]:
        return {"definition": self.name, "value": self.value, "formula": self.formula}


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule that could give the action: its outcome line and each condition on the record."""

    rule: str
    title: str
    location: str
    strength: str
    fired: bool
    conditions: tuple[tuple[str, bool], ...]

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "location": self.location, "strength": self.strength,
                "fired": self.fired, "conditions": [{"condition": c, "holds": h} for c, h in self.conditions]}


@dataclass(frozen=True, slots=True)
class WhyNot:
    """Why ``action`` has the status it has on one record."""

    action: str
    status: str  # "recommended", "considered", "avoided" or "not given"
    rules: tuple[RuleCheck, ...]

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "status": self.status, "rules": [r.to_json() for r in self.rules]}


def _show(value: Any) -> bool | str:
    """A definition value as the rules file would write it (numbers exactly)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def definitions_read(ruleset: m.Ruleset, exprs: Iterable[m.Expr]) -> list[str]:
    """The definitions (and phases) ``exprs`` read, directly or through other definitions, in declaration order."""
    seen = {name for e in exprs for name in reads(e, ruleset).definitions}
    order = ruleset._index.get("definition_order")
    if order is None:  # kept with the model: a why-not asks this once per rule of a large table
        order = ruleset._index["definition_order"] = {d.name: k for k, d in enumerate(ruleset.definitions)}
    return sorted(seen, key=order.__getitem__)


def definition_values(ruleset: m.Ruleset, record: dict[str, Any], names: list[str]) -> list[DefinitionValue]:
    """The values of the definitions ``names`` on a validated record."""
    defs = [ruleset.definition(n) for n in names]
    refs: list[m.Expr] = [m.DefRef(d.name, m.type_of(d.expr), d.span) for d in defs]
    values = Interpreter(ruleset).values(refs, record)
    return [DefinitionValue(d.name, _show(v), format_expr(d.expr)) for d, v in zip(defs, values)]


def shown_definitions(ruleset: m.Ruleset, record: dict[str, Any], exprs: list[m.Expr]) -> list[DefinitionValue]:
    """The definitions ``exprs`` read, with their values, as ``eval --explain`` lists them.

    A decision table's inner definitions are spoken of as rows: a row of a
    ``unique`` table reads the table's guard, which reads every other row
    through a chain two definitions a row long, so listed in full a 1,500-row
    table explains one record in 4,500 lines. A guard (or ``first`` chain link)
    the expressions read is shown once, its formula replaced by the rows of the
    table that match the record; the chain and the other rows' match
    definitions are left out. The values are the ones the engine used; only
    the listing is shorter (``--format json`` keeps every definition).
    """
    names = definitions_read(ruleset, exprs)
    if not ruleset.tables:
        return definition_values(ruleset, record, names)
    hidden = ruleset._index.get("table_members")
    if hidden is None:  # kept with the model: a batch asks this once per fired rule
        hidden = ruleset._index["table_members"] = {n: t for t in ruleset.tables for n in t.rows + t.internal}
    direct = {n.name for e in exprs for n in m.walk(e) if isinstance(n, m.DefRef)}
    kept = [n for n in names if n not in hidden or n in direct]
    values = definition_values(ruleset, record, kept)
    matching: dict[str, str] = {}
    out: list[DefinitionValue] = []
    for v in values:
        t = hidden.get(v.name)
        if t is not None and v.name in t.internal:
            if t.name not in matching:
                refs: list[m.Expr] = [m.DefRef(r, m.BOOL, t.span) for r in t.rows]
                hits = [k for k, held in enumerate(Interpreter(ruleset).values(refs, record), start=1) if held]
                matching[t.name] = ", ".join(str(k) for k in hits) if hits else "none"
            v = DefinitionValue(v.name, v.value, f"rows of table {t.name} matching this record: {matching[t.name]}")
        out.append(v)
    return out


def why_not(ruleset: m.Ruleset, record: dict[str, Any], action: str, status: str) -> WhyNot:
    """Every rule with an outcome line naming ``action``, and how each of its conditions fared."""
    rules = [(r, g.strength) for r in ruleset.rules for g in r.gives if action in g.actions]
    parts = [conjuncts(r.condition) for r, _ in rules]
    flat = [c for p in parts for c in p]
    values = Interpreter(ruleset).values(flat, record) if flat else ()
    out: list[RuleCheck] = []
    pos = 0
    for (rule, strength), conds in zip(rules, parts):
        held = tuple((format_expr(c), bool(values[pos + j])) for j, c in enumerate(conds))
        pos += len(conds)
        out.append(RuleCheck(rule.id, rule.title, str(rule.span), strength, all(h for _, h in held), held))
    return WhyNot(action, status, tuple(out))
