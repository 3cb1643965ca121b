"""``ruleproof init NAME``: a new rulesets project that proves, evaluates and runs in CI from the first minute.

The skeleton is small on purpose (two inputs, one phase, a conflict, a
property, a coverage matrix: one of each thing an author will write), and it
is checked by the tests to prove, so a newcomer starts from green.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

RULES = '''\
ruleset {name} version "0.1.0"

# Replace this skeleton with your guideline. `ruleproof check {name}.rules`
# proves it; `ruleproof fmt {name}.rules` lays it out; the README of ruleproof
# describes the language.

source committee "Guideline committee, first draft" year 2025

input stage: enum {{early, advanced}} doc "Stage of the disease."
input fit: bool doc "Fit for treatment."
input reviewed: bool doc "Discussed by the board."

action board: referral "Discuss at the board"
action treat: systemic "Start treatment"
action support: supportive "Supportive care"

phase before_board "Not yet reviewed" when not reviewed {{
  rule refer "Board first"
    when true
    recommend board category 2A sources [committee]
    because "Every treatment decision follows a board review."
}}

phase after_board "Reviewed" when reviewed {{
  rule treat_fit "Treat fit patients"
    when fit
    recommend treat category 2A sources [committee]
  rule support_unfit "Support unfit patients"
    when not fit
    recommend support category 2A sources [committee]
}}

conflict treat with support

property P1 "no treatment before the board":
  given(treat) implies reviewed

coverage cells "stage x fit": stage x fit
'''

PATIENT = {"stage": "early", "fit": True, "reviewed": True}

CI = '''\
# Prove every ruleset on each push and pull request; a refuted or undecided check fails the job.
name: rulesets
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    permissions: {{ contents: read, security-events: write }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {{ python-version: "3.11" }}
      - run: pip install "ruleproof @ git+<URL of the ruleproof repository>"
      - run: ruleproof fmt --check *.rules
      - run: ruleproof eval {name}.rules examples/patient.json
      - name: Prove
        run: |
          status=0
          ruleproof check *.rules --format sarif > ruleproof.sarif || status=$?
          ruleproof check *.rules || true
          exit $status
      - uses: github/codeql-action/upload-sarif@v3
        if: always()
        with: {{ sarif_file: ruleproof.sarif }}
'''


class InitError(Exception):
    """Why the project cannot be created (nothing was written)."""


@dataclass(frozen=True, slots=True)
class Skeleton:
    files: tuple[tuple[str, str], ...]  # (relative path, text)


def skeleton(name: str) -> Skeleton:
    """The files of a new project called ``name`` (a valid ruleset name)."""
    if not _NAME.match(name):
        raise InitError(f"{name!r} is not a valid ruleset name (letters, digits and _, not starting with a digit)")
    from dsl.parser import reserved_words  # the language's own list, so the two never drift apart
    if name in reserved_words():
        raise InitError(f"{name!r} is a reserved word of the rule language; choose another name")
    return Skeleton((
        (f"{name}.rules", RULES.format(name=name)),
        ("examples/patient.json", json.dumps(PATIENT, indent=2) + "\n"),
        (".github/workflows/ruleproof.yml", CI.format(name=name)),
    ))


def write_skeleton(name: str, folder: Path) -> list[Path]:
    """Create ``folder`` holding the skeleton; refuses to touch a folder that has files in it."""
    files = skeleton(name).files
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InitError(f"{folder} already exists and is not empty; nothing was written")
    written = []
    for rel, text in files:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
