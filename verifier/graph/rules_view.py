"""The rules view: which inputs and derived conditions feed which rules, and what each rule gives.

Read left to right: the patient record's inputs, the derived definitions,
one box per phase holding its rules, one box per action kind. Every test a
rule makes ("subtype is not well_differentiated", "prior_lines ≥ 1") is
written once per phase on a condition node that feeds each rule using it: a
test shared by eight rules is one node with eight short edges, not eight
long edges from the input (the hairball this view avoids). Actions are
coloured by the strongest strength any rule gives them and list each
strength with its evidence category; edges from rules to actions take the
strength's colour and line style.

With a highlighted record, the inputs show its values, every condition node
says whether it holds, and the rules that fire (and what they give) are
marked in blue; fired rule nodes carry the SVG class ``fired``.
"""

from __future__ import annotations

from typing import Any, Mapping

import graphviz

from verifier.facts.values import type_text, value_text
from dsl import model as m
from dsl.printer import conjuncts, format_expr, format_number
from verifier.graph.labels import Wording
from verifier.graph.render import (
    HIGHLIGHT, HIGHLIGHT_FILL, MUTED, STRENGTH_COLOURS, Highlight, esc, html_lines, new_digraph, plain, tooltip,
)

_OP_WORDS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}
_STRENGTH_ORDER = {s: k for k, s in enumerate(m.STRENGTHS)}
_LINE = "#6b7280"
_FAINT = "#c0c6cf"


def node_id(kind: str, name: str) -> str:
    """The DOT id of a drawn thing: ``rule-ID``, ``action-ID``, ``input-NAME``, ``def-NAME``, ``phase-NAME``."""
    return f"{kind}-{name}"


def condition_text(c: m.Expr, words: Wording | None = None) -> str:
    """A test as a reviewer reads it: ``subtype is not well_differentiated``, ``prior_lines ≥ 1``.

    With ``words`` in labels mode, names and enum values are the ruleset's words
    (a test that is not one of these simple shapes stays a formula).
    """
    name = words.name if words is not None else (lambda n: n)
    value = words.value if words is not None else (lambda v: v)
    if isinstance(c, (m.InputRef, m.DefRef)) and words is not None and words.labels:
        return name(c.name)
    if isinstance(c, m.Not) and isinstance(c.arg, (m.InputRef, m.DefRef)):
        return f"not {name(c.arg.name)}"
    if isinstance(c, m.InSet) and isinstance(c.subject, (m.InputRef, m.DefRef)):
        return f"{name(c.subject.name)} {'is not' if c.negated else 'is'} {' or '.join(value(v) for v in c.values)}"
    if isinstance(c, m.Compare) and isinstance(c.left, (m.InputRef, m.DefRef)) and isinstance(c.right, m.EnumLit):
        return f"{name(c.left.name)} {'is' if c.op == '==' else 'is not'} {value(c.right.value)}"
    if isinstance(c, m.Compare) and isinstance(c.left, (m.InputRef, m.DefRef)) and isinstance(c.right, m.NumLit):
        return f"{name(c.left.name)} {_OP_WORDS[c.op]} {format_number(c.right.value)}"
    text = format_expr(c)
    for op in (">=", "<=", "!=", "=="):
        text = text.replace(f" {op} ", f" {_OP_WORDS[op]} ")
    return text


class _RulesView:
    def __init__(self, ruleset: m.Ruleset, highlight: Highlight | None, phase: str | None,
                 labels: bool = False) -> None:
        self.rs = ruleset
        self.words = Wording(ruleset, labels)
        self.hl = highlight
        self.only_phase = phase
        self.env: Mapping[str, Any] | None = None
        if highlight is not None:
            from verifier.facts.evaluation import environment

            self.env = environment(ruleset, highlight.record)
        self.phase_names = {p.name for p in ruleset.phases}
        self.defs = {d.name for d in ruleset.definitions}
        self.g = new_digraph(f"{ruleset.name}_rules", "LR", self._title())
        self.g.attr(ranksep="0.5")
        self.used_inputs: set[str] = set()
        self.used_defs: set[str] = set()
        # Edges between clusters are written after every node is declared, so that
        # no node is first mentioned (and so created) outside its own cluster.
        self._edges: list[tuple[str, str, dict[str, str]]] = []

    def _title(self) -> str:
        t = f"{self.rs.name} {self.rs.version}: rules view"
        if self.hl is not None:
            t += f" (highlighted: {self.hl.title}; {len(self.hl.fired)} rules fire)"
        if self.only_phase is not None:
            t += f", phase {self.only_phase} only"
        return t

    def _named(self, identifier: str, words: str, width: int, mark: str = "") -> str:
        """A node's name in bold; in labels mode the words, with the identifier under them in small type."""
        if not self.words.labels or words == identifier:
            return f"<b>{esc(identifier)}{mark}</b>"
        return f'<b>{html_lines(words, width)}{mark}</b><br/><font point-size="9" color="{MUTED}">{esc(identifier)}</font>'

    def _edge(self, tail: str, head: str, **attrs: str) -> None:
        self._edges.append((tail, head, attrs))

    def _holds(self, e: m.Expr) -> bool | None:
        if self.env is None:
            return None
        from verifier.facts.evaluation import evaluate

        return bool(evaluate(e, self.env, None))

    # -- what feeds what

    def _ref_node(self, name: str) -> str:
        if name in self.phase_names:
            return node_id("phase", name)
        if name in self.defs:
            if name not in self.used_defs:
                self._mark_used(name)
            return node_id("def", name)
        self.used_inputs.add(name)
        return node_id("input", name)

    def _mark_used(self, name: str) -> None:
        """Mark a definition and everything it reads as drawn, with a worklist: an imported
        decision table chains a definition per row, thousands deep, past Python's recursion limit."""
        todo = [name]
        while todo:
            current = todo.pop()
            if current in self.used_defs:
                continue
            self.used_defs.add(current)
            for node in m.walk(self.rs.definition(current).expr):
                if not isinstance(node, (m.InputRef, m.DefRef)) or node.name in self.phase_names:
                    continue
                if node.name in self.defs:
                    todo.append(node.name)
                else:
                    self.used_inputs.add(node.name)

    def _refs(self, e: m.Expr) -> list[str]:
        """The drawn nodes ``e`` reads, in first-appearance order."""
        out: list[str] = []
        for node in m.walk(e):
            if isinstance(node, (m.InputRef, m.DefRef)):
                nid = self._ref_node(node.name)
                if nid not in out:
                    out.append(nid)
        return out

    # -- drawing

    def draw(self) -> graphviz.Digraph:
        groups: list[tuple[m.Definition | None, list[m.Rule]]] = [
            (p, [r for r in self.rs.rules if r.phase == p.name]) for p in self.rs.phases
        ]
        loose = [r for r in self.rs.rules if r.phase is None]
        if loose:
            groups.append((None, loose))
        if self.only_phase is not None:
            groups = [(p, rules) for p, rules in groups if p is not None and p.name == self.only_phase]
        self.drawn_rules = [r for _, rules in groups for r in rules]
        # Rules first: they decide which inputs and definitions are drawn at all.
        bodies = [self._phase_cluster(phase, rules, k) for k, (phase, rules) in enumerate(groups)]
        self._inputs()
        self._definitions()
        for body in bodies:
            self.g.subgraph(body)
        self._actions()
        self._legend()
        for tail, head, attrs in self._edges:
            self.g.edge(tail, head, **attrs)
        return self.g

    def _inputs(self) -> None:
        with self.g.subgraph(name="cluster_inputs") as c:
            c.attr(label="Patient record", style="rounded,filled", fillcolor="#f9fafb", color="#d1d5db")
            self._input_nodes(c)

    def _input_nodes(self, cluster: graphviz.Digraph) -> None:
        # One column: an input with no incoming edge would otherwise drift towards its readers.
        with cluster.subgraph(name="inputs_column") as c:
            c.attr(rank="same")
            for i in self.rs.inputs:
                if i.name not in self.used_inputs:
                    continue
                attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": "white", "color": "#9ca3af"}
                if self.hl is not None:
                    detail = f'<font point-size="9" color="{HIGHLIGHT}"><b>= {esc(value_text(self.hl.record.get(i.name), words=("yes", "no")))}</b></font>'
                    attrs["color"] = HIGHLIGHT
                else:
                    detail = f'<font point-size="9" color="{MUTED}">{esc(_type_text(i))}</font>'
                c.node(node_id("input", i.name), f"<{self._named(i.name, self.words.name(i.name), 28)}<br/>{detail}>",
                       tooltip=tooltip(i.doc or i.name), **attrs)
            unused = [i.name for i in self.rs.inputs if i.name not in self.used_inputs]
            if unused:
                note = "Read only by constraints: " + ", ".join(unused)
                c.node("note-unused", f'<<font point-size="9" color="{MUTED}">{html_lines(note, 30)}</font>>',
                       shape="plaintext")

    def _definitions(self) -> None:
        drawn = [d for d in self.rs.definitions if not d.is_phase and d.name in self.used_defs]
        if not drawn:
            return
        with self.g.subgraph(name="cluster_definitions") as c:
            c.attr(label="Derived conditions", style="rounded,filled", fillcolor="#f5f3ff", color="#c4b5fd")
            for d in drawn:
                holds = self._holds(d.expr) if d.type == m.BOOL else None
                mark = "" if holds is None else (" ✓" if holds else " ✗")
                label = (f"<{self._named(d.name, self.words.name(d.name), 30, mark)}<br/>"
                         f'<font point-size="9" color="{MUTED}">{html_lines(condition_text(d.expr, self.words), 34)}</font>>')
                c.node(node_id("def", d.name), label, shape="box", style="rounded,filled",
                       fillcolor=HIGHLIGHT_FILL if holds else "white",
                       color=HIGHLIGHT if holds else "#8b5cf6", tooltip=tooltip(d.doc or d.name))
        for d in drawn:
            for src in self._refs(d.expr):
                self._edge(src, node_id("def", d.name), color="#a78bfa")

    def _phase_cluster(self, phase: m.Definition | None, rules: list[m.Rule], k: int) -> graphviz.Digraph:
        name = phase.name if phase is not None else "none"
        c = graphviz.Digraph(name=f"cluster_phase_{k}")
        holds = self._holds(phase.expr) if phase is not None else None
        c.attr(label="", style="rounded,filled", fillcolor="#eff6ff" if phase else "#f9fafb",
               color=HIGHLIGHT if holds else "#93c5fd", penwidth="2.5" if holds else "1")
        head = node_id("phase", name)
        if phase is not None:
            mark = "" if holds is None else (" ✓" if holds else " ✗")
            label = (f"<<b>Phase: {esc(phase.doc or phase.name)}{mark}</b><br/>"
                     f'<font point-size="9" color="{MUTED}">{esc(phase.name)}</font>>')
            c.node(head, label, shape="box", style="rounded,filled", fillcolor="#dbeafe", color="#3b82f6",
                   tooltip=tooltip(f"phase {phase.name} when {format_expr(phase.expr)}"))
            # Few and short: the phase's own tests go straight to its header as labelled edges.
            for part in conjuncts(phase.expr):
                ok = self._holds(part)
                for src in self._refs(part):
                    self._edge(src, head, label=plain(condition_text(part, self.words)), fontcolor="#1d4ed8",
                               color=HIGHLIGHT if ok else "#93c5fd", penwidth="2" if ok else "1")
        else:
            c.node(head, "<<b>Rules outside any phase</b>>", shape="box", style="rounded,filled",
                   fillcolor="#f3f4f6", color="#9ca3af")
        for r in rules:
            attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": "white", "color": _LINE, "class": "rule"}
            if self.hl is not None and r.id in self.hl.fired:
                attrs.update(fillcolor=HIGHLIGHT_FILL, color=HIGHLIGHT, penwidth="2.5")
                attrs["class"] = "rule fired"
            if self.words.labels:  # the title leads; the id stays findable in small type
                label = f'<<b>{html_lines(r.title, 30)}</b><br/><font point-size="9" color="{MUTED}">{esc(r.id)}</font>>'
            else:
                label = f'<<b>{esc(r.id)}</b><br/><font point-size="9">{html_lines(r.title, 30)}</font>>'
            c.node(node_id("rule", r.id), label, tooltip=tooltip(f"{r.id} ({r.span}): {r.rationale or r.title}"),
                   **attrs)
            # A rule holds only inside its phase: the phase node feeds every rule (drawn faintly).
            c.edge(head, node_id("rule", r.id), color="#93c5fd", arrowhead="none", style="dotted")
        self._conditions(c, [(node_id("rule", r.id), conjuncts(r.when)) for r in rules], name)
        return c

    def _conditions(self, c: graphviz.Digraph, targets: list[tuple[str, tuple[m.Expr, ...]]], scope: str) -> None:
        """One condition node per distinct test in this phase, fed by what it reads, feeding each user."""
        uses: dict[str, tuple[m.Expr, list[str]]] = {}
        for target, parts in targets:
            for part in parts:
                if isinstance(part, m.BoolLit) and part.value:
                    continue  # `when true`: the phase alone decides
                text = condition_text(part, self.words)
                uses.setdefault(text, (part, []))[1].append(target)
        for n, (text, (expr, users)) in enumerate(uses.items()):
            cond = f"cond-{scope}-{n}"
            holds = self._holds(expr)
            attrs = {"shape": "box", "style": "rounded", "color": "#9ca3af", "height": "0.2", "class": "condition"}
            shown = html_lines(text, 30)
            if holds is not None:
                shown = ("✓ " if holds else "✗ ") + shown
                if holds:
                    attrs.update(style="rounded,filled", fillcolor=HIGHLIGHT_FILL, color=HIGHLIGHT)
                else:
                    attrs["fontcolor"] = MUTED
            c.node(cond, f'<<font point-size="9">{shown}</font>>', **attrs)
            for src in self._refs(expr):
                self._edge(src, cond, color=HIGHLIGHT if holds else _FAINT, arrowsize="0.4")
            for u in users:
                c.edge(cond, u, color=HIGHLIGHT if holds else _LINE, arrowsize="0.5")

    def _actions(self) -> None:
        given: dict[str, list[tuple[str, str]]] = {}  # action -> [(strength, category)]
        for r in self.drawn_rules:
            for g in r.gives:
                for a in g.actions:
                    if (g.strength, g.category) not in given.setdefault(a, []):
                        given[a].append((g.strength, g.category))
        reached: set[str] = set()
        if self.hl is not None:
            reached = {a for r in self.rs.rules if r.id in self.hl.fired for g in r.gives for a in g.actions}
        kinds: list[str] = []
        for a in self.rs.actions:
            if a.kind not in kinds:
                kinds.append(a.kind)
        if self.only_phase is not None:
            kinds = [k for k in kinds if any(a.kind == k and a.id in given for a in self.rs.actions)]
        for kind in kinds:
            with self.g.subgraph(name=f"cluster_kind_{kind}") as c:
                c.attr(label=f"<<b>{esc(kind)}</b>>", style="rounded,filled", fillcolor="#fafafa", color="#d1d5db")
                for a in self.rs.actions:
                    # One phase alone: only what its rules give, not every action of the ruleset.
                    if a.kind == kind and (self.only_phase is None or a.id in given):
                        c.node(node_id("action", a.id), **self._action_attrs(a, given.get(a.id, []), a.id in reached))
        for r in self.drawn_rules:
            fired = self.hl is not None and r.id in self.hl.fired
            for g in r.gives:
                _, line = STRENGTH_COLOURS[g.strength]
                for a in g.actions:
                    attrs = {"color": line}
                    if g.strength == "consider":
                        attrs["style"] = "dashed"
                    if g.strength == "avoid":
                        attrs["arrowhead"] = "tee"
                    if g.alternatives:
                        attrs.update(label="one of", fontcolor=line)
                    if fired:
                        attrs["penwidth"] = "3"
                    self._edge(node_id("rule", r.id), node_id("action", a), **attrs)

    def _action_attrs(self, a: m.Action, given: list[tuple[str, str]], reached: bool) -> dict[str, str]:
        given = sorted(given, key=lambda sc: (_STRENGTH_ORDER[sc[0]], self.rs.grading.rank(sc[1])))
        if given:
            fill, line = STRENGTH_COLOURS[given[0][0]]
            marks = " · ".join(f"{s} cat. {c}" for s, c in given)
        else:
            fill, line, marks = "white", "#9ca3af", "given by no rule"
        if self.words.labels:
            head = f'<b>{html_lines(a.label, 34)}</b><br/><font point-size="9" color="{MUTED}">{esc(a.id)}</font>'
        else:
            head = f'<b>{esc(a.id)}</b><br/><font point-size="9">{html_lines(a.label, 34)}</font>'
        label = f'<{head}<br/><font point-size="9" color="{line}"><b>{esc(marks)}</b></font>>'
        attrs = {"label": label, "shape": "box", "style": "rounded,filled", "fillcolor": fill, "color": line,
                 "tooltip": tooltip(f"{a.id}: {a.label}"), "class": "action"}
        if reached:
            attrs.update(penwidth="3", color=HIGHLIGHT)
            attrs["class"] = "action reached"
        return attrs

    def _legend(self) -> None:
        rows = "".join(
            f'<tr><td bgcolor="{fill}" color="{line}" border="1">{esc(word)}</td>'
            f'<td align="left"><font point-size="9">{esc(desc)}</font></td></tr>'
            for word, (fill, line), desc in (
                ("recommend", STRENGTH_COLOURS["recommend"], "solid edge"),
                ("consider", STRENGTH_COLOURS["consider"], "dashed edge"),
                ("avoid", STRENGTH_COLOURS["avoid"], "edge ending in a bar"),
            )
        )
        rows += ('<tr><td colspan="2" align="left"><font point-size="9">cat. = evidence category (1, 2A, 2B, 3)<br/>'
                 "a rule fires when its phase and every<br/>condition feeding it hold</font></td></tr>")
        if self.hl is not None:
            rows += (f'<tr><td bgcolor="{HIGHLIGHT_FILL}" color="{HIGHLIGHT}" border="1">✓ holds / fires</td>'
                     f'<td align="left"><font point-size="9">for {esc(self.hl.title)}</font></td></tr>')
        with self.g.subgraph(name="cluster_legend") as c:
            c.attr(label="Legend", style="rounded", color="#d1d5db", fontsize="11")
            c.node("legend", f'<<table border="0" cellspacing="3" cellpadding="3">{rows}</table>>', shape="plaintext")



def _type_text(i: m.Input) -> str:
    text = type_text(i)
    # A long enum would stretch the input's box across the drawing.
    return text if isinstance(i.type, m.EnumType) is False or len(text) <= 40 else text[:38] + "…"


def rules_view(ruleset: m.Ruleset, highlight: Highlight | None = None, phase: str | None = None,
               labels: bool = False) -> str:
    """The DOT text of the rules view, optionally marking what a record fires; ``phase`` draws one phase;
    ``labels`` names things by the ruleset's docs and labels (``verifier.graph.labels``)."""
    return _RulesView(ruleset, highlight, phase, labels).draw().source
