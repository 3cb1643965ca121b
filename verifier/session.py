"""One ruleset under verification: its encoding, its engine replayer, and the
bookkeeping every check shares (timing, witnesses, internal errors)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import z3

from dsl import model as m
from verifier.encode import Answer, Encoding, json_record
from verifier.replay import DecisionView, EngineDisagreement, Replayer
from verifier.results import PROVED, REFUTED, UNKNOWN, CheckResult, CoverageMatrix
from verifier.simplify import simplest_model


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a check function decides; ``Session.run`` adds name, kind, location and time."""

    status: str
    message: str = ""
    counterexample: dict[str, Any] | None = None
    fired: tuple[str, ...] | None = None
    detail: tuple[str, ...] = ()
    matrix: CoverageMatrix | None = None


def gave_up(ans: Answer) -> Outcome:
    return Outcome(UNKNOWN, f"the solver gave up ({ans.reason or 'unknown'}); not proved")


class Session:
    """Shared state of the checks of one ruleset.

    ``timeout_s`` bounds each solver query; ``replay`` turns off engine replay
    (only for tests of the verifier alone).
    """

    def __init__(self, ruleset: m.Ruleset, timeout_s: float | None = None, replay: bool = True) -> None:
        self.ruleset = ruleset
        timeout_ms = None if timeout_s is None else max(1, int(timeout_s * 1000))
        self.enc = Encoding(ruleset, timeout_ms)
        self.replayer = Replayer(ruleset)
        if not replay:
            self.replayer.available = False

    def run(self, prop: str, kind: str, location: str | None, check: Callable[[], Outcome]) -> CheckResult:
        """Run one check, timing it; an engine/Z3 disagreement becomes a loud ``unknown``."""
        start = time.perf_counter()
        try:
            out = check()
        except EngineDisagreement as err:
            out = Outcome(UNKNOWN, f"internal error: {err}", detail=("internal error: engine and Z3 disagree",))
        seconds = time.perf_counter() - start
        return CheckResult(
            property=prop,
            kind=kind,
            status=out.status,
            seconds=seconds,
            counterexample=out.counterexample,
            fired=out.fired,
            location=location,
            message=out.message,
            detail=out.detail,
            matrix=out.matrix,
        )

    def witness(
        self,
        facts: Sequence[Any],
        model: z3.ModelRef,
        reproduces: Callable[[dict[str, Any], DecisionView], bool],
        what: str,
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """A simple complete record satisfying ``facts``, replayed through the engine.

        ``reproduces(record, decision)`` says whether the failure shows in a
        decision; the engine's must show it too. Returns the record (plain
        JSON values) and the rules it fires.
        """
        model = simplest_model(self.enc, facts, model)
        record = json_record(self.enc.record_from_model(model))
        decision = self.enc.decision(model)
        if not reproduces(record, decision):
            raise EngineDisagreement(f"internal error: the Z3 model does not show the failure of {what}")
        self.replayer.replay(record, decision, lambda d: reproduces(record, d), what)
        return record, decision.fired

    def refuted(
        self,
        facts: Sequence[Any],
        ans: Answer,
        reproduces: Callable[[dict[str, Any], DecisionView], bool],
        what: str,
        message: str,
        detail: tuple[str, ...] = (),
    ) -> Outcome:
        assert ans.model is not None
        record, fired = self.witness(facts, ans.model, reproduces, what)
        return Outcome(REFUTED, message, counterexample=record, fired=fired, detail=detail)


def proved(message: str = "") -> Outcome:
    return Outcome(PROVED, message)
