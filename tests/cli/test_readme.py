"""The README's complete example ruleset checks, proves and evaluates as the README says."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import REPO
from verifier.cli import cli


def _example(tmp_path: Path) -> Path:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```rules\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "the README holds exactly one complete example ruleset"
    path = tmp_path / "wound.rules"
    path.write_text(blocks[0], encoding="utf-8")
    return path


def test_readme_example_proves(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["check", str(_example(tmp_path)), "--format", "json"])
    assert res.exit_code == 0, res.output
    results = json.loads(res.stdout)["rulesets"][0]["results"]
    assert results and all(r["status"] == "proved" for r in results)


def test_readme_example_evaluates_as_shown(tmp_path: Path) -> None:
    record = {"site": "head", "depth_mm": 6, "infected": True, "reviewed": True}
    res = CliRunner().invoke(cli, ["eval", str(_example(tmp_path)), "-", "--format", "json"], input=json.dumps(record))
    assert res.exit_code == 0, res.stderr
    got = {r["action"]: (r["strength"], r["category"]) for r in json.loads(res.stdout)["recommendations"]}
    assert got == {"antibiotics": ("recommend", "1"), "debridement": ("consider", "3")}


def test_readme_flawed_variant_is_refuted(tmp_path: Path) -> None:
    """The README shows check refusing a variant; that refusal is real."""
    good = _example(tmp_path).read_text()
    marker = "    consider debridement category 3 sources [local2025]\n"
    assert marker in good
    bad = tmp_path / "bad.rules"
    bad.write_text(good.replace(marker, marker + "    recommend dressing category 2A sources [local2025]\n"))
    res = CliRunner().invoke(cli, ["check", str(bad), "--format", "json"])
    assert res.exit_code == 1
    refuted = [r for r in json.loads(res.stdout)["rulesets"][0]["results"] if r["status"] == "refuted"]
    assert [r["property"] for r in refuted] == ["conflict(debridement,dressing)"]
    cx = refuted[0]["counterexample"]
    assert cx["site"] == "head" and cx["reviewed"] is True and cx["depth_mm"] > 5


def test_readme_strategy_example_runs(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The README's Hypothesis example, executed as written from the repository root."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "verifier.cases.strategies" in b]
    assert len(blocks) == 1, "the README shows one example of the public strategies"
    monkeypatch.chdir(REPO)
    scope: dict[str, object] = {}
    exec(compile(blocks[0], "<README.md: strategies example>", "exec"), scope)  # noqa: S102 - our own documentation
    tests = [v for k, v in scope.items() if k.startswith("test_") and callable(v)]
    assert len(tests) == 1
    tests[0]()  # runs the @given test: Hypothesis draws the records


def test_examples_ship_the_readme_ruleset_and_its_flawed_variant(tmp_path: Path) -> None:
    """examples/wound.rules is the README's block verbatim; the flawed copy differs by one outcome line."""
    shown = _example(tmp_path).read_text(encoding="utf-8")
    assert (REPO / "examples" / "wound.rules").read_text(encoding="utf-8") == shown
    flawed = (REPO / "examples" / "wound_flawed.rules").read_text(encoding="utf-8")
    assert "    recommend dressing category 2A sources [local2025]\n" in flawed
