"""Simple witnesses: a satisfying record with as few unusual values as possible.

A reviewer reads a counterexample field by field, so every input that can
hold its typical value (``encode.default_value``) does, and real numbers are
short decimals. Greedy, not optimal: each input is tried once, in declaration
order, on the incremental solver (much cheaper than a MaxSMT Optimize call,
and deterministic).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Iterator, Sequence

import z3

from dsl import model as m
from verifier.solver.encoding import SAT, Encoding
from verifier.facts.values import default_value, is_json_exact


def simplest_model(enc: Encoding, facts: Sequence[Any], model: z3.ModelRef) -> z3.ModelRef:
    """A model of ``facts`` (plus validity) close to the typical record.

    ``model`` is any model of the query; the result satisfies the same query.
    """
    kept: list[z3.BoolRef] = []
    for inp in enc.ruleset.inputs:
        lit = enc.default_lit(inp)
        if enc.value_of(model, inp) == default_value(inp):
            # The current model already holds the default: keeping it costs no query.
            kept.append(lit)
            continue
        ans = enc.check(*facts, assumptions=kept + [lit])
        if ans.status == SAT:
            assert ans.model is not None
            kept.append(lit)
            model = ans.model
    return round_reals(enc, list(facts), kept, model)


def _candidates(v: Fraction, lo: Fraction, hi: Fraction) -> Iterator[Fraction]:
    """Rounder numbers near ``v``, roundest first (integers, then 1, 2, ... decimals)."""
    seen: set[Fraction] = set()
    for places in range(0, 7):
        scale = 10**places
        for c in (Fraction(round(v * scale), scale), Fraction(math.floor(v * scale), scale),
                  Fraction(math.ceil(v * scale), scale)):
            if lo <= c <= hi and c not in seen:
                seen.add(c)
                yield c


def is_simple(v: Fraction) -> bool:
    """At most two decimals and printable exactly as a JSON number."""
    return 100 % v.denominator == 0 and is_json_exact(v)


def round_reals(
    enc: Encoding, facts: list[Any], assumptions: list[z3.BoolRef], model: z3.ModelRef
) -> z3.ModelRef:
    """Replace awkward real values (1/3, 5.0000001) by short decimals where the query allows."""
    for inp in enc.ruleset.inputs:
        if not isinstance(inp.type, m.RealType):
            continue
        value = enc.value_of(model, inp)
        if value is None:  # issue 12: an optional input left unknown
            continue
        assert isinstance(value, Fraction)
        if is_simple(value):
            continue
        for c in _candidates(value, Fraction(inp.type.lo), Fraction(inp.type.hi)):
            if c == value and not is_json_exact(c):
                continue
            fact = enc.equals(inp.name, c)
            ans = enc.check(*facts, fact, assumptions=assumptions)
            if ans.status == SAT:
                assert ans.model is not None
                facts.append(fact)
                model = ans.model
                break
        else:
            if not is_json_exact(value):
                model = _on_decimal_grid(enc, inp, facts, assumptions, model)
    return model


def _on_decimal_grid(
    enc: Encoding, inp: m.Input, facts: list[Any], assumptions: list[z3.BoolRef], model: z3.ModelRef
) -> z3.ModelRef:
    """Re-solve with the input forced onto a grid of millionths (last resort)."""
    n = z3.Int(f"grid!{inp.name}", enc.ctx)
    fact = enc.inputs[inp.name] * 1_000_000 == n
    ans = enc.check(*facts, fact, assumptions=assumptions)
    if ans.status == SAT:
        assert ans.model is not None
        facts.append(fact)
        return ans.model
    return model
