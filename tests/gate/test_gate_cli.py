"""`ruleproof gate` end to end in a throwaway git repository holding the liposarcoma ruleset and its suite."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import LIPO_RULES
import dsl
from verifier.cli.gate_cmd import gate_command
from verifier.gate.render import RENDERERS
from verifier.gate.run import Base, gate_ruleset

SUITE = LIPO_RULES.parent.parent / "generated_cases" / "liposarcoma"
P11_OLD = "and (close_margin or (margin == R1 and not reexcision_feasible))"
P11_NEW = "and close_margin"
ACK = '[[weakened]]\nids = ["P11"]\nwhy = "non-re-excisable R1: radiotherapy now a board decision"\n'


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "rulesets").mkdir()
    shutil.copy(LIPO_RULES, tmp_path / "rulesets" / "liposarcoma.rules")
    shutil.copytree(SUITE / "cases", tmp_path / "generated_cases" / "liposarcoma" / "cases")
    shutil.copy(SUITE / "manifest.json", tmp_path / "generated_cases" / "liposarcoma" / "manifest.json")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def gate(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(gate_command, ["rulesets/liposarcoma.rules", "--no-timing", *args])
    return res.exit_code, res.stdout, res.stderr


def _edit(repo: Path, old: str, new: str) -> None:
    path = repo / "rulesets" / "liposarcoma.rules"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_unchanged_ruleset_passes_byte_identically(repo: Path) -> None:
    first = gate("--base", "HEAD")
    assert first[0] == 0, first[1] + first[2]
    assert first[1].rstrip().endswith("gate: passed")
    assert gate("--base", "HEAD") == first


def test_weakened_property_fails_until_this_change_acknowledges_it(repo: Path) -> None:
    _edit(repo, P11_OLD, P11_NEW)
    code, out, _ = gate("--base", "HEAD")
    assert code == 1
    tail = out[out.index("to look at:"):]
    assert "rulesets/liposarcoma.rules:" in tail and "property P11" in tail and "weaker" in tail
    (repo / "rulesets" / "liposarcoma.changelog.toml").write_text(ACK, encoding="utf-8")
    code, out, _ = gate("--base", "HEAD")
    assert code == 0, out
    assert "acknowledged at rulesets/liposarcoma.changelog.toml:1" in out
    # Once committed, the same entry acknowledges nothing new: a later weakening fails again.
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "weaken P11")
    _edit(repo, "and close_margin\n  implies recommended(postoperative_rt)",
          "and close_margin and closest_margin_mm > 1\n  implies recommended(postoperative_rt)")
    code, out, _ = gate("--base", "HEAD")
    assert code == 1 and "P11" in out[out.index("to look at:"):]


def _accept_changed_cases(repo: Path) -> None:
    """Rewrite the expected decision of every case whose advice changed (the reviewed suite update)."""
    from verifier.cases.case import dumps
    from verifier.cases.store import load_suite, replay_split

    suite = repo / "generated_cases" / "liposarcoma"
    changed, _ = replay_split(dsl.load_ruleset(repo / "rulesets" / "liposarcoma.rules"), load_suite(suite).cases)
    assert changed
    for c in changed:
        path = suite / "cases" / f"{c.case}.json"
        case = json.loads(path.read_text(encoding="utf-8"))
        case["expected"] = c.after
        path.write_text(dumps(case), encoding="utf-8")


def test_behaviour_change_needs_the_updated_suite(repo: Path) -> None:
    # An intended change of advice: individualised follow-up from 8 years instead of 10, in the
    # rules and in the row property that states section 3.6 (every row has one).
    path = repo / "rulesets" / "liposarcoma.rules"
    text = path.read_text(encoding="utf-8")
    assert text.count("months_since_treatment >= 120") == 2 and text.count("months_since_treatment < 120") == 4
    path.write_text(text.replace("months_since_treatment >= 120", "months_since_treatment >= 96")
                    .replace("months_since_treatment < 120", "months_since_treatment < 96"), encoding="utf-8")
    code, out, _ = gate("--base", "HEAD")
    assert code == 1
    assert "follow_up_individualized: newly given" in out and "advice changed" in out
    assert "row_surveillance" in out[out.index("to look at:"):]
    _accept_changed_cases(repo)  # what `cases --update` does to these cases, without regenerating the rest
    code, out, _ = gate("--base", "HEAD")
    assert code == 1 and "acknowledged: follow_up_individualized" in out  # the suite owns the advice change...
    tail = out[out.index("to look at:"):]
    assert "row_surveillance" in tail and "FAILED: diff:" not in tail  # ...the changed promise needs a reason
    (repo / "rulesets" / "liposarcoma.changelog.toml").write_text(
        '[[weakened]]\nids = ["row_surveillance"]\nwhy = "individualised follow-up from 8 years (2026 update)"\n',
        encoding="utf-8")
    code, out, _ = gate("--base", "HEAD")
    assert code == 0, out


def test_formats(repo: Path) -> None:
    _edit(repo, P11_OLD, P11_NEW)
    code, out, _ = gate("--base", "HEAD", "--format", "json")
    assert code == 1
    (report,) = json.loads(out)["gate"]
    assert report["passed"] is False
    assert any(i["id"] == "P11" and i["verdict"] == "failed" for i in report["items"])
    # The other formats render the same verdict (the report once, without the proofs, for speed).
    rs = dsl.load_ruleset(repo / "rulesets" / "liposarcoma.rules")
    base = Base("HEAD", dsl.load_ruleset(LIPO_RULES))
    one = [gate_ruleset(rs, repo / "generated_cases" / "liposarcoma", base, (), "x.changelog.toml", checks=False)]
    (run,) = json.loads(RENDERERS["sarif"](one))["runs"]
    (result,) = run["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert result["level"] == "error" and result["ruleId"] == "gate-spec" and region["startLine"] > 500
    failures = ET.fromstring(RENDERERS["junit"](one)).findall(".//failure")
    assert len(failures) == 1 and "P11" in failures[0].get("message", "")
    markdown = RENDERERS["markdown"](one)
    assert "**blocked**" in markdown and "| spec | FAILED |" in markdown


def test_bad_input_exits_2(repo: Path) -> None:
    code, _, err = gate("--base", "no-such-revision")
    assert code == 2 and "unknown git revision" in err
    (repo / "rulesets" / "liposarcoma.changelog.toml").write_text("[[weakened]]\nwhy = 'x'\n", encoding="utf-8")
    code, _, err = gate()
    assert code == 2 and "liposarcoma.changelog.toml:1: error: entry 1: 'ids'" in err
