"""The box reading of decision tables (verifier.facts.boxrules) against Z3 alone.

Every verdict of ``check_ruleset`` with the box reading must be the verdict of
the plain Z3 path, with the same messages and warnings, on many small random
tables (gaps, overlaps, dead rows, redundant rows, several hit policies) and on
random hand-written box rules (int/real/enum/bool inputs, open and closed ends,
box constraints). A counterexample the box reading finds may differ from Z3's;
it is then checked against the encoding itself.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

import dsl
from dsl import model as m
from verifier.check.results import REFUTED
from verifier.check.run import check_ruleset
from verifier.dmn import read_dmn, read_dmn_file, translate
from verifier.dmn.synthetic import synthetic_dmn
from verifier.facts.boxrules import BoxModel
from verifier.solver.encoding import Encoding


def _table(seed: int, policy: str) -> m.Ruleset:
    rng = random.Random(seed)
    xml = synthetic_dmn(rng.randrange(2, 18), rng.randrange(1, 4), perturb=rng.choice((0, 0.3, 0.6, 1.0)), seed=seed)
    xml = xml.replace('hitPolicy="UNIQUE"', f'hitPolicy="{policy}"')
    if rng.random() < 0.4:  # one output everywhere: rows may be redundant
        xml = re.sub(r"&quot;(low|medium|high)&quot;</text></outputEntry>", "&quot;low&quot;</text></outputEntry>", xml)
    return dsl.parse_ruleset(translate(read_dmn(xml.encode(), "t.dmn")).text)


def _atom(rng: random.Random) -> str:
    k = rng.randrange(7)
    if k == 0:
        return f"xv {rng.choice(('<', '<=', '>', '>=', '=='))} {rng.randrange(-1, 12)}"
    if k == 1:
        return f"y {rng.choice(('<', '<=', '>', '>='))} {rng.choice(('0', '1.5', '2', '2.25', '4', '5'))}"
    if k == 2:
        vals = rng.sample(("a", "b", "c"), rng.randrange(1, 3))
        return f"e {'not in' if rng.random() < 0.3 else 'in'} {{{', '.join(vals)}}}"
    if k == 3:
        return rng.choice(("b", "not b"))
    if k == 4:
        return f"e {rng.choice(('==', '!='))} {rng.choice('abc')}"
    if k == 5:
        return f"not (xv {rng.choice(('<', '>='))} {rng.randrange(0, 11)})"
    return f"xv >= {rng.randrange(0, 6)} and xv < {rng.randrange(4, 11)}"


def _rules_text(seed: int) -> str:
    rng = random.Random(seed)
    n = rng.randrange(2, 9)
    lines = ['ruleset r version "1"', "input xv: int [0, 10]", "input y: real [0, 5]", "input e: enum {a, b, c}",
             "input b: bool", "action p: drug \"P\"", "action q: drug \"Q\""]
    if rng.random() < 0.3:
        lines.append(f'constraint C1 "box": {_atom(rng)}')
    if rng.random() < 0.3:  # one the domains already imply (a warning), or one that bites
        lines.append(f'constraint C2 "range": {rng.choice(("xv >= 0", "y <= 5", "y <= 4.5", "xv <= 10"))}')
    boxes = []
    for k in range(n):
        box = " and ".join(f"({_atom(rng)})" for _ in range(rng.randrange(1, 4)))
        if boxes and rng.random() < 0.25:
            box = rng.choice(boxes)  # a duplicated row: redundant or overlapping
        boxes.append(box)
        lines.append(f"define m{k} = {box}")
    # A U-style guard over the boxes, as the DMN import writes it, on some rules.
    lines.append("define seen1 = m0")
    for k in range(1, n):
        lines.append(f"define seen{k + 1} = seen{k} or m{k}")
    lines.append("define two2 = (m1 and seen1)")
    for k in range(2, n):
        lines.append(f"define two{k + 1} = two{k} or (m{k} and seen{k})")
    for k in range(n):
        guard = rng.choice(("", f" and not two{n}", f" and not seen{k}" if k else "",
                            f" and not (m{rng.randrange(n)} or y > 2.5)", f" and (m{rng.randrange(n)} or e == b)"))
        act = rng.choice(("recommend p", "recommend q", "consider p"))
        lines.append(f'rule r{k} "r{k}"\n  when m{k}{guard}\n  {act} category 1 sources [s]')
    lines.append('source s "S"')
    return "\n".join(lines) + "\n"


def _same_verdicts(rs: m.Ruleset) -> None:
    fast = check_ruleset(rs, timeout_s=None, pathway=None)
    plain = check_ruleset(rs, timeout_s=None, pathway=None, boxes=False)
    assert [r.property for r in fast.results] == [r.property for r in plain.results]
    enc = Encoding(rs)
    for a, b in zip(fast.results, plain.results):
        assert (a.status, a.kind) == (b.status, b.kind), (a.property, a.message, b.message)
        assert not a.internal_error
        if a.counterexample is None or a.counterexample == b.counterexample:
            assert (a.message, a.detail, a.fired) == (b.message, b.detail, b.fired), a.property
        else:  # a different witness: it must be one for Z3 too
            assert a.property == "coverage" and a.status == REFUTED
            d = enc.decide(a.counterexample)
            assert d is not None and not d.given and tuple(a.fired or ()) == d.fired
    assert [w.to_json() for w in fast.warnings] == [w.to_json() for w in plain.warnings]


@pytest.mark.parametrize("seed", range(24))
def test_unique_tables_agree_with_z3(seed: int) -> None:
    rs = _table(seed, "UNIQUE")
    assert BoxModel.of(rs) is not None or len(rs.rules) == 1
    _same_verdicts(rs)


@pytest.mark.parametrize("policy,seed", [(p, s) for p in ("FIRST", "ANY", "COLLECT") for s in range(8)])
def test_other_policies_agree_with_z3(policy: str, seed: int) -> None:
    _same_verdicts(_table(100 + seed, policy))


@pytest.mark.parametrize("seed", range(30))
def test_hand_written_box_rules_agree_with_z3(seed: int) -> None:
    rs = dsl.parse_ruleset(_rules_text(seed))
    assert BoxModel.of(rs) is not None  # these all fit the reading
    _same_verdicts(rs)


@pytest.mark.parametrize("seed", range(30))
def test_the_reading_decides_each_record_as_z3_does(seed: int) -> None:
    rs = dsl.parse_ruleset(_rules_text(1000 + seed))
    bm = BoxModel.of(rs)
    assert bm is not None
    enc = Encoding(rs)
    rng = random.Random(seed)
    for _ in range(40):
        point = (rng.randrange(0, 11), rng.choice((0, 1.5, 2, 2.25, 3, 4, 5)), rng.choice("abc"), rng.random() < 0.5)
        from fractions import Fraction
        point = (Fraction(point[0]), Fraction(point[1]), point[2], point[3])
        record = bm.record(point)
        d = enc.decide(record)
        if d is None:  # outside the constraints
            continue
        assert tuple(r.id for r in rs.rules if r.id in set(bm.fired(bm.hits(point)))) == d.fired


def test_a_rule_outside_the_shapes_turns_the_reading_off() -> None:
    text = _rules_text(3).replace("input b: bool", "input b: bool\ninput z: int [0, 9]")
    text = text.replace("when m0", "when m0 and xv + z > 3")
    assert BoxModel.of(dsl.parse_ruleset(text)) is None


@pytest.mark.parametrize("seed", range(40))
def test_dead_and_witness_claims_hold_for_z3(seed: int) -> None:
    # Called on every rule (check only calls ``dead`` once no witness is found).
    rs = _table(200 + seed, "UNIQUE") if seed % 2 else dsl.parse_ruleset(_rules_text(2000 + seed))
    bm = BoxModel.of(rs)
    if bm is None:
        return
    enc = Encoding(rs)
    for r in rs.rules:
        fires = enc.check(enc.fires[r.id]).status
        if bm.dead(r.id):
            assert fires == "unsat", r.id
        if bm.witness(r.id) is not None:
            assert fires == "sat", r.id


def _clean_table(seed: int) -> m.Ruleset:
    """A partition (no overlap) with constraints keeping records inside it: coverage holds."""
    rng = random.Random(seed)
    cols = rng.randrange(1, 5)
    text = translate(read_dmn(synthetic_dmn(rng.randrange(2, 40), cols, perturb=0, seed=seed).encode(), "c.dmn")).text
    cons = [f'constraint K{c} "range": c{c} != other' if c % 3 == 2 else
            f'constraint K{c} "range": c{c} >= 0 and c{c} < {1000 if c % 3 == 1 else 100}' for c in range(cols)]
    if rng.random() < 0.3:  # a hole in the ranges: coverage is refuted instead
        cons[0] = cons[0].replace(">= 0", ">= -1")
    return dsl.parse_ruleset(text.replace("\naction ", "\n" + "\n".join(cons) + "\naction ", 1))


@pytest.mark.parametrize("seed", range(20))
def test_partitions_inside_their_ranges_agree_with_z3(seed: int) -> None:
    _same_verdicts(_clean_table(seed))


def test_a_partition_is_proved_covered_by_boxes() -> None:
    rs = _clean_table(7)
    bm = BoxModel.of(rs)
    assert bm is not None and bm.covers({r.id for r in rs.rules})


TCK_MODELS = sorted((Path(__file__).parents[1] / "dmn" / "tck" / "compliance-level-2").glob("*/*.dmn"))


@pytest.mark.parametrize("path", TCK_MODELS, ids=[p.parent.name for p in TCK_MODELS])
def test_tck_tables_agree_with_z3(path: Path) -> None:
    text = translate(read_dmn_file(str(path))).text  # every vendored level-2 model is in the subset
    _same_verdicts(dsl.parse_ruleset(text))
