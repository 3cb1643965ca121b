"""Coverage gap regions of a decision table by box algebra (no solver).

``verifier.facts.boxgaps`` gives every valid record on which no serving rule
fires as disjoint merged boxes, exactly. Here they become ``GapRegion``s
written as the Z3 path writes them (``RegionFinder.describe``: only the
inputs a region restricts, an interval open or closed at each end, an enum
as ``=`` or ``in {..}``), each with an example record that the box reading
confirms gets nothing. At most ``cap`` are listed: the broadest first (fewest
restricted inputs), then in a fixed order, so the output is deterministic.
"""

from __future__ import annotations

from dsl import model as m
from dsl.printer import interval_text
from verifier.counterexamples.gaps import GapRegion, Gaps
from verifier.facts.boxgaps import Partition, default_budget, example, gap_boxes, unserved
from verifier.facts.boxrules import Box, BoxModel, Cell, _inside
from verifier.facts.values import json_record


def serving_rules(ruleset: m.Ruleset) -> set[str]:
    """The rules that give something (recommend or consider): a record none of them fires on gets nothing."""
    return {r.id for r in ruleset.rules if any(g.strength != "avoid" for g in r.gives)}


def box_gap_regions(ruleset: m.Ruleset, cap: int) -> Gaps | None:
    """The gap regions of ``ruleset`` when it is read exactly as boxes; None otherwise
    (or when the partition ran past its budget: the caller falls back to Z3)."""
    bm = BoxModel.of(ruleset)
    if bm is None:
        return None
    serving = serving_rules(ruleset)
    part = Partition(bm, serving)
    boxes = gap_boxes(bm, serving, part=part)
    if boxes is None:
        return None
    budget = default_budget(bm)
    ranked = sorted(boxes, key=lambda b: _restricted(bm, b))  # stable: ties keep gap_boxes' order
    listed: list[Box] = []
    more = False
    for b in ranked:
        if any(_inside(b, g) for g in listed):
            continue  # already within a listed region
        if len(listed) == cap:
            more = True  # a gap box no listed region holds
            break
        g = part.grow(b, budget)
        listed = [x for x in listed if not _inside(x, g)] + [g]
    regions: list[GapRegion] = []
    for g in listed:
        point = example(bm, g)
        if point is None or not unserved(bm, serving, point):
            return None  # cannot happen for an exact reading; never print a region not shown empty
        regions.append(GapRegion(region_text(bm, g), json_record(bm.record(point))))
    regions.sort(key=lambda r: r.text)
    return Gaps(tuple(regions), more, False)


def _restricted(bm: BoxModel, box: Box) -> int:
    return sum(1 for c, cell in enumerate(box) if cell != bm.domain[c])


def region_text(bm: BoxModel, box: Box) -> str:
    """``c0 >= 8.9 and c0 < 100``-style text of a box: the inputs it restricts, in declaration order."""
    parts: list[str] = []
    for c, inp in enumerate(bm.inputs):
        cell, dom = box[c], bm.domain[c]
        if cell == dom:
            continue
        parts.append(_cell_text(inp, cell, dom))
    return " and ".join(parts) or "every valid record"


def _cell_text(inp: m.Input, cell: Cell, dom: Cell) -> str:
    name = inp.name
    if isinstance(cell, frozenset):
        if isinstance(inp.type, m.BoolType):
            return name if True in cell else f"not {name}"
        values = [v for v in inp.type.values if v in cell]  # type: ignore[union-attr]
        return f"{name} = {values[0]}" if len(values) == 1 else f"{name} in {{{', '.join(values)}}}"
    (_, lo, lf), (_, hi, hf) = cell  # type: ignore[misc]
    assert not isinstance(dom, frozenset)
    lo_closed, hi_closed = lf == 0, hf == 0
    from_min, to_max = cell[0] == dom[0], cell[1] == dom[1]  # type: ignore[index]
    return interval_text(name, lo, lo_closed, hi, hi_closed, from_min, to_max)


