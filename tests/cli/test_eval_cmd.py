"""`ruleproof eval`: records in, decisions out; every bad record is exit 2 with a named problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import EXAMPLES_DIR, LIPO_RULES
from verifier.cli import cli

RULES = str(LIPO_RULES)


def good_record() -> dict:
    return json.loads((EXAMPLES_DIR / "03-pleomorphic-high-risk-primary.json").read_text())["patient"]


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def run_record(record, tmp_path: Path, raw: str | None = None):
    p = tmp_path / "patient.json"
    p.write_text(raw if raw is not None else json.dumps(record))
    return run("eval", RULES, str(p), "--format", "json"), str(p)


def test_eval_json_shape(tmp_path: Path) -> None:
    res, _ = run_record(good_record(), tmp_path)
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["ruleset"] == "liposarcoma"
    assert out["version"]
    by_action = {r["action"]: r for r in out["recommendations"]}
    assert by_action["wide_excision"]["strength"] == "recommend"
    assert by_action["neoadjuvant_chemotherapy"]["strength"] == "consider"
    assert by_action["neoadjuvant_chemotherapy"]["category"] == "2B"
    assert by_action["preoperative_rt"]["category"] == "1"
    assert by_action["preoperative_rt"]["alternatives"] == ["postoperative_rt"]
    for r in out["recommendations"]:
        assert r["rules"] and r["sources"]
    assert len(by_action) == len(out["recommendations"])  # each action once


def test_eval_stdin_and_text(tmp_path: Path) -> None:
    res = run("eval", RULES, "-", "--explain", stdin=json.dumps(good_record()))
    assert res.exit_code == 0, res.stderr
    assert "RECOMMEND" in res.stdout and "wide_excision" in res.stdout
    assert "holds: high_risk" in res.stdout


def test_trace_names_conditions(tmp_path: Path) -> None:
    p = tmp_path / "p.json"
    p.write_text(json.dumps(good_record()))
    res = run("eval", RULES, str(p), "--format", "json", "--explain")
    trace = json.loads(res.stdout)["trace"]
    fired = json.loads(run("eval", RULES, str(p), "--format", "json").stdout)["fired"]
    assert [t["rule"] for t in trace] == fired
    assert all(c["holds"] for t in trace for c in t["conditions"])


def _mutated(**changes) -> dict:
    rec = good_record()
    for k, v in changes.items():
        if v is _DELETE:
            del rec[k]
        else:
            rec[k] = v
    return rec


_DELETE = object()

BAD_RECORDS = [
    ("missing", _mutated(ecog=_DELETE), "ecog: missing"),
    ("unknown", _mutated(ecgo=1), "ecgo: unknown field"),
    ("string for number", _mutated(size_cm="8"), 'size_cm: must be a number, not a string "8"'),
    ("string for bool", _mutated(referred="true"), 'referred: must be true or false, not a string "true"'),
    ("number for bool", _mutated(referred=1), "referred: must be true or false"),
    ("bool for number", _mutated(ecog=True), "ecog: must be a number, not a boolean"),
    ("null", _mutated(grade=None), "grade: must be one of"),
    ("out of range", _mutated(size_cm=0), "size_cm: 0 is out of range [0.1, 100]"),
    ("above range", _mutated(prior_lines=11), "prior_lines: 11 is out of range [0, 10]"),
    ("not in enum", _mutated(subtype="myxiod"), "subtype: \"myxiod\" is not one of"),
    ("fractional int", _mutated(ecog=1.5), "ecog: must be a whole number, not 1.5"),
    ("constraint", _mutated(subtype="well_differentiated"), "constraint C1 ("),
    ("array", [1, 2], "a patient record must be a JSON object"),
]


@pytest.mark.parametrize("name,record,message", BAD_RECORDS, ids=[b[0] for b in BAD_RECORDS])
def test_bad_record_exit_2(name: str, record, message: str, tmp_path: Path) -> None:
    res, path = run_record(record, tmp_path)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert f"{path}: error: " in res.stderr
    assert message in res.stderr


@pytest.mark.parametrize("raw,message", [
    ('{"size_cm": NaN}', "size_cm: must be a finite number, not NaN"),
    ('{"size_cm": Infinity}', "size_cm: must be a finite number, not an infinity"),
    ('{"size_cm": -Infinity}', "size_cm: must be a finite number, not an infinity"),
    ('{"size_cm": 1e999999999}', "size_cm: 1E+999999999 is out of range"),
    ('{"size_cm": 8,', "not valid JSON"),
    ("", "not valid JSON"),
    ("[" * 100000, "not valid JSON"),
])
def test_bad_json(raw: str, message: str, tmp_path: Path) -> None:
    if raw.startswith("{\"size_cm\"") and not raw.endswith(","):
        rec = good_record()
        rec.pop("size_cm")
        raw = raw[:-1] + ", " + json.dumps(rec)[1:]
    res, _ = run_record(None, tmp_path, raw=raw)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert message in res.stderr


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    res, _ = run_record(_mutated(ecog="1", size_cm=-3, site="arm", extra=1), tmp_path)
    assert res.exit_code == 2
    for field in ("ecog:", "size_cm:", "site:", "extra:"):
        assert field in res.stderr


def test_all_violated_constraints_named(tmp_path: Path) -> None:
    # C1 (well-differentiated must be G1) and C17 (months > 0 needs treatment_completed) at once.
    res, _ = run_record(_mutated(subtype="well_differentiated", months_since_treatment=3), tmp_path)
    assert res.exit_code == 2
    assert "constraint C1 (" in res.stderr and "constraint C17 (" in res.stderr


def test_exact_decimals_at_threshold(tmp_path: Path, lipo_evaluator) -> None:
    """5.0 is not > 5; 5.0000000000000001 is (a float would round it to 5.0)."""
    at = run_record(_mutated(size_cm=5), tmp_path)[0]
    assert "preoperative_rt" not in at.stdout
    p = tmp_path / "above.json"
    p.write_text(json.dumps(good_record()).replace('"size_cm": 8', '"size_cm": 5.0000000000000001'))
    above = run("eval", RULES, str(p), "--format", "json")
    assert above.exit_code == 0, above.stderr
    assert "preoperative_rt" in above.stdout


def test_batch(tmp_path: Path) -> None:
    good = json.dumps(good_record())
    lines = [good, json.dumps(_mutated(ecog=9)), "", "not json", good]
    p = tmp_path / "b.jsonl"
    p.write_text("\n".join(lines) + "\n")
    res = run("eval", RULES, "--batch", str(p))
    assert res.exit_code == 2
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(out) == 4  # the blank line is not a record
    assert out[0] == out[3] and "recommendations" in out[0]
    assert out[1]["line"] == 2 and out[1]["problems"][0]["field"] == "ecog"
    assert out[2]["line"] == 4 and "not valid JSON" in out[2]["error"]
    assert f"{p}:2: error: ecog:" in res.stderr


def test_batch_all_good_exit_0(tmp_path: Path) -> None:
    p = tmp_path / "b.jsonl"
    p.write_text(json.dumps(good_record()) + "\n")
    res = run("eval", RULES, "--batch", str(p))
    assert res.exit_code == 0
    assert len(res.stdout.splitlines()) == 1


@pytest.mark.parametrize("args,message", [
    (["eval", RULES], "give either PATIENT or --batch"),
    (["eval", RULES, "x.json", "--batch", "y.jsonl"], "give either PATIENT or --batch"),
    (["eval", RULES, "/nonexistent/patient.json"], "/nonexistent/patient.json: error: cannot read patient record"),
    (["eval", "/nonexistent.rules", "p.json"], "/nonexistent.rules: error: cannot read ruleset"),
    (["eval", RULES, "p.json", "--format", "xml"], "Invalid value for '--format'"),
])
def test_bad_invocation_exit_2(args: list[str], message: str) -> None:
    res = run(*args)
    assert res.exit_code == 2
    assert message in res.stderr
    assert res.stdout == ""


def test_broken_ruleset_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rules"
    bad.write_text('ruleset demo version "1"\ninput a: bool\nrule r "t" when a and b\n  recommend z category 2A sources [s]\n')
    p = tmp_path / "p.json"
    p.write_text('{"a": true}')
    res = run("eval", str(bad), str(p))
    assert res.exit_code == 2
    assert f"{bad}:3:23: error: unknown name 'b'" in res.stderr
    assert f"{bad}:4:13: error: action 'z' is used but never declared" in res.stderr
    assert "cites unknown source 's'" in res.stderr
    assert "^" in res.stderr
    assert res.stdout == ""


def test_console_script_has_no_traceback(tmp_path: Path) -> None:
    """The installed entry point, as a user runs it: exit 2, one clear line, no traceback."""
    p = tmp_path / "p.json"
    p.write_text("{")
    proc = subprocess.run([sys.executable, "-c", "from verifier.cli import main; main()", "eval", RULES, str(p)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "not valid JSON" in proc.stderr


def test_batch_from_stdin_keeps_order() -> None:
    good = good_record()
    lines = [json.dumps({**good, "ecog": e}) for e in (0, 3, 1, 4)]
    res = run("eval", RULES, "--batch", "-", stdin="\n".join(lines) + "\n")
    assert res.exit_code == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(out) == 4
    # ECOG 3-4 is not fit: the neoadjuvant chemotherapy option goes away, in the order given.
    has_chemo = ["neoadjuvant_chemotherapy" in {r["action"] for r in o["recommendations"]} for o in out]
    assert has_chemo == [True, False, True, False]


def test_batch_unreadable_file() -> None:
    res = run("eval", RULES, "--batch", "/nonexistent/records.jsonl")
    assert res.exit_code == 2
    assert "/nonexistent/records.jsonl: error: cannot read patient records" in res.stderr
    assert res.stdout == ""


def test_engine_needs_neither_z3_nor_graphviz() -> None:
    """The embeddable runtime, and `ruleproof eval`, load without the verifier's heavy parts."""
    code = (
        "import sys, json\n"
        "import dsl, engine\n"
        "from verifier.cli import cli\n"
        f"ev = engine.compile_ruleset(dsl.load_ruleset({RULES!r}))\n"
        "print(json.dumps(sorted(m for m in ('z3', 'graphviz', 'hypothesis') if m in sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout) == []
