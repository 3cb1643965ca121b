"""Reading a large imported decision table: parse + type-check, the checked-ruleset cache, and eval.

For each shape (rules x columns) a synthetic table (``verifier.dmn.synthetic``,
10% of rows perturbed) is imported to a rules file, then, each in a fresh
process with its own empty cache folder:

* ``parse+check``: ``dsl.check_text`` on the file's text (no cache);
* ``eval cold``: ``ruleproof eval FILE RECORD`` with an empty cache (it checks and keeps the ruleset);
* ``eval cached``: the same command with the cache ``import dmn -o`` filled (the checked ruleset
  comes from the cache);

and the peak memory of the cold eval. The import writes the table syntax (one line
a row); ``--longhand`` imports every row as a rule with its definitions instead,
the form rulesets had before the language had tables. Usage:

    python benchmarks/bench_table_load.py                 # 1500x7 3000x7 10000x7
    python benchmarks/bench_table_load.py 500x7 1500x15
    python benchmarks/bench_table_load.py --longhand 1500x7
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["1500x7", "3000x7", "10000x7"]
RULEPROOF = str(Path(sys.executable).with_name("ruleproof"))


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak KB of one command (its own process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    return seconds, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def _parse_child(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    import dsl

    text = Path(path).read_text(encoding="utf-8")
    t0 = time.perf_counter()
    ruleset, _ = dsl.check_text(text, path)
    print(json.dumps({"seconds": time.perf_counter() - t0, "rules": len(ruleset.rules)}))


def imported_table(shape: str, work: Path, longhand: bool = False) -> tuple[Path, int, dict[str, str], float]:
    """A synthetic table of ``shape`` imported into ``work``: the rules file, its column count, the
    environment whose cache folder ``import dmn -o`` filled, and the import's wall seconds."""
    sys.path.insert(0, str(ROOT))
    from verifier.dmn.synthetic import synthetic_dmn

    n, k = map(int, shape.split("x"))
    dmn = work / f"t{shape}.dmn"
    rules = work / f"t{shape}.rules"
    dmn.write_text(synthetic_dmn(n, k), encoding="utf-8")
    env = dict(os.environ, XDG_CACHE_HOME=str(work / f"cache-{shape}"))
    t0 = time.perf_counter()
    subprocess.run([RULEPROOF, "import", "dmn", str(dmn), "-o", str(rules)] + (["--longhand"] if longhand else []),
                   env=env, check=True)
    return rules, k, env, time.perf_counter() - t0


def one(shape: str, work: Path, longhand: bool = False) -> dict:
    rules, k, env, imported = imported_table(shape, work, longhand)
    parsed = json.loads(subprocess.run([sys.executable, __file__, "--parse", str(rules)], env=env, check=True,
                                       capture_output=True, text=True).stdout)
    record = work / "record.json"
    record.write_text(json.dumps({f"c{c}": ("a" if c % 3 == 2 else 1) for c in range(k)}), encoding="utf-8")
    # `import dmn -o` leaves the checked ruleset in its cache folder: the cold run gets an empty one.
    cold_env = dict(os.environ, XDG_CACHE_HOME=str(work / f"cold-{shape}"))
    cold, peak = _timed([RULEPROOF, "eval", str(rules), str(record)], cold_env)
    cached, _ = _timed([RULEPROOF, "eval", str(rules), str(record)], env)
    return {"shape": shape, "size_mb": rules.stat().st_size / 1e6, "import_s": imported,
            "parse_check_s": parsed["seconds"], "eval_cold_s": cold, "eval_cached_s": cached, "peak_mb": peak / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shapes", nargs="*")
    ap.add_argument("--parse", help=argparse.SUPPRESS)
    ap.add_argument("--longhand", action="store_true", help="import every row as a rule (no table syntax)")
    args = ap.parse_args()
    if args.parse:
        _parse_child(args.parse)
        return
    print(f"{'shape':>8} {'file MB':>8} {'import':>8} {'parse+check':>12} {'eval cold':>10} {'eval cached':>12} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shapes or DEFAULT:
            r = one(shape, Path(tmp), args.longhand)
            print(f"{r['shape']:>8} {r['size_mb']:>8.1f} {r['import_s']:>7.2f}s {r['parse_check_s']:>11.2f}s "
                  f"{r['eval_cold_s']:>9.2f}s {r['eval_cached_s']:>11.2f}s {r['peak_mb']:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
