"""`ruleproof diff` on the real ruleset: against itself, and with the high-risk threshold moved to 10 cm."""

from __future__ import annotations

from pathlib import Path

import pytest

import dsl
import engine
from tests.conftest import LIPO_RULES
from tests.diff_helpers import confirm_report, outcome, project
from verifier.diff.compare import DiffReport, diff_rulesets
from verifier.diff.render import render_markdown, render_text

OLD_DEF = "define high_risk = high_grade and depth == deep and size_cm > 5"
NEW_DEF = "define high_risk = high_grade and depth == deep and size_cm > 10"


@pytest.fixture(scope="module")
def lipo10(tmp_path_factory: pytest.TempPathFactory) -> dsl.Ruleset:
    text = LIPO_RULES.read_text(encoding="utf-8")
    assert text.count(OLD_DEF) == 1
    path: Path = tmp_path_factory.mktemp("diff") / "liposarcoma.rules"
    path.write_text(text.replace(OLD_DEF, NEW_DEF), encoding="utf-8")
    return dsl.load_ruleset(path)


@pytest.fixture(scope="module")
def report10(lipo_ruleset: dsl.Ruleset, lipo10: dsl.Ruleset) -> DiffReport:
    return diff_rulesets(lipo_ruleset, lipo10)


def test_against_itself_is_proved_unchanged(lipo_ruleset: dsl.Ruleset) -> None:
    report = diff_rulesets(lipo_ruleset, lipo_ruleset)
    assert report.semantic.status == "unchanged"
    assert report.structure == ()
    assert "UNCHANGED (proved)" in render_text(report)


def test_threshold_names_radiotherapy_and_chemotherapy(report10: DiffReport) -> None:
    sem = report10.semantic
    assert sem.status == "changed" and not sem.undecided and not sem.validity
    changes = {(a.action, t.change) for a in sem.actions for t in a.transitions}
    assert changes == {
        ("preoperative_rt", "no longer given"),
        ("preoperative_rt", "category changed"),  # primary_rt_function still gives it, at 2A
        ("postoperative_rt", "no longer given"),
        ("neoadjuvant_chemotherapy", "no longer given"),
        ("observation", "newly given"),  # the post-operative complement of high risk
    }
    assert not any(a.more for a in sem.actions)


def test_every_region_is_exactly_5_to_10_cm(report10: DiffReport) -> None:
    regions = [r for a in report10.semantic.actions for t in a.transitions for r in t.regions]
    assert regions
    for r in regions:
        (size,) = [b for b in r.bounds if b.input == "size_cm"]
        assert size.text == "size_cm in (5, 10]"
        assert (size.lo, size.lo_closed, size.hi, size.hi_closed) == (5, False, 10, True)


def test_examples_confirmed_and_boundaries_exact(report10: DiffReport, lipo_ruleset: dsl.Ruleset,
                                                 lipo10: dsl.Ruleset) -> None:
    assert confirm_report(report10, lipo_ruleset, lipo10) == sum(
        len(t.regions) for a in report10.semantic.actions for t in a.transitions)
    ev_old, ev_new = engine.compile_ruleset(lipo_ruleset), engine.compile_ruleset(lipo10)
    # Moving the example along size_cm: the change holds on (5, 10] and nowhere around it.
    for a in report10.semantic.actions:
        for t in a.transitions:
            example = t.regions[0].example
            for size, changes in ((5, False), (5.01, True), (7.5, True), (10, True), (10.01, False), (50, False)):
                rec = dict(example, size_cm=size)
                got_old = outcome(ev_old, project(lipo_ruleset, rec), a.action)[:2]
                got_new = outcome(ev_new, project(lipo10, rec), a.action)[:2]
                assert (got_old != got_new) == changes, (a.action, size)


def test_structure_and_reports(report10: DiffReport) -> None:
    (change,) = report10.structure
    assert (change.kind, change.id, change.change) == ("definition", "high_risk", "changed")
    assert change.details == (f"=: {OLD_DEF.split(' = ', 1)[1]} -> {NEW_DEF.split(' = ', 1)[1]}",)
    text = render_text(report10, timing=False)
    assert "Meaning: CHANGED" in text and "size_cm in (5, 10]" in text
    md = render_markdown(report10, timing=False)
    assert "| `preoperative_rt` | no longer given | recommend (category 1, one of with postoperative_rt) | not given |" in md
    assert "```json" in md
