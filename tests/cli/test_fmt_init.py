"""`ruleproof fmt` (canonical, idempotent, meaning unchanged, comments kept) and `ruleproof init`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import dsl
from dsl.formatter import comments, format_rules, same_meaning
from tests.conftest import LIPO_RULES, REPO
from verifier.cli import cli

# Every rules file of the repository that parses: the real ruleset, the README's, the diff corpus,
# and the checker's golden cases (type errors included: those must stay the same errors).
README_RULES = re.findall(r"```rules\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), flags=re.S)
CORPUS = sorted([LIPO_RULES, *(REPO / "tests" / "diff_cases").glob("*.rules"),
                 *(REPO / "tests" / "dsl_cases").glob("*.rules")])


def _texts() -> list[tuple[str, str]]:
    out = [(str(p.relative_to(REPO)), p.read_text(encoding="utf-8")) for p in CORPUS]
    out += [(f"README block {k}", t) for k, t in enumerate(README_RULES)]
    parsed = []
    for name, text in out:
        try:
            dsl.parser.parse(text, name)
        except dsl.RulesetError:
            continue  # a syntax error: fmt refuses it (tested below)
        parsed.append((name, text))
    return parsed


TEXTS = _texts()


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.mark.parametrize("name, text", TEXTS, ids=[n for n, _ in TEXTS])
def test_fmt_is_idempotent_keeps_meaning_and_comments(name: str, text: str) -> None:
    once = format_rules(text, name)
    assert format_rules(once, name) == once
    assert same_meaning(text, once)
    assert [c.text for c in comments(once)] == [c.text for c in comments(text)]


def test_corpus_is_not_trivial() -> None:
    assert len(TEXTS) >= 30 and any("phase" in t for _, t in TEXTS)


def test_same_meaning_notices_a_change() -> None:
    text = LIPO_RULES.read_text(encoding="utf-8")
    assert not same_meaning(text, text.replace("size_cm > 5", "size_cm > 6", 1))
    assert not same_meaning(text, text.replace("category 1 ", "category 2A ", 1))


MESSY = '''# head comment
ruleset   t version "1"
source s "S"   year 2020
input a :bool doc "A \\"quoted\\" doc"   # why a
input n: int [0, 9]


define d = (a and n > 2) or (not a and (n < 1))
action go: t "X"
action stay: t "Y"
phase p "P" when a {
    # inside
    rule r1 "R1" when d recommend go category 1 sources [s] because "why"
  rule r2 "R2" when n >= 3 and n <= 8 consider one of {go, stay} category 2A sources [s]
}
conflict go with {stay}
property P1 "p": given(go) implies (a implies d)
# tail
'''

CANONICAL = '''# head comment
ruleset t version "1"
source s "S" year 2020
# why a
input a: bool doc "A \\"quoted\\" doc"
input n: int [0, 9]

define d = (a and n > 2) or (not a and n < 1)
action go: t "X"
action stay: t "Y"
phase p "P" when a {
  # inside
  rule r1 "R1"
    when d
    recommend go category 1 sources [s]
    because "why"
  rule r2 "R2"
    when n >= 3 and n <= 8
    consider one of {go, stay} category 2A sources [s]
}
conflict go with {stay}
property P1 "p":
  given(go) implies a implies d
# tail
'''


def test_fmt_canonical_layout() -> None:
    assert format_rules(MESSY) == CANONICAL
    assert same_meaning(MESSY, CANONICAL)


def test_fmt_breaks_long_conditions_and_keeps_them_parseable() -> None:
    names = [f"flag_number_{k}" for k in range(12)]
    text = 'ruleset t version "1"\nsource s "S"\n' + "".join(f"input {n}: bool\n" for n in names) + \
        'action go: t "X"\nrule r "R" when ' + " and ".join(names) + " recommend go category 1 sources [s]\n"
    out = format_rules(text)
    when = [line for line in out.splitlines() if line.strip().startswith(("when", "and"))]
    assert len(when) >= 2 and all(len(line) <= 100 for line in when)
    assert same_meaning(text, out)


def test_fmt_command_check_diff_write_and_stdin(tmp_path: Path) -> None:
    path = tmp_path / "m.rules"
    path.write_text(MESSY, encoding="utf-8")
    res = run("fmt", "--check", str(path))
    assert res.exit_code == 1 and "not formatted" in res.stderr
    res = run("fmt", "--diff", str(path))
    assert res.exit_code == 1 and "+  rule r1" in res.stdout and path.read_text(encoding="utf-8") == MESSY
    res = run("fmt", str(path))
    assert res.exit_code == 0 and path.read_text(encoding="utf-8") == CANONICAL
    assert run("fmt", "--check", str(path)).exit_code == 0
    res = run("fmt", "-", input=MESSY)
    assert res.exit_code == 0 and res.stdout == CANONICAL


def test_fmt_refuses_a_syntax_error_and_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.rules"
    broken = 'ruleset t version "1"\ninput a: bool\ndefine d = a and\n'
    path.write_text(broken, encoding="utf-8")
    res = run("fmt", str(path), str(tmp_path / "missing.rules"))
    assert res.exit_code == 2
    assert "bad.rules:3:17: error: unexpected end of file" in res.stderr and "missing.rules: error" in res.stderr
    assert path.read_text(encoding="utf-8") == broken


def test_fmt_of_the_real_ruleset_proves_unchanged_with_diff(tmp_path: Path) -> None:
    """The semantic diff is the independent judge: Z3 finds no patient whose advice moved."""
    out = tmp_path / "formatted.rules"
    out.write_text(format_rules(LIPO_RULES.read_text(encoding="utf-8"), str(LIPO_RULES)), encoding="utf-8")
    res = run("diff", str(LIPO_RULES), str(out), "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert "UNCHANGED" in json.dumps(doc).upper() or doc.get("unchanged") is True, doc


# ---------------------------------------------------------------- init


def test_init_creates_a_project_that_proves_and_evaluates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = run("init", "stroke")
    assert res.exit_code == 0, res.output
    root = tmp_path / "stroke"
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == {
        "stroke.rules", "examples/patient.json", ".github/workflows/ruleproof.yml"}
    monkeypatch.chdir(root)
    res = run("check", "stroke.rules", "--format", "json")
    assert res.exit_code == 0, res.output
    statuses = {r["status"] for r in json.loads(res.stdout)["rulesets"][0]["results"]}
    assert statuses == {"proved"} and not json.loads(res.stdout)["rulesets"][0]["warnings"]
    res = run("eval", "stroke.rules", "examples/patient.json", "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["recommendations"][0]["action"] == "treat"
    assert run("fmt", "--check", "stroke.rules").exit_code == 0
    assert "ruleproof check" in (root / ".github/workflows/ruleproof.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name, why", [("2fast", "not a valid ruleset name"), ("kind", "reserved word")])
def test_init_refuses_bad_names(name: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = run("init", name)
    assert res.exit_code == 2 and why in res.stderr and not any(tmp_path.iterdir())


def test_init_never_overwrites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "keep.txt").write_text("mine", encoding="utf-8")
    res = run("init", "proj")
    assert res.exit_code == 2 and "not empty" in res.stderr
    assert [p.name for p in (tmp_path / "proj").iterdir()] == ["keep.txt"]
