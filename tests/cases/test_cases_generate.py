"""The case generator: witnesses, MC/DC pairs, enum values, boundaries, cells; determinism;
and the committed liposarcoma suite is exactly what the command generates."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import dsl
from dsl.model import Ruleset
from engine import compile_ruleset
from tests.verifier_helpers import rule, ruleset
from verifier.facts.thresholds import SIDES, thresholds
from verifier.facts.conditions import ConditionIndex
from verifier.facts.values import engine_form
from verifier.cases.generate import generate
from verifier.cases.case import Suite
from verifier.cases.store import load_suite, write_suite
from verifier.check.run import check_ruleset
from verifier.facts.evaluation import environment, evaluate
from verifier.facts.values import to_fraction
from verifier.check.results import COVERED, GAP

REPO = Path(__file__).resolve().parents[2]
LIPO = REPO / "rulesets" / "liposarcoma.rules"
COMMITTED = REPO / "generated_cases" / "liposarcoma"

SMALL_TEXT = """
input size: real [0, 20]
input grade: enum {low, mid, high}
input lines: int [0, 3]
input fit: bool
input site: enum {arm, leg, trunk}
define big = size > 5
action cut: surgery "Cut"
action drug: systemic "Drug"
action watch: surveillance "Watch"
action extra: systemic "Extra"
action bad: systemic "Bad"
constraint C1 "trunk tumours are small": site == trunk implies size <= 10
phase treat "Treat" when site in {arm, leg} {
""" + rule("r_big", "big and grade in {mid, high}", "recommend cut") \
    + rule("r_lines", "lines >= 1 and fit", "recommend drug") \
    + rule("r_redundant", "grade == high and grade != low", "consider watch") + """
}
""" + rule("r_dead", "lines > 3", "recommend extra") \
    + rule("r_any", "true", "avoid bad") + """
coverage cells "grade by site": grade x site
"""

SMALL = ruleset(SMALL_TEXT, "<small>")


@pytest.fixture(scope="module")
def small_suite() -> Suite:
    return generate(SMALL, SMALL_TEXT, timeout_s=None)


def _purposes(suite: Suite, kind: str) -> list[tuple[dict[str, Any], Any]]:
    return [(p, c) for c in suite.cases for p in c.purposes if p["kind"] == kind]


def _fires(rs: Ruleset, record: dict[str, Any], rule_id: str) -> bool:
    ev = compile_ruleset(rs)
    return rule_id in ev.evaluate(engine_form(ev, record)).fired


def test_every_live_rule_has_a_witness_that_fires_it(small_suite: Suite) -> None:
    witnessed = {}
    for p, case in _purposes(small_suite, "witness"):
        assert _fires(SMALL, case.record, p["rule"])
        witnessed[p["rule"]] = case.name
    assert set(witnessed) == {"r_big", "r_lines", "r_redundant", "r_any"}
    dead = [g for g in small_suite.gaps if g.kind == "witness"]
    assert [dict(g.fields)["rule"] for g in dead] == ["r_dead"]
    assert "dead rule" in dead[0].reason


def test_mcdc_pairs_flip_one_condition_and_the_rule(small_suite: Suite) -> None:
    by_name = {c.name: c for c in small_suite.cases}
    index = ConditionIndex(SMALL)
    conditions = {c.label: c for r in SMALL.rules for c in index.conditions(r)}
    pairs = _purposes(small_suite, "mcdc")
    assert pairs
    for p, case in pairs:
        partner = by_name[p["pair"]]
        mirror = [q for q in partner.purposes if q["kind"] == "mcdc" and q["rule"] == p["rule"]
                  and q["condition"] == p["condition"]]
        assert mirror and mirror[0]["value"] is (not p["value"]) and mirror[0]["pair"] == case.name
        cond = conditions[p["condition"]]
        assert evaluate(cond.expr, environment(SMALL, case.record), None) is p["value"]
        assert _fires(SMALL, case.record, p["rule"]) != _fires(SMALL, partner.record, p["rule"])
        if p["unique_cause"]:
            others = [c for c in index.conditions(SMALL.rule(p["rule"])) if c is not cond]
            env_a, env_b = environment(SMALL, case.record), environment(SMALL, partner.record)
            assert all(evaluate(c.expr, env_a, None) == evaluate(c.expr, env_b, None) for c in others)
    covered = {(p["rule"], p["condition"]) for p, _ in pairs}
    assert ("r_big", "big: size > 5") in covered
    assert ("r_big", "treat: site in {arm, leg}") in covered
    assert ("r_lines", "r_lines: fit") in covered


def test_a_redundant_condition_is_listed_with_the_reason(small_suite: Suite) -> None:
    gaps = [g for g in small_suite.gaps if g.kind == "mcdc" and dict(g.fields)["rule"] == "r_redundant"]
    assert [dict(g.fields)["condition"] for g in gaps] == ["r_redundant: grade != low"]
    assert "redundant" in gaps[0].reason and dict(gaps[0].fields)["value"] is False


def test_every_enum_value_of_a_membership_test_is_shown(small_suite: Suite) -> None:
    values = {(p["condition"], p["value"]) for p, _ in _purposes(small_suite, "value")}
    for v in ("low", "mid", "high"):
        assert ("r_big: grade in {mid, high}", v) in values
    for v in ("arm", "leg", "trunk"):
        assert ("treat: site in {arm, leg}", v) in values


def test_boundaries_below_on_and_above(small_suite: Suite) -> None:
    seen: dict[str, dict[str, Fraction]] = {}
    for p, case in _purposes(small_suite, "boundary"):
        seen.setdefault(p["comparison"], {})[p["side"]] = to_fraction(p["value"])
        assert to_fraction(case.record[p["subject"]]) == to_fraction(p["value"])
    assert seen["big: size > 5"] == {"below": Fraction(499, 100), "on": Fraction(5), "above": Fraction(501, 100)}
    assert seen["r_lines: lines >= 1"] == {"below": 0, "on": 1, "above": 2}
    assert seen["C1: size <= 10"] == {"below": Fraction(999, 100), "on": 10, "above": Fraction(1001, 100)}
    # lines > 3 on [0, 3]: the side above is no value of the input, and says so.
    assert seen["r_dead: lines > 3"] == {"below": 2, "on": 3}
    outside = [g for g in small_suite.gaps if g.kind == "boundary"]
    assert any("outside its domain" in g.reason and dict(g.fields)["comparison"] == "r_dead: lines > 3"
               for g in outside)


def test_a_boundary_record_decides_a_rule_where_it_can(small_suite: Suite) -> None:
    for p, case in _purposes(small_suite, "boundary"):
        if p["comparison"] == "big: size > 5":
            assert p["decides"] == "r_big"
            assert case.record["site"] in ("arm", "leg") and case.record["grade"] in ("mid", "high")


def test_one_case_per_covered_cell_and_every_counterexample(small_suite: Suite) -> None:
    report = check_ruleset(SMALL)
    matrix = next(r.matrix for r in report.results if r.matrix is not None)
    covered = {c.values for c in matrix.cells if c.status == COVERED}
    gaps = {c.values for c in matrix.cells if c.status == GAP}
    assert covered and gaps  # trunk tumours get nothing but an "avoid": coverage gaps
    cells = {tuple(p["values"]) for p, _ in _purposes(small_suite, "cell")}
    assert cells == covered
    counterexamples = {p["check"] for p, _ in _purposes(small_suite, "counterexample")}
    assert "coverage" in counterexamples
    assert {f"cells: gap at {', '.join(v)}" for v in gaps} <= counterexamples
    for p, case in _purposes(small_suite, "counterexample"):
        assert case.expected["recommended"] == [] and case.expected["considered"] == []


def test_records_are_valid_complete_and_expected_is_the_engine_decision(small_suite: Suite) -> None:
    ev = compile_ruleset(SMALL)
    for case in small_suite.cases:
        assert set(case.record) == {i.name for i in SMALL.inputs}
        assert list(ev.evaluate(engine_form(ev, case.record)).fired) == case.expected["fired"]


def test_same_ruleset_gives_byte_identical_output(tmp_path: Path, small_suite: Suite) -> None:
    write_suite(tmp_path / "a", small_suite)
    write_suite(tmp_path / "b", generate(SMALL, SMALL_TEXT, timeout_s=None))
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.json"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.json"))
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


# ---------------------------------------------------------------- the committed liposarcoma suite


@pytest.fixture(scope="module")
def lipo() -> Ruleset:
    return dsl.load_ruleset(LIPO)


def test_committed_suite_is_what_the_command_generates(tmp_path: Path, lipo: Ruleset) -> None:
    stored = load_suite(COMMITTED)
    fresh = generate(lipo, LIPO.read_text(encoding="utf-8"), stored.regressions)
    write_suite(tmp_path, fresh)
    committed = sorted(p.relative_to(COMMITTED) for p in COMMITTED.rglob("*.json") if p.parent.name == "cases"
                       or p.name == "manifest.json")
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.json"))
    assert committed == generated
    stale = [str(rel) for rel in committed if (COMMITTED / rel).read_bytes() != (tmp_path / rel).read_bytes()]
    assert not stale, f"regenerate generated_cases/liposarcoma (ruleproof cases --update): {stale[:5]}"


def test_committed_suite_has_a_witness_per_rule(lipo: Ruleset) -> None:
    stored = load_suite(COMMITTED)
    witnessed = {p["rule"] for c in stored.cases for p in c["purposes"] if p["kind"] == "witness"}
    assert witnessed == {r.id for r in lipo.rules}


def test_committed_suite_has_every_threshold_boundary(lipo: Ruleset) -> None:
    stored = load_suite(COMMITTED)
    manifest = stored.manifest
    assert manifest is not None
    served = {(p["comparison"], p["side"]) for c in stored.cases for p in c["purposes"] if p["kind"] == "boundary"}
    excused = {(g["comparison"], g["side"]): g["reason"] for g in manifest["not_covered"] if g["kind"] == "boundary"}
    for th in thresholds(lipo):
        for side in SIDES:
            key = (th.label, side)
            assert key in served or "outside its domain" in excused.get(key, ""), key
        assert (th.label, "on") in served, th.label
    numbers = {c["record"]["size_cm"] for c in stored.cases}
    assert {4.99, 5, 5.01} <= numbers
    months = {c["record"]["months_since_treatment"] for c in stored.cases}
    assert {119.99, 120, 120.01} <= months


def test_manifest_indexes_every_case() -> None:
    stored = load_suite(COMMITTED)
    assert stored.manifest is not None
    assert [c["id"] for c in stored.manifest["cases"]] == sorted(str(c["id"]) for c in stored.cases)
    assert stored.manifest["summary"]["cases"] == len(stored.cases)
    text = (COMMITTED / "manifest.json").read_text(encoding="utf-8")
    assert json.loads(text)["ruleset"] == "liposarcoma"
