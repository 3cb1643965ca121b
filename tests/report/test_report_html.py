"""The review report: built from results as data, self-contained, deterministic, and `ruleproof report`."""

from __future__ import annotations

import html

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import dsl
from verifier.check.run import check_ruleset
from verifier.cli.report_cmd import report_command
from verifier.report.html import Figure, build_html, report_figures, results_json
from verifier.check.results import RulesetReport

from tests.conftest import LIPO_RULES, REPO

GENERATED = REPO / "generated_cases" / "liposarcoma"

# Rendering tests need Graphviz's dot; `make test` installs it. Missing, they fail (never skip).
needs_dot = pytest.mark.usefixtures("graphviz_dot")


@pytest.fixture
def graphviz_dot() -> None:
    assert shutil.which("dot") is not None, "renders with Graphviz's dot: `make test` installs it (apt-get install graphviz)"


def _hand_made() -> dict[str, Any]:
    """Results as `ruleproof check --format json` writes them, made up to show every status."""
    record = {"site": "extremity", "size_cm": 8, "grade": "G3", "treatment_completed": False}
    return {
        "path": "rulesets/liposarcoma.rules",
        "ruleset": "liposarcoma",
        "version": "1.0.0",
        "results": [
            {"property": "coverage", "kind": "coverage", "status": "proved", "seconds": 0.01,
             "counterexample": None, "location": None, "message": "every valid record gets something"},
            {"property": "cells", "kind": "coverage-matrix", "status": "refuted", "seconds": 1.5,
             "counterexample": record, "fired": [], "location": "x.rules:640:1", "message": "1 gap",
             "matrix": {"inputs": ["subtype", "grade"], "cells": [
                 {"values": ["myxoid", "G1"], "status": "covered", "rules": ["r1", "r2"]},
                 {"values": ["myxoid", "G2"], "status": "gap", "counterexample": record, "fired": []},
                 {"values": ["pleomorphic", "G1"], "status": "excluded", "constraints": ["C2"]},
                 {"values": ["pleomorphic", "G2"], "status": "unknown"},
             ]}},
            {"property": "P3", "kind": "invariant", "status": "refuted", "seconds": 0.2,
             "counterexample": record, "fired": ["workup_mri", "workup_refer"], "location": "x.rules:600:1",
             "message": 'property P3 "myxoid staging" fails', "detail": ["in_scope and subtype == myxoid"]},
            {"property": "P4", "kind": "invariant", "status": "unknown", "seconds": 10.0,
             "counterexample": None, "location": "x.rules:601:1", "message": "the solver gave up (timeout)"},
        ],
        "warnings": [{"kind": "redundant-rule", "message": "rule r9 is redundant", "location": "x.rules:9:3"}],
    }


@pytest.fixture(scope="module")
def checked(lipo_ruleset: dsl.Ruleset) -> RulesetReport:
    return check_ruleset(lipo_ruleset)


@pytest.fixture(scope="module")
def figures(lipo_ruleset: dsl.Ruleset) -> list[Figure]:
    if shutil.which("dot") is None:
        return []
    return report_figures(lipo_ruleset)


# ---------------------------------------------------------------- from hand-made results


def test_hand_made_results_show_every_status(lipo_ruleset: dsl.Ruleset) -> None:
    page = build_html(lipo_ruleset, _hand_made())
    assert "2 of 4 checks refuted" in page
    for status in ("proved", "refuted", "unknown"):
        assert f'<span class="pill {status}">{status}</span>' in page
    assert "the solver gave up (timeout)" in page
    assert "workup_mri, workup_refer" in page  # the counterexample's fired rules
    assert "in_scope and subtype == myxoid" in page  # detail lines
    assert "rule r9 is redundant" in page
    assert "1.500 s" in page  # times shown by default


def test_matrix_is_a_coloured_table(lipo_ruleset: dsl.Ruleset) -> None:
    page = build_html(lipo_ruleset, _hand_made())
    table = page[page.index('<table class="matrix">'):]
    table = table[: table.index("</table>")]
    assert table.count('class="cell covered"') == 1
    assert table.count('class="cell gap"') == 1
    assert table.count('class="cell excluded"') == 1
    assert table.count('class="cell unknown"') == 1
    assert 'title="r1, r2"' in table
    assert '>myxoid</th>' in table and '>pleomorphic</th>' in table  # rows: the first input; columns: the last
    assert "Gap 1: subtype = myxoid, grade = G2" in page  # the gap's record is spelled out below


def test_timing_can_be_left_out(lipo_ruleset: dsl.Ruleset) -> None:
    page = build_html(lipo_ruleset, _hand_made(), timing=False)
    assert "1.500 s" not in page and "Solver time" not in page


def test_without_results_the_report_says_so(lipo_ruleset: dsl.Ruleset) -> None:
    page = build_html(lipo_ruleset, None)
    assert "Not checked" in page


def test_results_are_read_from_any_of_their_shapes(checked: RulesetReport) -> None:
    as_json = checked.to_json()
    assert results_json(checked) == as_json
    assert results_json(as_json) == as_json
    assert results_json({"rulesets": [{"ruleset": "other"}, as_json]}, "liposarcoma") == as_json
    with pytest.raises(ValueError):
        results_json({"rulesets": [{"ruleset": "other"}]}, "liposarcoma")


# ---------------------------------------------------------------- the real thing


@needs_dot
def test_report_of_the_liposarcoma_ruleset(lipo_ruleset: dsl.Ruleset, checked: RulesetReport,
                                           figures: list[Figure]) -> None:
    page = build_html(lipo_ruleset, checked, figures)
    assert f"All {len(checked.results)} checks proved" in page
    assert "liposarcoma" in page and "1.0.0" in page
    for s in lipo_ruleset.sources:
        assert f'id="src-{s.id}"' in page
    for r in lipo_ruleset.rules:
        assert f'id="rule-{r.id}"' in page
    for r in checked.results:
        assert f"<code>{r.property}</code>" in page
    assert page.count("<svg") == len(figures) >= 7  # overview, six phases, rules view
    assert '<table class="matrix">' in page
    assert page.count('rowspan="4"') == 5  # each subtype heads its four grades; columns: metastatic status
    # Each drawing's ids are its own: several inline SVGs on one page must not collide.
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


@needs_dot
def test_report_loads_nothing_from_anywhere(lipo_ruleset: dsl.Ruleset, checked: RulesetReport,
                                            figures: list[Figure]) -> None:
    page = build_html(lipo_ruleset, checked, figures)
    lowered = page.lower()
    for bad in ("<script", "<link", "@import", "<img", "<iframe", "src=", "url(http", "@font-face"):
        assert bad not in lowered, bad


@needs_dot
def test_same_ruleset_same_report(lipo_ruleset: dsl.Ruleset, checked: RulesetReport, figures: list[Figure]) -> None:
    # Two independent check runs: their solver times differ, the reports without times do not.
    again = dsl.load_ruleset(LIPO_RULES)
    first = build_html(lipo_ruleset, checked.to_json(False), figures, timing=False)
    second = build_html(again, check_ruleset(again).to_json(False), report_figures(again), timing=False)
    assert first == second


def test_generated_cases_summary(lipo_ruleset: dsl.Ruleset, tmp_path: Path) -> None:
    missing = build_html(lipo_ruleset, None, manifest=tmp_path / "liposarcoma" / "manifest.json")
    assert "No generated test cases for this ruleset yet" in missing
    manifest = tmp_path / "manifest.json"
    manifest.write_text("{not json")
    assert "could not be read" in build_html(lipo_ruleset, None, manifest=manifest)
    # More in tests/report/test_report_cases.py.


# ---------------------------------------------------------------- the command


def _run(args: list[str]) -> Any:
    return CliRunner().invoke(report_command, args, catch_exceptions=False)


@needs_dot
def test_report_command_is_deterministic_without_timing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    for out in (a, b):
        result = _run([str(LIPO_RULES), "-o", str(out), "--no-timing", "--cases", str(GENERATED)])
        assert result.exit_code == 0, result.output
    assert a.read_bytes() == b.read_bytes()
    assert "wrote" in result.output and "0 refuted" in result.output


def test_report_command_from_saved_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved = tmp_path / "check.json"
    saved.write_text(json.dumps({"rulesets": [_hand_made()]}))
    monkeypatch.setenv("PATH", str(tmp_path))  # no Graphviz: the report still comes, with a note
    out = tmp_path / "r.html"
    result = CliRunner().invoke(report_command, [str(LIPO_RULES), "--results", str(saved), "-o", str(out)])
    assert result.exit_code == 1  # as `ruleproof check` would exit on these results: a refuted check
    page = out.read_text()
    assert "2 of 4 checks refuted" in page
    assert "apt-get install graphviz" in page and "apt-get install graphviz" in result.stderr


def test_report_command_rejects_bad_results(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    result = _run([str(LIPO_RULES), "--results", str(bad), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "not the JSON of `ruleproof check --format json`" in result.output


def test_report_leads_with_per_phase_rules_views_in_words(lipo_ruleset: dsl.Ruleset, figures: list[Figure]) -> None:
    phases = [p for p in lipo_ruleset.phases if any(r.phase == p.name for r in lipo_ruleset.rules)]
    lead = figures[: len(phases)]
    assert [f.id for f in lead] == [f"fig-rules-phase-{lipo_ruleset.phases.index(p)}" for p in phases]
    for f, p in zip(lead, phases):
        assert f.caption == f"Rules of phase: {p.doc or p.name}" and not f.collapsed
        assert f"phase {p.name} only" in f.svg
    # Labels mode: the rule titles lead the nodes (an id alone would be the identifiers-only view).
    postop = html.unescape(lead[[p.name for p in phases].index("postop")].svg)
    assert "Re-excision possible" in postop
    assert figures[-1].id == "fig-rules" and figures[-1].collapsed  # the whole view stays, folded, at the end


def test_report_highlights_conditions(lipo_ruleset: dsl.Ruleset, checked: RulesetReport) -> None:
    page = build_html(lipo_ruleset, checked, [])
    assert '<span class="hl-ow">and</span>' in page and ".hl-ow" in page
