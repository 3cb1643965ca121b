"""The computed numbers behind a condition, for ``--explain``: scores, min/max and conditionals.

A rule that tests ``cha2ds2_va >= 2`` is only explained when the reader also
sees the score: "cha2ds2_va = 4 (age >= 75: 2, prior_stroke: 2)". This
module finds, for one condition, the numeric definitions it reads (through
boolean definitions too, since ``high_risk`` may hide the score) and the
inline score tables, min/max and conditional numbers written in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from dsl import model as m
from dsl.printer import format_expr, format_number


@dataclass(frozen=True, slots=True)
class Computed:
    """One number to show: its label, the expression giving it, and its score lines (if a table)."""

    label: str
    expr: m.Expr
    table: m.Points | None


def _computed_node(e: m.Expr) -> bool:
    if isinstance(e, (m.Points, m.MinMax)):
        return True
    return isinstance(e, m.Ite) and isinstance(e.type, m.NumType)


def _reaching_defs(ruleset: m.Ruleset) -> frozenset[str]:
    """The definitions through which some number worth showing is read.

    Only these are worth walking into: a decision table's row definitions
    read no number, and walking each rule's chain of them again would make
    ``--explain`` quadratic in the number of rows (issue 14).
    """
    cached = ruleset._index.get("computed_reach")
    if cached is not None:
        return cached
    direct: dict[str, bool] = {}
    reads: dict[str, set[str]] = {}
    for d in ruleset.definitions:
        hit = isinstance(d.type, m.NumType)
        refs: set[str] = set()
        for node in m.walk(d.expr):
            if isinstance(node, m.DefRef):
                refs.add(node.name)
            elif _computed_node(node):
                hit = True
        direct[d.name] = hit
        reads[d.name] = refs
    # Definitions may only read earlier-checked ones, but order is not relied on: a fixpoint.
    reach = {n for n, hit in direct.items() if hit}
    readers: dict[str, set[str]] = {}
    for n, refs in reads.items():
        for r in refs:
            readers.setdefault(r, set()).add(n)
    todo = list(reach)
    while todo:
        for reader in readers.get(todo.pop(), ()):
            if reader not in reach:
                reach.add(reader)
                todo.append(reader)
    out = ruleset._index["computed_reach"] = frozenset(reach)  # kept with the (immutable) ruleset
    return out


def computed_values(ruleset: m.Ruleset, cond: m.Expr) -> tuple[Computed, ...]:
    """The numbers worth showing beside ``cond``, in the order a reader meets them."""
    out: list[Computed] = []
    seen_defs: set[str] = set()
    reaching = _reaching_defs(ruleset)
    # An explicit stack, not recursion: a chain of a thousand definitions must not overflow.
    stack: list[m.Expr] = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, m.DefRef):
            if node.name in seen_defs or node.name not in reaching:
                continue
            seen_defs.add(node.name)
            d = ruleset.definition(node.name)
            if isinstance(d.type, m.NumType):
                table = d.expr if isinstance(d.expr, m.Points) else None
                out.append(Computed(node.name, node, table))
                if table is not None:
                    continue  # its lines are shown with it
                if _computed_node(d.expr):  # shown as the definition itself
                    stack.extend(reversed(m.children(d.expr)))
                    continue
            stack.append(d.expr)
            continue
        if _computed_node(node):
            out.append(Computed(format_expr(node), node, node if isinstance(node, m.Points) else None))
            if isinstance(node, m.Points):
                continue
        stack.extend(reversed(m.children(node)))
    return tuple(out)


def format_value(v: Any) -> str:
    """A computed number as a rules file would write it (exact, no exponent)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, Decimal, Fraction)):
        return format_number(Fraction(v))
    return str(v)


def describe(item: Computed, value: Any, lines_held: tuple[bool, ...]) -> str:
    """``name = value`` and, for a score table, the lines that counted."""
    text = f"{item.label} = {format_value(value)}"
    if item.table is not None:
        counted = [f"{format_expr(c)}: {format_number(w)}"
                   for c, w, held in zip(item.table.conds, item.table.weights, lines_held) if held]
        text += f" ({', '.join(counted) if counted else 'no line holds'})"
    return text
