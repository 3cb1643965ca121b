"""The exported ELM, run by cql-execution (the reference JavaScript CQL engine), fires exactly the rules ruleproof fires.

Every committed generated case and a modest number of Hypothesis records per
ruleset; `benchmarks/bench_fhir.py` runs the same comparison on >= 10,000
records. A difference names the record and the rule.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import dsl
from engine import compile_ruleset, load_record_json
from tests.conftest import REPO
from tests.verifier_helpers import rule, ruleset
from verifier.cases.strategies import valid_records
from verifier.fhir.cql_engine import CqlEngineMissing, compare, run_elm, run_library, translate_cql
from verifier.fhir.faithful import RecordOutsideCql, record_parameters
from verifier.fhir.library import build_library

# Exercises what the liposarcoma ruleset does not: decimal and integer
# arithmetic (each kept within CQL's 8 decimal places), unary minus, iff,
# "not in", enum on the right, a decimal sum that doubles get wrong.
ARITH = ruleset("""
input dose: real [0, 50.5]
input weight: real [2.5, 150]
input age: int [0, 110]
input arm: enum {left, right, none}
input pregnant: bool
input frail: bool
define per_kg = dose * 2 - weight + 0.25
define elderly = age >= 65
define heavy = weight > 100.25
action low: systemic "Low dose"
action high: systemic "High dose"
action watch: surveillance "Watch"
action cut: surgery "Cut"
constraint C1 "children are light": age < 12 implies weight <= 60
""" + rule("r_high", "per_kg > 10 and not elderly", "recommend high", "consider low")
    + rule("r_low", "per_kg <= 10 and -age < -18 or frail", "recommend low")
    + rule("r_choice", "arm not in {none} and (pregnant iff frail)", "recommend one of {cut, watch}")
    + rule("r_left", "left == arm and heavy", "consider cut", "avoid high")
    + rule("r_product", "age * 2 + 1 > weight and dose != 0", "consider watch")
    + rule("r_sum", "dose + weight == 3.3 or -(dose - 1.5) * 3 >= age", "consider watch"), "<arith>")

HYPOTHESIS_RECORDS = {"liposarcoma": 150, "arith": 150}


def _require_engine() -> None:
    try:
        run_library(build_library(ARITH), [])
    except CqlEngineMissing as err:  # set-up is part of the suite: `make test` runs `npm ci`
        pytest.fail(f"{err} (or run `make setup`)")


def _hypothesis_records(rs: dsl.Ruleset, n: int) -> list[dict[str, Any]]:
    ev = compile_ruleset(rs)
    got: list[dict[str, Any]] = []

    @settings(max_examples=n, suppress_health_check=list(HealthCheck))
    @given(valid_records(rs))
    def collect(record: dict[str, Any]) -> None:
        got.append(ev.validate(load_record_json(json.dumps(record))))

    collect()
    return got


def _assert_agree(rs: dsl.Ruleset, labelled: list[tuple[str, Any]]) -> None:
    ag = compare(rs, compile_ruleset(rs), build_library(rs), labelled)
    assert ag.records == len(labelled)
    assert not ag.disagreements, "\n".join(str(d) for d in ag.disagreements[:20])


def test_every_generated_case_agrees(lipo_ruleset: dsl.Ruleset, lipo_evaluator: Any) -> None:
    _require_engine()
    paths = sorted((REPO / "generated_cases" / "liposarcoma" / "cases").glob("*.json"))
    assert len(paths) > 300
    labelled = []
    for p in paths:
        case = json.loads(p.read_text(encoding="utf-8"))
        labelled.append((case["id"], lipo_evaluator.validate(load_record_json(json.dumps(case["record"])))))
    _assert_agree(lipo_ruleset, labelled)


@pytest.mark.parametrize("name", sorted(HYPOTHESIS_RECORDS))
def test_hypothesis_records_agree(name: str, lipo_ruleset: dsl.Ruleset) -> None:
    _require_engine()
    rs = lipo_ruleset if name == "liposarcoma" else ARITH
    records = _hypothesis_records(rs, HYPOTHESIS_RECORDS[name])
    assert len(records) == HYPOTHESIS_RECORDS[name]
    _assert_agree(rs, [(f"hypothesis #{k}", r) for k, r in enumerate(records)])


def test_decimal_sums_are_exact_in_cql_execution_too() -> None:
    """0.1 + 0.2 is 0.3: true for ruleproof, and for cql-execution thanks to the Round the export adds."""
    _require_engine()
    rs = ruleset("input a: real [0, 10]\ninput b: real [0, 10]\naction act: surgery \"Act\"\n"
                 + rule("r_exact", "a + b == 0.3", "recommend act"))
    ev = compile_ruleset(rs)
    rec = ev.validate(load_record_json('{"a": 0.1, "b": 0.2}'))
    assert ev.evaluate(rec).fired == ("r_exact",)
    lib = build_library(rs)
    assert 'Round("a" + "b", 8) = 0.3' in lib.cql
    _assert_agree(rs, [("0.1 + 0.2", rec)])
    # Without the Round, the doubles of the JavaScript engine miss it: the Round is what makes the export faithful.
    raw = copy.deepcopy(lib.elm)
    for d in raw["library"]["statements"]["def"]:
        if d["name"] == "Rule r_exact":
            d["expression"]["operand"][0] = d["expression"]["operand"][0]["operand"]
    [res] = run_library(type(lib)(lib.name, lib.version, lib.parameters, lib.defines, lib.cql, raw),
                        [record_parameters(rs, rec)])
    assert res["results"]["Rule r_exact"] is False


def test_a_wrong_translation_is_caught_naming_record_and_rule(lipo_ruleset: dsl.Ruleset, lipo_evaluator: Any) -> None:
    """The comparison is not vacuous: `size_cm > 5` turned into `>=` is found on the 5.0 cm boundary case."""
    _require_engine()
    lib = build_library(lipo_ruleset)
    elm = copy.deepcopy(lib.elm)
    text = json.dumps(elm).replace('{"type": "Greater", "operand": [{"type": "ParameterRef", "name": "size_cm"}',
                                   '{"type": "GreaterOrEqual", "operand": [{"type": "ParameterRef", "name": "size_cm"}')
    assert text != json.dumps(elm)
    broken = type(lib)(lib.name, lib.version, lib.parameters, lib.defines, lib.cql, json.loads(text))
    paths = sorted((REPO / "generated_cases" / "liposarcoma" / "cases").glob("*size_cm*.json"))
    labelled = [(p.stem, lipo_evaluator.validate(load_record_json(json.dumps(json.loads(p.read_text())["record"]))))
                for p in paths]
    ag = compare(lipo_ruleset, lipo_evaluator, broken, labelled)
    assert ag.disagreements
    d = ag.disagreements[0]
    assert d.subject.startswith("rule ") and d.record["size_cm"] == 5
    assert d.label in str(d) and '"size_cm": 5' in str(d)


def test_records_beyond_cql_decimal_are_refused(lipo_ruleset: dsl.Ruleset, lipo_evaluator: Any) -> None:
    case = json.loads(sorted((REPO / "generated_cases" / "liposarcoma" / "cases").glob("*.json"))[0].read_text())
    rec = dict(lipo_evaluator.validate(load_record_json(json.dumps(case["record"]))))
    rec["size_cm"] = load_record_json("5.000000001")
    with pytest.raises(RecordOutsideCql, match="size_cm"):
        record_parameters(lipo_ruleset, rec)


def test_the_readme_example_ruleset_agrees(tmp_path: Path) -> None:
    """The README's wound-care ruleset (phases, avoid, real threshold) exports and agrees on Hypothesis records."""
    _require_engine()
    import re

    text = (REPO / "README.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```rules\n(.*?)```", text, flags=re.S)
    rs = dsl.parse_ruleset(block, "wound.rules")
    records = _hypothesis_records(rs, 60)
    _assert_agree(rs, [(f"hypothesis #{k}", r) for k, r in enumerate(records)])


# ---------------------------------------------------------------- the CQL text, through the reference translator


def _translated(rs: dsl.Ruleset) -> dict[str, Any]:
    tr = translate_cql(build_library(rs).cql)
    assert not tr.errors, "\n".join(tr.errors)
    assert tr.elm is not None
    return tr.elm


def _same_defines(rs: dsl.Ruleset, records: list[Any]) -> None:
    """Our ELM and the translator's ELM of our CQL text give every define the same value on every record."""
    ours = build_library(rs)
    params = [record_parameters(rs, r) for r in records]
    mine, theirs = run_library(ours, params), run_elm(_translated(rs), params)
    names = [d.name for d in ours.defines]
    for k, (a, b) in enumerate(zip(mine, theirs)):
        assert "error" not in a and "error" not in b, (a, b)
        diff = [n for n in names if a["results"].get(n) != b["results"].get(n)]
        assert not diff, f"record {k}: the CQL text and the ELM differ on {diff[:5]}"
        assert all(a["results"].get(n) is not None for n in names)


def test_cql_text_compiles_and_means_the_elm_on_every_generated_case(lipo_ruleset: dsl.Ruleset,
                                                                   lipo_evaluator: Any) -> None:
    _require_engine()
    paths = sorted((REPO / "generated_cases" / "liposarcoma" / "cases").glob("*.json"))
    records = [lipo_evaluator.validate(load_record_json(json.dumps(json.loads(p.read_text())["record"])))
               for p in paths]
    _same_defines(lipo_ruleset, records)


def test_cql_text_of_the_arithmetic_ruleset_means_the_elm() -> None:
    _require_engine()
    _same_defines(ARITH, _hypothesis_records(ARITH, 80))


def test_the_translator_rejects_what_is_not_cql() -> None:
    """The translator check is not vacuous: a misspelt parameter is an error with its line."""
    _require_engine()
    cql = build_library(ARITH).cql.replace('define "elderly":\n  "age"', 'define "elderly":\n  "agee"')
    tr = translate_cql(cql)
    assert tr.elm is None and any("agee" in e for e in tr.errors)
