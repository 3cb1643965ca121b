"""The early refusal of a mutation analysis too large to finish in reasonable time.

Every mutant is a whole ruleset that is compiled, replayed against the suite
and compared with the original by Z3, so the analysis costs about (mutants) x
(size of the ruleset): on an imported decision table both grow with the rows
(1,500 rows x 7 columns make some 70,000 mutants of a 6,000-declaration
ruleset). Past ``WORK_LIMIT`` `ruleproof mutate` stops before making any
mutant, says why and what to run instead; ``--force`` runs it anyway.
"""

from __future__ import annotations

from dsl import model as m
from verifier.mutation.mutants import _node_mutations, _owners

# Mutants x (rules + definitions) past which the analysis is refused unless forced.
# liposarcoma is about 66,000; a 30-row decision table about 440,000.
WORK_LIMIT = 200_000


def estimate_mutants(ruleset: m.Ruleset, stop_past: int | None = None) -> int:
    """About how many mutants ``mutants(ruleset)`` makes with every operator, without making them.

    Counts the condition mutations of every node (as ``_condition_mutants``
    would), and for the rules' actions one drop-rule per rule and two per
    action given (drop, swap or change strength): an estimate for a refusal,
    not the analysis's count. ``stop_past``: stop counting once past it.
    """
    n = 0
    for owner in _owners(ruleset):
        for node in m.walk(owner.expr):
            n += sum(1 for _ in _node_mutations(node))
        if stop_past is not None and n > stop_past:
            return n  # enough to refuse: the count of a huge ruleset is itself slow
    for rule in ruleset.rules:
        n += 1 + sum(2 * len(g.actions) for g in rule.gives)
    return n


def too_large(ruleset: m.Ruleset, limit: int | None = None) -> str | None:
    """Why the analysis of ``ruleset`` is refused (None when it is small enough)."""
    limit = WORK_LIMIT if limit is None else limit  # read at call time: tests lower it
    size = len(ruleset.rules) + len(ruleset.definitions)
    n = estimate_mutants(ruleset, stop_past=limit // max(size, 1))
    if n * size <= limit:
        return None
    return (f"at least {n:,} mutants, each a copy of a ruleset of {len(ruleset.rules):,} rules and "
            f"{len(ruleset.definitions):,} definitions to compile, replay and compare with Z3 "
            f"(past the {limit:,} mutant x declaration budget that finishes in a few minutes)")
