"""Coverage gap regions (``ruleproof check``'s "records that get nothing, by region") on synthetic
decision tables: the box-algebra path (issue 14e), and optionally the Z3 region finder.

For each shape (rules x columns) the perturbed UNIQUE table (``verifier.dmn.synthetic``,
10% of rows widened or shrunk) is imported and parsed, then ``gap_regions`` is timed
(building the box reading included), with the number of gap boxes found before
merging to the listed regions. ``--z3`` also times the Z3 path (``boxes=False``,
with the rule limit lifted); expect minutes past 1,500 rules. Usage:

    python benchmarks/bench_gap_regions.py                 # 1500x7 10000x7
    python benchmarks/bench_gap_regions.py 1500x7 --z3
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shapes", nargs="*", help="RULESxCOLUMNS (default: 1500x7 10000x7)")
    ap.add_argument("--z3", action="store_true", help="also time the Z3 region finder")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import dsl
    from verifier.counterexamples import gaps
    from verifier.counterexamples.boxgaps import serving_rules
    from verifier.dmn import read_dmn, translate
    from verifier.dmn.synthetic import synthetic_dmn
    from verifier.facts.boxgaps import gap_boxes
    from verifier.facts.boxrules import BoxModel

    for shape in args.shapes or ["1500x7", "10000x7"]:
        n, k = map(int, shape.split("x"))
        text = translate(read_dmn(synthetic_dmn(n, k, perturb=0.1).encode(), "synthetic.dmn")).text
        rs = dsl.parse_ruleset(text)
        t0 = time.perf_counter()
        found = gaps.gap_regions(rs)
        t1 = time.perf_counter()
        bm = BoxModel.of(rs)
        boxes = gap_boxes(bm, serving_rules(rs)) if bm is not None else None
        print(f"{shape:>8} boxes: {t1 - t0:6.2f}s  {len(found.regions)} regions listed"
              f"{' (more)' if found.more else ''}, {'-' if boxes is None else len(boxes)} merged gap boxes"
              f"{'; skipped: ' + found.skipped if found.skipped else ''}")
        if args.z3:
            gaps.MAX_RULES = 10 ** 9
            t0 = time.perf_counter()
            z = gaps.gap_regions(rs, boxes=False)
            print(f"{'':>8} z3:    {time.perf_counter() - t0:6.2f}s  {len(z.regions)} regions listed"
                  f"{' (more)' if z.more else ''}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
