"""Deciding pathway properties: bounded model checking, k-induction, replayed journeys.

Verdicts follow ``check``'s rules. A counterexample journey found by BMC is
replayed through the engine (every step allowed, the violation visible)
before it is reported as ``refuted``. ``proved`` needs an unbounded argument:
k-induction for the safety forms (always, before, after, until), or an
exhaustive check for the bounded forms (eventually ... within N, leaves ...
within N), whose meaning only looks N steps ahead. A safety property that
BMC finds no violation of but k-induction cannot close is reported as
"holds up to N steps", with status ``unknown``: never as proved.

Safety forms are checked through a one-bit monitor "B has happened so far"
(before/after/until). k-induction starts from any valid record and any
monitor value, so it is strengthened by lemmas ruleproof finds itself: once
B has happened, B's state stays true, or the inputs every action of B sets
keep one of the values B's effects give them. Each lemma is kept only once
Z3 proves it inductive (Houdini), so the strengthening is sound.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import z3

from dsl import model as m
from dsl.printer import format_expr
from verifier.check.results import PROVED, REFUTED, UNKNOWN, CheckResult, CheckWarning
from verifier.pathway.journeys import JourneyReplayer, journey_json
from verifier.pathway.unroll import Unrolling
from verifier.facts.values import default_value
from verifier.solver.replay import EngineDisagreement
from verifier.check.session import Verdict, Session

DEFAULT_DEPTH = 8
DEFAULT_MAX_K = 4
# A bounded check of N steps is one query over N copies of the ruleset, far
# bigger than a snapshot query, so it has its own limit (seconds, wall clock).
DEFAULT_PATHWAY_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class PathwayOptions:
    """``depth``: BMC depth of the safety forms; ``max_k``: largest k tried by k-induction;
    ``timeout_s``: limit of each pathway query (None: none)."""

    depth: int = DEFAULT_DEPTH
    max_k: int = DEFAULT_MAX_K
    timeout_s: float | None = DEFAULT_PATHWAY_TIMEOUT_S


def describe(p: m.Pathway) -> str:
    """The property as written (for reports)."""
    def ev(e: m.Event | None) -> str:
        assert e is not None
        if e.actions is not None:
            return f"taken({{{', '.join(e.actions)}}})"
        assert e.expr is not None
        return format_expr(e.expr)

    start = f"from {format_expr(p.start)} " if p.start is not None else ""
    body = {
        "always": lambda: f"always {ev(p.first)}",
        "before": lambda: f"never {ev(p.first)} before {ev(p.second)}",
        "after": lambda: f"never {ev(p.first)} after {ev(p.second)}",
        "eventually": lambda: f"eventually {ev(p.first)} within {p.bound} steps",
        "until": lambda: f"always {ev(p.first)} until {ev(p.second)}",
        "leaves": lambda: f"leaves {p.phase} within {p.bound} steps",
    }[p.form]()
    return start + body


class _Checker:
    def __init__(self, s: Session, p: m.Pathway, opts: PathwayOptions, replayer: JourneyReplayer) -> None:
        self.s = s
        self.enc = s.enc
        self.p = p
        self.opts = opts
        self.replayer = replayer

    # ------------------------------------------------------------ plumbing

    def solver(self) -> z3.Solver:
        sol = z3.Solver(ctx=self.enc.ctx)
        if self.opts.timeout_s is not None:
            sol.set("timeout", min(max(1, int(self.opts.timeout_s * 1000)), 2**32 - 1))
        return sol

    def event(self, u: Unrolling, e: m.Event, i: int) -> z3.BoolRef:
        if e.actions is not None:
            return u.taken(e.actions, i)
        assert e.expr is not None
        return u.at(self.enc.term(e.expr), i)

    def _why_unknown(self, sol: z3.Solver) -> Verdict:
        reason = sol.reason_unknown()
        if reason in ("canceled", "timeout") and self.opts.timeout_s is not None:
            return Verdict(UNKNOWN, f"timed out after {self.opts.timeout_s:g}s (the --pathway-timeout per query); "
                                    "not proved")
        return Verdict(UNKNOWN, f"the solver gave up ({reason or 'no reason given'}); not proved")

    def _plain(self, sol: z3.Solver, u: Unrolling, assumptions: list[z3.BoolRef], model: z3.ModelRef) -> z3.ModelRef:
        """A model whose first record keeps as many inputs at their plain defaults as possible."""
        tracks = []
        sol.push()
        try:
            for j, inp in enumerate(u.inputs):
                t = z3.Bool(f"plain!{u.tag}!{j}", self.enc.ctx)
                sol.add(z3.Implies(t, u.record(0)[j] == u.const(inp, default_value(inp))))
                tracks.append(t)
            for _ in range(12):
                res = sol.check(*assumptions, *tracks)
                if res == z3.sat:
                    return sol.model()
                if res != z3.unsat:
                    return model
                core = {c.get_id() for c in sol.unsat_core()}
                kept = [t for t in tracks if t.get_id() not in core]
                if len(kept) == len(tracks):
                    return model
                tracks = kept
            return model
        finally:
            sol.pop()

    # ------------------------------------------------------------ the forms

    def decide(self) -> Verdict:
        if self.p.form == "eventually":
            return self.eventually()
        if self.p.form == "leaves":
            return self.leaves()
        return self.safety()

    def _parts(self) -> tuple[m.Event | None, m.Event | None, str]:
        """(A, B, how): a violation at position i is A_i with, per ``how``, B not yet / already seen."""
        p = self.p
        if p.form == "always":
            assert p.first is not None and p.first.expr is not None
            return m.Event(None, m.Not(p.first.expr, p.first.span), p.first.span), None, "always"
        if p.form == "until":
            assert p.first is not None and p.first.expr is not None
            return m.Event(None, m.Not(p.first.expr, p.first.span), p.first.span), p.second, "before"
        return p.first, p.second, p.form

    def _violation(self, u: Unrolling, a: m.Event, b: m.Event | None, how: str, i: int, seen: Any) -> z3.BoolRef:
        ai = self.event(u, a, i)
        if how == "always":
            return ai
        assert b is not None
        if how == "before":
            return z3.And(ai, z3.Not(seen), z3.Not(self.event(u, b, i)))
        return z3.And(ai, seen)

    def safety(self) -> Verdict:
        """Incremental k-induction: the base case at depth n, then the step case with k = n.

        The step case at k needs the base case at positions 0..k-1, which the
        loop has checked by then; past ``max_k`` only the base case goes on,
        up to ``depth``, for a bounded verdict.
        """
        a, b, how = self._parts()
        assert a is not None
        sol = self.solver()
        u = Unrolling(self.enc, sol, "b")
        start = z3.Bool("start!b", self.enc.ctx)
        sol.add(z3.Implies(start, u.at(self.enc.term(self.p.start), 0) if self.p.start is not None else True))
        seen: Any = z3.BoolVal(False, self.enc.ctx)
        lemmas: list[tuple[str, Callable[[Unrolling, int, Any], z3.BoolRef]]] | None = None
        for n in range(self.opts.depth + 1):
            assumptions = [start] + [u.step(i) for i in range(n)]
            u.step(n)  # unrolled before the push: the optional last step of the window
            sol.push()
            sol.add(self._violation(u, a, b, how, n, seen))
            res = sol.check(*assumptions)
            if res == z3.sat:
                model = self._plain(sol, u, assumptions, sol.model())
                sol.pop()
                return self.refuted(u, model, n + 1, lambda recs, acts: self._replay_safety(recs, acts, a, b, how, n))
            sol.pop()
            if res != z3.unsat:
                return self._why_unknown(sol)
            if b is not None:
                seen = z3.Or(seen, self.event(u, b, n))
            if n > self.opts.max_k:
                continue
            if lemmas is None:
                lemmas = self.lemmas(b) if b is not None else []
            res = self.step_case(a, b, how, n, lemmas)
            if res == z3.unsat:
                names = f"; lemmas: {', '.join(x for x, _ in lemmas)}" if lemmas else ""
                return Verdict(PROVED, f"proved by k-induction (k={n}{names})")
            if res != z3.sat:
                return Verdict(UNKNOWN, "the solver gave up on the induction step; not proved")
        return Verdict(UNKNOWN, f"holds up to {self.opts.depth} steps (bounded model checking); not proved: "
                                f"k-induction up to k={self.opts.max_k} did not close")

    def step_case(self, a: m.Event, b: m.Event | None, how: str, k: int,
                  lemmas: list[tuple[str, Callable[[Unrolling, int, Any], z3.BoolRef]]]) -> z3.CheckSatResult:
        """From any valid record (and monitor value) with k violation-free positions, can position k fail?"""
        sol = self.solver()
        u = Unrolling(self.enc, sol, f"i{k}_")
        seen = z3.Bool(f"seen!i{k}", self.enc.ctx) if b is not None else z3.BoolVal(False, self.enc.ctx)
        for i in range(k + 1):
            for _, lemma in lemmas:
                sol.add(lemma(u, i, seen))
            if i < k:
                sol.add(u.step(i))
                sol.add(z3.Not(self._violation(u, a, b, how, i, seen)))
                if b is not None:
                    seen = z3.Or(seen, self.event(u, b, i))
        sol.add(self._violation(u, a, b, how, k, seen))
        return sol.check()

    def lemmas(self, b: m.Event) -> list[tuple[str, Callable[[Unrolling, int, Any], z3.BoolRef]]]:
        """Strengthening lemmas "once B has happened, ..." that Z3 proves inductive."""
        cands: list[tuple[str, Callable[[Unrolling, int, Any], z3.BoolRef]]] = []
        rs = self.enc.ruleset
        if b.expr is not None:
            expr = b.expr
            cands.append((f"once {format_expr(expr)}, it stays",
                          lambda u, i, seen, e=expr: z3.Implies(seen, u.at(self.enc.term(e), i))))
        else:
            assert b.actions is not None
            effects = [rs.effect(x) for x in b.actions]
            movers = [e for e in effects if e is not None and e.assignments]
            if movers:
                common = set.intersection(*({x.input for x in e.assignments if x.advance is None} for e in movers))
                for name in sorted(common):
                    values = sorted({v for e in movers for x in e.assignments if x.input == name for v in x.values},
                                    key=str)
                    inp = rs.input(name)
                    j = [i.name for i in rs.inputs].index(name)
                    label = f"once taken, {name} in {{{', '.join(str(v).lower() if isinstance(v, bool) else str(v) for v in values)}}}"
                    cands.append((label, lambda u, i, seen, j=j, inp=inp, values=values: z3.Implies(
                        seen, z3.Or(*[u.record(i)[j] == u.const(inp, v) for v in values]))))
        while cands:
            sol = self.solver()
            u = Unrolling(self.enc, sol, "h")
            seen0 = z3.Bool("seen!h", self.enc.ctx)
            for _, c in cands:
                sol.add(c(u, 0, seen0))
            sol.add(u.step(0))
            seen1 = z3.Or(seen0, self.event(u, b, 0))
            kept = [(n, c) for n, c in cands if sol.check(z3.Not(c(u, 1, seen1))) == z3.unsat]
            if len(kept) == len(cands):
                return kept
            cands = kept
        return []

    def eventually(self) -> Verdict:
        p = self.p
        assert p.first is not None and p.first.expr is not None and p.bound is not None
        sol = self.solver()
        u = Unrolling(self.enc, sol, "e")
        start = z3.Bool("start!e", self.enc.ctx)
        sol.add(z3.Implies(start, u.at(self.enc.term(p.start), 0) if p.start is not None else True))
        target = self.enc.term(p.first.expr)
        for n in range(p.bound + 1):
            assumptions = [start] + [u.step(i) for i in range(n)]
            sol.push()
            sol.add(*[z3.Not(u.at(target, i)) for i in range(n + 1)])
            if n < p.bound:
                sol.add(u.ended(n))
            res = sol.check(*assumptions)
            if res == z3.sat:
                model = self._plain(sol, u, assumptions, sol.model())
                sol.pop()
                return self.refuted(u, model, n, lambda recs, acts: self._replay_eventually(recs, acts))
            sol.pop()
            if res != z3.unsat:
                return self._why_unknown(sol)
        return Verdict(PROVED, f"every journey reaches it within {p.bound} steps "
                               f"(all journeys of up to {p.bound} steps checked)")

    def leaves(self) -> Verdict:
        p = self.p
        assert p.phase is not None and p.bound is not None
        sol = self.solver()
        u = Unrolling(self.enc, sol, "l")
        phase = self.enc.definitions[p.phase]
        assumptions = [u.step(i) for i in range(p.bound)]
        sol.add(*[u.at(phase, i) for i in range(p.bound + 1)])
        res = sol.check(*assumptions)
        if res == z3.sat:
            model = self._plain(sol, u, assumptions, sol.model())
            return self.refuted(u, model, p.bound, lambda recs, acts: self._replay_leaves(recs, acts))
        if res != z3.unsat:
            return self._why_unknown(sol)
        return Verdict(PROVED, f"no journey stays in {p.phase} for {p.bound} steps "
                               f"(every journey of {p.bound} steps checked; every valid record is a start)")

    # ------------------------------------------------------------ counterexamples

    def refuted(self, u: Unrolling, model: z3.ModelRef, upto: int,
                shows: Callable[[list[dict[str, Any]], list[str]], bool]) -> Verdict:
        records, actions = u.read(model, upto)
        what = f"pathway {self.p.id}"
        engine_records = self.replayer.engine_records(records)
        note = ""
        if engine_records is None:
            note = " (a record holds a value no decimal can hold; not replayed through the engine)"
            given = [() for _ in records]
        else:
            self.replayer.check_steps(engine_records, actions, what)
            if not shows(engine_records, actions):
                raise EngineDisagreement(f"the engine does not see the journey refuting {what} fail it")
            given = [self.replayer.given(r) for r in engine_records]
        journey = journey_json(records, actions, given)
        return Verdict(REFUTED, f'pathway {self.p.id} "{self.p.title}" fails on a journey of '
                                f'{len(actions)} step(s), replayed through the engine{note}',
                       detail=(describe(self.p),), journey=journey)

    def _events(self, records: list[dict[str, Any]], actions: list[str], e: m.Event) -> list[bool]:
        if e.actions is not None:
            return [k < len(actions) and actions[k] in e.actions for k in range(len(records))]
        assert e.expr is not None
        return [bool(v[0]) for v in self.replayer.conditions([e.expr], records)]

    def _replay_safety(self, records, actions, a, b, how, n) -> bool:
        av = self._events(records, actions, a)
        if how == "always":
            return av[n]
        bv = self._events(records, actions, b)
        if how == "before":
            return av[n] and not any(bv[: n + 1])
        return av[n] and any(bv[:n])

    def _replay_eventually(self, records, actions) -> bool:
        assert self.p.first is not None and self.p.first.expr is not None
        if self.p.start is not None and not self.replayer.conditions([self.p.start], records[:1])[0][0]:
            return False
        hits = self._events(records, actions, self.p.first)
        complete = len(actions) == self.p.bound or self.replayer.ended(records[-1])
        return complete and not any(hits)

    def _replay_leaves(self, records, actions) -> bool:
        assert self.p.phase is not None
        ref = m.DefRef(self.p.phase, m.BOOL, self.p.span)
        return len(actions) == self.p.bound and all(v[0] for v in self.replayer.conditions([ref], records))


def check_pathway(s: Session, p: m.Pathway, opts: PathwayOptions = PathwayOptions(),
                  replayer: JourneyReplayer | None = None) -> CheckResult:
    """The verdict on one pathway property (kind ``pathway``)."""
    rep = replayer or JourneyReplayer(s.ruleset)
    return s.run(p.id, "pathway", str(p.span), lambda: _Checker(s, p, opts, rep).decide())


# Decided verdicts of whole rulesets already checked in this process. A process
# that checks the same ruleset again (the test suite, an editor integration,
# `report` after `check`) gets them at once: for the same checked model and
# options the answer is the same, and the exhaustive checks cost seconds.
# Undecided results are never kept (a timeout depends on the machine's load).
_MEMO: "OrderedDict[tuple, list[CheckResult]]" = OrderedDict()
_MEMO_SIZE = 16


def check_pathways(s: Session, opts: PathwayOptions = PathwayOptions()) -> list[CheckResult]:
    """Every pathway property of the ruleset, in declaration order."""
    if not s.ruleset.pathways:
        return []
    key = (s.ruleset, s.ruleset.path, opts, s.replayer.available)
    if key in _MEMO:
        _MEMO.move_to_end(key)
        return list(_MEMO[key])
    rep = JourneyReplayer(s.ruleset)
    results = [check_pathway(s, p, opts, rep) for p in s.ruleset.pathways]
    if all(r.status != UNKNOWN for r in results):
        _MEMO[key] = results
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return list(results)


def effect_warnings(s: Session) -> list[CheckWarning]:
    """Effects that can never move a patient: wherever their action is given, no outcome is a valid,
    different record (a value the constraints always forbid, or an effect that changes nothing)."""
    rs = s.ruleset
    if not rs.effects:
        return []
    sol = z3.Solver(ctx=s.enc.ctx)
    if s.enc.timeout_ms is not None:
        sol.set("timeout", min(max(1, int(s.enc.timeout_ms)), 2**32 - 1))
    u = Unrolling(s.enc, sol, "w")
    u.step(0)
    out = []
    for eff in rs.effects:
        if not eff.assignments or eff.action not in u.movers or z3.is_false(s.enc.given[eff.action]):
            continue
        if sol.check(u.taken((eff.action,), 0)) == z3.unsat:
            out.append(CheckWarning("effect", f"the effect of {eff.action} never leads to a valid, different record "
                                         f"where {eff.action} is given: carrying it out never moves a patient",
                               str(eff.span)))
    return out
