"""Journeys of n steps in Z3: one copy of the record's variables per step.

The transition is the journey semantics of ``engine.pathway``: at record r_i
one action a with an effect is chosen among those the ruleset gives there;
r_{i+1} takes, for each input a's effect assigns, one of the allowed values
(or r_i's value plus the advance), keeps every other input, is a valid record
(domains and constraints), and differs from r_i. Step i is guarded by a
literal ``exists[i]``, so one unrolling serves journeys of every length up to
its depth: a query assumes the steps it needs and leaves the next one open.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import z3

from dsl import model as m
from verifier.solver.encoding import Encoding
from verifier.facts.values import Value


class Unrolling:
    """Step copies of the ruleset's terms, asserted into ``solver`` as they are needed."""

    def __init__(self, enc: Encoding, solver: z3.Solver, tag: str) -> None:
        self.enc = enc
        self.ctx = enc.ctx
        self.solver = solver
        self.tag = tag
        rs = enc.ruleset
        self.ruleset = rs
        self.inputs: list[m.Input] = list(rs.inputs)
        self.base = [enc.inputs[i.name] for i in self.inputs]
        # Only actions whose effect assigns something can make a step.
        self.movers: list[str] = [a.id for a in rs.actions if (e := rs.effect(a.id)) is not None and e.assignments]
        self.valid0 = z3.And(*self._domains(self.base), *[enc.term(c.expr) for c in rs.constraints])
        self.has_successor0 = self._has_successor()
        self.records: list[list[z3.ExprRef]] = []
        self.acts: list[z3.ArithRef] = []
        self.exists: list[z3.BoolRef] = []

    # ------------------------------------------------------------ values

    def const(self, inp: m.Input, v: Value) -> z3.ExprRef:
        t = inp.type
        if isinstance(t, m.BoolType):
            return z3.BoolVal(bool(v), self.ctx)
        if isinstance(t, m.EnumType):
            return z3.IntVal(t.values.index(v), self.ctx)  # type: ignore[arg-type]
        q = Fraction(v)  # type: ignore[arg-type]
        if isinstance(t, m.RealType):  # a Real, even for a whole number, so substitutions keep sorts
            return z3.RealVal(f"{q.numerator}/{q.denominator}", self.ctx)
        return z3.IntVal(int(q), self.ctx)

    def _domains(self, xs: list[z3.ExprRef]) -> list[z3.BoolRef]:
        out = []
        for inp, x in zip(self.inputs, xs):
            t = inp.type
            if isinstance(t, m.EnumType):
                out += [x >= 0, x < len(t.values)]
            elif isinstance(t, (m.IntType, m.RealType)):
                out += [x >= self.enc._num(Fraction(t.lo)), x <= self.enc._num(Fraction(t.hi))]
        return out

    def _outcomes(self, action: str) -> list[dict[str, z3.ExprRef]]:
        """Each outcome of ``action``'s effect as input name -> term over the base record."""
        eff = self.ruleset.effect(action)
        assert eff is not None
        parts = []
        for a in eff.assignments:
            inp = self.ruleset.input(a.input)
            x = self.enc.inputs[a.input]
            if a.advance is not None:
                parts.append([(a.input, x + self.const(inp, a.advance))])
            else:
                parts.append([(a.input, self.const(inp, v)) for v in a.values])
        return [dict(combo) for combo in itertools.product(*parts)]

    def _has_successor(self) -> z3.BoolRef:
        """Over the base record: some given action has a valid outcome that changes the record.

        Enumerating the (finite) outcomes keeps this quantifier-free, so "the
        journey ends here" is its plain negation.
        """
        options = []
        for a in self.movers:
            alts = []
            for out in self._outcomes(a):
                pairs = [(self.enc.inputs[n], t) for n, t in out.items()]
                valid = z3.substitute(self.valid0, *pairs)
                changed = z3.Or(*[t != self.enc.inputs[n] for n, t in out.items()])
                alts.append(z3.And(valid, changed))
            options.append(z3.And(self.enc.given[a], z3.Or(*alts)))
        return z3.Or(*options) if options else z3.BoolVal(False, self.ctx)

    # ------------------------------------------------------------ steps

    def record(self, i: int) -> list[z3.ExprRef]:
        """The variables of record i (declared, with validity asserted, on first use)."""
        while len(self.records) <= i:
            self._outside_scopes()
            k = len(self.records)
            xs: list[z3.ExprRef] = []
            for inp in self.inputs:
                name = f"{inp.name}@{self.tag}{k}"
                t = inp.type
                if isinstance(t, m.BoolType):
                    xs.append(z3.Bool(name, self.ctx))
                elif isinstance(t, m.RealType):
                    xs.append(z3.Real(name, self.ctx))
                else:
                    xs.append(z3.Int(name, self.ctx))
            self.records.append(xs)
            self.solver.add(self.at(self.valid0, k))
        return self.records[i]

    def _outside_scopes(self) -> None:
        # Asserted inside a push scope, a record's validity or a step's
        # transition would vanish at the pop while the cached variables lived on.
        if self.solver.num_scopes() != 0:
            raise RuntimeError("a journey step first unrolled inside a push scope")

    def at(self, term: Any, i: int) -> Any:
        """``term`` (over the base record) read at record i."""
        return z3.substitute(term, *zip(self.base, self.record(i)))

    def step(self, i: int) -> z3.BoolRef:
        """The literal of step i (r_i to r_{i+1}); its transition is asserted on first use."""
        while len(self.exists) <= i:
            self._outside_scopes()
            k = len(self.exists)
            r, nxt = self.record(k), self.record(k + 1)
            act = z3.Int(f"action@{self.tag}{k}", self.ctx)
            ex = z3.Bool(f"step@{self.tag}{k}", self.ctx)
            options = []
            for idx, a in enumerate(self.movers):
                eff = self.ruleset.effect(a)
                assert eff is not None
                assigned = {x.input: x for x in eff.assignments}
                post = []
                for j, inp in enumerate(self.inputs):
                    x = assigned.get(inp.name)
                    if x is None:
                        post.append(nxt[j] == r[j])
                    elif x.advance is not None:
                        post.append(nxt[j] == r[j] + self.const(inp, x.advance))
                    else:
                        post.append(z3.Or(*[nxt[j] == self.const(inp, v) for v in x.values]))
                options.append(z3.And(act == idx, self.at(self.enc.given[a], k), *post))
            changed = z3.Or(*[a != b for a, b in zip(r, nxt)])
            body = z3.And(z3.Or(*options), changed) if options else z3.BoolVal(False, self.ctx)
            self.solver.add(z3.Implies(ex, body))
            self.acts.append(act)
            self.exists.append(ex)
        return self.exists[i]

    def taken(self, actions: tuple[str, ...], i: int) -> z3.BoolRef:
        """One of ``actions`` is carried out at step i (which must exist)."""
        ex = self.step(i)
        hits = [self.acts[i] == k for k, a in enumerate(self.movers) if a in actions]
        return z3.And(ex, z3.Or(*hits)) if hits else z3.BoolVal(False, self.ctx)

    def ended(self, i: int) -> z3.BoolRef:
        """No step is possible from record i."""
        return z3.Not(self.at(self.has_successor0, i))

    # ------------------------------------------------------------ reading a model

    def read(self, model: z3.ModelRef, upto: int) -> tuple[list[dict[str, Value]], list[str]]:
        """Records r_0.. and the actions of the steps the model takes (at most ``upto`` steps)."""
        records, actions = [], []
        for i in range(upto + 1):
            records.append(self._record(model, i))
            if i == upto or i >= len(self.exists) or not z3.is_true(model.eval(self.exists[i], model_completion=True)):
                break
            actions.append(self.movers[model.eval(self.acts[i], model_completion=True).as_long()])
        return records, actions

    def _record(self, model: z3.ModelRef, i: int) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for inp, x in zip(self.inputs, self.record(i)):
            v = model.eval(x, model_completion=True)
            t = inp.type
            if isinstance(t, m.BoolType):
                out[inp.name] = z3.is_true(v)
            elif isinstance(t, m.EnumType):
                out[inp.name] = t.values[v.as_long()]
            elif isinstance(t, m.IntType):
                out[inp.name] = v.as_long()
            else:
                out[inp.name] = Fraction(v.as_fraction())
        return out
