"""Hit-policy-aware analysis of DMN decision tables by interval sweeps, without a solver.

Every row of a table is a box: per column, a union of intervals (numbers) or
a set of values (strings, booleans, the results of another decision).
Endpoints are replaced by their ranks, then by integer grid positions
(``verifier.dmn.grid``): overlapping pairs come from per-column bitsets of
row ids, gaps and masked rows from partition refinement (cutting at the row
boundary the fewest rows straddle); ``verifier.dmn.boxes`` turns the pairs
into maximal overlap sets (cliques, split where they share no point). No
solver is involved.

Findings, graded as Drools grades them:

* overlaps: every maximal set of rows that match a common record, with a
  witness box. Under U every overlap is an error; under A only overlaps of
  rows with different outputs; under the other policies they are expected
  (listed as information).
* gaps: every region no row matches (the table's result is null there), as
  boxes merged along each column; an error.
* subsumed rows: a row whose box lies inside another row's box with the same
  outputs (a warning: the row can be deleted).
* masked rows (F, P, and the single-valued C< / C>): a row that never
  decides because rows that win over it cover its whole box (an error).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Union

from verifier.dmn import boxes as bx
from verifier.dmn import grid
from verifier.dmn.errors import DmnError
from verifier.dmn.feel import Compare, Interval, Literal, UnaryTests, matches
from verifier.dmn.model import Decision, DmnModel, Loc, Table

INF = None  # an unbounded interval end

# A numeric interval: (lo, lo_closed, hi, hi_closed); None ends are unbounded.
Iv = tuple[Union[Fraction, None], bool, Union[Fraction, None], bool]


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # what the column reads, as written in the table
    kind: str  # "number" or "finite"
    values: tuple[Literal, ...] = ()  # the finite domain (kind "finite")
    lo: Fraction | None = None  # the numeric domain (kind "number"); None is unbounded
    hi: Fraction | None = None


# A cell of a box: a tuple of intervals (numbers) or a frozenset of values (finite).
Cell = Union[tuple[Iv, ...], frozenset]


def _fmt_num(v: Fraction) -> str:
    if v.denominator == 1:
        return str(v.numerator)
    return str(float(v)) if float(v) == v else f"{v.numerator}/{v.denominator}"


def fmt_interval(iv: Iv) -> str:
    lo, lc, hi, hc = iv
    if lo is not None and hi is not None and lo == hi:
        return _fmt_num(lo)
    left = "(-inf" if lo is None else ("[" if lc else "(") + _fmt_num(lo)
    right = "+inf)" if hi is None else _fmt_num(hi) + ("]" if hc else ")")
    return f"{left}..{right}"


def fmt_value(v: Literal) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Fraction):
        return _fmt_num(v)
    return '"' + v + '"'


def fmt_cell(col: Column, cell: Cell) -> str:
    if isinstance(cell, frozenset):
        if len(cell) == len(col.values):
            return "-"
        return ", ".join(fmt_value(v) for v in col.values if v in cell)
    full = (_dom(col),)
    if cell == full:
        return "-"
    return ", ".join(fmt_interval(iv) for iv in cell)


# ---------------------------------------------------------------- intervals


def _lo_key(iv: Iv) -> tuple:
    lo, lc, _, _ = iv
    return (0,) if lo is None else (1, lo, 0 if lc else 1)


def _dom(col: Column) -> Iv:
    return (col.lo, col.lo is not None, col.hi, col.hi is not None)


def _test_intervals(t: Any) -> list[Iv]:
    if isinstance(t, Interval):
        return [(t.lo, t.lo_closed, t.hi, t.hi_closed)]
    v = t.value
    if not isinstance(v, Fraction) or isinstance(v, bool):
        return []  # a number never equals a string, boolean or null
    return [{"<": (None, False, v, False), "<=": (None, False, v, True), ">": (v, False, None, False),
             ">=": (v, True, None, False), "=": (v, True, v, True)}[t.op]]


def _complement(ivs: list[Iv]) -> list[Iv]:
    out: list[Iv] = []
    cur: tuple[Fraction | None, bool] = (None, False)
    for lo, lc, hi, hc in sorted(ivs, key=_lo_key):
        if lo is not None:
            gap = bx.iv_inter((cur[0], cur[1], lo, not lc), (None, False, None, False))
            if gap is not None and (cur[0] is None or gap[0] is not None):
                if not (cur[0] is not None and cur[0] == lo and not (cur[1] and not lc)):
                    out.append(gap)
        if hi is None:
            return out
        cur = (hi, not hc)
    out.append((cur[0], cur[1], None, False))
    return out


def number_cell(tests: UnaryTests, col: Column) -> tuple[Iv, ...]:
    dom = _dom(col)
    if tests.any:
        return (dom,)
    ivs = [iv for t in tests.tests for iv in _test_intervals(t)]
    if tests.negated:
        if any(not _test_intervals(t) and not (isinstance(t, Compare) and t.value is None) for t in tests.tests):
            return ()  # not(...) of a FEEL null is null: no match
        ivs = _complement(ivs)
    clipped = [c for iv in ivs if (c := bx.iv_inter(iv, dom)) is not None]
    return _join_overlapping(sorted(clipped, key=_lo_key))


def _join_overlapping(ivs: list[Iv]) -> tuple[Iv, ...]:
    """Sorted intervals with those sharing a point joined: a cell's intervals are disjoint.

    The analysis needs it: a row covers a region when one of its intervals does, and a list
    such as ``[5..10], [8..11]`` would otherwise cover ``[8..10]`` twice and never once.
    """
    out: list[Iv] = []
    for iv in ivs:
        if out and bx.iv_inter(out[-1], iv) is not None:
            lo, lc, hi, hc = out[-1]
            if hi is not None and (iv[2] is None or iv[2] > hi or (iv[2] == hi and iv[3])):
                hi, hc = iv[2], iv[3]
            out[-1] = (lo, lc, hi, hc)
            continue
        out.append(iv)
    return tuple(out)


# ---------------------------------------------------------------- the sweep


@dataclass
class Overlap:
    rows: tuple[int, ...]
    box: tuple[Cell, ...]


@dataclass
class TableAnalysis:
    decision: str
    policy: str
    columns: tuple[Column, ...]
    loc: Loc
    rows: int
    overlaps: list[Overlap] = field(default_factory=list)
    overlap_grades: list[str] = field(default_factory=list)  # error / info, per overlap
    gaps: list[tuple[Cell, ...]] = field(default_factory=list)
    subsumed: list[tuple[int, int]] = field(default_factory=list)  # (row, by row)
    masked: list[int] = field(default_factory=list)
    row_locs: dict[int, Loc] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.overlap_grades.count("error") + len(self.gaps) + len(self.masked)


def _contains(col: Column, outer: Cell, inner: Cell) -> bool:
    if isinstance(outer, frozenset):
        return inner <= outer  # type: ignore[operator]
    return all(any(bx.iv_inter(iv, o) == iv for o in outer) for iv in inner)  # type: ignore[union-attr]


def table_boxes(model: DmnModel, d: Decision, upstream: dict[str, tuple[Literal, ...]]) -> tuple[tuple[Column, ...], list[tuple[Cell, ...]]]:
    """A table's columns and its rows as boxes (one cell per column)."""
    t: Table = d.table
    inputs = {i.name: i for i in model.inputs}
    columns = []
    for clause in t.inputs:
        i = inputs.get(clause.expr)
        if i is not None and i.type.base == "number":
            columns.append(Column(clause.expr, "number"))
        elif i is not None and i.type.base == "boolean":
            columns.append(Column(clause.expr, "finite", (True, False)))
        elif i is not None:
            lits: list[Literal] = []
            source = i.type.allowed or clause.values
            if source is not None:
                lits = [x.value for x in source.tests if isinstance(x, Compare)]
            else:
                for r in t.rows:
                    for x in r.inputs[t.inputs.index(clause)].tests:
                        if isinstance(x, Compare) and isinstance(x.value, str) and x.value not in lits:
                            lits.append(x.value)
                lits.append("\x00other")  # every string no cell names
            columns.append(Column(clause.expr, "finite", tuple(lits)))
        elif clause.expr in upstream:
            columns.append(Column(clause.expr, "finite", upstream[clause.expr] + (None,)))
        else:
            raise DmnError(model.path, clause.loc.line, clause.loc.col,
                           f"column {clause.expr!r} reads neither an input nor a single-valued decision")
    cols = tuple(columns)
    boxes = []
    for r in t.rows:
        cells: list[Cell] = []
        for col, tests in zip(cols, r.inputs):
            if col.kind == "number":
                cells.append(number_cell(tests, col))
            else:
                cells.append(frozenset(v for v in col.values if matches(tests, v if v != "\x00other" else "\x00other")))
        boxes.append(tuple(cells))
    return cols, boxes


def analyse_table(model: DmnModel, d: Decision, upstream: dict[str, tuple[Literal, ...]],
                  timings: dict[str, float] | None = None) -> TableAnalysis:
    """One table's findings; ``timings``, when given, receives the seconds each phase took."""
    clock = _Clock(timings)
    t: Table = d.table
    cols, boxes = table_boxes(model, d, upstream)
    res = TableAnalysis(d.name, t.policy_name, cols, t.loc, len(t.rows), row_locs={r.number: r.loc for r in t.rows})
    # The sweep compares endpoints millions of times: it runs on their ranks (small ints, same
    # order) instead of Fractions, and the boxes it reports are mapped back.
    ranked, unrank = _rank(cols, boxes)
    full = tuple(frozenset(c.values) if c.kind == "finite" else ((None, False, None, False),) for c in cols)
    numeric = [c for c, col in enumerate(cols) if col.kind == "number"]
    g = grid.to_grid(ranked, full, numeric)
    clock.lap("build")
    pairs = grid.overlapping_pairs(g, ranked)
    found = bx.maximal_sets(ranked, pairs, full)
    maximal = [s for s, _ in found]
    for s, box in sorted(found, key=lambda f: sorted(f[0])):
        ov = Overlap(tuple(sorted(k + 1 for k in s)), unrank(box))
        res.overlaps.append(ov)
        outs = {t.rows[k].outputs for k in s}
        if t.hit_policy == "U" or (t.hit_policy == "A" and len(outs) > 1):
            res.overlap_grades.append("error")
        else:
            res.overlap_grades.append("info")
    clock.lap("overlaps")
    gaps = grid.merge_gaps(g, grid.uncovered(g, list(range(len(ranked))), g.full(), pairs=pairs))
    res.gaps = [unrank(g.box_back(gap)) for gap in gaps]
    clock.lap("gaps")
    # Subsumed rows: inside another row with the same outputs (such rows overlap, so only
    # pairs within a maximal overlap set need comparing).
    partners: dict[int, set[int]] = {}
    for s_ in maximal:
        for a in s_:
            partners.setdefault(a, set()).update(s_)
    for a in range(len(boxes)):
        for b in sorted(partners.get(a, ())):
            if a != b and t.rows[a].outputs == t.rows[b].outputs and all(
                    _contains(col, boxes[b][c], boxes[a][c]) for c, col in enumerate(cols)):
                if boxes[a] == boxes[b] and a < b:
                    continue  # identical rows: report the later one only
                res.subsumed.append((a + 1, b + 1))
                break
    clock.lap("subsumed")
    # Masked rows: the rows winning over a row cover all of its box.
    if t.hit_policy in "FP" or t.aggregation in ("MIN", "MAX"):
        rank = _ranks(t)
        touching: dict[int, list[int]] = {}  # only rows sharing a point with a row can cover part of it
        for x, y in pairs:
            touching.setdefault(x, []).append(y)
            touching.setdefault(y, []).append(x)
        for a, box in enumerate(boxes):
            if any(not cell for cell in box):
                continue  # an empty row matches nothing; the engine's dead-rule check names it
            winners = [b for b in sorted(touching.get(a, ())) if rank[b] < rank[a] or (rank[b] == rank[a] and b < a)]
            if t.hit_policy != "F":
                winners = [b for b in winners if t.rows[b].outputs != t.rows[a].outputs or b < a]
            # The row's box as regions of one span per numeric column, searched for a point no winner covers.
            regions = list(itertools.product(*([cell] if isinstance(cell, int) else list(cell) for cell in g.rows[a])))
            if all(not grid.uncovered(g, winners, reg, first_only=True) for reg in regions):
                res.masked.append(a + 1)
    clock.lap("masked")
    return res


class _Clock:
    """Seconds per phase, added into ``timings`` (a no-op without one)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, phase: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
            self.last = now


def _rank(cols: tuple[Column, ...], boxes: list[tuple[Cell, ...]]):  # type: ignore[no-untyped-def]
    """Boxes with every numeric endpoint replaced by its rank in its column, and the map back."""
    back: list[list[Fraction]] = []
    fwd: list[dict[Any, int]] = []
    # Keyed by (numerator, denominator): a Fraction's own hash costs a modular inverse each time.
    for c, col in enumerate(cols):
        distinct = {} if col.kind != "number" else {
            (e.numerator, e.denominator): e for b in boxes for iv in b[c] for e in (iv[0], iv[2]) if e is not None}  # type: ignore[union-attr]
        ends = sorted(distinct.values())
        back.append(ends)
        fwd.append({(e.numerator, e.denominator): i for i, e in enumerate(ends)})

    def conv(iv: Iv, m: Any) -> Iv:
        lo, lc, hi, hc = iv
        return (None if lo is None else m[lo], lc, None if hi is None else m[hi], hc)

    def to_rank(iv: Iv, m: dict[Any, int]) -> Iv:
        lo, lc, hi, hc = iv
        return (None if lo is None else m[lo.numerator, lo.denominator], lc,
                None if hi is None else m[hi.numerator, hi.denominator], hc)

    ranked = [tuple(cell if isinstance(cell, frozenset) else tuple(to_rank(iv, fwd[c]) for iv in cell)
                    for c, cell in enumerate(b)) for b in boxes]

    def unrank(box: tuple[Cell, ...]) -> tuple[Cell, ...]:
        return tuple(cell if isinstance(cell, frozenset) else tuple(conv(iv, back[c]) for iv in cell)  # type: ignore[union-attr]
                     for c, cell in enumerate(box))

    return ranked, unrank


def _ranks(t: Table) -> list[tuple]:
    if t.hit_policy == "F":
        return [(k,) for k in range(len(t.rows))]
    if t.hit_policy == "C":
        vals = sorted({r.outputs[0] for r in t.rows}, reverse=t.aggregation == "MAX")  # type: ignore[type-var]
        return [(vals.index(r.outputs[0]),) for r in t.rows]
    prio = [c for c, o in enumerate(t.outputs) if o.values is not None]
    return [tuple(t.outputs[c].values.index(r.outputs[c]) if r.outputs[c] in (t.outputs[c].values or ()) else 99  # type: ignore[union-attr]
                  for c in prio) for r in t.rows]


def analyse(model: DmnModel, timings: dict[str, float] | None = None) -> list[TableAnalysis]:
    """Every decision table of ``model``, in dependency order (``timings``: seconds per phase, summed)."""
    upstream: dict[str, tuple[Literal, ...]] = {}
    out = []
    for d in model.decisions:
        out.append(analyse_table(model, d, upstream, timings))
        if d.table.single_valued and len(d.table.outputs) == 1:
            upstream[d.name] = tuple(dict.fromkeys(r.outputs[0] for r in d.table.rows if r.outputs[0] is not None))
    return out
