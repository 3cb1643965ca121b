"""Benchmark: `ruleproof diff` of the liposarcoma ruleset.

Measures the wall time of the whole command, process start included, for the
ruleset against itself, against a one-rule edit (a subtype added to the
neoadjuvant chemotherapy rule) and against the high-risk threshold moved from
5 to 10 cm (a definition several rules use). Target (issue #6): under 3 s each.

    python benchmarks/bench_diff.py [--runs N]
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
TARGET_S = 3.0

# (name, text to replace exactly once, replacement); None: the ruleset itself.
EDITS: tuple[tuple[str, str | None, str | None], ...] = (
    ("itself", None, None),
    ("one-rule edit", "when subtype in {myxoid, pleomorphic} and grade == G3 and high_risk and fit",
     "when subtype in {myxoid, pleomorphic, dedifferentiated} and grade == G3 and high_risk and fit"),
    ("threshold 5 -> 10 cm", "define high_risk = high_grade and depth == deep and size_cm > 5",
     "define high_risk = high_grade and depth == deep and size_cm > 10"),
)


def command() -> list[str]:
    """`ruleproof diff` if the installed command has it, else the same click command via Python."""
    exe = shutil.which("ruleproof") or str(Path(sys.executable).with_name("ruleproof"))
    if Path(exe).exists():
        probe = subprocess.run([exe, "diff", "--help"], capture_output=True, cwd=REPO)
        if probe.returncode == 0:
            return [exe, "diff"]
    return [sys.executable, "-c", "from verifier.cli.diff_cmd import diff_command; diff_command()"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    cmd = command()
    original = RULES.read_text(encoding="utf-8")
    print(f"ruleproof diff {RULES.relative_to(REPO)} EDITED  ({' '.join(cmd[:2])} ...), {args.runs} runs each")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, old, new in EDITS:
            edited = Path(tmp) / "edited.rules"
            if old is None:
                edited.write_text(original, encoding="utf-8")
            else:
                assert new is not None and original.count(old) == 1, f"edit {name!r} no longer applies"
                edited.write_text(original.replace(old, new), encoding="utf-8")
            walls: list[float] = []
            doc: dict = {}
            for _ in range(args.runs):
                start = time.perf_counter()
                proc = subprocess.run([*cmd, str(RULES), str(edited), "--format", "json"],
                                      capture_output=True, text=True, cwd=REPO)
                walls.append(time.perf_counter() - start)
                if proc.returncode != 0:
                    print(proc.stderr, file=sys.stderr)
                    return proc.returncode
                doc = json.loads(proc.stdout)
            meaning = doc["meaning"]
            regions = sum(len(t["regions"]) for a in meaning["actions"] for t in a["transitions"])
            worst = max(worst, max(walls))
            print(f"  {name:<22} median {statistics.median(walls):5.2f}s  max {max(walls):5.2f}s  "
                  f"(diff itself {doc['seconds']:.2f}s; {meaning['status']}, "
                  f"actions changed: {len(meaning['actions'])}, regions: {regions})")
    verdict = "OK" if worst < TARGET_S else "OVER TARGET"
    print(f"  worst {worst:.2f}s; target {TARGET_S:.1f}s: {verdict}")
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
