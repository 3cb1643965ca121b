"""Benchmark: cases, diff, graph, report and mutate on synthetic decision tables (issue 14).

For each shape (rows x columns) the clean table (perturb=0) and the perturbed
one (perturb=0.1) are written by ``verifier.dmn.synthetic`` and imported with
``ruleproof import dmn``; then each command runs as its own process, and its
wall time and peak memory (the child's own maximum resident set, from
``os.wait4``) are printed:

- ``cases PERTURBED --out DIR``                 target < 60 s and < 2 GB at 1,500 x 7
- ``diff CLEAN PERTURBED``                      target < 10 s (also diff's own time, without parsing)
- ``graph PERTURBED -o g.svg``                  target < 30 s, or an early refusal (exit 2)
- ``report PERTURBED -o r.html``                target < 30 s, or an early refusal (exit 2)
- ``mutate PERTURBED --cases DIR``              an early refusal (exit 2), or done within the timeout

    python benchmarks/bench_table_commands.py [--shapes 300x7,1500x7] [--timeout 900]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TIME_TARGET = {"cases": 60.0, "diff": 10.0, "graph": 30.0, "report": 30.0, "mutate": None}
MEMORY_TARGET_MB = {"cases": 2048.0}
REFUSAL_OK = {"graph", "report", "mutate"}  # an early, explained refusal meets the target


def ruleproof() -> list[str]:
    exe = Path(sys.executable).with_name("ruleproof")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from verifier.entry import main; main()"]


def run(cmd: list[str], timeout: float) -> tuple[int | None, float, float, str, str]:
    """(exit code or None on timeout, wall seconds, peak MB of the process, stdout, stderr)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=REPO)
        deadline = start + timeout
        status = None
        rusage = None
        while status is None:
            pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status, rusage = st, ru
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, st, ru = os.wait4(proc.pid, 0)
                rusage = ru
                break
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status) if status is not None else None
        out.seek(0)
        err.seek(0)
        peak_mb = rusage.ru_maxrss / 1024 if rusage is not None else 0.0  # Linux: KB
        return proc.returncode, wall, peak_mb, out.read().decode(errors="replace"), err.read().decode(errors="replace")


def prepare(rows: int, columns: int, work: Path) -> tuple[Path, Path]:
    from verifier.dmn.synthetic import synthetic_dmn

    paths = []
    for name, perturb in (("clean", 0.0), ("perturbed", 0.1)):
        dmn = work / f"{name}_{rows}x{columns}.dmn"
        dmn.write_text(synthetic_dmn(rows, columns, perturb=perturb, seed=1), encoding="utf-8")
        rules = dmn.with_suffix(".rules")
        subprocess.run([*ruleproof(), "import", "dmn", str(dmn), "-o", str(rules)], check=True, cwd=REPO,
                       capture_output=True)
        paths.append(rules)
    return paths[0], paths[1]


def verdict(name: str, code: int | None, wall: float, peak: float) -> str:
    if code is None:
        return "MISSED (timed out)"
    if code == 2 and name in REFUSAL_OK:
        return "met (refused early, exit 2)"
    if code not in (0, 1, 3):
        return f"MISSED (exit {code})"
    target = TIME_TARGET[name]
    ok = target is None or wall < target
    mem = MEMORY_TARGET_MB.get(name)
    ok = ok and (mem is None or peak < mem)
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", default="300x7,1500x7", help="rows x columns, comma-separated")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a command is stopped")
    args = parser.parse_args()
    print("table commands (wall time, peak memory of the process):")
    for shape in args.shapes.split(","):
        rows, columns = (int(x) for x in shape.lower().split("x"))
        with tempfile.TemporaryDirectory(prefix="bench-tables-") as tmp:
            work = Path(tmp)
            clean, perturbed = prepare(rows, columns, work)
            cases_dir = work / "cases"
            commands = {
                "cases": [*ruleproof(), "cases", str(perturbed), "--out", str(cases_dir)],
                "diff": [*ruleproof(), "diff", str(clean), str(perturbed), "--format", "json"],
                "graph": [*ruleproof(), "graph", str(perturbed), "-o", str(work / "g.svg")],
                "report": [*ruleproof(), "report", str(perturbed), "-o", str(work / "r.html")],
                "mutate": [*ruleproof(), "mutate", str(perturbed), "--cases", str(cases_dir)],
            }
            for name, cmd in commands.items():
                code, wall, peak, out, err = run(cmd, args.timeout)
                extra = ""
                if name == "diff" and code in (0, 1, 3):
                    try:
                        extra = f"; diff's own time {json.loads(out)['seconds']:.1f} s"
                    except (ValueError, KeyError, TypeError):
                        pass
                if name == "cases" and code in (0, 3):
                    extra = "; " + " ".join(out.strip().splitlines()[0].split()[1:])
                target = TIME_TARGET[name]
                print(f"  {rows:>5} x {columns:<3} {name:<7} {wall:8.1f} s {peak:8.0f} MB  exit {code}  "
                      f"(target {'< %.0f s' % target if target else 'refusal or done'}: "
                      f"{verdict(name, code, wall, peak)}){extra}", flush=True)
                if code == 2:
                    first = (err.strip().splitlines() or [""])[0]
                    print(f"      {first[:300]}", flush=True)


if __name__ == "__main__":
    main()
