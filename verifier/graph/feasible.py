"""Which answers to the derived arithmetic questions can occur together, decided by Z3.

A comparison over several inputs (``a + b >= 2``) is a yes/no question of its
own (``verifier.graph.questions``). Taken as independent bits, such questions
allow combinations no record can give: ``a + b >= 2`` yes with ``b == 0`` yes
when ``a <= 1``. A diagram built over independent bits would then draw paths
no patient can take, and a leaf on such a path could show a conflict that
``ruleproof check`` proved impossible.

``realizable`` closes that gap exactly. The derived questions are grouped by
the numeric inputs they read (two questions that share an input are in one
group); for each group Z3 lists every combination of answers (the derived
questions' yes/no and the interval of each input they read) that some values
within the inputs' domains give. Groups share no input, so a full set of
answers is given by some record exactly when each group's part is one of its
listed combinations. Their conjunction, added to the validity formula the
diagram builder prunes with, removes every impossible path and nothing else.

Z3 is imported only when a ruleset has derived questions: the liposarcoma
ruleset has none, and its diagrams need no solver.
"""

from __future__ import annotations

from typing import Any

from verifier.graph.questions import TRUE, Domains, Formulas, Question


class UndecidedPaths(RuntimeError):
    """Z3 could not decide whether some answers occur together (non-linear arithmetic)."""


def realizable(domains: Domains, f: Formulas) -> int:
    """A formula over the questions true exactly on the answer combinations some inputs give."""
    tests = [k for k, q in enumerate(domains.questions) if q.kind == "test"]
    if not tests:
        return TRUE
    from verifier.solver.encoding import Encoding  # Z3, only when needed

    enc = Encoding(domains.ruleset)
    reads = {k: domains.inputs_of(domains.tests[domains.questions[k].name]) for k in tests}
    formula = TRUE
    for group in _groups(tests, reads):
        inputs = sorted({name for k in group for name in reads[k]}, key=lambda n: domains.index[n])
        pieces = [domains.index[n] for n in inputs if domains.questions[domains.index[n]].kind == "number"]
        formula = f.conj([formula, _combinations(enc, domains, f, group, pieces)])
    return formula


def _groups(tests: list[int], reads: dict[int, list[str]]) -> list[list[int]]:
    """Derived questions linked (transitively) by a shared input, in question order."""
    groups: list[tuple[set[str], list[int]]] = []
    for k in tests:
        names = set(reads[k])
        joined = [g for g in groups if g[0] & names]
        for g in joined:
            groups.remove(g)
            names |= g[0]
        members = sorted([k, *(m for g in joined for m in g[1])])
        groups.append((names, members))
    return sorted((g[1] for g in groups), key=lambda ks: ks[0])


def _combinations(enc: Any, domains: Domains, f: Formulas, tests: list[int], pieces: list[int]) -> int:
    """All-SAT over one group: the disjunction of its possible answer combinations."""
    import z3

    lits: dict[int, list[Any]] = {}
    for k in tests:
        t = enc.term(domains.tests[domains.questions[k].name])
        lits[k] = [z3.Not(t), t]
    for k in pieces:
        lits[k] = [_inside(enc, domains.questions[k], piece) for piece in domains.questions[k].values]
    asked = sorted(lits)
    cubes: list[int] = []
    enc.solver.push()
    try:
        while True:
            verdict = enc.solver.check()  # input domains only: constraints are in the validity formula
            if verdict == z3.unsat:
                break
            if verdict != z3.sat:
                raise UndecidedPaths(
                    "the solver could not decide which answers to "
                    + ", ".join(domains.questions[k].name for k in tests)
                    + " occur together"
                )
            model = enc.solver.model()
            answers = {k: _answer(model, lits[k]) for k in asked}
            cubes.append(f.conj([f.atom(k, 1 << a) for k, a in answers.items()]))
            enc.solver.add(z3.Not(z3.And([lits[k][a] for k, a in answers.items()])))
    finally:
        enc.solver.pop()
    return f.disj(cubes)


def _answer(model: Any, options: list[Any]) -> int:
    import z3

    for a, lit in enumerate(options):
        if z3.is_true(model.eval(lit, model_completion=True)):
            return a
    raise AssertionError("answers of a question cover its domain")


def _inside(enc: Any, q: Question, piece: Any) -> Any:
    """The Z3 literal "input ``q`` lies in ``piece``"."""
    import z3

    assert q.input is not None
    var = enc.inputs[q.input]
    lo, hi = enc._num(piece.lo), enc._num(piece.hi)
    return z3.And(var >= lo if piece.lo_closed else var > lo, var <= hi if piece.hi_closed else var < hi)
