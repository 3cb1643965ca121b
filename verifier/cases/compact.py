"""The table-scale suite: a witness per rule and every threshold's boundaries, nothing quadratic.

The full suite asks Z3 for an MC/DC pair per rule and per condition the rule
reaches. An imported decision table guards every row with "no other row
matches" (``not t__multi``), so every rule reaches every row's conditions:
1,500 rows x 7 columns make millions of pairs (300 rows took ten minutes and
5 GB). Past ``FULL_LIMIT`` such pairs the generator makes this suite instead,
and says so; ``ruleproof cases --full`` asks for the full one anyway.

- Witnesses: a record on which the rule fires and its actions show. Tried
  first on the records already chosen, then on a few points of the box the
  rule's condition spells out (its conjunction of per-input comparisons and
  memberships, read through definitions), each checked by the engine; only a
  rule no such point serves costs Z3 queries (the full suite's finder).
- Boundaries: each distinct point (input, threshold value +- one step) once,
  built from the witness of a rule that owns the comparison, with that one
  input moved onto the point, so the record sits on the edge of the rule's
  box. Where no witness helps, the finder asks Z3 for the value alone.
- Leaves out MC/DC pairs, enum values, score lines and `ruleproof check`'s
  counterexamples (run `ruleproof check` for those); examples and frozen
  regressions stay.

Every record's decision still comes from the engine, and Z3 confirms the
decision of the first ``CONFIRM_LIMIT`` cases (in name order); the suite's
note says how many.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterator

from dsl import model as m
from dsl.printer import format_expr, format_number
from engine import RecordError
from verifier.cases.case import Purpose
from verifier.cases.finder import Fact, Found
from verifier.cases.plan import Plan
from verifier.facts.conditions import conj, is_condition, slug
from verifier.facts.thresholds import SIDES, thresholds
from verifier.facts.values import default_value, engine_form, is_exact_record, json_value, to_fraction

# MC/DC work items (a rule and a condition it reaches) past which the compact suite is made.
# The shipped rulesets have at most 637 (liposarcoma); a 30-row decision table has 10,800.
FULL_LIMIT = 5_000
# Cases whose engine decision Z3 re-derives in the compact suite (each costs a query on the whole table).
CONFIRM_LIMIT = 200
# Points of a rule's box tried by the engine before Z3 is asked for a witness.
CANDIDATES = 48


def mcdc_items(ruleset: m.Ruleset, limit: int = FULL_LIMIT) -> int:
    """How many (rule, reached condition) pairs the full suite would work through, counted up to just past ``limit``.

    Counted as ``ConditionIndex.conditions`` reads them (a rule's own
    conditions and those of every definition it reaches, each once), but
    stopping as soon as the count passes ``limit``: on a large table the full
    count is itself quadratic.
    """
    defs = {d.name: d.expr for d in ruleset.definitions}
    total = 0
    for rule in ruleset.rules:
        seen: set[int] = set()
        visited: set[str] = set()
        stack: list[m.Expr] = [rule.condition]
        while stack:
            for node in m.walk(stack.pop()):
                if is_condition(node):
                    if id(node) not in seen:
                        seen.add(id(node))
                        total += 1
                        if total > limit:
                            return total
                elif isinstance(node, m.DefRef) and node.name not in visited and node.name in defs:
                    visited.add(node.name)
                    stack.append(defs[node.name])
    return total


def compact_wanted(ruleset: m.Ruleset, limit: int = FULL_LIMIT) -> bool:
    return mcdc_items(ruleset, limit) > limit


# ---------------------------------------------------------------- boxes


@dataclass(slots=True)
class _Range:
    """What a conjunction says about one input: numeric bounds or allowed enum values."""

    lo: Fraction | None = None
    lo_closed: bool = True
    hi: Fraction | None = None
    hi_closed: bool = True
    values: set[str] | None = None
    excluded: set[str] = field(default_factory=set)
    fixed: Any = None  # a bool input's required value

    def bound(self, op: str, v: Fraction) -> None:
        if op in (">", ">="):
            if self.lo is None or v > self.lo or (v == self.lo and op == ">"):
                self.lo, self.lo_closed = v, op == ">="
        elif op in ("<", "<="):
            if self.hi is None or v < self.hi or (v == self.hi and op == "<"):
                self.hi, self.hi_closed = v, op == "<="
        elif op == "==":
            self.bound(">=", v)
            self.bound("<=", v)


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def rule_box(ruleset: m.Ruleset, rule: m.Rule) -> dict[str, _Range]:
    """The per-input comparisons in the positive conjunctive part of the rule's condition.

    Only a hint for choosing points: what it misses (negations, disjunctions,
    arithmetic) the engine's check of each point catches.
    """
    defs = {d.name: d.expr for d in ruleset.definitions}
    box: dict[str, _Range] = {}
    stack: list[m.Expr] = [rule.condition]
    seen: set[str] = set()
    while stack:
        e = stack.pop()
        if isinstance(e, m.And):
            stack.extend(e.args)
        elif isinstance(e, m.DefRef):
            if e.name not in seen and e.name in defs:
                seen.add(e.name)
                stack.append(defs[e.name])
        elif isinstance(e, m.Compare):
            left, right, op = e.left, e.right, e.op
            if isinstance(left, m.NumLit) and isinstance(right, m.InputRef):
                left, right, op = right, left, _FLIP[op]
            if isinstance(left, m.InputRef) and isinstance(right, m.NumLit) and op != "!=":
                box.setdefault(left.name, _Range()).bound(op, right.value)
            elif isinstance(left, m.InputRef) and isinstance(right, m.EnumLit):
                r = box.setdefault(left.name, _Range())
                if op == "==":
                    r.values = {right.value} if r.values is None else r.values & {right.value}
                elif op == "!=":
                    r.excluded.add(right.value)
        elif isinstance(e, m.InSet) and isinstance(e.subject, m.InputRef):
            r = box.setdefault(e.subject.name, _Range())
            if e.negated:
                r.excluded |= set(e.values)
            else:
                r.values = set(e.values) if r.values is None else r.values & set(e.values)
        elif isinstance(e, m.InputRef) and isinstance(e.type, m.BoolType):
            box.setdefault(e.name, _Range()).fixed = True
        elif isinstance(e, m.Not) and isinstance(e.arg, m.InputRef) and isinstance(e.arg.type, m.BoolType):
            box.setdefault(e.arg.name, _Range()).fixed = False
    return box


def _round_inside(x: Fraction, lo: Fraction, hi: Fraction, lo_closed: bool, hi_closed: bool, integral: bool) -> Fraction | None:
    """A short number near ``x`` inside the interval (whole if ``integral``), or None."""
    def inside(v: Fraction) -> bool:
        return (v > lo or (lo_closed and v == lo)) and (v < hi or (hi_closed and v == hi))

    for scale in ((1,) if integral else (1, 10, 100, 1000)):
        for v in (Fraction(math.floor(x * scale), scale), Fraction(math.ceil(x * scale), scale)):
            if inside(v):
                return v
    return None


def _numeric_options(inp: m.Input, r: _Range | None, default: Fraction) -> list[Fraction]:
    t = inp.type
    assert isinstance(t, (m.IntType, m.RealType))
    lo, lo_c = Fraction(t.lo), True
    hi, hi_c = Fraction(t.hi), True
    if r is not None:
        if r.lo is not None and (r.lo > lo or (r.lo == lo and not r.lo_closed)):
            lo, lo_c = r.lo, r.lo_closed
        if r.hi is not None and (r.hi < hi or (r.hi == hi and not r.hi_closed)):
            hi, hi_c = r.hi, r.hi_closed
    integral = isinstance(t, m.IntType)
    out: list[Fraction] = []
    for x in (default, lo, (lo + hi) / 2, lo + (hi - lo) / 4, hi - (hi - lo) / 4, hi):
        v = _round_inside(x, lo, hi, lo_c, hi_c, integral)
        if v is not None and v not in out:
            out.append(v)
    return out


def box_points(ruleset: m.Ruleset, rule: m.Rule, seed: int) -> Iterator[dict[str, Any]]:
    """Up to ``CANDIDATES`` records inside the rule's box: typical values first, then deterministic mixes."""
    box = rule_box(ruleset, rule)
    options: list[list[Any]] = []
    for inp in ruleset.inputs:
        r = box.get(inp.name)
        d = default_value(inp)
        t = inp.type
        if isinstance(t, m.BoolType):
            opts: list[Any] = [r.fixed] if r is not None and r.fixed is not None else [d, not d]
        elif isinstance(t, m.EnumType):
            allowed = [v for v in t.values if (r is None or r.values is None or v in r.values)
                       and (r is None or v not in r.excluded)]
            opts = sorted(allowed, key=lambda v: v != d) or [d]
        else:
            opts = [json_value(v) for v in _numeric_options(inp, r, to_fraction(d))] or [d]
        if inp.optional and not opts:
            opts = [None]
        options.append(opts)
    names = [i.name for i in ruleset.inputs]
    yield dict(zip(names, (o[0] for o in options)))
    for k in (1, 2):  # the lower corner, then the middle, where each input has them
        yield dict(zip(names, (o[min(k, len(o) - 1)] for o in options)))
    rng = random.Random(seed)
    for _ in range(CANDIDATES - 3):
        yield dict(zip(names, (rng.choice(o) for o in options)))


# ---------------------------------------------------------------- the engine's view of a record


class _Fired:
    """The rules the engine fires on each pool record, computed once per record."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.fired: dict[int, frozenset[str]] = {}
        self.by_rule: dict[str, list[int]] = {}

    def of(self, index: int) -> frozenset[str]:
        got = self.fired.get(index)
        if got is None:
            finder = self.plan.finder
            ev = finder.ev
            got = frozenset(ev.evaluate(engine_form(ev, finder.records[index])).fired)
            self.fired[index] = got
            for r in sorted(got, key=self.plan.rule_order.__getitem__):
                self.by_rule.setdefault(r, []).append(index)
        return got

    def record_fires(self, record: dict[str, Any]) -> frozenset[str] | None:
        """The rules fired on a record not (yet) in the pool; None if the engine rejects it."""
        ev = self.plan.finder.ev
        try:
            return frozenset(ev.evaluate(engine_form(ev, record)).fired)
        except RecordError:
            return None


def _shown(plan: Plan, rule: m.Rule, fired: frozenset[str]) -> list[tuple[str, str]]:
    """The (strength, action) outcomes of ``rule`` the decision shows when ``fired`` fire: no other
    fired rule gives the action at that strength or one that masks it (``Visibility.shows``, concretely)."""
    out = []
    for strength, action in plan.visibility.outcomes(rule):
        masking = [strength] if strength != "consider" else ["recommend", "consider"]
        if not any(r != rule.id and r in fired for s in masking for r in plan.ruleset.rules_giving(s, action)):
            out.append((strength, action))
    return out


# ---------------------------------------------------------------- stages


def _witness_purpose(plan: Plan, rule: m.Rule, shown: list[tuple[str, str]]) -> Purpose:
    texts = [f"{s} {a}" for s, a in shown]
    return Purpose(
        kind="witness",
        name=f"witness-{rule.id}",
        why=f"rule {rule.id} fires" + (f"; the decision shows its {', '.join(texts)}" if texts else ""),
        fields=(("rule", rule.id), ("shows", texts)),
        order=(plan.rule_order[rule.id], 0),
    )


def plan_witnesses_compact(plan: Plan, fired: _Fired) -> None:
    """A witness per rule: a pool record, else a checked point of its box, else Z3."""
    finder = plan.finder
    vis = plan.visibility
    for k, rule in enumerate(plan.ruleset.rules):
        outcomes = list(vis.outcomes(rule))
        got: int | None = None
        for idx in fired.by_rule.get(rule.id, []):
            if _shown(plan, rule, fired.of(idx)) == outcomes:
                got = idx
                break
        if got is None:
            for record in box_points(plan.ruleset, rule, k):
                f = fired.record_fires(record)
                if f is not None and rule.id in f and _shown(plan, rule, f) == outcomes and is_exact_record(record):
                    got = finder.add(record)
                    fired.of(got)
                    break
        if got is None:
            fires = Fact(rule.condition)
            found = None
            # A dead rule (every row of it overlapped, under a unique hit policy) is
            # one unsat answer here instead of one per level below.
            alive = finder.satisfiable([fires])
            if alive == "unsat":
                plan.gap("witness", {"rule": rule.id},
                         "no valid record fires it (a dead rule: `ruleproof check` names the clash)")
                continue
            shows = [vis.shows(rule, s, a) for s, a in outcomes]
            levels = [[fires, Fact(conj(shows))], [fires, Fact(vis.visible(rule))], [fires]]
            for level in levels:  # Z3 only: the pool was searched above
                status, record = finder.solve(level)
                if record is not None:
                    found = finder.add(record)
                    break
                if status not in ("sat", "unsat"):
                    plan.gap("witness", {"rule": rule.id}, "the solver gave up before finding a record or "
                             "proving there is none", True)
                    break
            else:
                plan.gap("witness", {"rule": rule.id},
                         "no valid record fires it (a dead rule: `ruleproof check` names the clash)")
            if found is None:
                continue
            got = found
            fired.of(got)
        plan.witness_of[rule.id] = got
        plan.assign(got, _witness_purpose(plan, rule, _shown(plan, rule, fired.of(got))))


def _owner_rules(plan: Plan) -> dict[str, list[str]]:
    """For each definition, the rules whose own condition names it (the rule itself for a rule)."""
    out: dict[str, list[str]] = {}
    for rule in plan.ruleset.rules:
        out.setdefault(rule.id, []).append(rule.id)
        for node in m.walk(rule.when):
            if isinstance(node, m.DefRef):
                out.setdefault(node.name, []).append(rule.id)
    return out


def plan_boundaries_compact(plan: Plan, fired: _Fired) -> None:
    """Each distinct (input, point) of every threshold once, on the edge of an owning rule's witness."""
    finder = plan.finder
    owners = _owner_rules(plan)
    done: dict[tuple[str, Fraction], int] = {}
    first_witnesses = sorted(set(plan.witness_of.values()))[:5]
    counts: dict[tuple[str, str], int] = {}
    for rank, th in enumerate(thresholds(plan.ruleset)):
        text, subject = th.text, format_expr(th.subject)  # printed once: 45,000 purposes at 1,500 rows
        key = (th.owner, text)
        counts[key] = counts.get(key, 0) + 1
        dup = counts[key]
        for side in SIDES:
            point = th.point(side)
            fields: dict[str, Any] = {"comparison": f"{th.owner}: {text}", "subject": subject,
                                      "value": json_value(point), "side": side}
            outside = th.outside_domain(plan.ruleset, side)
            if outside is not None:
                plan.gap("boundary", fields, outside)
                continue
            name = th.subject.name if isinstance(th.subject, m.InputRef) else None
            index = done.get((name, point)) if name is not None else None
            near: str | None = None
            if index is None and name is not None:
                # The owning rules' witnesses first (the point then sits on the edge of
                # their box), then the first few witnesses of any rule: a valid record
                # with the input on the point is all a boundary case needs.
                bases = [(r, plan.witness_of[r]) for r in owners.get(th.owner, []) if r in plan.witness_of]
                bases += [(None, w) for w in first_witnesses]
                for rule_id, w in bases:
                    record = dict(finder.records[w])
                    record[name] = json_value(point)
                    if is_exact_record(record) and fired.record_fires(record) is not None:
                        index = finder.add(record)
                        near = rule_id
                        break
            if index is None:
                got = finder.find([[Fact(th.fact(side))]])
                if not isinstance(got, Found):
                    reason, undecided = plan.not_found_reason(
                        got, f"no valid record has {subject} = {format_number(point)}")
                    plan.gap("boundary", fields, reason, undecided)
                    continue
                index = got.index
            if name is not None:
                done.setdefault((name, point), index)
            fields["decides"] = None
            where = f"; the other inputs from the witness of {near}" if near else ""
            more = f"-{dup}" if dup > 1 else ""
            plan.assign(index, Purpose(
                kind="boundary",
                name=f"boundary-{th.owner}--{slug(text)}{more}-{side}",
                why=(f"boundary of `{text}` ({th.owner}): {subject} = "
                     f"{format_number(point)}, {side} the threshold{where}"),
                fields=tuple(fields.items()),
                order=(rank, SIDES.index(side)),
            ))


def plan_compact(plan: Plan) -> None:
    """The compact suite's stages, in order (examples and regressions are added by the caller)."""
    fired = _Fired(plan)
    plan_witnesses_compact(plan, fired)
    plan_boundaries_compact(plan, fired)
