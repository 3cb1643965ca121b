"""Worked examples: each ``example`` of a ruleset run through the engine and Z3 (issue 12).

An example is proved when its record is valid and the decision meets every
expectation; it is refuted (with the record and what was not met) when it
does not. The engine and the Z3 encoding must reach the same decision on it;
when they do not, that is a bug in ruleproof, reported as an internal error.
"""

from __future__ import annotations

import time
from typing import Any

from dsl import model as m
from engine import Decision, RecordError, compile_ruleset
from verifier.check.results import PROVED, REFUTED, CheckResult
from verifier.solver.encoding import Encoding
from verifier.facts.values import json_value, to_fraction

KIND = "example"


def _unmet(ex: m.Example, d: Decision) -> list[str]:
    by_action = {r.action: r for r in d.recommendations}
    out: list[str] = []
    for x in ex.expects:
        rec = by_action.get(x.action)
        if x.status == "not_given":
            if x.action in d.given:
                out.append(f"{x.action} is expected not to be given, but is {rec.strength if rec else 'given'}ed")
            continue
        holds = {"recommended": d.recommended, "considered": d.considered, "avoided": d.avoided}[x.status]
        if x.action not in holds:
            now = f"{rec.strength}" if rec is not None else "not given"
            out.append(f"{x.action} is expected {x.status}, but is {now}")
        elif x.category is not None and rec is not None and rec.category != x.category:
            out.append(f"{x.action} is expected with category {x.category}, but comes with {rec.category}")
    return out


def _json(record: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if v is None else json_value(to_fraction(v)) if not isinstance(v, (bool, str)) else v)
            for k, v in record.items()}


def check_examples(ruleset: m.Ruleset, enc: Encoding) -> list[CheckResult]:
    """One result per example, in declaration order."""
    if not ruleset.examples:
        return []
    ev = compile_ruleset(ruleset)
    out: list[CheckResult] = []
    for ex in ruleset.examples:
        start = time.perf_counter()
        record = ex.record_dict()
        shown = _json(record)
        where = str(ex.span)
        try:
            valid = ev.validate(dict(record))
        except RecordError as err:
            out.append(CheckResult(f"example({ex.id})", KIND, REFUTED, time.perf_counter() - start,
                                   counterexample=shown, fired=(), location=where,
                                   message=f"example {ex.id}: the patient is not a valid record: {err}"))
            continue
        d = ev.evaluate(valid)
        z = enc.decide(valid)
        same = z is not None and (tuple(d.fired), d.recommended, d.considered, d.avoided) == (
            z.fired, z.recommended, z.considered, z.avoided)
        if not same:
            out.append(CheckResult(f"example({ex.id})", KIND, REFUTED, time.perf_counter() - start,
                                   counterexample=shown, fired=tuple(d.fired), location=where,
                                   message=f"example {ex.id}: the engine and Z3 disagree (a bug in ruleproof)",
                                   internal_error=True))
            continue
        unmet = _unmet(ex, d)
        status = PROVED if not unmet else REFUTED
        message = f"{ex.title}" if not unmet else f"example {ex.id} ({ex.title}): " + "; ".join(unmet)
        out.append(CheckResult(f"example({ex.id})", KIND, status, time.perf_counter() - start,
                               counterexample=None if status == PROVED else shown,
                               fired=None if status == PROVED else tuple(d.fired),
                               location=where, message=message))
    return out
