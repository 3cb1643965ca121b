"""The pathway view: phases as states, the actions that move a patient between them as edges.

An edge P -> Q labelled a means: some valid record in phase P is given a,
and an outcome of a's effect is a valid record in phase Q (Z3 decides each
edge; no edge is drawn from a guess). A self-loop is an action that moves a
patient within a phase. A counterexample journey is drawn over it: the
phases it passes through and the steps it takes, numbered.
"""

from __future__ import annotations

import html
from typing import Any

import z3

from dsl import model as m
from verifier.graph.render import EDGE_ATTRS, FONT, GRAPH_ATTRS, HIGHLIGHT, HIGHLIGHT_FILL, MUTED, NODE_ATTRS
from verifier.pathway.unroll import Unrolling
from verifier.solver.encoding import Encoding

NO_PHASE = "(no phase)"


def _phase_terms(enc: Encoding) -> dict[str, z3.BoolRef]:
    phases = {p.name: enc.definitions[p.name] for p in enc.ruleset.phases}
    phases[NO_PHASE] = z3.Not(z3.Or(*phases.values())) if phases else z3.BoolVal(True, enc.ctx)
    return phases


def pathway_edges(ruleset: m.Ruleset, timeout_s: float | None = 10.0) -> dict[tuple[str, str], list[str]]:
    """(from phase, to phase) -> the actions that can make that move, in declaration order."""
    enc = Encoding(ruleset, None if timeout_s is None else int(timeout_s * 1000))
    sol = z3.Solver(ctx=enc.ctx)
    if timeout_s is not None:
        sol.set("timeout", int(timeout_s * 1000))
    u = Unrolling(enc, sol, "g")
    phases = _phase_terms(enc)
    names = list(phases)
    u.step(0)
    edges: dict[tuple[str, str], list[str]] = {}
    for action in u.movers:
        taken = u.taken((action,), 0)
        for src in names:
            sol.push()
            sol.add(taken, u.at(phases[src], 0))
            seen: list[str] = []
            while True:
                res = sol.check()
                if res != z3.sat:
                    break
                model = sol.model()
                dst = next(n for n in names if z3.is_true(model.eval(u.at(phases[n], 1), model_completion=True)))
                seen.append(dst)
                sol.add(z3.Not(u.at(phases[dst], 1)))
            sol.pop()
            for dst in sorted(seen, key=names.index):
                edges.setdefault((src, dst), []).append(action)
    return edges


def _phase_of_records(ruleset: m.Ruleset, journey: list[dict[str, Any]]) -> list[str]:
    from engine import compile_ruleset
    from engine.pathway import compile_conditions

    ev = compile_ruleset(ruleset)
    fn = compile_conditions(ruleset, [m.DefRef(p.name, m.BOOL, p.span) for p in ruleset.phases])
    out = []
    for entry in journey:
        rec = ev.validate(entry["record"])
        hits = [p.name for p, v in zip(ruleset.phases, fn(rec, ev.evaluate(rec))) if v]
        out.append(hits[0] if hits else NO_PHASE)
    return out


def _q(text: str) -> str:
    # Labels carry DOT's own "\n" line breaks, so backslashes are left as they are.
    return '"' + text.replace('"', '\\"') + '"'


def pathway_dot(ruleset: m.Ruleset, edges: dict[tuple[str, str], list[str]],
                journey: list[dict[str, Any]] | None = None, title: str | None = None) -> str:
    """DOT text of the pathway view, with ``journey`` (a check result's journey) highlighted."""
    path_phases = _phase_of_records(ruleset, journey) if journey else []
    used: dict[tuple[str, str], list[str]] = {}
    if journey:
        for k in range(len(journey) - 1):
            used.setdefault((path_phases[k], path_phases[k + 1]), []).append(f"{k + 1}. {journey[k]['action']}")
    nodes = [p.name for p in ruleset.phases]
    if any(NO_PHASE in key for key in edges) or NO_PHASE in path_phases:
        nodes.append(NO_PHASE)
    lines = ["digraph pathway {", "  rankdir=LR;"]
    lines += [f"  {k}={_q(v)};" for k, v in GRAPH_ATTRS.items()]
    lines.append("  node [" + ", ".join(f"{k}={_q(v)}" for k, v in NODE_ATTRS.items()) + ', shape="box", style="rounded,filled", fillcolor="#f3f4f6"];')
    lines.append("  edge [" + ", ".join(f"{k}={_q(v)}" for k, v in EDGE_ATTRS.items()) + "];")
    if title:
        lines.append(f"  label={_q(title)}; labelloc=\"t\"; fontname={_q(FONT)};")
    for n in nodes:
        label = f"<<b>{html.escape(n)}</b>"
        phase_label = next((p.doc for p in ruleset.phases if p.name == n and p.doc), None)
        if phase_label:
            label += f"<br/><font point-size=\"9\">{html.escape(phase_label)}</font>"
        label += ">"
        extra = f', color="{HIGHLIGHT}", fillcolor="{HIGHLIGHT_FILL}", penwidth="2"' if n in path_phases else ""
        if journey and path_phases and n == path_phases[0]:
            extra += ', peripheries="2"'
        lines.append(f"  {_q(n)} [label={label}{extra}];")
    for (src, dst), actions in sorted(edges.items(), key=lambda kv: (nodes.index(kv[0][0]), nodes.index(kv[0][1]))):
        text = "\\n".join(actions)
        lines.append(f"  {_q(src)} -> {_q(dst)} [label={_q(text)}, color=\"{MUTED}\", fontcolor=\"{MUTED}\"];")
    for (src, dst), steps in used.items():
        text = "\\n".join(steps)
        lines.append(f"  {_q(src)} -> {_q(dst)} [label={_q(text)}, color=\"{HIGHLIGHT}\", fontcolor=\"{HIGHLIGHT}\", "
                     f"penwidth=\"2.5\", constraint=\"false\"];")
    lines.append("}")
    return "\n".join(lines) + "\n"
