"""The engine and the Z3 encoding are two readings of one semantics: on every
valid record they must reach the same decision.

Records come from ``verifier.cases.strategies.valid_records`` (constraint-aware,
boundary-biased, aimed at every rule in turn). For each one the engine's
decision (fired rules in order; recommended, considered and avoided actions)
must equal the decision read off the Z3 model with every input fixed, and
each property's truth in that model must equal its value computed from the
record and the engine's decision by the plain evaluator of
``verifier.facts.evaluation``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from dsl.model import Ruleset
from engine import compile_ruleset
from tests.verifier_helpers import rule, ruleset
from verifier.facts.evaluation import Statuses, environment, evaluate
from verifier.solver.encoding import Encoding
from verifier.cases.strategies import valid_records

# Exercises what the liposarcoma ruleset does not: arithmetic, unary minus,
# iff, "not in", enum == enum-literal on the left, real literals, "one of",
# considered-but-also-recommended, and statuses over groups and kinds.
ARITH = ruleset("""
input dose: real [0, 50.5]
input weight: real [2.5, 150]
input age: int [0, 110]
input arm: enum {left, right, none}
input pregnant: bool
input frail: bool
define per_kg = dose * 2 - weight * 0.25
define elderly = age >= 65
define heavy = weight > 100.25
action low: systemic "Low dose"
action high: systemic "High dose"
action watch: surveillance "Watch"
action cut: surgery "Cut"
actions drugs = {low, high}
constraint C1 "children are light": age < 12 implies weight <= 60
constraint C2 "no pregnancy at the extremes": pregnant implies age >= 12 and age <= 55
constraint C3 "a dose needs a weight": dose > 0 implies weight >= 3.5
""" + rule("r_high", "per_kg > 10 and not elderly", "recommend high", "consider low")
    + rule("r_low", "per_kg <= 10 and -age < -18 or frail", "recommend low")
    + rule("r_choice", "arm not in {none} and (pregnant iff frail)", "recommend one of {cut, watch}")
    + rule("r_left", "left == arm and heavy", "consider cut", "avoid high")
    + rule("r_product", "age * 2 + 1 > weight and dose != 0", "consider watch")
    + rule("r_none", "not (arm in {left, right})", "avoid cut")
    + """
property P1 "drugs only with a dose or frailty": given(drugs) implies dose > 0 or frail or age > 18
property P2 "cut never avoided and given": not (given(cut) and avoided(cut))
property P3 "systemic considered": considered(kind systemic) implies not recommended(low) or recommended(high)
""", "<arith>")

# Issue 12: score tables (int and decimal weights, negative weights), nested
# if-then-else over numbers, conditions and enum values, min and max, all
# compared at thresholds the scores actually cross.
SCORES = ruleset("""
input age: int [18, 110]
input female: bool
input chf: bool
input stroke: bool
input bleed: bool
input inr: real [0.5, 8]
input rhythm: enum {sinus, af, flutter}
define score = points { chf: 1, age >= 75: 2, age >= 65 and age < 75: 1, stroke: 2, female: -1 }
define risk = points { bleed: 1.5, inr > 3: 0.75, age > 65: 1 }
define capped = min(score, 3) + max(inr, 2.5) - (if bleed then 0.5 else 0)
define band = if score >= 3 then 2 else if score >= 1 then 1 else 0
define fib = (if female then rhythm else af) != sinus
action doac: drug "DOAC"
action vka: drug "VKA"
action laao: surgery "LAAO"
action none_: surveillance "Nothing"
""" + rule("r_doac", "band == 2 and fib and not bleed", "recommend doac")
    + rule("r_vka", "band >= 1 and risk < 2.25", "consider vka")
    + rule("r_laao", "max(score, risk) >= 3 and (if bleed then capped > 4 else false)", "consider laao")
    + rule("r_none", "band == 0 or capped <= 3.5", "recommend none_")
    + """
property P1 "a DOAC only with a high score": given(doac) implies score >= 3
property P2 "if then else in a property": (if bleed then not recommended(doac) else true)
""", "<scores>")

EXAMPLES = {"liposarcoma": 1500, "arith": 600, "scores": 400}


def _check_record(rs: Ruleset, ev: Any, enc: Encoding, record: dict[str, Any]) -> None:
    d = ev.evaluate(ev.validate(record))
    model = enc.model_of(record)
    assert model is not None, f"Z3 finds the record invalid: {record}"
    z = enc.decision(model)
    engine_view = (tuple(d.fired), d.recommended, d.considered, d.avoided)
    z3_view = (z.fired, z.recommended, z.considered, z.avoided)
    assert engine_view == z3_view, f"engine and Z3 disagree on {record}"
    env = environment(rs, record)
    statuses = Statuses.of_decision(d)
    expected = {p.id: bool(evaluate(p.expr, env, statuses)) for p in rs.properties}
    assert enc.property_values(model) == expected, f"property values disagree on {record}"


def _differential(rs: Ruleset, examples: int) -> None:
    ev = compile_ruleset(rs)
    enc = Encoding(rs)

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(valid_records(rs))
    def agree(record: dict[str, Any]) -> None:
        _check_record(rs, ev, enc, record)

    agree()


# Evidence categories and "one of" choices: rules that give the same action at
# several strengths and categories, alone and on "one of" lines, so that the
# winning strength, the strongest category and the alternatives all vary.
DECISIONS = ruleset("""
input n: int [0, 6]
input m: bool
input k: enum {p, q, r}
action a: surgery "A"
action b: surgery "B"
action c: systemic "C"
rule r1 "r1" when n >= 2
  recommend one of {a, b} category 2A sources [s]
rule r2 "r2" when m
  recommend a category 1 sources [s]
rule r3 "r3" when k == q
  consider one of {b, c} category 2B sources [s]
  avoid a category 3 sources [s]
rule r4 "r4" when n <= 3 and k != r
  consider c category 1 sources [s]
rule r5 "r5" when k == r or n == 6
  avoid one of {b, c} category 2A sources [s]
property K1 "a is category 1": category(a) == 1
property K2 "b in 2A or 2B": category(b) in {2A, 2B}
property K3 "c not category 1": category(c) != 1
property K4 "a, b one of": alternatives(a, b)
property K5 "b, c one of": alternatives(c, b)
property K6 "c category 3 or absent": category(c) not in {1, 2A, 2B}
""")


def test_categories_and_alternatives_engine_equals_z3() -> None:
    _differential(DECISIONS, 300)


def test_liposarcoma_engine_equals_z3(lipo_ruleset: Ruleset) -> None:
    _differential(lipo_ruleset, EXAMPLES["liposarcoma"])


def test_arithmetic_engine_equals_z3() -> None:
    _differential(ARITH, EXAMPLES["arith"])


def test_scores_engine_equals_z3() -> None:
    _differential(SCORES, EXAMPLES["scores"])


@pytest.mark.parametrize("size", ["5", "5.0", "5.00001", "4.99999", "0.1", "100"])
def test_exact_boundaries(lipo_ruleset: Ruleset, size: str) -> None:
    """Hand-picked boundary values, as decimals parsed from JSON text."""
    from engine import load_record_json

    ev = compile_ruleset(lipo_ruleset)
    enc = Encoding(lipo_ruleset)
    base = {
        "site": "extremity", "size_cm": 1, "depth": "deep", "subtype": "pleomorphic", "central_review_done": True,
        "grade": "G3", "round_cell_pct": 0, "mdm2_status": "not_amplified", "ddit3_status": "not_rearranged",
        "metastatic_status": "localized", "oligometastatic": False, "referred": True, "mdtb_reviewed": True,
        "mri_primary_done": True, "chest_ct_done": True, "abdominal_pelvic_ct_done": False,
        "spine_mri_done": False, "resectability": "resectable", "surgery_done": False,
        "unplanned_excision": False, "margin": "not_applicable", "closest_margin_mm": 0,
        "fascia_intact": False, "reexcision_feasible": False, "rt_given": "none",
        "prior_anthracycline": False, "prior_ifosfamide": False, "anthracycline_unsuitable": False,
        "prior_lines": 0, "ecog": 0, "jurisdiction": "eu", "treatment_completed": False,
        "months_since_treatment": 0, "recurrence": "none",
    }
    import json

    text = json.dumps(base).replace('"size_cm": 1', f'"size_cm": {size}')
    record = load_record_json(text)
    _check_record(lipo_ruleset, ev, enc, ev.validate(record))
    fired = enc.decide(ev.validate(record)).fired  # type: ignore[union-attr]
    assert ("primary_rt_high_risk" in fired) == (float(size) > 5)


def test_categories_and_alternatives_on_every_record() -> None:
    """All 42 records of DECISIONS, and each category/alternatives property both true and false somewhere."""
    ev, enc = compile_ruleset(DECISIONS), Encoding(DECISIONS)
    seen: dict[str, set[bool]] = {p.id: set() for p in DECISIONS.properties}
    for n in range(7):
        for m_ in (False, True):
            for k in ("p", "q", "r"):
                record = {"n": n, "m": m_, "k": k}
                _check_record(DECISIONS, ev, enc, record)
                for pid, value in enc.property_values(enc.model_of(record)).items():
                    seen[pid].add(value)
    assert all(v == {True, False} for v in seen.values()), seen
