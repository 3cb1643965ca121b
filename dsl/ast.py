"""The syntax tree of a rules file, as written: names are still strings.

The parser builds these; the checker turns them into ``dsl.model``. Every node
keeps its span so that each diagnostic can point at the exact place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from dsl.span import Span


@dataclass(frozen=True, slots=True)
class Ident:
    name: str
    span: Span


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Number:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Boolean:
    value: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "not" or "-"
    arg: "RawExpr"
    span: Span


@dataclass(frozen=True, slots=True)
class Binary:
    # "and" "or" "implies" "iff" "<" "<=" ">" ">=" "==" "!=" "+" "-" "*"
    op: str
    left: "RawExpr"
    right: "RawExpr"
    span: Span


@dataclass(frozen=True, slots=True)
class Membership:
    subject: "RawExpr"
    values: tuple[Ident, ...]
    negated: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Status:
    status: str  # recommended / considered / given / avoided
    actions: "RawActionSet"
    span: Span


# -- issue 12: conditional expression, score tables and function calls.


@dataclass(frozen=True, slots=True)
class Conditional:
    """``if cond then yes else no``."""

    cond: "RawExpr"
    then: "RawExpr"
    else_: "RawExpr"
    span: Span


@dataclass(frozen=True, slots=True)
class CategoryTest:
    """``category(ACTION) == LIT``, ``!= LIT``, ``in {...}`` or ``not in {...}`` (``op``: ==, !=, in, not in)."""

    action: Ident
    op: str
    categories: tuple[Ident, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class PointsTerm:
    """One line of a score table: ``condition: weight``."""

    cond: "RawExpr"
    weight: Number
    span: Span


@dataclass(frozen=True, slots=True)
class Points:
    """``points { c1: w1, c2: w2, ... }``: the sum of the weights whose condition holds."""

    terms: tuple[PointsTerm, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    """``f(a, b, ...)``; the checker knows the functions (min, max)."""

    function: Ident
    args: tuple["RawExpr", ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Known:
    """``known(x)``: the optional input ``x`` has a value in the record."""

    name: Ident
    span: Span


@dataclass(frozen=True, slots=True)
class AlternativesTest:
    """``alternatives(A, B)``: the decision offers A and B as "one of" alternatives."""

    left: Ident
    right: Ident
    span: Span


RawExpr = Union[Name, Number, Boolean, Unary, Binary, Membership, Status, Conditional, Points, Call, Known,
                CategoryTest, AlternativesTest]

# ---------------------------------------------------------------- action sets


@dataclass(frozen=True, slots=True)
class SetName:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class SetKind:
    kind: str
    span: Span


@dataclass(frozen=True, slots=True)
class SetAny:
    span: Span


@dataclass(frozen=True, slots=True)
class SetUnion:
    items: tuple["RawActionSet", ...]
    span: Span


@dataclass(frozen=True, slots=True)
class SetExcept:
    base: "RawActionSet"
    minus: "RawActionSet"
    span: Span


RawActionSet = Union[SetName, SetKind, SetAny, SetUnion, SetExcept]

# ---------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True)
class Header:
    name: Ident
    version: str
    span: Span


@dataclass(frozen=True, slots=True)
class SourceDecl:
    id: Ident
    citation: str
    year: int | None
    url: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class TypeDecl:
    kind: str  # bool / int / real / enum
    lo: Number | None
    hi: Number | None
    values: tuple[Ident, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class InputDecl:
    name: Ident
    type: TypeDecl
    unit: str | None
    doc: str | None
    span: Span
    optional: bool = False  # issue 12


@dataclass(frozen=True, slots=True)
class DefineDecl:
    name: Ident
    expr: RawExpr
    doc: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class ActionDecl:
    id: Ident
    kind: Ident
    label: str
    span: Span


@dataclass(frozen=True, slots=True)
class GroupDecl:
    name: Ident
    actions: RawActionSet
    span: Span


@dataclass(frozen=True, slots=True)
class ConstraintDecl:
    id: Ident
    message: str
    expr: RawExpr
    span: Span


@dataclass(frozen=True, slots=True)
class GiveDecl:
    strength: str
    actions: tuple[Ident, ...]
    alternatives: bool
    category: Ident
    sources: tuple[Ident, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class RuleDecl:
    id: Ident
    title: str
    when: RawExpr
    gives: tuple[GiveDecl, ...]
    rationale: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class PhaseDecl:
    name: Ident
    label: str
    when: RawExpr
    rules: tuple[RuleDecl, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ConflictDecl:
    left: RawActionSet
    right: RawActionSet
    span: Span


@dataclass(frozen=True, slots=True)
class PropertyDecl:
    id: Ident
    title: str
    expr: RawExpr
    span: Span


@dataclass(frozen=True, slots=True)
class CoverageDecl:
    id: Ident
    title: str | None
    inputs: tuple[Ident, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class GradingDecl:
    """``grading esc`` or ``grading local "title" levels {a, b, c}`` (issue 12)."""

    name: Ident
    title: str | None
    levels: tuple[Ident, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One field of a baseline or example: ``age: 78`` (kind: number, bool, null or name)."""

    name: Ident
    kind: str
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class BaselineDecl:
    name: Ident
    fields: tuple[FieldValue, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ExpectDecl:
    """``expect recommended {a, b category 1}`` (status: recommended, considered, avoided, not_given)."""

    status: str
    items: tuple[tuple[Ident, Ident | None], ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ExampleDecl:
    id: Ident
    title: str
    baseline: Ident | None
    fields: tuple[FieldValue, ...]
    expects: tuple[ExpectDecl, ...]
    span: Span


# ---------------------------------------------------------------- pathways
# Effects of actions and properties of journeys (issue 16; see verifier/pathway).


@dataclass(frozen=True, slots=True)
class EffectValue:
    """A value an effect may give an input: a number, a name (enum value) or a boolean."""

    value: "Number | str | bool"
    span: Span


@dataclass(frozen=True, slots=True)
class AssignDecl:
    """``x := v``, ``x := one of {v, w}`` (``values``) or ``x += n`` (``advance``)."""

    input: Ident
    values: tuple[EffectValue, ...]
    advance: "Number | None"
    span: Span


@dataclass(frozen=True, slots=True)
class EffectDecl:
    action: Ident
    assignments: tuple[AssignDecl, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class EventDecl:
    """An event of a journey: ``taken(actions)`` (``actions`` set) or a state condition."""

    actions: "RawActionSet | None"
    expr: "RawExpr | None"
    span: Span


@dataclass(frozen=True, slots=True)
class PathwayDecl:
    """``pathway ID "title": [from EXPR] FORM``; ``form`` names the temporal form."""

    id: Ident
    title: str
    start: "RawExpr | None"
    form: str  # always, before, after, eventually, until, leaves
    first: "EventDecl | None"
    second: "EventDecl | None"
    bound: int | None
    phase: Ident | None
    span: Span


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of a decision table as written (from its first '|'); its cells
    are read by ``dsl.table_rows`` when the table is checked."""

    text: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class TableDecl:
    """issue 14: ``table NAME "title" POLICY category C sources [..]`` and its rows;
    the first row names the columns."""

    name: Ident
    title: str
    policy: Ident
    category: Ident
    sources: tuple[Ident, ...]
    rows: tuple[TableRow, ...]
    span: Span


Decl = Union[
    TableDecl,
    BaselineDecl, ExampleDecl,
    GradingDecl,
    EffectDecl, PathwayDecl,
    SourceDecl, InputDecl, DefineDecl, ActionDecl, GroupDecl, ConstraintDecl,
    PhaseDecl, RuleDecl, ConflictDecl, PropertyDecl, CoverageDecl,
]


@dataclass(frozen=True, slots=True)
class RulesFile:
    path: str
    header: Header
    decls: tuple[Decl, ...]
