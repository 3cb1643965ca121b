"""Benchmark: pathway verification on the liposarcoma ruleset.

Prints, for each pathway property of the ruleset, its verdict, CPU and wall
time, and how it was decided (k of the induction, or the bound checked); then
how the cost grows with the depth:

* "leaves workup within N steps" and "eventually ... within N steps"
  (decision_reached with its bound replaced by N): one exhaustive check of
  all journeys of N steps;
* bounded model checking of no_repeat_rt with induction turned off (max_k=-1),
  to depth D;

each for growing N (or D) until a run takes more than LIMIT seconds of CPU
time (the measure that does not depend on what else the machine runs; wall
time is printed beside it), reporting the largest value under it. Then the seeded faults of
tests/pathway/test_seeded_faults.py, each with its verdict.

    python benchmarks/bench_pathway.py [--limit SECONDS]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import dsl  # noqa: E402
from verifier.pathway.prove import PathwayOptions, check_pathway  # noqa: E402
from verifier.check.session import Session  # noqa: E402

TEXT = (REPO / "rulesets" / "liposarcoma.rules").read_text(encoding="utf-8")


def timed(rs, pid: str, opts: PathwayOptions = PathwayOptions()):
    [p] = [x for x in rs.pathways if x.id == pid]
    s = Session(rs, 120)
    w, c = time.perf_counter(), time.process_time()
    r = check_pathway(s, p, opts)
    return r, time.perf_counter() - w, time.process_time() - c


def grow(label: str, make, values, limit: float) -> None:
    best = None
    for v in values:
        rs, pid, opts = make(v)
        r, wall, cpu = timed(rs, pid, opts)
        print(f"  {label}={v:<3} {r.status:<8} wall {wall:6.2f}s  cpu {cpu:6.2f}s")
        if cpu > limit:
            break
        best = v
    print(f"  largest {label} under {limit:g}s CPU: {best}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=10.0)
    args = ap.parse_args()
    rs = dsl.load_ruleset(REPO / "rulesets" / "liposarcoma.rules")
    print("pathway properties of liposarcoma (default options: depth 8, max k 4)")
    tw = tc = 0.0
    for p in rs.pathways:
        r, wall, cpu = timed(rs, p.id)
        tw, tc = tw + wall, tc + cpu
        print(f"  {p.id:<18} {r.status:<8} wall {wall:6.2f}s  cpu {cpu:6.2f}s  {r.message}")
    print(f"  total: wall {tw:.2f}s, cpu {tc:.2f}s")

    def leaves(n):
        text = TEXT.replace("leaves workup within 9 steps", f"leaves workup within {n} steps")
        return dsl.check_text(text, "bench.rules")[0], "workup_progress", PathwayOptions()

    def eventually(n):
        text = re.sub(r"rebiopsy_for_dedifferentiation\}\) within 9 steps",
                      f"rebiopsy_for_dedifferentiation}}) within {n} steps", TEXT)
        return dsl.check_text(text, "bench.rules")[0], "decision_reached", PathwayOptions()

    def bmc(d):
        return rs, "no_repeat_rt", PathwayOptions(depth=d, max_k=-1)

    print("leaves workup within N (exhaustive, all journeys of N steps)")
    grow("N", leaves, [9, 12, 16, 20, 25, 30, 40], args.limit)
    print("decision_reached within N (exhaustive)")
    grow("N", eventually, [9, 12, 16, 20, 25], args.limit)
    print("BMC of no_repeat_rt without induction, to depth D")
    grow("D", bmc, [8, 10, 12, 14, 16], args.limit)

    sys.path.insert(0, str(REPO / "tests" / "pathway"))
    from tests.pathway.test_seeded_faults import FAULTS, edited  # noqa: E402

    print("seeded pathway faults")
    refuted = 0
    for fid, what, edits, prop in FAULTS:
        frs = dsl.check_text(edited(edits), f"{fid}.rules")[0]
        r, wall, cpu = timed(frs, prop)
        ok = r.status == "refuted" and r.journey is not None and not r.internal_error
        refuted += ok
        print(f"  {fid:<28} {prop:<18} {r.status:<8} journey of {len(r.journey or []) - 1} step(s)  cpu {cpu:.2f}s")
    print(f"  {refuted} of {len(FAULTS)} refuted with a journey replayed through the engine")


if __name__ == "__main__":
    main()
