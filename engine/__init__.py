"""The runtime a hospital system embeds: validate a patient record, evaluate, explain.

It needs neither Z3 nor Graphviz::

    from dsl import load_ruleset
    from engine import compile_ruleset, load_record_json

    ev = compile_ruleset(load_ruleset("rulesets/liposarcoma.rules"))
    decision = ev.evaluate(ev.validate(load_record_json(text)))
"""

from __future__ import annotations

from dsl.model import Ruleset
from engine.decision import ConditionTrace, Decision, Recommendation, RuleTrace
from engine.evaluator import Evaluator
from engine.record import Problem, RecordError, load_json_strict, load_record_json

__all__ = [
    "ConditionTrace", "Decision", "Evaluator", "Problem", "Recommendation", "RecordError",
    "RuleTrace", "compile_ruleset", "load_json_strict", "load_record_json",
]


def compile_ruleset(ruleset: Ruleset) -> Evaluator:
    """Compile a checked ruleset for evaluation (do it once, evaluate many records)."""
    return Evaluator(ruleset)
