"""Benchmark: generating a ruleset's test cases, and the mutation analysis over them.

Wall time of each command, process start included:

- ``ruleproof cases RULESET --out TMP`` (target: under 30 s);
- ``ruleproof mutate RULESET --cases TMP`` (target: under 5 min), and the
  same with ``--baselines`` (random and pairwise suites scored too).

    python benchmarks/bench_cases.py [--runs N] [--no-baselines] [RULESET]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rulesets" / "liposarcoma.rules"
TARGETS = {"cases": 30.0, "mutate": 300.0, "mutate --baselines": 300.0}


def command(name: str) -> list[str]:
    """`ruleproof NAME` if the installed command has it, else the same click command via Python."""
    exe = shutil.which("ruleproof") or str(Path(sys.executable).with_name("ruleproof"))
    if Path(exe).exists():
        probe = subprocess.run([exe, name, "--help"], capture_output=True, cwd=REPO)
        if probe.returncode == 0:
            return [exe, name]
    module = {"cases": "cases_cmd", "mutate": "mutate_cmd"}[name]
    return [sys.executable, "-c", f"from verifier.cli.{module} import {name}_command; {name}_command()"]


def timed(cmd: list[str], runs: int) -> tuple[list[float], subprocess.CompletedProcess[str]]:
    walls = []
    proc: subprocess.CompletedProcess[str] | None = None
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        walls.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1, 3):
            print(proc.stderr, file=sys.stderr)
            raise SystemExit(proc.returncode)
    assert proc is not None
    return walls, proc


def line(label: str, walls: list[float]) -> str:
    med = statistics.median(walls)
    target = TARGETS[label]
    verdict = "met" if med < target else "MISSED"
    return (f"  {label:<20} median {med:7.2f}s  min {min(walls):7.2f}s  max {max(walls):7.2f}s  "
            f"(target < {target:.0f}s: {verdict})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-baselines", action="store_true", help="Skip the run with --baselines.")
    ap.add_argument("ruleset", nargs="?", default=str(RULES))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cases"
        print(f"ruleset {args.ruleset}, {args.runs} run(s) each, wall time with process start")
        walls, _ = timed([*command("cases"), args.ruleset, "--out", str(out), "--format", "json"], 1)
        if args.runs > 1:  # later runs regenerate into the same directory (same work, files unchanged)
            more, _ = timed([*command("cases"), args.ruleset, "--out", str(out), "--format", "json"], args.runs - 1)
            walls += more
        summary = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["summary"]
        print(line("cases", walls))
        print(f"    {summary['cases']} cases; purposes {summary['purposes']}; not coverable {summary['not_covered']}")

        walls, proc = timed([*command("mutate"), args.ruleset, "--cases", str(out), "--format", "json"], args.runs)
        report = json.loads(proc.stdout)
        print(line("mutate", walls))
        score = report["scores"][0]
        print(f"    {report['mutants']} mutants, {report['equivalent']} equivalent, "
              f"{score['killed']}/{score['non_equivalent']} killed ({100 * score['kill_rate']:.1f}%)")

        if not args.no_baselines:
            walls, proc = timed([*command("mutate"), args.ruleset, "--cases", str(out), "--baselines",
                                 "--format", "json"], args.runs)
            report = json.loads(proc.stdout)
            print(line("mutate --baselines", walls))
            for s in report["scores"]:
                print(f"    {s['suite']:<10} {s['cases']:>4} cases  {s['killed']:>5}/{s['non_equivalent']} killed  "
                      f"({100 * s['kill_rate']:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
