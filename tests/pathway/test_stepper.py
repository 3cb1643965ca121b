"""The engine's journey stepper: successors, ends of journeys, and that it needs no Z3."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from engine import compile_ruleset
from engine.pathway import Stepper
from tests.pathway.helpers import SMALL, load

START = {"referred": False, "imaged": False, "depth": "unknown", "operated": False,
         "margin": "none", "mm": 0, "months": 0}


def stepper() -> Stepper:
    return Stepper(compile_ruleset(load(SMALL)))


def test_successors_follow_effects_and_constraints():
    st = stepper()
    r = st.evaluator.validate(dict(START))
    steps = list(st.successors(r))
    # pet has no effect: it never makes a step; image has two outcomes.
    assert [a for a, _ in steps] == ["refer", "image", "image"]
    assert [n["depth"] for a, n in steps if a == "image"] == ["superficial", "deep"]
    assert all(n["imaged"] for a, n in steps if a == "image")


def test_constraints_prune_outcomes():
    st = stepper()
    r = st.evaluator.validate(dict(START, referred=True, imaged=True, depth="deep"))
    outs = st.outcomes(r, "operate")
    # R0 needs a positive distance, R1 needs 0 (K3): two of the four combinations remain.
    assert sorted((o["margin"], o["mm"]) for o in outs) == [("R0", Decimal(5)), ("R1", 0)]


def test_advance_runs_into_the_domain_and_the_journey_ends():
    st = stepper()
    r = st.evaluator.validate(dict(START, referred=True, imaged=True, depth="deep", operated=True,
                                   margin="R1", months=18))
    j = st.walk(r, 10)
    assert [s.action for s in j.steps] == ["follow"]
    assert j.final["months"] == 24 and j.ended


def test_walk_takes_the_first_step_and_replay_accepts_it():
    st = stepper()
    r = st.evaluator.validate(dict(START))
    j = st.walk(r, 10)
    assert [s.action for s in j.steps][:3] == ["refer", "image", "operate"]
    assert st.replay(j.records, [s.action for s in j.steps]) is None


def test_replay_rejects_a_step_the_rules_do_not_give():
    st = stepper()
    r = st.evaluator.validate(dict(START))
    nxt = dict(r, operated=True, margin="R1")
    assert "operate is not given" in (st.replay([r, nxt], ["operate"]) or "")


def test_engine_stepper_needs_no_z3():
    code = ("import sys, dsl; from engine import compile_ruleset; from engine.pathway import Stepper; "
            "rs = dsl.load_ruleset('rulesets/liposarcoma.rules'); Stepper(compile_ruleset(rs)); "
            "print('z3' in sys.modules, 'hypothesis' in sys.modules)")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False False"
