"""The table analysis as it was before ``verifier.dmn.grid``, box by box over endpoint ranks.

Kept verbatim (apart from names) as the reference the grid code must match
finding for finding: same overlapping pairs, and the same gap boxes in the
same order, since the gaps depend on which cuts the partition refinement
makes. ``old_overlaps_and_gaps`` runs it on a table.
"""

from __future__ import annotations

import bisect

from verifier.dmn.analysis import Column, Iv, _lo_key, _rank, table_boxes
from verifier.dmn.boxes import Cell, box_inter


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


_NEG, _POS = -(10**18), 10**18


def _best_cut(clipped: list[tuple[Cell, ...]], reg: tuple[Cell, ...]) -> tuple[int, list[Cell]] | None:
    """The cut of ``reg`` (column, its two parts) at a row boundary that the fewest rows straddle.

    A table authored as a decision tree has cuts no row straddles; following them keeps each gap
    in one piece instead of cutting it at the boundaries of unrelated rows.
    """

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


def merge_gaps(columns: tuple[Column, ...], gaps: list[tuple[Cell, ...]]) -> list[tuple[Cell, ...]]:
    """Merge gap boxes that differ in one column only, until none can be merged."""
    boxes = list(dict.fromkeys(gaps))
    changed = True
    while changed:
        changed = False
        for c, col in enumerate(columns):
            groups: dict[tuple, list[tuple[Cell, ...]]] = {}
            for b in boxes:
                groups.setdefault(b[:c] + b[c + 1:], []).append(b)
            new = []
            for rest, bs in groups.items():
                if len(bs) == 1:
                    new.append(bs[0])
                    continue
                changed = True
                if col.kind == "finite":
                    cell: Cell = frozenset().union(*(b[c] for b in bs))  # type: ignore[arg-type]
                else:
                    ivs = sorted((iv for b in bs for iv in b[c]), key=_lo_key)  # type: ignore[union-attr]
                    merged: list[Iv] = []
                    for iv in ivs:
                        if merged:
                            lo, lc, hi, hc = merged[-1]
                            if hi is not None and iv[0] is not None and (iv[0] < hi or (iv[0] == hi and (hc or iv[1]))):
                                end = iv if hi is None or (iv[2] is None or iv[2] > hi or (iv[2] == hi and iv[3])) else merged[-1]
                                merged[-1] = (lo, lc, end[2], end[3])
                                continue
                        merged.append(iv)
                    cell = tuple(merged)
                new.append(rest[:c] + (cell,) + rest[c:])
            boxes = new
    return boxes



def old_overlaps_and_gaps(model, d, upstream):  # type: ignore[no-untyped-def]
    """(overlapping pairs, merged gap boxes over Fractions) as the box-by-box code finds them."""
    cols, boxes = table_boxes(model, d, upstream)
    ranked, unrank = _rank(cols, boxes)
    full = tuple(frozenset(c.values) if c.kind == "finite" else ((None, False, None, False),) for c in cols)
    numeric = [c for c, col in enumerate(cols) if col.kind == "number"]
    pairs = overlapping_pairs(ranked, numeric)
    gaps = uncovered(ranked, list(range(len(ranked))), full)
    return pairs, [unrank(g) for g in merge_gaps(cols, gaps)]
