"""`ruleproof eval`: alternatives on one line, case files, derived values and --why-not (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import EXAMPLES_DIR, LIPO_RULES, REPO
from verifier.cli import cli

RULES = str(LIPO_RULES)
PATIENT = str(EXAMPLES_DIR / "03-pleomorphic-high-risk-primary.json")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_one_of_is_one_line() -> None:
    res = run("eval", RULES, PATIENT)
    assert res.exit_code == 0, res.stderr
    lines = [ln for ln in res.stdout.splitlines() if "preoperative_rt" in ln or "postoperative_rt" in ln]
    assert len(lines) == 1, res.stdout
    assert "one of: preoperative_rt | postoperative_rt" in lines[0]
    assert lines[0].lstrip().startswith("RECOMMEND")
    assert sum(1 for ln in res.stdout.splitlines() if ln.lstrip().startswith("RECOMMEND")) == 2


def test_eval_accepts_a_case_file_written_by_cases() -> None:
    case = sorted((REPO / "generated_cases" / "liposarcoma" / "cases").glob("*.json"))[0]
    data = json.loads(case.read_text())
    res = run("eval", RULES, str(case), "--format", "json")
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["fired"] == data["expected"]["fired"]
    got = {(r["action"], r["strength"]) for r in out["recommendations"]}
    want = {(r["action"], r["strength"]) for r in data["expected"]["recommendations"]}
    assert got == want


def test_a_real_record_with_a_record_field_is_not_unwrapped(tmp_path: Path) -> None:
    record = json.loads(Path(PATIENT).read_text())["patient"]
    record["record"] = {"a": 1}  # an unknown field must still be reported, not silently unwrapped
    p = tmp_path / "r.json"
    p.write_text(json.dumps(record))
    res = run("eval", RULES, str(p))
    assert res.exit_code == 2
    assert "record: unknown field" in res.stderr


def test_explain_shows_the_definitions_a_rule_reads() -> None:
    res = run("eval", RULES, PATIENT, "--explain")
    assert res.exit_code == 0, res.stderr
    assert "where high_risk = true" in res.stdout
    assert "(high_grade and depth == deep and size_cm > 5)" in res.stdout
    js = json.loads(run("eval", RULES, PATIENT, "--explain", "--format", "json").stdout)
    rt = next(t for t in js["trace"] if t["rule"] == "primary_rt_high_risk")
    values = {d["definition"]: d["value"] for d in rt["definitions"]}
    assert values["high_risk"] is True and values["high_grade"] is True and values["advanced"] is False


def test_why_not_names_the_rules_and_failed_conditions() -> None:
    res = run("eval", RULES, PATIENT, "--why-not", "doxorubicin")
    assert res.exit_code == 0, res.stderr
    text = res.stdout
    assert "why not doxorubicin? it is not given." in text
    assert "adv_first_line (recommend doxorubicin) did not fire" in text
    assert "fails: advanced_disease" in text
    assert "where advanced_disease = false" in text
    js = json.loads(run("eval", RULES, PATIENT, "--why-not", "doxorubicin", "--format", "json").stdout)
    (w,) = js["why_not"]
    assert w["status"] == "not given"
    assert {r["rule"] for r in w["rules"]} >= {"adv_first_line", "adv_later_doxorubicin"}
    assert all(not r["fired"] and any(not c["holds"] for c in r["conditions"]) for r in w["rules"])


def test_why_not_on_a_given_action_shows_the_rule_that_fired() -> None:
    js = json.loads(run("eval", RULES, PATIENT, "--why-not", "postoperative_rt", "--format", "json").stdout)
    (w,) = js["why_not"]
    assert w["status"] == "recommended"
    fired = [r["rule"] for r in w["rules"] if r["fired"]]
    assert fired == ["primary_rt_high_risk"]


def test_why_not_an_unknown_action_is_bad_input() -> None:
    res = run("eval", RULES, PATIENT, "--why-not", "doxorubicine")
    assert res.exit_code == 2
    assert "did you mean 'doxorubicin'" in res.stderr
