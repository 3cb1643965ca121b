"""Replay every generated case: the engine must still give each its expected decision.

Cases live in ``generated_cases/NAME/cases/*.json`` (written by ``ruleproof
cases``) and are replayed against ``rulesets/NAME.rules``. A failure means
the ruleset's meaning changed for that record: if the change is intended,
``ruleproof cases rulesets/NAME.rules --out generated_cases/NAME --update``
rewrites the expectations (one reviewed diff); if not, it is a regression.

Random records also run here: any record on which the engine and Z3
disagree, or that breaks a property, is frozen into the suite as a
regression case before the test fails (set RULEPROOF_NO_FREEZE=1 to keep
the working tree untouched).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import dsl
from dsl.model import Ruleset
from engine import Evaluator, compile_ruleset
from verifier.cases.strategies import valid_records_with_boundaries
from verifier.facts.values import engine_form
from verifier.cases.case import decision_statuses, expected_json
from verifier.cases.store import describe_difference, freeze_regression
from verifier.facts.evaluation import Statuses, environment, evaluate
from verifier.solver.encoding import Encoding

REPO = Path(__file__).resolve().parents[2]
GENERATED = REPO / "generated_cases"
CASE_FILES = sorted(GENERATED.glob("*/cases/*.json"))


@lru_cache(maxsize=None)
def _ruleset(name: str) -> Ruleset:
    return dsl.load_ruleset(REPO / "rulesets" / f"{name}.rules")


@lru_cache(maxsize=None)
def _evaluator(name: str) -> Evaluator:
    return compile_ruleset(_ruleset(name))


@lru_cache(maxsize=None)
def _encoding(name: str) -> Encoding:
    return Encoding(_ruleset(name))


def test_there_are_generated_cases() -> None:
    assert CASE_FILES, "generated_cases/*/cases/ is empty: run `ruleproof cases RULESET --out generated_cases/NAME`"


@pytest.mark.parametrize("path", CASE_FILES, ids=[f"{p.parent.parent.name}/{p.stem}" for p in CASE_FILES])
def test_case_reproduces(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    name = case["ruleset"]
    assert path.parent.parent.name == name, "a suite directory holds the cases of the ruleset it is named after"
    ev = _evaluator(name)
    decision = ev.evaluate(engine_form(ev, case["record"]))
    now = expected_json(decision)
    assert now == case["expected"], (
        f"{path.stem}: the decision changed: " + "; ".join(describe_difference(case["expected"], now))
        + f" (if intended: ruleproof cases rulesets/{name}.rules --out generated_cases/{name} --update)")
    # The second reading of the semantics agrees on the expected decision.
    z3_decision = _encoding(name).decide(case["record"])
    assert z3_decision is not None, f"{path.stem}: Z3 finds the record invalid"
    assert z3_decision.fired == tuple(case["expected"]["fired"])
    assert decision_statuses(z3_decision) == decision_statuses(decision)


# ---------------------------------------------------------------- random records, frozen on failure

SUITES = sorted(p.parent.name for p in GENERATED.glob("*/manifest.json"))


def _problem(rs: Ruleset, ev: Evaluator, enc: Encoding, record: dict[str, Any]) -> str | None:
    """Why ``record`` is a regression (engine and Z3 disagree, a property breaks), or None."""
    d = ev.evaluate(engine_form(ev, record))
    z = enc.decide(record)
    if z is None:
        return "Z3 finds a record the engine accepts invalid"
    if tuple(d.fired) != z.fired or decision_statuses(d) != decision_statuses(z):
        return f"engine and Z3 disagree: engine fired {list(d.fired)}, Z3 fired {list(z.fired)}"
    env = environment(rs, record)
    statuses = Statuses.of_decision(d)
    broken = [p.id for p in rs.properties if not evaluate(p.expr, env, statuses)]
    if broken:
        return f"property {', '.join(broken)} fails"
    return None


@pytest.mark.parametrize("name", SUITES)
def test_random_records_agree_or_are_frozen(name: str) -> None:
    rs, ev, enc = _ruleset(name), _evaluator(name), Encoding(_ruleset(name))

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(valid_records_with_boundaries(rs))
    def agree(record: dict[str, Any]) -> None:
        problem = _problem(rs, ev, enc, record)
        if problem is None:
            return
        where = "not frozen (RULEPROOF_NO_FREEZE is set)"
        if not os.environ.get("RULEPROOF_NO_FREEZE"):
            path = freeze_regression(GENERATED / name, rs, record, f"found by a random test: {problem}")
            where = f"frozen as {path.relative_to(REPO)}"
        raise AssertionError(f"{problem}; record {record}; {where}")

    agree()
