"""Box reasoning for decision tables: overlapping pairs, maximal overlap sets, uncovered regions.

Cells are as in ``analysis``: a tuple of intervals over endpoint ranks (ints;
None ends are unbounded) for numbers, a frozenset for finite columns. A
*region* has one interval per numeric column.

* ``overlapping_pairs``: a sweep along one numeric column (rows sorted by
  their lower end, an active list dropping rows that ended), every candidate
  checked on the other columns.
* ``maximal_sets``: the maximal cliques of the overlap graph (Bron-Kerbosch
  with pivoting). Intervals have the Helly property, so a clique of boxes
  shares a point; only cells that are value sets or unions of intervals can
  break it, and such a clique is refined exactly by splitting on a column.
* ``uncovered``: the parts of a region no row covers, by recursive
  splitting at the boundaries of the row covering most of the region
  (partition refinement); a region fully inside a row is done at once.
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


def _hull(cell: tuple[Iv, ...]) -> tuple[float, float]:
    lo = min((float("-inf") if iv[0] is None else iv[0]) for iv in cell)
    hi = max((float("inf") if iv[2] is None else iv[2]) for iv in cell)
    return lo, hi


def overlapping_pairs(boxes: list[tuple[Cell, ...]], numeric: list[int]) -> list[tuple[int, int]]:
    """Every pair of rows whose boxes share a point, i < j."""
    live = [i for i, b in enumerate(boxes) if all(b)]  # an empty cell matches nothing
    out: list[tuple[int, int]] = []
    if not numeric:
        for x in range(len(live)):
            for y in range(x + 1, len(live)):
                if box_inter(boxes[live[x]], boxes[live[y]]) is not None:
                    out.append((live[x], live[y]))
        return out
    import bisect

    live_set = set(live)
    hull = {c: [_hull(boxes[i][c]) if i in live_set else (0.0, 0.0) for i in range(len(boxes))] for c in numeric}  # type: ignore[arg-type]

    def candidates(c: int) -> int:
        """How many pairs overlap on column c alone (each counted twice), by sorting: O(n log n)."""
        los = sorted(hull[c][i][0] for i in live)
        his = sorted(hull[c][i][1] for i in live)
        return sum(bisect.bisect_right(los, hull[c][i][1]) - bisect.bisect_left(his, hull[c][i][0]) for i in live)

    # Sweep along the numeric column where the fewest pairs overlap; check the other numeric hulls
    # (cheap comparisons) before the exact test of every cell.
    c = min(numeric, key=candidates)
    others = [k for k in numeric if k != c]
    hc = hull[c]
    order = sorted(live, key=lambda i: hc[i][0])
    active: list[int] = []
    for i in order:
        lo = hc[i][0]
        active = [j for j in active if hc[j][1] >= lo]
        for j in active:
            if all(hull[k][i][0] <= hull[k][j][1] and hull[k][j][0] <= hull[k][i][1] for k in others) and \
                    box_inter(boxes[i], boxes[j]) is not None:
                out.append((min(i, j), max(i, j)))
        active.append(i)
    return sorted(out)


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
    # Split the region on a column where two rows disagree, by the first row's cell there.
    first = min(inside)
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
    return []


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
    for s in sets:
        if not any(s < k for k in keep):
            keep.append(s)
    return [(s, found[s]) for s in keep]


_NEG, _POS = -(10**18), 10**18


def _best_cut(clipped: list[tuple[Cell, ...]], reg: tuple[Cell, ...]) -> tuple[int, list[Cell]] | None:
    """The cut of ``reg`` (column, its two parts) at a row boundary that the fewest rows straddle.

    A table authored as a decision tree has cuts no row straddles; following them keeps each gap
    in one piece instead of cutting it at the boundaries of unrelated rows.
    """
    import bisect

    best: tuple[tuple[int, int], int, list[Cell]] | None = None
    n = len(clipped)
    for c, whole in enumerate(reg):
        if isinstance(whole, frozenset):
            seen: set[frozenset] = set()
            for b in clipped:
                part = b[c]
                if part == whole or part in seen:
                    continue
                seen.add(part)  # type: ignore[arg-type]
                rest = whole - part  # type: ignore[operator]
                straddle = sum(1 for o in clipped if o[c] & part and o[c] & rest)  # type: ignore[operator]
                left = sum(1 for o in clipped if o[c] & part)  # type: ignore[operator]
                key = (straddle, abs(2 * left - n))
                if best is None or key < best[0]:
                    best = (key, c, [part, rest])  # type: ignore[list-item]
            continue
        wlo, wlc, whi, whc = whole[0]  # type: ignore[index,misc]
        lows = sorted(_NEG if iv[0] is None else iv[0] for b in clipped for iv in b[c][:1])  # type: ignore[index]
        los2 = sorted(_NEG if b[c][0][0] is None else 2 * b[c][0][0] + (0 if b[c][0][1] else 1) for b in clipped)  # type: ignore[index]
        his2 = sorted(_POS if b[c][-1][2] is None else 2 * b[c][-1][2] + (1 if b[c][-1][3] else 0) for b in clipped)  # type: ignore[index]
        his = sorted(_POS if b[c][-1][2] is None else b[c][-1][2] for b in clipped)  # type: ignore[index]
        cands: set[tuple[int, bool]] = set()  # (v, True) cuts "< v | >= v"; (v, False) cuts "<= v | > v"
        for b in clipped:
            for lo, lc, hi, hc in b[c]:  # type: ignore[union-attr]
                if lo is not None:
                    cands.add((lo, lc))
                if hi is not None:
                    cands.add((hi, not hc))
        for v, below_open in cands:
            if below_open:  # parts x < v and x >= v; both must be non-empty inside the region
                if (wlo is not None and v <= wlo) or (whi is not None and (v > whi or (v == whi and not whc))):
                    continue
                left = bisect.bisect_left(lows, v)
                straddle = left - bisect.bisect_left(his2, 2 * v + 1)
                parts = [((wlo, wlc, v, False),), ((v, True, whi, whc),)]
            else:  # parts x <= v and x > v
                if (whi is not None and v >= whi) or (wlo is not None and v < wlo):
                    continue
                if wlo is not None and v == wlo and not wlc:
                    continue
                left = bisect.bisect_right(los2, 2 * v)
                straddle = left - bisect.bisect_right(his, v)
                parts = [((wlo, wlc, v, True),), ((v, False, whi, whc),)]
            key = (straddle, abs(2 * left - n))
            if best is None or key < best[0]:
                best = (key, c, parts)  # type: ignore[assignment]
    return None if best is None else (best[1], best[2])


def uncovered(boxes: list[tuple[Cell, ...]], rows: list[int], region: tuple[Cell, ...], first_only: bool = False) -> list[tuple[Cell, ...]]:
    """Regions inside ``region`` (one interval per numeric column) that no row of ``rows`` covers.

    The region is cut, recursively, at the row boundary the fewest rows straddle (partition
    refinement); a piece no row touches is a gap, a piece inside one row is done.
    """
    out: list[tuple[Cell, ...]] = []
    stack = [(region, rows)]
    while stack:
        reg, rs = stack.pop()
        clipped = []
        sub = []
        for r in rs:
            b = box_inter(boxes[r], reg)
            if b is not None:
                clipped.append(b)
                sub.append(r)
        if not clipped:
            out.append(reg)
            if first_only:
                return out
            continue
        if any(all(x == y for x, y in zip(b, reg)) for b in clipped):
            continue  # one row covers the whole region
        cut = _best_cut(clipped, reg)
        if cut is None:  # cannot happen: some row differs from the region somewhere
            raise AssertionError("no cut for a region that no row covers")
        c, parts = cut
        for p in reversed(parts):
            stack.append((reg[:c] + (p,) + reg[c + 1:], sub))
    return out
