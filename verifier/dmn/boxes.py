"""Box reasoning for decision tables: intersections and maximal overlap sets.

Cells are as in ``analysis``: a tuple of intervals over endpoint ranks (ints;
None ends are unbounded) for numbers, a frozenset for finite columns. A
*region* has one interval per numeric column. The two hot loops, overlapping
pairs and uncovered regions, run on integer grid positions in ``grid``.

* ``maximal_sets``: the maximal cliques of the overlap graph (Bron-Kerbosch
  with pivoting). Intervals have the Helly property, so a clique of boxes
  shares a point; only cells that are value sets or unions of intervals can
  break it, and such a clique is refined exactly by splitting on a column.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional, Union

Iv = tuple[Optional[int], bool, Optional[int], bool]
Cell = Union[tuple[Iv, ...], frozenset]


def iv_inter(a: Iv, b: Iv) -> Iv | None:
    alo, alc, ahi, ahc = a
    blo, blc, bhi, bhc = b
    if alo is None or (blo is not None and (blo > alo or (blo == alo and not blc))):
        lo, lc = blo, blc
    else:
        lo, lc = alo, alc
    if ahi is None or (bhi is not None and (bhi < ahi or (bhi == ahi and not bhc))):
        hi, hc = bhi, bhc
    else:
        hi, hc = ahi, ahc
    if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lc and hc))):
        return None
    return (lo, lc and lo is not None, hi, hc and hi is not None)


def cell_inter(a: Cell, b: Cell) -> Cell:
    if isinstance(a, frozenset):
        return a & b  # type: ignore[operator]
    return tuple(x for p in a for q in b if (x := iv_inter(p, q)) is not None)  # type: ignore[union-attr]


def box_inter(a: tuple[Cell, ...], b: tuple[Cell, ...]) -> tuple[Cell, ...] | None:
    out = []
    for x, y in zip(a, b):
        c = cell_inter(x, y)
        if not c:
            return None
        out.append(c)
    return tuple(out)


def _cliques(adj: dict[int, set[int]]) -> Iterator[frozenset[int]]:
    """Maximal cliques (Bron-Kerbosch with pivot, iterative)."""
    stack: list[tuple[set[int], set[int], set[int]]] = [(set(), set(adj), set())]
    while stack:
        r, p, x = stack.pop()
        if not p and not x:
            if len(r) >= 2:
                yield frozenset(r)
            continue
        pivot = max(p | x, key=lambda u: len(adj[u] & p))
        for v in list(p - adj[pivot]):
            stack.append((r | {v}, p & adj[v], x & adj[v]))
            p = p - {v}
            x = x | {v}


def common(boxes: list[tuple[Cell, ...]], rows: frozenset[int]) -> tuple[Cell, ...] | None:
    it = iter(sorted(rows))
    acc: tuple[Cell, ...] | None = boxes[next(it)]
    for r in it:
        acc = box_inter(acc, boxes[r])  # type: ignore[arg-type]
        if acc is None:
            return None
    return acc


def _common_point_sets(boxes: list[tuple[Cell, ...]], rows: frozenset[int], region: tuple[Cell, ...]) -> list[tuple[frozenset[int], tuple[Cell, ...]]]:
    """Maximal subsets of ``rows`` sharing a point inside ``region`` (exact, by splitting; for small sets)."""
    inside = frozenset(r for r in rows if box_inter(boxes[r], region) is not None)
    if len(inside) < 2:
        return []
    both = common(boxes, inside)
    if both is not None:
        inter = box_inter(both, region)
        if inter is not None:
            return [(inside, inter)]
    # Split the region by the cell of the first row (in row order) that does not cover it. Some row
    # does not: rows that all covered the region would share all of it.
    for first in sorted(inside):
        for c, cell in enumerate(boxes[first]):
            reg = region[c]
            piece = cell_inter(cell, reg)
            if isinstance(reg, frozenset):
                rest = reg - piece  # type: ignore[operator]
                parts = [p for p in (piece, rest) if p]
            else:
                parts = [(iv,) for iv in piece] + [(x,) for x in _minus(reg[0], piece)]  # type: ignore[arg-type]
            if len(parts) > 1:
                out: list[tuple[frozenset[int], tuple[Cell, ...]]] = []
                for p in parts:
                    out += _common_point_sets(boxes, inside, region[:c] + (p,) + region[c + 1:])
                return out
    raise AssertionError("rows without a common point all cover a region")


def _minus(region: Iv, pieces: Any) -> list[Iv]:
    """The parts of interval ``region`` outside the sorted, disjoint ``pieces``."""
    out: list[Iv] = []
    cur = region
    for p in sorted(pieces, key=lambda iv: (-1e308 if iv[0] is None else iv[0], 0 if iv[1] else 1)):
        below = iv_inter(cur, (None, False, p[0], not p[1])) if p[0] is not None else None
        if below is not None:
            out.append(below)
        if p[2] is None:
            return out
        nxt = iv_inter(cur, (p[2], not p[3], None, False))
        if nxt is None:
            return out
        cur = nxt
    out.append(cur)
    return out


def maximal_sets(boxes: list[tuple[Cell, ...]], pairs: list[tuple[int, int]], full: tuple[Cell, ...]) -> list[tuple[frozenset[int], tuple[Cell, ...]]]:
    """Every maximal set of rows sharing a point, with the region they all cover."""
    adj: dict[int, set[int]] = {}
    for a, b in pairs:
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    found: dict[frozenset[int], tuple[Cell, ...]] = {}
    for q in _cliques(adj):
        inter = common(boxes, q)
        if inter is not None:
            found.setdefault(q, inter)
        else:
            for s, box in _common_point_sets(boxes, q, full):
                found.setdefault(s, box)
    sets = sorted(found, key=len, reverse=True)
    keep: list[frozenset[int]] = []
    holding: dict[int, list[frozenset[int]]] = {}  # row -> kept sets holding it
    for s in sets:
        # A kept superset of s holds each row of s: look among those holding its least-held row.
        row = min(s, key=lambda r: len(holding.get(r, ())))
        if not any(s < k for k in holding.get(row, ())):
            keep.append(s)
            for r in s:
                holding.setdefault(r, []).append(s)
    return [(s, found[s]) for s in keep]
