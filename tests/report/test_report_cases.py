"""The report's generated-cases section (issue 13): staleness, counts by purpose, one example per purpose,
and `report --cases` taking the folder `cases --out` writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

import dsl
from tests.conftest import LIPO_RULES, REPO
from verifier.cli import cli
from verifier.report.cases_section import cases_section

GENERATED = REPO / "generated_cases" / "liposarcoma"
MANIFEST = GENERATED / "manifest.json"


def _section(rs: dsl.Ruleset, text: str) -> str:
    return cases_section(rs, MANIFEST, text)


def test_current_suite_counts_and_examples(lipo_ruleset: dsl.Ruleset) -> None:
    html = _section(lipo_ruleset, LIPO_RULES.read_text(encoding="utf-8"))
    assert "Current:" in html and "Stale" not in html
    summary = json.loads(MANIFEST.read_text())["summary"]
    row = re.search(r"<b>Rule witness</b>.*?</tr>", html, re.S).group(0)
    nums = re.findall(r"<td class='num'>([^<]*)</td>", row)
    assert nums[:2] == [str(summary["cases_by_first_purpose"]["witness"]), str(summary["purposes"]["witness"])]
    # One example per purpose the suite holds, each with its record and decision.
    kinds = [k for k in ("witness", "mcdc", "value", "boundary", "cell") if summary["cases_by_first_purpose"].get(k)]
    assert html.count("<div class='case'>") == len(kinds)
    assert html.count("<b>Expected decision:</b>") == len(kinds)
    assert "source_sha256" not in html and "… and" not in html  # no raw manifest dump


def test_a_stale_suite_is_flagged(lipo_ruleset: dsl.Ruleset) -> None:
    text = LIPO_RULES.read_text(encoding="utf-8")
    edited = text.replace("size_cm > 5", "size_cm > 6", 1)
    assert edited != text
    html = _section(lipo_ruleset, edited)
    assert '<p class="verdict bad"><b>Stale:</b>' in html and "rules file has changed" in html
    assert "--check" in html


def test_report_cases_takes_the_out_folder_or_its_parent(tmp_path: Path, monkeypatch) -> None:
    results = _results(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no Graphviz: no drawings, the test is about the cases section
    pages = []
    for cases in (GENERATED, GENERATED.parent):
        out = tmp_path / "deep" / f"{len(pages)}.html"  # -o creates the folders
        res = CliRunner().invoke(cli, ["report", str(LIPO_RULES), "-o", str(out), "--no-timing", "--cases", str(cases),
                                       "--results", str(results)])
        assert res.exit_code == 0, res.output
        pages.append(out.read_text())
    total = len(list((GENERATED / "cases").glob("*.json")))
    assert pages[0] == pages[1] and f"{total} cases by purpose" in pages[0]


def test_report_cases_never_silently_shows_nothing(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["report", str(LIPO_RULES), "-o", str(tmp_path / "r.html"),
                                   "--cases", str(tmp_path / "nowhere")])
    assert res.exit_code == 2 and "no generated cases here" in res.stderr
    other = tmp_path / "other"
    other.mkdir()
    (other / "manifest.json").write_text(json.dumps({"ruleset": "wound_care"}))
    res = CliRunner().invoke(cli, ["report", str(LIPO_RULES), "-o", str(tmp_path / "r.html"), "--cases", str(other)])
    assert res.exit_code == 2 and "cases of ruleset 'wound_care'" in res.stderr
    assert not (tmp_path / "r.html").exists()


def _results(tmp_path: Path) -> Path:
    """Saved check results with nothing to draw from: the test is about the cases section."""
    res = CliRunner().invoke(cli, ["check", str(LIPO_RULES), "--format", "json", "--no-timing"])
    path = tmp_path / "check.json"
    path.write_text(res.stdout)
    return path
