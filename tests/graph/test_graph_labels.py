"""Labels mode: drawings in the ruleset's words (docs, titles, labels), identifiers kept in small type."""

from __future__ import annotations

import html
from pathlib import Path

from click.testing import CliRunner

import dsl
from verifier.cli.graph_cmd import graph_command
from verifier.graph.decision import build_view
from verifier.graph.decision_dot import decision_dot
from verifier.graph.labels import Wording, short_doc
from verifier.graph.rules_view import condition_text, rules_view

from tests.conftest import LIPO_RULES


def test_short_doc_takes_the_first_clause() -> None:
    assert short_doc("Primary site; extremity and trunk wall are covered.") == "Primary site"
    assert short_doc("Greatest tumour dimension (a 7 x 8 cm mass is 8).") == "Greatest tumour dimension"
    assert short_doc("Re-excision possible without major morbidity.") == "Re-excision possible without major morbidity"
    long = short_doc("word " * 40)
    assert len(long) <= 60 and long.endswith("…")


def test_wording_names_inputs_by_their_docs(lipo_ruleset: dsl.Ruleset) -> None:
    words = Wording(lipo_ruleset, labels=True)
    assert words.name("reexcision_feasible") == "Re-excision possible without major morbidity"
    assert words.name("high_risk") == "High grade, deep and larger than 5 cm"
    # A doc that opens with one of the input's own values explains values, not the input.
    assert words.name("metastatic_status") == "metastatic status"
    assert words.value("well_differentiated") == "well differentiated"
    plain = Wording(lipo_ruleset)
    assert plain.name("reexcision_feasible") == "reexcision_feasible" and plain.value("well_differentiated") == "well_differentiated"


def test_condition_text_in_labels_mode(lipo_ruleset: dsl.Ruleset) -> None:
    rule = lipo_ruleset.rule("postop_r1_rt")
    texts = [condition_text(c, Wording(lipo_ruleset, True)) for c in rule.when.args]
    assert "WHO subtype is not well differentiated" in texts
    assert "not Re-excision possible without major morbidity" in texts


def test_rules_view_labels_lead_with_words_and_keep_ids(lipo_ruleset: dsl.Ruleset) -> None:
    dot = html.unescape(rules_view(lipo_ruleset, phase="postop", labels=True))
    plain = html.unescape(rules_view(lipo_ruleset, phase="postop"))
    rule = lipo_ruleset.rule("postop_r1_rt")
    action = lipo_ruleset.action("postoperative_rt")
    assert f"<b>{rule.title}" in dot.replace("<br/>", " ") and f"<b>{rule.id}</b>" in plain
    assert f">{rule.id}</font>" in dot  # the id is still there, in small type
    assert f"<b>{action.label}" in dot.replace("<br/>", " ")
    assert "<b>Re-excision possible" in dot and "<b>Re-excision possible" not in plain


def test_decision_view_labels_ask_in_words(lipo_ruleset: dsl.Ruleset) -> None:
    view = build_view(lipo_ruleset)
    dot = html.unescape(decision_dot(view, phase="postop", labels=True)).replace("<br/>", " ")
    plain = html.unescape(decision_dot(view, phase="postop"))
    assert "<b>reexcision_feasible?</b>" in plain and "reexcision_feasible?" not in dot
    assert "Re-excision possible without major morbidity?" in dot
    assert "Postoperative radiotherapy (60-66 Gy)" in dot  # leaves name actions by label
    assert "well differentiated" in dot  # enum answers in words


def test_graph_labels_option(tmp_path: Path) -> None:
    out = tmp_path / "a" / "postop.dot"
    out.parent.mkdir()
    res = CliRunner().invoke(graph_command, [str(LIPO_RULES), "--view", "decision", "--phase", "postop", "--labels",
                                             "-o", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "Re-excision possible without major morbidity?" in html.unescape(out.read_text(encoding="utf-8")).replace("<br/>", " ")
