"""What the diff tests share: confirming a report's examples with the engines, independently of the diff."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import engine
from dsl import model as m
from verifier.diff.compare import DiffReport, Region
from verifier.diff.regions import Bound
from verifier.facts.values import to_fraction


def project(ruleset: m.Ruleset, example: dict[str, Any]) -> dict[str, Any]:
    """The part of a diff example one version reads."""
    return {i.name: example[i.name] for i in ruleset.inputs}


def outcome(ev: engine.Evaluator, record: dict[str, Any], action: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(strength, category, rules) the engine gives ``action`` for ``record``."""
    d = ev.evaluate(ev.validate(record))
    for r in d.recommendations:
        if r.action == action:
            return r.strength, r.category, r.rules
    return None, None, ()


def in_bound(b: Bound, value: Any) -> bool:
    if b.values is not None:
        return value in b.values
    v = to_fraction(value)
    assert b.lo is not None and b.hi is not None
    lo_ok = v > b.lo or (b.lo_closed and v == Fraction(b.lo))
    hi_ok = v < b.hi or (b.hi_closed and v == Fraction(b.hi))
    return lo_ok and hi_ok


def assert_in_region(region: Region) -> None:
    for b in region.bounds:
        assert in_bound(b, region.example[b.input]), f"example {region.example} is outside {b.text}"


def confirm_report(report: DiffReport, old: m.Ruleset, new: m.Ruleset) -> int:
    """Run every example of ``report`` through both engines; returns how many were checked."""
    ev_old, ev_new = engine.compile_ruleset(old), engine.compile_ruleset(new)
    checked = 0
    for a in report.semantic.actions:
        for t in a.transitions:
            for r in t.regions:
                assert_in_region(r)
                s_old, c_old, rules_old = outcome(ev_old, project(old, r.example), a.action)
                s_new, c_new, rules_new = outcome(ev_new, project(new, r.example), a.action)
                assert (s_old, c_old) == (t.old.strength, t.old.category), (a.action, r.example)
                assert (s_new, c_new) == (t.new.strength, t.new.category), (a.action, r.example)
                assert (rules_old, rules_new) == (r.old_rules, r.new_rules)
                checked += 1
    for v in report.semantic.validity:
        accept, reject = (ev_old, ev_new) if v.side == "old" else (ev_new, ev_old)
        acc_rs, rej_rs = (old, new) if v.side == "old" else (new, old)
        for r in v.regions:
            assert_in_region(r)
            accept.validate(project(acc_rs, r.example))
            try:
                reject.validate(project(rej_rs, r.example))
            except engine.RecordError:
                pass
            else:
                raise AssertionError(f"the {v.side} version's other side accepts {r.example}")
            checked += 1
    return checked
