"""Coverage gap regions by box algebra (verifier.facts.boxgaps, verifier.counterexamples.boxgaps)
against the engine and against the Z3 region finder, on many small random tables.

* every listed region holds only records that get nothing: points sampled in
  each region (its corners and inner points) are run through the engine;
* the gap boxes (all of them, before the cap) and the Z3 path agree on which
  records get nothing: random records of the domain are in some gap box exactly
  when the Z3 encoding gives them nothing, and every example of the Z3 path's
  regions lies in a gap box;
* same input, same output (byte for byte), and the cap is honoured.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from typing import Any

import pytest

import dsl
from dsl import model as m
from engine import compile_ruleset
from tests.check.test_box_tables import _rules_text, _table
from verifier.counterexamples.boxgaps import box_gap_regions, serving_rules
from verifier.counterexamples.gaps import gap_regions
from verifier.facts.boxgaps import gap_boxes
from verifier.facts.boxrules import Box, BoxModel
from verifier.facts.values import json_record
from verifier.solver.encoding import Encoding


def _rulesets() -> list[tuple[str, m.Ruleset]]:
    out = [(f"unique-{s}", _table(s, "UNIQUE")) for s in range(14)]
    out += [(f"{p.lower()}-{s}", _table(300 + s, p)) for p in ("FIRST", "ANY", "COLLECT") for s in range(3)]
    out += [(f"hand-{s}", dsl.parse_ruleset(_rules_text(2000 + s))) for s in range(14)]
    return out


# The random tables the box reading takes (a one-row table has no guard to read, so it is
# left to Z3); the test below keeps the filter from emptying the list unnoticed.
ALL = _rulesets()
CASES = [(name, rs) for name, rs in ALL if BoxModel.of(rs) is not None]


def test_nearly_every_random_table_is_read_as_boxes() -> None:
    assert len(CASES) >= len(ALL) - 5


def _values_in(cell: Any, rng: random.Random, inp: m.Input) -> list[Any]:
    """Values of one cell: its ends when closed, points just inside them, and a few random ones."""
    if isinstance(cell, frozenset):
        return sorted(cell, key=repr)
    (_, lo, lf), (_, hi, hf) = cell
    is_int = isinstance(inp.type, m.IntType)
    eps = Fraction(1) if is_int else Fraction(1, 1000)
    cands = [lo, hi, lo + eps, hi - eps, (lo + hi) / 2]
    span_lo, span_hi = max(lo, Fraction(-20)), min(hi, Fraction(1020))
    if span_lo < span_hi:
        cands += [span_lo + (span_hi - span_lo) * Fraction(rng.randrange(1, 100), 100) for _ in range(3)]
    out = []
    for v in cands:
        if is_int:
            v = Fraction(round(v))
        if (lo < v or (lo == v and lf == 0)) and (v < hi or (v == hi and hf == 0)):
            out.append(v)
    return out


def _points(bm: BoxModel, box: Box, rng: random.Random, n: int) -> list[tuple[Any, ...]]:
    cols = [_values_in(c, rng, i) for c, i in zip(box, bm.inputs)]
    if any(not c for c in cols):
        return []
    return [tuple(rng.choice(c) for c in cols) for _ in range(n)]


def _engine_gives_nothing(ev: Any, bm: BoxModel, point: tuple[Any, ...]) -> bool:
    record = json_record(bm.record(point))
    return not ev.evaluate(ev.validate(record)).recommendations


def _in_box(bm: BoxModel, box: Box, point: tuple[Any, ...]) -> bool:
    return all(
        (v in cell) if isinstance(cell, frozenset) else
        ((cell[0][1] < v or (cell[0][1] == v and cell[0][2] == 0)) and (v < cell[1][1] or (v == cell[1][1] and cell[1][2] == 0)))
        for v, cell in zip(point, box))


@pytest.mark.parametrize("name,rs", CASES, ids=[c[0] for c in CASES])
def test_every_region_holds_only_records_that_get_nothing(name: str, rs: m.Ruleset) -> None:
    bm = BoxModel.of(rs)
    assert bm is not None
    ev = compile_ruleset(rs)
    rng = random.Random(name)
    boxes = gap_boxes(bm, serving_rules(rs))
    assert boxes is not None
    for b in boxes:
        for p in _points(bm, b, rng, 12):
            assert _engine_gives_nothing(ev, bm, p), (name, b, p)
    gaps = box_gap_regions(rs, 8)
    assert gaps is not None
    for g in gaps.regions:
        assert not ev.evaluate(ev.validate(g.example)).recommendations, (name, g.text)


@pytest.mark.parametrize("name,rs", CASES, ids=[c[0] for c in CASES])
def test_gap_boxes_agree_with_z3_on_which_records_get_nothing(name: str, rs: m.Ruleset) -> None:
    bm = BoxModel.of(rs)
    assert bm is not None
    boxes = gap_boxes(bm, serving_rules(rs))
    assert boxes is not None
    enc = Encoding(rs)
    rng = random.Random(name)
    # Random valid records, many of them on row boundaries (where gaps and overlaps start).
    for p in _points(bm, bm.domain, rng, 150):
        d = enc.decide(json_record(bm.record(p)))
        if d is None:
            continue  # outside the constraints
        in_gap = any(_in_box(bm, b, p) for b in boxes)
        assert in_gap == (not d.given), (name, p)
    # And what the Z3 region finder lists as gaps is inside the box path's gaps.
    z3_gaps = gap_regions(rs, timeout_s=None, boxes=False)
    for g in z3_gaps.regions:
        point = tuple(Fraction(str(g.example[i.name])) if isinstance(i.type, (m.IntType, m.RealType))
                      else g.example[i.name] for i in bm.inputs)
        assert any(_in_box(bm, b, point) for b in boxes), (name, g.text)
    box = box_gap_regions(rs, 8)
    assert box is not None
    assert (box.regions == ()) == (z3_gaps.regions == ())


@pytest.mark.parametrize("name,rs", CASES[:10], ids=[c[0] for c in CASES[:10]])
def test_same_table_same_regions_and_the_cap_holds(name: str, rs: m.Ruleset) -> None:
    first = box_gap_regions(rs, 8)
    again = box_gap_regions(dsl.parse_ruleset(dsl.format_ruleset(rs)) if hasattr(dsl, "format_ruleset") else rs, 8)
    assert first is not None and again is not None
    assert json.dumps(first.to_json()) == json.dumps(again.to_json())
    one = box_gap_regions(rs, 1)
    assert one is not None and len(one.regions) <= 1
    if len(first.regions) > 1:
        assert one.more


def test_a_unique_overlap_is_a_gap_region() -> None:
    text = ('ruleset u version "1"\ninput v: real [0, 10]\naction p: drug "P"\naction q: drug "Q"\n'
            "define m1 = v < 6\ndefine m2 = v >= 4\ndefine two = m1 and m2\n"
            'rule r1 "r1"\n  when m1 and not two\n  recommend p category 1 sources [s]\n'
            'rule r2 "r2"\n  when m2 and not two\n  recommend q category 1 sources [s]\nsource s "S"\n')
    rs = dsl.parse_ruleset(text)
    gaps = box_gap_regions(rs, 8)
    assert gaps is not None
    assert [g.text for g in gaps.regions] == ["v in [4, 6)"]
    assert gaps.regions[0].example == {"v": 4} and not gaps.more
