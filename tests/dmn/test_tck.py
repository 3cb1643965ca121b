"""The DMN TCK decision-table models: every supported case must pass, and the README must say so."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.dmn.tck_harness import run_all

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_supported_tck_case_passes() -> None:
    outcomes = run_all()
    failed = [o for o in outcomes if o.status == "failed"]
    assert not failed, failed
    counts = Counter(o.status for o in outcomes)
    assert counts["passed"] >= 51
    # Each unsupported case carries its reason.
    assert all(o.reason for o in outcomes if o.status == "unsupported")


def test_readme_table_matches_the_run() -> None:
    counts = Counter(o.status for o in run_all())
    text = README.read_text(encoding="utf-8")
    row = f"| compliance level 2, decision tables | {counts['passed']} | {counts['failed']} | {counts['unsupported']} |"
    assert row in text, row
