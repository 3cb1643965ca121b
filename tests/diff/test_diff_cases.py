"""`ruleproof diff` on the pairs of tests/diff_cases/cases.toml: the right actions, regions and examples."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import dsl
from tests.diff_helpers import confirm_report
from verifier.diff.compare import DiffReport, Transition, diff_rulesets

CASES_DIR = Path(__file__).resolve().parents[1] / "diff_cases"


@dataclass(frozen=True)
class Case:
    name: str
    new: str
    status: str
    old: str = "base.rules"
    why: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)
    validity: list[dict[str, Any]] = field(default_factory=list)


CASES = [Case(**c) for c in tomllib.loads((CASES_DIR / "cases.toml").read_text(encoding="utf-8"))["case"]]


def _outcome(text: str) -> tuple[str | None, str | None]:
    if text == "none":
        return None, None
    strength, category = text.split()
    return strength, category


def _run(case: Case) -> tuple[DiffReport, dsl.Ruleset, dsl.Ruleset]:
    old = dsl.load_ruleset(CASES_DIR / case.old)
    new = dsl.load_ruleset(CASES_DIR / case.new)
    return diff_rulesets(old, new), old, new


def test_enough_cases() -> None:
    meaningful = [c for c in CASES if c.status == "changed"]
    assert len(meaningful) >= 12
    assert any(c.status == "unchanged" for c in CASES)
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case) -> None:
    report, old, new = _run(case)
    sem = report.semantic
    assert sem.status == case.status
    assert not sem.undecided

    got: dict[tuple[str, str], Transition] = {
        (a.action, t.change): t for a in sem.actions for t in a.transitions}
    want = {(c["action"], c["change"]): c for c in case.changes}
    assert sorted(got) == sorted(want), f"{case.name}: changes {sorted(got)}"
    for key, c in want.items():
        t = got[key]
        assert (t.old.strength, t.old.category) == _outcome(c["old"])
        assert (t.new.strength, t.new.category) == _outcome(c["new"])
        assert [r.text for r in t.regions] == c["regions"]
    assert not any(a.more for a in sem.actions)

    assert [(v.side, [r.text for r in v.regions]) for v in sem.validity] == \
        [(v["valid_under"], v["regions"]) for v in case.validity]
    for v, expected in zip(sem.validity, case.validity):
        for r in v.regions:
            assert any(expected["rejected_by"] in reason for reason in r.rejected_by), r.rejected_by

    # Independently of the diff's own check: each example shows its change in the engines.
    assert confirm_report(report, old, new) == sum(len(c["regions"]) for c in case.changes + case.validity)


def test_refactor_shows_structure_but_no_meaning() -> None:
    (case,) = [c for c in CASES if c.name == "refactor"]
    report, _, _ = _run(case)
    changes = {(c.kind, c.id, c.change) for c in report.structure}
    assert ("definition", "high_risk", "removed") in changes
    assert ("definition", "risky", "added") in changes
    assert ("rule", "rt_high_risk", "changed") in changes
    assert ("phase", "preop", "added") in changes
    # Reordered declarations and outcome lines are not changes.
    assert not any(c.kind in ("constraint", "conflict", "action") for c in report.structure)
    frail = [c for c in report.structure if c.id == "frail"]
    assert [d.split(":")[0] for d in frail[0].details] == ["when"]
