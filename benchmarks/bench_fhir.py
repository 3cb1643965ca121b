"""Benchmark: the FHIR export, and its agreement with cql-execution on many records.

For every ruleset in rulesets/ (or the ones named):

- export time (in process, median of --runs) and wall time of
  ``ruleproof export fhir RULESET -o TMP/bundle.json`` (process start included);
- the Bundle's size in bytes;
- agreement: every committed generated case (generated_cases/NAME) plus
  --records Hypothesis records (default 10,000), all run through the exported
  ELM by cql-execution in one Node process and compared rule by rule with
  ruleproof's engine. Prints records compared and disagreements (target 0);
- the exported CQL text compiled by the reference translator
  (@cqframework/cql), and its ELM compared define by define with ours on the
  same records. Exits 1 on any disagreement or translator error.

    python benchmarks/bench_fhir.py [--records N] [--runs N] [RULESET ...]
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
from typing import Any

from hypothesis import HealthCheck, given, settings

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import dsl  # noqa: E402
from engine import compile_ruleset, load_record_json  # noqa: E402
from verifier.cases.strategies import valid_records  # noqa: E402
from verifier.fhir.cql_engine import compare, run_elm, translate_cql  # noqa: E402
from verifier.fhir.faithful import record_parameters  # noqa: E402
from verifier.fhir.export import dumps, export_fhir  # noqa: E402


def hypothesis_records(rs: dsl.Ruleset, n: int) -> list[dict[str, Any]]:
    ev = compile_ruleset(rs)
    got: list[dict[str, Any]] = []

    # A fixed seed: the same commit measures the same records.
    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(valid_records(rs))
    def collect(record: dict[str, Any]) -> None:
        got.append(ev.validate(load_record_json(json.dumps(record))))

    collect()
    return got


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("rulesets", nargs="*", type=Path)
    args = ap.parse_args()
    paths = args.rulesets or sorted((REPO / "rulesets").glob("*.rules"))
    exe = shutil.which("ruleproof") or str(Path(sys.executable).with_name("ruleproof"))
    bad_total = 0
    for path in paths:
        rs = dsl.load_ruleset(path)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            export = export_fhir(rs)
            times.append(time.perf_counter() - start)
        bundle_bytes = len(dumps(export.bundle).encode("utf-8"))
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            subprocess.run([exe, "export", "fhir", str(path), "-o", f"{tmp}/bundle.json"], check=True,
                           capture_output=True)
            wall = time.perf_counter() - start
        print(f"{rs.name}: export {statistics.median(times) * 1000:.1f} ms in process (median of {args.runs}), "
              f"{wall:.2f} s as a command; Bundle {bundle_bytes} bytes ({len(export.resources)} resources)")

        ev = compile_ruleset(rs)
        labelled: list[tuple[str, Any]] = []
        cases_dir = REPO / "generated_cases" / rs.name / "cases"
        for p in sorted(cases_dir.glob("*.json")):
            case = json.loads(p.read_text(encoding="utf-8"))
            labelled.append((case["id"], ev.validate(load_record_json(json.dumps(case["record"])))))
        n_cases = len(labelled)
        start = time.perf_counter()
        records = hypothesis_records(rs, args.records)
        gen = time.perf_counter() - start
        labelled += [(f"hypothesis #{k}", r) for k, r in enumerate(records)]
        distinct = len({json.dumps(r, sort_keys=True, default=str) for r in records})
        start = time.perf_counter()
        ag = compare(rs, ev, export.library, labelled)
        cmp_time = time.perf_counter() - start
        bad_total += len(ag.disagreements)
        print(f"{rs.name}: agreement ruleproof engine vs cql-execution: {ag.records} records "
              f"({n_cases} generated cases + {len(records)} Hypothesis records, {distinct} distinct), "
              f"{ag.rules} rules each, {ag.records * ag.rules} rule verdicts; "
              f"{len(ag.disagreements)} disagreements")
        print(f"{rs.name}: generating the records {gen:.1f} s; cql-execution run + comparison {cmp_time:.1f} s")
        for d in ag.disagreements[:20]:
            print(f"  {d}")

        # The CQL text through the reference translator: its ELM must give every define the same value.
        start = time.perf_counter()
        tr = translate_cql(export.library.cql)
        if tr.errors:
            bad_total += len(tr.errors)
            print(f"{rs.name}: the CQL text does not compile: " + "; ".join(tr.errors[:5]))
            continue
        assert tr.elm is not None
        params = [record_parameters(rs, r) for _, r in labelled]
        mine, theirs = run_elm(export.library.elm, params), run_elm(tr.elm, params)
        names = [d.name for d in export.library.defines]
        differ = sum(1 for a, b in zip(mine, theirs) for n in names
                     if "error" in a or "error" in b or a["results"].get(n) != b["results"].get(n))
        bad_total += differ
        print(f"{rs.name}: CQL text via the reference translator (@cqframework/cql): 0 errors; its ELM vs ours "
              f"under cql-execution: {len(params)} records x {len(names)} defines, {differ} differences "
              f"({time.perf_counter() - start:.1f} s)")
    return 1 if bad_total else 0


if __name__ == "__main__":
    sys.exit(main())
