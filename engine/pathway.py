"""Stepping a patient's journey through a ruleset (the engine side of pathways).

The journey semantics (documented in the README, "Pathway verification"):

* a journey is a sequence of valid records r0, r1, ...;
* at a record r the ruleset *gives* some actions (recommended or considered);
  one step carries out one of them, a, and the next record is an *outcome* of
  a's effect: every input the effect assigns takes one of the values it
  allows (or grows by its advance), every other input keeps its value, and
  the result must be a valid record (domains and constraints) that differs
  from r;
* an action without a declared effect changes nothing, so it never makes a
  step (carrying it out leaves the patient where they are);
* a journey ends at a record where no given action has such an outcome.

The verifier (``verifier.pathway``) encodes exactly this in Z3; this module
needs neither Z3 nor Hypothesis, so a hospital system can step journeys with
the engine alone.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Iterator, Sequence

from dsl import model as m
from engine.codegen import ExprCompiler, _prelude, fraction_to_decimal
from engine.decision import Decision
from engine.evaluator import Evaluator
from engine.record import RecordError


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a journey: at ``record`` the ruleset gives ``given``; ``action`` is carried out."""

    record: dict[str, Any]
    given: tuple[str, ...]
    action: str


@dataclass(frozen=True, slots=True)
class Journey:
    """``steps`` then the record reached (``final``); ``ended`` when no step is possible from it."""

    steps: tuple[Step, ...]
    final: dict[str, Any]
    final_given: tuple[str, ...]
    ended: bool

    @property
    def records(self) -> list[dict[str, Any]]:
        return [s.record for s in self.steps] + [self.final]

    def changes(self, k: int) -> dict[str, tuple[Any, Any]]:
        """The inputs step ``k`` changed: name -> (before, after)."""
        before = self.steps[k].record
        after = self.steps[k + 1].record if k + 1 < len(self.steps) else self.final
        return {n: (before[n], after[n]) for n in before if before[n] != after[n]}


class _PathwayCompiler(ExprCompiler):
    """Expressions of pathway properties may ask what the decision gives: ``_st(status, actions)``."""

    def expr(self, e: m.Expr) -> str:
        if isinstance(e, m.ActionStatus):
            return f"_st({e.status!r}, {self.const(e.actions)})"
        return super().expr(e)


def compile_conditions(ruleset: m.Ruleset, exprs: Sequence[m.Expr]) -> Callable[[dict, Decision], tuple]:
    """One function of (record, decision) returning the truth of each condition."""
    c = _PathwayCompiler()
    body = ", ".join(c.expr(e) for e in exprs)
    src = ["def values(r, _st):"] + _prelude(ruleset, c, list(exprs)) + [f"    return ({body}{',' if exprs else ''})"]
    namespace: dict[str, Any] = dict(c.consts)
    exec(compile("\n".join(src) + "\n", f"<pathway {ruleset.name}>", "exec"), namespace)  # noqa: S102
    fn = namespace["values"]

    def values(record: dict, decision: Decision) -> tuple:
        def st(status: str, actions: tuple[str, ...]) -> bool:
            table = {"recommended": decision.recommended, "considered": decision.considered,
                     "given": decision.given, "avoided": decision.avoided}[status]
            return any(a in table for a in actions)

        return fn(record, st)

    return values


def _engine_value(inp: m.Input, v: m.EffectValue) -> Any:
    if isinstance(inp.type, m.RealType) and isinstance(v, Fraction):
        return fraction_to_decimal(v)
    return v


class Stepper:
    """The successors of a record under the journey semantics above."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        self.ruleset = evaluator.ruleset
        self._order = {a.id: k for k, a in enumerate(self.ruleset.actions)}
        # Per action: a list of (input, choices) where a choice is a value or ("+", delta).
        self._choices: dict[str, list[tuple[str, list[Any]]]] = {}
        for eff in self.ruleset.effects:
            parts = []
            for a in eff.assignments:
                inp = self.ruleset.input(a.input)
                if a.advance is not None:
                    parts.append((a.input, [("+", fraction_to_decimal(a.advance))]))
                else:
                    parts.append((a.input, [_engine_value(inp, v) for v in a.values]))
            self._choices[eff.action] = parts

    def given(self, record: dict[str, Any]) -> tuple[str, ...]:
        """The actions the ruleset gives at ``record``, in declaration order."""
        return tuple(sorted(self.evaluator.evaluate(record).given, key=self._order.__getitem__))

    def outcomes(self, record: dict[str, Any], action: str) -> list[dict[str, Any]]:
        """Every valid record, different from ``record``, that carrying out ``action`` can lead to."""
        parts = self._choices.get(action)
        if not parts:
            return []
        names = [n for n, _ in parts]
        out: list[dict[str, Any]] = []
        for combo in itertools.product(*(c for _, c in parts)):
            nxt = dict(record)
            for name, v in zip(names, combo):
                nxt[name] = record[name] + v[1] if isinstance(v, tuple) else v
            if nxt == record or nxt in out:
                continue
            try:
                out.append(self.evaluator.validate(nxt))
            except RecordError:
                continue
        return out

    def successors(self, record: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(action, next record) for every possible step from ``record``."""
        for action in self.given(record):
            for nxt in self.outcomes(record, action):
                yield action, nxt

    def walk(self, record: dict[str, Any], steps: int,
             choose: Callable[[list[tuple[str, dict[str, Any]]]], int] | None = None) -> Journey:
        """A journey of at most ``steps`` steps from ``record``.

        ``choose`` picks the index of the next step among the possible ones
        (default: the first, that is the first given action in declaration
        order and its first outcome in the order the effect lists them).
        """
        taken: list[Step] = []
        current = record
        for _ in range(steps):
            options = list(self.successors(current))
            if not options:
                return Journey(tuple(taken), current, self.given(current), True)
            k = choose(options) if choose is not None else 0
            action, nxt = options[k]
            taken.append(Step(current, self.given(current), action))
            current = nxt
        ended = not any(True for _ in self.successors(current))
        return Journey(tuple(taken), current, self.given(current), ended)

    def replay(self, records: Sequence[dict[str, Any]], actions: Sequence[str]) -> str | None:
        """None if the journey (records, with ``actions[k]`` taken from ``records[k]``) is one the
        semantics allows; else the reason it is not (used to check the verifier's journeys)."""
        for k, action in enumerate(actions):
            given = self.given(records[k])
            if action not in given:
                return f"step {k}: {action} is not given at this record (given: {', '.join(given) or 'nothing'})"
            if records[k + 1] not in self.outcomes(records[k], action):
                return f"step {k}: the next record is not an outcome of {action}'s effect"
        return None
