"""``valid_records_with_boundaries``: valid records of any ruleset that reach every threshold."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl import model as m
from engine import compile_ruleset
from tests.verifier_helpers import rule, ruleset
from verifier.cases.strategies import boundary_points, valid_records_with_boundaries
from verifier.facts.values import to_fraction

# Thresholds behind constraints: months > 0 only once done, 120 months only when done,
# lines >= 1 only for grade G3. Random values alone rarely land on them.
TIGHT = ruleset("""
input size: real [0.1, 100]
input grade: enum {G1, G2, G3}
input lines: int [0, 10]
input done: bool
input months: real [0, 600]
action a: misc "A"
action b: misc "B"
constraint C1 "lines need G3": lines > 0 implies grade == G3
constraint C2 "months only when done": months > 0 implies done
""" + rule("r", "size > 5 and months >= 120", "recommend a")
    + rule("s", "lines >= 1 and not done", "recommend b"))

SETTINGS = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def test_every_boundary_point_is_reached_and_records_are_valid() -> None:
    ev = compile_ruleset(TIGHT)
    seen: set[tuple[str, Fraction]] = set()

    @SETTINGS
    @given(valid_records_with_boundaries(TIGHT))
    def collect(record: dict[str, Any]) -> None:
        ev.validate(json.loads(json.dumps(record)))  # valid, and JSON-exact
        seen.update((k, to_fraction(v)) for k, v in record.items() if not isinstance(v, (bool, str)))

    collect()
    wanted = {("size", Fraction(499, 100)), ("size", Fraction(5)), ("size", Fraction(501, 100)),
              ("months", Fraction(11999, 100)), ("months", Fraction(120)), ("months", Fraction(12001, 100)),
              ("months", Fraction(1, 100)), ("lines", Fraction(0)), ("lines", Fraction(1)), ("lines", Fraction(2))}
    assert wanted <= seen, sorted(wanted - seen)


def test_boundary_points_are_only_reachable_ones() -> None:
    points = set()
    for fact in boundary_points(TIGHT):
        assert isinstance(fact, m.Compare) and isinstance(fact.left, m.InputRef) and isinstance(fact.right, m.NumLit)
        points.add((fact.left.name, fact.right.value))
    # months > 0 "below" is -0.01: outside the domain, so not a target.
    assert ("months", Fraction(-1, 100)) not in points and ("months", Fraction(0)) in points


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_draws_are_replayable(data: st.DataObject) -> None:
    data.draw(valid_records_with_boundaries(TIGHT))
