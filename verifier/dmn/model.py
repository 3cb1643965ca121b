"""What ruleproof reads from a DMN file: input data, decisions and their tables."""

from __future__ import annotations

from dataclasses import dataclass

from verifier.dmn.feel import Literal, UnaryTests

# Hit policies by their one-letter names; COLLECT carries an aggregation.
HIT_POLICIES = {
    "UNIQUE": "U", "ANY": "A", "PRIORITY": "P", "FIRST": "F",
    "RULE ORDER": "R", "OUTPUT ORDER": "O", "COLLECT": "C",
}
AGGREGATIONS = ("SUM", "COUNT", "MIN", "MAX")


@dataclass(frozen=True, slots=True)
class Loc:
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """A FEEL base type (number, string, boolean) and its allowed values, if restricted."""

    base: str
    allowed: UnaryTests | None
    loc: Loc


@dataclass(frozen=True, slots=True)
class InputData:
    id: str
    name: str
    type: TypeInfo
    loc: Loc


@dataclass(frozen=True, slots=True)
class InputClause:
    expr: str  # the variable it reads: an input data name, a decision name, or "Decision.output"
    type_ref: str | None
    values: UnaryTests | None
    loc: Loc


@dataclass(frozen=True, slots=True)
class OutputClause:
    name: str
    values: tuple[Literal, ...] | None  # ordered by decreasing priority
    loc: Loc


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # 1-based position in the table
    id: str
    inputs: tuple[UnaryTests, ...]
    outputs: tuple[Literal, ...]
    loc: Loc
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    hit_policy: str  # U A P F R O C
    aggregation: str | None
    inputs: tuple[InputClause, ...]
    outputs: tuple[OutputClause, ...]
    rows: tuple[Row, ...]
    loc: Loc

    @property
    def policy_name(self) -> str:
        return self.hit_policy + {"SUM": "+", "COUNT": "#", "MIN": "<", "MAX": ">"}.get(self.aggregation or "", "")

    @property
    def single_valued(self) -> bool:
        """True when the table's result is one row's outputs (or null), not a list or an aggregate."""
        return self.hit_policy in "UAPF" or self.aggregation in ("MIN", "MAX")


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    name: str
    table: Table
    loc: Loc


@dataclass(frozen=True, slots=True)
class DmnModel:
    path: str
    name: str
    inputs: tuple[InputData, ...]
    decisions: tuple[Decision, ...]  # dependency order: a decision follows the ones its table reads
    # Rules text kept by ``export dmn`` in a ruleproof extension element (inputs, actions, constraints).
    declarations: str | None = None
