"""Where no rule fires, as boxes: coverage gaps of a decision table by box algebra.

``BoxModel`` (``verifier.facts.boxrules``) reads a decision table exactly as
boxes with hit-policy guard counts. Here the valid records are partitioned (a
k-d tree over row boundaries) until each leaf is decided:

* outside the hull of the rows that reach a region no row fires: those slabs
  are gaps whole, and are split off first (cutting them with the rest would
  scatter them over many leaves);
* a row that holds the whole leaf, and whose guard counts only boxes that
  hold the leaf whole or miss it, fires on all of the leaf or on none of it;
  one such row that fires decides the leaf as served;
* when every row reaching the leaf is decided that way and none fires, the
  leaf is a gap (no row reaches it, or each is silenced, as in a UNIQUE
  overlap); otherwise it is cut at the row boundary that the fewest rows
  straddle (a straddled row must be decided on both sides).

Gap leaves side by side (equal but on one input, touching there) are merged
until none is left, and a region shown to the user can be widened input by
input while the added slab is all gap (the same exact test). Nothing here is
approximate: every returned box holds only records on which no serving rule
fires, and (within the budget) every such record lies in one of them.
"""

from __future__ import annotations

import bisect
import math
from fractions import Fraction
from typing import Any, Callable

from verifier.facts.boxrules import (Box, BoxModel, Cell, Pair, _a_point, _after, _before, _bits, _is_empty,
                                     _meet, _minus, _neg, _norm)


def gap_boxes(bm: BoxModel, serving: set[str], budget: int | None = None,
              part: "Partition | None" = None) -> list[Box] | None:
    """The valid records on which no rule of ``serving`` fires, as disjoint merged boxes
    (sorted by their cells, so the same table always gives the same list); None when the
    partition needed more than ``budget`` leaves (default: grows with the table)."""
    part = part or Partition(bm, serving)
    leaves = part.gaps(_norm(bm.domain, bm.ints), default_budget(bm) if budget is None else budget)
    if leaves is None:
        return None
    return sorted(_merge(leaves, bm.ints), key=_order)


def default_budget(bm: BoxModel) -> int:
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
        if _is_empty(region):
            return out  # no valid record at all (contradictory constraints): nothing to list
        # Outside the hull of the boxes that reach the region no row fires: those slabs are
        # gaps whole, and cutting them along with the rest would split them into many pieces.
        hull = self._hull(region)
        if hull is None:
            return [region]
        if hull != region:
            out.extend(_minus(region, hull, bm.ints))
        stack = [hull]
        while stack:
            budget -= 1
            if budget < 0:
                return None
            reg = stack.pop()
            if _is_empty(reg):
                continue
            meet, hold = self._near_and_holding(reg)
            near = meet & self.relevant
            if not near & self.bases:
                out.append(reg)  # no serving row reaches any record here
                continue
            whole = near & hold
            partial = near & ~whole
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
            stack.extend(reversed(self._split(reg, list(_bits(partial)))))
        return out

    def _near_and_holding(self, region: Box) -> tuple[int, int]:
        """The bitsets of boxes meeting ``region`` and holding all of it (``BoxModel.meeting`` and
        ``_holding``, with the region's ends looked up as ranks: no fraction compared)."""
        if not hasattr(self, "_keys"):
            self._tables()
        bm = self.bm
        meet = hold = bm._all
        for c, cell in enumerate(region):
            if isinstance(cell, frozenset):
                per = bm._enum[c]
                acc = 0
                for v in cell:
                    acc |= per[v]
                    hold &= per[v]
                meet &= acc
            else:
                rank = self._rank_of[c]
                lo, hi = cell
                rl, rh = rank.get(lo), rank.get(hi)
                if rl is None or rh is None:
                    return bm.meeting(region), bm.meeting(region) & self._holding(region)
                _, lo_pref, _, hi_pref = bm._num[c]
                los, negups = self._lo_sorted[c], self._negup_sorted[c]
                # meeting: lower end <= region's upper end and upper end >= region's lower end
                meet &= lo_pref[bisect.bisect_right(los, rh)] & hi_pref[bisect.bisect_right(negups, -rl)]
                # holding: lower end <= region's lower end and upper end >= region's upper end
                hold &= lo_pref[bisect.bisect_right(los, rl)] & hi_pref[bisect.bisect_right(negups, -rh)]
            if not meet:
                return 0, 0
        return meet, hold & meet

    def _holding(self, region: Box) -> int:
        """The bitset of boxes holding all of ``region`` (non-empty), from the model's sorted ends."""
        bm = self.bm
        out = bm._all
        for c, cell in enumerate(region):
            if isinstance(cell, frozenset):
                per = bm._enum[c]
                for v in cell:
                    out &= per[v]
            else:
                lo_keys, lo_pref, hi_keys, hi_pref = bm._num[c]
                lo, hi = cell
                # boxes whose lower end <= the region's lower end, and upper end >= its upper end
                out &= lo_pref[bisect.bisect_right(lo_keys, lo)] & hi_pref[bisect.bisect_right(hi_keys, _neg(hi))]
            if not out:
                break
        return out

    def _tables(self) -> None:
        """Per input, every box's ends as small integers (ranks among all the ends), so that
        ``_split`` compares ints rather than exact fractions."""
        bm = self.bm
        self._keys: list[list[Any]] = []
        self._lo_rank: list[list[int]] = []
        self._up_rank: list[list[int]] = []  # the rank of the first key past each box's upper end
        self._mask: list[list[int]] = []  # enum/bool cells as bitmasks over the input's values
        self._value_bit: list[dict[Any, int]] = []
        self._rank_of: dict[int, dict[Any, int]] = {}
        self._lo_sorted: dict[int, list[int]] = {}
        self._negup_sorted: dict[int, list[int]] = {}
        for c, dom in enumerate(bm.domain):
            if isinstance(dom, frozenset):
                bit = {v: 1 << i for i, v in enumerate(sorted(bm.full[c], key=repr))}  # type: ignore[arg-type]
                self._value_bit.append(bit)
                self._mask.append([sum(bit[v] for v in b[c]) for b in bm.boxes])  # type: ignore[union-attr]
                self._keys.append([])
                self._lo_rank.append([])
                self._up_rank.append([])
                continue
            self._value_bit.append({})
            self._mask.append([])
            ups = [self._past(b[c][1], c) for b in bm.boxes]  # type: ignore[index]
            keys = {dom[0], dom[1], self._past(dom[1], c), self._below(dom[0], c)}  # type: ignore[index]
            for b, u in zip(bm.boxes, ups):
                keys.update((b[c][0], b[c][1], u, self._below(b[c][0], c)))  # type: ignore[index]
            ordered = sorted(keys)
            rank = {k: i for i, k in enumerate(ordered)}
            self._keys.append(ordered)
            self._rank_of[c] = rank
            lo_keys, _, hi_keys, _ = bm._num[c]
            # The model's sorted ends as ranks (same order), for bisecting ints instead of fractions.
            self._lo_sorted[c] = [rank[k] for k in lo_keys]
            self._negup_sorted[c] = [-rank[_neg(k)] for k in hi_keys]
            self._lo_rank.append([rank[b[c][0]] for b in bm.boxes])  # type: ignore[index]
            self._up_rank.append([rank[u] for u in ups])

    def _below(self, lo: Any, c: int) -> Any:
        """The upper end of the piece just below lower end ``lo`` (a whole number for an int input)."""
        if self.bm.ints[c]:
            return (float(lo[1] - 1), lo[1] - 1, 0)
        return _before(lo)

    def _past(self, hi: Any, c: int) -> Any:
        """The lower end of the piece just above upper end ``hi`` (a whole number for an int input)."""
        if self.bm.ints[c]:
            return (float(hi[1] + 1), hi[1] + 1, 0)
        return _after(hi)

    def _rank(self, c: int, key: Any) -> float:
        keys = self._keys[c]
        i = bisect.bisect_left(keys, key)
        return i if i < len(keys) and keys[i] == key else i - 0.5  # between two known ends

    def _split(self, reg: Box, partial: list[int]) -> list[Box]:
        """``reg`` cut in two at a boundary of the boxes ``partial`` strictly inside it.

        The cut that the fewest boxes straddle is taken (then the most even one):
        a box cut in two must be decided on both sides, and a perturbed decision
        table cut at medians (``BoxModel._cut``) fragments into tens of thousands
        of leaves where this stays near the number of rows.
        """
        if not hasattr(self, "_keys"):
            self._tables()
        bm = self.bm
        best: tuple[int, int, int, Any] | None = None  # (straddling, larger side, column, cut)
        n = len(partial)
        for c, cell in enumerate(reg):
            if isinstance(cell, frozenset):
                bit = self._value_bit[c]
                cm = sum(bit[v] for v in cell)
                counts: dict[int, int] = {}
                for k in partial:
                    x = self._mask[c][k] & cm
                    counts[x] = counts.get(x, 0) + 1
                for part in sorted(x for x in counts if x and x != cm):
                    rest = cm & ~part
                    left = sum(v for x, v in counts.items() if x & part)
                    right = sum(v for x, v in counts.items() if x & rest)
                    cand = (left + right - n, max(left, right), c, part)
                    if best is None or cand[:3] < best[:3]:
                        best = cand
                continue
            rl, rh = self._rank(c, cell[0]), self._rank(c, cell[1])  # type: ignore[index]
            lo_r, up_r = self._lo_rank[c], self._up_rank[c]
            los = sorted(lo_r[k] for k in partial)
            ups = sorted(up_r[k] for k in partial)
            # A cut at v keeps the ends below v left and v itself right; it must fall inside (rl, rh].
            for v in sorted({x for x in los if rl < x <= rh} | {x for x in ups if rl < x <= rh}):
                left = bisect.bisect_left(los, v)  # boxes with points below v
                right = n - bisect.bisect_right(ups, v)  # boxes with points at or above v
                cand = (left + right - n, max(left, right), c, v)
                if best is None or cand[:3] < best[:3]:
                    best = cand
        if best is None:
            # cannot happen for boxes that meet the region but do not hold it; cut along one box
            b = bm.boxes[partial[0]]
            return [_norm(_meet(reg, b), bm.ints), *_minus(reg, b, bm.ints)]
        _, _, c, cut = best
        cell = reg[c]
        if isinstance(cell, frozenset):
            inside = frozenset(v for v in cell if self._value_bit[c][v] & cut)
            parts: list[Cell] = [inside, cell - inside]
        else:
            key = self._keys[c][cut]
            parts = [(cell[0], _before(key)), (key, cell[1])]  # type: ignore[index]
        return [_norm(reg[:c] + (p,) + reg[c + 1:], bm.ints) for p in parts]

    def _hull(self, region: Box) -> Box | None:
        """The smallest box holding every part of ``region`` some serving row's box reaches
        (None: none reaches it)."""
        bm = self.bm
        near = bm.meeting(region) & self.bases
        if not near:
            return None
        out: list[Cell] = []
        for c, cell in enumerate(region):
            if isinstance(cell, frozenset):
                acc: frozenset = frozenset()
                for k in _bits(near):
                    acc |= bm.boxes[k][c]  # type: ignore[operator]
                out.append(cell & acc)
            else:
                lo = min(bm.boxes[k][c][0] for k in _bits(near))  # type: ignore[index]
                hi = max(bm.boxes[k][c][1] for k in _bits(near))  # type: ignore[index]
                out.append((max(cell[0], lo), min(cell[1], hi)))  # type: ignore[index]
        return _norm(tuple(out), bm.ints)

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


def _merge(boxes: list[Box], ints: tuple[bool, ...]) -> list[Box]:
    """Disjoint boxes with side-by-side pairs (equal but on one input, touching there) joined,
    until no pair is left; the union is unchanged."""
    # Cells are interned as small ints first: hashing exact fractions on every pass is slow.
    ids: dict[Cell, int] = {}
    cells: list[Cell] = []

    def intern(x: Cell) -> int:
        k = ids.get(x)
        if k is None:
            k = ids[x] = len(cells)
            cells.append(x)
        return k

    rows = [tuple(intern(x) for x in b) for b in boxes]
    changed = True
    while changed:
        changed = False
        for c in range(len(ints)):
            groups: dict[tuple[int, ...], list[int]] = {}
            for r in rows:
                groups.setdefault(r[:c] + r[c + 1:], []).append(r[c])
            if len(groups) == len(rows):
                continue
            merged: list[tuple[int, ...]] = []
            for rest, group in groups.items():
                joined = [cells[group[0]]] if len(group) == 1 else _join([cells[k] for k in group], ints[c])
                for cell in joined:
                    merged.append(rest[:c] + (intern(cell),) + rest[c:])
            if len(merged) < len(rows):
                changed = True
            rows = merged
    return [tuple(cells[k] for k in r) for r in rows]


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
