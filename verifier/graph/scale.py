"""How big a drawing would be, and the early refusal of one Graphviz cannot lay out in reasonable time.

Graphviz's layout grows much faster than linearly in the nodes it places: the
rules view of a 30-row decision table (129 nodes) takes a second, of a
300-row one (about 1,200 nodes) more than five minutes. So past
``DRAW_LIMIT`` nodes `ruleproof graph` and the report's figures stop before
any work, say why and what to run instead; ``--force`` draws anyway.
"""

from __future__ import annotations

from dsl import model as m

# Nodes (inputs, definitions, rules, actions) past which a drawing is refused unless forced.
# The shipped rulesets have at most 142 (liposarcoma).
DRAW_LIMIT = 400


def drawing_nodes(ruleset: m.Ruleset) -> int:
    """The nodes of the rules view: every input, definition, rule and action."""
    return len(ruleset.inputs) + len(ruleset.definitions) + len(ruleset.rules) + len(ruleset.actions)


def too_large(ruleset: m.Ruleset, limit: int | None = None) -> str | None:
    """Why drawing ``ruleset`` is refused (None when it is small enough)."""
    limit = DRAW_LIMIT if limit is None else limit  # read at call time: tests lower it
    n = drawing_nodes(ruleset)
    if n <= limit:
        return None
    return (f"{len(ruleset.rules):,} rules, {len(ruleset.definitions):,} definitions, {len(ruleset.inputs):,} inputs "
            f"and {len(ruleset.actions):,} actions make {n:,} nodes, past the {limit:,} Graphviz lays out in "
            f"seconds (its layout time grows much faster than the node count: minutes to hours here)")
