"""`ruleproof import dmn` / `export dmn`: hit-policy semantics, round trips proved by diff, located errors."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import dsl
from engine import compile_ruleset
from tests.conftest import LIPO_RULES
from verifier.cli import cli
from verifier.dmn import DmnError, read_dmn, read_dmn_file, translate
from verifier.dmn.export import ExportError, export_dmn
from verifier.dmn.feel import matches

TCK2 = Path(__file__).parent / "tck" / "compliance-level-2"
MODELS = sorted(next(p.glob("*.dmn")) for p in TCK2.iterdir() if p.is_dir())


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# ---------------------------------------------------------------- an independent reference evaluator


def reference(model, values: dict) -> dict:  # type: ignore[no-untyped-def]
    """DMN semantics computed directly from the tables, without rules: what the translation must agree with."""
    results: dict = {}
    for d in model.decisions:
        t = d.table
        cols = [o.name or d.name for o in t.outputs]
        env = {**values, **results}

        def arg(expr: str):  # type: ignore[no-untyped-def]
            if expr in env:
                return env[expr]
            head, _, tail = expr.partition(".")
            v = env.get(head)
            return v.get(tail) if isinstance(v, dict) else None

        hits = [r for r in t.rows if all(matches(tests, arg(c.expr)) for c, tests in zip(t.inputs, r.inputs))]
        shape = (lambda o: o[0]) if len(cols) == 1 else (lambda o: dict(zip(cols, o)))
        if t.hit_policy == "U":
            res = shape(hits[0].outputs) if len(hits) == 1 else None
        elif t.hit_policy == "A":
            res = shape(hits[0].outputs) if hits and len({h.outputs for h in hits}) == 1 else None
        elif t.hit_policy == "F":
            res = shape(hits[0].outputs) if hits else None
        elif t.hit_policy in "PO":
            pri = [c for c, o in enumerate(t.outputs) if o.values]

            def key(r):  # type: ignore[no-untyped-def]
                return tuple(t.outputs[c].values.index(r.outputs[c]) for c in pri)

            ordered = sorted(hits, key=key)  # stable: ties keep rule order
            res = (shape(ordered[0].outputs) if ordered else None) if t.hit_policy == "P" else [shape(h.outputs) for h in ordered]
        elif t.aggregation in ("MIN", "MAX"):
            vals = [h.outputs[0] for h in hits]
            res = (min(vals) if t.aggregation == "MIN" else max(vals)) if vals else None
        elif t.aggregation == "SUM":
            res = sum((h.outputs[0] for h in hits), Fraction(0)) if hits else None
        elif t.aggregation == "COUNT":
            res = Fraction(len(hits))
        else:  # R and C: rule order
            res = [shape(h.outputs) for h in hits]
        results[d.name] = res
    return results


def sample_values(model) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every combination of each input's interesting values: literals, their neighbours, other strings."""
    per_input = []
    for i in model.inputs:
        lits = {t.value for d in model.decisions for c, col in enumerate(d.table.inputs) if col.expr == i.name
                for r in d.table.rows for t in r.inputs[c].tests if hasattr(t, "value")}
        if i.type.base == "number":
            nums = {v for v in lits if isinstance(v, Fraction)}
            vals = sorted({n + dlt for n in nums for dlt in (-1, 0, 1)} | {Fraction(0)})
        elif i.type.base == "boolean":
            vals = [True, False]
        else:
            vals = sorted(v for v in lits if isinstance(v, str)) + ["zzz-unlisted"]
        per_input.append((i.name, vals))
    names = [n for n, _ in per_input]
    return [dict(zip(names, combo)) for combo in itertools.product(*(v for _, v in per_input))]


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_engine_agrees_with_the_reference_semantics(path: Path) -> None:
    model = read_dmn_file(str(path))
    tr = translate(model)
    ev = compile_ruleset(dsl.parse_ruleset(tr.text))
    for values in sample_values(model):
        if any(isinstance(v, str) and v == "zzz-unlisted" and tr.variables[k].other is None for k, v in values.items()):
            continue  # outside an input's allowed values: not a valid record
        given = {r.action for r in ev.evaluate(ev.validate(tr.record(values))).recommendations}
        expected = reference(model, values)
        for d in model.decisions:
            assert tr.result(d.name, given) == expected[d.name], (path.stem, values, d.name)


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("path", [p for p in MODELS if "0118" in p.stem or "0004" in p.stem or "0119" in p.stem],
                         ids=lambda p: p.stem)
def test_import_export_import_is_proved_unchanged(path: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.rules"
    assert run("import", "dmn", str(path), "-o", str(first)).exit_code == 0
    out = tmp_path / "back.dmn"
    assert run("export", "dmn", str(first), "-o", str(out)).exit_code == 0
    second = tmp_path / "second.rules"
    assert run("import", "dmn", str(out), "-o", str(second)).exit_code == 0
    res = run("diff", str(first), str(second), "--fail-on-change")
    assert res.exit_code == 0, res.output
    assert "UNCHANGED (proved)" in res.output


def test_liposarcoma_round_trip_keeps_every_patients_advice(tmp_path: Path) -> None:
    out = tmp_path / "lipo.dmn"
    assert run("export", "dmn", str(LIPO_RULES), "-o", str(out)).exit_code == 0
    back = tmp_path / "lipo.rules"
    assert run("import", "dmn", str(out), "-o", str(back)).exit_code == 0
    res = run("diff", str(LIPO_RULES), str(back), "--fail-on-change")
    assert res.exit_code == 0, res.output


def test_a_changed_exported_cell_is_seen_by_diff(tmp_path: Path) -> None:
    first = tmp_path / "first.rules"
    run("import", "dmn", str(MODELS[0]), "-o", str(first))
    dmn = export_dmn(dsl.load_ruleset(first)).replace("<text>&gt;= 18</text>", "<text>&gt;= 21</text>", 1)
    assert "&gt;= 21" in dmn
    tr = translate(read_dmn(dmn.encode(), "x.dmn"))
    second = tmp_path / "second.rules"
    second.write_text(tr.text)
    res = run("diff", str(first), str(second), "--fail-on-change")
    assert res.exit_code == 1, res.output


def test_export_refuses_what_a_cell_cannot_hold() -> None:
    text = ('ruleset t version "1"\nsource s "S"\ninput a: int [0, 10]\ninput b: int [0, 10]\n'
            'action go: k "Go"\nrule r "R" when a + b > 3 recommend go category 1 sources [s]\n')
    with pytest.raises(ExportError, match="rule r"):
        export_dmn(dsl.parse_ruleset(text))


# ---------------------------------------------------------------- errors


def dmn_doc(table_body: str, extra: str = "") -> str:
    return f"""<?xml version="1.0"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="m" id="m" namespace="x">
  <inputData id="i1" name="Age"><variable name="Age" typeRef="number"/></inputData>{extra}
  <decision id="d1" name="Out">
    <decisionTable hitPolicy="UNIQUE">
      <input><inputExpression typeRef="number"><text>Age</text></inputExpression></input>
      <output name="o"/>
{table_body}
    </decisionTable>
  </decision>
</definitions>
"""


def test_a_function_call_in_a_cell_is_located(tmp_path: Path) -> None:
    p = tmp_path / "bad.dmn"
    p.write_text(dmn_doc('      <rule><inputEntry><text>date("2020-01-01")</text></inputEntry><outputEntry><text>"a"</text></outputEntry></rule>'))
    res = run("import", "dmn", str(p))
    assert res.exit_code == 2
    assert f"{p}:8:" in res.output and "function call date" in res.output
    assert "Traceback" not in res.output


def test_a_literal_expression_decision_is_refused_with_its_line(tmp_path: Path) -> None:
    extra = '\n  <decision id="d2" name="Lit"><literalExpression><text>Age + 1</text></literalExpression></decision>'
    p = tmp_path / "lit.dmn"
    p.write_text(dmn_doc('      <rule><inputEntry><text>-</text></inputEntry><outputEntry><text>"a"</text></outputEntry></rule>', extra))
    res = run("import", "dmn", str(p))
    assert res.exit_code == 2 and f"{p}:4:" in res.output and "literalExpression" in res.output


def test_broken_xml_and_missing_files_are_bad_input(tmp_path: Path) -> None:
    p = tmp_path / "broken.dmn"
    p.write_text("<definitions><oops></definitions>")
    assert run("import", "dmn", str(p)).exit_code == 2
    assert run("import", "dmn", str(tmp_path / "none.dmn")).exit_code == 2
    with pytest.raises(DmnError, match="not a DMN"):
        read_dmn(b"<html/>", "x")


def test_unique_overlap_gives_no_result_and_check_finds_it(tmp_path: Path) -> None:
    body = ('      <rule><inputEntry><text>&gt;= 18</text></inputEntry><outputEntry><text>"adult"</text></outputEntry></rule>\n'
            '      <rule><inputEntry><text>[10..20]</text></inputEntry><outputEntry><text>"teen"</text></outputEntry></rule>')
    tr = translate(read_dmn(dmn_doc(body).encode(), "u.dmn"))
    ev = compile_ruleset(dsl.parse_ruleset(tr.text))
    for age, want in ((Fraction(19), None), (Fraction(25), "adult"), (Fraction(12), "teen"), (Fraction(5), None)):
        given = {r.action for r in ev.evaluate(ev.validate(tr.record({"Age": age}))).recommendations}
        assert tr.result("Out", given) == want
    rules = tmp_path / "u.rules"
    rules.write_text(tr.text)
    assert run("check", str(rules)).exit_code == 1  # the overlap leaves records without a result


DRG = """<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" name="drg" id="drg" namespace="x">
  <itemDefinition name="tTier"><typeRef>feel:string</typeRef><allowedValues><text>"gold","silver","none"</text></allowedValues></itemDefinition>
  <inputData id="i1" name="Age"><variable name="Age" typeRef="feel:number"/></inputData>
  <inputData id="i2" name="Tier"><variable name="Tier" typeRef="tTier"/></inputData>
  <decision id="d2" name="Price">
    <decisionTable hitPolicy="FIRST">
      <input><inputExpression typeRef="string"><text>Band</text></inputExpression></input>
      <input><inputExpression typeRef="string"><text>Tier</text></inputExpression></input>
      <output name="p"/>
      <rule><inputEntry><text>"minor"</text></inputEntry><inputEntry><text>-</text></inputEntry><outputEntry><text>5</text></outputEntry></rule>
      <rule><inputEntry><text>-</text></inputEntry><inputEntry><text>"gold"</text></inputEntry><outputEntry><text>7.5</text></outputEntry></rule>
      <rule><inputEntry><text>not("senior")</text></inputEntry><inputEntry><text>-</text></inputEntry><outputEntry><text>10</text></outputEntry></rule>
      <rule><inputEntry><text>null</text></inputEntry><inputEntry><text>-</text></inputEntry><outputEntry><text>0</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="d1" name="Band">
    <decisionTable hitPolicy="PRIORITY">
      <input><inputExpression typeRef="number"><text>Age</text></inputExpression></input>
      <output name="b"><outputValues><text>"minor","adult","senior"</text></outputValues></output>
      <rule><inputEntry><text>[0..18)</text></inputEntry><outputEntry><text>"minor"</text></outputEntry></rule>
      <rule><inputEntry><text>&gt;= 16</text></inputEntry><outputEntry><text>"adult"</text></outputEntry></rule>
      <rule><inputEntry><text>&gt;= 65</text></inputEntry><outputEntry><text>"senior"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_a_requirement_graph_reads_upstream_results_exactly() -> None:
    model = read_dmn(DRG.encode(), "drg.dmn")
    assert [d.name for d in model.decisions] == ["Band", "Price"]  # dependency order
    tr = translate(model)
    assert "Band__is__minor" in tr.text
    ev = compile_ruleset(dsl.parse_ruleset(tr.text))
    ages = [Fraction(v) for v in (-5, 0, 10, 16, 17, 18, 30, 65, 70)]
    seen = set()
    for age, tier in itertools.product(ages, ["gold", "silver", "none"]):
        values = {"Age": age, "Tier": tier}
        given = {r.action for r in ev.evaluate(ev.validate(tr.record(values))).recommendations}
        expected = reference(model, values)
        for name in ("Band", "Price"):
            assert tr.result(name, given) == expected[name], (values, name)
        seen.add(expected["Price"])
    assert seen == {Fraction(5), Fraction("7.5"), Fraction(10), Fraction(0)}  # every row decides somewhere
