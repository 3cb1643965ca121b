"""Coverage: every valid record is served, and every reachable cell of a
declared coverage matrix is served by named rules."""

from __future__ import annotations

import itertools
from typing import Any

import z3

from verifier.facts.values import value_text
from dsl import model as m
from verifier.solver.encoding import SAT, UNSAT
from verifier.solver.replay import DecisionView
from verifier.check.results import COVERED, EXCLUDED, GAP, PROVED, REFUTED, UNDECIDED, UNKNOWN, Cell, CheckResult, CoverageMatrix
from verifier.check.session import Verdict, Session, proved


def _nothing_given(record: dict[str, Any], d: DecisionView) -> bool:
    return not (d.recommended | d.considered)


def check_coverage(s: Session) -> CheckResult:
    """Every valid record gets at least one action recommended or considered."""

    def run() -> Verdict:
        # A decision table's gap or silenced overlap found by the box reading is a
        # valid record that gets nothing (replayed through the engine); Z3 otherwise.
        bm = s.boxes
        if bm is not None:
            serving = set(s.enc_free_serving_rules())
            point = bm.unserved_point(serving)
            if point is not None:
                return s.refuted_at(point, _nothing_given, "coverage",
                                    "a valid record gets no action recommended or considered")
            if bm.covers(serving):  # rows that fire on all of their boxes tile the valid records
                return proved("every valid record gets at least one action recommended or considered")
        # With no valid record at all every check below holds vacuously:
        # that is a finding, not a proof.
        some = s.enc.check()
        if some.status == UNSAT:
            why = s.enc.explain_unsat([])
            clash = ", ".join(why[0]) if why else "the constraints"
            return Verdict(REFUTED, f"no valid record exists: {clash} contradict each other; "
                                    "every other check holds only vacuously")
        if some.status != SAT:
            return s.gave_up(some)
        fact = z3.Not(s.enc.anything_given)
        ans = s.enc.check(fact)
        if ans.status == UNSAT:
            return proved("every valid record gets at least one action recommended or considered")
        if ans.status == SAT:
            return s.refuted(
                [fact], ans, _nothing_given, "coverage",
                "a valid record gets no action recommended or considered",
            )
        return s.gave_up(ans)

    return s.run("coverage", "coverage", None, run)


def _cell_values(inp: m.Input) -> tuple[Any, ...]:
    t = inp.type
    unknown = (None,) if inp.optional else ()  # issue 12: "unknown" is a cell of its own
    if isinstance(t, m.EnumType):
        return (*t.values, *unknown)
    assert isinstance(t, m.BoolType), "the checker admits only enum and bool coverage inputs"
    return (False, True, *unknown)



def check_matrix(s: Session, cov: m.Coverage, everything_covered: bool) -> CheckResult:
    """Each cell of ``cov`` is covered (with the rules serving it), excluded (with
    the constraints excluding it), or a gap (with a record that gets nothing).

    ``everything_covered`` is true when the global coverage check proved that
    no valid record at all goes unserved: then no cell can be a gap and the
    per-cell gap queries are skipped.
    """
    enc = s.enc
    inputs = [s.ruleset.input(n) for n in cov.inputs]

    def cell(values: tuple[Any, ...]) -> Cell:
        names = tuple(value_text(v) for v in values)
        facts = [enc.equals(i.name, v) for i, v in zip(inputs, values)]
        lits = [enc.tracked(f"{i.name}={value_text(v)}", f) for i, v, f in zip(inputs, values, facts)]
        ans = enc.check(assumptions=lits)
        if ans.status == UNSAT:
            named = [(f"{i.name} == {value_text(v)}", f) for i, v, f in zip(inputs, values, facts)]
            why = enc.explain_unsat(named)
            return Cell(names, EXCLUDED, constraints=why[0] if why else ())
        if ans.status != SAT:
            return Cell(names, UNDECIDED)
        if not everything_covered:
            nothing = z3.Not(enc.anything_given)
            gap = enc.check(assumptions=[*lits, enc.tracked("nothing-given", nothing)])
            if gap.status == SAT:
                where = ", ".join(f"{i.name} == {n}" for i, n in zip(inputs, names))
                out = s.refuted([*facts, nothing], gap, _nothing_given, f"coverage {cov.id} ({where})", "")
                return Cell(names, GAP, counterexample=out.counterexample, fired=out.fired)
            if gap.status != UNSAT:
                return Cell(names, UNDECIDED)
        rules = serving_rules(s, lits)
        if rules is None:
            return Cell(names, UNDECIDED)
        return Cell(names, COVERED, rules=rules)

    def run() -> Verdict:
        cells = tuple(cell(vals) for vals in itertools.product(*(_cell_values(i) for i in inputs)))
        matrix = CoverageMatrix(cov.inputs, cells)
        counts = (
            f"{matrix.count(COVERED)} covered, {matrix.count(EXCLUDED)} excluded, "
            f"{matrix.count(GAP)} gaps, {matrix.count(UNDECIDED)} undecided, of {len(cells)} cells"
        )
        gaps = [c for c in cells if c.status == GAP]
        if gaps:
            first = gaps[0]
            where = ", ".join(f"{n} == {v}" for n, v in zip(cov.inputs, first.values))
            return Verdict(
                REFUTED, f"{counts}; e.g. a record with {where} gets nothing",
                counterexample=first.counterexample, fired=first.fired, matrix=matrix,
            )
        status = UNKNOWN if matrix.count(UNDECIDED) else PROVED
        return Verdict(status, counts, matrix=matrix)

    return s.run(cov.id, "coverage-matrix", str(cov.span), run)


def serving_rules(s: Session, lits: list[z3.BoolRef]) -> tuple[str, ...] | None:
    """The rules that give something and fire on some valid record satisfying ``lits``.

    Rather than one query per rule, each query asks for a record firing some
    rule not yet seen, and every rule that model fires is collected at once.
    None if the solver gave up.
    """
    enc = s.enc
    seen: set[str] = set()
    serving = set(enc.serving_rules)
    while len(seen) < len(serving):
        ans = enc.check(assumptions=lits + enc.serving_query(sorted(seen)))
        if ans.status == UNSAT:
            break
        if ans.status != SAT:
            return None
        assert ans.model is not None
        seen.update(r for r in enc.fired_rules(ans.model) if r in serving)
    return tuple(r for r in enc.serving_rules if r in seen)
