"""Drawing the decision diagram (``verifier.graph.decision``) as DOT.

Top to bottom: the overview asks the questions that decide the phase; each
phase's box then holds its parts, each part a small diagram read one
question at a time down to a leaf listing what it gives. A record's
recommendation set is everything the leaves it reaches in its phase's parts
list together. Edges to the same place are one edge labelled with every
answer that takes it. With a highlighted record its path is drawn in blue
(SVG classes ``on-path`` and ``reached``).
"""

from __future__ import annotations

from typing import Any, Mapping

import graphviz

from dsl import model as m
from verifier.graph.labels import Wording
from verifier.graph.render import (
    HIGHLIGHT, HIGHLIGHT_FILL, MUTED, STRENGTH_COLOURS, Highlight, esc, html_lines, new_digraph, plain, plain_text,
    tooltip, wrap,
)
from verifier.graph.decision import Branch, DecisionView, Diagram, Leaf, PhaseLeaf, Section
from verifier.graph.questions import Question


class _Trail:
    """The nodes, edges (tail, head) and leaves one record touches in one diagram."""

    def __init__(self, steps: list[tuple[int, int]] | None) -> None:
        steps = steps or []
        self.nodes = {n for n, _ in steps}
        self.edges = {(a, b) for (a, _), (b, _) in zip(steps, steps[1:])}


def _answers(q: Question, mask: int, words: Wording | None = None) -> str:
    """An edge label: every answer taking this edge, wrapped with DOT line breaks."""
    names = [a for k, a in enumerate(q.answers) if (mask >> k) & 1]
    if words is not None and words.labels and q.kind == "enum":
        names = [words.value(a) for a in names]
    return "\\n".join(wrap(", ".join(names), 26))


def _leaf_label(leaf: Leaf, actions: Mapping[str, m.Action], labels: bool = False) -> str:
    if not leaf.outcomes:
        return f'<<font point-size="9" color="{MUTED}">nothing from these rules</font>>'
    rows = []
    for o in leaf.outcomes:
        fill, line = STRENGTH_COLOURS[o.strength]
        shown = (lambda a: actions[a].label) if labels else (lambda a: a)  # labels mode: the action's label
        alt = f' <font point-size="8">(one of {esc(", ".join(shown(a) for a in (o.action, *o.alternatives)))})</font>' if o.alternatives else ""
        rows.append(
            f'<tr><td bgcolor="{fill}" color="{line}" border="1" align="left">'
            f'<font point-size="9" color="{line}"><b>{o.strength}</b></font></td>'
            f'<td align="left" title="{esc(actions[o.action].label if not labels else o.action)}"><b>{esc(shown(o.action))}</b>{alt}</td>'
            f'<td align="right"><font point-size="9" color="{MUTED}">cat. {esc(o.category)}</font></td></tr>'
        )
    for c in leaf.contradictions:
        rows.append(f'<tr><td colspan="3" align="left"><font color="#c62828">⚠ {esc(c)}</font></td></tr>')
    return f'<<table border="0" cellborder="0" cellspacing="2" cellpadding="2">{"".join(rows)}</table>>'


class _Drawer:
    def __init__(self, ruleset: m.Ruleset, highlight: Highlight | None, title: str, rankdir: str = "LR",
                 labels: bool = False) -> None:
        self.rs = ruleset
        self.words = Wording(ruleset, labels)
        self.hl = highlight
        self.actions = {a.id: a for a in ruleset.actions}
        full = f"{ruleset.name} {ruleset.version}: {title}"
        if highlight is not None:
            full += f" (highlighted: {highlight.title})"
        self.g = new_digraph(f"{ruleset.name}_decision", rankdir, full)
        self.g.attr(ranksep="0.3", nodesep="0.2")
        self._edges: list[tuple[str, str, dict[str, str]]] = []

    def finish(self) -> str:
        for tail, head, attrs in self._edges:
            self.g.edge(tail, head, **attrs)
        return self.g.source

    def diagram(self, c: graphviz.Digraph, d: Diagram, prefix: str, path: _Trail,
                phase_heads: Mapping[tuple[str, ...], str] | None = None) -> None:
        """Nodes of ``d`` into cluster ``c``; overview leaves point at ``phase_heads`` instead of being drawn."""
        for k, node in enumerate(d.nodes):
            nid = f"{prefix}{k}"
            on = k in path.nodes
            if isinstance(node, Branch):
                q = d.questions[node.question]
                attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": "white", "color": "#4b5563",
                         "class": "question"}
                if on:
                    attrs.update(color=HIGHLIGHT, fillcolor=HIGHLIGHT_FILL, penwidth="2.5")
                    attrs["class"] = "question on-path"
                c.node(nid, self._question(q), tooltip=tooltip(q.doc or q.name), **attrs)
                for mask, target in node.edges:
                    tnode = d.nodes[target]
                    head = phase_heads[tnode.phases] if phase_heads is not None and isinstance(tnode, PhaseLeaf) else f"{prefix}{target}"
                    eattrs = {"label": plain(_answers(q, mask, self.words))}
                    if (k, target) in path.edges:
                        eattrs.update(color=HIGHLIGHT, penwidth="3", fontcolor=HIGHLIGHT)
                        eattrs["class"] = "on-path"
                    self._edges.append((nid, head, eattrs))
            elif isinstance(node, Leaf):
                attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": "#fcfcfd", "color": "#9ca3af",
                         "class": "leaf", "margin": "0.04,0.02"}
                if not node.outcomes:
                    attrs.update(style="rounded,dashed", fillcolor="white")
                if on:
                    attrs.update(color=HIGHLIGHT, penwidth="3", style="rounded,filled", fillcolor=HIGHLIGHT_FILL)
                    attrs["class"] = "leaf reached"
                c.node(nid, _leaf_label(node, self.actions, self.words.labels), **attrs)

    def _question(self, q: Question) -> str:
        """A question node: the identifier, or (labels mode) the ruleset's words with the identifier in small type."""
        name = q.input if q.input is not None else q.name
        words = self.words.name(name) if self.words.labels else name
        if words == name:
            return f"<<b>{esc(q.name)}?</b>>"
        return f'<<b>{html_lines(words + "?", 30)}</b><br/><font point-size="9" color="{MUTED}">{esc(q.name)}</font>>'

    def section_title(self, section: Section) -> str:
        titles = " + ".join(self.rs.definition(p).doc or p for p in section.phases) or self._no_phase()
        # A one-cell table keeps both lines flush left under the box's corner.
        return (f'<<table border="0" cellpadding="2"><tr><td align="left"><b>{"Phase: " if section.phases else ""}'
                f'{esc(titles)}</b></td></tr><tr><td align="left"><font point-size="9" color="{MUTED}">'
                "a record in this phase gets everything the leaves it reaches below list</font></td></tr></table>>")

    def _no_phase(self) -> str:
        return "No phase holds: only the rules outside phases" if self.rs.phases else "All rules"

    def phase_head(self, c: graphviz.Digraph, nid: str, section: Section, on: bool, detail: bool = True) -> None:
        if section.phases:
            titles = [self.rs.definition(p).doc or p for p in section.phases]
            more = " · the recommendation is everything its parts give" if detail else ""
            label = "<<b>Phase: " + esc(" + ".join(titles)) + "</b><br/>" + \
                    f'<font point-size="9" color="{MUTED}">{esc(", ".join(section.phases))}{more}</font>>'
        else:
            label = f"<<b>{esc(self._no_phase())}</b>>"
        attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe", "color": "#3b82f6", "class": "phase"}
        if on:
            attrs.update(color=HIGHLIGHT, penwidth="3")
            attrs["class"] = "phase on-path"
        c.node(nid, label, **attrs)


def decision_dot(view: DecisionView, highlight: Highlight | None = None, phase: str | None = None,
                 labels: bool = False) -> str:
    """The DOT text of the decision view: the overview and every section, or with ``phase``
    only the sections where that phase holds; ``labels``: the ruleset's words instead of identifiers."""
    if phase is not None:
        sections = [s for s in view.sections if phase in s.phases]
        return _draw(view, sections, highlight, f"decision diagram, phase {phase}", overview=False, labels=labels)
    return _draw(view, list(view.sections), highlight, "decision diagram", overview=True, labels=labels)


def section_dot(view: DecisionView, section: Section, highlight: Highlight | None = None, rankdir: str = "LR") -> str:
    """The DOT text of one section's parts (one figure of the report)."""
    name = ", ".join(section.phases) or "no phase"
    return _draw(view, [section], highlight, f"decision diagram, {name}", overview=False, rankdir=rankdir)


def overview_dot(view: DecisionView, highlight: Highlight | None = None) -> str:
    """The DOT text of the overview alone: the questions that decide the phase, ending in phase boxes."""
    # Top to bottom: the overview is one long chain of questions, narrow enough for a page this way.
    dr = _Drawer(view.ruleset, highlight, "which phase applies", rankdir="TB")
    walk = view.walk(highlight.record) if highlight is not None else None
    heads = {s.phases: f"phase-{k}" for k, s in enumerate(view.sections)}
    for k, s in enumerate(view.sections):
        dr.phase_head(dr.g, heads[s.phases], s, walk is not None and walk[1] is s, detail=False)
    dr.diagram(dr.g, view.overview, "ov-", _Trail(walk[0] if walk else None), heads)
    return dr.finish()


def _draw(view: DecisionView, sections: list[Section], highlight: Highlight | None, title: str, overview: bool,
          rankdir: str = "LR", labels: bool = False) -> str:
    rs = view.ruleset
    walk: tuple[Any, ...] | None = view.walk(highlight.record) if highlight is not None else None
    dr = _Drawer(rs, highlight, title, rankdir, labels)
    heads = {s.phases: f"phase-{k}" for k, s in enumerate(view.sections)}
    if overview and len(view.overview.nodes) > 1:
        with dr.g.subgraph(name="cluster_overview") as c:
            c.attr(label="<<b>Which phase?</b>>", style="rounded,filled", fillcolor="#f8fafc", color="#cbd5e1")
            dr.diagram(c, view.overview, "ov-", _Trail(walk[0] if walk else None), heads)
    for s in sections:
        k = view.sections.index(s)
        here = walk is not None and walk[1] is s
        with dr.g.subgraph(name=f"cluster_section_{k}") as c:
            # Without the overview nothing points at the phase: its title is the box's label, which
            # saves the width of a header node.
            label = "" if overview else dr.section_title(s)
            c.attr(label=label, labeljust="l", fontsize="13", style="rounded,filled", fillcolor="#eff6ff",
                   color=HIGHLIGHT if here else "#93c5fd", penwidth="2.5" if here else "1")
            if overview:
                dr.phase_head(c, heads[s.phases], s, here)
            for j, part in enumerate(s.parts):
                prefix = f"s{k}p{j}-"
                path = _Trail(walk[2][j] if here and walk else None)
                with c.subgraph(name=f"cluster_s{k}_p{j}") as pc:
                    pc.attr(label=_part_label(part.rules, part.diagram), style="rounded,filled", fillcolor="white",
                            color="#cbd5e1", fontsize="10", tooltip=tooltip("rules: " + ", ".join(part.rules)))
                    dr.diagram(pc, part.diagram, prefix, path)
                if overview:
                    attrs = {"style": "dashed", "color": "#93c5fd", "arrowhead": "none"}
                    if here:
                        attrs.update(color=HIGHLIGHT, penwidth="2")
                    dr._edges.append((heads[s.phases], f"{prefix}0", attrs))
    if highlight is not None and walk is not None and walk[1] not in sections:
        where = ", ".join(walk[1].phases) or "no phase"
        note = plain_text(f" (this record is in {where}, not drawn here)")
        dr.g.attr(label=graphviz.nohtml(dr.g.graph_attr["label"] + note))
    return dr.finish()


def _part_label(rules: tuple[str, ...], d: Diagram) -> str:
    head = "always" if len(d.nodes) == 1 else "rules"
    text = ", ".join(rules)
    lines = html_lines(f"{head}: {text}", 48).replace("<br/>", '<br align="left"/>')
    return f'<<font point-size="9" color="{MUTED}">{lines}<br align="left"/></font>>'


def whole_dot(ruleset: m.Ruleset, d: Diagram, highlight: Highlight | None = None, labels: bool = False) -> str:
    """The DOT text of the single, unfactored diagram (large: for completeness, not for reading)."""
    dr = _Drawer(ruleset, highlight, "whole decision diagram", labels=labels)
    path = _Trail(d.follow(highlight.record) if highlight is not None else None)
    dr.diagram(dr.g, d, "n", path)
    return dr.finish()
