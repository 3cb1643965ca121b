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
    return _collect(e, ruleset, top=True)


def _collect(e: m.Expr, ruleset: m.Ruleset, top: bool) -> Reads:
    """``reads``; at the top level each definition met is worked out once and kept
    (``_def_reads``), below it definitions are expanded in place."""
    inputs: dict[str, None] = {}
    defs: dict[str, None] = {}
    known: dict[str, None] = {}
    # Depth-first with an explicit stack of walks: a decision table imported from
    # DMN chains thousands of definitions, deeper than Python's recursion limit.
    stack = [m.walk(e)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif isinstance(node, m.InputRef):
            inputs.setdefault(node.name)
        elif isinstance(node, m.Known):
            known.setdefault(node.name)
        elif isinstance(node, m.DefRef) and node.name not in defs:
            defs.setdefault(node.name)
            memo = _memo(ruleset).get(node.name)
            if memo is None and top:
                memo = _def_reads(node.name, ruleset)
            if memo is None:
                stack.append(m.walk(ruleset.definition(node.name).expr))
                continue
            # What the definition reads, in its order, less what was seen already:
            # exactly what expanding it in place would add (anything it shares with
            # an earlier definition came in with that one).
            for name in memo.inputs:
                inputs.setdefault(name)
            for name in memo.definitions:
                defs.setdefault(name)
            for name in memo.known:
                known.setdefault(name)
    return Reads(tuple(inputs), tuple(defs), tuple(known))


def _def_reads(name: str, ruleset: m.Ruleset) -> Reads:
    """What definition ``name`` reads, worked out once per ruleset: every rule of a
    decision table reads the same long guard chain."""
    memo = _memo(ruleset)
    if name not in memo:
        memo[name] = _collect(ruleset.definition(name).expr, ruleset, top=False)
    return memo[name]


def _memo(ruleset: m.Ruleset) -> dict[str, Reads]:
    """Reads of definitions worked out before, kept with the (immutable) ruleset."""
    return ruleset._index.setdefault("reads", {})


def dependents(ruleset: m.Ruleset, names: Iterable[str]) -> frozenset[str]:
    """``names`` and every definition that uses one of them, directly or not."""
    closure = set(names)
    for d in ruleset.definitions:  # dependency order: users come after what they use
        if any(isinstance(n, m.DefRef) and n.name in closure for n in m.walk(d.expr)):
            closure.add(d.name)
    return frozenset(closure)


class ReadsIndex:
    """The inputs (and ``known`` tests) each definition of one ruleset reads, computed once.

    ``reads`` walks the definitions an expression uses every time it is asked;
    asked for each of 1,500 rules of an imported decision table whose rows
    share one chain of 1,500 definitions, that is quadratic. Here each
    definition's closure is built once from those of the definitions it uses
    (definitions come in dependency order), so a question costs the size of
    the expression itself. Sets, not first-appearance order: for callers that
    only ask *which* inputs.
    """

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset
        self._closure: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        for d in ruleset.definitions:
            self._closure[d.name] = self.read(d.expr)

    def read(self, e: m.Expr) -> tuple[frozenset[str], frozenset[str]]:
        """(inputs, inputs tested with ``known``) that ``e`` reads, through definitions."""
        inputs: set[str] = set()
        known: set[str] = set()
        for node in m.walk(e):
            if isinstance(node, m.InputRef):
                inputs.add(node.name)
            elif isinstance(node, m.Known):
                known.add(node.name)
            elif isinstance(node, m.DefRef):
                got = self._closure.get(node.name)
                if got is None:  # not in dependency order after all: the plain walk
                    r = reads(self.ruleset.definition(node.name).expr, self.ruleset)
                    got = (frozenset(r.inputs), frozenset(r.known))
                inputs |= got[0]
                known |= got[1]
        return frozenset(inputs), frozenset(known)
