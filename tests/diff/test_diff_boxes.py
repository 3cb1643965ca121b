"""The diff's box path (verifier.diff.boxgrow) against the solver's region growth.

On many small random pairs of decision tables (one table and a perturbed
copy, several hit policies), ``semantic_diff`` with box-proved regions must
give the same verdict, the same changed actions and the same transitions as
with regions grown by Z3 alone; with a cap no search reaches, the regions of
either path must cover exactly the records whose outcome changes, which is
checked on sampled records through both engines.
"""

from __future__ import annotations

import random
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import dsl
import engine
from dsl import model as m
from verifier.diff.boxgrow import BoxProposer
from verifier.diff.compare import Region, SemanticDiff, semantic_diff
from verifier.diff.regions import RegionFinder
from verifier.diff.semantic import JointEncoding
from verifier.dmn import read_dmn, translate
from verifier.dmn.synthetic import synthetic_dmn
from verifier.facts.values import json_record
from tests.check.test_box_tables import _rules_text

CAP = 400  # above any number of regions these tables need: both covers are complete (asserted)


def _table(seed: int, perturb: float, rows: int, columns: int, policy: str, relabel: bool) -> m.Ruleset:
    xml = synthetic_dmn(rows, columns, perturb=perturb, seed=seed)
    xml = xml.replace('hitPolicy="UNIQUE"', f'hitPolicy="{policy}"')
    if relabel:  # fewer outputs: some changes of rows change nothing
        xml = re.sub(r"&quot;high&quot;</text></outputEntry>", "&quot;low&quot;</text></outputEntry>", xml)
    return dsl.parse_ruleset(translate(read_dmn(xml.encode(), "t.dmn")).text)


def _pair(seed: int) -> tuple[m.Ruleset, m.Ruleset]:
    rng = random.Random(seed)
    rows, columns = rng.randrange(2, 14), rng.randrange(1, 4)
    policy = rng.choice(("UNIQUE", "UNIQUE", "FIRST", "ANY", "COLLECT"))
    old = _table(seed, rng.choice((0, 0.3)), rows, columns, policy, rng.random() < 0.3)
    new = _table(seed, rng.choice((0.3, 0.6, 1.0)), rows, columns, policy, rng.random() < 0.3)
    return old, new


def _transitions(d: SemanticDiff) -> set[tuple[str, str, str]]:
    return {(a.action, t.old.text(), t.new.text()) for a in d.actions for t in a.transitions}


def _inside(region: Region, record: dict[str, Any]) -> bool:
    for b in region.bounds:
        v = record[b.input]
        if b.values is not None:
            if v not in b.values:
                return False
            continue
        x = Fraction(v)
        if b.lo is not None and (x < b.lo or (x == b.lo and not b.lo_closed)):
            return False
        if b.hi is not None and (x > b.hi or (x == b.hi and not b.hi_closed)):
            return False
    return True


def _random_record(rs: m.Ruleset, rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in rs.inputs:
        t = i.type
        if isinstance(t, m.EnumType):
            out[i.name] = rng.choice(t.values)
        elif isinstance(t, m.BoolType):
            out[i.name] = rng.random() < 0.5
        else:
            lo, hi = Fraction(t.lo), Fraction(t.hi)
            if hi - lo > 10**6:  # the synthetic tables cut near 0..1000 (ints) and 0..100 (reals)
                lo, hi = Fraction(-2), Fraction(1002 if isinstance(t, m.IntType) else 102)
            x = lo + Fraction(rng.randrange(0, int((hi - lo) * 8) + 1), 8)
            out[i.name] = int(x) if isinstance(t, m.IntType) else x
    return out


def _outcomes(ev: Any, record: dict[str, Any]) -> dict[str, str] | None:
    try:
        decision = ev.evaluate(ev.validate(json_record(record)))
    except engine.RecordError:
        return None
    return {r.action: f"{r.strength} {r.category} {sorted(r.alternatives)}" for r in decision.recommendations}


@pytest.mark.parametrize("seed", range(24))
def test_box_regions_agree_with_z3_regions(seed: int) -> None:
    old, new = _pair(seed)
    fast = semantic_diff(old, new, max_regions=CAP)
    slow = semantic_diff(old, new, max_regions=CAP, boxes=False)
    assert fast.status == slow.status
    assert fast.undecided == slow.undecided == ()
    assert [a.action for a in fast.actions] == [a.action for a in slow.actions]
    assert _transitions(fast) == _transitions(slow)
    assert not any(a.more for a in fast.actions + slow.actions)
    # Both covers are complete: on sampled valid records, a region of an action
    # holds the record exactly when the engines give it different outcomes.
    ev_old, ev_new = engine.compile_ruleset(old), engine.compile_ruleset(new)
    rng = random.Random(seed)
    for _ in range(150):
        record = _random_record(old, rng)
        o, n = _outcomes(ev_old, record), _outcomes(ev_new, record)
        if o is None or n is None:
            continue
        for d in (fast, slow):
            for a in d.actions:
                changed = o.get(a.action) != n.get(a.action)
                covered = any(_inside(r, record) for t in a.transitions for r in t.regions)
                assert covered == changed, (a.action, record, d is fast)


@pytest.mark.parametrize("seed", range(18))
def test_box_regions_agree_on_box_rules_with_constraints(seed: int) -> None:
    # Hand-written box rules (int/real/enum/bool, guards, box constraints): validity may change too.
    old, new = dsl.parse_ruleset(_rules_text(seed)), dsl.parse_ruleset(_rules_text(seed + 500))
    fast = semantic_diff(old, new, max_regions=CAP)
    slow = semantic_diff(old, new, max_regions=CAP, boxes=False)
    assert fast.status == slow.status
    assert fast.undecided == slow.undecided == ()
    assert _transitions(fast) == _transitions(slow)
    assert [v.side for v in fast.validity] == [v.side for v in slow.validity]
    assert not any(a.more for a in fast.actions + slow.actions) and not any(v.more for v in fast.validity)
    ev_old, ev_new = engine.compile_ruleset(old), engine.compile_ruleset(new)
    rng = random.Random(seed)
    for _ in range(150):
        record = _random_record(old, rng)
        o, n = _outcomes(ev_old, record), _outcomes(ev_new, record)
        for d in (fast, slow):
            for v in d.validity:
                # A validity region is read among the records its side accepts.
                valid, other = (o, n) if v.side == "old" else (n, o)
                inside = valid is not None and any(_inside(r, record) for r in v.regions)
                assert inside == (valid is not None and other is None), (record, d is fast)
            if o is None or n is None:
                continue
            for a in d.actions:
                changed = o.get(a.action) != n.get(a.action)
                covered = any(_inside(r, record) for t in a.transitions for r in t.regions)
                assert covered == changed, (a.action, record, d is fast)


def test_the_box_path_is_taken_on_tables_and_deterministic() -> None:
    old, new = _pair(3)
    joint = JointEncoding(old, new, None)
    assert BoxProposer.of(RegionFinder(joint)) is not None
    a = semantic_diff(old, new).to_json()
    b = semantic_diff(old, new).to_json()
    assert a == b


def test_rulesets_that_are_not_tables_keep_the_solver_path() -> None:
    # An optional input (the mother's HBsAg status) is outside the box reading.
    rs = dsl.load_ruleset(Path(__file__).resolve().parents[2] / "rulesets" / "hepb_perinatal.rules")
    assert BoxProposer.of(RegionFinder(JointEncoding(rs, rs, None))) is None
