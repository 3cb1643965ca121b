"""Where no rule fires, as boxes: coverage gaps of a decision table by box algebra.

``BoxModel`` (``verifier.facts.boxrules``) reads a decision table exactly as
boxes with hit-policy guard counts. Here its valid records are partitioned
(a k-d tree, cutting at row boundaries as ``BoxModel._inside_union`` does)
until, in each leaf, every box that matters either holds the whole leaf or
misses it. Then the count literals of every rule are constant on the leaf,
so whether some serving rule fires there is decided once, exactly, for all
of its records: a leaf no serving row reaches is a gap, and so is a leaf
where every row that holds it is silenced by its guard (a UNIQUE overlap).

The gap leaves are disjoint; side-by-side leaves that differ in one input
only are merged (repeatedly), which undoes most of the cutting. Nothing
here is approximate: every returned box holds only records on which no
serving rule fires, and within the budget every such record is in one of
them.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from verifier.facts.boxrules import (Box, BoxModel, Cell, Pair, _a_point, _after, _before, _bits, _inside, _is_empty,
                                     _meet, _minus, _norm)


def gap_boxes(bm: BoxModel, serving: set[str], budget: int | None = None) -> list[Box] | None:
    """The valid records on which no rule of ``serving`` fires, as disjoint merged boxes
    (sorted by their cells, so the same table always gives the same list); None when the
    partition needed more than ``budget`` leaves (default: grows with the table)."""
    leaves = Partition(bm, serving).gaps(_norm(bm.domain, bm.ints), _budget(bm) if budget is None else budget)
    if leaves is None:
        return None
    return sorted(_merge(leaves, bm.ints), key=_order)


def _budget(bm: BoxModel) -> int:
    return 50 * len(bm.boxes) + 2000


def unserved(bm: BoxModel, serving: set[str], point: tuple[Any, ...]) -> bool:
    """No rule of ``serving`` fires on ``point`` (the exact box reading)."""
    return not any(r in serving for r in bm.fired(bm.hits(point)))


class Partition:
    """The k-d partition of a region into leaves on which every serving rule is decided."""

    def __init__(self, bm: BoxModel, serving: set[str]) -> None:
        self.bm = bm
        rules = [bm.rules[r] for r in sorted(serving) if r in bm.rules]
        self.bases = 0
        self.relevant = 0
        self.lit_mask: dict[str, int] = {}  # the boxes a rule's literals count, by rule
        self.by_base: dict[int, list[str]] = {}
        self._ends_memo: dict[int, list[Any]] = {}
        for r in rules:
            self.bases |= 1 << r.base
            mask = 0
            for _, c in r.literals:
                mask |= c.bits | ((1 << c.j) if isinstance(c, Pair) else 0)
            self.lit_mask[r.id] = mask
            self.relevant |= (1 << r.base) | mask
            self.by_base.setdefault(r.base, []).append(r.id)

    def gaps(self, region: Box, budget: int, stop_at_served: bool = False) -> list[Box] | None:
        """The leaves of ``region`` where no serving rule fires (None: past ``budget`` leaves,
        or, with ``stop_at_served``, some record of the region is served)."""
        bm = self.bm
        out: list[Box] = []
        stack = [region]
        while stack:
            budget -= 1
            if budget < 0:
                return None
            reg = stack.pop()
            if _is_empty(reg):
                continue
            near = bm.meeting(reg) & self.relevant
            if not near & self.bases:
                out.append(reg)  # no serving row reaches any record here
                continue
            partial = 0
            for k in _bits(near):
                if not _inside(reg, bm.boxes[k]):
                    partial |= 1 << k
            whole = near & ~partial
            # A row that holds the whole leaf and whose guard counts only boxes that hold
            # it whole or miss it fires everywhere in the leaf or nowhere: decided once.
            served = False
            undecided = False
            for k in _bits(near & self.bases):
                for rid in self.by_base[k]:
                    if (whole >> k) & 1 and not self.lit_mask[rid] & partial:
                        if bm.fires(rid, whole):
                            served = True
                            break
                    else:
                        undecided = True
                if served:
                    break
            if served:
                if stop_at_served:
                    return None
                continue
            if not undecided:
                out.append(reg)  # every row here is decided, and none fires
                continue
            stack.extend(reversed(_split(bm, reg, list(_bits(partial)))))
        return out

    def all_gap(self, region: Box, budget: int) -> bool:
        """True only when no serving rule fires anywhere in ``region`` (shown within ``budget``)."""
        return self.gaps(_norm(region, self.bm.ints), budget, stop_at_served=True) is not None

    def grow(self, box: Box, budget: int) -> Box:
        """``box`` (all gap) widened input by input, in declaration order, while the added
        slab is all gap too: towards a maximal gap box, as the Z3 region finder reports."""
        bm = self.bm
        for c, dom in enumerate(bm.domain):
            cell = box[c]
            if isinstance(cell, frozenset):
                for v in sorted(dom - cell, key=repr):  # type: ignore[operator]
                    slab = box[:c] + (frozenset((v,)),) + box[c + 1:]
                    if self.all_gap(slab, budget):
                        box = box[:c] + (box[c] | {v},) + box[c + 1:]  # type: ignore[operator]
                continue
            ends = self._ends(c)
            lo, hi = cell
            # Lower end: the candidate ends below it, nearest first.
            # (a lower end is a point or just above one; an upper end a point or just below one)
            below = [k for k in ends if dom[0] <= k < lo and k[2] >= 0][::-1]  # type: ignore[index, operator]
            best = _gallop(below, lambda k: self.all_gap(box[:c] + ((k, _before(lo)),) + box[c + 1:], budget))
            if best is not None:
                lo = best
                box = _norm(box[:c] + ((lo, hi),) + box[c + 1:], bm.ints)
                lo = box[c][0]  # type: ignore[index]
            above = [k for k in ends if hi < k <= dom[1] and k[2] <= 0]  # type: ignore[index, operator]
            best = _gallop(above, lambda k: self.all_gap(box[:c] + ((_after(hi), k),) + box[c + 1:], budget))
            if best is not None:
                box = _norm(box[:c] + ((lo, best),) + box[c + 1:], bm.ints)
        return box

    def _ends(self, c: int) -> list[Any]:
        if c not in self._ends_memo:
            self._ends_memo[c] = self._compute_ends(c)
        return self._ends_memo[c]

    def _compute_ends(self, c: int) -> list[Any]:
        """Every key a widened cell of input ``c`` may end at (domain ends and each box's ends,
        as lower and as upper ends), sorted."""
        bm = self.bm
        dlo, dhi = bm.domain[c]  # type: ignore[misc]
        keys = {dlo, dhi}
        for b in bm.boxes:
            blo, bhi = b[c]  # type: ignore[misc]
            keys.update((blo, bhi, _before(blo), _after(bhi)))
        return sorted(keys)


def _gallop(cands: list[Any], holds: Callable[[Any], bool]) -> Any | None:
    """The farthest candidate (the list runs nearest first) that ``holds``, assuming that
    ``holds`` is true up to some point and false beyond; None if not even the nearest holds."""
    if not cands or not holds(cands[0]):
        return None
    if holds(cands[-1]):
        return cands[-1]
    good, step = 0, 1
    while good + step < len(cands) - 1 and holds(cands[good + step]):
        good += step
        step *= 2
    bad = min(good + step, len(cands) - 1)
    while bad - good > 1:
        mid = (good + bad) // 2
        if holds(cands[mid]):
            good = mid
        else:
            bad = mid
    return cands[good]


def example(bm: BoxModel, box: Box) -> tuple[Any, ...] | None:
    """A point of ``box`` with short decimal values, away from the domain's far ends when it
    can be (a reader sees ``c1 = 0`` rather than ``c1 = -1000000000``); None when it is empty."""
    if _is_empty(box):
        return None
    out: list[Any] = []
    for cell, dom in zip(box, bm.domain):
        if isinstance(cell, frozenset):
            out.append(sorted(cell, key=repr)[0])
            continue
        (_, lo, lf), (_, hi, hf) = cell  # type: ignore[misc]
        from_min, to_max = cell[0] == dom[0], cell[1] == dom[1]  # type: ignore[index]
        if from_min and to_max and _holds_value(cell, Fraction(0)):
            v = Fraction(0)
        elif not from_min or to_max:
            # the lower end, or the first whole number above an open one
            v = lo if lf == 0 else Fraction(math.floor(lo) + 1)
        else:
            v = hi if hf == 0 else Fraction(math.ceil(hi) - 1)
        if not _holds_value(cell, v):
            v = _a_point((cell,))[0]  # type: ignore[index]  # a narrow cell: its own point
        out.append(v)
    return tuple(out)


def _holds_value(cell: Any, v: Fraction) -> bool:
    (_, lo, lf), (_, hi, hf) = cell
    return (lo < v or (lo == v and lf == 0)) and (v < hi or (v == hi and hf == 0))


def _split(bm: BoxModel, reg: Box, partial: list[int]) -> list[Box]:
    """``reg`` in pieces, each closer to being held whole or missed by the boxes ``partial``."""
    halves = bm._cut(reg, partial)
    if halves is not None:
        return halves
    # _cut looks at lower ends first and may find no cut for a box that only ends
    # inside the region: cut along that box itself (its inside and what is left).
    b = bm.boxes[partial[0]]
    return [_norm(_meet(reg, b), bm.ints), *_minus(reg, b, bm.ints)]


def _merge(boxes: list[Box], ints: tuple[bool, ...]) -> list[Box]:
    """Disjoint boxes with side-by-side pairs (equal but on one input, touching there) joined,
    until no pair is left; the union is unchanged."""
    changed = True
    while changed:
        changed = False
        for c in range(len(ints)):
            groups: dict[tuple[Cell, ...], list[Cell]] = {}
            for b in boxes:
                groups.setdefault(b[:c] + b[c + 1:], []).append(b[c])
            if all(len(g) == 1 for g in groups.values()):
                continue
            merged: list[Box] = []
            for rest, cells in groups.items():
                for cell in _join(cells, ints[c]):
                    merged.append(rest[:c] + (cell,) + rest[c:])
            if len(merged) < len(boxes):
                changed = True
            boxes = merged
    return boxes


def _join(cells: list[Cell], is_int: bool) -> list[Cell]:
    """Disjoint cells of one input, touching ones joined (enum sets: all of them)."""
    if isinstance(cells[0], frozenset):
        acc: frozenset = frozenset()
        for x in cells:
            acc |= x  # type: ignore[operator]
        return [acc]
    ivs = sorted(cells)  # type: ignore[type-var]
    out: list[Any] = [ivs[0]]
    for lo, hi in ivs[1:]:  # type: ignore[misc]
        plo, phi = out[-1]
        touching = lo[1] == phi[1] + 1 if is_int else _after(phi) == lo
        if touching:
            out[-1] = (plo, hi)
        else:
            out.append((lo, hi))
    return out


def _order(b: Box) -> tuple:
    return tuple(tuple(sorted(map(repr, c))) if isinstance(c, frozenset) else c for c in b)
