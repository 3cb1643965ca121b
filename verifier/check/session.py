"""One ruleset under verification: its encoding, its engine replayer, and the
bookkeeping every check shares (timing, witnesses, internal errors)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import z3

from dsl import model as m
from verifier.solver.encoding import Answer, Encoding, ModelDecision
from verifier.facts.boxrules import BoxModel
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
    (only for tests of the verifier alone); ``boxes`` turns off the box reading
    of decision tables (for the differential tests: Z3 alone).
    """

    def __init__(self, ruleset: m.Ruleset, timeout_s: float | None = None, replay: bool = True,
                 boxes: bool = True) -> None:
        self.ruleset = ruleset
        self.timeout_s = timeout_s
        self._timeout_ms = None if timeout_s is None else max(1, int(timeout_s * 1000))
        # Built on first use: a decision table the box reading decides needs no Z3 terms
        # at all (building them is most of the cost of a 10,000-row table).
        self._enc: Encoding | None = None
        self.replayer = Replayer(ruleset)
        if not replay:
            self.replayer.available = False
        # Called with each check's name as it starts (a progress line); None: nobody is watching.
        self.on_check: Callable[[str], None] | None = None
        # The box reading of a decision table (verifier.facts.boxrules), built on first use;
        # None when the ruleset is not read exactly as boxes (or ``boxes=False``: Z3 only).
        self._boxes: BoxModel | None | bool = None if boxes else False
        self._witness: dict[str, tuple[Any, ...] | None] = {}

    @property
    def enc(self) -> Encoding:
        if self._enc is None:
            self._enc = Encoding(self.ruleset, self._timeout_ms)
        return self._enc

    @property
    def boxes(self) -> BoxModel | None:
        if self._boxes is None:
            self._boxes = BoxModel.of(self.ruleset) or False
        return self._boxes or None

    def enc_free_serving_rules(self) -> tuple[str, ...]:
        """The rules that give something (recommend or consider), as ``Encoding.serving_rules``."""
        return tuple(r.id for r in self.ruleset.rules if any(g.strength != "avoid" for g in r.gives))

    def known_points(self) -> list[tuple[Any, ...] | None]:
        """The points the box reading found so far (in the order they were found)."""
        return list(self._witness.values())

    def box_witness(self, rule: str) -> tuple[Any, ...] | None:
        """A point firing ``rule``, found and checked by the box reading (None: ask Z3)."""
        bm = self.boxes
        if bm is None:
            return None
        if rule not in self._witness:
            self._witness[rule] = bm.witness(rule)
        return self._witness[rule]

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

    def refuted_at(
        self,
        point: tuple[Any, ...],
        reproduces: Callable[[dict[str, Any], DecisionView], bool],
        what: str,
        message: str,
    ) -> Verdict:
        """A refuted outcome on a point the box reading found, replayed through the engine."""
        bm = self.boxes
        assert bm is not None
        values = bm.record(point)
        record = json_record(values)
        fired_set = set(bm.fired(bm.hits(point)))
        rules = self.ruleset.rules
        fired = tuple(r.id for r in rules if r.id in fired_set)
        given = {st: {a for r in rules if r.id in fired_set for g in r.gives if g.strength == st for a in g.actions}
                 for st in m.STRENGTHS}
        decision = ModelDecision(fired, frozenset(given["recommend"]),
                                 frozenset(given["consider"] - given["recommend"]), frozenset(given["avoid"]))
        if not reproduces(record, decision):
            raise EngineDisagreement(f"internal error: the box reading does not show the failure of {what}")
        self.replayer.replay(record, decision, lambda d: reproduces(record, d), what)
        return Verdict(REFUTED, message, counterexample=record, fired=fired)

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
