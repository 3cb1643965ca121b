"""Counterexample journeys: read from Z3, replayed through the engine, shown as step tables."""

from __future__ import annotations

from typing import Any, Sequence

from dsl import model as m
from engine import compile_ruleset
from engine.pathway import Stepper, compile_conditions
from verifier.solver.encoding import Value, is_exact_record, json_record
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
    """A step table for people: step, action carried out, and the inputs that changed.

    The first row lists the starting record in full; later rows only what the
    previous step changed, so the journey reads as a story.
    """
    lines = ["step | action taken | record (step 0: every input; later: what changed)"]
    prev: dict[str, Any] | None = None
    for entry in journey:
        rec = entry["record"]
        if prev is None:
            what = "  ".join(f"{k}={_show(v)}" for k, v in rec.items())
        else:
            what = "  ".join(f"{k}: {_show(prev[k])} -> {_show(v)}" for k, v in rec.items() if prev[k] != v)
        action = entry["action"] or "-"
        lines.append(f"{entry['step']:>4} | {action} | {what}")
        if entry["given"]:
            lines.append(f"     |   given here: {', '.join(entry['given'])}")
        prev = rec
    return lines
