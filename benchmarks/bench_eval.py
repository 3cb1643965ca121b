"""Benchmark: batch evaluation of 100,000 valid liposarcoma records.

Measures the whole path a hospital batch takes: `ruleproof eval --batch`
(process start, JSON parsing, record validation, evaluation, JSON output),
plus single-record `ruleproof eval` wall time. Targets (issue #2): at least
20,000 records/s, and a single eval under 0.5 s.

    python benchmarks/bench_eval.py [--records N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import dsl  # noqa: E402
from engine import RecordError, compile_ruleset, load_record_json  # noqa: E402

RULES = REPO / "rulesets" / "liposarcoma.rules"
EXAMPLES = REPO.parent / "shared" / "spec" / "liposarcoma" / "examples"

# Fields whose values are varied around the worked examples; invalid
# combinations are thrown away (fine for benchmark data, not for tests).
VARY = {
    "site": ["extremity", "trunk_wall", "retroperitoneum", "other"],
    "size_cm": [0.5, 3, 5, 5.5, 8, 12.25, 30],
    "depth": ["superficial", "deep"],
    "ecog": [0, 1, 2, 3, 4],
    "jurisdiction": ["us", "eu"],
    "prior_anthracycline": [True, False],
    "prior_ifosfamide": [True, False],
    "anthracycline_unsuitable": [True, False],
    "referred": [True, False],
    "mdtb_reviewed": [True, False],
    "fascia_intact": [True, False],
    "reexcision_feasible": [True, False],
    "resectability": ["resectable", "resectable_adverse_function", "unresectable"],
}


def make_records(n: int, seed: int = 7) -> list[str]:
    ev = compile_ruleset(dsl.load_ruleset(RULES))
    bases = [json.loads(p.read_text())["patient"] for p in sorted(EXAMPLES.glob("*.json"))]
    rng = random.Random(seed)
    lines: list[str] = []
    while len(lines) < n:
        rec = dict(rng.choice(bases))
        for field in rng.sample(sorted(VARY), 4):
            rec[field] = rng.choice(VARY[field])
        text = json.dumps(rec)
        try:
            ev.validate(load_record_json(text))
        except RecordError:
            continue
        lines.append(text)
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("ruleproof"))
    lines = make_records(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "records.jsonl"
        batch.write_text("\n".join(lines) + "\n")
        t0 = time.perf_counter()
        proc = subprocess.run([exe, "eval", str(RULES), "--batch", str(batch)], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"batch failed ({proc.returncode}): {proc.stderr[:500]}")
        out = proc.stdout.count("\n")
        assert out == len(lines), (out, len(lines))
        single = Path(tmp) / "one.json"
        single.write_text(lines[0])
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([exe, "eval", str(RULES), str(single)], capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
    print(f"batch: {len(lines)} records in {wall:.2f} s wall (process start included)"
          f" = {len(lines) / wall:,.0f} records/s  [target >= 20,000]")
    print(f"single eval: median {statistics.median(times):.3f} s, max {max(times):.3f} s over 5 runs  [target < 0.5 s]")


if __name__ == "__main__":
    main()
