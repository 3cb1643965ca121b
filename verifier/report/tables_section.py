"""The report's "Decision tables" section: the hit-policy-aware analysis of the DMN
tables a ruleset was imported from (``ruleproof report --tables FILE.dmn``).

The solver's checks speak of rules and actions; a committee that authored
tables wants the table's own words: which rows overlap where the hit policy
forbids it, where no row matches, which rows never decide. The section shows
the counts of each table and, for each finding, the rows and a box of inputs
where it shows. Long lists are cut at ``SHOWN`` items per kind, saying how
many more there are and which command lists them all.
"""

from __future__ import annotations

import html
from typing import Any, Mapping, Sequence

SHOWN = 100


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _box(box: Mapping[str, str]) -> str:
    if not box:
        return "every input"
    return " and ".join(f"<code>{_e(k)}</code> in <code>{_e(v)}</code>" for k, v in box.items())


def _more(total: int, dmn_name: str) -> str:
    if total <= SHOWN:
        return ""
    return (f'<p class="muted">and {total - SHOWN} more; <code>ruleproof tables {_e(dmn_name)}</code> '
            "lists them all (add <code>--format sarif</code> for code scanning).</p>")


def tables_section(dmn_name: str, analysis: Mapping[str, Any] | None) -> str:
    """``analysis``: ``verifier.dmn.analysis_render.to_json`` of the file's tables (None: no section)."""
    if analysis is None:
        return ""
    tables: Sequence[Mapping[str, Any]] = analysis["tables"]
    out = ['<section class="card" id="tables"><h2>Decision tables</h2>',
           f'<p class="lead">The tables of <code>{_e(dmn_name)}</code>, analysed row by row without a solver '
           "(as <code>ruleproof tables</code>): overlaps graded by each table's hit policy, every input "
           "no row matches, rows that never decide and rows inside another with the same outputs.</p>"]
    for t in tables:
        overlaps = t["overlaps"]
        errors = sum(1 for o in overlaps if o["grade"] == "error")
        counts = [("refuted" if errors else "proved", f"{len(overlaps)} overlaps, {errors} errors"),
                  ("gap" if t["gaps"] else "proved", f"{len(t['gaps'])} gaps"),
                  ("refuted" if t["masked"] else "proved", f"{len(t['masked'])} masked"),
                  ("cat", f"{len(t['subsumed'])} subsumed")]
        out.append(f"<h3>{_e(t['decision'])} <span class=\"muted\">hit policy {_e(t['hit_policy'])}, "
                   f"{t['rows']} rows</span></h3><p>"
                   + " ".join(f'<span class="pill {k}">{_e(v)}</span>' for k, v in counts) + "</p>")
        if overlaps:
            out.append("<table><thead><tr><th>Overlap</th><th>Rows</th><th>All match where</th></tr></thead><tbody>")
            for o in overlaps[:SHOWN]:
                word = "error" if o["grade"] == "error" else "allowed"
                out.append(f'<tr><td><span class="pill {"refuted" if word == "error" else "cat"}">{word}</span></td>'
                           f"<td>{_e(', '.join(map(str, o['rows'])))}</td><td>{_box(o['witness'])}</td></tr>")
            out.append("</tbody></table>" + _more(len(overlaps), dmn_name))
        if t["gaps"]:
            out.append("<table><thead><tr><th>Gap: no row matches where</th></tr></thead><tbody>")
            out += [f"<tr><td>{_box(g)}</td></tr>" for g in t["gaps"][:SHOWN]]
            out.append("</tbody></table>" + _more(len(t["gaps"]), dmn_name))
        if t["masked"]:
            shown = ", ".join(map(str, t["masked"][:SHOWN]))
            out.append(f"<p>Rows that never decide (rows winning over them cover them): {_e(shown)}</p>"
                       + _more(len(t["masked"]), dmn_name))
        if t["subsumed"]:
            shown = "; ".join(f"row {s['row']} inside row {s['by']}" for s in t["subsumed"][:SHOWN])
            out.append(f"<p>Subsumed rows (same outputs): {_e(shown)}</p>" + _more(len(t["subsumed"]), dmn_name))
    out.append("</section>")
    return "\n".join(out)
