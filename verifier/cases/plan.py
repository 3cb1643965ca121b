"""The working state of one test-suite generation: the record pool, what each
record is for, and what could not be covered and why."""

from __future__ import annotations

from typing import Any

from dsl import model as m
from verifier.facts.conditions import ConditionIndex, Visibility
from verifier.cases.finder import NotFound, RecordFinder
from verifier.cases.case import Gap, Purpose


class Plan:
    """Shared by the generation stages (witnesses, MC/DC, values, boundaries, cells)."""

    def __init__(self, ruleset: m.Ruleset, finder: RecordFinder) -> None:
        self.ruleset = ruleset
        self.finder = finder
        self.index = ConditionIndex(ruleset)
        self.visibility = Visibility(ruleset)
        self.purposes: dict[int, list[Purpose]] = {}
        self.gaps: list[Gap] = []
        self.witness_of: dict[str, int] = {}
        self.rule_order = {r.id: k for k, r in enumerate(ruleset.rules)}

    def assign(self, index: int, purpose: Purpose) -> None:
        self.purposes.setdefault(index, []).append(purpose)

    def gap(self, kind: str, fields: dict[str, Any], reason: str, undecided: bool = False) -> None:
        self.gaps.append(Gap(kind, tuple(fields.items()), reason, undecided))

    def not_found_reason(self, result: NotFound, default: str) -> tuple[str, bool]:
        """The reason to list for a purpose no record serves."""
        if result.undecided:
            return "the solver gave up before finding a record or proving there is none", True
        return default, False
