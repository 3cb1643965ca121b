"""Decision-table analysis on synthetic tables shaped like Calvanese et al.'s benchmark.

For each shape (rules x columns) a fresh process generates the table
(``verifier.dmn.synthetic``, 10% of rows widened or shrunk) and times:
reading the DMN XML; each phase of ``ruleproof tables``' analysis (building
the boxes, every overlap, every gap, subsumed rows, masked rows; the best of
``--repeat`` runs per phase, the machine being shared) and the whole analysis;
the process's peak memory after the analysis; then the translation to rules
plus parse and type-check. Shapes with a time published by Calvanese et al.
(JavaScript, 2016 laptop) get it and the speed-up beside ours; issue 14's
target is 100x. A shape over its time limit is reported as such. Usage:

    python benchmarks/bench_tables.py                      # the default shapes
    python benchmarks/bench_tables.py 1500x7 3000x7 --limit 300
    python benchmarks/bench_tables.py all --no-import      # every shape of issue 14, analysis only
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
DEFAULT = ["500x3", "1500x3", "500x7", "1500x7", "1500x13", "1500x15"]
ALL = [f"{n}x{k}" for n in (500, 1000, 1500, 3000, 10000) for k in (3, 5, 7, 13, 15)]
PHASES = ("build", "overlaps", "gaps", "subsumed", "masked")
# Calvanese et al., "Semantic DMN" (2016): seconds for all overlaps / all gaps, by shape.
CALVANESE = {"1500x3": (24.5, 1.7), "1500x7": (30.7, 18.3), "1500x13": (320.0, None), "1500x15": (None, 704.0)}


def one(rules: int, columns: int, repeat: int, do_import: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    import dsl
    from verifier.dmn import read_dmn, translate
    from verifier.dmn.analysis import analyse
    from verifier.dmn.synthetic import synthetic_dmn

    xml = synthetic_dmn(rules, columns).encode()
    t0 = time.perf_counter()
    model = read_dmn(xml, "synthetic.dmn")
    read_s = time.perf_counter() - t0
    best: dict[str, float] = {}
    total = float("inf")
    for _ in range(repeat):
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        (res,) = analyse(model, timings)
        total = min(total, time.perf_counter() - t0)
        for k, v in timings.items():
            best[k] = min(best.get(k, v), v)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"read_s": read_s, "analysis_s": total, **{f"{k}_s": best.get(k, 0.0) for k in PHASES},
           "overlaps": len(res.overlaps), "gaps": len(res.gaps), "masked": len(res.masked),
           "subsumed": len(res.subsumed), "peak_mb": round(peak)}
    if do_import:
        t0 = time.perf_counter()
        dsl.parse_ruleset(translate(model).text)
        out["import_check_s"] = time.perf_counter() - t0
    return out


def _secs(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v * 1000:.1f}ms" if v < 1 else f"{v:.2f}s"


def _vs(published: float | None, ours: float) -> str:
    if published is None:
        return f"{'-':>18}"
    return f"{published:>7.1f}s {published / max(ours, 1e-9):>8.0f}x"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shapes", nargs="*", help="RULESxCOLUMNS; 'all' for every shape of issue 14")
    ap.add_argument("--limit", type=float, default=120.0, help="seconds per shape")
    ap.add_argument("--repeat", type=int, default=3, help="analysis runs per shape; the best time of each phase counts")
    ap.add_argument("--no-import", action="store_true", help="skip the translation, parse and type-check")
    ap.add_argument("--json", action="store_true", help="one JSON object per shape instead of the table")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        n, k = map(int, args.child.split("x"))
        print(json.dumps(one(n, k, args.repeat, not args.no_import)))
        return
    shapes = ALL if args.shapes == ["all"] else (args.shapes or DEFAULT)
    if not args.json:
        print(f"{'shape':>8} {'read':>8} {'build':>8} {'overlaps':>9} {'gaps':>9} {'subsumed':>9} {'masked':>8} {'all':>8}"
              f" {'#ov':>5} {'#gaps':>6} {'peak MB':>8} {'import+check':>13}"
              f" | {'Calvanese ov':>12} {'speed-up':>5} | {'Calvanese gaps':>14} {'speed-up':>5}")
    for shape in shapes:
        cmd = [sys.executable, __file__, "--child", shape, "--repeat", str(args.repeat)] + (["--no-import"] if args.no_import else [])
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.limit, check=True)
        except subprocess.TimeoutExpired:
            print(f"{shape:>8}  over the {args.limit:.0f} s limit", flush=True)
            continue
        except subprocess.CalledProcessError as e:
            print(f"{shape:>8}  failed: {e.stderr.strip().splitlines()[-1] if e.stderr.strip() else e}", flush=True)
            continue
        r = json.loads(out.stdout)
        if args.json:
            print(json.dumps({"shape": shape, **r}), flush=True)
            continue
        ov_pub, gap_pub = CALVANESE.get(shape, (None, None))
        print(f"{shape:>8} {_secs(r['read_s']):>8} {_secs(r['build_s']):>8} {_secs(r['overlaps_s']):>9} {_secs(r['gaps_s']):>9}"
              f" {_secs(r['subsumed_s']):>9} {_secs(r['masked_s']):>8} {_secs(r['analysis_s']):>8}"
              f" {r['overlaps']:>5} {r['gaps']:>6} {r['peak_mb']:>8} {_secs(r.get('import_check_s')):>13}"
              f" | {_vs(ov_pub, r['overlaps_s'])} | {_vs(gap_pub, r['gaps_s'])}", flush=True)


if __name__ == "__main__":
    main()
