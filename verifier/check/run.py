"""Every check of one ruleset, in report order: the library entry point of ``ruleproof check``."""

from __future__ import annotations

import time
from typing import Callable, Iterable

from dsl import model as m
from verifier.solver import DEFAULT_TIMEOUT_S
from dsl.errors import Diagnostic
from verifier.check.examples import check_examples
from verifier.check.coverage import check_coverage, check_matrix
from verifier.check.properties import avoidable_actions, check_conflict, check_given_and_avoided, check_invariant
from verifier.check.results import PROVED, REFUTED, CheckResult, CheckWarning, RulesetReport
from verifier.pathway.prove import PathwayOptions, check_pathways, effect_warnings
from verifier.check.rule_checks import check_rule_fires, constraints_excluding_nothing, redundant_rules
from verifier.check.session import Session



def check_ruleset(
    ruleset: m.Ruleset,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    dsl_warnings: Iterable[Diagnostic] = (),
    replay: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
    pathway: PathwayOptions | None = PathwayOptions(),
    boxes: bool = True,
) -> RulesetReport:
    """Prove everything ``ruleset`` declares plus the built-in properties.

    Results come in a fixed order (coverage, coverage matrices, contradictions,
    dead rules, invariants; each in declaration order) so reports diff well.
    Warnings (the checker's, redundant rules, constraints that exclude
    nothing) never fail the run. ``boxes=False`` leaves every check to Z3 (the
    differential tests hold the box reading of decision tables against it).
    """
    start = time.perf_counter()
    s = Session(ruleset, timeout_s, replay=replay, boxes=boxes)
    results: list[CheckResult] = []
    if progress is not None:  # ``progress(done, total, name)`` as each check starts, for a progress line
        # The given-and-avoided checks are not counted ahead (finding them takes queries): the total may grow.
        total = 1 + len(ruleset.coverages) + len(ruleset.conflict_pairs()) + len(ruleset.rules) + len(ruleset.properties)
        s.on_check = lambda name: progress(len(results), max(total, len(results) + 1), name)

    coverage = check_coverage(s)
    results.append(coverage)
    for cov in ruleset.coverages:
        results.append(check_matrix(s, cov, everything_covered=coverage.status == PROVED))

    for a, b in ruleset.conflict_pairs():
        results.append(check_conflict(s, a, b))
    for action in avoidable_actions(s):
        results.append(check_given_and_avoided(s, action))

    dead: set[str] = set()
    for rule in ruleset.rules:
        r = check_rule_fires(s, rule)
        if r.status == REFUTED:
            dead.add(rule.id)
        results.append(r)

    for prop in ruleset.properties:
        results.append(check_invariant(s, prop))
    # Journeys (issue 16): BMC and k-induction over the effects of actions (None: skipped).
    if pathway is not None:
        results.extend(check_pathways(s, pathway))

    if ruleset.examples:  # worked examples, last (the encoding is built only when needed)
        results += check_examples(ruleset, s.enc)

    warnings = [CheckWarning("checker", d.message, str(d.span) if d.span.line > 0 else d.span.path) for d in dsl_warnings]
    warnings += redundant_rules(s, dead)
    warnings += constraints_excluding_nothing(s)
    if pathway is not None:
        warnings += effect_warnings(s)
    return RulesetReport(
        path=ruleset.path,
        name=ruleset.name,
        version=ruleset.version,
        results=tuple(results),
        warnings=tuple(warnings),
        seconds=time.perf_counter() - start,
    )
