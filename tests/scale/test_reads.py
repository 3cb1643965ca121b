"""dsl.dependencies at table depth: the walk without recursion, and ReadsIndex against reads."""

from __future__ import annotations

import pytest

from dsl import check_text
from dsl.dependencies import ReadsIndex, reads
from tests.scale.tables import table


def _chain(n: int) -> str:
    lines = ['ruleset chain version "1"', 'source s "s"', "input size: int [0, 10]", "input flag: bool",
             'action a: decision "a"', "define d1 = size > 1"]
    lines += [f"define d{k} = d{k - 1} or size > {k % 10}" for k in range(2, n + 1)]
    lines += [f'rule r1 "r"\n  when d{n} and flag\n  recommend a category 1 sources [s]']
    return "\n".join(lines) + "\n"


def test_reads_follows_a_chain_deeper_than_the_recursion_limit() -> None:
    rs, _ = check_text(_chain(2500), "chain.rules")
    r = reads(rs.rules[0].condition, rs)
    assert r.inputs == ("size", "flag")
    assert len(r.definitions) == 2500
    assert r.definitions[0] == "d2500" and r.definitions[-1] == "d1"  # where first referenced, depth first


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reads_index_agrees_with_reads_on_every_rule_and_definition(seed: int) -> None:
    rs = table(12, 5, perturb=0.3, seed=seed)
    index = ReadsIndex(rs)
    exprs = [r.condition for r in rs.rules] + [r.when for r in rs.rules] + [d.expr for d in rs.definitions]
    for e in exprs:
        r = reads(e, rs)
        assert index.read(e) == (frozenset(r.inputs), frozenset(r.known))


def test_reads_index_on_liposarcoma() -> None:
    from dsl import load_ruleset

    rs = load_ruleset("rulesets/liposarcoma.rules")
    index = ReadsIndex(rs)
    for e in [r.condition for r in rs.rules] + [c.expr for c in rs.constraints]:
        r = reads(e, rs)
        assert index.read(e) == (frozenset(r.inputs), frozenset(r.known))


def test_decision_view_formulas_follow_a_chain_deeper_than_the_recursion_limit() -> None:
    """The decision view converts each definition once, innermost first: a chain of
    1,500 definitions (an imported table's guard) converts without RecursionError,
    to the formula of the whole disjunction."""
    import dsl
    from dsl import model as m
    from verifier.graph.questions import Domains, Formulas

    n = 1500
    lines = ['ruleset chain version "1"', "input v: int [0, 2000]", "action a: test \"A\"", "define d0 = v > 0"]
    lines += [f"define d{k} = d{k - 1} or v > {k}" for k in range(1, n)]
    lines += [f'rule r "r" when d{n - 1} recommend a category 1 sources [s]', 'source s "S"']
    rs = dsl.parse_ruleset("\n".join(lines) + "\n")
    f = Formulas(Domains(rs))
    chain = rs.rules[0].condition
    assert isinstance(chain, m.DefRef) and chain.name == f"d{n - 1}"
    assert f.of(chain) == f.of(rs.definition("d0").expr)  # v > 0 or v > 1 or ... is v > 0
