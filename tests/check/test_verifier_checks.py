"""Each kind of check on small rulesets built to prove or refute it."""

from __future__ import annotations

from typing import Any

import pytest

from engine import compile_ruleset
from tests.verifier_helpers import rule, ruleset
from verifier.check.run import check_ruleset
from verifier.solver.replay import Replayer
from verifier.check.results import COVERED, EXCLUDED, GAP, PROVED, REFUTED, UNKNOWN, CheckResult, RulesetReport, exit_code

INPUTS = """
input grp: enum {alpha, beta, gamma}
input flag: bool
input n: int [0, 10]
action a: misc "A"
action b: misc "B"
action c: misc "C"
constraint C1 "gamma needs flag": grp == gamma implies flag
"""


def result(report: RulesetReport, prop: str) -> CheckResult:
    hits = [r for r in report.results if r.property == prop]
    assert len(hits) == 1, [r.property for r in report.results]
    return hits[0]


def replays(report: RulesetReport, r: CheckResult) -> dict[str, Any]:
    """The counterexample is a complete, valid record, and the engine fires what Z3 said."""
    assert r.counterexample is not None
    rs = _rulesets[report.path]
    ev = compile_ruleset(rs)
    d = ev.evaluate(ev.validate(r.counterexample))
    assert tuple(d.fired) == r.fired
    return r.counterexample


_rulesets: dict[str, Any] = {}


def run(body: str, name: str, **kw: Any) -> RulesetReport:
    rs = ruleset(body, name)
    _rulesets[name] = rs
    return check_ruleset(rs, **kw)


GAPS = INPUTS + rule("ra", "grp == alpha", "recommend a") + rule("rb", "grp == beta and n > 3", "consider b") + """
coverage cells "grp x flag": grp x flag
"""


def test_coverage_gap_and_matrix() -> None:
    rep = run(GAPS, "gaps")
    cov = result(rep, "coverage")
    assert cov.status == REFUTED and cov.kind == "coverage"
    rec = replays(rep, cov)
    assert rec["grp"] in ("beta", "gamma") and cov.fired == ()
    m = result(rep, "cells")
    assert m.kind == "coverage-matrix" and m.status == REFUTED and m.matrix is not None
    cells = {c.values: c for c in m.matrix.cells}
    assert cells[("alpha", "false")].status == COVERED and cells[("alpha", "false")].rules == ("ra",)
    assert cells[("beta", "true")].status == GAP
    assert cells[("gamma", "false")].status == EXCLUDED and cells[("gamma", "false")].constraints == ("C1",)
    assert cells[("gamma", "true")].status == GAP
    gap = cells[("beta", "false")]
    assert gap.status == GAP and gap.counterexample is not None
    # Simple values: every field not needed for the gap holds its default.
    assert gap.counterexample == {"grp": "beta", "flag": False, "n": 0}
    assert m.counterexample == gap.counterexample
    assert exit_code([rep]) == 1


def test_matrix_lists_serving_rules() -> None:
    body = INPUTS + rule("ra", "grp == alpha", "recommend a") + rule("ra2", "grp == alpha and n > 5", "consider b") \
        + rule("rx", "true", "recommend c") + rule("ravoid", "grp == alpha", "avoid b") + 'coverage g "g": grp\n'
    rep = run(body, "serving")
    m = result(rep, "g")
    assert m.status == PROVED and m.matrix is not None
    cells = {c.values: c for c in m.matrix.cells}
    # Avoid-only rules serve nobody; every rule that can fire and give is listed.
    assert cells[("alpha",)].rules == ("ra", "ra2", "rx")
    assert cells[("beta",)].rules == ("rx",)
    assert result(rep, "coverage").status == PROVED


CONTRA = INPUTS + rule("r1", "n > 5", "recommend a") + rule("r2", "n > 8", "consider b") \
    + rule("r3", "flag", "avoid a") + rule("r4", "true", "recommend c") + "conflict a with b\n"


def test_conflict_and_given_avoided() -> None:
    rep = run(CONTRA, "contra")
    conflict = result(rep, "conflict(a,b)")
    assert conflict.kind == "contradiction" and conflict.status == REFUTED
    rec = replays(rep, conflict)
    assert rec["n"] > 8 and conflict.detail == ("a: recommended by r1", "b: considered by r2")
    assert conflict.location and conflict.location.startswith("contra:")
    avoided = result(rep, "given-and-avoided(a)")
    assert avoided.status == REFUTED
    rec = replays(rep, avoided)
    assert rec["flag"] is True and rec["n"] > 5
    assert exit_code([rep]) == 1


def test_contradictions_proved_when_exclusive() -> None:
    body = INPUTS + rule("r1", "n > 5", "recommend a") + rule("r2", "n <= 5", "consider b") \
        + rule("r3", "n <= 5", "avoid a") + "conflict a with b\n"
    rep = run(body, "exclusive")
    assert result(rep, "conflict(a,b)").status == PROVED
    assert result(rep, "given-and-avoided(a)").status == PROVED
    assert exit_code([rep]) == 0


def test_dead_rule_names_the_clash() -> None:
    body = INPUTS + rule("live", "true", "recommend a") + rule("dead", "grp == gamma and not flag and n > 2", "recommend b")
    rep = run(body, "dead")
    dead = result(rep, "fires(dead)")
    assert dead.kind == "dead-rule" and dead.status == REFUTED and dead.counterexample is None
    # A minimal core: C1 against the two conditions it needs; n > 2 plays no part.
    assert dead.detail == (
        "constraint C1: grp == gamma implies flag", "when: grp == gamma", "when: not flag",
    )
    assert result(rep, "fires(live)").status == PROVED


def test_dead_rule_core_reaches_into_the_phase() -> None:
    body = INPUTS + 'phase p "P" when grp == gamma {\n' + rule("inside", "not flag", "recommend a") + "}\n" \
        + rule("other", "true", "recommend b")
    rep = run(body, "phase")
    assert result(rep, "fires(inside)").detail == (
        "constraint C1: grp == gamma implies flag", "phase p: grp == gamma", "when: not flag",
    )


def test_warnings_do_not_fail() -> None:
    body = INPUTS + rule("r1", "n > 5", "recommend a") + rule("r_sub", "n > 7", "recommend a") \
        + rule("r2", "true", "consider b") + 'constraint C2 "n is at most 10": n <= 10\n'
    rep = run(body, "warn")
    kinds = {(w.kind, w.message.split(":")[0]) for w in rep.warnings}
    assert ("redundant-rule", "rule r_sub is redundant") in kinds
    assert ("constraint-excludes-nothing", "constraint C2 excludes nothing") in kinds
    assert not any("rule r1 " in w.message for w in rep.warnings)
    assert exit_code([rep]) == 0


def test_invariant_counterexample_is_simple_and_replayed() -> None:
    body = INPUTS + rule("r1", "n >= 4", "recommend a") + rule("r2", "true", "consider b") \
        + 'property P1 "a only with flag": given(a) implies flag\n' \
        + 'property P2 "b is never recommended": not recommended(b)\n'
    rep = run(body, "inv")
    p1 = result(rep, "P1")
    assert p1.kind == "invariant" and p1.status == REFUTED
    assert replays(rep, p1) == {"grp": "alpha", "flag": False, "n": 4}
    assert p1.fired == ("r1", "r2") and p1.location == "inv:15:1"
    assert result(rep, "P2").status == PROVED


def test_real_counterexamples_are_exact_decimals() -> None:
    body = """
input size: real [0.1, 100]
action a: misc "A"
""" + rule("r", "size * 3 > 10", "recommend a") + 'property P "a only above 3.4": given(a) implies size > 3.4\n'
    rep = run(body, "reals")
    p = result(rep, "P")
    assert p.status == REFUTED
    size = replays(rep, p)["size"]
    assert 10 / 3 < size <= 3.4 and len(repr(size)) <= 5  # e.g. 3.4 or 3.34, not 3.3333...


def test_rational_only_counterexample_is_shown_as_a_fraction() -> None:
    body = """
input size: real [0, 1]
action a: misc "A"
""" + rule("r", "true", "recommend a") + 'property P "never a third": not (size * 3 == 1)\n'
    rep = run(body, "third")
    p = result(rep, "P")
    assert p.status == REFUTED and p.counterexample == {"size": "1/3"}
    assert "not replayed" in p.message


NONLINEAR = """
input p: int [1, 1000000]
input q: int [1, 1000000]
input w: int [1, 1000000]
action a: misc "A"
""" + rule("r", "true", "recommend a") + 'property fermat "no cube sums": p * p * p + q * q * q != w * w * w\n'


def test_timeout_is_unknown_never_proved() -> None:
    rep = run(NONLINEAR, "nonlinear", timeout_s=0.05)
    f = result(rep, "fermat")
    assert f.status == UNKNOWN and "timed out" in f.message
    assert exit_code([rep]) == 3


def test_refuted_wins_over_unknown() -> None:
    body = NONLINEAR + 'property P2 "never a": not given(a)\n'
    rep = run(body, "both", timeout_s=0.05)
    assert {r.status for r in rep.results} == {PROVED, REFUTED, UNKNOWN}
    assert exit_code([rep]) == 1


def test_engine_disagreement_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_decide = Replayer.decide

    def wrong(self: Replayer, record: Any) -> Any:
        d = real_decide(self, record)
        return type("Fake", (), {"fired": (), "recommended": d.recommended, "considered": d.considered,
                                 "avoided": d.avoided})()

    monkeypatch.setattr(Replayer, "decide", wrong)
    rep = run(CONTRA, "disagree")
    bad = result(rep, "conflict(a,b)")
    assert bad.status == UNKNOWN and bad.internal_error and "engine and Z3 disagree" in bad.message
    assert exit_code([rep]) == 4


def test_no_valid_record_is_a_finding() -> None:
    body = """
input n: int [0, 10]
input flag: bool
action a: misc "A"
constraint C1 "big": n > 5
constraint C2 "small": n < 3
constraint C3 "unrelated": flag implies n >= 0
""" + rule("r", "true", "recommend a") + 'property P "anything": n == 42\n'
    rep = run(body, "empty")
    cov = result(rep, "coverage")
    assert cov.status == REFUTED and "no valid record exists: C1, C2 contradict" in cov.message
    assert result(rep, "P").status == PROVED  # vacuously: hence the finding above
    assert exit_code([rep]) == 1
