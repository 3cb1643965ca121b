"""`valid_records`: valid, JSON-able, complete records for any ruleset, boundaries included."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import compile_ruleset
from tests.verifier_helpers import rule, ruleset
from verifier.facts.values import to_fraction
from verifier.cases.strategies import NoValidRecord, valid_records

TIGHT = ruleset("""
input size: real [0.1, 100]
input depth: enum {superficial, deep, unknown}
input grade: enum {G1, G2, G3}
input lines: int [0, 10]
input done: bool
input months: real [0, 600]
action a: misc "A"
constraint C1 "deep means big": depth == deep implies size > 5
constraint C2 "lines need G3": lines > 0 implies grade == G3
constraint C3 "months only when done": months > 0 implies done
constraint C4 "a third of the months in lines": done implies months * 3 >= lines
constraint C5 "unknown depth is small and undone": depth == unknown implies size <= 2 and not done
""" + rule("r", "size > 5 and months >= 120", "recommend a"))

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@SETTINGS
@given(valid_records(TIGHT))
def test_records_are_valid_and_json(record: dict) -> None:
    ev = compile_ruleset(TIGHT)
    ev.validate(record)  # raises on an invalid record
    assert set(record) == {i.name for i in TIGHT.inputs}
    # Through JSON text and back, with exact decimals, the record is the same.
    text = json.dumps(record)
    assert ev.validate(json.loads(text)) == ev.validate(record)


def test_boundaries_are_reached() -> None:
    seen: set[Fraction] = set()

    @SETTINGS
    @given(valid_records(TIGHT))
    def collect(record: dict) -> None:
        seen.add(to_fraction(record["size"]))

    collect()
    # The literal 5 of "size > 5" and its neighbours, and the domain bounds.
    assert {Fraction(5), Fraction(501, 100)} <= seen or {Fraction(499, 100), Fraction(5)} <= seen
    assert Fraction(1, 10) in seen or Fraction(100) in seen


def test_every_rule_of_a_deep_ruleset_is_reached(lipo_ruleset) -> None:  # type: ignore[no-untyped-def]
    fired: set[str] = set()
    ev = compile_ruleset(lipo_ruleset)

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(valid_records(lipo_ruleset))
    def collect(record: dict) -> None:
        fired.update(ev.evaluate(ev.validate(record)).fired)

    collect()
    missing = {r.id for r in lipo_ruleset.rules} - fired
    assert len(missing) <= 3, missing  # aiming at rules reaches the later phases


def test_unsatisfiable_ruleset_says_so() -> None:
    rs = ruleset("""
input n: int [0, 10]
action a: misc "A"
constraint C1 "big": n > 5
constraint C2 "small": n < 3
""" + rule("r", "true", "recommend a"))

    @settings(max_examples=1, deadline=None, database=None)
    @given(valid_records(rs))
    def draw(record: dict) -> None:
        pass

    with pytest.raises(NoValidRecord):
        draw()


def test_strategy_repr_is_short() -> None:
    assert len(repr(valid_records(TIGHT))) < 80


@SETTINGS
@given(st.data())
def test_draws_are_replayable(data: st.DataObject) -> None:
    """Drawing depends only on earlier draws (Hypothesis raises FlakyStrategyDefinition otherwise)."""
    data.draw(valid_records(TIGHT))
