"""What a reader needs beside a counterexample record.

A refuted check prints a complete record: every input, most of them at a
plain default. The inputs the failing formula actually reads (through
definitions, and through the conditions of the rules that give the actions it
names) are listed first, so the fields that matter stand out; the values of
the definitions it reads sit beside them; and the record is also printed as
one JSON line that ``ruleproof eval RULESET -`` accepts as it is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable

from dsl import model as m
from verifier.check.results import REFUTED, CheckResult
from verifier.facts.evaluation import environment

_CONFLICT = re.compile(r"^conflict\((\w+),(\w+)\)$")
_AVOIDED = re.compile(r"^given-and-avoided\((\w+)\)$")


@dataclass(frozen=True, slots=True)
class Annotated:
    """One counterexample, ordered and explained."""

    check: str
    record: dict[str, Any]  # dependent inputs first, then the rest in declaration order
    depends_on: tuple[str, ...]
    definitions: tuple[tuple[str, Any], ...]

    def json_line(self) -> str:
        return json.dumps(self.record, ensure_ascii=False)

    def to_json(self) -> dict[str, Any]:
        return {"depends_on": list(self.depends_on), "definitions": dict(self.definitions)}


def _formulas(ruleset: m.Ruleset, result: CheckResult) -> list[m.Expr]:
    """The expressions whose truth decides ``result``: the property and the conditions of the rules behind it."""
    actions: set[str] = set()
    exprs: list[m.Expr] = []
    if result.kind == "invariant":
        prop = next((p for p in ruleset.properties if p.id == result.property), None)
        if prop is not None:
            exprs.append(prop.expr)
            actions |= {a for node in m.walk(prop.expr) if isinstance(node, m.ActionStatus) for a in node.actions}
    elif (hit := _CONFLICT.match(result.property)) is not None:
        actions |= set(hit.groups())
    elif (hit := _AVOIDED.match(result.property)) is not None:
        actions.add(hit.group(1))
    else:  # coverage and its matrices: every rule decides whether something is given
        return [r.condition for r in ruleset.rules]
    exprs += [r.condition for r in ruleset.rules if any(a in g.actions for g in r.gives for a in actions)]
    return exprs


def reads(ruleset: m.Ruleset, exprs: Iterable[m.Expr]) -> tuple[list[str], list[str]]:
    """The inputs and the definitions ``exprs`` read, directly or through definitions, in declaration order."""
    defs = {d.name: d for d in ruleset.definitions}
    inputs: set[str] = set()
    seen: set[str] = set()
    stack = list(exprs)
    while stack:
        for node in m.walk(stack.pop()):
            if isinstance(node, m.InputRef):
                inputs.add(node.name)
            elif isinstance(node, m.DefRef) and node.name not in seen:
                seen.add(node.name)
                stack.append(defs[node.name].expr)
    return ([i.name for i in ruleset.inputs if i.name in inputs],
            [d.name for d in ruleset.definitions if d.name in seen])


def _plain(v: Any) -> Any:
    """A definition value as JSON: booleans stay, exact numbers print as the rules file writes them."""
    if isinstance(v, bool) or isinstance(v, str):
        return v
    from fractions import Fraction

    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else float(v) if float(v) == v else str(v)
    return v


def annotate(ruleset: m.Ruleset, result: CheckResult) -> Annotated | None:
    """The counterexample of a refuted check, explained; None when it has none."""
    if result.status != REFUTED or result.counterexample is None:
        return None
    record = result.counterexample
    inputs, defs = reads(ruleset, _formulas(ruleset, result))
    ordered = {k: record[k] for k in inputs if k in record}
    ordered.update((k, v) for k, v in record.items() if k not in ordered)
    try:
        env = environment(ruleset, record)
    except (KeyError, TypeError, ValueError):
        env = {}
    values = tuple((d, _plain(env[d])) for d in defs if d in env)
    return Annotated(result.property, ordered, tuple(inputs), values)
