"""Fast box reasoning for decision tables on an integer grid: overlapping pairs and uncovered regions.

``boxes`` states the geometry on endpoint ranks; this module does the two
hot loops of the table analysis on a cheaper encoding of the same boxes.

*Grid positions.* A numeric column with ``m`` distinct endpoint ranks has
``2m + 1`` elementary pieces: the points ``0 .. m-1`` (position ``2v``) and
the open stretches between and around them (position ``2v + 1`` lies
between ranks ``v`` and ``v + 1``; ``-1`` is below the first rank and
``2m - 1`` above the last). The reals are dense, so every interval over ranks
is exactly a range ``lo..hi`` of positions (both included), and two intervals
share a real number exactly when their ranges share a position. Comparisons
become plain int comparisons, with no open/closed flags.

*Finite columns* are bit masks over the column's values.

* ``overlapping_pairs``: per column, the set of rows overlapping a given row
  is a bitset (a Python int of row ids), read off prefix unions of the rows
  sorted by their lower and upper ends; the bitsets of all columns are
  intersected. Rows whose numeric cell is a union of several intervals enter
  by their hull and their pairs are confirmed exactly.
* ``uncovered``: the same partition refinement as the box-by-box search it
  replaced (kept as ``tests/dmn/reference_tables.py``): cut at the row
  boundary the fewest rows straddle, ties broken exactly as it broke them, so
  the gaps are the same boxes, in the same order. What makes it fast: a
  column's straddle counts come from one sorted list of row ends
  (``_Events``), which the parts cut along that column reuse; small regions
  take a plain merge of their rows' ends; a region with one row yields its
  gaps without further cuts; and, with the overlapping pairs at hand, a
  small region that its rows provably fill (counting grid cells: ``_fills``)
  is dropped, since the search would find no gap in it.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter
from functools import reduce
from itertools import accumulate, compress, repeat
from operator import and_, eq, sub
from dataclasses import dataclass
from typing import Optional, Union

from verifier.dmn import boxes as bx

Iv = tuple[Optional[int], bool, Optional[int], bool]  # an interval over ranks, as in ``boxes``
Cell = Union[tuple[Iv, ...], frozenset]
Span = tuple[int, int]  # a range of grid positions, both ends included
GCell = Union[tuple[Span, ...], int]  # a numeric cell's spans, or a finite cell's bit mask


class _Columns:
    """The rows column by column (lists indexed by row id): cheaper to scan than row tuples."""

    def __init__(self, numeric: tuple[bool, ...], rows: tuple[tuple[GCell, ...], ...]) -> None:
        ncol = len(numeric)
        self.lo: list[list[int]] = [[] for _ in range(ncol)]  # numeric: the first interval's lower end
        self.hi: list[list[int]] = [[] for _ in range(ncol)]  # numeric: the last interval's upper end
        self.hi1: list[list[int]] = [[] for _ in range(ncol)]  # hi + 1: where a cut just above the row falls
        self.lo1: list[list[int]] = [[] for _ in range(ncol)]  # lo - 1: a cell's length is hi - (lo - 1)
        self.klo: list[list[int]] = [[] for _ in range(ncol)]  # 2 lo + 1 and 2 (hi + 1): ``_Events``' keys
        self.khi: list[list[int]] = [[] for _ in range(ncol)]
        self.mask: list[list[int]] = [[] for _ in range(ncol)]  # finite: the bit mask
        self.full: list[int] = [0] * ncol  # finite: every value's bit (set by ``to_grid``)
        self.multi: list[set[int]] = [set() for _ in range(ncol)]  # numeric: rows with several intervals
        # numeric column -> (rows, the rows by lower end, the rows by upper end), left by
        # ``overlapping_pairs`` (which sorts them anyway) for ``uncovered``'s first region
        self.sorted_ends: dict[int, tuple[list[int], list[int], list[int]]] = {}
        # pair_at[p]: grid position p as the (rank, flag) pair ``_set_order_first`` files it under
        # (position -1, below every end, is the last item: a list reads index -1 there)
        span = max((cell[-1][1] for row in rows for c, cell in enumerate(row) if numeric[c] and cell), default=0)  # type: ignore[index]
        self.pair_at = [(p >> 1, not p & 1) for p in range(0, span + 2)] + [(-1, False)]
        # step[k] per ``_Events`` key: +1 for a lower end (odd), -1 for an upper one; the key -1 (a row
        # unbounded below) reads the last item, odd, as a list does
        self.step = [1 if k & 1 else -1 for k in range(2 * span + 4)]
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if numeric[c]:
                    lo, hi = (cell[0][0], cell[-1][1]) if cell else (0, -1)  # type: ignore[index]
                    self.lo[c].append(lo)
                    self.hi[c].append(hi)
                    self.hi1[c].append(hi + 1)
                    self.lo1[c].append(lo - 1)
                    self.klo[c].append(2 * lo + 1)
                    self.khi[c].append(2 * hi + 2)
                    if len(cell) > 1:  # type: ignore[arg-type]
                        self.multi[c].add(r)
                else:
                    self.mask[c].append(cell)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Grid:
    """The boxes of a table on grid positions, with what is needed to map regions back."""

    numeric: tuple[bool, ...]  # per column
    top: tuple[int, ...]  # per numeric column, the last position (2m - 1); 0 for finite columns
    values: tuple[tuple, ...]  # per finite column, the values in bit order
    rows: tuple[tuple[GCell, ...], ...]
    by_column: _Columns  # the same rows column by column

    def full(self) -> tuple[GCell, ...]:
        return tuple((-1, self.top[c]) if num else (1 << len(self.values[c])) - 1
                     for c, num in enumerate(self.numeric))

    def span_back(self, c: int, span: Span) -> Iv:
        """Grid positions ``lo..hi`` of numeric column ``c`` as an interval over ranks."""
        lo, hi = span
        lo_v, lo_c = (None, False) if lo == -1 else (lo >> 1, not lo & 1)
        hi_v, hi_c = (None, False) if hi == self.top[c] else ((hi + 1) >> 1, not hi & 1)
        return (lo_v, lo_c, hi_v, hi_c)

    def box_back(self, box: tuple) -> tuple[Cell, ...]:
        """A box of grid cells (numeric cells as tuples of spans) as a box over ranks."""
        return tuple(tuple(self.span_back(c, s) for s in cell) if self.numeric[c]
                     else frozenset(v for k, v in enumerate(self.values[c]) if cell >> k & 1)
                     for c, cell in enumerate(box))


def to_grid(ranked: list[tuple[Cell, ...]], full: tuple[Cell, ...], numeric: list[int]) -> Grid:
    """Encode boxes over ranks (``analysis._rank``) on grid positions; ``full`` gives each finite column's values."""
    tops = []
    for c in range(len(full)):
        if c in numeric:
            ends = [e for b in ranked for iv in b[c] for e in (iv[0], iv[2]) if e is not None]  # type: ignore[union-attr]
            tops.append(2 * (max(ends) + 1) - 1 if ends else -1)
        else:
            tops.append(0)
    values = tuple(tuple(sorted(full[c], key=repr)) if c not in numeric else () for c in range(len(full)))
    index = [{v: k for k, v in enumerate(vs)} for vs in values]
    rows = []
    for b in ranked:
        cells: list[GCell] = []
        for c, cell in enumerate(b):
            if c in numeric:
                cells.append(tuple((-1 if lo is None else 2 * lo + (0 if lc else 1),
                                    tops[c] if hi is None else 2 * hi - (0 if hc else 1))
                                   for lo, lc, hi, hc in cell))  # type: ignore[union-attr]
            else:
                cells.append(sum(1 << index[c][v] for v in cell))
        rows.append(tuple(cells))
    is_num = tuple(c in numeric for c in range(len(full)))
    by_column = _Columns(is_num, tuple(rows))
    by_column.full = [(1 << len(vs)) - 1 for vs in values]
    return Grid(is_num, tuple(tops), values, tuple(rows), by_column)


# ---------------------------------------------------------------- overlapping pairs


def overlapping_pairs(g: Grid, ranked: list[tuple[Cell, ...]]) -> list[tuple[int, int]]:
    """Every pair of rows whose boxes share a point, i < j, in order."""
    live = [i for i, r in enumerate(g.rows) if all(r)]  # an empty cell matches nothing
    live_bits = sum(1 << i for i in live)
    # cand[i]: the rows j > i that may overlap row i; narrowed one column at a time.
    cand = {i: live_bits >> (i + 1) << (i + 1) for i in live}
    multi = 0  # rows with a union of intervals in some column: their pairs are confirmed exactly
    for c, num in enumerate(g.numeric):
        if num:
            lo = {i: g.rows[i][c][0][0] for i in live}  # type: ignore[index]
            hi = {i: g.rows[i][c][-1][1] for i in live}  # type: ignore[index]
            for i in live:
                if len(g.rows[i][c]) > 1:  # type: ignore[arg-type]
                    multi |= 1 << i
            by_lo = sorted(live, key=lo.__getitem__)
            by_hi = sorted(live, key=hi.__getitem__)
            los = [lo[i] for i in by_lo]
            his = [hi[i] for i in by_hi]
            g.by_column.sorted_ends[c] = (live, by_lo, by_hi)
            start = _prefix_unions(by_lo)  # start[k]: the k rows with the lowest lower ends
            end = _prefix_unions(by_hi)
            for i in live:
                if cand[i]:
                    # rows starting at or before i's end, less those ending before i's start
                    cand[i] &= start[bisect.bisect_right(los, hi[i])] & ~end[bisect.bisect_left(his, lo[i])]
        else:
            per_value = [0] * len(g.values[c])
            for i in live:
                m = g.rows[i][c]
                k = 0
                while m:
                    if m & 1:
                        per_value[k] |= 1 << i
                    m >>= 1
                    k += 1
            cache: dict[int, int] = {}
            for i in live:
                m = g.rows[i][c]
                s = cache.get(m)  # type: ignore[arg-type]
                if s is None:
                    s = 0
                    for k, bits in enumerate(per_value):
                        if m >> k & 1:  # type: ignore[operator]
                            s |= bits
                    cache[m] = s  # type: ignore[index]
                cand[i] &= s
    out = []
    for i in live:
        x = cand[i]
        while x:
            low = x & -x
            j = low.bit_length() - 1
            x ^= low
            if (multi >> i & 1 or multi >> j & 1) and bx.box_inter(ranked[i], ranked[j]) is None:
                continue
            out.append((i, j))
    return out


def _prefix_unions(order: list[int]) -> list[int]:
    out = [0]
    acc = 0
    for i in order:
        acc |= 1 << i
        out.append(acc)
    return out


# ---------------------------------------------------------------- uncovered regions


def _meets(cell: tuple[Span, ...], lo: int, hi: int) -> bool:
    return any(a <= hi and b >= lo for a, b in cell)


def uncovered(g: Grid, rows: list[int], region: tuple, first_only: bool = False,
              pairs: list[tuple[int, int]] | None = None) -> list[tuple]:
    """Regions (grid cells) inside ``region`` that no row of ``rows`` covers, as the box-by-box search found them.

    Map a result back with ``g.box_back`` (after ``merge_gaps``). ``pairs``, when given, must be
    every pair of rows that share a point (``overlapping_pairs``): with it, a small region that
    the rows in it provably fill (``_fills``) is dropped without being cut further. Such a region
    holds no gap, so the search below it would have found none: the gaps are the same.
    """
    R = g.rows
    cols = g.by_column
    ncol = len(region)
    numeric = g.numeric
    out: list[tuple] = []
    if region == g.full():  # every row with no empty cell meets the whole input space
        start = [r for r in rows if all(R[r])]
    else:
        start = [r for r in rows if all(
            (_meets(R[r][c], *region[c]) if numeric[c] else R[r][c] & region[c]) for c in range(ncol))]  # type: ignore[misc,operator]
    # The whole space with the rows ``overlapping_pairs`` sorted: its columns' events need no sort.
    # (Only where ``_best_cut`` would make them itself, so the search takes the same path.)
    events0: dict[int, _Events] = {}
    if len(start) > _SMALL and region == g.full():
        for c, (live, by_lo, by_hi) in cols.sorted_ends.items():
            if live == start and cols.multi[c].isdisjoint(start):
                events0[c] = _Events.from_sorted(cols.klo[c], cols.khi[c], by_lo, by_hi, cols.step)
    # Per row, the later rows it shares a point with, and the box they share.
    partners: dict[int, list[tuple[int, tuple]]] = {}
    for i, j in pairs or ():
        partners.setdefault(i, []).append((j, tuple(_span_inter(x, y) if numeric[c] else x & y  # type: ignore[arg-type,operator]
                                                    for c, (x, y) in enumerate(zip(R[i], R[j])))))
    any_multi = any(cols.multi)
    # A region carries its rows; per numeric column, the sorted ends it was weighed on
    # (``_Events``), which a part cut from it along that column reuses; and, when it is small,
    # how many grid cells of it each row covers, for the volume test (``_fills``).
    prune = pairs is not None
    # (A part cut from a small region also gets its size: the region's, its length along the cut
    # column replaced by the part's.)
    stack: list[tuple[tuple, list[int], dict[int, _Events], list[int] | None, int]] = [(region, start, events0, None, 0)]
    while stack:
        reg, rs, events, vols, size = stack.pop()
        n = len(rs)
        if not n:
            out.append(reg)
            if first_only:
                return out
            continue
        if n == 1 and not (any_multi and any(rs[0] in m for m in cols.multi)):
            _one_row_gaps(g, rs[0], reg, out)
            if first_only and out:
                return out[:1]
            continue
        if prune and n <= _FILL_TEST_ROWS:
            if vols is None:
                vols = _volumes(g, rs, reg)
            if not size:
                size = _size(g, reg)
            if max(vols) == size:
                continue  # one row covers the region
            if _fills(g, rs, reg, vols, size, partners):
                continue
            found = _best_cut(g, cols, rs, reg, events)  # (a row covering the region was seen above)
        else:
            # A region some row covers holds no gap. Asking ``_covered`` costs a pass over the
            # rows; most regions have a cut no row straddles, and a row covering the region would
            # straddle every cut, so the cut is found first and the question asked only if needed.
            found = _best_cut(g, cols, rs, reg, events)
            if found is not None and found[2] and _covered(g, cols, rs, reg):
                continue
        if found is None:
            continue  # no cut at all: every row covers the region
        c, parts, _ = found
        if numeric[c]:
            rlo, rhi = reg[c]
            p = parts
            lvols: list[int] | None = None
            rvols: list[int] | None = None
            lsize = rsize = 0  # not known
            if cols.multi[c]:
                lrows = [r for r in rs if _meets(R[r][c], rlo, p - 1)]  # type: ignore[arg-type]
                rrows = [r for r in rs if _meets(R[r][c], p, rhi)]  # type: ignore[arg-type]
            elif vols is not None and not (any_multi and any(not m.isdisjoint(rs) for m in cols.multi if m)):
                lrows, rrows, lvols, rvols = _split_volumes(cols.lo[c], cols.hi[c], rs, vols, rlo, rhi, p)
                unit = size // (rhi - rlo + 1)  # vols is known, so size is: the fill test ran
                lsize, rsize = unit * (p - rlo), unit * (rhi - p + 1)
            else:  # a row in the region meets the part below p when it starts below p
                lo, hi = cols.lo[c], cols.hi[c]
                lrows = [r for r in rs if lo[r] < p]
                rrows = [r for r in rs if hi[r] >= p]
            # A part with all the rows keeps every column's events; another, only this column's.
            ev = events.get(c)
            stack.append((reg[:c] + ((p, rhi),) + reg[c + 1:], rrows,
                          events if len(rrows) == n else ({c: ev} if ev is not None else {}), rvols, rsize))
            stack.append((reg[:c] + ((rlo, p - 1),) + reg[c + 1:], lrows,
                          events if len(lrows) == n else ({c: ev} if ev is not None else {}), lvols, lsize))
        else:
            part, rest = parts
            mask = cols.mask[c]
            rrows = [r for r in rs if mask[r] & rest]
            lrows = [r for r in rs if mask[r] & part]
            if vols is None:
                lvols = rvols = None
                lsize = rsize = 0
            else:  # a row's volume has the factor |mask & region| in this column: swap it for the part's
                whole = reg[c]
                lvols = [v // (mask[r] & whole).bit_count() * (mask[r] & part).bit_count()
                         for r, v in zip(rs, vols) if mask[r] & part]
                rvols = [v // (mask[r] & whole).bit_count() * (mask[r] & rest).bit_count()
                         for r, v in zip(rs, vols) if mask[r] & rest]
                unit = size // whole.bit_count()
                lsize, rsize = unit * part.bit_count(), unit * rest.bit_count()
            stack.append((reg[:c] + (rest,) + reg[c + 1:], rrows, events if len(rrows) == n else {}, rvols, rsize))
            stack.append((reg[:c] + (part,) + reg[c + 1:], lrows, events if len(lrows) == n else {}, lvols, lsize))
    return out


# Regions with at most this many rows get the volume test of ``_fills``: the small ones are most
# of the regions the search visits, and most hold no gap; a big region is worth its cut anyway.
_FILL_TEST_ROWS = 24


def _clip_volume(g: Grid, row: tuple[GCell, ...], reg: tuple) -> int:
    """How many grid cells of ``reg`` the box ``row`` covers."""
    v = 1
    numeric = g.numeric
    for c, whole in enumerate(reg):
        cell = row[c]
        if numeric[c]:
            rlo, rhi = whole
            if len(cell) == 1:  # type: ignore[arg-type]
                a, b = cell[0]  # type: ignore[index]
                w = (b if b < rhi else rhi) - (a if a > rlo else rlo) + 1
                if w <= 0:
                    return 0
                v *= w
                continue
            v *= sum(max(0, min(b, rhi) - max(a, rlo) + 1) for a, b in cell)  # type: ignore[union-attr]
        else:
            v *= (cell & whole).bit_count()  # type: ignore[operator]
        if not v:
            return 0
    return v


def _size(g: Grid, reg: tuple) -> int:
    """How many grid cells ``reg`` holds."""
    size = 1
    for c, whole in enumerate(reg):
        size *= whole[1] - whole[0] + 1 if g.numeric[c] else whole.bit_count()
    return size


def _volumes(g: Grid, rs: list[int], reg: tuple) -> list[int]:
    """Per row of ``rs``, how many grid cells of ``reg`` it covers."""
    cols = g.by_column
    if any(not m.isdisjoint(rs) for m in cols.multi if m):
        return [_clip_volume(g, g.rows[r], reg) for r in rs]
    numeric = g.numeric
    # per column: (lower ends, upper ends, region's span) or (masks, None, region's mask, 0)
    spec = [(cols.lo[c], cols.hi[c], whole[0], whole[1]) if numeric[c] else (cols.mask[c], None, whole, 0)
            for c, whole in enumerate(reg)]
    out = []
    for r in rs:
        v = 1
        for L, H, a0, b0 in spec:
            if H is None:
                v *= (L[r] & a0).bit_count()
            else:
                a = L[r]
                b = H[r]
                v *= (b if b < b0 else b0) - (a if a > a0 else a0) + 1
        out.append(v)
    return out


def _split_volumes(lo: list[int], hi: list[int], rs: list[int], vols: list[int], rlo: int, rhi: int,
                   p: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """The rows of the parts below and from p (one interval per row), with their volumes there.

    A row on one side keeps its volume; a row straddling p splits its length in the column.
    """
    lrows: list[int] = []
    rrows: list[int] = []
    lvols: list[int] = []
    rvols: list[int] = []
    for r, v in zip(rs, vols):
        a = lo[r]
        b = hi[r]
        if a >= p:
            rrows.append(r)
            rvols.append(v)
        elif b < p:
            lrows.append(r)
            lvols.append(v)
        else:
            if a < rlo:
                a = rlo
            if b > rhi:
                b = rhi
            unit = v // (b - a + 1)
            lrows.append(r)
            lvols.append(unit * (p - a))
            rrows.append(r)
            rvols.append(unit * (b - p + 1))
    return lrows, rrows, lvols, rvols


def _fills(g: Grid, rs: list[int], reg: tuple, vols: list[int], size: int,
           partners: dict[int, list[tuple[int, tuple]]]) -> bool:
    """The rows ``rs`` (covering ``vols`` cells of ``reg`` each) together cover all ``size`` cells of it.

    A sufficient test: False may be wrong. Grid positions are atoms (every row's span holds a
    position whole or not at all), so a region is a finite set of cells and coverage can be
    counted. Bonferroni's inequality gives |union| >= sum |row| - sum |row & other| over the
    pairs that share a point (every other pair shares no cell); when that bound reaches the
    region's size, the rows fill it.
    """
    total = sum(vols)
    if total < size:
        return False
    if partners:
        inside = None
        for i in rs:
            js = partners.get(i)
            if js:
                if inside is None:
                    inside = set(rs)
                for j, shared in js:
                    if j in inside:
                        total -= _clip_volume(g, shared, reg)
                        if total < size:
                            return False
    return True


def _span_inter(a: tuple[Span, ...], b: tuple[Span, ...]) -> tuple[Span, ...]:
    """The positions two numeric cells share, as spans."""
    return tuple((max(x0, y0), min(x1, y1)) for x0, x1 in a for y0, y1 in b if max(x0, y0) <= min(x1, y1))


def _covered(g: Grid, cols: _Columns, rs: list[int], reg: tuple) -> bool:
    """Some row covers all of ``reg`` (its cell, cut to the region, is the region)."""
    left = rs
    for c, whole in enumerate(reg):
        if g.numeric[c]:
            rlo, rhi = whole
            if cols.multi[c]:
                left = [r for r in left if any(a <= rlo and b >= rhi for a, b in g.rows[r][c])]  # type: ignore[union-attr]
            else:
                lo, hi = cols.lo[c], cols.hi[c]
                left = [r for r in left if lo[r] <= rlo and hi[r] >= rhi]
        else:
            mask = cols.mask[c]
            left = [r for r in left if mask[r] & whole == whole]
        if not left:
            return False
    return True


def _best_cut(g: Grid, cols: _Columns, rs: list[int], reg: tuple, events: dict[int, _Events]):  # type: ignore[no-untyped-def]
    """The cut the box-by-box search chose: (column, position) for a numeric column, (column, (part, rest)) else.

    Returned with the number of rows straddling it (every row covering the region straddles
    every cut), or None when there is no cut: every row then covers the region.

    A numeric cut at position p parts the region into ``.. p-1`` and ``p ..``. Its key is
    (rows straddling it, imbalance); that search kept the first minimal key in its order of
    candidates (columns in order; a finite column's parts in order of first appearance; a
    numeric column's in the iteration order of a set), which ``_set_order_first`` reproduces.
    ``events`` holds the region's ``_Events`` per numeric column; those missing are made and added.
    """
    n = len(rs)
    best_key: tuple[int, int] | None = None
    best: tuple | None = None
    perfect = (0, n & 1)  # no row straddles, the rows split evenly: the least key there is
    numeric, multi = g.numeric, cols.multi
    small = n <= _SMALL
    for c, whole in enumerate(reg):
        if numeric[c]:
            rlo, rhi = whole
            ev = events.get(c)
            if ev is not None:
                found = ev.cut(rlo, rhi, n, best_key)
            elif multi[c] and not multi[c].isdisjoint(rs):
                found = _multi_column_cut(g, rs, c, rlo, rhi, n, best_key)
            elif small:
                found = _column_cut_small(cols.lo[c], cols.hi1[c], rs, rlo, rhi, n, best_key)
            else:
                ev = events[c] = _Events(cols.klo[c], cols.khi[c], rs, cols.step)
                found = ev.cut(rlo, rhi, n, best_key)
            if found is not None:
                best_key, best = found[0], (c, found[1])
        else:
            mask = cols.mask[c]
            if small and reduce(and_, map(mask.__getitem__, rs)) & whole == whole:
                continue  # every row holds every value of the region: no cut (common in small regions)
            found_f = _finite_cut(mask, rs, whole, cols.full[c], n, best_key)
            if found_f is not None:
                best_key, best = found_f[0], (c, found_f[1])
        if best_key == perfect:
            break  # no later column can have a smaller key, and a tie keeps the first
    if best is None or best_key is None:
        return None
    c, cut = best
    if numeric[c]:  # tied positions are told apart only in the column that wins
        cut = cut[0] if len(cut) == 1 else _set_order_first(g, rs, reg, c, set(cut))
    return c, cut, best_key[0]


def _finite_cut(mask: list[int], rs: list[int], whole: int, full: int, n: int,
                bound: tuple[int, int] | None) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The first part of a finite column (a row's mask cut to the region) with the least key below ``bound``.

    A cut into ``part`` and ``rest`` is straddled by the rows meeting both; ``left`` rows meet
    ``part``. With ``inside(x)`` the rows whose mask lies within ``x``: left = n - inside(rest)
    and straddle = left - inside(part).
    """
    # rows per mask cut to the region, in order of first appearance (a Counter keeps it)
    masks = map(mask.__getitem__, rs)
    counts = Counter(masks if whole == full else map(and_, masks, repeat(whole)))  # masks lie within ``full``
    if len(counts) == 1 and whole in counts:
        return None
    width = whole.bit_length()
    if len(counts) ** 2 > width << width:
        # More parts than a pass per part pays for: sum over subsets for every mask at once (a
        # zeta transform over the bits, width * 2^width steps).
        inside = [0] * (1 << width)
        for m, k in counts.items():
            inside[m] = k
        for b in range(width):
            bit = 1 << b
            for x in range(1 << width):
                if x & bit:
                    inside[x] += inside[x ^ bit]
    else:
        inside = None
    key = bound
    found = None
    for part in counts:
        if part == whole:
            continue
        rest = whole ^ part
        if inside is not None:
            left = n - inside[rest]
            straddle = left - inside[part]
        else:
            left = only = 0  # rows meeting part; those of them not meeting rest
            for m, k in counts.items():
                if m & part:
                    left += k
                    if not m & rest:
                        only += k
            straddle = left - only
        k_ = (straddle, abs(2 * left - n))
        if key is None or k_ < key:
            key, found = k_, (part, rest)
            if k_ == (0, n & 1):
                break  # no key is less
    return None if found is None else (key, found)  # type: ignore[return-value]


# Up to this many rows, a plain loop over a column's sorted ends beats ``_Events``' sort and
# passes in C, whose fixed costs dominate on few rows (measured: 24 -> 64 took 1500x3's search
# from 13.5 to 13.1 ms and 1500x7's from 43.5 to 42 ms; 96 and 128 gained nothing more).
_SMALL = 64


def _column_cut_small(lo: list[int], hi1: list[int], rs: list[int], rlo: int, rhi: int, n: int,
                      bound: tuple[int, int] | None) -> tuple[tuple[int, int], list[int]] | None:
    """``_Events.cut`` by walking the sorted lower ends and the sorted positions above the upper ends together."""
    los = sorted(map(lo.__getitem__, rs))
    ups = sorted(map(hi1.__getitem__, rs))
    if los[-1] <= rlo and ups[0] > rhi:
        return None  # every row spans the window: no cut inside
    # Rows starting at or below the window's start are left of every cut; none ends below it.
    i = bisect.bisect_right(los, rlo)
    j = 0
    end = ups[-1] + 1
    los.append(end)  # sentinels: no candidate lies beyond every upper end
    ups.append(end)
    # The least key so far in two ints (no tuple per candidate), starting from ``bound``: a cut
    # must beat it, and a key equal to it joins ``tied`` only once some cut has beaten the bound.
    best_s, best_i = (n + 1, 0) if bound is None else bound  # n + 1: more than any straddle
    tied: list[int] = []
    while True:
        p = los[i]
        if ups[j] < p:
            p = ups[j]
        if p > rhi or p == end:
            break
        while ups[j] == p:
            j += 1
        s = i - j  # i rows start below p, j end below it: s straddle it
        if s <= best_s:
            imb = 2 * i - n
            if imb < 0:
                imb = -imb
            if s < best_s or imb < best_i:
                best_s, best_i, tied = s, imb, [p]
            elif imb == best_i and tied:
                tied.append(p)
        while los[i] == p:
            i += 1
    if not tied:
        return None
    return (best_s, best_i), tied


class _Events:
    """A numeric column's sorted row ends in a region, and the straddle count before each.

    A row's lower end ``lo`` is the key ``2 lo + 1`` and the position above its upper end,
    ``hi + 1``, the key ``2 (hi + 1)``. A cut at p has the rows starting below p on its
    left (``left``); those of them also ending below p lie wholly left; the others straddle
    it. All are counted by the keys before the first key ``2p + 1``: ``lows[i]`` counts the
    lower ends among the first i keys and ``straddle[i] = lows[i] - (i - lows[i])``. Along
    the keys the straddle falls at each upper end and rises at each lower one, so over the
    stretch of keys inside a window its least value is the least straddle of the window's
    cuts, taken only where a cut's rows are counted, never inside a run of equal keys.

    One sort serves every part cut from the region along this column (and every part with
    the same rows): in a part ``rlo..rhi`` the keys inside the window are the part's own
    (a row with an end inside meets the part), the rows straddling a cut are the same rows,
    and ``left`` loses the rows wholly below the part, a constant.
    """

    __slots__ = ("keys", "straddle")

    def __init__(self, klo: list[int], khi: list[int], rs: list[int], step: list[int]) -> None:
        keys = list(map(klo.__getitem__, rs))
        keys += map(khi.__getitem__, rs)
        keys.sort()
        self.keys = keys
        # step[k]: +1 for a lower end (odd key), -1 for an upper one; lows[i] = (straddle[i] + i) / 2
        self.straddle = list(accumulate(map(step.__getitem__, keys), initial=0))

    @classmethod
    def from_sorted(cls, klo: list[int], khi: list[int], by_lo: list[int], by_hi: list[int],
                    step: list[int]) -> _Events:
        """The same events for the rows of ``by_lo``, given in order of lower end, and of ``by_hi``, of upper end."""
        self = cls.__new__(cls)
        keys = list(map(klo.__getitem__, by_lo))
        keys += map(khi.__getitem__, by_hi)
        keys.sort()  # two sorted runs: one merge
        self.keys = keys
        self.straddle = list(accumulate(map(step.__getitem__, keys), initial=0))
        return self

    def cut(self, rlo: int, rhi: int, n: int, bound: tuple[int, int] | None) -> tuple[tuple[int, int], list[int]] | None:
        """The least key of a cut inside ``rlo .. rhi`` (of a region with n rows) and the positions that have it.

        None when there is no cut inside, or none with a key below ``bound``.
        """
        keys = self.keys
        i0 = bisect.bisect_left(keys, 2 * rlo + 2)
        i1 = bisect.bisect_right(keys, 2 * rhi + 1)
        if i0 == i1:
            return None
        window = self.straddle[i0:i1 + 1]
        least = min(window)
        if bound is not None and least > bound[0]:
            return None
        # lows[i] = (straddle[i] + i) / 2 lower ends among the first i keys, of which ``below``
        # belong to rows wholly below the window (counted there, not in the region); a cut's
        # imbalance is |2 (lows - below) - n| = |straddle + i - 2 below - n|.
        below = (i0 - self.straddle[i0]) >> 1
        shift = n + 2 * below
        ties = window.count(least)
        if ties == 1:
            i = i0 + window.index(least)
            at = [i]
            imb = abs(least + i - shift)
        else:
            if ties <= 8:  # a few: found by ``index`` (a scan in C), not a pass of chained maps
                at = []
                k = -1
                for _ in range(ties):
                    k = window.index(least, k + 1)
                    at.append(i0 + k)
            else:
                at = list(compress(range(i0, i1 + 1), map(eq, window, repeat(least))))
            imbs = list(map(abs, map(sub, at, repeat(shift - least))))
            imb = min(imbs)
            if imbs.count(imb) < len(imbs):
                at = list(compress(at, map(eq, imbs, repeat(imb))))
        key = (least, imb)
        if bound is not None and not key < bound:
            return None
        # A key boundary follows the upper ends at a position p (keys 2p) and precedes the lower
        # ends at a position with no upper ones: one index may be the boundary of two positions.
        tied: list[int] = []
        for i in at:
            if i > i0 and not keys[i - 1] & 1:
                tied.append(keys[i - 1] >> 1)
            if i < i1 and keys[i] & 1 and (i == i0 or keys[i - 1] != keys[i] - 1):
                tied.append(keys[i] >> 1)
        return key, tied


def _multi_column_cut(g: Grid, rs: list[int], c: int, rlo: int, rhi: int, n: int,
                      bound: tuple[int, int] | None) -> tuple[tuple[int, int], list[int]] | None:
    """``_Events.cut`` for a column where some row in the region is a union of intervals.

    The candidates are then every end of every interval meeting the region, and a row enters
    the counts by the hull of those intervals; each candidate is weighed by bisection.
    """
    bl = bisect.bisect_left
    los, his, cands = _hulls_in(g, rs, c, rlo, rhi)
    ordered = sorted(cands)
    valid = ordered[bisect.bisect_right(ordered, rlo):bisect.bisect_right(ordered, rhi)]
    if not valid:
        return None
    los.sort()
    his.sort()
    lefts = list(map(bl, repeat(los), valid))
    straddles = list(map(sub, lefts, map(bl, repeat(his), valid)))
    least = min(straddles)
    if bound is not None and least > bound[0]:
        return None
    col_key: tuple[int, int] | None = None
    tied: list[int] = []
    for k, st in enumerate(straddles):
        if st == least:
            key = (least, abs(2 * lefts[k] - n))
            if col_key is None or key < col_key:
                col_key, tied = key, [valid[k]]
            elif key == col_key:
                tied.append(valid[k])
    if col_key is None or (bound is not None and not col_key < bound):
        return None
    return col_key, tied


def _one_row_gaps(g: Grid, r: int, reg: tuple, out: list[tuple]) -> None:
    """Append the gaps the search finds in ``reg`` with the one row ``r`` in it (one interval per column).

    Every cut of such a region has key (0, 1), so the first one in the box-by-box search's order
    wins: the first column where the row does not cover the region, and there its lower end or
    the position above its upper end, whichever the set of the two meets first. Each cut leaves
    the row on one side and nothing on the other, a gap; the search visits the part below a
    numeric cut (a finite column's part the row meets) first, so the gap comes before or after
    the row's side. This follows those cuts without the stack or recursion.
    """
    row = g.rows[r]
    numeric = g.numeric
    # The cuts nest: each gap below the row's side comes out at once, each gap above it after
    # everything inside the row's side, so those wait in ``after`` (innermost last).
    after: list[tuple] = []
    c, ncol = 0, len(reg)
    while c < ncol:
        whole = reg[c]
        cell = row[c]
        if not numeric[c]:
            part = cell & whole  # type: ignore[operator]
            if part != whole:
                after.append(reg[:c] + (whole ^ part,) + reg[c + 1:])
                reg = reg[:c] + (part,) + reg[c + 1:]
            c += 1  # the row now holds the column's whole part
            continue
        rlo, rhi = whole
        a, b = cell[0]  # type: ignore[index]
        if a > rlo and b < rhi:
            first = next(iter({(a >> 1, not a & 1), ((b + 1) >> 1, not (b + 1) & 1)}))
            p = 2 * first[0] if first[1] else 2 * first[0] + 1
        elif a > rlo:
            p = a
        elif b < rhi:
            p = b + 1
        else:
            c += 1
            continue
        if p == a:  # nothing below the row's lower end
            out.append(reg[:c] + ((rlo, p - 1),) + reg[c + 1:])
            reg = reg[:c] + ((p, rhi),) + reg[c + 1:]
        else:  # nothing above its upper end
            after.append(reg[:c] + ((p, rhi),) + reg[c + 1:])
            reg = reg[:c] + ((rlo, p - 1),) + reg[c + 1:]
        # the same column again: the row may end inside the region on its other side too
    out.extend(reversed(after))


def _hulls_in(g: Grid, rs: list[int], c: int, rlo: int, rhi: int) -> tuple[list[int], list[int], set[int]]:
    """Per row, the hull of its intervals that meet the region, and every cut position they give."""
    los, his = [], []
    cands: set[int] = set()
    for r in rs:
        inside = [s for s in g.rows[r][c] if s[0] <= rhi and s[1] >= rlo]  # type: ignore[union-attr]
        los.append(inside[0][0])
        his.append(inside[-1][1])
        for a, b in inside:
            cands.add(a)
            cands.add(b + 1)
    return los, his, cands
def _set_order_first(g: Grid, rs: list[int], reg: tuple, c: int, tied: set[int]) -> int:
    """Of the tied cut positions, the one the box-by-box search met first.

    It collected a column's cuts in a set of (rank, flag) pairs, inserted row by row from the
    rows cut to the region; rebuilding the same set the same way gives the same iteration order.
    """
    rlo, rhi = reg[c]
    top = g.top[c]
    cols = g.by_column
    if not cols.multi[c] or cols.multi[c].isdisjoint(rs):
        # The same insertions: per row its lower end, then the position above its upper end,
        # both cut to the region, less the ends of the line; (rank, flag) pairs from a table.
        # (A plain loop: the regions with tied cuts are mostly small, where it beats chained maps.)
        pair = cols.pair_at
        lo, hi1 = cols.lo[c], cols.hi1[c]
        end, beyond = rhi + 1, top + 1
        built: set[tuple[int, bool]] = set()
        add = built.add
        for r in rs:
            a = lo[r]
            if a < rlo:
                a = rlo
            if a != -1 and a != beyond:
                add(pair[a])
            b = hi1[r]
            if b > end:
                b = end
            if b != -1 and b != beyond:
                add(pair[b])
        want = {pair[p] for p in tied}
        v, below_open = next(filter(want.__contains__, built))
        return 2 * v if below_open else 2 * v + 1
    old: set[tuple[int, bool]] = set()
    for r in rs:
        for a, b in g.rows[r][c]:  # type: ignore[union-attr]
            if a > rhi or b < rlo:
                continue
            a, b = max(a, rlo), min(b, rhi)
            if a != -1:
                old.add((a >> 1, not a & 1))
            if b != top:
                old.add(((b + 1) >> 1, not (b + 1) & 1))
    for v, below_open in old:
        p = 2 * v if below_open else 2 * v + 1
        if p in tied:
            return p
    raise AssertionError("a tied cut that the set does not hold")


_Words = random.Random  # the source of ``merge_gaps``' hash words (a test makes them collide)

# From this many boxes on, ``merge_gaps`` groups them by hashes; below, by their cells (cheaper
# to set up, and the grouping the hashes stand for).
_HASHED_MERGE = 1000


def merge_gaps(g: Grid, gaps: list[tuple]) -> list[tuple]:
    """Merge gap regions that differ in one column only, until none can be merged.

    The same merges, in the same order, as ``analysis`` made on boxes over ranks; on grid
    cells two spans join when they overlap or touch (the next starts at most one position
    after the last ends), and a merged numeric cell may be a union of spans.

    How it groups boxes equal but in one column, fast: each column's distinct cells get small
    ints, and a box a hash, the sum of a fixed random 64-bit word per (column, cell); less the
    word of column c, that is a hash of the box without column c. Boxes equal outside c have
    equal hashes; a column whose hashes are all distinct has no merge. Boxes sharing a hash
    are checked cell by cell (a collision falls back to grouping by the cells themselves).
    """
    ncol = len(g.numeric)
    ids: list[dict] = [{} for _ in range(ncol)]  # per column: cell -> its int
    cells: list[list] = [[] for _ in range(ncol)]  # per column: int -> its cell
    words: list[list[int]] = [[] for _ in range(ncol)]  # per column: int -> its random word
    rng = _Words(0x6A95)  # fixed: the same input gives the same words (they only speed up, never decide)

    unique = list(dict.fromkeys(gaps))
    hashing = len(unique) >= _HASHED_MERGE

    def code(c: int, cell: object) -> int:
        k = ids[c].get(cell)
        if k is None:
            k = ids[c][cell] = len(cells[c])
            cells[c].append(cell)
            if hashing:
                words[c].append(rng.getrandbits(64))
        return k

    boxes = [tuple(code(c, (x,) if g.numeric[c] else x) for c, x in enumerate(b)) for b in unique]
    sums = [sum(words[c][k] for c, k in enumerate(b)) for b in boxes] if hashing else []
    # A pass over a column that merges nothing leaves the boxes as they were; once every column
    # has had such a pass in a row, the boxes are the same as at each of them, so no further pass
    # can merge: stop there rather than at the end of the round (those passes would change nothing).
    idle = 0
    changed = True
    while changed:
        changed = False
        for c, num in enumerate(g.numeric):
            if idle == ncol:
                break
            count = len(boxes)
            if count < _HASHED_MERGE:  # boxes only get fewer: the sums are not needed again
                new = _merge_column_exact(g, c, boxes, cells[c], code)
                if len(new) < count:
                    changed = True
                    boxes = new
            else:
                wc = words[c]
                keys = [h - wc[b[c]] for b, h in zip(boxes, sums)]
                seen = Counter(keys)
                if len(seen) < count:  # else no two boxes agree outside column c
                    groups: dict[int, list[tuple]] = {}
                    for b, k in zip(boxes, keys):
                        if seen[k] > 1:
                            groups.setdefault(k, []).append(b)
                    if any(len({b[:c] + b[c + 1:] for b in bs}) > 1 for bs in groups.values()):
                        new = _merge_column_exact(g, c, boxes, cells[c], code)  # a hash collision
                        new_sums = [sum(words[x][k] for x, k in enumerate(b)) for b in new]
                    else:
                        new, new_sums = [], []
                        for b, k, h in zip(boxes, keys, sums):
                            bs = groups.get(k)
                            if bs is None:
                                new.append(b)
                                new_sums.append(h)
                            elif bs[0] is b:  # the group's first box: the merged box takes its place
                                merged = code(c, _merge_cells(num, [cells[c][x[c]] for x in bs]))
                                new.append(b[:c] + (merged,) + b[c + 1:])
                                new_sums.append(k + wc[merged])
                    if len(new) < count:
                        changed = True
                    boxes, sums = new, new_sums
            idle = 0 if len(boxes) < count else idle + 1
    return [tuple(cells[c][k] for c, k in enumerate(b)) for b in boxes]


def _merge_cells(num: bool, parts: list) -> object:
    """One cell for several: numeric spans joined where they overlap or touch; finite masks or-ed."""
    if num:
        merged: list[list[int]] = []
        for lo, hi in sorted(s for cell in parts for s in cell):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        return tuple((a, b) for a, b in merged)
    out = 0
    for cell in parts:
        out |= cell
    return out


def _merge_column_exact(g: Grid, c: int, boxes: list[tuple], cells: list, code) -> list[tuple]:  # type: ignore[no-untyped-def]
    """``merge_gaps``' step for column c grouping by the other cells themselves (after a hash collision)."""
    groups: dict[tuple, list[tuple]] = {}
    for b in boxes:
        groups.setdefault(b[:c] + b[c + 1:], []).append(b)
    new = []
    for rest, bs in groups.items():
        if len(bs) == 1:
            new.append(bs[0])
        else:
            new.append(rest[:c] + (code(c, _merge_cells(g.numeric[c], [cells[x[c]] for x in bs])),) + rest[c:])
    return new
