"""Drawing a ruleset for reviewers: shared style, and rendering through Graphviz's ``dot``.

Two views are built as DOT text (``verifier.graph.rules_view``: inputs, rules and
actions; ``verifier.graph.decision_dot``: the decision diagram) and rendered
here by the real ``dot`` binary through the ``graphviz`` package. DOT output
needs no binary. Everything emitted is sorted or in declaration order, so the
same ruleset always gives byte-identical DOT.
"""

from __future__ import annotations

import html
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import graphviz

from dsl import model as m

FORMATS = ("svg", "png", "pdf", "dot")

# Strength colours: (fill, border/edge). Green / amber / red read as go / maybe / stop to
# clinicians; the edges also differ in style (solid, dashed, barred) for readers who cannot
# tell the colours apart.
STRENGTH_COLOURS = {
    "recommend": ("#d8f0d2", "#2e7d32"),
    "consider": ("#fff1c7", "#b26a00"),
    "avoid": ("#fbd9d7", "#c62828"),
}
HIGHLIGHT = "#1a56db"  # a patient's path or a counterexample's: a blue no strength uses
HIGHLIGHT_FILL = "#dbe7ff"
MUTED = "#6b7280"
FONT = "Helvetica"

GRAPH_ATTRS = {
    "fontname": FONT,
    "fontsize": "12",
    "newrank": "true",
    "nodesep": "0.18",
    "ranksep": "0.45",
    "bgcolor": "white",
    "pad": "0.2",
}
NODE_ATTRS = {"fontname": FONT, "fontsize": "11", "margin": "0.08,0.04"}
EDGE_ATTRS = {"fontname": FONT, "fontsize": "9", "arrowsize": "0.6", "color": "#4b5563"}


class GraphvizMissing(Exception):
    """The ``dot`` binary is not installed; only DOT output is possible."""

    def __init__(self) -> None:
        super().__init__(
            "Graphviz's `dot` program is not installed, so only .dot output is possible. "
            "Install it (Debian/Ubuntu: `sudo apt-get install graphviz`; macOS: `brew install graphviz`) "
            "or write DOT with -o FILE.dot."
        )


@dataclass(frozen=True, slots=True)
class Highlight:
    """What to mark on a view: the rules a record fires and the record itself (for the path)."""

    title: str
    record: dict[str, Any]
    fired: frozenset[str]


# Graphviz reads its own escapes in labels (\\N the node's name, \\G the
# graph's, \\E the edge's, \\l a line break) and HTML entities even in plain
# strings. Rule text must be drawn as written, so every backslash and every
# ampersand is escaped; the counts below were found by rendering with dot
# (tests/graph/test_graph_hostile.py checks the round trip).


def esc(text: str) -> str:
    """Text for inside an HTML-like Graphviz label."""
    return html.escape(text, quote=True).replace("\\", "\\\\")


def plain_text(text: str) -> str:
    """Text for a plain (non-HTML) Graphviz label, shown as written."""
    return text.replace("\\", "\\\\").replace("&", "&amp;")


def plain(text: str) -> str:
    """A plain Graphviz label: never read as HTML, shown as written."""
    return graphviz.nohtml(plain_text(text))


def wrap(text: str, width: int = 28) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [""]


def html_lines(text: str, width: int = 28) -> str:
    """Wrapped, escaped lines joined by Graphviz line breaks."""
    return "<br/>".join(esc(line) for line in wrap(text, width))


def new_digraph(name: str, rankdir: str, title: str) -> graphviz.Digraph:
    attrs = dict(GRAPH_ATTRS, rankdir=rankdir, label=plain(title), labelloc="t", labeljust="l", fontsize="16")
    return graphviz.Digraph(name=name, graph_attr=attrs, node_attr=NODE_ATTRS, edge_attr=EDGE_ATTRS)


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render(source: str, fmt: str, dpi: int | None = None) -> bytes:
    """DOT text rendered by ``dot`` into ``fmt`` (svg, png, pdf), or the DOT itself for ``dot``.

    ``dpi`` sets the resolution of a PNG (Graphviz's default is 96).
    """
    if dpi is not None:
        # The first line opens the graph: the attribute applies to the whole drawing.
        head, _, rest = source.partition("\n")
        source = f"{head}\n\tgraph [dpi={int(dpi)}]\n{rest}"
    if fmt == "dot":
        return source.encode("utf-8")
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not dot_available():
        raise GraphvizMissing()
    try:
        return graphviz.Source(source).pipe(format=fmt, engine="dot")
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing() from None


def format_for(path: str | Path) -> str:
    """The output format named by a file's extension."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise ValueError(f"{path}: cannot tell the format from the extension; use .svg, .png, .pdf or .dot")


def tooltip(text: str) -> str:
    """A DOT string for a tooltip: never read as HTML, shown as written (a tooltip
    goes through Graphviz's escape expansion twice, hence four backslashes)."""
    return graphviz.nohtml(text.replace("\\", "\\\\\\\\").replace("&", "&amp;"))


class NoCounterexample(Exception):
    """The named check has no counterexample record to show (unknown name, proved, or a dead rule)."""


def highlight_record(ruleset: m.Ruleset, record: Mapping[str, Any], title: str) -> Highlight:
    """A highlight for one record: validated by the engine (raises ``engine.RecordError``), its fired rules."""
    from engine import compile_ruleset

    ev = compile_ruleset(ruleset)
    valid = ev.validate(dict(record))
    return Highlight(title, dict(valid), frozenset(ev.evaluate(valid).fired))


def counterexample_highlight(ruleset: m.Ruleset, check: str, timeout_s: float | None = None) -> Highlight:
    """Run the verifier's checks and highlight the counterexample of ``check`` (a property id,
    a coverage id, or a built-in name such as ``conflict(a,b)``)."""
    from verifier.check.run import check_ruleset  # Z3 is loaded only when a counterexample is asked for

    report = check_ruleset(ruleset, timeout_s=timeout_s) if timeout_s is not None else check_ruleset(ruleset)
    names = [r.property for r in report.results]
    for r in report.results:
        if r.property != check:
            continue
        if r.counterexample is None:
            why = "it is proved" if r.status == "proved" else f"it is {r.status} without a record to show"
            raise NoCounterexample(f"check {check} has no counterexample: {why}")
        return highlight_record(ruleset, r.counterexample, f"counterexample to {check}")
    raise NoCounterexample(f"no check named {check!r}; the checks are: {', '.join(names)}")

