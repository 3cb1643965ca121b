"""The gap search of ``verifier.dmn.grid`` against the box-by-box search it replaced, region for region.

``test_table_grid`` compares the merged gaps of small tables; here the raw
regions, in order, are compared on tables big enough for every path of the
search: regions of more rows than the plain loop takes (sorted ends kept for
the parts cut along a column), volume pruning with and without overlapping
rows, one-row regions, rows that are unions of intervals, tied cuts, finite
columns with many parts; and the search for one uncovered point (masked rows).
"""

from __future__ import annotations

import random

import pytest

from tests.dmn.random_tables import random_table
from tests.dmn.reference_tables import merge_gaps as old_merge
from tests.dmn.reference_tables import uncovered as old_uncovered
from verifier.dmn import grid, read_dmn
from verifier.dmn.analysis import _rank, table_boxes
from verifier.dmn.synthetic import synthetic_dmn


def _models():  # type: ignore[no-untyped-def]
    for seed in range(240):  # up to 60 rows of small integers: shared ends, ties, unions of intervals
        yield f"random {seed}", read_dmn(random_table(10_000 + seed, max_rows=60, max_cols=4), "r.dmn")
    for seed in range(8):  # decision-tree tables with widened and shrunk rows, past the plain loop's size
        yield f"synthetic {seed}", read_dmn(synthetic_dmn(60 + 20 * seed, 2 + seed % 4, perturb=0.05 + 0.05 * (seed % 3),
                                                          seed=seed).encode(), "s.dmn")


def _setup(model):  # type: ignore[no-untyped-def]
    d = model.decisions[0]
    cols, boxes = table_boxes(model, d, {})
    ranked, _ = _rank(cols, boxes)
    full = tuple(frozenset(c.values) if c.kind == "finite" else ((None, False, None, False),) for c in cols)
    g = grid.to_grid(ranked, full, [c for c, col in enumerate(cols) if col.kind == "number"])
    return g, ranked, full


def _back(g: grid.Grid, regions: list[tuple]) -> list[tuple]:
    return [g.box_back(tuple((x,) if g.numeric[c] else x for c, x in enumerate(reg))) for reg in regions]


@pytest.mark.parametrize("chunk", range(4))
def test_same_regions_in_the_same_order(chunk: int) -> None:
    pruned = 0
    for k, (name, model) in enumerate(_models()):
        if k % 4 != chunk:
            continue
        g, ranked, full = _setup(model)
        rows = list(range(len(ranked)))
        old = old_uncovered(ranked, rows, full)
        assert _back(g, grid.uncovered(g, rows, g.full())) == old, name
        pairs = grid.overlapping_pairs(g, ranked)
        assert _back(g, grid.uncovered(g, rows, g.full(), pairs=pairs)) == old, name
        pruned += bool(pairs)
    assert pruned > 10  # the volume test met overlapping rows


def test_first_uncovered_point_of_a_row_among_others() -> None:
    """``first_only`` (masked rows): a row's box searched with a random subset of the other rows."""
    rng = random.Random(7)
    checked = 0
    for seed in range(150):
        g, ranked, full = _setup(read_dmn(random_table(20_000 + seed, max_rows=30, max_cols=3), "r.dmn"))
        for a in rng.sample(range(len(ranked)), min(3, len(ranked))):
            if not all(g.rows[a]) or any(len(cell) > 1 for c, cell in enumerate(g.rows[a]) if g.numeric[c]):  # type: ignore[arg-type]
                continue
            others = sorted(rng.sample([b for b in range(len(ranked)) if b != a], min(12, len(ranked) - 1)))
            region = tuple(cell[0] if g.numeric[c] else cell for c, cell in enumerate(g.rows[a]))  # type: ignore[index]
            old = old_uncovered(ranked, others, g.box_back(tuple((x,) if g.numeric[c] else x for c, x in enumerate(region))),
                                first_only=True)
            assert _back(g, grid.uncovered(g, others, region, first_only=True)) == old, seed
            checked += 1
    assert checked > 100


def test_many_parts_of_a_finite_column() -> None:
    """A finite column of 8 values with rows holding many different subsets: parts weighed by subset sums."""
    rng = random.Random(3)
    full = (frozenset(range(8)), ((None, False, None, False),))
    for _ in range(30):
        ranked = []
        for _ in range(rng.randrange(60, 90)):
            vals = frozenset(rng.sample(range(8), rng.randrange(1, 8)))
            lo = rng.randrange(0, 6)
            ranked.append((vals, ((lo, True, lo + rng.randrange(1, 4), rng.random() < 0.5),)))
        g = grid.to_grid(ranked, full, [1])  # type: ignore[arg-type]
        rows = list(range(len(ranked)))
        assert _back(g, grid.uncovered(g, rows, g.full())) == old_uncovered(ranked, rows, full)  # type: ignore[arg-type]


class _NoWords:
    """A stand-in for ``random.Random`` whose words are all 0: every hash collides."""

    def __init__(self, seed: int) -> None:
        pass

    def getrandbits(self, k: int) -> int:
        return 0


@pytest.mark.parametrize("collide", [False, True])
def test_merge_by_hashes_is_the_merge_by_cells(monkeypatch: pytest.MonkeyPatch, collide: bool) -> None:
    """``merge_gaps`` grouping by hashes (forced on every input) gives the box-by-box merge, also when hashes collide."""
    monkeypatch.setattr(grid, "_HASHED_MERGE", 0)
    if collide:
        monkeypatch.setattr(grid, "_Words", _NoWords)
    models = [(f"random {seed}", read_dmn(random_table(30_000 + seed, max_rows=40, max_cols=4), "r.dmn")) for seed in range(60)]
    models += [(f"synthetic {k}", read_dmn(synthetic_dmn(150, k, perturb=0.25, seed=k).encode(), "s.dmn")) for k in (4, 7, 9)]
    for name, model in models:
        d = model.decisions[0]
        cols, _ = table_boxes(model, d, {})
        g, ranked, full = _setup(model)
        raw = grid.uncovered(g, list(range(len(ranked))), g.full())
        assert [g.box_back(b) for b in grid.merge_gaps(g, raw)] == old_merge(cols, _back(g, raw)), name
