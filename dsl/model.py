"""The checked ruleset: the one immutable model everything downstream reads.

The checker (``dsl.checker``) is the only producer of these objects. Every
name in an expression is already resolved to what it denotes (an input, a
derived definition, an enum literal of a known input, an action), every
expression carries its type, and every declaration keeps the span it came
from so that the verifier can point a finding at a line of the rules file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterator, Union

from dsl.grading import DEFAULT as DEFAULT_GRADING, GradingScheme
from dsl.span import Span

# ---------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class BoolType:
    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True, slots=True)
class IntType:
    lo: int
    hi: int

    def __str__(self) -> str:
        return "int"


@dataclass(frozen=True, slots=True)
class RealType:
    lo: Fraction
    hi: Fraction

    def __str__(self) -> str:
        return "real"


@dataclass(frozen=True, slots=True)
class EnumType:
    """The values of one enum input; ``name`` is the input that declares them."""

    name: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        return f"enum {self.name}"


# Types of derived expressions: numbers lose their ranges once arithmetic is involved.
@dataclass(frozen=True, slots=True)
class NumType:
    """A numeric expression; ``integral`` is true when every leaf is an int."""

    integral: bool

    def __str__(self) -> str:
        return "int" if self.integral else "real"


InputType = Union[BoolType, IntType, RealType, EnumType]
ExprType = Union[BoolType, NumType, EnumType]

BOOL = BoolType()


def expr_type_of(t: InputType) -> ExprType:
    """The expression type an input of declared type ``t`` has when referenced."""
    if isinstance(t, IntType):
        return NumType(True)
    if isinstance(t, RealType):
        return NumType(False)
    return t


# ---------------------------------------------------------------- expressions
#
# Checked expressions. Comparisons of numbers keep the exact literal as a
# Fraction so that the engine and the Z3 encoding compare against the same
# rational number (5 means 5, 0.1 means 1/10).


@dataclass(frozen=True, slots=True)
class BoolLit:
    value: bool
    span: Span


@dataclass(frozen=True, slots=True)
class NumLit:
    value: Fraction
    integral: bool
    span: Span


@dataclass(frozen=True, slots=True)
class EnumLit:
    enum: str  # the input whose values include ``value``
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class InputRef:
    name: str
    type: ExprType
    span: Span


@dataclass(frozen=True, slots=True)
class DefRef:
    """A reference to a derived definition (or a phase) by name."""

    name: str
    type: ExprType
    span: Span


@dataclass(frozen=True, slots=True)
class Not:
    arg: "Expr"
    span: Span


@dataclass(frozen=True, slots=True)
class And:
    args: tuple["Expr", ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Or:
    args: tuple["Expr", ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Implies:
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(frozen=True, slots=True)
class Iff:
    left: "Expr"
    right: "Expr"
    span: Span


# Comparison operators on numbers: "<", "<=", ">", ">=", "==", "!=".
# On enums and bools only "==" and "!=".
@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(frozen=True, slots=True)
class InSet:
    """``subject in {a, b}`` over an enum; ``negated`` for ``not in``."""

    subject: "Expr"
    values: tuple[str, ...]
    negated: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Arith:
    """Binary arithmetic: "+", "-" or "*" (no division: results stay exact)."""

    op: str
    left: "Expr"
    right: "Expr"
    integral: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Neg:
    arg: "Expr"
    integral: bool
    span: Span


# Status of an action in a decision, usable in properties only.
#   recommended: some firing rule recommends it
#   considered:  some firing rule considers it and none recommends it
#   given:       recommended or considered
#   avoided:     some firing rule says avoid
STATUSES = ("recommended", "considered", "given", "avoided")


@dataclass(frozen=True, slots=True)
class ActionStatus:
    """True when at least one action of ``actions`` has ``status``."""

    status: str
    actions: tuple[str, ...]  # sorted, resolved action ids
    span: Span


# -- issue 12: conditional expression, score tables, min/max.


@dataclass(frozen=True, slots=True)
class Ite:
    """``if cond then then else else_``; both branches have ``type``."""

    cond: "Expr"
    then: "Expr"
    else_: "Expr"
    type: "ExprType"
    span: Span


@dataclass(frozen=True, slots=True)
class ActionCategory:
    """True when ``action`` is in the decision (given or avoided) with one of ``categories``
    as its evidence category; ``negated``: the opposite (also true when the action is absent)."""

    action: str
    categories: tuple[str, ...]  # in the scheme's order, strongest first
    negated: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Points:
    """A score table: the sum of ``weights[k]`` over the ``conds[k]`` that hold.

    Kept as one node (not a sum of ``Ite``) so that traces can show the
    table, mutation can shift one weight or drop one line, and case
    generation can find a witness per line.
    """

    conds: tuple["Expr", ...]
    weights: tuple[Fraction, ...]
    integral: bool
    span: Span


@dataclass(frozen=True, slots=True)
class MinMax:
    """``min(a, b, ...)`` or ``max(a, b, ...)`` (``op`` is "min" or "max")."""

    op: str
    args: tuple["Expr", ...]
    integral: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Known:
    """``known(name)``: the optional input ``name`` has a value (issue 12)."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Alternatives:
    """True when the decision offers ``left`` and ``right`` as "one of" alternatives:
    each is among the other's alternatives."""

    left: str
    right: str
    span: Span


Expr = Union[
    BoolLit, NumLit, EnumLit, InputRef, DefRef, Not, And, Or, Implies, Iff,
    Compare, InSet, Arith, Neg, ActionStatus, Ite, Points, MinMax, Known, ActionCategory, Alternatives,
]


def children(e: Expr) -> tuple[Expr, ...]:
    """The direct subexpressions of ``e``."""
    if isinstance(e, (Not, Neg)):
        return (e.arg,)
    if isinstance(e, (And, Or)):
        return e.args
    if isinstance(e, (Implies, Iff, Compare, Arith)):
        return (e.left, e.right)
    if isinstance(e, InSet):
        return (e.subject,)
    if isinstance(e, Ite):
        return (e.cond, e.then, e.else_)
    if isinstance(e, Points):
        return e.conds
    if isinstance(e, MinMax):
        return e.args
    return ()


def walk(e: Expr) -> Iterator[Expr]:
    """Every node of ``e``, parents before children."""
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def type_of(e: Expr) -> ExprType:
    """The type of a checked expression."""
    if isinstance(e, NumLit):
        return NumType(e.integral)
    if isinstance(e, (Arith, Neg, Points, MinMax)):
        return NumType(e.integral)
    if isinstance(e, Ite):
        return e.type
    if isinstance(e, EnumLit):
        raise TypeError("an enum literal has the type of what it is compared with")
    if isinstance(e, (InputRef, DefRef)):
        return e.type
    return BOOL


# ---------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    citation: str
    year: int | None
    url: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    type: InputType
    unit: str | None
    doc: str | None
    span: Span
    # issue 12: a record may omit an optional input or give null ("unknown");
    # the checker makes every use of it wait for ``known(name)``.
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Definition:
    """A derived term. Phases are definitions too (``is_phase``), owning rules."""

    name: str
    expr: Expr
    type: ExprType
    doc: str | None
    is_phase: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    kind: str
    label: str
    span: Span


@dataclass(frozen=True, slots=True)
class ActionGroup:
    name: str
    actions: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Constraint:
    id: str
    message: str
    expr: Expr
    span: Span


STRENGTHS = ("recommend", "consider", "avoid")
CATEGORIES = ("1", "2A", "2B", "3")  # NCCN's, the default scheme; a ruleset's own: ``Ruleset.grading``


@dataclass(frozen=True, slots=True)
class Give:
    """One line of a rule's outcome: ``recommend one of {a, b} category 1 sources [...]``.

    ``alternatives`` marks a "one of" line: every action in it is given with
    the strength, and the decision notes that one is to be chosen.
    """

    strength: str
    actions: tuple[str, ...]
    alternatives: bool
    category: str
    sources: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    phase: str | None
    when: Expr
    gives: tuple[Give, ...]
    rationale: str | None
    span: Span

    @property
    def condition(self) -> Expr:
        """The rule's whole condition: its phase (if any) and its ``when``."""
        if self.phase is None:
            return self.when
        phase = DefRef(self.phase, BOOL, self.span)
        rest = self.when.args if isinstance(self.when, And) else (self.when,)
        return And((phase, *rest), self.when.span)


@dataclass(frozen=True, slots=True)
class Conflict:
    """No valid record may be given (recommended or considered) both ``a`` and ``b``."""

    pairs: tuple[tuple[str, str], ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Property:
    id: str
    title: str
    expr: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Coverage:
    """Every combination of the listed enum/bool inputs reached by a valid record must be served."""

    id: str
    title: str | None
    inputs: tuple[str, ...]
    span: Span


# -- issue 12: worked examples


@dataclass(frozen=True, slots=True)
class Expectation:
    """What an example expects of one action: ``status`` is recommended, considered,
    avoided or not_given; ``category``, when given, is the level it must come with."""

    status: str
    action: str
    category: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class Example:
    """A worked example: a complete record (its baseline with its own fields on top) and expectations."""

    id: str
    title: str
    record: tuple[tuple[str, Any], ...]  # every given input, in declaration order; None is unknown
    expects: tuple[Expectation, ...]
    span: Span

    def record_dict(self) -> dict[str, Any]:
        return dict(self.record)


# ---------------------------------------------------------------- pathways
# Effects of actions and properties of journeys (issue 16). The journey
# semantics is documented in verifier/pathway/__init__.py and the README.

# A value an effect gives an input: as the verifier's records hold them.
EffectValue = Union[bool, int, str, Fraction]


@dataclass(frozen=True, slots=True)
class Assignment:
    """One part of an effect: ``input`` becomes one of ``values``, or grows by ``advance``."""

    input: str
    values: tuple[EffectValue, ...]  # empty for an advance
    advance: Fraction | None
    span: Span


@dataclass(frozen=True, slots=True)
class Effect:
    """What carrying out ``action`` does to the record; inputs it does not name stay as they were."""

    action: str
    assignments: tuple[Assignment, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Event:
    """``taken(actions)`` (one of them is carried out at a step) or a state condition ``expr``."""

    actions: tuple[str, ...] | None
    expr: Expr | None
    span: Span


PATHWAY_FORMS = ("always", "before", "after", "eventually", "until", "leaves")


@dataclass(frozen=True, slots=True)
class Pathway:
    """A property of every journey from a valid record satisfying ``start`` (every valid record if None).

    always: ``first`` holds at every record; before/after: ``first`` never
    happens before (after) ``second`` has happened; eventually: ``first``
    holds within ``bound`` steps; until: ``first`` holds at every record
    before the first one where ``second`` holds; leaves: no journey stays in
    ``phase`` for ``bound`` steps.
    """

    id: str
    title: str
    start: Expr | None
    form: str
    first: Event | None
    second: Event | None
    bound: int | None
    phase: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class Table:
    """issue 14: a decision table as written, beside the rules and definitions it stands for.

    Every tool reads the rules; this record only lets an explanation speak of
    rows: ``rows[k]`` is row k+1's match definition (none for ``collect``),
    ``internal`` the definitions its hit policy builds over them (the guard
    and the chains that make it).
    """

    name: str
    title: str
    policy: str
    rules: tuple[str, ...]
    rows: tuple[str, ...]
    internal: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Ruleset:
    name: str
    version: str
    path: str
    sources: tuple[Source, ...]
    inputs: tuple[Input, ...]
    definitions: tuple[Definition, ...]  # dependency order: a definition follows what it uses
    actions: tuple[Action, ...]
    groups: tuple[ActionGroup, ...]
    constraints: tuple[Constraint, ...]
    rules: tuple[Rule, ...]
    conflicts: tuple[Conflict, ...]
    properties: tuple[Property, ...]
    coverages: tuple[Coverage, ...]
    effects: tuple[Effect, ...] = ()  # pathways (issue 16)
    pathways: tuple[Pathway, ...] = ()
    # issue 12: the evidence grading scheme the rules' categories belong to.
    grading: GradingScheme = DEFAULT_GRADING
    examples: tuple[Example, ...] = ()  # issue 12
    tables: tuple[Table, ...] = ()  # issue 14
    _index: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        idx = self._index
        idx["input"] = {i.name: i for i in self.inputs}
        idx["definition"] = {d.name: d for d in self.definitions}
        idx["effect"] = {e.action: e for e in self.effects}
        idx["action"] = {a.id: a for a in self.actions}
        idx["source"] = {s.id: s for s in self.sources}
        idx["rule"] = {r.id: r for r in self.rules}
        giving: dict[tuple[str, str], list[str]] = {}
        for r in self.rules:
            for g in r.gives:
                for a in g.actions:
                    ids = giving.setdefault((g.strength, a), [])
                    if r.id not in ids:
                        ids.append(r.id)
        idx["giving"] = {k: tuple(v) for k, v in giving.items()}

    def input(self, name: str) -> Input:
        return self._index["input"][name]

    def definition(self, name: str) -> Definition:
        return self._index["definition"][name]

    def action(self, id: str) -> Action:
        return self._index["action"][id]

    def source(self, id: str) -> Source:
        return self._index["source"][id]

    def rule(self, id: str) -> Rule:
        return self._index["rule"][id]

    def rules_giving(self, strength: str, action: str) -> tuple[str, ...]:
        """The ids of the rules that give ``action`` at ``strength``, in file order."""
        return self._index["giving"].get((strength, action), ())

    def effect(self, action: str) -> Effect | None:
        """The declared effect of ``action``, or None (it leaves the record unchanged)."""
        return self._index["effect"].get(action)

    @property
    def phases(self) -> tuple[Definition, ...]:
        return tuple(d for d in self.definitions if d.is_phase)

    def conflict_pairs(self) -> tuple[tuple[str, str], ...]:
        """Declared conflicting pairs in declaration order, each once (whichever way
        round it was first written); an action never conflicts with itself."""
        out: list[tuple[str, str]] = []
        seen: set[frozenset[str]] = set()
        for c in self.conflicts:
            for a, b in c.pairs:
                if a != b and frozenset((a, b)) not in seen:
                    seen.add(frozenset((a, b)))
                    out.append((a, b))
        return tuple(out)
