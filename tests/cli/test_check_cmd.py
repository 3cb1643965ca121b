"""`ruleproof check`: output formats, exit codes, and errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import LIPO_RULES, REPO
from tests.verifier_helpers import HEADER, rule
from verifier.cli import cli
from verifier.cli.check_cmd import check_command


def check(*args: str) -> Result:
    return CliRunner().invoke(check_command, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, body: str) -> str:
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return str(p)


@pytest.fixture(scope="module")
def lipo_json() -> dict:
    res = check(str(LIPO_RULES), "--format", "json")
    assert res.exit_code == 0, res.stdout + res.stderr
    return json.loads(res.stdout)


def test_liposarcoma_proves(lipo_json: dict) -> None:
    (rs,) = lipo_json["rulesets"]
    assert rs["path"] == str(LIPO_RULES)
    for r in rs["results"]:
        assert {"property", "kind", "status", "seconds", "counterexample"} <= set(r)
        assert r["status"] == "proved", r
    props = {r["property"] for r in rs["results"]}
    assert {f"P{k}" for k in range(1, 15)} <= props
    assert {"coverage", "cells", "treatment_decision"} <= props


def test_liposarcoma_matrix(lipo_json: dict) -> None:
    (m,) = [r for r in lipo_json["rulesets"][0]["results"] if r["kind"] == "coverage-matrix"]
    cells = m["matrix"]["cells"]
    assert m["matrix"]["inputs"] == ["subtype", "grade", "metastatic_status"]
    assert len(cells) == 60
    assert sum(c["status"] == "covered" for c in cells) == 39
    assert sum(c["status"] == "excluded" for c in cells) == 21
    by = {tuple(c["values"]): c for c in cells}
    assert by[("well_differentiated", "G3", "localized")]["constraints"] == ["C1"]
    assert by[("pleomorphic", "GX", "metastatic")]["constraints"] == ["C2"]
    assert "adv_wd_rebiopsy" in by[("well_differentiated", "G1", "metastatic")]["rules"]
    assert all(c["rules"] for c in cells if c["status"] == "covered")


def test_text_report(tmp_path: Path) -> None:
    res = check(str(LIPO_RULES), "--verbose")
    assert res.exit_code == 0
    out = res.stdout
    assert "proved   P1" in out and "coverage matrix cells" in out
    assert "excluded C1" in out and "covered (" in out
    assert "0 refuted, 0 unknown" in out


def test_json_is_deterministic() -> None:
    a = check(str(LIPO_RULES), "--format", "json", "--no-timing")
    b = check(str(LIPO_RULES), "--format", "json", "--no-timing")
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout


REFUTED = """
input flag: bool
input n: int [0, 10]
action a: misc "A"
""" + rule("r", "n > 3", "recommend a") + rule("r2", "true", "consider a") \
    + 'property P1 "a is never recommended without flag": recommended(a) implies flag\n'


def test_refuted_exits_1_with_counterexample(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.rules", REFUTED)
    res = check(path)
    assert res.exit_code == 1
    assert "REFUTED  P1" in res.stdout
    assert '{"flag": false, "n": 4}' in res.stdout and "fired: r, r2" in res.stdout
    res = check(path, "--format", "json")
    assert res.exit_code == 1
    (p1,) = [r for r in json.loads(res.stdout)["rulesets"][0]["results"] if r["property"] == "P1"]
    assert p1["status"] == "refuted"
    assert p1["counterexample"] == {"flag": False, "n": 4} and p1["fired"] == ["r", "r2"]
    assert p1["location"].endswith("bad.rules:11:1")


def test_ruleset_errors_exit_2_with_diagnostics(tmp_path: Path) -> None:
    good = write(tmp_path, "good.rules", REFUTED)
    broken = write(tmp_path, "broken.rules", "input n: int [0, 10]\naction a: misc \"A\"\n" + rule("r", "m > 3", "recommend a"))
    res = check(good, broken)
    assert res.exit_code == 2  # bad input outranks the good file's refutation...
    assert "REFUTED  P1" in res.stdout and str(broken) not in res.stdout  # ...which is still reported
    assert f"{broken}:5:17: error: unknown name 'm'" in res.stderr
    assert "^" in res.stderr and "Traceback" not in res.stderr


def test_unreadable_file_and_bad_option_exit_2(tmp_path: Path) -> None:
    res = check(str(tmp_path / "missing.rules"))
    assert res.exit_code == 2 and "cannot read ruleset" in res.stderr and res.stdout == ""
    assert check(str(LIPO_RULES), "--format", "xml").exit_code == 2
    assert check(str(LIPO_RULES), "--timeout", "0").exit_code == 2
    assert check().exit_code == 2


def test_tiny_timeout_exits_3_naming_the_check(tmp_path: Path) -> None:
    body = """
input p: int [1, 1000000]
input q: int [1, 1000000]
input w: int [1, 1000000]
action a: misc "A"
""" + rule("r", "true", "recommend a") + 'property fermat "no cube sums": p * p * p + q * q * q != w * w * w\n'
    path = write(tmp_path, "nonlinear.rules", body)
    res = check(path, "--timeout", "0.001")
    assert res.exit_code == 3
    assert "UNKNOWN  fermat" in res.stdout
    assert "undecided: fermat (invariant)" in res.stderr
    res = check(path, "--timeout", "0.001", "--format", "json")
    assert res.exit_code == 3
    statuses = {r["property"]: r["status"] for r in json.loads(res.stdout)["rulesets"][0]["results"]}
    assert statuses["fermat"] == "unknown"


def test_warnings_go_to_stderr_in_text_and_into_json(tmp_path: Path) -> None:
    body = "input n: int [0, 10]\naction a: misc \"A\"\n" + rule("r", "true", "recommend a") \
        + 'constraint C1 "n is in range": n <= 10\n'
    path = write(tmp_path, "warn.rules", body)
    res = check(path)
    assert res.exit_code == 0
    assert "warning: constraint C1 excludes nothing" in res.stderr
    res = check(path, "--format", "json")
    assert res.exit_code == 0 and res.stderr == ""
    (w,) = json.loads(res.stdout)["rulesets"][0]["warnings"]
    assert w["kind"] == "constraint-excludes-nothing" and w["location"].endswith("warn.rules:7:1")


def test_real_process_no_traceback(tmp_path: Path) -> None:
    """Through a real interpreter: streams kept apart, exit code carried."""
    broken = write(tmp_path, "broken.rules", "input n int\n")
    code = "from verifier.cli.check_cmd import check_command; check_command()"
    proc = subprocess.run([sys.executable, "-c", code, broken], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "error:" in proc.stderr and "Traceback" not in proc.stderr


def test_internal_error_exits_4_without_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import verifier.cli.check_cmd as cmd

    def broken(*args: object, **kw: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(cmd, "check_ruleset", broken)
    res = CliRunner().invoke(cli, ["check", str(LIPO_RULES)], catch_exceptions=False)
    assert res.exit_code == 4
    assert "internal error: RuntimeError: simulated bug" in res.stderr and "Traceback" not in res.stderr
    assert res.stdout == ""


@pytest.mark.parametrize("command", ["check", "diff", "cases", "mutate", "report"])
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e308"])
def test_timeout_must_be_a_finite_positive_number_of_seconds(command: str, value: str) -> None:
    """One --timeout option for every command: a clear exit 2, never an internal error."""
    res = CliRunner().invoke(cli, [command, str(LIPO_RULES), "--timeout", value])
    assert res.exit_code == 2, res.output
    assert "--timeout" in res.output and "Traceback" not in res.output
