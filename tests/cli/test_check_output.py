"""`ruleproof check` output (issue 13): a summary by default, detail for what is not proved,
failures named last, --only, and counterexamples a user can reuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from click.testing import CliRunner

from tests.conftest import LIPO_RULES, REPO
from tests.verifier_helpers import HEADER, rule
from verifier.cli import cli

FLAWED = str(REPO / "examples" / "wound_flawed.rules")

GAPPY = (
    "input site: enum {limb, trunk, head}\ninput depth: real [0, 50]\ninput infected: bool\n"
    "action a1: k \"A1\"\naction a2: k \"A2\"\n"
    + rule("r1", "site == limb", "recommend a1")
    + rule("r2", "site == trunk and depth > 5", "recommend a2")
    + rule("r3", "site == head and infected", "consider a2")
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_a_proved_ruleset_prints_a_short_summary() -> None:
    res = run("check", str(LIPO_RULES))
    assert res.exit_code == 0
    lines = res.stdout.strip().splitlines()
    assert len(lines) < 12, res.stdout
    assert "dead rules" in res.stdout and "47 proved" in res.stdout
    assert "proved   P1" not in res.stdout and "NOT PROVED" not in res.stdout
    verbose = run("check", str(LIPO_RULES), "--verbose")
    assert "proved   P1" in verbose.stdout and "coverage matrix cells" in verbose.stdout
    assert len(verbose.stdout.splitlines()) > 100


def test_a_refutation_is_detailed_and_named_on_the_last_line() -> None:
    res = run("check", FLAWED)
    assert res.exit_code == 1
    lines = res.stdout.strip().splitlines()
    assert lines[-1] == "NOT PROVED: conflict(debridement,dressing) (refuted)"
    assert "REFUTED  conflict(debridement,dressing)" in res.stdout
    assert "proved   fires(" not in res.stdout  # proved checks are counted, not listed


def test_counterexample_reads_first_definitions_and_one_json_line() -> None:
    res = run("check", FLAWED)
    out = res.stdout.splitlines()
    k = out.index("             inputs the failing formula reads:")
    assert out[k + 1].split() == ["site=head", "depth_mm=6", "reviewed=true"]
    assert "deep=true" in res.stdout
    line = next(ln for ln in out if ln.strip().startswith("{"))
    record = json.loads(line)
    assert list(record)[:3] == ["site", "depth_mm", "reviewed"] and set(record) == {"site", "depth_mm", "reviewed", "infected"}
    ev = CliRunner().invoke(cli, ["eval", FLAWED, "-", "--format", "json"], input=line)
    assert ev.exit_code == 0
    given = {r["action"] for r in json.loads(ev.stdout)["recommendations"]}
    assert {"debridement", "dressing"} <= given
    js = json.loads(run("check", FLAWED, "--format", "json").stdout)
    (r,) = [x for x in js["rulesets"][0]["results"] if x["status"] == "refuted"]
    assert r["depends_on"] == ["site", "depth_mm", "reviewed"] and r["definitions"]["deep"] is True


def test_only_filters_checks_and_the_exit_code() -> None:
    res = run("check", FLAWED, "--only", "P1,coverage")
    assert res.exit_code == 0 and "invariants" in res.stdout and "contradictions" not in res.stdout
    res = run("check", FLAWED, "--only", "contradiction")
    assert res.exit_code == 1 and "dead rules" not in res.stdout
    res = run("check", FLAWED, "--only", "coverag")
    assert res.exit_code == 2 and "--only coverag" in res.stderr and "did you mean 'coverage'" in res.stderr


def test_coverage_gaps_are_listed_as_regions_and_saved(tmp_path: Path) -> None:
    rules = tmp_path / "gappy.rules"
    rules.write_text(HEADER + GAPPY)
    out = tmp_path / "deep" / "cx"
    res = run("check", str(rules), "--save-counterexamples", str(out))
    assert res.exit_code == 1
    assert "records that get nothing, by region (2):" in res.stdout
    assert "site = head and not infected" in res.stdout and "site = trunk and depth <= 5" in res.stdout
    files = sorted(p.name for p in (out / "t").glob("*.json"))
    assert files == ["coverage-gap-1.json", "coverage-gap-2.json", "coverage.json"]
    for name in files:
        ev = run("eval", str(rules), str(out / "t" / name), "--format", "json")
        assert ev.exit_code == 0, ev.stderr
        assert not json.loads(ev.stdout)["recommendations"], name  # each saved record is a real gap


def test_past_max_rules_gap_regions_are_not_searched_and_say_why(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.counterexamples import gaps

    monkeypatch.setattr(gaps, "MAX_RULES", 1)  # the small ruleset stands for one of thousands of rules
    rules = tmp_path / "gappy.rules"
    # Arithmetic is not a box: the ruleset is not read as a decision table, so only Z3 could search.
    rules.write_text(HEADER + GAPPY.replace("depth > 5", "depth + depth > 10"))
    res = run("check", str(rules))
    assert res.exit_code == 1  # coverage is still refuted, with its counterexample
    assert "records that get nothing, by region: not searched for a ruleset of" in res.stdout
    assert "ruleproof tables FILE.dmn" in res.stdout
    doc = json.loads(run("check", str(rules), "--format", "json").stdout)
    [cov] = [r for r in doc["rulesets"][0]["results"] if r["property"] == "coverage"]
    assert cov["status"] == "refuted" and cov["gap_regions"]["regions"] == []
    assert cov["gap_regions"]["skipped"].startswith("not searched")


def test_past_max_rules_a_decision_table_still_gets_its_gap_regions(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.counterexamples import gaps

    monkeypatch.setattr(gaps, "MAX_RULES", 1)
    rules = tmp_path / "gappy.rules"
    rules.write_text(HEADER + GAPPY)  # read as boxes: the regions come from box algebra, at any size
    res = run("check", str(rules))
    assert res.exit_code == 1
    assert "records that get nothing, by region (2):" in res.stdout
    assert "site = head and not infected" in res.stdout and "site = trunk and depth <= 5" in res.stdout
    assert "not searched" not in res.stdout
