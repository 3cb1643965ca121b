"""Evaluating records against a large imported decision table (issue 14: one eval < 0.5 s at 1,500 rows).

For each shape (rules x columns) a synthetic table (``verifier.dmn.synthetic``,
10% of rows perturbed) is imported to a rules file (which fills the
checked-ruleset cache), then each command runs in a fresh process, five
times, and the median wall time is reported:

* ``eval``: one record (``ruleproof eval FILE RECORD``);
* ``--explain`` and ``--why-not ACTION`` on that record;
* ``batch N``: ``ruleproof eval FILE --batch RECORDS.jsonl`` with N random records inside the table's ranges
  (the engine walks the model for the first records and compiles for the rest).

Usage:

    python benchmarks/bench_eval_table.py                 # 1500x7 3000x7
    python benchmarks/bench_eval_table.py 1500x7 --batch 5000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench_table_load import RULEPROOF, imported_table  # the same table, imported the same way

DEFAULT = ["1500x7", "3000x7"]
RUNS = 5


def _median(cmd: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _record(k: int, rng: random.Random) -> dict[str, object]:
    """A record inside the synthetic table's ranges (reals in [0, 100), ints in [0, 1000), enums)."""
    out: dict[str, object] = {}
    for c in range(k):
        kind = c % 3
        if kind == 2:
            out[f"c{c}"] = rng.choice(["a", "b", "c", "d", "e", "f", "other"])
        elif kind == 1:
            out[f"c{c}"] = rng.randrange(1000)
        else:
            out[f"c{c}"] = rng.randrange(1000) / 10
    return out


def one(shape: str, work: Path, batch: int) -> dict[str, float | str]:
    rules, k, env, _ = imported_table(shape, work)
    record = work / "record.json"
    record.write_text(json.dumps({f"c{c}": ("a" if c % 3 == 2 else 1) for c in range(k)}), encoding="utf-8")
    rng = random.Random(2)
    records = work / f"batch{shape}.jsonl"
    records.write_text("".join(json.dumps(_record(k, rng)) + "\n" for _ in range(batch)), encoding="utf-8")
    base = [RULEPROOF, "eval", str(rules)]
    return {
        "shape": shape,
        "eval": _median(base + [str(record)], env),
        "explain": _median(base + [str(record), "--explain"], env),
        "why_not": _median(base + [str(record), "--why-not", "decision__low"], env),
        "batch": _median(base + ["--batch", str(records)], env),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shapes", nargs="*")
    ap.add_argument("--batch", type=int, default=1000, help="records in the batch run [default: 1000]")
    args = ap.parse_args()
    print(f"median of {RUNS} fresh processes each, checked ruleset cached  [target: eval < 0.5 s at 1500x7]")
    print(f"{'shape':>8} {'eval':>8} {'--explain':>10} {'--why-not':>10} {'batch ' + str(args.batch):>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shapes or DEFAULT:
            r = one(shape, Path(tmp), args.batch)
            print(f"{r['shape']:>8} {r['eval']:>7.2f}s {r['explain']:>9.2f}s {r['why_not']:>9.2f}s {r['batch']:>11.2f}s",
                  flush=True)


if __name__ == "__main__":
    main()
