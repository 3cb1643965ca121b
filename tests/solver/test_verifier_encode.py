"""The Z3 encoding: the semantics of each construct, on records fixed by hand."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from tests.verifier_helpers import rule, ruleset
from verifier.solver.encoding import SAT, UNSAT, Encoding
from verifier.facts.values import default_value, exact_decimal, is_json_exact, json_value

SMALL = """
input size: real [0.1, 100]
input n: int [0, 10]
input grp: enum {alpha, beta, gamma}
input flag: bool
define big = size > 5
define score = n * 2 - 1
action a: surgery "A"
action b: surgery "B"
action c: systemic "C"
constraint C1 "alpha is small": grp == alpha implies not big
""" + rule("r_big", "big", "recommend a") + rule("r_score", "score >= 3 and grp in {beta, gamma}", "consider a", "consider b") \
    + rule("r_flag", "flag iff grp != gamma", "recommend one of {b, c}") + rule("r_avoid", "n == 0", "avoid c")


@pytest.fixture(scope="module")
def enc() -> Encoding:
    return Encoding(ruleset(SMALL))


def record(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"size": 1, "n": 0, "grp": "beta", "flag": False}
    base.update(kw)
    return base


def test_exact_threshold(enc: Encoding) -> None:
    # 5.0 is not > 5; the next hundredth is.
    assert "r_big" not in enc.decide(record(size=5)).fired
    assert "r_big" in enc.decide(record(size=5.01)).fired
    assert "r_big" in enc.decide(record(size=Decimal("5.000000001"))).fired


def test_arithmetic_and_membership(enc: Encoding) -> None:
    assert "r_score" not in enc.decide(record(n=1)).fired  # 1 * 2 - 1 = 1
    assert "r_score" in enc.decide(record(n=2)).fired  # 3 >= 3
    assert "r_score" not in enc.decide(record(n=2, grp="alpha")).fired


def test_iff_and_enum_inequality(enc: Encoding) -> None:
    assert "r_flag" in enc.decide(record(flag=True, grp="beta")).fired
    assert "r_flag" in enc.decide(record(flag=False, grp="gamma")).fired
    assert "r_flag" not in enc.decide(record(flag=True, grp="gamma")).fired


def test_statuses(enc: Encoding) -> None:
    # r_big recommends a; r_score considers a and b: a is recommended only, b considered.
    d = enc.decide(record(size=50, n=3, flag=True))
    assert d.fired == ("r_big", "r_score", "r_flag")
    assert d.recommended == {"a", "b", "c"}  # "one of {b, c}" gives each
    assert d.considered == frozenset()
    d = enc.decide(record(size=1, n=3, flag=True))
    assert d.recommended == {"b", "c"} and d.considered == {"a"}
    d = enc.decide(record(n=0, flag=True))
    assert d.avoided == {"c"} and "c" in d.recommended


def test_invalid_record_is_none(enc: Encoding) -> None:
    assert enc.decide(record(grp="alpha", size=6)) is None  # C1
    assert enc.decide(record(grp="alpha", size=5)) is not None


def test_model_round_trip(enc: Encoding) -> None:
    ans = enc.check(enc.fires["r_big"], enc.fires["r_score"])
    assert ans.status == SAT and ans.model is not None
    rec = enc.record_from_model(ans.model)
    assert set(rec) == {"size", "n", "grp", "flag"}
    assert isinstance(rec["size"], Fraction) and rec["size"] > 5
    assert enc.decide(rec) == enc.decision(ans.model)


def test_unsat_core_names_constraints(enc: Encoding) -> None:
    alpha = enc.equals("grp", "alpha")
    why = enc.explain_unsat([("grp == alpha", alpha), ("big", enc.definitions["big"])])
    assert why == (("C1",), ("grp == alpha", "big"))
    assert enc.check(alpha, enc.definitions["big"]).status == UNSAT
    # Without C1 the same query is satisfiable.
    assert enc.check(alpha, enc.definitions["big"], without_constraints=["C1"]).status == SAT


def test_defaults_are_in_range() -> None:
    rs = ruleset(SMALL)
    assert [default_value(i) for i in rs.inputs] == [1, 0, "alpha", False]


def test_json_values_are_exact() -> None:
    assert json_value(Fraction(11, 2)) == 5.5
    assert json_value(Fraction(1, 10)) == 0.1 and Decimal(repr(json_value(Fraction(1, 10)))) == Decimal("0.1")
    assert json_value(Fraction(6, 3)) == 2 and isinstance(json_value(Fraction(6, 3)), int)
    assert exact_decimal(Fraction(1, 8)) == Decimal("0.125")
    assert not is_json_exact(Fraction(1, 3))
    with pytest.raises(ValueError):
        exact_decimal(Fraction(1, 3))


def test_enum_literal_on_the_left() -> None:
    rs = ruleset("""
input grp: enum {alpha, beta}
action a: misc "A"
""" + rule("r", "alpha == grp and grp not in {beta}", "recommend a"))
    e = Encoding(rs)
    assert e.decide({"grp": "alpha"}).fired == ("r",)  # type: ignore[union-attr]
    assert e.decide({"grp": "beta"}).fired == ()  # type: ignore[union-attr]
