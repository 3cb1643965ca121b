"""Decision-table analysis on synthetic tables shaped like Calvanese et al.'s benchmark.

For each shape (rules x columns) a fresh process generates the table
(``verifier.dmn.synthetic``, 10% of rows widened or shrunk), then times:
reading the DMN XML, the translation to rules plus parse and type-check,
and ``ruleproof tables``' analysis (every overlap and every gap), and
reports the process's peak memory. A shape over its time limit is reported
as such. Usage:

    python benchmarks/bench_tables.py                      # the default shapes
    python benchmarks/bench_tables.py 1500x7 3000x7 --limit 300
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["500x3", "1500x3", "500x7", "1500x7"]
ALL = [f"{n}x{k}" for n in (500, 1000, 1500, 3000, 10000) for k in (3, 5, 7, 13, 15)]


def one(rules: int, columns: int) -> dict:
    sys.path.insert(0, str(ROOT))
    import dsl
    from verifier.dmn import read_dmn, translate
    from verifier.dmn.analysis import analyse
    from verifier.dmn.synthetic import synthetic_dmn

    xml = synthetic_dmn(rules, columns).encode()
    t0 = time.perf_counter()
    model = read_dmn(xml, "synthetic.dmn")
    t1 = time.perf_counter()
    dsl.parse_ruleset(translate(model).text)
    t2 = time.perf_counter()
    (res,) = analyse(model)
    t3 = time.perf_counter()
    return {"read_s": round(t1 - t0, 3), "import_check_s": round(t2 - t1, 3), "analysis_s": round(t3 - t2, 3),
            "overlaps": len(res.overlaps), "gaps": len(res.gaps), "masked": len(res.masked), "subsumed": len(res.subsumed),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shapes", nargs="*", help="RULESxCOLUMNS; 'all' for every shape of issue 14")
    ap.add_argument("--limit", type=float, default=120.0, help="seconds per shape")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        n, k = map(int, args.child.split("x"))
        print(json.dumps(one(n, k)))
        return
    shapes = ALL if args.shapes == ["all"] else (args.shapes or DEFAULT)
    print(f"{'shape':>9} {'read':>7} {'import+check':>13} {'analysis':>9} {'overlaps':>9} {'gaps':>6} {'peak MB':>8}")
    for shape in shapes:
        try:
            out = subprocess.run([sys.executable, __file__, "--child", shape], capture_output=True, text=True,
                                 timeout=args.limit, check=True)
        except subprocess.TimeoutExpired:
            print(f"{shape:>9}  over the {args.limit:.0f} s limit")
            continue
        r = json.loads(out.stdout)
        print(f"{shape:>9} {r['read_s']:>6.2f}s {r['import_check_s']:>12.2f}s {r['analysis_s']:>8.2f}s "
              f"{r['overlaps']:>9} {r['gaps']:>6} {r['peak_mb']:>8}", flush=True)


if __name__ == "__main__":
    main()
