"""Generate a ruleset's regression suite from the solver.

Stages, each reusing the records of the ones before wherever a record
already serves (see ``verifier.cases.finder``):

1. a witness per rule: a valid record on which it fires and, where possible,
   on which every action it gives shows in the decision (no other rule gives
   it there), so that dropping or changing the rule changes the decision;
2. MC/DC pairs per rule and condition, and every value of each enum test
   where the test decides a rule (``verifier.cases.mcdc``);
3. records below, on and above every numeric threshold (``verifier.cases.boundaries``);
4. a representative of every covered cell of each declared coverage matrix,
   and every counterexample ``ruleproof check`` finds;
5. the regression cases frozen earlier, kept as long as they stay valid.

Then every record gets its expected decision from the engine, checked
against the decision Z3 reads off the same record. The output depends only
on the ruleset (and the frozen regressions): stages run in file order, the
solver starts fresh, names come from purposes.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from dsl import model as m
from dsl.span import NOWHERE
from engine import RecordError
from verifier.cases.boundaries import plan_boundaries
from verifier.cases.compact import CONFIRM_LIMIT, FULL_LIMIT, compact_wanted, plan_compact
from verifier.cases.score_terms import plan_score_terms
from verifier.facts.conditions import conj
from verifier.cases.finder import Fact, Found, RecordFinder
from verifier.facts.values import engine_form
from verifier.cases.case import Case, Purpose, Suite, decision_statuses, expected_json, file_name, source_digest, unusual_inputs
from verifier.cases.plan import Plan
from verifier.check.run import check_ruleset
from verifier.solver import DEFAULT_TIMEOUT_S
from verifier.solver.encoding import SAT, Encoding
from verifier.facts.values import json_value, to_fraction
from verifier.cases.mcdc import plan_pairs, plan_values
from verifier.solver.replay import EngineDisagreement
from verifier.check.results import COVERED, REFUTED

# ---------------------------------------------------------------- witnesses


def _outcome_text(strength: str, action: str) -> str:
    return f"{strength} {action}"


def plan_witnesses(plan: Plan) -> None:
    """A witness per rule, showing every action it gives where possible (else one per action)."""
    finder = plan.finder
    vis = plan.visibility
    work = []
    for rule in plan.ruleset.rules:
        outcomes = vis.outcomes(rule)
        shows = [vis.shows(rule, s, a) for s, a in outcomes]
        work.append((rule, outcomes, shows, conj(shows), vis.visible(rule)))
    # "fires and shows everything", per rule: what a shared witness also asks of later rules.
    served = [conj([r.condition, all_show]) for r, _, _, all_show, _ in work]
    finder.register([e for r, _, sh, allv, v in work for e in (r.condition, *sh, allv, v)] + served)

    for k, (rule, outcomes, shows, all_show, visible) in enumerate(work):
        rank = plan.rule_order[rule.id]
        fires = Fact(rule.condition)
        got = finder.find([[fires, Fact(all_show)]], first=plan.witness_of.values(), create=False)
        if not isinstance(got, Found):
            # A new witness: let it serve as many later rules of the same phase as
            # can fire beside it, so that one record (and later its MC/DC
            # partners) serves them all.
            company = [Fact(e) for (r, *_), e in zip(work[k + 1:], served[k + 1:]) if r.phase == rule.phase]
            extra = _compatible(finder, [fires, Fact(all_show)], company)
            got = finder.find([[fires, Fact(all_show), *extra], [fires, Fact(visible)], [fires]])
        if not isinstance(got, Found):
            reason, undecided = plan.not_found_reason(
                got, "no valid record fires it (a dead rule: `ruleproof check` names the clash)")
            plan.gap("witness", {"rule": rule.id}, reason, undecided)
            continue
        plan.witness_of[rule.id] = got.index
        shown = [o for o, e in zip(outcomes, shows) if finder.value(got.index, e)]
        plan.assign(got.index, Purpose(
            kind="witness",
            name=f"witness-{rule.id}",
            why=f"rule {rule.id} fires" + (
                f"; the decision shows its {', '.join(_outcome_text(*o) for o in shown)}" if shown else ""),
            fields=(("rule", rule.id), ("shows", [_outcome_text(*o) for o in shown])),
            order=(rank, 0),
        ))
        # An action the first witness cannot show gets a witness of its own.
        for n, (outcome, e) in enumerate(zip(outcomes, shows)):
            if outcome in shown:
                continue
            more = finder.find([[fires, Fact(e)]])
            text = _outcome_text(*outcome)
            if not isinstance(more, Found):
                others = sorted({r.id for r in plan.ruleset.rules if r.id != rule.id
                                 for g in r.gives if outcome[1] in g.actions})
                reason, undecided = plan.not_found_reason(
                    more, f"wherever {rule.id} fires, another rule ({', '.join(others)}) already gives "
                          f"{outcome[1]} at this strength or stronger")
                plan.gap("witness", {"rule": rule.id, "shows": text}, reason, undecided)
                continue
            plan.assign(more.index, Purpose(
                kind="witness",
                name=f"witness-{rule.id}-{outcome[0]}-{outcome[1]}",
                why=f"rule {rule.id} fires and the decision shows its {text}",
                fields=(("rule", rule.id), ("shows", [text])),
                order=(rank, 1 + n),
            ))


def _compatible(finder: RecordFinder, base: list[Fact], wishes: list[Fact]) -> list[Fact]:
    """The wishes (in order) that a valid record can meet together with ``base``, greedily."""
    kept: list[Fact] = []
    if finder.satisfiable(base) != SAT:
        return kept
    for w in wishes:
        if finder.satisfiable([*base, *kept, w]) == SAT:
            kept.append(w)
    return kept


# ---------------------------------------------------------------- cells, counterexamples


def _equals(ruleset: m.Ruleset, name: str, value: Any) -> m.Expr:
    inp = ruleset.input(name)
    t = inp.type
    if value is None:  # issue 12: an unknown optional input
        return m.Not(m.Known(name, NOWHERE), NOWHERE)
    ref = m.InputRef(name, m.expr_type_of(t), NOWHERE)
    if inp.optional:
        return m.And((m.Known(name, NOWHERE), _value_fact(ruleset, name, value, ref)), NOWHERE)
    return _value_fact(ruleset, name, value, ref)


def _value_fact(ruleset: m.Ruleset, name: str, value: Any, ref: m.InputRef) -> m.Expr:
    t = ruleset.input(name).type
    if isinstance(t, m.BoolType):
        return ref if value else m.Not(ref, NOWHERE)
    if isinstance(t, m.EnumType):
        return m.Compare("==", ref, m.EnumLit(t.name, value, NOWHERE), NOWHERE)
    v = to_fraction(value)
    return m.Compare("==", ref, m.NumLit(v, v.denominator == 1, NOWHERE), NOWHERE)


def _cell_value(ruleset: m.Ruleset, name: str, shown: str) -> Any:
    if shown == "unknown" and ruleset.input(name).optional:  # issue 12: the unknown cell
        return None
    if isinstance(ruleset.input(name).type, m.BoolType):
        return shown == "true"
    return shown


def plan_checks(plan: Plan, timeout_s: float | None) -> None:
    """Covered coverage cells and counterexamples, from ``ruleproof check``'s own report."""
    finder = plan.finder
    report = check_ruleset(plan.ruleset, timeout_s=timeout_s)
    cov_rank = {c.id: k for k, c in enumerate(plan.ruleset.coverages)}
    cells = []
    for k, result in enumerate(report.results):
        if result.matrix is not None:
            for n, cell in enumerate(result.matrix.cells):
                values = [_cell_value(plan.ruleset, i, v) for i, v in zip(result.matrix.inputs, cell.values)]
                if cell.status == COVERED:
                    facts = [_equals(plan.ruleset, i, v) for i, v in zip(result.matrix.inputs, values)]
                    cells.append((result.property, result.matrix.inputs, cell, facts, n))
                elif cell.counterexample is not None:
                    _counterexample(plan, f"{result.property}: gap at {', '.join(cell.values)}",
                                    cell.counterexample, (k, n), "a coverage gap: this record gets nothing")
        if result.status == REFUTED and result.counterexample is not None and result.matrix is None:
            _counterexample(plan, result.property, result.counterexample, (k, 0), result.message)
    finder.register([f for *_, facts, _ in cells for f in facts])
    for cov_id, inputs, cell, facts, n in cells:
        got = finder.find([[Fact(f) for f in facts]])
        where = ", ".join(f"{i} = {v}" for i, v in zip(inputs, cell.values))
        if not isinstance(got, Found):
            reason, undecided = plan.not_found_reason(got, "the solver found no record for a covered cell")
            plan.gap("cell", {"coverage": cov_id, "values": list(cell.values)}, reason, undecided)
            continue
        plan.assign(got.index, Purpose(
            kind="cell",
            name=f"cell-{cov_id}-{'-'.join(cell.values)}",
            why=f"coverage {cov_id}: represents the cell {where}, served by {', '.join(cell.rules)}",
            fields=(("coverage", cov_id), ("values", list(cell.values)), ("served_by", list(cell.rules))),
            order=(cov_rank.get(cov_id, 0), n),
        ))


def _counterexample(plan: Plan, check: str, record: Mapping[str, Any], order: tuple[int, int], message: str) -> None:
    try:
        engine_form(plan.finder.ev, record)
    except RecordError as err:
        plan.gap("counterexample", {"check": check}, f"the engine cannot read the record ({err})")
        return
    index = plan.finder.add(record)
    plan.assign(index, Purpose(
        kind="counterexample",
        name=f"counterexample-{check}",
        why=f"`ruleproof check` refutes {check}: {message}",
        fields=(("check", check),),
        order=order,
    ))


def plan_examples(plan: Plan) -> None:
    """issue 12: every worked example of the ruleset is a case of its own (invalid ones are gaps)."""
    rs = plan.ruleset
    for k, ex in enumerate(rs.examples):
        given = ex.record_dict()
        record = {i.name: given.get(i.name) for i in rs.inputs}
        record = {n: (v if v is None or isinstance(v, (bool, str)) else json_value(to_fraction(v)))
                  for n, v in record.items()}
        try:
            engine_form(plan.finder.ev, record)
        except RecordError as err:
            plan.gap("example", {"example": ex.id}, f"the example is not a valid record ({err})")
            continue
        index = plan.finder.add(record)
        plan.assign(index, Purpose(
            kind="example",
            name=f"example-{ex.id}",
            why=f"worked example {ex.id} of the ruleset: {ex.title}",
            fields=(("example", ex.id),),
            order=(k,),
        ))


def plan_regressions(plan: Plan, regressions: Sequence[Mapping[str, Any]], dropped: list[str]) -> None:
    """Keep the frozen regression cases whose record is still valid (with their purposes)."""
    for k, case in enumerate(sorted(regressions, key=lambda c: str(c.get("id")))):
        try:
            engine_form(plan.finder.ev, case["record"])
        except RecordError:
            dropped.append(str(case.get("id")))
            continue
        index = plan.finder.add(case["record"])
        for p in case.get("purposes", ()):
            if p.get("kind") != "regression":
                continue
            fields = tuple((key, v) for key, v in sorted(p.items()) if key not in ("kind", "why"))
            plan.assign(index, Purpose("regression", str(case["id"]), str(p.get("why", "")), fields, (k,)))


# ---------------------------------------------------------------- assembly


def assemble(plan: Plan, confirm: int | None = None) -> tuple[Case, ...]:
    """Every pool record with a purpose, as a case with its expected decision (engine, checked by Z3).

    ``confirm``: Z3 re-derives the decision of only the first so many cases
    (in name order); None: of every case.
    """
    finder = plan.finder
    names: dict[int, str] = {}
    ordered: dict[int, list[Purpose]] = {}
    for index, purposes in plan.purposes.items():
        ordered[index] = sorted(purposes, key=Purpose.sort_key)
        names[index] = file_name(ordered[index][0].name)
    cases = []
    for index in sorted(ordered, key=names.__getitem__):
        purposes = ordered[index]
        record = finder.records[index]
        decision = finder.ev.evaluate(engine_form(finder.ev, record))
        if confirm is None or len(cases) < confirm:
            z3_decision = finder.enc.decide(record)
            if z3_decision is None or (
                tuple(decision.fired) != z3_decision.fired or decision_statuses(decision) != decision_statuses(z3_decision)
            ):
                raise EngineDisagreement(
                    f"engine and Z3 disagree on generated case {names[index]}: engine fired {list(decision.fired)}, "
                    f"Z3 {'finds the record invalid' if z3_decision is None else list(z3_decision.fired)}; record {record}")
        cases.append(Case(
            name=names[index],
            record=dict(record),
            expected=expected_json(decision),
            purposes=tuple(p.to_json(names.get(p.partner) if p.partner is not None else None) for p in purposes),
            notable=unusual_inputs(plan.ruleset, record),
        ))
    return tuple(sorted(cases, key=lambda c: c.name))


def generate(
    ruleset: m.Ruleset,
    source_text: str,
    regressions: Sequence[Mapping[str, Any]] = (),
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    step: Callable[[str], None] | None = None,
    suite: str = "auto",
) -> Suite:
    """The regression suite of ``ruleset`` (``source_text``: the rules file, fingerprinted in the manifest).

    ``step(what)`` is called as each kind of purpose starts (for a progress line).
    ``suite``: "full" (witnesses, MC/DC, values, boundaries, cells, counterexamples),
    "compact" (``verifier.cases.compact``: witnesses and boundaries), or "auto":
    compact past ``compact.FULL_LIMIT`` MC/DC pairs, full below.
    """
    say = step or (lambda what: None)
    timeout_ms = None if timeout_s is None else max(1, int(timeout_s * 1000))
    finder = RecordFinder(ruleset, Encoding(ruleset, timeout_ms))
    plan = Plan(ruleset, finder)
    compact = suite == "compact" or (suite == "auto" and compact_wanted(ruleset))
    note = ""
    if compact:
        say("witnesses and boundaries (compact suite)")
        plan_compact(plan)
        plan_examples(plan)
    else:
        say("witnesses")
        plan_witnesses(plan)
        say("MC/DC pairs")
        plan_pairs(plan)
        say("enum values")
        plan_values(plan)
        say("boundaries")
        plan_boundaries(plan)
        say("score lines and worked examples")
        plan_score_terms(plan)
        plan_examples(plan)
        say("coverage cells and counterexamples")
        plan_checks(plan, timeout_s)
    dropped: list[str] = []
    plan_regressions(plan, regressions, dropped)
    cases = assemble(plan, CONFIRM_LIMIT if compact else None)
    if compact:
        why = (f"more than {FULL_LIMIT:,} MC/DC pairs (rule x condition it reaches)" if suite == "auto"
               else "asked for with --suite compact")
        confirmed = min(CONFIRM_LIMIT, len(cases))
        note = (f"compact suite ({why}): a witness per rule and each threshold's boundaries; no MC/DC pairs, "
                f"enum values, score lines or check counterexamples (`ruleproof check` finds those; "
                f"--suite full makes them). Z3 confirmed the engine's decision on {confirmed} of {len(cases)} cases")
    return Suite(
        ruleset=ruleset.name,
        version=ruleset.version,
        source_sha256=source_digest(source_text),
        cases=cases,
        gaps=tuple(plan.gaps),
        dropped=tuple(dropped),
        queries=finder.queries,
        note=note,
    )
