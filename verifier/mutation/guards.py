"""Guard strength: how much of a ruleset its own properties guard.

Mutation analysis with ``ruleproof check`` as the killer instead of the
regression cases: a non-equivalent mutant is *refuted* when some check of
``check`` fails on it: a declared property (read with the mutant's
definitions, exactly as ``check`` would read the mutated file), coverage, a
declared conflict, an action both given and avoided, or a rule of the mutant
that can no longer fire. A mutant nothing refutes is an edit that would pass
``check``: the share refuted, per rule and per action, says where the
specification is thin, and the rules no property guards at all are listed.

Every query runs on the one encoding the equivalence checker already holds:
the mutant's rules are swapped in for the question and swapped back after.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import z3

from dsl import model as m
from verifier.facts.conditions import rewrite
from verifier.mutation.mutants import Mutant, affected_rules
from dsl.dependencies import dependents
from verifier.solver.encoding import SAT, UNSAT, Encoding

REFUTED, PASSES, UNDECIDED = "refuted", "passes", "undecided"


@dataclass(frozen=True, slots=True)
class GuardVerdict:
    """What ``check`` says about one non-equivalent mutant; ``by``: the check that refutes it."""

    mutant: str
    status: str
    by: str = ""
    by_property: bool = False


def mutant_rules(mutant: Mutant) -> frozenset[str]:
    """The rules a mutant touches (in the original's ids: a dropped rule counts too)."""
    return affected_rules(mutant) | mutant.changed_rules


def mutant_actions(original: m.Ruleset, mutant: Mutant) -> frozenset[str]:
    rules = mutant_rules(mutant)
    out: set[str] = set()
    for rs in (original, mutant.ruleset):
        for r in rs.rules:
            if r.id in rules:
                out.update(a for g in r.gives for a in g.actions)
    return frozenset(out)


class _Swapped:
    """The encoding reading the mutant's rules (and rule conditions) for the time of a ``with``."""

    _FIELDS = ("ruleset", "fires", "recommended", "considered", "avoided", "given",
               "serving_rules", "anything_given")

    def __init__(self, enc: Encoding, mutant: Mutant, fires: dict[str, Any]) -> None:
        self.enc, self.mutant, self.fires = enc, mutant, fires

    def __enter__(self) -> Encoding:
        self.saved = {f: getattr(self.enc, f) for f in self._FIELDS}
        self.enc.ruleset = self.mutant.ruleset
        self.enc.fires = self.fires
        self.enc._build_statuses()
        return self.enc

    def __exit__(self, *exc: object) -> None:
        for f, v in self.saved.items():
            setattr(self.enc, f, v)


def _violations(enc: Encoding, rs: m.Ruleset, changed: frozenset[str]) -> Iterator[tuple[str, bool, Any]]:
    """(check id, is a property, term true on a valid record where that check fails) for ``rs``
    (whose definitions in ``changed`` differ from the encoding's and are inlined)."""
    yield "coverage", False, z3.Not(enc.anything_given)
    for c in rs.conflicts:
        for a, b in c.pairs:
            if a != b:
                yield f"conflict({a},{b})", False, z3.And(enc.given[a], enc.given[b])
    for a in (x.id for x in rs.actions if rs.rules_giving("avoid", x.id)):
        yield f"given-and-avoided({a})", False, z3.And(enc.given[a], enc.avoided[a])
    defs = {d.name: d.expr for d in rs.definitions}
    for p in rs.properties:
        yield p.id, True, z3.Not(enc.term(rewrite(p.expr, defs, changed, {})))


def original_failures(enc: Encoding) -> frozenset[str]:
    """The checks the original ruleset itself fails: they cannot tell a mutant apart, so they are left out."""
    rs = enc.ruleset
    failing = {cid for cid, _, t in _violations(enc, rs, frozenset()) if enc.check(t).status != UNSAT}
    failing |= {f"fires({r.id})" for r in rs.rules if enc.check(enc.fires[r.id]).status != SAT}
    return frozenset(failing)


def judge(enc: Encoding, mutant: Mutant, fires: dict[str, Any], ignore: frozenset[str] = frozenset()) -> GuardVerdict:
    """Would ``ruleproof check`` refute the mutant? (one query, plus one per touched rule for dead rules)

    ``ignore``: checks the original already fails (``original_failures``).
    """
    with _Swapped(enc, mutant, fires):
        changed = dependents(mutant.ruleset, mutant.changed_definitions)
        checks = [c for c in _violations(enc, mutant.ruleset, changed) if c[0] not in ignore]
        ans = enc.check(enc.any_of([t for _, _, t in checks]))
        if ans.status == SAT and ans.model is not None:
            # Name a property first: "guarded by a property" is what the report is about.
            hits = [(cid, prop) for cid, prop, t in checks
                    if z3.is_true(ans.model.eval(t, model_completion=True))]
            cid, prop = next((h for h in hits if h[1]), hits[0]) if hits else ("?", False)
            if not prop and any(p for _, p, _ in checks):
                # Another record may break a property even though this one only breaks coverage.
                props = enc.check(enc.any_of([t for _, p, t in checks if p]))
                if props.status == SAT and props.model is not None:
                    cid = next(c for c, p, t in checks if p and z3.is_true(props.model.eval(t, model_completion=True)))
                    prop = True
            return GuardVerdict(mutant.id, REFUTED, cid, prop)
        undecided = ans.status != UNSAT
        for r in sorted(affected_rules(mutant)):
            if f"fires({r})" in ignore:
                continue
            dead = enc.check(fires[r])
            if dead.status == UNSAT:
                return GuardVerdict(mutant.id, REFUTED, f"fires({r})")
            undecided = undecided or dead.status != SAT
    return GuardVerdict(mutant.id, UNDECIDED if undecided else PASSES)


@dataclass(frozen=True, slots=True)
class Strength:
    refuted: int
    total: int

    @property
    def rate(self) -> float:
        return self.refuted / self.total if self.total else 1.0

    def to_json(self) -> dict[str, Any]:
        return {"refuted": self.refuted, "non_equivalent": self.total, "rate": round(self.rate, 4)}


@dataclass(frozen=True, slots=True)
class GuardReport:
    """Guard strength over the non-equivalent mutants, overall, per rule and per action."""

    verdicts: tuple[GuardVerdict, ...]
    by_rule: tuple[tuple[str, Strength], ...]
    by_action: tuple[tuple[str, Strength], ...]
    unguarded: tuple[str, ...]  # rules no property refutes any mutant of
    killers: tuple[tuple[str, int], ...] = field(default=())
    ignored: tuple[str, ...] = ()  # checks the original fails, left out

    @property
    def overall(self) -> Strength:
        return Strength(sum(1 for v in self.verdicts if v.status == REFUTED), len(self.verdicts))

    def passing(self) -> tuple[GuardVerdict, ...]:
        return tuple(v for v in self.verdicts if v.status != REFUTED)

    def to_json(self) -> dict[str, Any]:
        return {"overall": self.overall.to_json(),
                "by_rule": {r: s.to_json() for r, s in self.by_rule},
                "by_action": {a: s.to_json() for a, s in self.by_action},
                "unguarded_rules": list(self.unguarded),
                "refuted_by": dict(self.killers),
                "passing": [v.mutant for v in self.passing()],
                "ignored_checks_failing_on_the_original": list(self.ignored),
                "undecided": [v.mutant for v in self.verdicts if v.status == UNDECIDED]}


def guard_report(original: m.Ruleset, enc: Encoding, fires_of: Any, candidates: Sequence[Mutant]) -> GuardReport:
    """Judge every non-equivalent mutant (``fires_of(mutant)``: its rule terms on ``enc``)."""
    ignore = original_failures(enc)
    verdicts = []
    rules: dict[str, list[int]] = {r.id: [0, 0] for r in original.rules}
    actions: dict[str, list[int]] = {}
    by_property: dict[str, bool] = {r.id: False for r in original.rules}
    killers: Counter[str] = Counter()
    for mu in candidates:
        v = judge(enc, mu, fires_of(mu), ignore)
        verdicts.append(v)
        hit = v.status == REFUTED
        if hit:
            killers[v.by] += 1
        for r in mutant_rules(mu):
            if r in rules:
                rules[r][0] += hit
                rules[r][1] += 1
                by_property[r] = by_property[r] or v.by_property
        for a in mutant_actions(original, mu):
            cell = actions.setdefault(a, [0, 0])
            cell[0] += hit
            cell[1] += 1
    order = {a.id: k for k, a in enumerate(original.actions)}
    return GuardReport(
        tuple(verdicts),
        tuple((r, Strength(*c)) for r, c in rules.items() if c[1]),
        tuple((a, Strength(*actions[a])) for a in sorted(actions, key=lambda a: order.get(a, len(order)))),
        tuple(r for r, c in rules.items() if c[1] and not by_property[r]),
        tuple(sorted(killers.items(), key=lambda kv: (-kv[1], kv[0]))),
        tuple(sorted(ignore)),
    )
