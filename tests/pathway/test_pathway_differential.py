"""One journey semantics: the engine's stepper and the Z3 unrolling agree on every valid record.

For records drawn by ``valid_records`` from the liposarcoma ruleset (with its
effects), the set of steps the engine finds (action, next record) must be
exactly the set Z3 finds when the first record is fixed, and "the journey
ends here" must agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import z3
from hypothesis import HealthCheck, given, settings

import dsl
from engine import compile_ruleset
from engine.pathway import Stepper
from verifier.cases.strategies import valid_records
from verifier.pathway.unroll import Unrolling
from verifier.solver.encoding import Encoding
from verifier.facts.values import json_record

ROOT = Path(__file__).resolve().parents[2]
RS = dsl.load_ruleset(ROOT / "rulesets" / "liposarcoma.rules")
ENC = Encoding(RS)
SOLVER = z3.Solver(ctx=ENC.ctx)
U = Unrolling(ENC, SOLVER, "d")
U.step(0)
STEPPER = Stepper(compile_ruleset(RS))


def _fix(record: dict[str, Any], i: int) -> list[z3.BoolRef]:
    return [x == U.const(inp, v if not isinstance(v, float) else str(v))
            for inp, x, v in ((inp, x, record[inp.name]) for inp, x in zip(U.inputs, U.record(i)))]


def z3_steps(record: dict[str, Any]) -> set[tuple[str, tuple]]:
    """Every (action, next record) Z3 allows from ``record``, by blocking each found one."""
    found: set[tuple[str, tuple]] = set()
    SOLVER.push()
    try:
        SOLVER.add(*_fix(record, 0), U.exists[0])
        while SOLVER.check() == z3.sat:
            recs, acts = U.read(SOLVER.model(), 1)
            nxt = json_record(recs[1])
            found.add((acts[0], tuple(sorted(nxt.items()))))
            SOLVER.add(z3.Not(z3.And(U.acts[0] == U.movers.index(acts[0]), *_fix(nxt, 1))))
    finally:
        SOLVER.pop()
    return found


def engine_steps(record: dict[str, Any]) -> set[tuple[str, tuple]]:
    r = STEPPER.evaluator.validate(record)
    out = set()
    for action, nxt in STEPPER.successors(r):
        plain = {k: (int(v) if hasattr(v, "to_integral_value") and v == v.to_integral_value() else
                     float(v) if hasattr(v, "to_integral_value") else v) for k, v in nxt.items()}
        out.add((action, tuple(sorted(plain.items()))))
    return out


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(valid_records(RS))
def test_engine_and_z3_take_the_same_steps(record):
    z = z3_steps(record)
    e = engine_steps(record)
    assert z == e
    ended = SOLVER.check(*_fix(record, 0), U.ended(0)) == z3.sat
    assert ended == (not e)
