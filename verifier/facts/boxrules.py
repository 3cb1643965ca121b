"""Rules read as boxes: an exact, solver-free reading of decision-table rulesets.

A decision table imported from DMN (``verifier.dmn.translate``) gives rules of
the shape ``<box> and not <guard>``, where the box is a conjunction of
per-input comparisons and memberships, and the guard is a linear chain of
definitions meaning "some of these boxes match" (F and P tables) or "at least
two of these boxes match" (U tables). This module recognises exactly those
shapes in the checked model and nothing else:

* a *box* expression: ``x op c`` on a numeric input (op one of < <= > >= ==),
  its negation, ``x == v`` / ``x != v`` / ``x in {..}`` / ``not in`` on an enum
  input, a bool input or its negation, ``true``/``false``, conjunctions of
  boxes, and references to definitions that are boxes;
* a *count* expression over box definitions: ``Any(S)`` (one of the boxes of S
  contains the record), ``Two(S)`` (two of them do), and the step
  ``Pair(j, S)`` (box j and one of S) from which the U guard's chain is built:
  ``Two(S) or Pair(j, S)`` is ``Two(S + j)`` when j is not in S.

A rule is read when its condition is a conjunction of one box and literals
over counts. When every rule, every constraint and every input fits
(no optional input), ``BoxModel.of`` returns the reading, otherwise None and
the caller keeps to Z3. The reading decides exactly whether a rule fires on a
concrete record, and finds records that fire a rule by box subtraction; a
record so found is a proof that the rule fires (the differential tests hold
this reading against the Z3 encoding). It never proves that something
cannot happen: that stays with Z3.

Finding the boxes that contain a point, or that meet a box, uses per-input
bitsets (Python ints, one bit per box): for a numeric input the boxes sorted
by lower end and by upper end with prefix unions, for an enum one set per
value. A query is then a handful of big-int ANDs, so the cost per rule stays
near-constant for tables of thousands of rows.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterator, Union

from dsl import model as m

# A numeric cell is a pair of keys (lo, hi): a key (float(v), v, f) is the point
# v when f == 0, just above v when f == 1 and just below v when f == -1. The
# float goes first only for speed: rounding is monotone, so floats that differ
# order their values correctly, and equal floats fall through to the exact v. An interval
# holds the points between its keys; it is empty when lo > hi. Int inputs are
# normalised to closed integer bounds, so the keys are exact for ints too.
Key = tuple[float, Fraction, int]
NumCell = tuple[Key, Key]
Cell = Union[NumCell, frozenset]
Box = tuple[Cell, ...]


_UNREAD = object()


class _NotABox(Exception):
    """The expression is outside the shapes read here."""


@dataclass(frozen=True, slots=True)
class Any_:
    """At least one box of ``bits`` contains the record."""

    bits: int


@dataclass(frozen=True, slots=True)
class Two:
    """At least two boxes of ``bits`` contain the record."""

    bits: int


@dataclass(frozen=True, slots=True)
class Pair:
    """Box ``j`` and at least one box of ``bits`` contain the record (j not in bits)."""

    j: int
    bits: int


Count = Union[Any_, Two, Pair]


@dataclass(frozen=True, slots=True)
class BoxRule:
    """A rule read as boxes: it fires where box ``base`` holds and every literal has its polarity."""

    id: str
    base: int
    literals: tuple[tuple[bool, Count], ...]


def _holds(c: Count, hits: int) -> bool:
    if isinstance(c, Any_):
        return hits & c.bits != 0
    if isinstance(c, Two):
        h = hits & c.bits
        return h & (h - 1) != 0
    return (hits >> c.j) & 1 == 1 and hits & c.bits != 0


class BoxModel:
    """The box reading of one ruleset (see the module docstring); build with ``of``."""

    # Box subtraction explores at most this many regions per search before giving up.
    BUDGET = 4000

    def __init__(self, ruleset: m.Ruleset) -> None:
        self.ruleset = ruleset
        self.inputs = ruleset.inputs
        self.pos = {i.name: k for k, i in enumerate(self.inputs)}
        self.full: Box = tuple(self._domain(i) for i in self.inputs)
        self.ints = tuple(isinstance(i.type, m.IntType) for i in self.inputs)
        self.boxes: list[Box] = []  # every box the literals and rules refer to, by index
        self._def_box: dict[str, int | None] = {}  # definition -> its box index (None: not a box)
        self._def_count: dict[str, Count | None] = {}
        self.domain: Box = self.full
        self.rules: dict[str, BoxRule] = {}
        self.constraints: dict[str, Box] = {}  # each constraint's box, by id
        self._frozen = False

    # ------------------------------------------------------------ building

    @staticmethod
    def of(ruleset: m.Ruleset) -> "BoxModel | None":
        """The box reading of ``ruleset``, or None when some part of it is not read exactly.

        Read once per ruleset and kept with it (a reading is frozen once indexed):
        `check` reads it for its checks and again for the gap regions of its
        output, `report` to decide whether to run the checks, and at 10,000 rows
        a reading takes seconds.
        """
        kept = ruleset._index.get("box_model", _UNREAD)
        if kept is _UNREAD:
            kept = ruleset._index["box_model"] = BoxModel._read(ruleset)
        return kept

    @staticmethod
    def _read(ruleset: m.Ruleset) -> "BoxModel | None":
        if any(i.optional for i in ruleset.inputs) or not ruleset.rules:
            return None
        bm = BoxModel(ruleset)
        try:
            dom = bm.full
            for c in ruleset.constraints:
                bm.constraints[c.id] = bm._box(c.expr)
                dom = _meet(dom, bm.constraints[c.id])
            bm.domain = dom
            # Definitions first, in file order, so that reading a long chain (a guard
            # over thousands of rows) never recurses deeper than one link.
            for d in ruleset.definitions:
                if m.type_of(d.expr) == m.BOOL and bm._def_box_index(d.name) is None:
                    try:
                        bm._count(m.DefRef(d.name, m.BOOL, d.span))
                    except _NotABox:
                        pass  # not a count: fine unless a rule reads it (then the rule fails)
            for r in ruleset.rules:
                bm.rules[r.id] = bm._rule(r)
        except (_NotABox, RecursionError):
            return None
        bm._index()
        return bm

    def _domain(self, i: m.Input) -> Cell:
        t = i.type
        if isinstance(t, m.BoolType):
            return frozenset((False, True))
        if isinstance(t, m.EnumType):
            return frozenset(t.values)
        if isinstance(t, m.IntType):
            return (_key(Fraction(t.lo), 0), _key(Fraction(t.hi), 0))
        assert isinstance(t, m.RealType)
        return (_key(Fraction(t.lo), 0), _key(Fraction(t.hi), 0))

    def _compare(self, op: str, name: str, value: Fraction) -> dict[int, Cell]:
        """The cell of ``name op value`` for a numeric input."""
        inp = self.inputs[self.pos[name]]
        cell = self.full[self.pos[name]]
        assert not isinstance(cell, frozenset)
        lo, hi = cell
        if op == "==":
            new: NumCell = (_key(value, 0), _key(value, 0))
        elif op == "<":
            new = (lo, _key(value, -1))
        elif op == "<=":
            new = (lo, _key(value, 0))
        elif op == ">":
            new = (_key(value, 1), hi)
        elif op == ">=":
            new = (_key(value, 0), hi)
        else:
            raise _NotABox(op)
        if isinstance(inp.type, m.IntType):
            new = _int_cell(new)
        return self._with(name, _iv_meet(cell, new))

    def _with(self, name: str, cell: Cell) -> dict[int, Cell]:
        return {self.pos[name]: cell}

    def _box(self, e: m.Expr) -> Box:
        """The box of a box-shaped expression; raises _NotABox otherwise."""
        parts = self._parts(e)
        return tuple(parts.get(c, x) for c, x in enumerate(self.full))

    def _parts(self, e: m.Expr) -> dict[int, Cell]:
        """The cells a box-shaped expression constrains, by input position (the
        others are the whole domain); raises _NotABox for any other expression."""
        if isinstance(e, m.BoolLit):
            if e.value:
                return {}
            if not self.full:
                raise _NotABox("false")
            return {0: _empty(self.full)[0]}
        if isinstance(e, m.DefRef):
            k = self._def_box_index(e.name)
            if k is None:
                raise _NotABox(e.name)
            return dict(enumerate(self.boxes[k]))
        if isinstance(e, m.And):
            out: dict[int, Cell] = {}
            for a in e.args:
                for c, cell in self._parts(a).items():
                    old = out.get(c)
                    out[c] = cell if old is None else _cell_meet(old, cell)
            return out
        if isinstance(e, m.InputRef) and isinstance(self._type(e.name), m.BoolType):
            return self._with(e.name, frozenset((True,)))
        if isinstance(e, m.Not):
            a = e.arg
            if isinstance(a, m.InputRef) and isinstance(self._type(a.name), m.BoolType):
                return self._with(a.name, frozenset((False,)))
            if isinstance(a, m.Compare) and a.op in _NEGATED:
                return self._parts(m.Compare(_NEGATED[a.op], a.left, a.right, a.span))
            if isinstance(a, m.InSet):
                return self._parts(m.InSet(a.subject, a.values, not a.negated, a.span))
            raise _NotABox("not")
        if isinstance(e, m.InSet):
            if not isinstance(e.subject, m.InputRef):
                raise _NotABox("in")
            dom = self.full[self.pos[e.subject.name]]
            assert isinstance(dom, frozenset)
            vals = frozenset(e.values)
            return self._with(e.subject.name, dom - vals if e.negated else dom & vals)
        if isinstance(e, m.Compare):
            left, right, op = e.left, e.right, e.op
            if not isinstance(left, m.InputRef) and isinstance(right, m.InputRef):
                left, right, op = right, left, _MIRROR[op]
            if not isinstance(left, m.InputRef) or left.name not in self.pos:
                raise _NotABox("compare")
            t = self._type(left.name)
            num = _number(right)
            if isinstance(t, (m.IntType, m.RealType)) and num is not None:
                return self._compare(op, left.name, num)
            if isinstance(t, (m.EnumType, m.BoolType)) and isinstance(right, (m.EnumLit, m.BoolLit)) \
                    and op in ("==", "!="):
                dom = self.full[self.pos[left.name]]
                assert isinstance(dom, frozenset)
                v = frozenset((right.value,))
                return self._with(left.name, dom & v if op == "==" else dom - v)
            raise _NotABox("compare")
        raise _NotABox(type(e).__name__)

    def _type(self, name: str) -> m.InputType:
        if name not in self.pos:
            raise _NotABox(name)
        return self.inputs[self.pos[name]].type

    def _new_box(self, b: Box) -> int:
        if self._frozen:
            # Once indexed, a new box would be missing from every bitset: not read.
            raise _NotABox("a box made after indexing")
        self.boxes.append(b)
        return len(self.boxes) - 1

    def _def_box_index(self, name: str) -> int | None:
        """The box index of definition ``name`` when it is a box (memoised; None otherwise)."""
        if name in self._def_box:
            return self._def_box[name]
        d = self.ruleset.definition(name)
        k: int | None = None
        if isinstance(d.expr, m.DefRef):
            # An alias (``seen1 = m1``) is the same box: counts must not see two rows.
            k = self._def_box_index(d.expr.name)
        elif m.type_of(d.expr) == m.BOOL and not _has_defref(d.expr):
            # Only definitions over inputs are boxes of their own; a conjunction of
            # definitions (``m2 and seen1``) is read as a count instead.
            try:
                k = self._new_box(self._box(d.expr))
            except _NotABox:
                k = None
        self._def_box[name] = k
        return k

    def _count(self, e: m.Expr) -> Count:
        """The count reading of ``e``; raises _NotABox when there is none."""
        if isinstance(e, m.DefRef):
            k = self._def_box_index(e.name)
            if k is not None:
                return Any_(1 << k)
            if e.name in self._def_count:
                c = self._def_count[e.name]
                if c is None:
                    raise _NotABox(e.name)
                return c
            # ``of`` reads definitions in file order: a chain's links are read by now.
            try:
                c = self._count(self.ruleset.definition(e.name).expr)
            except _NotABox:
                self._def_count[e.name] = None
                raise
            self._def_count[e.name] = c
            return c
        if isinstance(e, m.BoolLit) and not e.value:
            return Any_(0)
        if not _has_defref(e) and _is_box_shaped(e):
            # An inline box inside a count (e.g. ``(m1 or (x < 3))``): a box of its own.
            return Any_(1 << self._new_box(self._box(e)))
        if isinstance(e, m.Or):
            parts = [self._count(a) for a in e.args]
            if all(isinstance(p, Any_) for p in parts):
                bits = 0
                for p in parts:
                    bits |= p.bits  # type: ignore[union-attr]
                return Any_(bits)
            if len(parts) == 2:
                # Two(S) or Pair(j, S) with j not in S: at least two of S + j.
                a, b = parts
                if isinstance(b, Two) and isinstance(a, Pair):
                    a, b = b, a
                if isinstance(a, Two) and isinstance(b, Pair) and a.bits == b.bits:
                    return Two(a.bits | (1 << b.j))
            raise _NotABox("or")
        if isinstance(e, m.And) and len(e.args) == 2:
            a, b = (self._count(x) for x in e.args)
            if isinstance(a, Any_) and isinstance(b, Any_):
                for x, y in ((a, b), (b, a)):
                    if x.bits and x.bits & (x.bits - 1) == 0 and x.bits & y.bits == 0:
                        j = x.bits.bit_length() - 1
                        if y.bits and y.bits & (y.bits - 1) == 0:
                            return Two(x.bits | y.bits)  # both single boxes: both hold
                        return Pair(j, y.bits)
            raise _NotABox("and")
        raise _NotABox(type(e).__name__)

    def _rule(self, r: m.Rule) -> BoxRule:
        parts = _conjuncts(r.condition)
        base = self.full
        single: int | None = None
        literals: list[tuple[bool, Count]] = []
        n_box = 0
        for p in parts:
            try:
                b = self._box(p)
            except _NotABox:
                pass
            else:
                n_box += 1
                if isinstance(p, m.DefRef):
                    single = self._def_box_index(p.name)
                base = _meet(base, b)
                continue
            neg = isinstance(p, m.Not)
            c = self._count(p.arg if isinstance(p, m.Not) else p)
            if isinstance(c, Pair):
                raise _NotABox("pair literal")
            literals.append((not neg, c))
        # A rule whose box is exactly one definition's box shares its index.
        k = single if n_box == 1 and single is not None else self._new_box(base)
        return BoxRule(r.id, k, tuple(literals))

    def _index(self) -> None:
        """Per-input bitsets over every box (see the module docstring)."""
        n = len(self.boxes)
        self._num: dict[int, tuple[list[Key], list[int], list[Key], list[int]]] = {}
        self._enum: dict[int, dict[Any, int]] = {}
        for c, inp in enumerate(self.inputs):
            if isinstance(self.full[c], frozenset):
                per: dict[Any, int] = {v: 0 for v in self.full[c]}  # type: ignore[union-attr]
                for k in range(n):
                    for v in self.boxes[k][c]:  # type: ignore[union-attr]
                        per[v] |= 1 << k
                self._enum[c] = per
                continue
            by_lo = sorted(range(n), key=lambda k: self.boxes[k][c][0])  # type: ignore[index]
            by_hi = sorted(range(n), key=lambda k: self.boxes[k][c][1], reverse=True)  # type: ignore[index]
            lo_keys = [self.boxes[k][c][0] for k in by_lo]  # type: ignore[index]
            hi_keys = [_neg(self.boxes[k][c][1]) for k in by_hi]  # type: ignore[index]
            lo_pref, hi_pref = [0], [0]
            acc = 0
            for k in by_lo:
                acc |= 1 << k
                lo_pref.append(acc)
            acc = 0
            for k in by_hi:
                acc |= 1 << k
                hi_pref.append(acc)
            self._num[c] = (lo_keys, lo_pref, hi_keys, hi_pref)  # type: ignore[assignment]
        # Empty boxes meet nothing (the sorted ends alone would not show it).
        self._all = sum(1 << k for k in range(n) if not _is_empty(self.boxes[k]))
        self.by_base: dict[int, list[str]] = {}
        for r in self.rules.values():
            self.by_base.setdefault(r.base, []).append(r.id)
        self._bases = sum(1 << k for k in self.by_base)
        self._frozen = True

    # ------------------------------------------------------------ queries

    def meeting(self, region: Box) -> int:
        """The bitset of boxes sharing a point with ``region``."""
        out = self._all
        for c, cell in enumerate(region):
            if isinstance(cell, frozenset):
                per = self._enum[c]
                acc = 0
                for v in cell:
                    acc |= per[v]
                out &= acc
            else:
                lo_keys, lo_pref, hi_keys, hi_pref = self._num[c]
                lo, hi = cell
                # boxes whose lower end <= region's upper end, and upper end >= region's lower end
                out &= lo_pref[bisect.bisect_right(lo_keys, hi)] & hi_pref[bisect.bisect_right(hi_keys, _neg(lo))]
            if not out:
                break
        return out

    def hits(self, point: tuple[Any, ...]) -> int:
        """The bitset of boxes containing ``point`` (one value per input, in declaration order)."""
        region = tuple(frozenset((v,)) if isinstance(self.full[c], frozenset) else (_key(v, 0), _key(v, 0))
                       for c, v in enumerate(point))
        return self.meeting(region)

    def fires(self, rule: str, hits: int) -> bool:
        """Whether ``rule`` fires on the point whose ``hits`` are given."""
        r = self.rules[rule]
        if not (hits >> r.base) & 1:
            return False
        return all(_holds(c, hits) == pos for pos, c in r.literals)

    def fired(self, hits: int) -> list[str]:
        """The rules firing on the point whose ``hits`` are given (only rules whose box holds are tried)."""
        out: list[str] = []
        for k in _bits(hits & self._bases):
            out += [r for r in self.by_base[k] if self.fires(r, hits)]
        return out

    def record(self, point: tuple[Any, ...]) -> dict[str, Any]:
        """A point as an engine record (reals and ints as Fractions/ints)."""
        out: dict[str, Any] = {}
        for inp, v in zip(self.inputs, point):
            out[inp.name] = int(v) if isinstance(inp.type, m.IntType) else v
        return out

    def witness(self, rule: str) -> tuple[Any, ...] | None:
        """A valid point (decimal values) on which ``rule`` fires, or None if none was found.

        Candidates are points of the rule's box (inside the constraints) outside
        every box of its literals that meets it only in part; each is checked
        exactly with ``fires``. None proves nothing (the caller asks Z3).
        """
        r = self.rules[rule]
        region = _meet(self.domain, self.boxes[r.base])
        if _is_empty(region):
            return None
        lit_bits = 0
        for _, c in r.literals:
            lit_bits |= c.bits | ((1 << c.j) if isinstance(c, Pair) else 0)
        near = self.meeting(region) & lit_bits
        # Boxes holding all of the region say the same everywhere in it: not in the way.
        partial = [k for k in _bits(near) if not _inside(region, self.boxes[k])]
        budget = [self.BUDGET]
        for point in self._points_outside(region, partial, budget):
            if self.fires(rule, self.hits(point)):
                return point
        # A point inside the region, as is (e.g. a rule that needs one other box to hold).
        point = _a_point(region)
        if point is not None and self.fires(rule, self.hits(point)):
            return point
        return None

    def unserved_point(self, serving: set[str]) -> tuple[Any, ...] | None:
        """A valid point where no rule of ``serving`` fires, or None if none was found.

        First a point outside every rule's box (gaps: subtracting the boxes that
        hold the current point, within BUDGET), then a point shared by two rules'
        boxes (overlaps, which guards may silence). Each is checked with ``fires``.
        """
        def unserved(p: tuple[Any, ...]) -> bool:
            return not any(r in serving for r in self.fired(self.hits(p)))

        budget = [self.BUDGET]
        stack = [self.domain]
        while stack and budget[0] > 0:
            budget[0] -= 1
            region = stack.pop()
            p = _a_point(region)
            if p is None:
                continue
            inside = self.hits(p) & self._bases
            if not inside:
                if unserved(p):
                    return p
                continue
            k = inside & -inside
            pieces = _minus(region, self.boxes[k.bit_length() - 1], self.ints)
            stack.extend(reversed(pieces))
        for k in _bits(self._bases):
            region = _meet(self.domain, self.boxes[k])
            if _is_empty(region):
                continue
            for j in _bits(self.meeting(region) & self._bases & ~(1 << k)):
                p = _a_point(_norm(_meet(region, self.boxes[j]), self.ints))
                if p is not None and unserved(p):
                    return p
                break  # one point per row: enough to find an overlap, and linear
        return None

    def covers(self, serving: set[str]) -> bool:
        """True only when box algebra proves that some rule of ``serving`` fires on every valid point.

        Only rules whose literals are all ``not Any(S)`` / ``not Two(S)`` count, and
        only when those literals are shown false nowhere in the rule's box (no box
        of S meets it; the boxes of S meet no other box of S). Then each such rule
        fires on all of its box, and the domain is shown to lie inside the union of
        their boxes by exhaustive subtraction (within a budget growing with the
        table; past it nothing is claimed).
        """
        if _a_point(self.domain) is None:
            return False  # no valid record: a finding of its own (Z3 explains it)
        disjoint: dict[int, bool] = {}

        def pairwise_disjoint(bits: int) -> bool:
            if bits not in disjoint:
                # (a box with no valid point meets nothing: it cannot make two either)
                disjoint[bits] = all(self.meeting(_meet(self.domain, self.boxes[j])) & bits in (0, 1 << j)
                                     for j in _bits(bits))
            return disjoint[bits]

        usable = 0
        for rid in sorted(serving):
            r = self.rules[rid]
            region = _meet(self.domain, self.boxes[r.base])
            if _is_empty(region):
                continue
            ok = True
            for pos, c in r.literals:
                if pos or isinstance(c, Pair):
                    ok = False
                elif isinstance(c, Any_):
                    ok = self.meeting(region) & c.bits == 0
                else:
                    ok = pairwise_disjoint(c.bits)
                if not ok:
                    break
            if ok:
                usable |= 1 << r.base
        return self._inside_union(self.domain, usable, 50 * len(self.boxes) + 1000)

    def _inside_union(self, region: Box, usable: int, budget: int) -> bool:
        """Every point of ``region`` lies in some box of ``usable`` (True only when shown).

        Partition refinement, as a k-d tree: a region some box holds whole is
        done; otherwise it is cut in two at the median boundary, inside it, of
        the boxes meeting it (on the input with the most such boundaries), so a
        table that partitions its inputs is retraced in about as many regions as
        it has rows.
        """
        stack = [region]
        while stack:
            budget -= 1
            if budget < 0:
                return False
            reg = stack.pop()
            if _is_empty(reg):
                continue
            near = self.meeting(reg) & usable
            if not near:
                return False  # a point of the region is in no usable box
            ks = list(_bits(near))
            if any(_inside(reg, self.boxes[k]) for k in ks):
                continue
            halves = self._cut(reg, ks)
            if halves is None:
                return False  # cannot happen for boxes that meet but do not hold it; be safe
            stack.extend(halves)
        return True

    def _cut(self, reg: Box, ks: list[int]) -> list[Box] | None:
        """``reg`` split in two at a boundary of the boxes ``ks`` that lies strictly inside it.

        A *clean* cut (one no box of ``ks`` straddles: the boxes before it all end
        before it) is preferred, the one nearest the middle; a table built by
        splitting regions (a decision tree) always has one, and cutting there
        never fragments a row. Otherwise the median boundary of the input with
        the most boundaries.
        """
        best_clean: tuple[int, int, Any] | None = None  # (-balance, column, cut)
        best_any: tuple[int, int, Any] | None = None
        for c, cell in enumerate(reg):
            if isinstance(cell, frozenset):
                cuts = sorted({frozenset(cell & self.boxes[k][c]) for k in ks} - {frozenset(), cell},  # type: ignore[operator]
                              key=lambda x: sorted(map(repr, x)))
                if cuts:
                    if best_any is None or len(cuts) > best_any[0]:
                        best_any = (len(cuts), c, cuts[len(cuts) // 2])
                    clean = [x for x in cuts if all(self.boxes[k][c] & cell <= x or not (self.boxes[k][c] & x)  # type: ignore[operator]
                                                    for k in ks)]
                    if clean:
                        score = -abs(len(ks) - 2 * sum(1 for k in ks if self.boxes[k][c] & cell <= clean[0]))  # type: ignore[operator]
                        if best_clean is None or score > best_clean[0]:
                            best_clean = (score, c, clean[0])
                continue
            lo, hi = cell
            ivs = sorted(((max(lo, self.boxes[k][c][0]), min(hi, self.boxes[k][c][1])) for k in ks),  # type: ignore[index]
                         key=lambda x: x[0])
            inner = sorted({iv[0] for iv in ivs if lo < iv[0]})
            if inner and (best_any is None or len(inner) > best_any[0]):
                best_any = (len(inner), c, ("lo", inner[len(inner) // 2]))
            reach: Key | None = None
            for i, (blo, bhi) in enumerate(ivs):
                if reach is not None and lo < blo and reach < blo and _after(reach) == blo:
                    # every box before ends just before this one starts: a clean cut at blo
                    score = -abs(len(ivs) - 2 * i)
                    if best_clean is None or score > best_clean[0]:
                        best_clean = (score, c, ("lo", blo))
                reach = bhi if reach is None or bhi > reach else reach
        pick = best_clean or best_any
        if pick is None:
            return None
        _, c, cut = pick
        cell = reg[c]
        if isinstance(cell, frozenset):
            parts: list[Cell] = [cut, cell - cut]
        else:
            lo, hi = cell
            side, key = cut
            # A box's lower end starts the right half; its upper end closes the left half.
            parts = [(lo, _before(key)), (key, hi)] if side == "lo" else [(lo, key), (_after(key), hi)]
        out = [reg[:c] + (p,) + reg[c + 1:] for p in parts]
        return [_norm(b, self.ints) for b in out]

    def excludes_something(self, constraint: str) -> bool:
        """True when some point meets the input domains and the other constraints but not ``constraint``."""
        rest = self.full
        for cid, b in self.constraints.items():
            if cid != constraint:
                rest = _meet(rest, b)
        return any(_a_point(p) is not None for p in _minus(rest, self.constraints[constraint], self.ints))

    def dead(self, rule: str) -> bool:
        """True only when box algebra proves that ``rule`` fires on no valid record.

        Exact for a literal ``not Any(S)`` / ``not Two(S)``: the boxes of S that
        hold all of the rule's region are counted, and the region is shown to lie
        inside the union of the others by exhaustive subtraction (within BUDGET;
        past it nothing is claimed).
        """
        r = self.rules[rule]
        region = _meet(self.domain, self.boxes[r.base])
        if _is_empty(region):
            return True
        for pos, c in r.literals:
            if pos or isinstance(c, Pair):
                continue
            near = self.meeting(region) & c.bits
            whole = [k for k in _bits(near) if _inside(region, self.boxes[k])]
            need = 1 if isinstance(c, Any_) else 2  # boxes of S that make the literal false
            if len(whole) >= need:
                return True
            if len(whole) == need - 1:
                partial = [k for k in _bits(near) if k not in whole]
                budget = [self.BUDGET]
                escaped = next(iter(self._points_outside(region, partial, budget)), None)
                if escaped is None and budget[0] >= 0:
                    return True  # every point of the region lies in one more box of S
        return False

    def satisfiable(self, e: m.Expr, points: Iterator[tuple[Any, ...]]) -> bool:
        """True only when ``e`` alone (a box, or a count literal) holds on some valid point.

        A box is shown non-empty inside the domain; a literal is tried on ``points``.
        """
        try:
            b = self._box(e)
        except _NotABox:
            pass
        else:
            return _a_point(_meet(self.domain, b)) is not None
        neg = isinstance(e, m.Not)
        try:
            c = self._count(e.arg if isinstance(e, m.Not) else e)  # type: ignore[attr-defined]
        except _NotABox:
            return False
        for p in points:
            if _holds(c, self.hits(p)) != neg:
                return True
        return False

    def _points_outside(self, region: Box, others: list[int], budget: list[int]) -> Iterator[tuple[Any, ...]]:
        """Points of ``region`` outside every box of ``others`` (depth first, within ``budget``)."""
        budget[0] -= 1
        if budget[0] < 0:
            return
        for i, k in enumerate(others):
            b = self.boxes[k]
            if _meets(region, b):
                for piece in _minus(region, b, self.ints):
                    yield from self._points_outside(piece, others[i + 1:], budget)
                return
        p = _a_point(region)
        if p is not None:
            yield p


# ---------------------------------------------------------------- box algebra

_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _key(v: Fraction, f: int) -> Key:
    try:
        approx = float(v)
    except OverflowError:  # beyond floats: infinity still orders it right, and v decides ties
        approx = math.inf if v > 0 else -math.inf
    return (approx, v, f)


def _neg(k: Key) -> Key:
    return (-k[0], -k[1], -k[2])


def _int_cell(c: NumCell) -> NumCell:
    """Closed integer bounds of an interval on an int input."""
    (_, lo, lf), (_, hi, hf) = c
    # lower: the least integer in the interval; upper: the greatest
    if lf <= 0:
        ilo = math.ceil(lo)
    else:
        ilo = math.floor(lo) + 1
    if hf >= 0:
        ihi = math.floor(hi)
    else:
        ihi = math.ceil(hi) - 1
    return (_key(Fraction(ilo), 0), _key(Fraction(ihi), 0))


def _iv_meet(a: NumCell, b: NumCell) -> NumCell:
    return (max(a[0], b[0]), min(a[1], b[1]))


def _cell_meet(x: Cell, y: Cell) -> Cell:
    return x & y if isinstance(x, frozenset) else _iv_meet(x, y)  # type: ignore[operator, arg-type]


def _meet(a: Box, b: Box) -> Box:
    return tuple(x & y if isinstance(x, frozenset) else _iv_meet(x, y)  # type: ignore[operator, arg-type]
                 for x, y in zip(a, b))


def _cell_empty(c: Cell) -> bool:
    return not c if isinstance(c, frozenset) else c[0] > c[1]


def _is_empty(b: Box) -> bool:
    return any(_cell_empty(c) for c in b)


def _empty(full: Box) -> Box:
    c = full[0] if full else None
    if c is None:
        return full
    cell: Cell = frozenset() if isinstance(c, frozenset) else (_key(Fraction(1), 0), _key(Fraction(0), 0))
    return (cell,) + full[1:]


def _meets(a: Box, b: Box) -> bool:
    return not _is_empty(_meet(a, b))


def _inside(a: Box, b: Box) -> bool:
    """Every point of ``a`` is in ``b`` (a non-empty)."""
    for x, y in zip(a, b):
        if isinstance(x, frozenset):
            if not x <= y:  # type: ignore[operator]
                return False
        elif x[0] < y[0] or x[1] > y[1]:  # type: ignore[index]
            return False
    return True


def _before(k: Key) -> Key:
    """The key just below the point or boundary ``k`` (for the piece left of a lower end)."""
    _, v, f = k
    return _key(v, -1) if f == 0 else _key(v, 0)  # [v.. -> ..v) ; (v.. -> ..v]


def _after(k: Key) -> Key:
    _, v, f = k
    return _key(v, 1) if f == 0 else _key(v, 0)  # ..v] -> (v.. ; ..v) -> [v..


def _minus(region: Box, b: Box, ints: tuple[bool, ...]) -> list[Box]:
    """``region`` minus ``b`` as disjoint boxes (at most two per numeric input, one per enum);
    cells of int inputs (``ints``) come back as closed integer bounds."""
    out: list[Box] = []
    rest = region
    for c, (x, y) in enumerate(zip(region, b)):
        if isinstance(x, frozenset):
            outside = x - y  # type: ignore[operator]
            if outside:
                out.append(rest[:c] + (outside,) + rest[c + 1:])
            inside: Cell = x & y  # type: ignore[operator]
        else:
            (xlo, xhi), (ylo, yhi) = x, y  # type: ignore[misc]
            if xlo < ylo:
                out.append(rest[:c] + ((xlo, min(xhi, _before(ylo))),) + rest[c + 1:])
            if yhi < xhi:
                out.append(rest[:c] + ((max(xlo, _after(yhi)), xhi),) + rest[c + 1:])
            inside = (max(xlo, ylo), min(xhi, yhi))
        rest = rest[:c] + (inside,) + rest[c + 1:]
    out = [_norm(p, ints) for p in out]
    return [p for p in out if not _is_empty(p)]


def _norm(b: Box, ints: tuple[bool, ...]) -> Box:
    return tuple(_int_cell(x) if i else x for x, i in zip(b, ints))  # type: ignore[arg-type]


def _a_point(region: Box) -> tuple[Any, ...] | None:
    """A point of ``region`` with decimal values, or None if it is empty (int cells are integral)."""
    out: list[Any] = []
    for cell in region:
        if isinstance(cell, frozenset):
            if not cell:
                return None
            out.append(sorted(cell, key=repr)[0])
            continue
        (_, lo, lf), (_, hi, hf) = cell
        if (lo, lf) > (hi, hf):
            return None
        if lf == 0:
            out.append(lo)
        elif hf == 0:
            out.append(hi)
        else:
            # Both ends open (lo < hi): the midpoint of two decimals is a decimal.
            out.append((lo + hi) / 2)
    return tuple(out)


def _bits(x: int) -> Iterator[int]:
    while x:
        low = x & -x
        yield low.bit_length() - 1
        x ^= low


def _conjuncts(e: m.Expr) -> list[m.Expr]:
    if isinstance(e, m.And):
        return [c for a in e.args for c in _conjuncts(a)]
    return [e]


def _number(e: m.Expr) -> Fraction | None:
    """The value of a numeric literal, possibly negated (``-250`` is ``Neg(NumLit)``); None otherwise."""
    if isinstance(e, m.NumLit):
        return Fraction(e.value)
    if isinstance(e, m.Neg):
        v = _number(e.arg)
        return None if v is None else -v
    return None


def _has_defref(e: m.Expr) -> bool:
    return any(isinstance(x, m.DefRef) for x in m.walk(e))


def _is_box_shaped(e: m.Expr) -> bool:
    return isinstance(e, (m.Compare, m.InSet, m.And, m.InputRef, m.Not, m.BoolLit))
