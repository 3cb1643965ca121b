"""One ruleset under verification: its encoding, its engine replayer, and the
bookkeeping every check shares (timing, witnesses, internal errors)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import z3

from dsl import model as m
from verifier.solver.encoding import Answer, Encoding
from verifier.facts.values import is_exact_record, json_record
from verifier.solver.replay import DecisionView, EngineDisagreement, Replayer
from verifier.check.results import PROVED, REFUTED, UNKNOWN, CheckResult, CoverageMatrix
from verifier.solver.plain_models import simplest_model


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a check function decides; ``Session.run`` adds name, kind, location and time."""

    status: str
    message: str = ""
    counterexample: dict[str, Any] | None = None
    fired: tuple[str, ...] | None = None
    detail: tuple[str, ...] = ()
    matrix: CoverageMatrix | None = None
    internal_error: bool = False
    # A pathway counterexample: one entry per record of the journey (verifier.pathway).
    journey: list[dict[str, Any]] | None = None


class Session:
    """Shared state of the checks of one ruleset.

    ``timeout_s`` bounds each solver query; ``replay`` turns off engine replay
    (only for tests of the verifier alone).
    """

    def __init__(self, ruleset: m.Ruleset, timeout_s: float | None = None, replay: bool = True) -> None:
        self.ruleset = ruleset
        self.timeout_s = timeout_s
        timeout_ms = None if timeout_s is None else max(1, int(timeout_s * 1000))
        self.enc = Encoding(ruleset, timeout_ms)
        self.replayer = Replayer(ruleset)
        if not replay:
            self.replayer.available = False
        # Called with each check's name as it starts (a progress line); None: nobody is watching.
        self.on_check: Callable[[str], None] | None = None

    def gave_up(self, ans: Answer) -> Verdict:
        """An ``unknown`` outcome saying why the solver stopped."""
        if ans.reason in ("canceled", "timeout") and self.timeout_s is not None:
            why = f"timed out after {self.timeout_s:g}s (the --timeout per query)"
        else:
            why = f"the solver gave up ({ans.reason or 'no reason given'})"
        return Verdict(UNKNOWN, f"{why}; not proved")

    def run(self, prop: str, kind: str, location: str | None, check: Callable[[], Verdict]) -> CheckResult:
        """Run one check, timing it; an engine/Z3 disagreement becomes a loud ``unknown``."""
        if self.on_check is not None:
            self.on_check(prop)
        start = time.perf_counter()
        try:
            out = check()
        except EngineDisagreement as err:
            out = Verdict(UNKNOWN, f"internal error: {err}", internal_error=True)
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
            internal_error=out.internal_error,
            journey=out.journey,
        )

    def witness(
        self,
        facts: Sequence[Any],
        model: z3.ModelRef,
        reproduces: Callable[[dict[str, Any], DecisionView], bool],
        what: str,
    ) -> tuple[dict[str, Any], tuple[str, ...], str]:
        """A simple complete record satisfying ``facts``, replayed through the engine.

        ``reproduces(record, decision)`` says whether the failure shows in a
        decision; the engine's must show it too. Returns the record (plain
        JSON values), the rules it fires, and a note for the reader (empty
        unless the record could not be replayed).
        """
        model = simplest_model(self.enc, facts, model)
        values = self.enc.record_from_model(model)
        record = json_record(values)
        decision = self.enc.decision(model)
        if not is_exact_record(values):
            # Only a rational such as 1/3 breaks the property: no decimal
            # record (and so no engine input) can show it.
            return record, decision.fired, (
                "the failure needs a value no decimal can hold (shown as a fraction); not replayed through the engine"
            )
        if not reproduces(record, decision):
            raise EngineDisagreement(f"internal error: the Z3 model does not show the failure of {what}")
        self.replayer.replay(record, decision, lambda d: reproduces(record, d), what)
        return record, decision.fired, ""

    def refuted(
        self,
        facts: Sequence[Any],
        ans: Answer,
        reproduces: Callable[[dict[str, Any], DecisionView], bool],
        what: str,
        message: str,
        detail: tuple[str, ...] = (),
        actions: tuple[str, ...] = (),
    ) -> Verdict:
        """A refuted outcome with a simple, replayed counterexample.

        For each of ``actions`` a detail line says which of the fired rules
        give or avoid it, so the reader sees where the clash comes from.
        """
        assert ans.model is not None
        record, fired, note = self.witness(facts, ans.model, reproduces, what)
        detail = detail + tuple(self.who_gives(a, fired) for a in actions)
        return Verdict(REFUTED, f"{message} ({note})" if note else message,
                       counterexample=record, fired=fired, detail=detail)

    def who_gives(self, action: str, fired: tuple[str, ...]) -> str:
        """The fired rules behind an action's status, e.g. "a: recommended by r1; avoided by r2"."""
        words = {"recommend": "recommended", "consider": "considered", "avoid": "avoided"}
        parts = []
        for strength in m.STRENGTHS:
            rules = [r for r in self.ruleset.rules_giving(strength, action) if r in fired]
            if rules:
                parts.append(f"{words[strength]} by {', '.join(rules)}")
        return f"{action}: {'; '.join(parts) or 'not given'}"


def proved(message: str = "") -> Verdict:
    return Verdict(PROVED, message)
