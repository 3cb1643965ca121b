"""`ruleproof diff`: the command (formats, exit codes, --base), and the pieces under it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import dsl
from tests.diff_helpers import confirm_report
from tests.verifier_helpers import HEADER, ruleset
from verifier.diff import compare as diff_mod
from verifier.cli import cli
from verifier.cli.diff_cmd import diff_command
from verifier.diff.compare import diff_rulesets
from verifier.diff.render import render_text
from verifier.diff.regions import Piece, RegionFinder, pieces
from verifier.diff.semantic import UNKNOWN, JointEncoding, Probe

CASES = Path(__file__).resolve().parents[1] / "diff_cases"
BASE = str(CASES / "base.rules")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["diff", *args], catch_exceptions=False)


# ---------------------------------------------------------------- the command


def test_fail_on_change_exit_codes() -> None:
    assert run(BASE, str(CASES / "refactor.rules"), "--fail-on-change").exit_code == 0
    assert run(BASE, str(CASES / "rule_removed.rules"), "--fail-on-change").exit_code == 1
    assert run(BASE, str(CASES / "rule_removed.rules")).exit_code == 0


def test_json_report() -> None:
    res = run(BASE, str(CASES / "strength_changed.rules"), "--format", "json", "--no-timing")
    doc = json.loads(res.stdout)
    assert doc["meaning"]["status"] == "changed"
    (action,) = doc["meaning"]["actions"]
    assert action["action"] == "surgery"
    (t,) = action["transitions"]
    assert (t["change"], t["old"], t["new"]) == (
        "strength changed", {"strength": "recommend", "category": "2A"}, {"strength": "consider", "category": "2A"})
    (region,) = t["regions"]
    assert region["region"] == "ecog <= 2 and not resected"
    assert region["bounds"][0] == {"input": "ecog", "text": "ecog <= 2",
                                   "interval": {"lo": 0, "lo_closed": True, "hi": 2, "hi_closed": True}}
    assert set(region["example"]) == {"subtype", "grade", "size_cm", "deep", "ecog", "resected", "margin"}
    assert (region["old_rules"], region["new_rules"]) == (["excise"], ["excise"])
    assert doc["structure"][0]["id"] == "excise"


def test_markdown_report() -> None:
    res = run(BASE, str(CASES / "constraint_tightened.rules"), "--format", "markdown", "--no-timing")
    assert res.exit_code == 0
    assert res.stdout.startswith("### ruleproof diff: `mini` 1.0.0 → 1.0.0")
    assert "records valid under OLD only: NEW rejects them" in res.stdout
    assert "`subtype = myxoid` and `grade = G1`" in res.stdout
    assert "| constraint `C3` | added |" in res.stdout


def test_output_is_deterministic() -> None:
    args = (BASE, str(CASES / "threshold_moved.rules"), "--no-timing")
    assert run(*args).stdout == run(*args).stdout
    # And across processes, where Z3 and hashing start afresh.
    cmd = ["-c", "from verifier.cli.diff_cmd import diff_command; diff_command()", *args, "--format", "json"]
    procs = [subprocess.run([sys.executable, *cmd], capture_output=True, text=True, check=False) for _ in range(2)]
    assert procs[0].stdout == procs[1].stdout and procs[0].returncode == 0


def test_region_cap_says_and_more() -> None:
    old = dsl.load_ruleset(BASE)
    new = dsl.load_ruleset(CASES / "constraint_removed.rules")
    report = diff_rulesets(old, new, max_regions=1)
    (v,) = report.semantic.validity
    assert len(v.regions) == 1 and v.more
    assert "and more" in render_text(report)


def test_bad_input_exits_2(tmp_path: Path) -> None:
    res = run(BASE, str(tmp_path / "missing.rules"))
    assert res.exit_code == 2 and "cannot read ruleset" in res.stderr
    bad = tmp_path / "bad.rules"
    bad.write_text(HEADER + "input x: bool\nrule r when y recommend a category 1 sources [s]\n", encoding="utf-8")
    res = run(BASE, str(bad))
    assert res.exit_code == 2 and f"{bad}:" in res.stderr and "Traceback" not in res.stderr
    assert run(BASE).exit_code == 2
    assert run(BASE, BASE, BASE).exit_code == 2
    assert run(BASE, BASE, "--format", "xml").exit_code == 2


def test_undecided_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(JointEncoding, "solve", lambda self, lits, want_model=True: Probe(UNKNOWN, reason="timeout"))
    res = run(BASE, str(CASES / "refactor.rules"))
    assert res.exit_code == 3
    assert "UNDECIDED" in res.stdout and "undecided" in res.stderr
    assert run(BASE, str(CASES / "refactor.rules"), "--fail-on-change").exit_code == 3


def test_engine_disagreement_is_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = diff_mod._Engines.outcome

    def wrong(decision, action):  # type: ignore[no-untyped-def]
        got, rules = real(decision, action)
        return diff_mod.ActionStatus(None, None) if got.strength else diff_mod.ActionStatus("avoid", "3"), rules

    monkeypatch.setattr(diff_mod._Engines, "outcome", staticmethod(wrong))
    res = run(BASE, str(CASES / "rule_removed.rules"))
    assert res.exit_code == 4 and "internal error" in res.stderr


# ---------------------------------------------------------------- --base GITREV


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    assert shutil.which("git") is not None, "`ruleproof diff --base` needs git; install it (apt-get install git)"
    root = tmp_path / "rules-repo"
    (root / "rulesets").mkdir(parents=True)
    shutil.copy(BASE, root / "rulesets" / "mini.rules")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "base")
    return root


def test_base_reads_old_from_git(repo: Path) -> None:
    path = repo / "rulesets" / "mini.rules"
    assert run("--base", "HEAD", str(path), "--fail-on-change").exit_code == 0
    shutil.copy(CASES / "rule_removed.rules", path)
    res = run("--base", "HEAD", str(path), "--fail-on-change", "--format", "json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["old"]["path"] == "HEAD:rulesets/mini.rules"
    assert doc["meaning"]["actions"][0]["action"] == "observe"


def test_base_with_several_files_and_new_ones(repo: Path) -> None:
    path = repo / "rulesets" / "mini.rules"
    other = repo / "rulesets" / "other.rules"
    shutil.copy(BASE, other)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "other")
    shutil.copy(CASES / "rule_removed.rules", other)
    res = run("--base", "HEAD", str(path), str(other), "--format", "json", "--fail-on-change")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert [d["meaning"]["status"] for d in doc["diffs"]] == ["unchanged", "changed"]
    added = repo / "rulesets" / "added.rules"
    shutil.copy(BASE, added)
    res = run("--base", "HEAD", "--skip-new", "--fail-on-change", str(path), str(added))
    assert res.exit_code == 0
    assert "added.rules: note: not in HEAD" in res.stderr
    assert res.stdout.count("ruleproof diff\n") == 1


def test_base_errors(repo: Path, tmp_path: Path) -> None:
    path = str(repo / "rulesets" / "mini.rules")
    res = run("--base", "nosuchrev", path)
    assert res.exit_code == 2 and "unknown git revision" in res.stderr
    new = repo / "rulesets" / "new.rules"
    shutil.copy(BASE, new)
    res = run("--base", "HEAD", str(new))
    assert res.exit_code == 2 and "rulesets/new.rules does not exist in HEAD" in res.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    shutil.copy(BASE, outside / "mini.rules")
    res = run("--base", "HEAD", str(outside / "mini.rules"))
    assert res.exit_code == 2 and "not inside a git repository" in res.stderr
    assert run(BASE, BASE, "--skip-new").exit_code == 2
    res = run("--base", "--help", path)  # a revision that git would take for an option
    assert res.exit_code == 2
    # A committed file that does not parse: the usual diagnostics, located at REV:PATH.
    (repo / "rulesets" / "mini.rules").write_text("ruleset broken", encoding="utf-8")
    _git(repo, "commit", "-qam", "break")
    shutil.copy(BASE, repo / "rulesets" / "mini.rules")
    res = run("--base", "HEAD", path)
    assert res.exit_code == 2 and res.stderr.startswith("HEAD:rulesets/mini.rules:1:")


# ---------------------------------------------------------------- the pieces


def test_pieces_of_ints_and_reals() -> None:
    rs = ruleset("input n: int [0, 10]\ninput w: real [0, 10]\naction a: t \"a\"\n"
                 "rule r \"r\" when n >= 3 and w > 2.5 recommend a category 1 sources [s]\n")
    joint = JointEncoding(rs, rs)
    finder = RegionFinder(joint)
    F = Fraction
    assert finder.pieces["n"] == (Piece(F(0), F(0)), Piece(F(0), F(3)), Piece(F(3), F(3)),
                                  Piece(F(3), F(10)), Piece(F(10), F(10)))
    assert [p.is_point for p in finder.pieces["w"]] == [True, False, True, False, True]
    n = joint.inputs[0]
    assert pieces(n, [F(1, 2), F(1)]) == (Piece(F(0), F(0)), Piece(F(1), F(1)), Piece(F(1), F(10)),
                                          Piece(F(10), F(10)))


def test_kind_change_and_new_enum_values() -> None:
    old = ruleset('input u: bool\ninput y: enum {a, b}\naction act: t "act"\n'
                  'rule r "r" when u and y == b recommend act category 1 sources [s]\n')
    new = ruleset('input u: enum {no, yes}\ninput y: enum {c, b, a}\naction act: t "act"\n'
                  'rule r "r" when u == yes and y == b recommend act category 1 sources [s]\n')
    joint = JointEncoding(old, new)
    assert [i.name for i in joint.inputs] == ["u", "u@new", "y"]
    assert joint.inputs[2].values == ("a", "b", "c")
    report = diff_rulesets(old, new)
    assert report.semantic.status == "changed"
    assert [v.side for v in report.semantic.validity] == ["new"]
    assert [r.text for r in report.semantic.validity[0].regions] == ["y = c"]
    changes = {(a.action, t.change): [r.text for r in t.regions] for a in report.semantic.actions
               for t in a.transitions}
    assert changes == {("act", "no longer given"): ["u and u@new = no and y = b"],
                       ("act", "newly given"): ["not u and u@new = yes and y = b"]}


def test_confirmed_examples_in_a_case_with_real_inputs() -> None:
    old = dsl.load_ruleset(BASE)
    new = dsl.load_ruleset(CASES / "threshold_moved.rules")
    report = diff_rulesets(old, new)
    assert confirm_report(report, old, new) == 2
    # The example's size is a short decimal a person would write.
    for a in report.semantic.actions:
        for t in a.transitions:
            size = t.regions[0].example["size_cm"]
            assert 5 < size <= 10 and round(size, 2) == size


def test_pre_commit_hooks_run_as_declared(repo: Path) -> None:
    """Each hook's `entry` in .pre-commit-hooks.yaml, run as pre-commit would (file names appended)."""
    from verifier.cli.check_cmd import check_command

    text = (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entries = dict(re.findall(r"^- id: (\S+)\n(?:  .*\n)*?  entry: ruleproof (.+)$", text, re.M))
    assert set(entries) == {"ruleproof-check", "ruleproof-diff", "ruleproof-gate"}
    assert re.findall(r"^  files: (.+)$", text, re.M) == [r"\.rules$"] * 3
    path = repo / "rulesets" / "mini.rules"
    from verifier.cli.gate_cmd import gate_command
    commands = {"check": check_command, "diff": diff_command, "gate": gate_command}

    def hook(hook_id: str, *files: Path) -> Result:
        name, *args = entries[hook_id].split()
        return CliRunner().invoke(commands[name], [*args, *map(str, files)])

    assert hook("ruleproof-check", path).exit_code == 0
    assert hook("ruleproof-diff", path).exit_code == 0
    shutil.copy(CASES / "threshold_moved.rules", path)
    added = repo / "rulesets" / "added.rules"
    shutil.copy(BASE, added)
    res = hook("ruleproof-diff", path, added)
    assert res.exit_code == 1 and "size_cm in (5, 10]" in res.stdout
    res = hook("ruleproof-gate", path, added)  # a change of advice with no regression suite updated
    assert res.exit_code == 1 and "not acknowledged" in res.stdout and "a new ruleset" in res.stdout
    assert hook("ruleproof-check", path, added).exit_code == 0
