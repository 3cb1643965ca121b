"""Two shortcuts of the gap search (``grid.uncovered``), each checked against the way it replaced.

* The first region reuses the row orders ``overlapping_pairs`` sorted: the events built
  from them equal those sorted from scratch, and the regions are the same without them.
* A big region asks whether a row covers it only when its best cut is straddled (a
  covering row straddles every cut): with a catch-all row and with a row over part of
  the space, the regions equal the reference search's.
"""

from __future__ import annotations

from tests.dmn.random_tables import random_table
from verifier.dmn import grid, read_dmn
from verifier.dmn.analysis import _rank, table_boxes
from verifier.dmn.synthetic import synthetic_dmn


def _grid(model):  # type: ignore[no-untyped-def]
    d = model.decisions[0]
    cols, boxes = table_boxes(model, d, {})
    ranked, _ = _rank(cols, boxes)
    full = tuple(frozenset(c.values) if c.kind == "finite" else ((None, False, None, False),) for c in cols)
    return grid.to_grid(ranked, full, [c for c, col in enumerate(cols) if col.kind == "number"]), ranked


def _models():  # type: ignore[no-untyped-def]
    for seed in range(40):  # unions of intervals and shared ends
        yield read_dmn(random_table(20_000 + seed, max_rows=60, max_cols=4), "r.dmn")
    for seed in range(8):  # past ``grid._SMALL`` rows: the first region gets events
        yield read_dmn(synthetic_dmn(100 + 40 * seed, 2 + seed % 4, perturb=0.1, seed=seed).encode(), "s.dmn")


def test_events_from_the_kept_order_equal_a_fresh_sort() -> None:
    checked = 0
    for model in _models():
        g, ranked = _grid(model)
        grid.overlapping_pairs(g, ranked)
        cols = g.by_column
        for c, (live, by_lo, by_hi) in cols.sorted_ends.items():
            fresh = grid._Events(cols.klo[c], cols.khi[c], live, cols.step)
            kept = grid._Events.from_sorted(cols.klo[c], cols.khi[c], by_lo, by_hi, cols.step)
            assert (kept.keys, kept.straddle) == (fresh.keys, fresh.straddle)
            checked += 1
    assert checked > 40


def test_same_regions_without_the_kept_order() -> None:
    used = 0
    for model in _models():
        g, ranked = _grid(model)
        pairs = grid.overlapping_pairs(g, ranked)
        rows = list(range(len(ranked)))
        with_order = grid.uncovered(g, rows, g.full(), pairs=pairs)
        used += len(rows) > grid._SMALL and bool(g.by_column.sorted_ends)
        g.by_column.sorted_ends.clear()
        assert grid.uncovered(g, rows, g.full(), pairs=pairs) == with_order
    assert used >= 8  # the shortcut was taken


def test_regions_a_row_covers_are_dropped_as_the_reference_drops_them() -> None:
    """Big regions ask whether a row covers them only when their best cut is straddled.

    A row over the whole space (a catch-all) leaves no cut unstraddled and no gap; a row over
    part of the space covers some big regions that other rows still cut, so the search must
    drop them there and nowhere else: the regions equal the reference search's.
    """
    from tests.dmn.reference_tables import uncovered as old_uncovered

    covered_asked = 0
    for seed in range(6):
        model = read_dmn(synthetic_dmn(120 + 40 * seed, 2 + seed % 3, perturb=0.1, seed=seed).encode(), "s.dmn")
        d = model.decisions[0]
        cols, boxes = table_boxes(model, d, {})
        ranked, _ = _rank(cols, boxes)
        full = tuple(frozenset(c.values) if c.kind == "finite" else ((None, False, None, False),) for c in cols)
        numeric = [c for c, col in enumerate(cols) if col.kind == "number"]
        # a catch-all row, and a row over the lower half of the first numeric column's ends
        c0 = numeric[0]
        ends = sorted({e for b in ranked for iv in b[c0] for e in (iv[0], iv[2]) if e is not None})  # type: ignore[union-attr]
        half = full[:c0] + (((None, False, ends[len(ends) // 2], True),),) + full[c0 + 1:]
        for extra in ([full], [half]):
            boxes_x = list(ranked) + extra
            g = grid.to_grid(boxes_x, full, numeric)
            rows = list(range(len(boxes_x)))
            old = old_uncovered(boxes_x, rows, full)
            for pairs in (None, grid.overlapping_pairs(g, boxes_x)):
                got = [g.box_back(tuple((x,) if g.numeric[c] else x for c, x in enumerate(reg)))
                       for reg in grid.uncovered(g, rows, g.full(), pairs=pairs)]
                assert got == old, (seed, extra == [half])
            if extra == [full]:
                assert old == []
            covered_asked += 1
    assert covered_asked == 12
