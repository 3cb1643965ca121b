"""What an expression reads, through definitions, and what depends on a definition.

Facts of the checked model, here so that the engine and every verifier job
share them. One walk for every question of the form "which inputs does this rule,
property or definition really read?" (the decision diagram's question order,
the diff's focus, the engine's explanations) and its converse, "which definitions
move when this one changes?" (mutation analysis, the gate's report of a
changed definition).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from dsl import model as m


@dataclass(frozen=True, slots=True)
class Reads:
    """The inputs and definitions an expression reads, each once, in first-appearance order
    (a definition's own reads come where it is first referenced); ``known``: the optional
    inputs whose presence it tests with ``known(x)``."""

    inputs: tuple[str, ...]
    definitions: tuple[str, ...]
    known: tuple[str, ...] = ()


def reads(e: m.Expr, ruleset: m.Ruleset) -> Reads:
    """Everything ``e`` depends on, directly or through the definitions it uses."""
    inputs: dict[str, None] = {}
    defs: dict[str, None] = {}
    known: dict[str, None] = {}

    def visit(expr: m.Expr) -> None:
        for node in m.walk(expr):
            if isinstance(node, m.InputRef):
                inputs.setdefault(node.name)
            elif isinstance(node, m.Known):
                known.setdefault(node.name)
            elif isinstance(node, m.DefRef) and node.name not in defs:
                defs.setdefault(node.name)
                visit(ruleset.definition(node.name).expr)

    visit(e)
    return Reads(tuple(inputs), tuple(defs), tuple(known))


def dependents(ruleset: m.Ruleset, names: Iterable[str]) -> frozenset[str]:
    """``names`` and every definition that uses one of them, directly or not."""
    closure = set(names)
    for d in ruleset.definitions:  # dependency order: users come after what they use
        if any(isinstance(n, m.DefRef) and n.name in closure for n in m.walk(d.expr)):
            closure.add(d.name)
    return frozenset(closure)
