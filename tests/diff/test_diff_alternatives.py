"""A "one of" choice is part of an action's decision in the diff: splitting it is a change."""

from __future__ import annotations

from tests.verifier_helpers import ruleset
from verifier.diff.compare import diff_rulesets

BODY = """
input size: real [0, 20]
action a: surgery "A"
action b: surgery "B"
action w: surveillance "W"
rule r "big" when size > 5
  GIVES
rule q "small" when size <= 5
  recommend w category 1 sources [s]
"""
ONE_OF = "recommend one of {a, b} category 1 sources [s]"


def _diff(old_gives: str, new_gives: str):
    return diff_rulesets(ruleset(BODY.replace("GIVES", old_gives)), ruleset(BODY.replace("GIVES", new_gives)))


def test_splitting_a_one_of_changes_both_actions() -> None:
    report = _diff(ONE_OF, "recommend a category 1 sources [s]\n  recommend b category 1 sources [s]")
    assert report.semantic.status == "changed"
    changes = {(a.action, t.change) for a in report.semantic.actions for t in a.transitions}
    assert changes == {("a", "alternatives changed"), ("b", "alternatives changed")}
    t = report.semantic.actions[0].transitions[0]
    assert t.old.alternatives and not t.new.alternatives
    (region,) = t.regions
    assert region.example["size"] > 5  # confirmed by both engines before it is reported
    assert "one of with" in t.old.text()


def test_reordering_a_one_of_changes_nothing() -> None:
    assert _diff(ONE_OF, "recommend one of {b, a} category 1 sources [s]").semantic.status == "unchanged"
