"""What the verifier reports: verdicts as data, with locations and witnesses.

Every check yields one ``CheckResult``. ``unknown`` (the solver gave up) is a
verdict of its own and never counts as proved. The JSON shape follows
the command contract (README, "The command"); fields beyond the spec's are additions, never
renamings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verifier.exit_codes import ExitCode, verdict

PROVED, REFUTED, UNKNOWN = "proved", "refuted", "unknown"
STATUSES = (PROVED, REFUTED, UNKNOWN)

# Check kinds, in the order a report lists them.
KINDS = ("coverage", "coverage-matrix", "contradiction", "dead-rule", "invariant", "pathway", "example")

# Cell states of a coverage matrix.
COVERED, GAP, EXCLUDED, UNDECIDED = "covered", "gap", "excluded", "unknown"


@dataclass(frozen=True, slots=True)
class Cell:
    """One combination of the coverage inputs.

    ``rules``: the rules that can fire there and give something (covered);
    ``constraints``: the constraints that together exclude it (excluded);
    ``counterexample``/``fired``: a record of the cell that gets nothing (gap).
    """

    values: tuple[str, ...]
    status: str
    rules: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()
    counterexample: dict[str, Any] | None = None
    fired: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"values": list(self.values), "status": self.status}
        if self.status == COVERED:
            out["rules"] = list(self.rules)
        if self.status == EXCLUDED:
            out["constraints"] = list(self.constraints)
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample
            out["fired"] = list(self.fired or ())
        return out


@dataclass(frozen=True, slots=True)
class CoverageMatrix:
    inputs: tuple[str, ...]
    cells: tuple[Cell, ...]

    def count(self, status: str) -> int:
        return sum(1 for c in self.cells if c.status == status)

    def to_json(self) -> dict[str, Any]:
        return {"inputs": list(self.inputs), "cells": [c.to_json() for c in self.cells]}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict of one check.

    ``property`` names what was checked (a property id, a coverage id, or a
    built-in such as ``coverage``, ``conflict(a,b)``, ``fires(rule)``);
    ``kind`` is one of ``KINDS``. A refuted result carries a complete record
    in ``counterexample`` (plain JSON values) and the rules it fires, unless
    there is no record to show (a dead rule: ``detail`` then names the
    constraints and conditions that clash).
    """

    property: str
    kind: str
    status: str
    seconds: float
    counterexample: dict[str, Any] | None = None
    fired: tuple[str, ...] | None = None
    location: str | None = None
    message: str = ""
    detail: tuple[str, ...] = ()
    matrix: CoverageMatrix | None = None
    # Set when the engine and Z3 disagreed: a bug in ruleproof, not a verdict.
    internal_error: bool = False
    # A refuted pathway property: the journey, one entry per record (step, record, given, action).
    journey: list[dict[str, Any]] | None = None

    def to_json(self, timing: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "property": self.property,
            "kind": self.kind,
            "status": self.status,
            "seconds": round(self.seconds, 4) if timing else 0.0,
            "counterexample": self.counterexample,
        }
        if self.fired is not None:
            out["fired"] = list(self.fired)
        out["location"] = self.location
        out["message"] = self.message
        if self.detail:
            out["detail"] = list(self.detail)
        if self.matrix is not None:
            out["matrix"] = self.matrix.to_json()
        if self.journey is not None:
            out["journey"] = self.journey
        if self.internal_error:
            out["internal_error"] = True
        return out


@dataclass(frozen=True, slots=True)
class CheckWarning:
    """A warning that does not fail the run (redundant rule, constraint that excludes nothing)."""

    kind: str
    message: str
    location: str | None

    def render(self) -> str:
        where = self.location or "<ruleset>"
        return f"{where}: warning: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "location": self.location}


@dataclass(frozen=True, slots=True)
class RulesetReport:
    path: str
    name: str
    version: str
    results: tuple[CheckResult, ...]
    warnings: tuple[CheckWarning, ...] = field(default=())
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def to_json(self, timing: bool = True) -> dict[str, Any]:
        return {
            "path": self.path,
            "ruleset": self.name,
            "version": self.version,
            "results": [r.to_json(timing) for r in self.results],
            "warnings": [w.to_json() for w in self.warnings],
        }


def exit_code(reports: list[RulesetReport]) -> ExitCode:
    """The exit code of ``ruleproof check`` for these reports (precedence: ``verifier.exit_codes``)."""
    results = [r for rep in reports for r in rep.results]
    return verdict(internal=any(r.internal_error for r in results),
                   finding=any(r.status == REFUTED for r in results),
                   unknown=any(r.status == UNKNOWN for r in results))
