"""Counterexample journeys: read from Z3, replayed through the engine, shown as step tables."""

from __future__ import annotations

from typing import Any, Sequence

from dsl import model as m
from engine import compile_ruleset
from engine.pathway import Stepper, compile_conditions
from verifier.facts.values import Value, is_exact_record, json_record
from verifier.solver.replay import EngineDisagreement


class JourneyReplayer:
    """The engine's view of a journey: is every step allowed, and what holds where."""

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset
        self.evaluator = compile_ruleset(ruleset)
        self.stepper = Stepper(self.evaluator)

    def engine_records(self, records: Sequence[dict[str, Value]]) -> list[dict[str, Any]] | None:
        """The records as the engine validates them; None if one holds a real no decimal can hold."""
        if not all(is_exact_record(r) for r in records):
            return None
        try:
            return [self.evaluator.validate(json_record(r)) for r in records]
        except Exception as err:  # RecordError: the verifier produced an invalid record
            raise EngineDisagreement(f"a journey record is invalid for the engine: {err}") from None

    def check_steps(self, records: list[dict[str, Any]], actions: Sequence[str], what: str) -> None:
        why = self.stepper.replay(records, actions)
        if why is not None:
            raise EngineDisagreement(f"the journey refuting {what} is not one the engine allows: {why}")

    def conditions(self, exprs: Sequence[m.Expr], records: list[dict[str, Any]]) -> list[tuple]:
        """The truth of each expression at each record, by the engine."""
        fn = compile_conditions(self.ruleset, list(exprs))
        return [fn(r, self.evaluator.evaluate(r)) for r in records]

    def ended(self, record: dict[str, Any]) -> bool:
        return not any(True for _ in self.stepper.successors(record))

    def given(self, record: dict[str, Any]) -> tuple[str, ...]:
        return self.stepper.given(record)


def journey_json(records: Sequence[dict[str, Value]], actions: Sequence[str],
                 given: Sequence[Sequence[str]]) -> list[dict[str, Any]]:
    """One entry per record: the step number, the whole record, what is given, and the action taken."""
    out = []
    for k, r in enumerate(records):
        out.append({
            "step": k,
            "record": json_record(r),
            "given": list(given[k]) if k < len(given) else [],
            "action": actions[k] if k < len(actions) else None,
        })
    return out


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def journey_table(journey: list[dict[str, Any]]) -> list[str]:
    """A step table for people: the starting record in full, then each step's action and what it changed.

    Under each record, the actions the ruleset gives there: the choices the
    journey had at that point.
    """
    lines = ["step | action taken | what it changed (step 0: the starting record)"]
    prev: dict[str, Any] | None = None
    for k, entry in enumerate(journey):
        rec = entry["record"]
        if prev is None:
            lines.append("   0 | (start) | " + "  ".join(f"{n}={_show(v)}" for n, v in rec.items()))
        else:
            changed = "  ".join(f"{n}: {_show(prev[n])} -> {_show(v)}" for n, v in rec.items() if prev[n] != v)
            lines.append(f"{k:>4} | {journey[k - 1]['action']} | {changed}")
        if entry["given"]:
            lines.append(f"     |   given here: {', '.join(entry['given'])}")
        prev = rec
    return lines
