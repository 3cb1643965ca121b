"""Regions of change: boxes over the inputs, found by Z3 and grown greedily.

A change ("OLD recommends X, NEW does not") holds on some set of records. A
reviewer needs that set in a few readable pieces, not as thousands of points,
so it is covered by *boxes*: for each input a set of values (enums, booleans)
or an interval between the thresholds the rulesets compare it with (numbers).

One box comes from one seed record where the change happens:

1. the seed is made typical: each input takes its usual value where it can
   (the same greedy idea as ``verifier.solver.plain_models``), so regions and examples
   read naturally and come out the same on every run;
2. it is grown one input at a time, in declaration order: the whole domain if
   possible, else value by value or interval by interval. A step is kept only
   if Z3 proves that *every* valid record of the larger box shows the same
   change (no valid record of the box lacks it);
3. the box is blocked and the next seed is sought outside all boxes found.

For decision tables the finder is given box-algebra hooks by
``verifier.diff.compare`` (see ``verifier.diff.boxgrow``): a proved box
proposal replaces step 2, and steps 1 and the examples use exact box tests
instead of queries; candidate seeds next to the boxes found are tried before
step 3 asks the solver.

Boxes of the same change that differ in one input are merged afterwards.
Values a box allows only vacuously (no valid record has them there, e.g.
``grade = G1`` for a dedifferentiated tumour) are dropped from its
description; an input whose whole domain is allowed is left out of it.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Callable, Hashable, Iterable, Sequence

import z3

from dsl.printer import format_number, interval_text
from verifier.diff.semantic import SAT, UNKNOWN, UNSAT, JointEncoding, Probe, SharedInput
from verifier.facts.thresholds import input_cuts
from verifier.facts.values import Value, is_json_exact


@dataclass(frozen=True, slots=True)
class Piece:
    """An elementary interval between consecutive thresholds: a point or an open gap."""

    lo: Fraction
    hi: Fraction

    @property
    def is_point(self) -> bool:
        return self.lo == self.hi

    def contains(self, v: Fraction) -> bool:
        return v == self.lo if self.is_point else self.lo < v < self.hi


@dataclass(frozen=True, slots=True)
class Allowed:
    """The values one input may take in a box.

    Enums and booleans: ``values``. Numbers: the pieces ``first..last``, or
    the single value ``point`` (a seed not yet grown to its piece).
    """

    values: tuple[Value, ...] = ()
    first: int = 0
    last: int = 0
    point: Fraction | None = None


Box = tuple[Allowed, ...]


@dataclass(frozen=True, slots=True)
class Bound:
    """One input's part of a region description, as text and as data."""

    input: str
    text: str
    values: tuple[Value, ...] | None = None
    lo: Fraction | None = None
    lo_closed: bool = True
    hi: Fraction | None = None
    hi_closed: bool = True

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"input": self.input, "text": self.text}
        if self.values is not None:
            out["values"] = list(self.values)
        else:
            out["interval"] = {
                "lo": _json_number(self.lo), "lo_closed": self.lo_closed,
                "hi": _json_number(self.hi), "hi_closed": self.hi_closed,
            }
        return out


@dataclass(frozen=True, slots=True)
class FoundBox:
    """A proved box, the key of the change it shows, and the seed record inside it."""

    key: Hashable
    box: Box
    seed: dict[str, Value]


# Literals, or a function giving them: the box path of decision tables may never
# need the solver, so its callers put off building the joint encoding's literals.
Lits = list[z3.BoolRef] | Callable[[], list[z3.BoolRef]]


def lits_of(x: Lits) -> list[z3.BoolRef]:
    return x() if callable(x) else x


def _json_number(v: Fraction | None) -> int | float | str | None:
    if v is None:
        return None
    if v.denominator == 1:
        return v.numerator
    return float(v) if is_json_exact(v) else str(v)


def pieces(inp: SharedInput, cuts: Iterable[Fraction]) -> tuple[Piece, ...]:
    """The input's range cut at every threshold and at both versions' bounds."""
    points = {inp.lo, inp.hi}
    for decl in (inp.old, inp.new):
        if decl is not None:
            points |= {Fraction(decl.type.lo), Fraction(decl.type.hi)}  # type: ignore[union-attr]
    points |= {c for c in cuts if inp.lo <= c <= inp.hi}
    ordered = sorted(points)
    out: list[Piece] = []
    for k, p in enumerate(ordered):
        # An int input only takes whole values: skip pieces holding none.
        if inp.kind == "real" or p.denominator == 1:
            out.append(Piece(p, p))
        if k + 1 < len(ordered):
            q = ordered[k + 1]
            if inp.kind == "real" or math.floor(p) + 1 <= math.ceil(q) - 1:
                out.append(Piece(p, q))
    return tuple(out)


# ---------------------------------------------------------------- the finder


def _value_key(v: Value) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def is_simple(v: Fraction) -> bool:
    """At most two decimals, exactly printable as a JSON number."""
    return 100 % v.denominator == 0 and is_json_exact(v)


def _same(a: Value, b: Value) -> bool:
    """Equal as record values (an int 5 and a Fraction 5 are the same number)."""
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b and type(a) is type(b)
    return Fraction(a) == Fraction(b)


def _values(joint: JointEncoding, model: z3.ModelRef | None) -> dict[str, Value]:
    assert model is not None
    return joint.values(model)


def _round_candidates(v: Fraction, piece: Piece) -> list[Fraction]:
    """Rounder numbers in ``piece`` near ``v``, roundest first."""
    out: list[Fraction] = []
    for places in range(0, 3):
        scale = 10**places
        for c in (Fraction(round(v * scale), scale), Fraction(math.floor(v * scale), scale),
                  Fraction(math.ceil(v * scale), scale)):
            if piece.contains(c) and c not in out:
                out.append(c)
    if not piece.is_point:
        mid = (piece.lo + piece.hi) / 2
        if is_simple(mid) and mid not in out:
            out.append(mid)
    return out


@dataclass(frozen=True, slots=True)
class Focus:
    """The inputs a change depends on (``support``) and the order to try freeing them.

    Outside the support every input is free from the start: with the support
    fixed, the change cannot depend on it. ``order(seed)`` lists the support
    in the order to free it; when two inputs are tied by a constraint
    (``surgery_done`` and ``margin``), the one freed first goes and the other
    stays, so the inputs a reader most needs to see come last. None: the
    declaration order.
    """

    support: frozenset[str]
    order: Callable[[dict[str, Value]], tuple[str, ...]] | None = None


class RegionFinder:
    """Finds and describes the boxes of one kind of change over a joint encoding."""

    def __init__(self, joint: JointEncoding) -> None:
        self.joint = joint
        cuts = input_cuts((joint.old, joint.new))
        self.pieces: dict[str, tuple[Piece, ...]] = {}
        for inp in joint.inputs:
            if inp.kind in ("int", "real"):
                self.pieces[inp.name] = pieces(inp, cuts.get(inp.declared.name, set()))
        self.index = {inp.name: k for k, inp in enumerate(joint.inputs)}
        self.queries = 0
        self._blocks = 0
        # A box proposal for a seed (``verifier.diff.boxgrow``), tried before growing
        # input by input; None: always grow. A proposal is used only once proved.
        self.propose: Callable[[dict[str, Value]], Box | None] | None = None
        self.proposals_used = 0
        self._piece_keys: dict[str, list[tuple[Fraction, int]]] = {}
        self._proposed = False

    def solve(self, lits: Sequence[z3.BoolRef], want_model: bool = True) -> Probe:
        self.queries += 1
        return self.joint.solve(lits, want_model)

    # ------------------------------------------------------------ literals

    def eq_lit(self, inp: SharedInput, value: Value) -> z3.BoolRef:
        return self.joint.lit(f"eq:{inp.name}:{_value_key(value)}", lambda: self.joint.equals(inp, value))

    def _ne_lit(self, inp: SharedInput, k: int) -> z3.BoolRef:
        return self.joint.lit(f"ne:{inp.name}:{inp.values[k]}", lambda: inp.var != k)

    def _bound_lit(self, inp: SharedInput, op: str, value: Fraction) -> z3.BoolRef:
        def fact() -> z3.BoolRef:
            v = self.joint.num(value)
            return {">": inp.var > v, ">=": inp.var >= v, "<": inp.var < v, "<=": inp.var <= v}[op]

        return self.joint.lit(f"{op}:{inp.name}:{value}", fact)

    def allowed_lits(self, inp: SharedInput, a: Allowed) -> list[z3.BoolRef]:
        """Literals confining ``inp`` to ``a`` (none when ``a`` is its whole domain)."""
        if inp.kind == "bool":
            return [self.eq_lit(inp, a.values[0])] if len(a.values) == 1 else []
        if inp.kind == "enum":
            return [self._ne_lit(inp, k) for k, v in enumerate(inp.values) if v not in a.values]
        if a.point is not None:
            return [self.eq_lit(inp, a.point)]
        ps = self.pieces[inp.name]
        out = []
        if a.first > 0:
            lo = ps[a.first]
            out.append(self._bound_lit(inp, ">=" if lo.is_point else ">", lo.lo))
        if a.last < len(ps) - 1:
            hi = ps[a.last]
            out.append(self._bound_lit(inp, "<=" if hi.is_point else "<", hi.hi))
        return out

    def box_lits(self, box: Box) -> list[z3.BoolRef]:
        return [lit for inp, a in zip(self.joint.inputs, box) for lit in self.allowed_lits(inp, a)]

    def block_lit(self, box: Box) -> z3.BoolRef:
        """A literal excluding every record of ``box`` (for the search of the next seed)."""
        # A literal only implies its fact, so the box is rebuilt from the literals' facts:
        # "not all literals" would exclude nothing.
        self._blocks += 1
        joint = self.joint
        facts = [joint.fact_of(lit) for lit in self.box_lits(box)]
        inside = z3.And(facts) if facts else z3.BoolVal(True, joint.ctx)
        return joint.lit(f"block:{self._blocks}", z3.Not(inside))

    # ------------------------------------------------------------ boxes

    def full(self, inp: SharedInput) -> Allowed:
        if inp.kind == "bool":
            return Allowed(values=(False, True))
        if inp.kind == "enum":
            return Allowed(values=inp.values)
        return Allowed(first=0, last=len(self.pieces[inp.name]) - 1)

    def is_full(self, inp: SharedInput, a: Allowed) -> bool:
        return a == self.full(inp)

    def _point(self, inp: SharedInput, value: Value, exact: bool = False) -> Allowed:
        """The seed's value; for a number its whole piece unless ``exact``."""
        if inp.kind in ("bool", "enum"):
            return Allowed(values=(value,))
        v = Fraction(value)  # type: ignore[arg-type]
        k = self._piece_index(inp, v)
        if self.pieces[inp.name][k].is_point or not exact:
            return Allowed(first=k, last=k)
        return Allowed(point=v, first=k, last=k)

    def _piece_index(self, inp: SharedInput, v: Fraction) -> int:
        # Pieces are sorted by lower end, a point before the gap it opens: the last
        # piece starting at or before v (a point at v first) is the only candidate.
        keys = self._piece_keys.get(inp.name)
        if keys is None:
            keys = self._piece_keys[inp.name] = [(p.lo, 0 if p.is_point else 1) for p in self.pieces[inp.name]]
        k = bisect.bisect_right(keys, (v, 0)) - 1
        if k >= 0 and self.pieces[inp.name][k].contains(v):
            return k
        raise ValueError(f"{inp.name}={v} lies outside its range")

    # ------------------------------------------------------------ seeds and examples

    def seed(self, base: list[z3.BoolRef], model: z3.ModelRef, focus: Focus) -> tuple[dict[str, Value], z3.ModelRef]:
        """A record satisfying ``base`` whose support inputs are as typical as possible."""
        joint = self.joint
        kept: list[z3.BoolRef] = []
        for inp in joint.inputs:
            if inp.name not in focus.support:
                continue
            default = inp.default()
            lit = self.eq_lit(inp, default)
            if _same(joint.value(model, inp), default):
                kept.append(lit)
                continue
            probe = self.solve(base + kept + [lit])
            if probe.status == SAT:
                assert probe.model is not None
                kept.append(lit)
                model = probe.model
        return _values(joint, model), model

    def example(self, background: list[z3.BoolRef], box: Box, seed: dict[str, Value], focus: Focus) -> dict[str, Value]:
        """A readable record of ``box``: the seed's support values, typical values elsewhere, short decimals."""
        joint = self.joint
        # The support keeps the seed's values (the box was grown around them),
        # but for reals, which may move within the box to rounder values.
        fixed = [self.eq_lit(inp, seed[inp.name]) for inp in joint.inputs
                 if inp.name in focus.support and inp.kind != "real"]
        base = background + self.box_lits(box) + fixed
        loose = [inp for inp in joint.inputs if inp.name not in focus.support]
        defaults = [self.eq_lit(inp, inp.default()) for inp in loose]
        probe = self.solve(base + defaults)
        if probe.status == SAT:
            base += defaults
        else:
            probe = self.solve(base)
            if probe.status != SAT:
                return dict(seed)
            for inp, lit in zip(loose, defaults):
                assert probe.model is not None
                if _same(joint.value(probe.model, inp), inp.default()):
                    base.append(lit)
                    continue
                trial = self.solve(base + [lit])
                if trial.status == SAT:
                    base.append(lit)
                    probe = trial
        assert probe.model is not None
        model = probe.model
        for inp in joint.inputs:
            v = joint.value(model, inp)
            if inp.kind != "real" or v == int(v):  # type: ignore[arg-type]
                continue
            piece = self.pieces[inp.name][self._piece_index(inp, v)]  # type: ignore[arg-type]
            for c in _round_candidates(v, piece):  # type: ignore[arg-type]
                trial = self.solve(base + [self.eq_lit(inp, c)])
                if trial.status == SAT:
                    base.append(self.eq_lit(inp, c))
                    assert trial.model is not None
                    model = trial.model
                    break
        return joint.values(model)

    # ------------------------------------------------------------ growing

    def grow(self, background: Lits, not_p: z3.BoolRef | Callable[[], z3.BoolRef], seed: dict[str, Value],
             focus: Focus, boxes: bool = False) -> Box:
        """The box grown from ``seed`` (see the module doc, step 2); with ``boxes``, where
        ``not_p`` denies an action's change, a proved box proposal is taken when there is one."""
        inputs = self.joint.inputs

        def first_box(exact: bool, everything: bool) -> list[Allowed]:
            return [self._point(inp, seed[inp.name], exact) if everything or inp.name in focus.support
                    else self.full(inp) for inp in inputs]

        # The support argument (see Focus) says the first box holds; numbers
        # compared with other than constants may need their exact seed value.
        # Proposals prove outcome changes only (validity is not in the boxes' argument).
        proposal = self.propose(seed) if self.propose is not None and boxes else None
        if proposal is not None:
            # Proved by the box argument (see ``verifier.diff.boxgrow``): every record
            # of the proposal fires the seed's rules in both versions, so every valid
            # one shows the seed's change. No query needed.
            self.proposals_used += 1
            self._proposed = True
            return proposal
        query = lits_of(background) + [not_p() if callable(not_p) else not_p]
        for exact, everything in ((False, False), (True, False), (True, True)):
            box = first_box(exact, everything)
            if self.solve(query + self.box_lits(tuple(box)), want_model=False).status == UNSAT:
                break
        else:
            return tuple(first_box(True, True))  # the solver gave up: the seed's point alone

        def attempt(i: int, a: Allowed, want_model: bool = False) -> Probe:
            trial = tuple(box[:i] + [a] + box[i + 1:])
            probe = self.solve(query + self.box_lits(trial), want_model)
            if probe.status == UNSAT:
                box[i] = a
            return probe

        first = list(focus.order(seed)) if focus.order is not None else []
        order = first + [inp.name for inp in inputs if inp.name not in first]
        for name in order:
            i = self.index[name]
            inp = inputs[i]
            if self.is_full(inp, box[i]):
                continue
            probe = attempt(i, self.full(inp), want_model=inp.kind == "enum")
            if probe.status != SAT:
                continue
            if inp.kind == "enum":
                self._grow_enum(i, inp, box, attempt, probe)
            elif inp.kind in ("int", "real"):
                self._grow_interval(i, inp, box, attempt)
        return tuple(box)

    def _grow_enum(self, i: int, inp: SharedInput, box: list[Allowed], attempt: Callable[[int, Allowed], Probe],
                   probe: Probe) -> None:
        """Add the enum's values one at a time; a counterexample's value is never tried."""
        assert probe.model is not None
        bad = {self.joint.value(probe.model, inp)}
        for v in inp.values:
            if v in box[i].values or v in bad:
                continue
            allowed = box[i].values
            result = attempt(i, Allowed(values=tuple(x for x in inp.values if x in allowed or x == v)))
            if result.status == SAT:
                bad.add(v)
            elif result.status == UNSAT:
                # Values whose exclusion the proof did not use can join at no cost.
                free = {x for k, x in enumerate(inp.values)
                        if x not in box[i].values and x not in bad
                        and self._ne_lit(inp, k).get_id() not in result.core}
                if free:
                    box[i] = Allowed(values=tuple(x for x in inp.values if x in box[i].values or x in free))

    def _grow_interval(self, i: int, inp: SharedInput, box: list[Allowed],
                       attempt: Callable[[int, Allowed], Probe]) -> None:
        a = box[i]
        if a.point is not None and attempt(i, Allowed(first=a.first, last=a.last)).status != UNSAT:
            return
        # Widen piece by piece as far as no counterexample enters. A wider box
        # holds every narrower one, so "no counterexample up to k pieces" is
        # monotone in k: galloping then bisecting finds the same end as the
        # step-by-step walk in O(log pieces) queries instead of O(pieces)
        # (a table's column has hundreds of pieces). Only an UNSAT answer
        # widens the box, so an unknown answer just stops the search early.
        _widen(lambda k: attempt(i, replace(box[i], first=box[i].first - k)).status == UNSAT, box[i].first)
        last = len(self.pieces[inp.name]) - 1
        _widen(lambda k: attempt(i, replace(box[i], last=box[i].last + k)).status == UNSAT, last - box[i].last)

    def find(
        self,
        base: Lits,
        background: Lits,
        classify: Callable[[z3.ModelRef], tuple[Hashable, z3.BoolRef]],
        focus: Focus,
        cap: int,
        same: Callable[[dict[str, Value], dict[str, Value]], bool] | None = None,
        key_of: Callable[[dict[str, Value]], tuple[Hashable, Callable[[], z3.BoolRef]] | None] | None = None,
        start: dict[str, Value] | None = None,
    ) -> tuple[list[FoundBox], bool, bool]:
        """Cover the records satisfying ``base`` with boxes.

        ``classify(model)`` names the change a record shows and gives the
        literal "this record does not show that change". Returns the boxes,
        whether the search stopped at ``cap`` with records left uncovered, and
        whether the solver gave up (then the cover may be incomplete).
        ``same(a, b)``: an exact, solver-free test that record ``b`` shows the
        change record ``a`` shows (the box reading of two tables); with it,
        seeds and examples are made typical without queries. ``key_of(record)``:
        the change a record shows and (a function giving) its negation literal, or None when it
        shows none (read by the engines); with it (and ``same``), records next
        to the boxes found are tried as seeds before the solver is asked, after
        ``start`` (a record known to show a change).
        """
        found: list[FoundBox] = []
        blocks: list[z3.BoolRef] = []  # one per box found; on the box path, made when the solver is asked
        # Records next to the boxes found, to try before the solver.
        queue: list[dict[str, Value]] = [start] if start is not None and key_of is not None else []
        while True:
            # A neighbour of a box found that shows a change (the engines' exact
            # reading, ``key_of``) is a seed at no query; the solver is asked only
            # when none is left, so "no record left" is always its proof.
            picked = self._next_candidate(queue, found, key_of) if key_of is not None else None
            if picked is not None:
                if len(found) >= cap:
                    return found, True, False
                values, (key, not_p) = picked
                assert same is not None
                seed = self.typical(values, focus.support, found, same)
            else:
                blocks += [self.block_lit(fb.box) for fb in found[len(blocks):]]
                probe = self.solve(lits_of(base) + blocks)
                if probe.status == UNSAT:
                    return found, False, False
                if probe.status == UNKNOWN:
                    return found, False, True
                if len(found) >= cap:
                    return found, True, False
                assert probe.model is not None
                if same is not None:
                    # The solver's record shows the change; moving one input at a time
                    # to its typical value, kept where ``same`` says (exactly) that the
                    # record still shows that change, outside every box found so far.
                    key, not_p = classify(probe.model)
                    seed = self.typical(_values(self.joint, probe.model), focus.support, found, same)
                else:
                    seed, model = self.seed(lits_of(base) + blocks, probe.model, focus)
                    key, not_p = classify(model)
            self._proposed = False
            box = self.grow(background, not_p, seed, focus, boxes=same is not None)
            if same is None:
                blocks.append(self.block_lit(box))
            if same is not None and self._proposed:
                example = self.typical(seed, frozenset(), [], same, box)
            else:
                example = self.example(lits_of(background), box, seed, focus)
            found.append(FoundBox(key, box, example))
            if key_of is not None:
                queue += self._neighbours(box, example)

    def _next_candidate(self, queue: list[dict[str, Value]], found: list[FoundBox],
                        key_of: Callable[[dict[str, Value]], tuple[Hashable, Callable[[], z3.BoolRef]] | None],
                        ) -> tuple[dict[str, Value], tuple[Hashable, Callable[[], z3.BoolRef]]] | None:
        while queue:
            values = queue.pop(0)
            if any(self.contains(fb.box, values) for fb in found):
                continue
            got = key_of(values)
            if got is not None:
                return values, got
        return None

    def _neighbours(self, box: Box, record: dict[str, Value]) -> list[dict[str, Value]]:
        """``record`` moved just outside ``box`` along one input at a time (both ends, other values)."""
        out: list[dict[str, Value]] = []
        for inp, a in zip(self.joint.inputs, box):
            if inp.kind in ("bool", "enum"):
                domain = (False, True) if inp.kind == "bool" else inp.values
                moved = [v for v in domain if v not in a.values]
            else:
                if a.point is not None:
                    continue
                ps = self.pieces[inp.name]
                moved = [self._inside_piece(inp, ps[k]) for k in (a.first - 1, a.last + 1) if 0 <= k < len(ps)]
            for v in moved:
                trial = dict(record)
                trial[inp.name] = v
                out.append(trial)
        return out

    @staticmethod
    def _inside_piece(inp: SharedInput, piece: Piece) -> Value:
        """A simple value of ``piece`` (an int for an int input)."""
        if piece.is_point:
            v = piece.lo
        elif inp.kind == "int":
            v = Fraction(math.floor(piece.lo) + 1)
        else:
            v = next(iter(_round_candidates((piece.lo + piece.hi) / 2, piece)), (piece.lo + piece.hi) / 2)
        return int(v) if inp.kind == "int" else v

    def contains(self, box: Box, values: dict[str, Value]) -> bool:
        """Whether the record ``values`` lies in ``box``."""
        for inp, a in zip(self.joint.inputs, box):
            v = values[inp.name]
            if inp.kind in ("bool", "enum"):
                if not any(_same(v, x) for x in a.values):
                    return False
                continue
            x = Fraction(v)  # type: ignore[arg-type]
            if a.point is not None:
                if x != a.point:
                    return False
                continue
            ps = self.pieces[inp.name]
            if not (ps[0].lo <= x <= ps[-1].hi) or not a.first <= self._piece_index(inp, x) <= a.last:
                return False
        return True

    def typical(self, values: dict[str, Value], first: frozenset[str], found: list[FoundBox],
                same: Callable[[dict[str, Value], dict[str, Value]], bool], within: Box | None = None) -> dict[str, Value]:
        """``values`` with inputs moved to their typical values (those in ``first`` first, then
        the rest, each in declaration order), then reals to rounder ones; a move is kept only
        when ``same`` holds and the record stays outside the boxes ``found`` and inside ``within``.
        Solver-free: ``same`` is an exact test (the box reading), not a search."""
        out = dict(values)

        def keep(name: str, v: Value) -> bool:
            trial = dict(out)
            trial[name] = v
            if within is not None and not self.contains(within, trial):
                return False
            if any(self.contains(fb.box, trial) for fb in found) or not same(values, trial):
                return False
            out[name] = v
            return True

        inputs = self.joint.inputs
        for inp in sorted(inputs, key=lambda i: i.name not in first):
            if _same(out[inp.name], inp.default()):
                continue
            keep(inp.name, inp.default())
        for inp in inputs:
            v = out[inp.name]
            if inp.kind != "real" or v == int(v):  # type: ignore[arg-type]
                continue
            piece = self.pieces[inp.name][self._piece_index(inp, v)]  # type: ignore[arg-type]
            for c in _round_candidates(v, piece):  # type: ignore[arg-type]
                if keep(inp.name, c):
                    break
        return out

    # ------------------------------------------------------------ merging and describing

    def merge(self, found: list[FoundBox]) -> list[FoundBox]:
        """Merge boxes of the same change that differ in one input only; drop boxes inside others."""
        boxes = list(found)
        changed = True
        while changed:
            changed = False
            for i in range(len(boxes)):
                for j in range(len(boxes)):
                    if i == j or boxes[i].key != boxes[j].key:
                        continue
                    merged = self._union(boxes[i].box, boxes[j].box)
                    if merged is not None:
                        boxes[i] = replace(boxes[i], box=merged)
                        del boxes[j]
                        changed = True
                        break
                if changed:
                    break
        return boxes

    def _union(self, a: Box, b: Box) -> Box | None:
        """The box ``a`` ∪ ``b`` when that union is itself a box (or one holds the other)."""
        if all(self._within(x, y) for x, y in zip(b, a)):
            return a
        differ = [k for k, (x, y) in enumerate(zip(a, b)) if x != y]
        if len(differ) != 1:
            return None
        k = differ[0]
        inp, x, y = self.joint.inputs[k], a[k], b[k]
        if inp.kind in ("bool", "enum"):
            values = tuple(v for v in self.full(inp).values if v in x.values or v in y.values)
            return a[:k] + (Allowed(values=values),) + a[k + 1:]
        if x.point is not None or y.point is not None:
            return None
        if max(x.first, y.first) > min(x.last, y.last) + 1:
            return None  # a gap between the two intervals
        return a[:k] + (Allowed(first=min(x.first, y.first), last=max(x.last, y.last)),) + a[k + 1:]

    def _within(self, x: Allowed, y: Allowed) -> bool:
        if x.values or y.values:
            return set(x.values) <= set(y.values)
        if y.point is not None:
            return x.point == y.point
        if x.point is not None:
            return y.first <= x.first <= y.last
        return y.first <= x.first and x.last <= y.last

    def describe(self, box: Box, background: Lits, seed: dict[str, Value],
                 nonempty: Callable[[Box], bool] | None = None) -> tuple[Bound, ...]:
        """The bounds of ``box`` a reader needs: restricted inputs only, vacuous values dropped.

        ``nonempty(box)``: an exact, solver-free test that some record of ``background``
        lies in the box (the box reading of two tables); without it Z3 is asked.
        """
        out: list[Bound] = []
        box_l = list(box)
        for k, inp in enumerate(self.joint.inputs):
            a = box_l[k]
            if self.is_full(inp, a):
                continue
            if inp.kind in ("bool", "enum") and len(a.values) > 1:
                keep = []
                for v in a.values:
                    if v == seed[inp.name]:
                        keep.append(v)
                        continue
                    trial = tuple(box_l[:k] + [Allowed(values=(v,))] + box_l[k + 1:])
                    if nonempty is not None:
                        if nonempty(trial):
                            keep.append(v)
                    elif self.solve(lits_of(background) + self.box_lits(trial), want_model=False).status != UNSAT:
                        keep.append(v)
                a = box_l[k] = Allowed(values=tuple(keep))
            out.append(self._bound(inp, a))
        return tuple(out)

    def _bound(self, inp: SharedInput, a: Allowed) -> Bound:
        name = inp.name
        if inp.kind == "bool":
            if len(a.values) == 1:
                return Bound(name, name if a.values[0] else f"not {name}", values=a.values)
            return Bound(name, f"{name} in {{false, true}}", values=a.values)
        if inp.kind == "enum":
            text = f"{name} = {a.values[0]}" if len(a.values) == 1 else f"{name} in {{{', '.join(map(str, a.values))}}}"
            return Bound(name, text, values=a.values)
        if a.point is not None:
            return Bound(name, f"{name} = {format_number(a.point)}", lo=a.point, hi=a.point)
        ps = self.pieces[name]
        lo, hi = ps[a.first], ps[a.last]
        lo_v, lo_closed, hi_v, hi_closed = lo.lo, lo.is_point, hi.hi, hi.is_point
        if inp.kind == "int":
            # Whole numbers read best as closed bounds: (0, 3) is [1, 2].
            if not lo_closed:
                lo_v, lo_closed = Fraction(math.floor(lo_v) + 1), True
            if not hi_closed:
                hi_v, hi_closed = Fraction(math.ceil(hi_v) - 1), True
        return Bound(name, interval_text(name, lo_v, lo_closed, hi_v, hi_closed, a.first == 0, a.last == len(ps) - 1),
                     lo=lo_v, lo_closed=lo_closed, hi=hi_v, hi_closed=hi_closed)


def _widen(holds: Callable[[int], bool], room: int) -> None:
    """Grow by the largest k <= ``room`` that ``holds`` (monotone: true up to some k, false beyond).

    ``holds(k)`` grows the box by k pieces *from where it is now* when it
    answers true, so after each success the remaining steps are relative.
    Tries 1, 2, 4, ... (a region usually stops at once: one query, as
    before), then bisects the last gap.
    """
    step = 1
    while room > 0:
        k = min(step, room)
        if holds(k):
            room -= k
            step *= 2
            continue
        if k == 1:
            return
        # Fails at k but held at 0: the answer lies in [0, k-1] from here.
        hi = k - 1
        while hi > 0:
            mid = (hi + 1) // 2
            if holds(mid):
                room -= mid
                hi -= mid
            else:
                hi = mid - 1
        return
