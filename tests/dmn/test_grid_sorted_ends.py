"""``uncovered``'s first region reuses the row order ``overlapping_pairs`` sorted: same events, same regions.

``test_gap_search`` compares the regions with the reference search; here the
shortcut itself: the events built from the kept order equal those sorted from
scratch, and the search gives the same regions, in order, with the kept order
dropped.
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
    for seed in range(4):
        yield read_dmn(synthetic_dmn(100 + 50 * seed, 2 + seed, perturb=0.1, seed=seed).encode(), "s.dmn")


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
    assert used > 10  # the shortcut was taken
