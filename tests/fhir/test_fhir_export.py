"""`ruleproof export fhir`: valid R4 resources, the documented shape, byte-identical output, clear refusals."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fhir.resources.R4B.activitydefinition import ActivityDefinition
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.library import Library
from fhir.resources.R4B.plandefinition import PlanDefinition
from fhir.resources.R4B.requestgroup import RequestGroup
from fhir.resources.R4B.servicerequest import ServiceRequest

import dsl
from tests.conftest import LIPO_RULES, REPO
from tests.verifier_helpers import rule, ruleset
from verifier.cli import cli
from verifier.fhir.export import export_fhir
from verifier.fhir.faithful import UnfaithfulError
from verifier.fhir.grading import EVIDENCE, strength_code
from verifier.fhir.library import build_library

MODELS = {"Library": Library, "PlanDefinition": PlanDefinition, "ActivityDefinition": ActivityDefinition,
          "CodeSystem": CodeSystem, "Bundle": Bundle, "CarePlan": CarePlan, "RequestGroup": RequestGroup,
          "ServiceRequest": ServiceRequest}


@pytest.fixture(scope="module")
def lipo_export(lipo_ruleset: dsl.Ruleset) -> Any:
    return export_fhir(lipo_ruleset)


def _by_type(export: Any, rtype: str) -> list[dict[str, Any]]:
    return [r for r in export.resources if r["resourceType"] == rtype]


def _leaves(action: dict[str, Any]) -> list[dict[str, Any]]:
    kids = action.get("action", [])
    return [action] if not kids else [leaf for k in kids for leaf in _leaves(k)]


def test_every_resource_and_the_bundle_validate_as_fhir_r4(lipo_export: Any) -> None:
    for r in lipo_export.resources:
        model = MODELS[r["resourceType"]].model_validate(r)
        assert model.id == r["id"]
    b = Bundle.model_validate(lipo_export.bundle)
    assert b.type == "transaction"
    assert [e.resource.id for e in b.entry] == [r["id"] for r in lipo_export.resources]
    assert all(e.request.method == "PUT" for e in b.entry)


def test_plan_definition_has_one_action_per_rule_grouped_by_phase(lipo_ruleset: dsl.Ruleset, lipo_export: Any) -> None:
    [plan] = _by_type(lipo_export, "PlanDefinition")
    assert plan["type"]["coding"][0]["code"] == "eca-rule"
    phases = {p.name for p in lipo_ruleset.phases}
    rule_actions = []
    for group in plan["action"]:
        if group["id"] in phases:
            assert group["condition"][0]["expression"]["expression"] == group["id"]
            rule_actions += [(group["id"], a) for a in group["action"]]
        else:
            rule_actions.append((None, group))
    assert [a["id"] for _, a in rule_actions] == [r.id for r in lipo_ruleset.rules]
    for phase, a in rule_actions:
        r = lipo_ruleset.rule(a["id"])
        assert phase == r.phase
        [cond] = a["condition"]
        assert cond["kind"] == "applicability"
        assert cond["expression"] == {"language": "text/cql-identifier", "expression": f"Rule {r.id}"}
        assert len(a["action"]) == len(r.gives)


def test_conditions_and_definitions_resolve(lipo_export: Any) -> None:
    [plan] = _by_type(lipo_export, "PlanDefinition")
    [lib] = _by_type(lipo_export, "Library")
    elm_defines = {d["name"] for d in lipo_export.library.elm["library"]["statements"]["def"]}
    activities = {f"{a['url']}|{a['version']}": a for a in _by_type(lipo_export, "ActivityDefinition")}
    assert plan["library"] == [f"{lib['url']}|{lib['version']}"]
    leaves = [leaf for a in plan["action"] for leaf in _leaves(a)]
    for group in plan["action"]:
        for a in [group, *group.get("action", [])]:
            for c in a.get("condition", []):
                assert c["expression"]["expression"] in elm_defines
    assert leaves
    for leaf in leaves:
        act = activities[leaf["definitionCanonical"]]
        assert act.get("doNotPerform", False) == leaf["title"].startswith("Do not: ")
        assert {e["url"].rsplit("-", 1)[1] for e in leaf["extension"]} == {"strengthOfRecommendation",
                                                                           "qualityOfEvidence"}


def test_avoid_lines_point_at_do_not_perform_activities(lipo_ruleset: dsl.Ruleset, lipo_export: Any) -> None:
    avoided = {a for r in lipo_ruleset.rules for g in r.gives if g.strength == "avoid" for a in g.actions}
    assert avoided  # the liposarcoma ruleset does say avoid
    acts = {a["id"]: a for a in _by_type(lipo_export, "ActivityDefinition")}
    for action in lipo_ruleset.actions:
        slug = action.id.replace("_", "-")
        assert f"liposarcoma-{slug}" in acts and "doNotPerform" not in acts[f"liposarcoma-{slug}"]
        assert (f"liposarcoma-{slug}-avoid" in acts) == (action.id in avoided)
    for a in avoided:
        assert acts[f"liposarcoma-{a.replace('_', '-')}-avoid"]["doNotPerform"] is True


def test_library_carries_the_cql_and_elm_and_parameters(lipo_ruleset: dsl.Ruleset, lipo_export: Any) -> None:
    [lib] = _by_type(lipo_export, "Library")
    content = {c["contentType"]: base64.b64decode(c["data"]).decode() for c in lib["content"]}
    assert content["text/cql"] == lipo_export.library.cql
    assert json.loads(content["application/elm+json"]) == lipo_export.library.elm
    ins = [p for p in lib["parameter"] if p["use"] == "in"]
    assert [(p["name"], p["type"]) for p in ins] == [
        (i.name, {"BoolType": "boolean", "IntType": "integer", "RealType": "decimal", "EnumType": "string"}
         [type(i.type).__name__]) for i in lipo_ruleset.inputs]
    assert "library Liposarcoma version '1.0.0'" in lipo_export.library.cql
    assert 'parameter "size_cm" Decimal' in lipo_export.library.cql
    # 5.0 is not > 5: the threshold is compared exactly, as a Decimal.
    assert '"size_cm" > ToDecimal(5)' in lipo_export.library.cql


def test_citations_canonical_urls_and_version(lipo_ruleset: dsl.Ruleset) -> None:
    from verifier.fhir.resources import Options

    export = export_fhir(lipo_ruleset, Options(base_url="https://guidelines.example.org/fhir/", status="active"))
    [plan] = _by_type(export, "PlanDefinition")
    assert [c["label"] for c in plan["relatedArtifact"]] == [s.id for s in lipo_ruleset.sources]
    assert all(c["type"] == "citation" and c["citation"] for c in plan["relatedArtifact"])
    for r in export.resources:
        assert r["url"] == f"https://guidelines.example.org/fhir/{r['resourceType']}/{r['id']}"
        assert r["version"] == "1.0.0" and r["status"] == "active"


@pytest.mark.parametrize(("strength", "category", "code", "evidence"), [
    ("recommend", "1", "strong", "high"), ("recommend", "2A", "strong", "moderate"),
    ("recommend", "2B", "weak", "low"), ("avoid", "3", "weak", "very-low"),
    ("avoid", "2A", "strong", "moderate"), ("consider", "1", "weak", "high"),
])
def test_grading_mapping(strength: str, category: str, code: str, evidence: str) -> None:
    assert strength_code(strength, category) == code
    assert EVIDENCE[category] == evidence


def test_cli_output_is_byte_identical_and_bundle_file_matches(tmp_path: Path) -> None:
    runner = CliRunner()
    for d in ("a", "b"):
        res = runner.invoke(cli, ["export", "fhir", str(LIPO_RULES), "-o", str(tmp_path / d)])
        assert res.exit_code == 0, res.output
    files_a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files_a == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert {"bundle.json", "Liposarcoma.cql", "Liposarcoma.elm.json", "Library-liposarcoma.json",
            "PlanDefinition-liposarcoma.json"} <= set(files_a)
    for name in files_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    res = runner.invoke(cli, ["export", "fhir", str(LIPO_RULES), "-o", str(tmp_path / "bundle.json")])
    assert res.exit_code == 0
    assert (tmp_path / "bundle.json").read_bytes() == (tmp_path / "a" / "bundle.json").read_bytes()


UNFAITHFUL = """ruleset dosing version "0.2"
source s "Local dosing sheet"
input dose: real [0, 50.5]
input weight: real [2.5, 150]
input count: int [0, 3000000000]
define per_kg = dose * 2 - weight * 0.25
action low: systemic "Low dose"
rule r1 "r1" when per_kg > 10 and count > 1 recommend low category 1 sources [s]
"""


def test_unfaithful_constructs_exit_2_with_location(tmp_path: Path) -> None:
    path = tmp_path / "dosing.rules"
    path.write_text(UNFAITHFUL)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["export", "fhir", str(path), "-o", str(out)])
    assert res.exit_code == 2
    assert f"{path}:5:1: error: input count: the range [0, 3000000000] does not fit a CQL Integer" in res.stderr
    assert f"{path}:6:28: error: `weight * 0.25` needs 10 decimal places" in res.stderr
    assert "    define per_kg = dose * 2 - weight * 0.25\n" in res.stderr and "^~~~" in res.stderr
    assert "Traceback" not in res.output and not out.exists()


def test_too_many_significant_digits_is_refused() -> None:
    rs = ruleset("input big: real [0, 5000000]\naction a: surgery \"A\"\n" + rule("r", "big * 3 > 1", "recommend a"))
    with pytest.raises(UnfaithfulError) as err:
        build_library(rs)
    assert "significant digits" in err.value.diagnostics[0].message


def test_bad_base_url_is_a_usage_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["export", "fhir", str(LIPO_RULES), "-o", str(tmp_path / "x"), "--base-url", "foo"])
    assert res.exit_code == 2 and "--base-url" in res.output


def test_eval_format_fhir_is_a_valid_care_plan(lipo_ruleset: dsl.Ruleset, lipo_evaluator: Any) -> None:
    # Pick a committed case whose decision avoids something, so doNotPerform is exercised.
    cases = sorted((REPO / "generated_cases" / "liposarcoma" / "cases").glob("*.json"))
    case = next(c for c in (json.loads(p.read_text()) for p in cases) if c["expected"]["avoided"])
    res = CliRunner().invoke(cli, ["eval", str(LIPO_RULES), "-", "--format", "fhir"], input=json.dumps(case["record"]))
    assert res.exit_code == 0, res.stderr
    plan = CarePlan.model_validate(json.loads(res.stdout))
    [group] = [c for c in plan.contained if c.__resource_type__ == "RequestGroup"]
    assert [a.id for a in group.action] == case["expected"]["fired"]
    requests = {c.id: c for c in plan.contained if c.__resource_type__ == "ServiceRequest"}
    named = {(r.code.coding[0].code, bool(r.doNotPerform)) for r in requests.values()}
    expected = {(a, False) for a in case["expected"]["recommended"] + case["expected"]["considered"]}
    expected |= {(a, True) for a in case["expected"]["avoided"]}
    assert named == expected
    again = CliRunner().invoke(cli, ["eval", str(LIPO_RULES), "-", "--format", "fhir"], input=json.dumps(case["record"]))
    assert again.stdout == res.stdout


def test_a_definition_named_patient_is_refused() -> None:
    rs = ruleset("input Patient: bool\naction a: surgery \"A\"\n" + rule("r", "Patient", "recommend a"))
    with pytest.raises(UnfaithfulError) as err:
        build_library(rs)
    assert "CQL context" in err.value.diagnostics[0].message and err.value.diagnostics[0].span.line > 0


def test_eval_format_fhir_uses_the_export_base_url(tmp_path: Path) -> None:
    record = json.loads(sorted((REPO / "generated_cases" / "liposarcoma" / "cases").glob("*.json"))[0].read_text())
    res = CliRunner().invoke(cli, ["eval", str(LIPO_RULES), "-", "--format", "fhir", "--base-url",
                                   "https://g.example.org/fhir"], input=json.dumps(record["record"]))
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["instantiatesCanonical"] == ["https://g.example.org/fhir/PlanDefinition/liposarcoma|1.0.0"]


def test_an_action_id_too_long_for_a_fhir_id_is_refused() -> None:
    long_id = "a" * 60
    rs = ruleset(f"input f: bool\naction {long_id}: surgery \"A\"\n" + rule("r", "f", f"avoid {long_id}"))
    with pytest.raises(UnfaithfulError) as err:
        export_fhir(rs)
    assert f"action {long_id}" in err.value.diagnostics[0].message and "64" in err.value.diagnostics[0].message
