"""Replay a counterexample through the engine, which must reproduce it.

The engine and the Z3 encoding are two readings of one semantics. A
counterexample is only reported once the engine, given the same record,
accepts it as valid, reaches the same decision as the Z3 model, and shows the
same failure. Anything else is a bug in one of the two readings and is
reported as ``EngineDisagreement``, never smoothed over.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping, Protocol

from dsl import model as m
from verifier.solver.encoding import ModelDecision


class DecisionView(Protocol):
    """What a replay looks at: the engine's ``Decision`` or the encoding's ``ModelDecision``."""

    @property
    def fired(self) -> tuple[str, ...]: ...
    @property
    def recommended(self) -> frozenset[str]: ...
    @property
    def considered(self) -> frozenset[str]: ...
    @property
    def avoided(self) -> frozenset[str]: ...


class EngineDisagreement(Exception):
    """The engine and Z3 read the same record differently: an internal error."""


def _describe(d: DecisionView) -> str:
    return (
        f"fired={list(d.fired)} recommended={sorted(d.recommended)} "
        f"considered={sorted(d.considered)} avoided={sorted(d.avoided)}"
    )


class Replayer:
    """Runs records through the engine compiled once for ``ruleset``.

    When the engine package cannot be imported at all (a verifier installed
    without it) replay is skipped and ``available`` is False.
    """

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset
        self._evaluator: Any = None
        self.available = True
        try:
            self._engine = importlib.import_module("engine")
        except ImportError:
            self.available = False

    def _compiled(self) -> Any:
        if self._evaluator is None:
            self._evaluator = self._engine.compile_ruleset(self.ruleset)
        return self._evaluator

    def decide(self, record: Mapping[str, Any]) -> DecisionView:
        """The engine's decision for ``record``; EngineDisagreement if it rejects the record."""
        ev = self._compiled()
        try:
            normal = ev.validate(dict(record))
        except self._engine.RecordError as err:
            raise EngineDisagreement(
                f"engine and Z3 disagree: the engine rejects a record Z3 found valid ({err}); record: {dict(record)}"
            ) from None
        return ev.evaluate(normal)

    def replay(
        self,
        record: Mapping[str, Any],
        z3_decision: ModelDecision,
        reproduces: Callable[[DecisionView], bool],
        what: str,
    ) -> None:
        """Check that the engine reaches ``z3_decision`` on ``record`` and that ``reproduces`` holds."""
        if not self.available:
            return
        d = self.decide(record)
        same = (
            tuple(d.fired) == z3_decision.fired
            and frozenset(d.recommended) == z3_decision.recommended
            and frozenset(d.considered) == z3_decision.considered
            and frozenset(d.avoided) == z3_decision.avoided
        )
        if not same:
            raise EngineDisagreement(
                f"engine and Z3 disagree on the decision for the counterexample to {what}: "
                f"engine {_describe(d)}; Z3 {_describe(z3_decision)}; record: {dict(record)}"
            )
        if not reproduces(d):
            raise EngineDisagreement(
                f"engine and Z3 disagree: the engine does not reproduce the failure of {what} "
                f"(engine {_describe(d)}); record: {dict(record)}"
            )
