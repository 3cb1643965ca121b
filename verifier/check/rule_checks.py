"""Checks about rules and constraints themselves: dead rules (a finding), and
redundant rules and constraints that exclude nothing (warnings)."""

from __future__ import annotations

import z3

from dsl import model as m
from dsl.printer import conjuncts, format_expr
from verifier.solver.encoding import SAT, UNSAT
from verifier.facts.values import is_exact_record
from verifier.solver.plain_models import simplest_model
from verifier.check.results import REFUTED, UNKNOWN, CheckResult, CheckWarning
from verifier.check.session import Verdict, Session, proved


def _labelled_conjuncts(s: Session, rule: m.Rule) -> list[tuple[str, m.Expr]]:
    """The rule's condition split into labelled conjuncts (its phase's too), for unsat cores."""
    out: list[tuple[str, m.Expr]] = []
    for c in conjuncts(rule.condition):
        if isinstance(c, m.DefRef) and c.name == rule.phase:
            phase = s.ruleset.definition(c.name)
            for pc in conjuncts(phase.expr):
                out.append((f"phase {phase.name}: {format_expr(pc)}", pc))
        else:
            out.append((f"when: {format_expr(c)}", c))
    return out


def _named_conditions(s: Session, rule: m.Rule) -> list[tuple[str, z3.BoolRef]]:
    return [(label, s.enc.term(c)) for label, c in _labelled_conjuncts(s, rule)]


def _box_clash(s: Session, rule: m.Rule) -> tuple[str, ...] | None:
    """The clash Z3's minimal unsat core would name for a dead rule, when box algebra decides it.

    Only for a ruleset without constraints and a rule of two conjuncts (a DMN row
    and its guard), each satisfiable alone while together they are not: then the
    only minimal core is both, whatever core Z3 starts from. None: ask Z3.
    """
    bm = s.boxes
    if bm is None or s.ruleset.constraints:
        return None
    named = _labelled_conjuncts(s, rule)
    if len(named) != 2 or not bm.dead(rule.id):
        return None
    known = [p for p in s.known_points() if p is not None]
    if all(bm.satisfiable(c, iter(known)) for _, c in named):
        return tuple(label for label, _ in named)
    return None


def check_rule_fires(s: Session, rule: m.Rule) -> CheckResult:
    """Some valid record fires ``rule``; refuted (a dead rule) with the clashing conditions."""

    def run() -> Verdict:
        # A decimal point of a decision table's row that the box reading shows firing
        # the rule is a proof (no solver query); no point found: Z3 decides.
        if s.box_witness(rule.id) is not None:
            return proved(f"rule {rule.id} fires on some valid record")
        clash = _box_clash(s, rule)
        if clash is not None:
            return Verdict(REFUTED, f"rule {rule.id} can never fire: no valid record meets its condition "
                                    f"(clash: {', '.join(clash)})", detail=clash)
        ans = s.enc.check(s.enc.fires[rule.id])
        if ans.status == SAT:
            assert ans.model is not None
            exact = is_exact_record(s.enc.record_from_model(ans.model)) or is_exact_record(
                s.enc.record_from_model(simplest_model(s.enc, [s.enc.fires[rule.id]], ans.model)))
            if not exact:
                # Records are finite decimals (issue 10, D8): a rule that fires only
                # at 1/3 fires on no record. Not proved; not shown dead either.
                return Verdict(UNKNOWN, f"rule {rule.id} fires where an input is a fraction such as 1/3; "
                                        "no decimal record was found that fires it")
            return proved(f"rule {rule.id} fires on some valid record")
        if ans.status != UNSAT:
            return s.gave_up(ans)
        why = s.enc.explain_unsat(_named_conditions(s, rule))
        constraints, conditions = why if why is not None else ((), ())
        by_id = {c.id: c for c in s.ruleset.constraints}
        detail = tuple(f"constraint {cid}: {format_expr(by_id[cid].expr)}" for cid in constraints) + tuple(conditions)
        because = f" (clash: {', '.join(constraints + conditions)})" if constraints or conditions else ""
        return Verdict(REFUTED, f"rule {rule.id} can never fire: no valid record meets its condition{because}",
                       detail=detail)

    return s.run(f"fires({rule.id})", "dead-rule", str(rule.span), run)


def redundant_rules(s: Session, dead: set[str]) -> list[CheckWarning]:
    """Rules whose every outcome (action and strength) other rules already give wherever they fire."""
    out: list[CheckWarning] = []
    for rule in s.ruleset.rules:
        if rule.id in dead or not rule.gives:
            continue
        pairs = sorted({(g.strength, a) for g in rule.gives for a in g.actions})
        if _shown_needed(s, rule, pairs):
            continue  # (before listing the other givers: that is linear per rule)
        others: list[list[str]] = []
        for strength, action in pairs:
            ids = [r for r in s.ruleset.rules_giving(strength, action) if r != rule.id]
            if not ids:
                break
            others.append(ids)
        else:
            enc = s.enc  # built here only: a table the box reading settles needs no encoding
            covered = enc.all_of([enc.any_of([enc.fires[r] for r in ids]) for ids in others])
            ans = enc.check(enc.fires[rule.id], z3.Not(covered))
            if ans.status == UNSAT:
                names = sorted({r for ids in others for r in ids})
                out.append(CheckWarning(
                    "redundant-rule",
                    f"rule {rule.id} is redundant: wherever it fires, {', '.join(names)} already give "
                    f"the same actions with the same strengths",
                    str(rule.span),
                ))
    return out


def _shown_needed(s: Session, rule: m.Rule, pairs: list[tuple[str, str]]) -> bool:
    """The box reading has a record where ``rule`` fires and gives some outcome no other rule gives."""
    point = s.box_witness(rule.id)
    bm = s.boxes
    if point is None or bm is None:
        return False
    fired = bm.fired(bm.hits(point))
    if rule.id not in fired:  # cannot happen: the witness was checked; no shortcut then
        return False
    given = {(g.strength, a) for r in fired if r != rule.id for g in s.ruleset.rule(r).gives for a in g.actions}
    return any(p not in given for p in pairs)


def constraints_excluding_nothing(s: Session) -> list[CheckWarning]:
    """Constraints implied by the domains and the other constraints."""
    out: list[CheckWarning] = []
    bm = s.boxes
    for c in s.ruleset.constraints:
        if bm is not None and bm.excludes_something(c.id):
            continue  # box algebra shows a record it excludes: no warning, no encoding
        enc = s.enc
        ans = enc.check(z3.Not(enc.term(c.expr)), without_constraints=[c.id])
        if ans.status == UNSAT:
            out.append(CheckWarning(
                "constraint-excludes-nothing",
                f"constraint {c.id} excludes nothing: the input domains and the other constraints already imply it",
                str(c.span),
            ))
    return out

