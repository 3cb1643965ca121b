"""Wall time of `ruleproof gate rulesets/liposarcoma.rules --base HEAD~1` after an edit (target < 3 s).

Builds a throwaway git repository with the ruleset and its regression suite
and commits one edit on top, then times the command (median of 3). Two edits:

- one rule renamed (no advice changes: the suite replays, the diff is proved empty);
- individualised follow-up from 8 years instead of 10: the surveillance rules and
  the row property that states them move together, committed with the updated
  suite and a change-log entry, so every step of the gate runs to the end and passes.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets" / "liposarcoma.rules"
SUITE = ROOT / "generated_cases" / "liposarcoma"
RULEPROOF = str(Path(sys.executable).parent / "ruleproof")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=b@b", "-c", "user.name=bench", *args], cwd=repo, check=True,
                   capture_output=True)


def rename(repo: Path, text: str) -> str:
    return text.replace('rule surv_low_grade "', 'rule surv_grade_low "')


def follow_up_from_8_years(repo: Path, text: str) -> str:
    (repo / "rulesets" / "liposarcoma.changelog.toml").write_text(
        '[[weakened]]\nids = ["row_surveillance"]\nwhy = "follow-up individualised from 8 years"\n', encoding="utf-8")
    return (text.replace("months_since_treatment >= 120", "months_since_treatment >= 96")
            .replace("months_since_treatment < 120", "months_since_treatment < 96"))


def measure(label: str, edit: Callable[[Path, str], str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        (repo / "rulesets").mkdir()
        shutil.copy(RULESET, repo / "rulesets" / "liposarcoma.rules")
        shutil.copytree(SUITE, repo / "generated_cases" / "liposarcoma")
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "base")
        path = repo / "rulesets" / "liposarcoma.rules"
        path.write_text(edit(repo, path.read_text(encoding="utf-8")), encoding="utf-8")
        subprocess.run([RULEPROOF, "cases", "rulesets/liposarcoma.rules", "--out", "generated_cases/liposarcoma",
                        "--update"], cwd=repo, check=True, capture_output=True)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", label)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            proc = subprocess.run([RULEPROOF, "gate", "rulesets/liposarcoma.rules", "--base", "HEAD~1"], cwd=repo,
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if proc.returncode != 0:
                sys.exit(f"gate exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
        print(f"gate --base HEAD~1, {label}: median {statistics.median(times):.2f}s "
              f"(min {min(times):.2f}s, max {max(times):.2f}s, 3 runs; target < 3 s)")


def main() -> None:
    measure("one rule renamed", rename)
    measure("follow-up from 8 years (acknowledged)", follow_up_from_8_years)


if __name__ == "__main__":
    main()
