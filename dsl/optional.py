"""Optional inputs: every use waits for ``known(x)`` (issue 12).

A record may omit an optional input or give null. The rule a clinician can
read and Z3 can prove: wherever the ruleset reads the value of an optional
input ``x``, ``known(x)`` must already be established by the expression
around it, so that an unknown ``x`` can never change any result:

- ``known(x) and E``, ``known(x) implies E``, ``not known(x) or E``;
- ``if known(x) then E else F`` (and ``if not known(x) then F else E``);
- a rule inside a phase whose condition establishes ``known(x)``;
- through definitions: a definition that establishes ``known(x)`` when it
  holds guards like the expression it names.

Each conjunct or disjunct guards the others whatever their order, since the
value of ``a and b`` does not depend on ``b`` where ``a`` is false. So the
engine may evaluate an unknown input as any placeholder value and Z3 may
leave it free: both give the same decision. The checker reports every
unguarded use at its place.
"""

from __future__ import annotations

from typing import Callable

from dsl import model as m

Lookup = Callable[[str], m.Expr | None]


def guards(e: m.Expr, positive: bool, definition: Lookup) -> frozenset[str]:
    """The optional inputs ``known`` of which ``e`` establishes when it is ``positive`` (true) or false."""
    if isinstance(e, m.Known):
        return frozenset([e.name]) if positive else frozenset()
    if isinstance(e, m.Not):
        return guards(e.arg, not positive, definition)
    if isinstance(e, m.And) and positive:
        return frozenset().union(*(guards(a, True, definition) for a in e.args))
    if isinstance(e, m.Or) and not positive:
        return frozenset().union(*(guards(a, False, definition) for a in e.args))
    if isinstance(e, m.Implies) and not positive:
        return guards(e.left, True, definition) | guards(e.right, False, definition)
    if isinstance(e, m.DefRef):
        body = definition(e.name)
        return guards(body, positive, definition) if body is not None else frozenset()
    return frozenset()


def unguarded(e: m.Expr, optional: frozenset[str], definition: Lookup,
              known: frozenset[str] = frozenset()) -> list[m.InputRef]:
    """The references to optional inputs in ``e`` that no ``known(...)`` guards, in text order."""
    out: list[m.InputRef] = []
    stack: list[tuple[m.Expr, frozenset[str]]] = [(e, known)]
    while stack:
        node, k = stack.pop()
        if isinstance(node, m.InputRef):
            if node.name in optional and node.name not in k:
                out.append(node)
            continue
        kids: list[tuple[m.Expr, frozenset[str]]]
        if isinstance(node, (m.And, m.Or)):
            positive = isinstance(node, m.And)
            each = [guards(a, positive, definition) for a in node.args]
            kids = []
            for i, a in enumerate(node.args):
                others = frozenset().union(*(g for j, g in enumerate(each) if j != i))
                kids.append((a, k | others))
        elif isinstance(node, m.Implies):
            kids = [(node.left, k | guards(node.right, False, definition)),
                    (node.right, k | guards(node.left, True, definition))]
        elif isinstance(node, m.Ite):
            kids = [(node.cond, k), (node.then, k | guards(node.cond, True, definition)),
                    (node.else_, k | guards(node.cond, False, definition))]
        else:
            kids = [(c, k) for c in m.children(node)]
        stack.extend(reversed(kids))
    out.sort(key=lambda r: (r.span.line, r.span.col))
    return out
