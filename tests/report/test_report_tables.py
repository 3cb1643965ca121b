"""`ruleproof report --tables FILE.dmn`: the decision-table analysis in the review report (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import dsl
from verifier.cli import cli
from verifier.dmn import read_dmn, translate
from verifier.dmn.analysis import analyse
from verifier.dmn.analysis_render import to_json
from verifier.dmn.synthetic import synthetic_dmn
from verifier.report import tables_section as section
from verifier.report.html import build_html


@pytest.fixture(scope="module")
def table() -> tuple[dsl.Ruleset, dict]:
    model = read_dmn(synthetic_dmn(80, 5, perturb=0.3).encode(), "t.dmn")
    return dsl.parse_ruleset(translate(model).text, "t.rules"), to_json("t.dmn", analyse(model))


def _section(page: str) -> str:
    found = re.search(r'<section class="card" id="tables">.*?</section>', page, re.S)
    assert found is not None
    return found.group()


def test_the_section_lists_every_finding_with_its_counts(table: tuple[dsl.Ruleset, dict]) -> None:
    rs, analysis = table
    [t] = analysis["tables"]
    assert t["overlaps"] and t["gaps"]  # the perturbed table has both, so the test means something
    page = build_html(rs, None, tables=("t.dmn", analysis))
    body = _section(page)
    assert f"{len(t['overlaps'])} overlaps" in body and f"{len(t['gaps'])} gaps" in body
    assert body.count("<tr><td><span class=\"pill") == min(len(t["overlaps"]), section.SHOWN)
    for o in t["overlaps"][:section.SHOWN]:
        assert f"<td>{', '.join(map(str, o['rows']))}</td>" in body
    assert '<a href="#tables">' in page
    # Without --tables there is no such section, and the page is otherwise the same kind of page.
    assert 'id="tables"' not in build_html(rs, None)


def test_long_lists_are_cut_and_say_how_to_see_all(table: tuple[dsl.Ruleset, dict],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rs, analysis = table
    [t] = analysis["tables"]
    monkeypatch.setattr(section, "SHOWN", 2)
    body = _section(build_html(rs, None, tables=("t.dmn", analysis)))
    assert f"and {len(t['overlaps']) - 2} more" in body and "ruleproof tables t.dmn" in body
    assert body.count("<tr><td><span class=\"pill") == 2


def test_a_bad_dmn_file_fails_before_any_check(tmp_path: Path) -> None:
    rules = tmp_path / "t.rules"
    rules.write_text('ruleset t version "1"\ninput q: bool\n', encoding="utf-8")
    bad = tmp_path / "bad.dmn"
    bad.write_text("<definitions><decision", encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", str(rules), "--tables", str(bad), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 2 and "bad.dmn" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "r.html").exists()
