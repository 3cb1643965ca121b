"""The specification diff: each property verdict with a witness that the concrete evaluator confirms."""

from __future__ import annotations

import pytest

from tests.verifier_helpers import ruleset
from verifier.diff.compare import diff_rulesets
from verifier.diff.spec import EQUIVALENT, INCOMPARABLE, STRONGER, WEAKER, SpecDiff, spec_diff
from verifier.facts.evaluation import Statuses, environment, evaluate

BODY = """
input size: real [0, 20]
input grade: enum {low, high}
input fit: bool
define big = size > 5
action cut: surgery "Cut"
action watch: surveillance "Watch"
action chemo: systemic "Chemo"
constraint C1 "fit tumours are measured": fit implies size >= 0
rule r_big "big" when big and grade == high
  recommend cut category 1 sources [s]
rule r_small "small" when not (big and grade == high)
  recommend watch category 1 sources [s]
conflict cut with watch
property P "big high-grade tumours are cut":
  PROPERTY
"""

OLD_P = "big and grade == high implies recommended(cut)"


def _spec(old_p: str, new_p: str, new_body: str = BODY) -> tuple[SpecDiff, object, object]:
    old = ruleset(BODY.replace("PROPERTY", old_p))
    new = ruleset(new_body.replace("PROPERTY", new_p))
    d = diff_rulesets(old, new)
    return spec_diff(old, new, d.semantic, d.structure), old, new


def _property(rs, pid):
    return next(p for p in rs.properties if p.id == pid)


@pytest.mark.parametrize("new_p, verdict", [
    ("not recommended(cut) implies not (size > 5 and grade == high)", EQUIVALENT),  # contrapositive, inlined
    ("size > 5 and grade == high implies recommended(cut)", EQUIVALENT),
    ("big and grade == high and fit implies recommended(cut)", WEAKER),
    ("big implies recommended(cut)", STRONGER),
    ("big and grade == high and fit implies recommended(cut) or considered(chemo)", WEAKER),
    ("big and fit implies recommended(cut)", INCOMPARABLE),
])
def test_property_verdicts_with_replayed_witnesses(new_p: str, verdict: str) -> None:
    spec, old, new = _spec(OLD_P, new_p)
    (change,) = [c for c in spec.changes if c.kind == "property"]
    assert change.verdict == verdict, change.message
    if verdict == EQUIVALENT:
        assert not change.witnesses and not change.weakens
        return
    assert change.weakens == (verdict in (WEAKER, INCOMPARABLE))
    expected = {WEAKER: {(False, True)}, STRONGER: {(True, False)}, INCOMPARABLE: {(False, True), (True, False)}}
    assert {(w.old_holds, w.new_holds) for w in change.witnesses} == expected[verdict]
    for w in change.witnesses:  # each witness replayed by hand: the two statements really part there
        decision = Statuses(frozenset(w.recommended), frozenset(w.considered), frozenset(w.avoided),
                            w.categories, w.alternatives)
        for rs, holds in ((old, w.old_holds), (new, w.new_holds)):
            assert evaluate(_property(rs, "P").expr, environment(rs, w.record), decision) is holds


def test_a_definition_edit_moves_the_property_and_lists_its_dependents() -> None:
    spec, _, _ = _spec(OLD_P, OLD_P, BODY.replace("define big = size > 5", "define big = size > 10"))
    by_kind = {c.kind: c for c in spec.changes}
    assert by_kind["property"].verdict == WEAKER  # same text, weaker promise
    assert set(by_kind["definition"].dependents) == {"rule r_big", "rule r_small", "property P"}


def test_removed_conflict_constraint_and_property() -> None:
    new_body = (BODY.replace("conflict cut with watch\n", "")
                .replace('constraint C1 "fit tumours are measured": fit implies size >= 0\n',
                         'constraint C1 "fit tumours are measured": fit implies size >= 1\n'))
    old = ruleset(BODY.replace("PROPERTY", OLD_P))
    new = ruleset(new_body.replace('property P "big high-grade tumours are cut":\n  PROPERTY\n', ""))
    d = diff_rulesets(old, new)
    spec = spec_diff(old, new, d.semantic, d.structure)
    verdicts = {(c.id, c.verdict) for c in spec.changes}
    assert ("conflict(cut,watch)", "removed") in verdicts
    assert ("P", "removed") in verdicts
    shrank = [c for c in spec.changes if c.verdict == "shrank"]
    assert shrank and shrank[0].examples and shrank[0].examples[0]["fit"] is True
    assert shrank[0].examples[0]["size"] < 1


def test_a_renamed_property_is_restated_not_lost() -> None:
    old = ruleset(BODY.replace("PROPERTY", OLD_P))
    new = ruleset(BODY.replace("PROPERTY", OLD_P).replace('property P "', 'property P_cut "'))
    d = diff_rulesets(old, new)
    spec = spec_diff(old, new, d.semantic, d.structure)
    assert {(c.id, c.verdict) for c in spec.changes} == {("P_cut", "added"), ("P", "restated")}
    assert not spec.weakened


def test_category_and_alternatives_in_properties_are_compared() -> None:
    body = BODY.replace("recommend cut category 1 sources [s]", "recommend one of {cut, chemo} category 1 sources [s]")
    old = ruleset(body.replace("PROPERTY", "big and grade == high implies category(cut) == 1 and alternatives(cut, chemo)"))
    new = ruleset(body.replace("PROPERTY", "big and grade == high implies category(cut) in {1, 2A}"))
    d = diff_rulesets(old, new)
    (change,) = [c for c in diff_spec(old, new, d) if c.kind == "property"]
    assert change.verdict == WEAKER
    (w,) = change.witnesses
    decision = Statuses(frozenset(w.recommended), frozenset(w.considered), frozenset(w.avoided),
                        w.categories, w.alternatives)
    assert evaluate(_property(old, "P").expr, environment(old, w.record), decision) is False
    assert evaluate(_property(new, "P").expr, environment(new, w.record), decision) is True
    assert "category" in w.decision_text()


def diff_spec(old, new, d):
    return spec_diff(old, new, d.semantic, d.structure).changes
