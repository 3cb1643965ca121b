"""Graphviz must draw rule text as written: its own escapes (\\N, \\G, \\E, \\l)
and HTML entities in a label are text, not instructions (issue 10, D21)."""

from __future__ import annotations

import html
import re

import graphviz

import dsl
from verifier.graph.decision import build_view
from verifier.graph.decision_dot import decision_dot
from verifier.graph.render import esc, plain, render, tooltip
from verifier.graph.rules_view import rules_view

TRICKY = r"x \N \G \E \T \H \L \l \n \\ \" &amp; &lt; &#92; <b> ok"


def _svg_texts(svg: bytes) -> tuple[list[str], list[str]]:
    text = svg.decode("utf-8")
    shown = [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", text)]
    tips = [html.unescape(t) for t in re.findall(r'xlink:title="(.*?)"', text)]
    return shown, tips


def test_every_kind_of_label_round_trips_through_dot() -> None:
    g = graphviz.Digraph(name="G", graph_attr={"label": plain(TRICKY)})
    g.node("a", f"<{esc(TRICKY)}>", tooltip=tooltip(TRICKY))
    g.node("b", plain(TRICKY))
    g.edge("a", "b", label=plain(TRICKY))
    shown, tips = _svg_texts(render(g.source, "svg"))
    assert shown == [TRICKY] * 4  # graph title, HTML label, plain label, edge label
    assert tips == [TRICKY]


RULES = r'''ruleset g version "1"
source s "S"
input flag: bool doc "asks \N and \G"
action a: treatment "give \N &amp; \E"
rule r "when \G holds" when flag recommend a category 1 sources [s]
rule r2 "other" when not flag consider a category 1 sources [s]
'''


def test_rule_text_is_drawn_as_written() -> None:
    rs = dsl.parse_ruleset(RULES, "g.rules")
    shown, tips = _svg_texts(render(rules_view(rs), "svg"))
    joined = " ".join(shown)
    assert r"give \N &amp; \E" in joined
    assert r"when \G holds" in joined
    assert r"asks \N and \G" in tips
    shown, _ = _svg_texts(render(decision_dot(build_view(rs)), "svg"))
    assert not any("g_decision" in t or "g_rules" in t for t in shown)  # \G never became the graph's name
