"""Mutation analysis: the operators, Z3 equivalence (checked by brute force on a finite
ruleset), kills, and the committed liposarcoma report recomputed on a sample."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import dsl
from dsl.model import Ruleset
from engine import RecordError, compile_ruleset
from tests.verifier_helpers import rule, ruleset
from verifier.cases.generate import generate
from verifier.cases.case import decision_statuses
from verifier.cases.store import load_suite, write_suite
from verifier.cli.mutate_cmd import mutate_command
from verifier.mutation.mutants import OPERATORS, mutants
from verifier.mutation.analysis import (
    EQUIVALENT, KILLED, SURVIVED, EquivalenceChecker, analyse, suite_from_cases, suite_from_records,
)

REPO = Path(__file__).resolve().parents[2]
LIPO = REPO / "rulesets" / "liposarcoma.rules"
COMMITTED = REPO / "generated_cases" / "liposarcoma"
REPORT = COMMITTED / "mutation-report.json"

# Finite inputs only, so every valid record can be enumerated.
FINITE_TEXT = """
input n: int [0, 4]
input grade: enum {low, mid, high}
input fit: bool
input urgent: bool
define strong = fit and grade in {mid, high}
define score = points { fit: 1, urgent: 2, n >= 3: 1 }
action cut: surgery "Cut"
action burn: surgery "Burn"
action drug: systemic "Drug"
action watch: surveillance "Watch"
constraint C1 "urgent cases are not low grade": urgent implies grade != low
""" + rule("r_cut", "strong and n >= 2", "recommend cut", "avoid drug") \
    + rule("r_drug", "n < 2 and (urgent or grade == high)", "recommend drug") \
    + rule("r_watch", "not strong and grade != high", "consider watch") \
    + rule("r_again", "strong and n >= 2 and urgent", "recommend cut") \
    + rule("r_low", "grade == low and not urgent", "consider burn") \
    + rule("r_score", "score + (if grade == high then 1 else 0) >= 4 and min(n, 3) >= 1", "consider drug")

FINITE = ruleset(FINITE_TEXT, "<finite>")


def _all_records(rs: Ruleset) -> list[dict[str, Any]]:
    ev = compile_ruleset(rs)
    domains: list[list[Any]] = []
    for i in rs.inputs:
        t = i.type
        if isinstance(t, dsl.model.BoolType):
            domains.append([False, True])
        elif isinstance(t, dsl.model.EnumType):
            domains.append(list(t.values))
        else:
            domains.append(list(range(int(t.lo), int(t.hi) + 1)))
    out = []
    for values in itertools.product(*domains):
        record = dict(zip((i.name for i in rs.inputs), values))
        try:
            out.append(ev.validate(record))
        except RecordError:
            pass
    return out


def test_every_operator_makes_mutants() -> None:
    made = mutants(FINITE)
    assert {mu.operator for mu in made} == set(OPERATORS)
    descriptions = {mu.description for mu in made}
    assert "r_cut: n >= 2: 2 -> 1" in descriptions and "r_cut: n >= 2: 2 -> 3" in descriptions
    assert "r_cut: n >= 2: `>=` -> `>`" in descriptions
    assert "strong: grade in {mid, high}: mid -> low" in descriptions
    assert "r_drug: grade == high: high -> mid" in descriptions
    assert "rule r_low dropped" in descriptions
    assert "r_cut: recommend cut: cut -> burn" in descriptions  # swapped within its kind only
    assert not any("cut -> drug" in d for d in descriptions)
    assert "r_cut: avoid drug: avoid -> consider" in descriptions
    assert "r_cut: recommend cut: dropped cut" in descriptions
    assert "score: points {fit: 1, urgent: 2, n >= 3: 1}: `urgent`: 2 -> 1" in descriptions
    assert "score: points {fit: 1, urgent: 2, n >= 3: 1}: dropped `fit: 1`" in descriptions
    assert "r_score: if grade == high then 1 else 0: then and else swapped" in descriptions
    assert len({mu.id for mu in made}) == len(made)


def test_mutating_leaves_the_original_untouched() -> None:
    before = [(r.id, r.when, r.gives) for r in FINITE.rules]
    for mu in mutants(FINITE):
        assert mu.ruleset is not FINITE
    assert [(r.id, r.when, r.gives) for r in FINITE.rules] == before
    assert FINITE.rule("r_low").id == "r_low" and FINITE.definition("strong").expr is FINITE.definitions[0].expr


def test_equivalence_agrees_with_brute_force() -> None:
    records = _all_records(FINITE)
    ev = compile_ruleset(FINITE)
    original = [decision_statuses(ev.evaluate(r)) for r in records]
    checker = EquivalenceChecker(FINITE, timeout_s=None)
    verdicts = {EQUIVALENT: 0, "different": 0}
    for mu in mutants(FINITE):
        mev = compile_ruleset(mu.ruleset)
        same = all(decision_statuses(mev.evaluate(r)) == o for r, o in zip(records, original))
        verdict, _ = checker.decide(mu)
        verdicts[verdict] += 1
        assert (verdict == EQUIVALENT) == same, mu.description
    # r_again only repeats r_cut's recommendation: dropping it changes nothing.
    assert verdicts[EQUIVALENT] > 0 and verdicts["different"] > verdicts[EQUIVALENT]


def test_a_survivor_comes_with_a_record_that_kills_it() -> None:
    suite = suite_from_records("one", FINITE, [{"n": 0, "grade": "low", "fit": False, "urgent": False}])
    report = analyse(FINITE, mutants(FINITE, frozenset(["drop-rule"])), [suite], timeout_s=None)
    ev = compile_ruleset(FINITE)
    for o in report.outcomes:
        if o.status == SURVIVED:
            assert o.witness is not None
            mutant = next(mu for mu in mutants(FINITE) if mu.id == o.id)
            record = ev.validate(o.witness)
            assert decision_statuses(compile_ruleset(mutant.ruleset).evaluate(record)) != \
                decision_statuses(ev.evaluate(record))
    assert report.count(SURVIVED) > 0


def test_generated_cases_kill_every_killable_mutant_of_a_small_ruleset(tmp_path: Path) -> None:
    suite = generate(FINITE, FINITE_TEXT, timeout_s=None)
    write_suite(tmp_path, suite)
    ours = suite_from_cases("generated", FINITE, load_suite(tmp_path).cases)
    report = analyse(FINITE, mutants(FINITE), [ours], timeout_s=None)
    assert report.score("generated").rate == 1.0, [o.id for o in report.survivors()]
    # A kill is real: the named case's expected decision differs from the mutant's.
    by_name = dict(zip(ours.names, zip(ours.records, ours.expected)))
    made = {mu.id: mu for mu in mutants(FINITE)}
    for o in report.outcomes:
        if o.status == KILLED:
            record, expected = by_name[dict(o.killed_by)["generated"]]
            assert decision_statuses(compile_ruleset(made[o.id].ruleset).evaluate(record)) != expected


# ---------------------------------------------------------------- the committed liposarcoma report


@pytest.fixture(scope="module")
def lipo() -> Ruleset:
    return dsl.load_ruleset(LIPO)


def test_committed_report_meets_the_target() -> None:
    report = json.loads(REPORT.read_text(encoding="utf-8"))
    scores = {s["suite"]: s for s in report["scores"]}
    assert scores["generated"]["kill_rate"] >= 0.98
    assert scores["generated"]["cases"] == len(load_suite(COMMITTED).cases)
    # The baselines of the same size do worse: the gain is the point of the generator.
    assert scores["random"]["cases"] == scores["pairwise"]["cases"] == scores["generated"]["cases"]
    assert scores["random"]["kill_rate"] < scores["generated"]["kill_rate"]
    assert scores["pairwise"]["kill_rate"] < scores["generated"]["kill_rate"]


def test_a_sample_of_the_report_recomputes(lipo: Ruleset) -> None:
    """Every 9th mutant, analysed afresh against the committed cases, gets the committed verdict."""
    report = json.loads(REPORT.read_text(encoding="utf-8"))
    all_mutants = mutants(lipo)
    assert len(all_mutants) == report["mutants"]
    sample = all_mutants[::9]
    ours = suite_from_cases("generated", lipo, load_suite(COMMITTED).cases)
    fresh = analyse(lipo, sample, [ours])
    equivalent = set(report["equivalent_mutants"])
    survivors = {s["id"] for s in report["survivors"]}
    for o in fresh.outcomes:
        assert (o.status == EQUIVALENT) == (o.id in equivalent), o.id
        assert (o.status == SURVIVED) == (o.id in survivors), o.id
    assert fresh.score("generated").rate >= 0.98


def test_cli_scores_baselines_and_fails_under_a_threshold(tmp_path: Path) -> None:
    rules = tmp_path / "finite.rules"
    rules.write_text("ruleset t version \"1\"\nsource s \"A source\"\n" + FINITE_TEXT, encoding="utf-8")
    write_suite(tmp_path / "suite", generate(dsl.load_ruleset(rules), rules.read_text(), timeout_s=None))
    runner = CliRunner()
    result = runner.invoke(mutate_command, [str(rules), "--cases", str(tmp_path / "suite"), "--baselines",
                                            "--format", "json", "--report", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [s["suite"] for s in doc["scores"]] == ["generated", "random", "pairwise"]
    assert json.loads((tmp_path / "r.json").read_text()) == doc
    result = runner.invoke(mutate_command, [str(rules), "--cases", str(tmp_path / "suite"),
                                            "--operators", "drop-rule,change-strength"])
    assert result.exit_code == 0 and "kill rate" in result.stdout
    result = runner.invoke(mutate_command, [str(rules), "--cases", str(tmp_path / "suite"), "--operators", "nope"])
    assert result.exit_code == 2 and "unknown operator" in result.stderr
    result = runner.invoke(mutate_command, [str(rules), "--cases", str(tmp_path / "none")])
    assert result.exit_code == 2
