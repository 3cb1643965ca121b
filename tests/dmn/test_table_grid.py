"""The grid-based table analysis against two references, on many small random tables.

1. The box-by-box code it replaced (``reference_tables``): the same
   overlapping pairs and the same gap boxes, in the same order.
2. Brute force: every row evaluated with the FEEL matcher at one point of
   every elementary cell of the input space (each endpoint and a point
   between and beyond them, every listed value and an unlisted string). The
   maximal overlap sets, the gap points, the subsumed and the masked rows
   must be exactly those the points show.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from tests.dmn.random_tables import random_table
from tests.dmn.reference_tables import old_overlaps_and_gaps
from tests.dmn.test_analysis import OTHER, in_cell
from verifier.dmn import grid, read_dmn
from verifier.dmn.analysis import _rank, _ranks, analyse, table_boxes
from verifier.dmn.feel import Interval, matches
from verifier.dmn.synthetic import synthetic_dmn

SEEDS = range(400)


def _models():  # type: ignore[no-untyped-def]
    for seed in SEEDS:
        yield f"random {seed}", read_dmn(random_table(seed), "r.dmn")
    for seed in range(6):  # bigger tables: cuts tie more often, and in deeper regions
        yield f"synthetic {seed}", read_dmn(synthetic_dmn(40 + 10 * seed, 2 + seed, seed=seed).encode(), "s.dmn")


@pytest.mark.parametrize("chunk", range(4))
def test_same_pairs_and_gaps_as_the_box_by_box_code(chunk: int) -> None:
    for k, (name, model) in enumerate(_models()):
        if k % 4 != chunk:
            continue
        d = model.decisions[0]
        (res,) = analyse(model)
        old_pairs, old_gaps = old_overlaps_and_gaps(model, d, {})
        cols, boxes = table_boxes(model, d, {})
        ranked, _ = _rank(cols, boxes)
        full = tuple(frozenset(c.values) if c.kind == "finite" else ((None, False, None, False),) for c in cols)
        g = grid.to_grid(ranked, full, [c for c, col in enumerate(cols) if col.kind == "number"])
        assert grid.overlapping_pairs(g, ranked) == old_pairs, name
        assert res.gaps == old_gaps, name


def _points(model, d, res):  # type: ignore[no-untyped-def]
    """Per column, one value in each elementary cell of its domain."""
    per_col = []
    for c, col in enumerate(res.columns):
        if col.kind == "finite":
            per_col.append([("zzz-unlisted" if v == OTHER else v) for v in col.values])
            continue
        ends: set[Fraction] = set()
        for r in d.table.rows:
            for t in r.inputs[c].tests:
                if isinstance(t, Interval):
                    ends |= {t.lo, t.hi} - {None}
                elif isinstance(getattr(t, "value", None), Fraction):
                    ends.add(t.value)
        e = sorted(ends) or [Fraction(0)]
        per_col.append([e[0] - 1] + [x for a, b in zip(e, e[1:]) for x in (a, (a + b) / 2)] + [e[-1], e[-1] + 1])
    return per_col


def _hits(d, res, per_col):  # type: ignore[no-untyped-def]
    """{point: rows (numbers) matching there}, rows tested column by column with bit masks."""
    rows = d.table.rows
    masks = [[sum(1 << k for k, r in enumerate(rows) if matches(r.inputs[c], v)) for v in vals]
             for c, vals in enumerate(per_col)]
    out = {}
    for idx in itertools.product(*(range(len(v)) for v in per_col)):
        m = (1 << len(rows)) - 1
        for c, i in enumerate(idx):
            m &= masks[c][i]
        out[tuple(per_col[c][i] for c, i in enumerate(idx))] = frozenset(k + 1 for k in range(len(rows)) if m >> k & 1)
    return out


@pytest.mark.parametrize("chunk", range(4))
def test_findings_are_what_the_points_show(chunk: int) -> None:
    for k, (name, model) in enumerate(_models()):
        if k % 4 != chunk or name.startswith("synthetic"):
            continue
        d = model.decisions[0]
        t = d.table
        (res,) = analyse(model)
        hits = _hits(d, res, _points(model, d, res))

        def inside(point, box) -> bool:  # type: ignore[no-untyped-def]
            return all(in_cell(col, cell, v) for col, cell, v in zip(res.columns, box, point))

        # Overlaps: exactly the maximal sets of rows matching together somewhere; each witness inside them all.
        sets = {h for h in hits.values() if len(h) >= 2}
        maximal = {s for s in sets if not any(s < o for o in sets)}
        assert {frozenset(o.rows) for o in res.overlaps} == maximal, name
        for o in res.overlaps:
            pts = [p for p in hits if inside(p, o.box)]
            assert pts and all(set(o.rows) <= hits[p] for p in pts), (name, o)
        # Gaps: exactly the points no row matches, each in one gap box.
        for p, h in hits.items():
            assert sum(inside(p, gbox) for gbox in res.gaps) == (1 if not h else 0), (name, p, h)
        # Subsumed: the first row with the same outputs matching everywhere the row matches.
        where = {r.number: {p for p, h in hits.items() if r.number in h} for r in t.rows}
        expect = []
        for r in t.rows:
            a = r.number
            for s in t.rows:
                b = s.number
                if b == a or not where[a] or s.outputs != r.outputs or not where[a] <= where[b]:
                    continue
                if where[a] == where[b] and a < b:
                    continue
                expect.append((a, b))
                break
        assert res.subsumed == expect, name
        # Masked: every point of the row has a row that wins over it.
        if t.hit_policy in "FP" or t.aggregation in ("MIN", "MAX"):
            rank = _ranks(t)

            def wins(b: int, a: int) -> bool:
                if not (rank[b] < rank[a] or (rank[b] == rank[a] and b < a)):
                    return False
                return t.hit_policy == "F" or t.rows[b].outputs != t.rows[a].outputs or b < a

            masked = [r.number for r in t.rows if where[r.number] and all(
                any(wins(b - 1, r.number - 1) for b in hits[p] if b != r.number) for p in where[r.number])]
            assert res.masked == masked, name
        else:
            assert res.masked == [], name
