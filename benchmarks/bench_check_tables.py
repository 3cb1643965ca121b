"""`ruleproof check` on synthetic decision tables (issue 14: near-linear on tables).

For each shape (rules x columns) a fresh process generates the UNIQUE table
(``verifier.dmn.synthetic``, 10% of rows widened or shrunk), imports it to
rules text, parses and type-checks it, and runs ``check_ruleset`` (the whole
of ``ruleproof check`` but the output), reporting its time, the time of each
phase (coverage, dead rules; "warnings+rest" is the remainder: redundant
rules, constraints, building the box reading and any encoding), the number
of results per status and the process's peak memory. ``--command`` also runs
the whole command (`ruleproof check FILE`, text output, in a fresh process)
and reports its wall time and peak memory. Targets (issue 14): 10,000 x 7
check < 60 s and < 2 GB; 1,500 x 7 a few seconds. Usage:

    python benchmarks/bench_check_tables.py                    # 500x7 1500x7 3000x7 10000x7
    python benchmarks/bench_check_tables.py 1500x7 --command
    python benchmarks/bench_check_tables.py --clean            # exact partitions: coverage proved
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["500x7", "1500x7", "3000x7", "10000x7"]


def _rules_file(rules: int, columns: int, folder: Path, clean: bool = False) -> Path:
    """The imported table; ``clean``: the exact partition, with constraints keeping records in its ranges
    (then every check holds, and coverage needs a proof rather than a counterexample)."""
    from verifier.dmn import read_dmn, translate
    from verifier.dmn.synthetic import synthetic_dmn

    path = folder / f"t{rules}x{columns}.rules"
    text = translate(read_dmn(synthetic_dmn(rules, columns, perturb=0 if clean else 0.1).encode(), "synthetic.dmn")).text
    if clean:  # the generator's ranges: reals [0, 100), ints [0, 1000), enums without "other"
        cons = [f'constraint K{c} "in range": c{c} != other' if c % 3 == 2 else
                f'constraint K{c} "in range": c{c} >= 0 and c{c} < {1000 if c % 3 == 1 else 100}' for c in range(columns)]
        text = text.replace("\naction ", "\n" + "\n".join(cons) + "\naction ", 1)
    path.write_text(text)
    return path


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def one(rules: int, columns: int, clean: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    import dsl
    from verifier.check.run import check_ruleset

    with tempfile.TemporaryDirectory() as tmp:
        path = _rules_file(rules, columns, Path(tmp), clean)
        t0 = time.perf_counter()
        rs, warnings = dsl.load_ruleset_with_warnings(path)
        t1 = time.perf_counter()
        load_mb = _peak_mb()
        report = check_ruleset(rs, dsl_warnings=warnings)
        t2 = time.perf_counter()
    phases: dict[str, float] = defaultdict(float)
    for r in report.results:
        phases[r.kind] += r.seconds
    phases["warnings+rest"] = (t2 - t1) - sum(phases.values())
    return {"load_s": round(t1 - t0, 2), "check_s": round(t2 - t1, 2),
            "phases": {k: round(v, 2) for k, v in phases.items()},
            "proved": report.count("proved"), "refuted": report.count("refuted"), "unknown": report.count("unknown"),
            "warnings": len(report.warnings), "load_peak_mb": load_mb, "peak_mb": _peak_mb()}


def command(rules: int, columns: int, clean: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        path = _rules_file(rules, columns, Path(tmp), clean)
        start = time.perf_counter()
        exe = Path(sys.executable).with_name("ruleproof")
        argv = [str(exe)] if exe.exists() else [sys.executable, "-c", "from verifier.entry import main; main()"]
        proc = subprocess.run([*argv, "check", str(path)],
                              capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - start
    return {"command_s": round(wall, 2), "exit": proc.returncode,
            "command_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shapes", nargs="*", help="RULESxCOLUMNS (default: 500x7 1500x7 3000x7 10000x7)")
    ap.add_argument("--command", action="store_true", help="also time the whole `ruleproof check` command")
    ap.add_argument("--clean", action="store_true",
                    help="exact partitions kept in their ranges by constraints (coverage is proved)")
    ap.add_argument("--limit", type=float, default=600.0, help="seconds per shape")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--child-command", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        n, k = map(int, args.child.split("x"))
        print(json.dumps(one(n, k, args.clean)))
        return
    if args.child_command:
        n, k = map(int, args.child_command.split("x"))
        print(json.dumps(command(n, k, args.clean)))
        return
    print(f"{'shape':>8} {'load':>7} {'check':>7} {'peak MB':>8}  phases (s)  [results]")
    for shape in args.shapes or DEFAULT:
        extra = ["--clean"] if args.clean else []
        row = _run(["--child", shape, *extra], args.limit)
        if "error" in row:
            print(f"{shape:>8} {row['error']}")
            continue
        phases = " ".join(f"{k}={v}" for k, v in row["phases"].items())
        print(f"{shape:>8} {row['load_s']:>6}s {row['check_s']:>6}s {row['peak_mb']:>8}  {phases}  "
              f"[{row['proved']} proved, {row['refuted']} refuted, {row['unknown']} unknown, "
              f"{row['warnings']} warnings; {row['load_peak_mb']} MB after load]")
        if args.command:
            c = _run(["--child-command", shape, *extra], args.limit)
            print(f"{'':>8} whole command: " + (c["error"] if "error" in c else
                  f"{c['command_s']}s, peak {c['command_peak_mb']} MB, exit {c['exit']}"))
    sys.stdout.flush()


def _run(argv: list[str], limit: float) -> dict:
    try:
        proc = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True, timeout=limit, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"over the limit of {limit:g}s"}
    if proc.returncode != 0:
        return {"error": f"failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}"}
    return json.loads(proc.stdout)


if __name__ == "__main__":
    main()
