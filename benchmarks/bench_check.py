"""Benchmark: `ruleproof check rulesets/liposarcoma.rules`.

Measures the wall time of the whole command, process start included, over
several runs, and the time of each check (from the JSON report), summed by
kind. Target (issue #3): under 2 s wall.

    python benchmarks/bench_check.py [--runs N] [RULESET]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rulesets" / "liposarcoma.rules"
TARGET_S = 2.0


def command() -> list[str]:
    """`ruleproof check` if the installed command has it, else the same click command via Python."""
    exe = shutil.which("ruleproof") or str(Path(sys.executable).with_name("ruleproof"))
    if Path(exe).exists():
        probe = subprocess.run([exe, "check", "--help"], capture_output=True, cwd=REPO)
        if probe.returncode == 0:
            return [exe, "check"]
    return [sys.executable, "-c", "from verifier.cli.check_cmd import check_command; check_command()"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("ruleset", nargs="?", default=str(RULES))
    args = ap.parse_args()
    cmd = command()

    walls: list[float] = []
    report: dict = {}
    for _ in range(args.runs):
        start = time.perf_counter()
        proc = subprocess.run([*cmd, args.ruleset, "--format", "json"], capture_output=True, text=True, cwd=REPO)
        walls.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1, 3):
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        report = json.loads(proc.stdout)

    results = report["rulesets"][0]["results"]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for r in results:
        by_kind[r["kind"]].append(r["seconds"])

    print(f"ruleproof check {args.ruleset}  ({' '.join(cmd[:2])} ...)")
    print(f"  wall, process start included, {args.runs} runs: "
          f"median {statistics.median(walls):.2f}s  min {min(walls):.2f}s  max {max(walls):.2f}s  "
          f"(target < {TARGET_S:.1f}s: {'met' if statistics.median(walls) < TARGET_S else 'MISSED'})")
    print()
    print(f"  {'kind':<16} {'checks':>6} {'total s':>8} {'max s':>7}")
    for kind, secs in by_kind.items():
        print(f"  {kind:<16} {len(secs):>6} {sum(secs):>8.3f} {max(secs):>7.3f}")
    print(f"  {'all':<16} {len(results):>6} {sum(r['seconds'] for r in results):>8.3f}")
    print()
    print("  slowest checks:")
    for r in sorted(results, key=lambda r: -r["seconds"])[:5]:
        print(f"    {r['seconds']:7.3f}s  {r['kind']:<16} {r['property']}")
    statuses = defaultdict(int)
    for r in results:
        statuses[r["status"]] += 1
    print()
    print("  " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
