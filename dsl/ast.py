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


RawExpr = Union[Name, Number, Boolean, Unary, Binary, Membership, Status]

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


Decl = Union[
    SourceDecl, InputDecl, DefineDecl, ActionDecl, GroupDecl, ConstraintDecl,
    PhaseDecl, RuleDecl, ConflictDecl, PropertyDecl, CoverageDecl,
    EffectDecl, PathwayDecl,
]


@dataclass(frozen=True, slots=True)
class RulesFile:
    path: str
    header: Header
    decls: tuple[Decl, ...]
