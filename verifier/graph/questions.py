"""The questions a decision diagram asks, and rule conditions as tests on their answers.

Each input becomes a *question* with a finite list of answers: an enum's
values, no/yes for a bool, and for a number the intervals cut at the
thresholds the ruleset compares it with (``size_cm > 5`` cuts at 5), merged
wherever no comparison can tell two neighbouring intervals apart. A numeric
comparison that is not "one input against a constant" (arithmetic over
several inputs) becomes a yes/no question of its own.

Over these questions every rule condition and constraint is a small boolean
formula whose atoms say "the answer to question q is one of these" (a bit
mask over the answers). Formulas are hash-consed into integer ids, so two
formulas with the same structure are the same id: that is what lets the
diagram builder recognise equal sub-problems and share them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping

from dsl import model as m
from dsl.printer import format_expr, format_number
from dsl.dependencies import reads
from verifier.facts.thresholds import numeric_input, threshold_of
from verifier.facts.values import to_fraction

# ---------------------------------------------------------------- questions


@dataclass(frozen=True, slots=True)
class Interval:
    """A piece of a numeric domain; a bound is included when its flag is set."""

    lo: Fraction
    lo_closed: bool
    hi: Fraction
    hi_closed: bool

    def contains(self, v: Fraction) -> bool:
        above = v > self.lo or (self.lo_closed and v == self.lo)
        below = v < self.hi or (self.hi_closed and v == self.hi)
        return above and below


@dataclass(frozen=True, slots=True)
class Question:
    """One thing the diagram asks about a record.

    ``input`` names the input asked about (None for a derived yes/no test,
    whose text is ``name``); ``answers`` label the branches; ``intervals`` are
    the numeric pieces, one per answer, for a number input.
    """

    name: str
    input: str | None
    kind: str  # "bool", "enum", "number" or "test"
    answers: tuple[str, ...]
    values: tuple[Any, ...]  # bool / enum value per answer ("number": the interval)
    doc: str | None = None

    @property
    def size(self) -> int:
        return len(self.answers)


_OPS: dict[str, Callable[[Fraction, Fraction], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


class Domains:
    """The questions of one ruleset, in diagram order, and the atoms over them."""

    def __init__(self, ruleset: m.Ruleset, first: tuple[str, ...] = ()) -> None:
        """``first``: inputs to ask before all others, in this order (the rest follow the default order)."""
        self.ruleset = ruleset
        self._defs = {d.name: d for d in ruleset.definitions}
        self.tests: dict[str, m.Expr] = {}  # derived yes/no tests, by text
        thresholds: dict[str, list[tuple[str, Fraction]]] = {i.name: [] for i in ruleset.inputs}
        for e in self._all_exprs():
            for node in m.walk(e):
                if isinstance(node, m.Compare) and self._is_numeric(node.left):
                    simple = self.simple_comparison(node)
                    if simple is None:
                        self.tests.setdefault(format_expr(node), node)
                    else:
                        thresholds[simple[0]].append((simple[1], simple[2]))
        order = list(first) + [n for n in self._order() if n not in first]
        questions: list[Question] = []
        for name in order:
            inp = ruleset.input(name)
            q = self._question(inp, thresholds[name])
            if inp.optional:  # issue 12: one more answer, "unknown" (value None)
                q = Question(q.name, q.input, q.kind, (*q.answers, "unknown"), (*q.values, None), q.doc)
            questions.append(q)
        for text in self.tests:
            questions.append(Question(text, None, "test", ("no", "yes"), (False, True)))
        self.questions: tuple[Question, ...] = tuple(questions)
        self.index = {q.name: k for k, q in enumerate(self.questions)}

    # -- which expressions matter, and in which order to ask

    def _all_exprs(self) -> list[m.Expr]:
        rs = self.ruleset
        return [d.expr for d in rs.definitions] + [r.when for r in rs.rules] + [c.expr for c in rs.constraints]

    def _is_numeric(self, e: m.Expr) -> bool:
        try:
            return isinstance(m.type_of(e), m.NumType)
        except TypeError:
            return False  # an enum literal

    def inputs_of(self, e: m.Expr, seen: list[str] | None = None) -> list[str]:
        """The inputs ``e`` reads (through definitions), in first-appearance order."""
        out = [] if seen is None else seen
        out.extend(name for name in reads(e, self.ruleset).inputs if name not in out)
        return out

    def _order(self) -> list[str]:
        """Phase-deciding inputs first (so the top of the diagram sorts records
        into phases), then the inputs rules read, then inputs only constraints read."""
        order: list[str] = []
        for phase in self.ruleset.phases:
            self.inputs_of(phase.expr, order)
        for rule in self.ruleset.rules:
            self.inputs_of(rule.when, order)
        for c in self.ruleset.constraints:
            self.inputs_of(c.expr, order)
        for i in self.ruleset.inputs:
            if i.name not in order:
                order.append(i.name)
        return order

    # -- numeric comparisons

    def simple_comparison(self, c: m.Compare) -> tuple[str, str, Fraction] | None:
        """``(input, op, constant)`` when ``c`` compares one numeric input with a constant."""
        th = threshold_of("", "", c, self.ruleset)
        name = None if th is None else numeric_input(th.subject, self.ruleset)
        if th is None or name is None:
            return None
        return name, c.op if th.subject is c.left else _FLIP[c.op], th.value

    def _question(self, inp: m.Input, cuts: list[tuple[str, Fraction]]) -> Question:
        t = inp.type
        if isinstance(t, m.BoolType):
            return Question(inp.name, inp.name, "bool", ("no", "yes"), (False, True), inp.doc)
        if isinstance(t, m.EnumType):
            return Question(inp.name, inp.name, "enum", t.values, t.values, inp.doc)
        assert isinstance(t, (m.IntType, m.RealType))
        lo, hi = Fraction(t.lo), Fraction(t.hi)
        pieces = _merged_pieces(lo, hi, isinstance(t, m.IntType), cuts)
        labels = tuple(_interval_label(p, lo, hi, isinstance(t, m.IntType), inp.unit) for p in pieces)
        return Question(inp.name, inp.name, "number", labels, tuple(pieces), inp.doc)

    # -- answering from a record

    def answer(self, q: Question, record: Mapping[str, Any], env: Callable[[], Mapping[str, Any]]) -> int:
        """The index of the answer ``record`` gives to ``q`` (``env`` evaluates derived tests)."""
        if q.kind == "test":
            from verifier.facts.evaluation import evaluate  # only derived tests need a full evaluation

            return int(bool(evaluate(self.tests[q.name], env(), None)))
        assert q.input is not None
        v = record.get(q.input)
        if v is None:  # issue 12: an optional input left unknown: the last answer
            return q.size - 1
        if q.kind == "number":
            f = to_fraction(v)
            for k, piece in enumerate(q.values):
                if piece is not None and piece.contains(f):
                    return k
            raise ValueError(f"{q.input} = {v} is outside its declared range")
        return q.values.index(v)


def _holds(op: str, v: Fraction, c: Fraction) -> bool:
    return _OPS[op](v, c)


def _merged_pieces(lo: Fraction, hi: Fraction, integral: bool, cuts: list[tuple[str, Fraction]]) -> list[Interval]:
    """The domain cut at every threshold, neighbours merged when every comparison agrees on them."""
    points = sorted({lo, hi} | {c for _, c in cuts if lo <= c <= hi})
    elementary: list[tuple[Interval, Fraction]] = []  # (piece, a value inside it)
    for k, p in enumerate(points):
        if not integral or p.denominator == 1:
            elementary.append((Interval(p, True, p, True), p))
        if k + 1 < len(points):
            q = points[k + 1]
            if integral:
                inside = Fraction(math.floor(p) + 1)
                if inside < q:
                    elementary.append((Interval(p, False, q, False), inside))
            else:
                elementary.append((Interval(p, False, q, False), (p + q) / 2))
    signature = sorted(set(cuts))
    merged: list[tuple[Interval, tuple[bool, ...]]] = []
    for piece, rep in elementary:
        sig = tuple(_holds(op, rep, c) for op, c in signature)
        if merged and merged[-1][1] == sig:
            prev = merged[-1][0]
            merged[-1] = (Interval(prev.lo, prev.lo_closed, piece.hi, piece.hi_closed), sig)
        else:
            merged.append((piece, sig))
    return [p for p, _ in merged]


def _interval_label(p: Interval, lo: Fraction, hi: Fraction, integral: bool, unit: str | None) -> str:
    """A short reading of a piece: ``≤ 2``, ``> 5 cm``, ``0``, ``> 0 and < 10 mm``."""
    if integral:
        a = int(p.lo) if p.lo_closed else math.floor(p.lo) + 1
        b = int(p.hi) if p.hi_closed else math.ceil(p.hi) - 1
        if a == b:
            text = str(a)
        elif a == lo:
            text = f"≤ {b}"
        elif b == hi:
            text = f"≥ {a}"
        else:
            text = f"{a}–{b}"
    else:
        low, high = format_number(p.lo), format_number(p.hi)
        if p.lo == p.hi:
            text = low
        elif p.lo == lo and p.lo_closed:
            text = f"{'≤' if p.hi_closed else '<'} {high}"
        elif p.hi == hi and p.hi_closed:
            text = f"{'≥' if p.lo_closed else '>'} {low}"
        else:
            text = f"{'≥' if p.lo_closed else '>'} {low} and {'≤' if p.hi_closed else '<'} {high}"
    return f"{text} {unit}" if unit else text


# ---------------------------------------------------------------- formulas

FALSE, TRUE = 0, 1
_ATOM, _AND, _OR = "atom", "and", "or"


class Formulas:
    """Hash-consed boolean formulas in negation normal form over the questions.

    A formula is an int. Atoms are ``(question, mask)``: "the answer is one of
    the set bits". ``support[f]`` is the bit set of questions ``f`` mentions;
    questions are numbered in diagram order, so the first question ``f``
    depends on is its lowest set bit.
    """

    def __init__(self, domains: Domains) -> None:
        self.domains = domains
        self.sizes = [q.size for q in domains.questions]
        self.nodes: list[tuple[Any, ...]] = [("const", False), ("const", True)]
        self.support: list[int] = [0, 0]
        self._unique: dict[tuple[Any, ...], int] = {}
        self._restrict: dict[tuple[int, int, int], int] = {}
        self._conv_cache: dict[tuple[str, bool], int] = {}
        self._def_order: dict[str, int] | None = None

    def _intern(self, key: tuple[Any, ...], support: int) -> int:
        found = self._unique.get(key)
        if found is None:
            found = self._unique[key] = len(self.nodes)
            self.nodes.append(key)
            self.support.append(support)
        return found

    def atom(self, q: int, mask: int) -> int:
        full = (1 << self.sizes[q]) - 1
        mask &= full
        if mask == 0:
            return FALSE
        if mask == full:
            return TRUE
        return self._intern((_ATOM, q, mask), 1 << q)

    def _combine(self, op: str, args: list[int]) -> int:
        unit, zero = (TRUE, FALSE) if op == _AND else (FALSE, TRUE)
        flat: list[int] = []
        for a in args:
            node = self.nodes[a]
            if node[0] == op:
                flat.extend(node[1])
            else:
                flat.append(a)
        atoms: dict[int, int] = {}
        rest: set[int] = set()
        for a in flat:
            if a == zero:
                return zero
            if a == unit:
                continue
            node = self.nodes[a]
            if node[0] == _ATOM:
                q, mask = node[1], node[2]
                if q in atoms:
                    atoms[q] = atoms[q] & mask if op == _AND else atoms[q] | mask
                else:
                    atoms[q] = mask
            else:
                rest.add(a)
        parts = set(rest)
        for q, mask in atoms.items():
            a = self.atom(q, mask)
            if a == zero:
                return zero
            if a != unit:
                parts.add(a)
        if not parts:
            return unit
        if len(parts) == 1:
            return next(iter(parts))
        kids = tuple(sorted(parts))
        support = 0
        for k in kids:
            support |= self.support[k]
        return self._intern((op, kids), support)

    def conj(self, args: list[int]) -> int:
        return self._combine(_AND, args)

    def disj(self, args: list[int]) -> int:
        return self._combine(_OR, args)

    def restrict(self, f: int, q: int, answer: int) -> int:
        """``f`` with the answer to question ``q`` fixed."""
        if not (self.support[f] >> q) & 1:
            return f
        key = (f, q, answer)
        found = self._restrict.get(key)
        if found is not None:
            return found
        node = self.nodes[f]
        if node[0] == _ATOM:
            out = TRUE if (node[2] >> answer) & 1 else FALSE
        else:
            kids = [self.restrict(k, q, answer) for k in node[1]]
            out = self.conj(kids) if node[0] == _AND else self.disj(kids)
        self._restrict[key] = out
        return out

    def exists(self, f: int, q: int) -> int:
        """Some answer to ``q`` makes ``f`` true; only the conjuncts mentioning ``q`` are expanded."""
        node = self.nodes[f]
        kids = node[1] if node[0] == _AND else (f,)
        mention = [k for k in kids if (self.support[k] >> q) & 1]
        if not mention:
            return f
        keep = [k for k in kids if not (self.support[k] >> q) & 1]
        part = self.conj(mention)
        some = self.disj([self.restrict(part, q, a) for a in range(self.sizes[q])])
        return self.conj([*keep, some])

    # -- from checked expressions

    def _convert_below(self, ref: m.DefRef) -> None:
        """Convert every definition ``ref`` reads, innermost first (both polarities).

        Converting one on demand inside another would recurse once per level: an
        imported decision table chains thousands of definitions, past Python's
        recursion limit. In dependency order each conversion finds what it reads
        already converted.
        """
        rs = self.domains.ruleset
        if self._def_order is None:
            self._def_order = {d.name: k for k, d in enumerate(rs.definitions)}
        below = sorted(reads(ref, rs).definitions, key=self._def_order.__getitem__)
        for name in below:
            for positive in (True, False):
                if (name, positive) not in self._conv_cache:
                    self._conv_cache[(name, positive)] = self.of(rs.definition(name).expr, positive)

    def of(self, e: m.Expr, positive: bool = True) -> int:
        """The formula of a boolean expression (negated when ``positive`` is false)."""
        if isinstance(e, m.BoolLit):
            return TRUE if e.value == positive else FALSE
        if isinstance(e, m.InputRef):
            return self.atom(self.domains.index[e.name], 0b10 if positive else 0b01)
        if isinstance(e, m.DefRef):
            key = (e.name, positive)
            if key not in self._conv_cache:
                self._convert_below(e)
                self._conv_cache[key] = self.of(self.domains.ruleset.definition(e.name).expr, positive)
            return self._conv_cache[key]
        if isinstance(e, m.Not):
            return self.of(e.arg, not positive)
        if isinstance(e, (m.And, m.Or)):
            kids = [self.of(a, positive) for a in e.args]
            return self.conj(kids) if isinstance(e, m.And) == positive else self.disj(kids)
        if isinstance(e, m.Implies):
            if positive:
                return self.disj([self.of(e.left, False), self.of(e.right, True)])
            return self.conj([self.of(e.left, True), self.of(e.right, False)])
        if isinstance(e, m.Iff):
            return self._iff(e.left, e.right, positive)
        if isinstance(e, m.InSet):
            return self._in(e.subject, e.values, positive != e.negated)
        if isinstance(e, m.Compare):
            return self._compare(e, positive)
        if isinstance(e, m.Known):  # issue 12: every answer but "unknown" (the last)
            q = self.domains.index[e.name]
            known = (1 << (self.domains.questions[q].size - 1)) - 1
            return self.atom(q, known if positive else ~known)
        if isinstance(e, m.Ite):  # issue 12: (c and a) or (not c and b)
            return self.disj([self.conj([self.of(e.cond), self.of(e.then, positive)]),
                              self.conj([self.of(e.cond, False), self.of(e.else_, positive)])])
        raise ValueError(f"a rule or constraint cannot use {format_expr(e)}")

    def _iff(self, a: m.Expr, b: m.Expr, positive: bool) -> int:
        same = self.disj([self.conj([self.of(a), self.of(b)]), self.conj([self.of(a, False), self.of(b, False)])])
        differ = self.disj([self.conj([self.of(a), self.of(b, False)]), self.conj([self.of(a, False), self.of(b)])])
        return same if positive else differ

    def _enum_subject(self, e: m.Expr) -> str | None:
        while isinstance(e, m.DefRef):
            e = self.domains.ruleset.definition(e.name).expr
        return e.name if isinstance(e, m.InputRef) else None

    def _in(self, subject: m.Expr, values: tuple[str, ...], positive: bool) -> int:
        name = self._enum_subject(subject)
        if name is None:
            raise ValueError(f"unsupported enum test on {format_expr(subject)}")
        q = self.domains.questions[self.domains.index[name]]
        mask = sum(1 << k for k, v in enumerate(q.values) if v in values)
        return self.atom(self.domains.index[name], mask if positive else ~mask)

    def _compare(self, c: m.Compare, positive: bool) -> int:
        eq = c.op == "==" if c.op in ("==", "!=") else None
        if self.domains._is_numeric(c.left) or self.domains._is_numeric(c.right):
            simple = self.domains.simple_comparison(c)
            if simple is None:
                q = self.domains.index[format_expr(c)]
                return self.atom(q, 0b10 if positive else 0b01)
            name, op, const = simple
            qi = self.domains.index[name]
            pieces = self.domains.questions[qi].values
            mask = sum(1 << k for k, p in enumerate(pieces) if p is not None and _piece_holds(p, op, const))
            return self.atom(qi, mask if positive else ~mask)
        assert eq is not None
        if isinstance(c.left, m.EnumLit) or isinstance(c.right, m.EnumLit):
            lit, other = (c.left, c.right) if isinstance(c.left, m.EnumLit) else (c.right, c.left)
            assert isinstance(lit, m.EnumLit)
            return self._in(other, (lit.value,), positive == eq)
        left, right = self._enum_subject(c.left), self._enum_subject(c.right)
        if left is not None and left == right:
            return TRUE if positive == eq else FALSE
        if m.type_of(c.left) == m.BOOL:
            return self._iff(c.left, c.right, positive == eq)
        raise ValueError(f"unsupported comparison {format_expr(c)}")


def _piece_holds(p: Interval, op: str, c: Fraction) -> bool:
    """Whether ``x op c`` holds on the whole piece (pieces are cut at ``c``, so one point decides)."""
    if p.lo == p.hi:
        rep = p.lo
    elif p.lo_closed:
        rep = p.lo
    elif p.hi_closed:
        rep = p.hi
    else:
        rep = (p.lo + p.hi) / 2
    return _holds(op, rep, c)
