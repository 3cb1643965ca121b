"""Comparison suites for the mutation analysis: as many records as the generated
suite, chosen without looking at the rules.

- random: draws of ``verifier.cases.strategies.valid_records`` (constraint-aware
  random records, the strategy the tests use), derandomized so that a run
  is reproducible;
- pairwise: every pair of values of the enum and boolean inputs (allpairspy),
  numeric inputs at their typical value, each row repaired by the solver
  into a valid record that keeps as many of its values as the constraints
  allow. One pairwise table is shorter than the generated suite, so tables
  over rotated value orders are added until the counts match.
"""

from __future__ import annotations

from typing import Any

from allpairspy import AllPairs
from hypothesis import HealthCheck, Phase, given, settings

from dsl import model as m
from verifier.cases.finder import RecordFinder
from verifier.facts.values import default_value, json_value
from verifier.cases.strategies import valid_records

Record = dict[str, Any]


def random_suite(ruleset: m.Ruleset, size: int) -> list[Record]:
    """``size`` distinct valid records drawn by Hypothesis (fewer if it runs dry)."""
    records: list[Record] = []

    @settings(max_examples=max(1, 3 * size), derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(valid_records(ruleset))
    def collect(record: Record) -> None:
        if len(records) < size and record not in records:
            records.append(record)

    collect()
    return records


def _categorical(ruleset: m.Ruleset) -> list[m.Input]:
    return [i for i in ruleset.inputs if isinstance(i.type, (m.EnumType, m.BoolType))]


def _values(inp: m.Input) -> list[Any]:
    t = inp.type
    return list(t.values) if isinstance(t, m.EnumType) else [False, True]


def pairwise_suite(ruleset: m.Ruleset, size: int, finder: RecordFinder | None = None) -> list[Record]:
    """``size`` distinct valid records covering every pair of enum/bool values (as far as valid)."""
    finder = finder if finder is not None else RecordFinder(ruleset)
    inputs = _categorical(ruleset)
    typical = {i.name: json_value(default_value(i)) for i in ruleset.inputs if i not in inputs}
    records: list[Record] = []
    if not inputs:
        return records
    rotation = 0
    longest = max(len(_values(i)) for i in inputs)
    while len(records) < size and rotation < longest * 4:
        params = []
        for inp in inputs:
            vals = _values(inp)
            k = rotation % len(vals)
            params.append(vals[k:] + vals[:k])
        added = 0
        for row in AllPairs(params):
            wish = {**typical, **{i.name: v for i, v in zip(inputs, row)}}
            _, record = finder.solve([], prefer=wish)
            if record is not None and record not in records:
                records.append(record)
                added += 1
                if len(records) >= size:
                    break
        rotation += 1
        if added == 0 and rotation >= longest:
            break
    return records
