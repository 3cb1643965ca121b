"""Wall time of `ruleproof gate rulesets/liposarcoma.rules --base HEAD~1` after a one-rule edit (target < 3 s).

Builds a throwaway git repository with the ruleset and its regression suite,
commits a one-rule edit together with the updated suite (an acknowledged
change, so every step of the gate runs to the end), and times the command.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets" / "liposarcoma.rules"
SUITE = ROOT / "generated_cases" / "liposarcoma"
RULEPROOF = str(Path(sys.executable).parent / "ruleproof")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=b@b", "-c", "user.name=bench", *args], cwd=repo, check=True,
                   capture_output=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        (repo / "rulesets").mkdir()
        shutil.copy(RULESET, repo / "rulesets" / "liposarcoma.rules")
        shutil.copytree(SUITE, repo / "generated_cases" / "liposarcoma")
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "base")
        path = repo / "rulesets" / "liposarcoma.rules"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("when months_since_treatment >= 120", "when months_since_treatment >= 96"),
                        encoding="utf-8")
        subprocess.run([RULEPROOF, "cases", "rulesets/liposarcoma.rules", "--out", "generated_cases/liposarcoma",
                        "--update"], cwd=repo, check=True, capture_output=True)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "one-rule edit")
        times = []
        for _ in range(3):
            start = time.perf_counter()
            proc = subprocess.run([RULEPROOF, "gate", "rulesets/liposarcoma.rules", "--base", "HEAD~1"], cwd=repo,
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if proc.returncode != 0:
                sys.exit(f"gate exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
        print(f"gate --base HEAD~1 (one-rule edit, acknowledged): median {statistics.median(times):.2f}s "
              f"(min {min(times):.2f}s, max {max(times):.2f}s, 3 runs; target < 3 s)")


if __name__ == "__main__":
    main()
