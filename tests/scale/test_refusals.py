"""graph, report and mutate refuse a too-large ruleset early: exit 2, the reason, what to run instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dsl import check_text, load_ruleset
from verifier.graph import scale as graph_scale
from verifier.mutation import scale as mutation_scale
from tests.scale.tables import table, table_text


@pytest.fixture()
def table_file(tmp_path: Path) -> Path:
    path = tmp_path / "t.rules"
    path.write_text(table_text(20, 4), encoding="utf-8")
    return path


def test_shipped_rulesets_are_drawn_and_mutated() -> None:
    for name in ("liposarcoma", "af_stroke", "hepb_perinatal"):
        rs = load_ruleset(f"rulesets/{name}.rules")
        assert graph_scale.too_large(rs) is None
        assert mutation_scale.too_large(rs) is None


def test_a_large_table_is_too_large_for_both() -> None:
    rs = table(120, 7)
    assert "nodes" in (graph_scale.too_large(rs) or "")
    assert "mutants" in (mutation_scale.too_large(rs) or "")


@pytest.mark.parametrize("view", ["rules", "decision"])
def test_graph_refuses_before_drawing(table_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      view: str) -> None:
    from verifier.cli.graph_cmd import graph_command

    monkeypatch.setattr(graph_scale, "DRAW_LIMIT", 20)
    out = tmp_path / "g.svg"
    result = CliRunner().invoke(graph_command, [str(table_file), "--view", view, "-o", str(out)])
    assert result.exit_code == 2
    assert "not drawn" in result.output and "past the 20" in result.output
    assert f"ruleproof check {table_file}" in result.output and "--force" in result.output
    assert not out.exists()
    forced = CliRunner().invoke(graph_command, [str(table_file), "--view", view, "-o", str(tmp_path / "g.dot"),
                                                "--force"])
    assert forced.exit_code == 0, forced.output
    # The rules view's DOT text needs no layout: written without --force; the decision view's is refused.
    dot = CliRunner().invoke(graph_command, [str(table_file), "--view", view, "-o", str(tmp_path / "h.dot")])
    assert dot.exit_code == (0 if view == "rules" else 2), dot.output


def test_rules_view_of_a_deep_definition_chain() -> None:
    from verifier.cli.graph_cmd import graph_source
    from tests.scale.test_reads import _chain

    rs, _ = check_text(_chain(2500), "chain.rules")
    source = graph_source(rs, "rules", None, False, None)
    assert "d2500" in source and "d1" in source


def test_report_refuses_to_run_every_check_of_a_large_ruleset(table_file: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.cli import report_cmd

    # A rule the box reading does not take (a numeric !=): every check would go to Z3 rule by rule.
    table_file.write_text(table_file.read_text(encoding="utf-8")
                          + 'rule odd "not a box"\n  when c0 != 5\n  recommend decision__low category 3 sources [dmn]\n',
                          encoding="utf-8")
    monkeypatch.setattr(report_cmd, "CHECK_RULES_LIMIT", 10)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(report_cmd.report_command, [str(table_file), "-o", str(out)])
    assert result.exit_code == 2
    assert "--results check.json" in result.output and f"ruleproof check {table_file} --format json" in result.output
    assert not out.exists()


def test_report_runs_the_checks_of_a_large_table_read_as_boxes(table_file: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.cli import report_cmd

    monkeypatch.setattr(report_cmd, "CHECK_RULES_LIMIT", 10)  # 20 rows: past it
    out = tmp_path / "r.html"
    result = CliRunner().invoke(report_cmd.report_command, [str(table_file), "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert out.exists() and "proved" in result.output


def test_report_leaves_out_the_drawings_of_a_large_table(table_file: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.cli import report_cmd

    monkeypatch.setattr(graph_scale, "DRAW_LIMIT", 20)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(report_cmd.report_command, [str(table_file), "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert "drawings are left out" in result.output
    assert out.exists()


def test_mutate_refuses_before_making_mutants(table_file: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.cli.mutate_cmd import mutate_command

    monkeypatch.setattr(mutation_scale, "WORK_LIMIT", 1000)
    result = CliRunner().invoke(mutate_command, [str(table_file), "--cases", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "not analysed" in result.output and "at least" in result.output and "--force" in result.output
