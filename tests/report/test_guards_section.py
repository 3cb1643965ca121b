"""The report's guard-strength section reads the committed mutation report."""

from __future__ import annotations

import json
from pathlib import Path

from verifier.report.guards import guards_section

SUITE = Path(__file__).resolve().parents[2] / "generated_cases" / "liposarcoma"


def test_section_from_a_mutation_report(tmp_path: Path) -> None:
    doc = {"guards": {"overall": {"refuted": 9, "non_equivalent": 12, "rate": 0.75},
                      "by_rule": {"r_weak": {"refuted": 1, "non_equivalent": 4, "rate": 0.25},
                                  "r_strong": {"refuted": 8, "non_equivalent": 8, "rate": 1.0}},
                      "unguarded_rules": ["r_weak"]}}
    (tmp_path / "mutation-report.json").write_text(json.dumps(doc), encoding="utf-8")
    html = guards_section(tmp_path)
    assert "<strong>75.0%</strong>" in html and "<code>r_weak</code>" in html
    assert "r_strong" not in html  # fully guarded rules are not listed
    assert "Rules no property guards: <code>r_weak</code>" in html


def test_no_report_no_section(tmp_path: Path) -> None:
    assert guards_section(tmp_path) == "" and guards_section(None) == ""
    (tmp_path / "mutation-report.json").write_text("{not json", encoding="utf-8")
    assert guards_section(tmp_path) == ""


def test_committed_liposarcoma_report_has_guard_strength() -> None:
    guards = json.loads((SUITE / "mutation-report.json").read_text(encoding="utf-8"))["guards"]
    assert guards["overall"]["rate"] >= 0.9 and guards["unguarded_rules"] == []
    assert "Guard strength" in guards_section(SUITE)
