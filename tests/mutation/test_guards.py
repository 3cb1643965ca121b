"""Guard strength: `ruleproof check` as the killer. Each verdict must be what `check` itself says."""

from __future__ import annotations

import json
from pathlib import Path

import dsl
from click.testing import CliRunner
from tests.mutation.test_mutate import FINITE_TEXT
from tests.verifier_helpers import rule, ruleset
from verifier.cases.generate import generate
from verifier.cases.store import write_suite
from verifier.check.results import REFUTED as CHECK_REFUTED
from verifier.check.run import check_ruleset
from verifier.cli.mutate_cmd import mutate_command
from verifier.mutation.analysis import EQUIVALENT, EquivalenceChecker
from verifier.mutation.guards import REFUTED, guard_report, judge
from verifier.mutation.mutants import mutants

# The finite ruleset (without its score rule, which gives drug where G2 forbids it) with a
# specification: two properties (one through a definition, one in raw inputs), a conflict and its rules.
GUARDED_TEXT = FINITE_TEXT.split('rule r_score "')[0] + rule("r_extra", "fit and grade == high", "consider watch") \
    + rule("r_rest", "(grade == high and not fit and n >= 2) or (strong and n < 2)", "consider watch") + """
conflict cut with burn
property G1 "strong cases with n >= 2 are cut": strong and n >= 2 implies recommended(cut)
property G2 "drug only below n 2": given(drug) implies n < 2
"""
GUARDED = ruleset(GUARDED_TEXT, "<guarded>")


def test_every_verdict_agrees_with_check() -> None:
    assert all(r.status == "proved" for r in check_ruleset(GUARDED, None).results)
    checker = EquivalenceChecker(GUARDED, None)
    seen = {True: 0, False: 0}
    for mu in mutants(GUARDED):
        if checker.decide(mu)[0] == EQUIVALENT:
            continue
        verdict = judge(checker.enc, mu, checker._fires(mu))
        refuted = [r.property for r in check_ruleset(mu.ruleset, None, replay=False).results
                   if r.status == CHECK_REFUTED]
        assert (verdict.status == REFUTED) == bool(refuted), (mu.id, verdict, refuted)
        if refuted:
            assert verdict.by in refuted, (mu.id, verdict.by, refuted)
        seen[verdict.status == REFUTED] += 1
    assert seen[True] and seen[False]  # both kinds occur: the comparison means something


def test_per_rule_and_unguarded_rules() -> None:
    checker = EquivalenceChecker(GUARDED, None)
    cands = [mu for mu in mutants(GUARDED) if checker.decide(mu)[0] != EQUIVALENT]
    report = guard_report(GUARDED, checker.enc, checker._fires, cands)
    by_rule = dict(report.by_rule)
    assert report.overall.total == len(cands) and 0 < report.overall.refuted < len(cands)
    assert sum(s.total for s in by_rule.values()) >= len(cands)
    # r_extra only adds "consider watch" where other rules serve: nothing in the specification guards it.
    # (a mutant that makes it dead is still refuted, as a dead rule)
    assert by_rule["r_extra"].rate < 0.5 and "r_extra" in report.unguarded
    assert "r_cut" not in report.unguarded


def test_mutate_shows_guard_strength(tmp_path: Path) -> None:
    rules = tmp_path / "guarded.rules"
    rules.write_text("ruleset t version \"1\"\nsource s \"A source\"\n" + GUARDED_TEXT, encoding="utf-8")
    write_suite(tmp_path / "suite", generate(dsl.load_ruleset(rules), rules.read_text(), timeout_s=None))
    res = CliRunner().invoke(mutate_command, [str(rules), "--cases", str(tmp_path / "suite")])
    assert res.exit_code == 0, res.stderr
    assert "guard strength" in res.stdout and "rules no property guards:" in res.stdout
    res = CliRunner().invoke(mutate_command, [str(rules), "--cases", str(tmp_path / "suite"), "--format", "json"])
    doc = json.loads(res.stdout)
    assert 0 < doc["guards"]["overall"]["rate"] < 1 and "r_extra" in doc["guards"]["unguarded_rules"]
    res = CliRunner().invoke(mutate_command, [str(rules), "--cases", str(tmp_path / "suite"), "--no-guards"])
    assert "guard strength" not in res.stdout
