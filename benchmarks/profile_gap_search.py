"""The gap search alone (``grid.uncovered``, as ``ruleproof tables`` calls it), timed or profiled.

``bench_tables.py`` times whole phases in a fresh process; this script isolates the search
so a change to ``verifier/dmn/grid.py`` can be weighed: it builds the grid and the overlapping
pairs of a synthetic table once (as ``analysis.analyse_table`` does), then

* times ``uncovered`` (best and median of ``--repeat`` calls);
* with ``--against REV``, alternates with ``grid.py`` as of git revision REV, in several rounds
  (the machine is shared: only a difference that holds in every round means anything), after
  checking that both return the same regions in the same order;
* with ``--profile``, prints cProfile's top functions over 20 calls.

Usage:

    python benchmarks/profile_gap_search.py 1500x3 1500x7
    python benchmarks/profile_gap_search.py 1500x3 --against main
    python benchmarks/profile_gap_search.py 1500x3 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]


def _search(shape: str, module) -> Callable[[], list]:  # type: ignore[no-untyped-def]
    """A call of ``module.uncovered`` with the arguments ``analyse_table`` passes, for a synthetic table."""
    from verifier.dmn import grid, read_dmn
    from verifier.dmn.analysis import _rank, table_boxes
    from verifier.dmn.synthetic import synthetic_dmn

    n, k = map(int, shape.split("x"))
    model = read_dmn(synthetic_dmn(n, k).encode(), "synthetic.dmn")
    d = model.decisions[0]
    cols, boxes = table_boxes(model, d, {})
    ranked, _ = _rank(cols, boxes)
    full = tuple(frozenset(c.values) if c.kind == "finite" else ((None, False, None, False),) for c in cols)
    g = grid.to_grid(ranked, full, [c for c, col in enumerate(cols) if col.kind == "number"])
    pairs = grid.overlapping_pairs(g, ranked)
    return lambda: module.uncovered(g, list(range(len(ranked))), g.full(), pairs=pairs)


def _times(f: Callable[[], object], repeat: int) -> tuple[float, float]:
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[0] * 1e3, ts[len(ts) // 2] * 1e3


def _grid_at(rev: str):  # type: ignore[no-untyped-def]
    """``verifier/dmn/grid.py`` as of git revision ``rev``, loaded as a module of its own."""
    src = subprocess.run(["git", "show", f"{rev}:verifier/dmn/grid.py"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "grid_at_rev.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("grid_at_rev", path)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["grid_at_rev"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shapes", nargs="*", help="RULESxCOLUMNS (default: 1500x3)")
    ap.add_argument("--repeat", type=int, default=30, help="calls per measurement (default 30)")
    ap.add_argument("--against", metavar="REV", help="alternate with grid.py at this git revision")
    ap.add_argument("--rounds", type=int, default=4, help="rounds of --against (default 4)")
    ap.add_argument("--profile", action="store_true", help="cProfile over 20 calls")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from verifier.dmn import grid

    for shape in args.shapes or ["1500x3"]:
        f = _search(shape, grid)
        if args.profile:
            prof = cProfile.Profile()
            prof.runcall(lambda: [f() for _ in range(20)])
            print(f"{shape}: cProfile over 20 calls")
            pstats.Stats(prof).sort_stats("tottime").print_stats(15)
        elif args.against:
            g_old = _search(shape, _grid_at(args.against))
            if g_old() != f():
                print(f"{shape}: the regions differ from {args.against}'s")
                sys.exit(1)
            best: dict[str, list[float]] = {args.against: [], "worktree": []}
            for rnd in range(args.rounds):
                order = [(args.against, g_old), ("worktree", f)]
                for name, fn in order if rnd % 2 == 0 else order[::-1]:
                    best[name].append(_times(fn, args.repeat)[0])
            print(f"{shape:>8}  best per round (ms): " + "; ".join(
                f"{name} " + " ".join(f"{v:.2f}" for v in vs) for name, vs in best.items()))
        else:
            lo, med = _times(f, args.repeat)
            print(f"{shape:>8}  uncovered: best {lo:.2f} ms, median {med:.2f} ms, {len(f())} regions")


if __name__ == "__main__":
    main()
