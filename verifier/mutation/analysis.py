"""Mutation analysis: which mutants the suite tells apart from the ruleset.

For each mutant (``verifier.mutation.mutants``) Z3 first decides whether it is
*equivalent*: the same recommended, considered and avoided actions as the
original on every valid record. Constraints are never mutated, so both
rulesets have the same valid records and one query over the original's
encoding settles it (the mutant's changed rules are encoded beside the
original's). Equivalent mutants are set aside: no test can kill them. The
others are run through the engine on every case; a case *kills* a mutant
when the mutant's decision differs from the case's expected decision. What
no case kills survives, reported with a record Z3 found that would kill it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Any, Mapping, Sequence

import z3

from dsl import model as m
from engine import compile_ruleset
from verifier.facts.conditions import rewrite
from verifier.facts.values import engine_form
from verifier.cases.case import decision_statuses
from verifier.solver import DEFAULT_TIMEOUT_S
from verifier.solver.encoding import SAT, UNSAT, Encoding
from verifier.facts.values import json_record
from dsl.dependencies import dependents
from verifier.mutation.mutants import Mutant, OPERATORS, affected_rules
from verifier.mutation.guards import GuardReport, guard_report
from verifier.solver.plain_models import simplest_model

EQUIVALENT, KILLED, SURVIVED, UNDECIDED = "equivalent", "killed", "survived", "undecided"

Statuses = tuple[frozenset[str], frozenset[str], frozenset[str]]


@dataclass(frozen=True, slots=True)
class TestSuite:
    """Records with the decisions expected of them (the statuses only matter here)."""

    name: str
    names: tuple[str, ...]
    records: tuple[dict[str, Any], ...]  # engine form: validated, exact decimals
    expected: tuple[Statuses, ...]

    @property
    def size(self) -> int:
        return len(self.records)


def suite_from_cases(name: str, ruleset: m.Ruleset, cases: Sequence[Mapping[str, Any]]) -> TestSuite:
    """A stored suite (case objects as read from disk), with its stored expectations."""
    ev = compile_ruleset(ruleset)
    ordered = sorted(cases, key=lambda c: str(c["id"]))
    return TestSuite(
        name=name,
        names=tuple(str(c["id"]) for c in ordered),
        records=tuple(engine_form(ev, c["record"]) for c in ordered),
        expected=tuple((frozenset(c["expected"]["recommended"]), frozenset(c["expected"]["considered"]),
                        frozenset(c["expected"]["avoided"])) for c in ordered),
    )


def suite_from_records(name: str, ruleset: m.Ruleset, records: Sequence[Mapping[str, Any]]) -> TestSuite:
    """Records whose expected decision is what the original ruleset gives them now."""
    ev = compile_ruleset(ruleset)
    normal = [engine_form(ev, r) for r in records]
    return TestSuite(
        name=name,
        names=tuple(f"{name}-{k}" for k in range(len(normal))),
        records=tuple(normal),
        expected=tuple(decision_statuses(ev.evaluate(r)) for r in normal),
    )


@dataclass(frozen=True, slots=True)
class MutantOutcome:
    """The verdict on one mutant: equivalent, killed (by which case), survived or undecided.

    ``killed_by`` maps a suite name to the first case (in name order) that
    kills the mutant; ``witness`` is a record telling the mutant apart, for
    survivors (add it as a case to kill it).
    """

    id: str
    operator: str
    description: str
    location: str
    status: str
    killed_by: tuple[tuple[str, str], ...] = ()
    witness: dict[str, Any] | None = None

    def killed_in(self, suite: str) -> bool:
        return any(s == suite for s, _ in self.killed_by)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "operator": self.operator, "description": self.description,
                               "location": self.location, "status": self.status}
        if self.killed_by:
            out["killed_by"] = dict(self.killed_by)
        if self.witness is not None:
            out["witness"] = self.witness
        return out


@dataclass(frozen=True, slots=True)
class Score:
    suite: str
    cases: int
    killed: int
    candidates: int

    @property
    def rate(self) -> float:
        return self.killed / self.candidates if self.candidates else 1.0

    def to_json(self) -> dict[str, Any]:
        return {"suite": self.suite, "cases": self.cases, "killed": self.killed,
                "non_equivalent": self.candidates, "kill_rate": round(self.rate, 4)}


@dataclass(frozen=True, slots=True)
class MutationReport:
    ruleset: str
    version: str
    outcomes: tuple[MutantOutcome, ...]
    suites: tuple[str, ...]
    sizes: tuple[int, ...]
    notes: tuple[str, ...] = field(default=())
    # Guard strength: the same mutants judged by `ruleproof check` (None: not measured).
    guards: GuardReport | None = None

    def count(self, status: str, operator: str | None = None) -> int:
        return sum(1 for o in self.outcomes if o.status == status and (operator is None or o.operator == operator))

    @property
    def candidates(self) -> tuple[MutantOutcome, ...]:
        """The mutants that some test could kill: decided and not equivalent."""
        return tuple(o for o in self.outcomes if o.status in (KILLED, SURVIVED))

    def score(self, suite: str) -> Score:
        cands = self.candidates
        return Score(suite, self.sizes[self.suites.index(suite)], sum(1 for o in cands if o.killed_in(suite)),
                     len(cands))

    def survivors(self, suite: str | None = None) -> tuple[MutantOutcome, ...]:
        name = suite or self.suites[0]
        return tuple(o for o in self.candidates if not o.killed_in(name))

    def to_json(self) -> dict[str, Any]:
        ops = sorted({o.operator for o in self.outcomes}, key=OPERATORS.index)
        main = self.suites[0]
        return {
            "ruleset": self.ruleset,
            "version": self.version,
            "mutants": len(self.outcomes),
            "equivalent": self.count(EQUIVALENT),
            "undecided": self.count(UNDECIDED),
            "scores": [self.score(s).to_json() for s in self.suites],
            "by_operator": [{
                "operator": op,
                "mutants": sum(1 for o in self.outcomes if o.operator == op),
                "equivalent": self.count(EQUIVALENT, op),
                "killed": sum(1 for o in self.candidates if o.operator == op and o.killed_in(main)),
                "survived": sum(1 for o in self.candidates if o.operator == op and not o.killed_in(main)),
                "undecided": self.count(UNDECIDED, op),
            } for op in ops],
            "survivors": [o.to_json() for o in self.survivors()],
            "equivalent_mutants": [o.id for o in self.outcomes if o.status == EQUIVALENT],
            "notes": list(self.notes),
            **({"guards": self.guards.to_json()} if self.guards is not None else {}),
        }


class EquivalenceChecker:
    """Decides mutant equivalence on one shared encoding of the original ruleset."""

    def __init__(self, ruleset: m.Ruleset, timeout_s: float | None = DEFAULT_TIMEOUT_S) -> None:
        self.ruleset = ruleset
        timeout_ms = None if timeout_s is None else max(1, int(timeout_s * 1000))
        self.enc = Encoding(ruleset, timeout_ms)
        self._original = {r.id: r for r in ruleset.rules}

    def _fires(self, mutant: Mutant) -> dict[str, Any]:
        """Z3 terms for whether each rule of the mutant fires (rebuilt only where it changed)."""
        enc = self.enc
        changed = dependents(mutant.ruleset, mutant.changed_definitions)
        defs = {d.name: d.expr for d in mutant.ruleset.definitions}
        touched = affected_rules(mutant)
        out = {}
        for r in mutant.ruleset.rules:
            if r.id in touched:
                out[r.id] = enc.term(rewrite(r.condition, defs, changed, {}))
            else:
                out[r.id] = enc.fires[r.id]
        return out

    def difference(self, mutant: Mutant) -> Any:
        """A Z3 term true on the records where the mutant's decision differs from the original's."""
        enc = self.enc
        fires = self._fires(mutant)
        touched = affected_rules(mutant) | mutant.changed_rules
        actions: set[str] = set()
        for rules in (mutant.ruleset.rules, self.ruleset.rules):
            for r in rules:
                if r.id in touched:
                    actions.update(a for g in r.gives for a in g.actions)
        givers: dict[tuple[str, str], list[str]] = {}
        for r in mutant.ruleset.rules:
            for g in r.gives:
                for a in g.actions:
                    givers.setdefault((g.strength, a), []).append(r.id)
        diffs = []
        for a in sorted(actions):
            rec = enc.any_of([fires[r] for r in givers.get(("recommend", a), [])])
            con = z3.And(enc.any_of([fires[r] for r in givers.get(("consider", a), [])]), z3.Not(rec))
            avo = enc.any_of([fires[r] for r in givers.get(("avoid", a), [])])
            diffs += [z3.Xor(rec, enc.recommended[a]), z3.Xor(con, enc.considered[a]), z3.Xor(avo, enc.avoided[a])]
        return enc.any_of(diffs)

    def decide(self, mutant: Mutant, want_witness: bool = False) -> tuple[str, dict[str, Any] | None]:
        """(EQUIVALENT, None), (SURVIVED-candidate: "different", record or None), or (UNDECIDED, None)."""
        diff = self.difference(mutant)
        ans = self.enc.check(diff)
        if ans.status == UNSAT:
            return EQUIVALENT, None
        if ans.status != SAT:
            return UNDECIDED, None
        if not want_witness:
            return "different", None
        assert ans.model is not None
        model = simplest_model(self.enc, [diff], ans.model)
        return "different", json_record(self.enc.record_from_model(model))


def _kills(mutant: Mutant, suites: Sequence[TestSuite]) -> tuple[tuple[str, str], ...]:
    ev = compile_ruleset(mutant.ruleset)
    out = []
    for suite in suites:
        for name, record, expected in zip(suite.names, suite.records, suite.expected):
            if decision_statuses(ev.evaluate(record)) != expected:
                out.append((suite.name, name))
                break
    return tuple(out)


def analyse(
    ruleset: m.Ruleset,
    mutants: Sequence[Mutant],
    suites: Sequence[TestSuite],
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    progress: Callable[[int, int, str], None] | None = None,
    guards: bool = False,
) -> MutationReport:
    """Equivalence by Z3, then kills by the engine, for every mutant and suite (the first suite is "ours").

    ``progress(done, total, mutant id)`` is called before each mutant (for a progress line);
    ``guards``: also judge every non-equivalent mutant by ``ruleproof check`` (guard strength).
    """
    checker = EquivalenceChecker(ruleset, timeout_s)
    outcomes = []
    candidates: list[Mutant] = []
    for k, mu in enumerate(mutants):
        if progress is not None:
            progress(k, len(mutants), mu.id)
        verdict, _ = checker.decide(mu)
        if verdict in (EQUIVALENT, UNDECIDED):
            outcomes.append(MutantOutcome(mu.id, mu.operator, mu.description, mu.location, verdict))
            continue
        candidates.append(mu)
        killed_by = _kills(mu, suites)
        main_killed = any(s == suites[0].name for s, _ in killed_by)
        witness = None if main_killed else checker.decide(mu, want_witness=True)[1]
        outcomes.append(MutantOutcome(mu.id, mu.operator, mu.description, mu.location,
                                      KILLED if main_killed else SURVIVED, killed_by, witness))
    guard = guard_report(ruleset, checker.enc, checker._fires, candidates) if guards else None
    return MutationReport(ruleset.name, ruleset.version, tuple(outcomes),
                          tuple(s.name for s in suites), tuple(s.size for s in suites), guards=guard)


def render_text(report: MutationReport) -> str:
    """The report for people: scores per suite, per operator, then the survivors."""
    cands = len(report.candidates)
    lines = [
        f"mutation analysis of {report.ruleset} {report.version}: {len(report.outcomes)} mutants, "
        f"{report.count(EQUIVALENT)} equivalent (set aside), {report.count(UNDECIDED)} undecided, "
        f"{cands} to kill",
        "",
        f"  {'suite':<12} {'cases':>6} {'killed':>7} {'of':>5} {'kill rate':>10}",
    ]
    for s in report.suites:
        sc = report.score(s)
        lines.append(f"  {s:<12} {sc.cases:>6} {sc.killed:>7} {sc.candidates:>5} {100 * sc.rate:>9.1f}%")
    main = report.suites[0]
    lines += ["", f"  by operator ({main}):", f"  {'operator':<18} {'mutants':>7} {'equiv':>6} {'killed':>7} {'survived':>9}"]
    for row in report.to_json()["by_operator"]:
        lines.append(f"  {row['operator']:<18} {row['mutants']:>7} {row['equivalent']:>6} {row['killed']:>7} "
                     f"{row['survived']:>9}")
    survivors = report.survivors()
    if survivors:
        lines += ["", f"  survivors ({len(survivors)}), each with a record that would kill it:"]
        for o in survivors:
            lines.append(f"    {o.id}  [{o.location}]")
            lines.append(f"      {o.description}")
            if o.witness is not None:
                lines.append(f"      killing record: {o.witness}")
    undecided = [o for o in report.outcomes if o.status == UNDECIDED]
    if undecided:
        lines += ["", "  undecided (the solver gave up on equivalence):"]
        lines += [f"    {o.id}" for o in undecided]
    if report.guards is not None:
        lines += ["", *render_guards(report.guards)]
    return "\n".join(lines)


def render_guards(g: GuardReport) -> list[str]:
    """Guard strength for people: overall, the weakest rules and actions, the unguarded rules."""
    o = g.overall
    lines = [f"  guard strength (`ruleproof check` as the killer): {o.refuted} of {o.total} non-equivalent "
             f"mutants refuted, {100 * o.rate:.1f}%"]
    weak_rules = sorted((s.rate, r, s) for r, s in g.by_rule if s.refuted < s.total)
    if weak_rules:
        lines.append("  weakest rules (refuted / mutants):")
        lines += [f"    {r:<40} {s.refuted:>4} / {s.total:<4} {100 * s.rate:5.1f}%" for _, r, s in weak_rules[:15]]
    weak_actions = sorted((s.rate, a, s) for a, s in g.by_action if s.refuted < s.total)
    if weak_actions:
        lines.append("  weakest actions (refuted / mutants):")
        lines += [f"    {a:<40} {s.refuted:>4} / {s.total:<4} {100 * s.rate:5.1f}%" for _, a, s in weak_actions[:15]]
    lines.append(f"  rules no property guards: {', '.join(g.unguarded) or 'none'}")
    if g.ignored:
        lines.append(f"  (left out: checks the ruleset itself fails: {', '.join(g.ignored)})")
    return lines
