"""The law a semantic diff must obey, checked on random records with the engines alone.

For every pair of tests/diff_cases/cases.toml: a record valid under both
versions whose outcome for an action differs lies in a reported region of
that action with exactly that change, and every valid record inside a region
shows the region's change (the regions cover the change set, and nothing
else). Likewise for records only one version accepts.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dsl
import engine
from dsl import model as m
from tests.diff_helpers import in_bound, project
from tests.diff.test_diff_cases import CASES, CASES_DIR, Case
from verifier.diff.compare import DiffReport, Region, diff_rulesets
from verifier.facts.thresholds import input_cuts


@cache
def _setup(name: str) -> tuple[DiffReport, dsl.Ruleset, dsl.Ruleset, engine.Evaluator, engine.Evaluator]:
    (case,) = [c for c in CASES if c.name == name]
    old, new = dsl.load_ruleset(CASES_DIR / case.old), dsl.load_ruleset(CASES_DIR / case.new)
    return diff_rulesets(old, new), old, new, engine.compile_ruleset(old), engine.compile_ruleset(new)


def _values(old: m.Ruleset, new: m.Ruleset) -> dict[str, st.SearchStrategy[Any]]:
    """A strategy per input of either version: every enum value, numbers near every threshold."""
    cuts = input_cuts((old, new))
    out: dict[str, st.SearchStrategy[Any]] = {}
    for rs in (old, new):
        for i in rs.inputs:
            t = i.type
            if isinstance(t, m.BoolType):
                out[i.name] = st.booleans()
            elif isinstance(t, m.EnumType):
                values = list(dict.fromkeys(list(getattr(out.get(i.name), "elements", [])) + list(t.values)))
                out[i.name] = st.sampled_from(values)
            else:
                decls = [d for d in (old, new) if i.name in d._index["input"]]
                lo = min(Fraction(d.input(i.name).type.lo) for d in decls)  # type: ignore[union-attr]
                hi = max(Fraction(d.input(i.name).type.hi) for d in decls)  # type: ignore[union-attr]
                near = sorted({c + d for c in cuts.get(i.name, set()) | {lo, hi}
                               for d in (Fraction(-1, 100), Fraction(0), Fraction(1, 100), Fraction(-1), Fraction(1))
                               if lo <= c + d <= hi})
                if isinstance(t, m.IntType):
                    out[i.name] = st.sampled_from(sorted({int(v) for v in near if v.denominator == 1})) | \
                        st.integers(int(lo), int(hi))
                else:
                    out[i.name] = st.sampled_from([_dec(v) for v in near]) | \
                        st.decimals(min_value=_dec(lo), max_value=_dec(hi), places=2)
    return out


def _dec(v: Fraction) -> Decimal:
    return Decimal(v.numerator) / Decimal(v.denominator)


def _valid(ev: engine.Evaluator, record: dict[str, Any]) -> engine.Decision | None:
    try:
        return ev.evaluate(ev.validate(record))
    except engine.RecordError:
        return None


def _outcome(d: engine.Decision, action: str) -> tuple[str | None, str | None]:
    for r in d.recommendations:
        if r.action == action:
            return r.strength, r.category
    return None, None


def _inside(region: Region, record: dict[str, Any]) -> bool:
    return all(in_bound(b, record[b.input]) for b in region.bounds)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_regions_are_exactly_the_changes(case: Case, data: st.DataObject) -> None:
    report, old, new, ev_old, ev_new = _setup(case.name)
    record = data.draw(st.fixed_dictionaries(_values(old, new)))
    d_old, d_new = _valid(ev_old, project(old, record)), _valid(ev_new, project(new, record))
    sem = report.semantic
    if d_old is not None and d_new is not None:
        actions = {a.action: a for a in sem.actions}
        for action in {a.id for a in old.actions} | {a.id for a in new.actions}:
            got = (_outcome(d_old, action), _outcome(d_new, action))
            change = actions.get(action)
            holding = [t for t in (change.transitions if change else ())
                       if any(_inside(r, record) for r in t.regions)]
            if got[0] == got[1]:
                assert not holding, f"{action}: {record} is in a region but nothing changes"
            else:
                assert [((t.old.strength, t.old.category), (t.new.strength, t.new.category)) for t in holding] \
                    == [got], f"{action}: change {got} at {record} not reported"
    for v in sem.validity:
        accepted, rejected = (d_old, d_new) if v.side == "old" else (d_new, d_old)
        inside = any(_inside(r, record) for r in v.regions)
        if accepted is not None:
            assert inside == (rejected is None), f"valid under {v.side} only: {record}"
    if not sem.validity:
        assert (d_old is None) == (d_new is None), f"validity differs at {record} but no change reported"
