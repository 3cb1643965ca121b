"""The reviewer's report: one self-contained HTML file about one ruleset.

It reads the verifier's results as data (the JSON shape of
``RulesetReport.to_json``, or the report object itself), so it can be built
from a saved ``ruleproof check --format json`` as well as from a fresh run,
and tested with hand-made results. Everything is inline: CSS, SVG drawings,
no script, no font or image from the network. The same inputs give
byte-identical HTML; check times are the only varying part and are left out
with ``timing=False``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from dsl import model as m
from dsl.printer import format_expr
from verifier.facts.values import type_text, value_text
from verifier.report.guards import guards_section

from verifier.report.assets import CSS
# Conditions are shown highlighted as rule-language text (the lexer of `ruleproof fmt`'s language).
from verifier.highlight.html import CSS as HIGHLIGHT_CSS, highlight_rules
from verifier.report.cases_section import cases_section
from verifier.report.tables_section import tables_section

_KIND_TITLES = {
    "coverage": "Coverage",
    "coverage-matrix": "Coverage matrices",
    "contradiction": "Contradictions",
    "dead-rule": "Dead rules",
    "invariant": "Properties",
    "example": "Worked examples",
    "pathway": "Pathway properties",
}
_KIND_HELP = {
    "coverage": "every valid record gets at least one action recommended or considered",
    "coverage-matrix": "every reachable combination of the listed inputs is served",
    "contradiction": "no valid record is given two conflicting actions, or an action both given and avoided",
    "dead-rule": "every rule fires on some valid record",
    "invariant": "the ruleset's own properties hold for every valid record",
    "example": "each worked example of the ruleset gets the outcome it expects",
    "pathway": "properties of every journey a patient can take by following the rules (BMC and k-induction)",
}
_STATUS_ORDER = {"refuted": 0, "unknown": 1, "proved": 2}


@dataclass(frozen=True, slots=True)
class Figure:
    """One drawing for the report: an anchor id, a caption, a note under the caption, the SVG text."""

    id: str
    caption: str
    note: str
    svg: str
    fit: bool = False  # shrink to the page width instead of scrolling
    collapsed: bool = False


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


def results_json(results: Any, ruleset_name: str | None = None) -> dict[str, Any]:
    """The results of one ruleset as JSON data, from a ``RulesetReport``, its JSON, or the
    whole ``ruleproof check --format json`` document (the entry for ``ruleset_name``)."""
    if hasattr(results, "to_json"):
        return results.to_json(True)
    if isinstance(results, Mapping) and "rulesets" in results:
        entries = list(results["rulesets"])
        for entry in entries:
            if ruleset_name is None or entry.get("ruleset") == ruleset_name:
                return dict(entry)
        raise ValueError(f"the results hold no ruleset named {ruleset_name!r}")
    if isinstance(results, Mapping):
        return dict(results)
    raise TypeError(f"results must be a RulesetReport or its JSON, not {type(results).__name__}")


# ---------------------------------------------------------------- pieces


def _value(v: Any) -> str:
    return "—" if v is None else value_text(v, words=("yes", "no"))


def _record(record: Mapping[str, Any], ruleset: m.Ruleset) -> str:
    units = {i.name: i.unit for i in ruleset.inputs}
    cells = []
    for k, v in record.items():
        unit = f" {units[k]}" if units.get(k) else ""
        cells.append(f"<div><span>{e(k)}</span><span>{e(_value(v))}{e(unit)}</span></div>")
    return f'<div class="record">{"".join(cells)}</div>'


def _pill(kind: str, text: str | None = None) -> str:
    return f'<span class="pill {e(kind)}">{e(text or kind)}</span>'


def _svg(svg: str, prefix: str) -> str:
    """An SVG for inlining: ids made unique on the page (several drawings share Graphviz's ids)."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    svg = re.sub(r'\bid="([^"]*)"', lambda mt: f'id="{prefix}-{mt.group(1)}"', svg)
    return re.sub(r'href="#([^"]*)"', lambda mt: f'href="#{prefix}-{mt.group(1)}"', svg)


# ---------------------------------------------------------------- sections


def _header(rs: m.Ruleset, data: Mapping[str, Any] | None, timing: bool) -> str:
    results = list(data.get("results", [])) if data else []
    counts = {s: sum(1 for r in results if r.get("status") == s) for s in ("proved", "refuted", "unknown")}
    if data is None:
        verdict = '<div class="verdict warn">Not checked: no verifier results were given</div>'
    elif counts["refuted"]:
        verdict = f'<div class="verdict bad">{counts["refuted"]} of {len(results)} checks refuted</div>'
    elif counts["unknown"]:
        verdict = f'<div class="verdict warn">{counts["unknown"]} of {len(results)} checks undecided (not proved)</div>'
    else:
        verdict = f'<div class="verdict ok">All {len(results)} checks proved</div>'
    return (
        '<header class="top"><div class="wrap"><div>'
        f"<h1>Review of ruleset <code>{e(rs.name)}</code> {e(rs.version)}</h1>"
        f'<div class="sub">{e(rs.path)} · {len(rs.rules)} rules, {len(rs.actions)} actions, '
        f"{len(rs.inputs)} inputs, {len(rs.phases)} phases, {len(rs.sources)} sources</div>"
        f"</div>{verdict}</div></header>"
    )


def _nav(has_matrix: bool, has_tables: bool = False) -> str:
    links = [("summary", "Summary")]
    if has_matrix:
        links.append(("coverage", "Coverage matrix"))
    if has_tables:
        links.append(("tables", "Decision tables"))
    links += [("decision", "Phase by phase"), ("checks", "Checks"), ("rules", "Rules"),
              ("inputs", "Inputs"), ("cases", "Generated cases"), ("sources", "Sources")]
    return '<nav class="toc"><div class="wrap">' + "".join(f'<a href="#{a}">{e(t)}</a>' for a, t in links) + "</div></nav>"


def _summary(rs: m.Ruleset, data: Mapping[str, Any] | None, timing: bool) -> str:
    out = ['<section class="card" id="summary"><h2>Summary</h2>']
    if data is None:
        out.append('<p class="lead">This report was built without running the verifier; the checks are missing.</p></section>')
        return "".join(out)
    results = list(data.get("results", []))
    out.append('<p class="lead">What <code>ruleproof check</code> proved about every valid patient record.</p>')
    out.append('<table><tr><th>Check</th><th>What it establishes</th><th class="num">Proved</th>'
               '<th class="num">Refuted</th><th class="num">Undecided</th></tr>')
    for kind, title in _KIND_TITLES.items():
        mine = [r for r in results if r.get("kind") == kind]
        if not mine:
            continue
        n = {s: sum(1 for r in mine if r.get("status") == s) for s in ("proved", "refuted", "unknown")}
        out.append(
            f'<tr><td><a href="#checks-{e(kind)}">{e(title)}</a></td><td class="muted">{e(_KIND_HELP[kind])}</td>'
            f'<td class="num">{n["proved"]}</td><td class="num">{_nonzero(n["refuted"], "refuted")}</td>'
            f'<td class="num">{_nonzero(n["unknown"], "unknown")}</td></tr>'
        )
    out.append("</table>")
    open_items = sorted((r for r in results if r.get("status") != "proved"),
                        key=lambda r: _STATUS_ORDER.get(str(r.get("status")), 3))
    if open_items:
        # What a reviewer must look at first, each linked to its row below.
        out.append("<h3>To look at</h3><ul>")
        for r in open_items:
            out.append(f'<li>{_pill(str(r.get("status")))} <a href="#check-{e(r.get("property"))}">'
                       f'<code>{e(r.get("property"))}</code></a> {e(r.get("message", ""))}</li>')
        out.append("</ul>")
    warnings = list(data.get("warnings", []))
    if warnings:
        out.append(f"<h3>Warnings ({len(warnings)})</h3><ul>")
        for w in warnings:
            where = f' <span class="muted small">{e(w.get("location") or "")}</span>'
            out.append(f"<li>{e(w.get('message', ''))}{where}</li>")
        out.append("</ul>")
    if timing:
        total = sum(float(r.get("seconds") or 0) for r in results)
        out.append(f'<p class="muted small">Solver time: {total:.2f} s over {len(results)} checks.</p>')
    out.append("</section>")
    return "".join(out)


def _nonzero(n: int, kind: str) -> str:
    return _pill(kind, str(n)) if n else "0"


def _matrices(rs: m.Ruleset, data: Mapping[str, Any] | None) -> str:
    results = [r for r in (data or {}).get("results", []) if r.get("matrix")]
    if not results:
        return ""
    out = ['<section class="card" id="coverage"><h2>Coverage matrix</h2>',
           '<p class="lead">Each cell is one combination of the listed inputs: served by at least one rule '
           "(covered), impossible under the constraints (excluded), or reachable yet unserved (a gap).</p>"]
    for r in results:
        out.append(_matrix(rs, r))
    out.append(
        '<div class="legend"><span><i class="swatch" style="background:#d8f0d2"></i>covered: number of rules that can serve it</span>'
        '<span><i class="swatch" style="background:#eceef2"></i>excluded: by the constraints named</span>'
        '<span><i class="swatch" style="background:#fbd9d7"></i>gap: a valid record gets nothing</span>'
        '<span><i class="swatch" style="background:#fff1c7"></i>undecided</span></div></section>'
    )
    return "".join(out)


def _matrix(rs: m.Ruleset, r: Mapping[str, Any]) -> str:
    matrix = r["matrix"]
    inputs = list(matrix["inputs"])
    cells = list(matrix["cells"])
    title = next((c.title for c in rs.coverages if c.id == r.get("property")), None)
    head = f'<h3>{e(title or r.get("property"))} <span class="muted small">({e(" × ".join(inputs))}) · {e(r.get("message", ""))}</span></h3>'
    rows_in, col_in = inputs[:-1], inputs[-1]
    cols: list[str] = []
    rows: dict[tuple[str, ...], dict[str, Mapping[str, Any]]] = {}
    for c in cells:
        vals = tuple(str(v) for v in c["values"])
        if vals[-1] not in cols:
            cols.append(vals[-1])
        rows.setdefault(vals[:-1], {})[vals[-1]] = c
    out = [head, '<div class="graph fit" style="max-height:none;border:0;padding:0"><table class="matrix">']
    out.append("<tr>" + "".join(f'<th class="rowkey">{e(n)}</th>' for n in rows_in)
               + f'<th colspan="{len(cols)}">{e(col_in)}</th></tr>')
    out.append("<tr>" + "".join("<th></th>" for _ in rows_in) + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>")
    keys = list(rows)
    gaps: list[Mapping[str, Any]] = []
    for n, key in enumerate(keys):
        tds = []
        for i, v in enumerate(key):
            if n > 0 and keys[n - 1][: i + 1] == key[: i + 1]:
                continue  # spanned from the row above
            span = 1
            while n + span < len(keys) and keys[n + span][: i + 1] == key[: i + 1]:
                span += 1
            tds.append(f'<th class="rowkey" rowspan="{span}">{e(v)}</th>')
        for col in cols:
            c = rows[key].get(col)
            tds.append(_matrix_cell(c, len(gaps)))
            if c is not None and c.get("status") == "gap":
                gaps.append(c)
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table></div>")
    for k, c in enumerate(gaps):
        where = ", ".join(f"{n} = {v}" for n, v in zip(inputs, c["values"]))
        out.append(f'<details open id="gap-{e(r.get("property"))}-{k}"><summary>Gap {k + 1}: {e(where)}</summary>')
        if c.get("counterexample"):
            out.append(_record(c["counterexample"], rs))
        out.append("</details>")
    return "".join(out)


def _matrix_cell(c: Mapping[str, Any] | None, gap_no: int) -> str:
    if c is None:
        return '<td class="cell"></td>'
    status = c.get("status")
    if status == "covered":
        rules = list(c.get("rules", []))
        return (f'<td class="cell covered" title="{e(", ".join(rules))}">✓ {len(rules)} '
                f'rule{"s" if len(rules) != 1 else ""}</td>')
    if status == "excluded":
        why = ", ".join(c.get("constraints", []))
        return f'<td class="cell excluded" title="excluded by {e(why)}">excluded<br/><span class="small">{e(why)}</span></td>'
    if status == "gap":
        return f'<td class="cell gap">GAP {gap_no + 1}</td>'
    return '<td class="cell unknown">undecided</td>'


def _figures(figures: Sequence[Figure] | None, graph_note: str | None) -> str:
    out = ['<section class="card" id="decision"><h2>Phase by phase: rules and decisions</h2>',
           '<p class="lead">First, for each phase of care, its rules in the guideline\'s own words: what each '
           "rule reads (left) and what it gives (right). Then the decision diagram, read one question at a time: "
           "the questions that decide which phase applies, then per phase small diagrams whose leaves list what is "
           "recommended, considered or avoided (with the evidence category). A patient receives everything the "
           "leaves reached in the phase's diagrams list together. Green recommend, amber consider, red avoid.</p>"]
    if graph_note:
        out.append(f'<p class="note bad">{e(graph_note)}</p>')
    for f in figures or ():
        # A pure-CSS switch (no script) between the drawing's natural size and the page width.
        toggle = (f'<input type="checkbox" class="fit-toggle" id="{e(f.id)}-fit"{" checked" if f.fit else ""}>'
                  f'<label class="fit-label" for="{e(f.id)}-fit">fit to page width</label>')
        body = (f'<figure id="{e(f.id)}"><figcaption>{e(f.caption)} <span class="muted">{e(f.note)}</span></figcaption>'
                f'{toggle}<div class="graph">{_svg(f.svg, f.id)}</div></figure>')
        if f.collapsed:
            body = f"<details><summary>{e(f.caption)}: show</summary>{body}</details>"
        out.append(body)
    out.append("</section>")
    return "".join(out)


def _checks(rs: m.Ruleset, data: Mapping[str, Any] | None, timing: bool) -> str:
    out = ['<section class="card" id="checks"><h2>Checks</h2>']
    if data is None:
        out.append('<p class="lead">No verifier results.</p></section>')
        return "".join(out)
    out.append('<p class="lead">Every check the verifier ran, in the order it ran them. A refuted check shows '
               "a complete patient record on which it fails, replayed through the engine.</p>")
    results = list(data.get("results", []))
    time_head = '<th class="num">Time</th>' if timing else ""
    out.append(f"<table><tr><th>Status</th><th>Check</th><th>Result</th>{time_head}</tr>")
    for kind, title in _KIND_TITLES.items():
        mine = [r for r in results if r.get("kind") == kind]
        if mine:
            out.append(f'<tr class="group" id="checks-{e(kind)}"><th colspan="{4 if timing else 3}">{e(title)}</th></tr>')
        for r in mine:
            out.append(_check_row(rs, r, timing))
    others = [r for r in results if r.get("kind") not in _KIND_TITLES]
    for r in others:
        out.append(_check_row(rs, r, timing))
    out.append("</table></section>")
    return "".join(out)


def _check_row(rs: m.Ruleset, r: Mapping[str, Any], timing: bool) -> str:
    status = str(r.get("status"))
    name = str(r.get("property"))
    prop = next((p for p in rs.properties if p.id == name), None)
    pathway = next((p for p in rs.pathways if p.id == name), None) if r.get("kind") == "pathway" else None
    title = prop.title if prop else pathway.title if pathway else None
    label = f"<code>{e(name)}</code>" + (f'<div class="small muted">{e(title)}</div>' if title else "")
    message = str(r.get("message", ""))
    body = [e(message)] if prop is None or message != prop.title else []
    details = [str(d) for d in r.get("detail", []) or []]
    if prop is not None and format_expr(prop.expr) not in details:
        # What was proved, as the rules file states it (the title alone is a claim, not the formula).
        details.insert(0, format_expr(prop.expr))
    body += [f'<div class="small mono">{e(d)}</div>' for d in details]
    if r.get("location"):
        body.append(f'<div class="small muted">{e(r["location"])}</div>')
    time_cell = f'<td class="num">{float(r.get("seconds") or 0):.3f} s</td>' if timing else ""
    row = (f'<tr id="check-{e(name)}"><td>{_pill(status)}</td><td>{label}</td><td>{"".join(body)}</td>'
           f"{time_cell}</tr>")
    if r.get("counterexample"):
        # Full width below its check: a whole record reads best in several columns.
        fired = ", ".join(r.get("fired") or []) or "none"
        row += (f'<tr class="cx"><td></td><td colspan="{3 if timing else 2}"><details open><summary>'
                f"Counterexample: a valid record on which {e(name)} fails (every input) · rules fired: {e(fired)}"
                f'</summary>{_record(r["counterexample"], rs)}</details></td></tr>')
    if r.get("journey"):
        row += (f'<tr class="cx"><td></td><td colspan="{3 if timing else 2}"><details open><summary>'
                f"Counterexample journey: {len(r['journey']) - 1} step(s), replayed through the engine"
                f"</summary>{_journey_table(r['journey'], rs)}</details></td></tr>")
    return row


def _journey_table(journey: list[Mapping[str, Any]], rs: m.Ruleset) -> str:
    """A step table: the starting record in full, then each step's action and what it changed."""
    rows = ["<table><tr><th>Step</th><th>Action taken</th><th>Record (step 0) / what changed</th><th>Given there</th></tr>"]
    prev: Mapping[str, Any] | None = None
    for k, entry in enumerate(journey):
        rec = entry["record"]
        if prev is None:
            action, what = "(start)", _record(rec, rs)
        else:
            action = str(journey[k - 1]["action"])
            what = "<br>".join(f"<code>{e(n)}</code>: {e(_value(prev[n]))} &rarr; {e(_value(v))}"
                               for n, v in rec.items() if prev[n] != v)
        given = ", ".join(e(a) for a in entry.get("given", []))
        rows.append(f"<tr><td>{k}</td><td><code>{e(action)}</code></td><td>{what}</td><td class=\"small\">{given}</td></tr>")
        prev = rec
    rows.append("</table>")
    return "".join(rows)


def _outcome(g: m.Give, rs: m.Ruleset) -> str:
    acts = []
    for a in g.actions:
        acts.append(f'<code>{e(a)}</code> <span class="muted">{e(rs.action(a).label)}</span>')
    joined = (" <b>or</b> " if g.alternatives else "; ").join(acts)
    one_of = "one of: " if g.alternatives else ""
    sources = ", ".join(f'<a href="#src-{e(s)}">{e(s)}</a>' for s in g.sources)
    return (f"<li>{_pill(g.strength)} {one_of}{joined} {_pill('cat', _category_words(rs, g.category))} "
            f'<span class="small muted">sources: {sources}</span></li>')


def _category_words(rs: m.Ruleset, category: str) -> str:
    """issue 12: NCCN as before ("category 2A"), other schemes in their own words ("Class I, level A")."""
    return f"category {category}" if rs.grading.name == "nccn" else rs.grading.label(category)


def _rules(rs: m.Ruleset) -> str:
    out = ['<section class="card" id="rules"><h2>Rules</h2>',
           '<p class="lead">Every rule, grouped by phase, with its condition as the rules file states it. '
           "A rule fires when its phase's condition and its own condition both hold.</p>"]
    groups: list[tuple[m.Definition | None, list[m.Rule]]] = [
        (p, [r for r in rs.rules if r.phase == p.name]) for p in rs.phases
    ]
    loose = [r for r in rs.rules if r.phase is None]
    if loose:
        groups.append((None, loose))
    for phase, rules in groups:
        if phase is not None:
            out.append(f'<h3 class="rules-phase">Phase: {e(phase.doc or phase.name)} <code class="small">{e(phase.name)}</code></h3>'
                       f'<div class="rule cond" style="border:0">when {highlight_rules(format_expr(phase.expr))}</div>')
        else:
            out.append('<h3 class="rules-phase">Rules outside any phase</h3>')
        for r in rules:
            out.append(
                f'<div class="rule" id="rule-{e(r.id)}"><h4><code>{e(r.id)}</code> {e(r.title)}'
                f'<span class="where">{e(r.span)}</span></h4>'
                f'<div class="cond">when {highlight_rules(_condition(r))}</div>'
                f'<ul>{"".join(_outcome(g, rs) for g in r.gives)}</ul>'
                + (f'<p class="why">{e(r.rationale)}</p>' if r.rationale else "")
                + "</div>"
            )
    out.append("</section>")
    return "".join(out)


def _condition(r: m.Rule) -> str:
    """The rule's whole condition: its phase, then its own `when` (a bare `true` left out)."""
    if r.phase is not None and isinstance(r.when, m.BoolLit) and r.when.value:
        return r.phase
    return format_expr(r.condition)


def _inputs(rs: m.Ruleset) -> str:
    rows = "".join(
        f"<tr><td><code>{e(i.name)}</code></td><td class='small'>{e(type_text(i))}</td>"
        f"<td class='small'>{e(i.unit or '')}</td><td>{e(i.doc or '')}</td></tr>"
        for i in rs.inputs
    )
    defs = "".join(
        f"<tr><td><code>{e(d.name)}</code></td><td class='small mono'>{highlight_rules(format_expr(d.expr))}</td><td>{e(d.doc or '')}</td></tr>"
        for d in rs.definitions if not d.is_phase
    )
    cons = "".join(
        f"<tr><td><code>{e(c.id)}</code></td><td class='small mono'>{highlight_rules(format_expr(c.expr))}</td><td>{e(c.message)}</td></tr>"
        for c in rs.constraints
    )
    return (
        '<section class="card" id="inputs"><h2>Inputs, derived conditions and constraints</h2>'
        '<p class="lead">What a patient record holds, the terms the rules define over it, and what makes a record valid.</p>'
        f"<table><tr><th>Input</th><th>Values</th><th>Unit</th><th>Meaning</th></tr>{rows}</table>"
        + (f"<h3>Derived conditions</h3><table><tr><th>Name</th><th>Definition</th><th>Meaning</th></tr>{defs}</table>" if defs else "")
        + (f"<h3>Constraints</h3><table><tr><th>Id</th><th>Condition</th><th>Message</th></tr>{cons}</table>" if cons else "")
        + "</section>"
    )


_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f\"'<>\\]+\Z", re.IGNORECASE)

# The report is a local file that anyone may send around: it runs no script,
# loads nothing, submits nothing. Inline styles are its only active content.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; "
       "object-src 'none'; base-uri 'none'; form-action 'none'")


def _sources(rs: m.Ruleset) -> str:
    items = []
    for s in rs.sources:
        year = f" ({s.year})" if s.year else ""
        url = ""
        if s.url:
            # Only a web address becomes a link: javascript:, data: or file: from a ruleset stays text.
            url = f' <a href="{e(s.url)}" rel="noopener noreferrer">{e(s.url)}</a>' if _WEB_URL.match(s.url) else f" {e(s.url)}"
        used = sorted({r.id for r in rs.rules for g in r.gives if s.id in g.sources})
        items.append(f'<li id="src-{e(s.id)}"><code>{e(s.id)}</code> {e(s.citation)}{e(year)}{url}'
                     f'<div class="small muted">cited by {len(used)} rules</div></li>')
    return (f'<section class="card" id="sources"><h2>Sources</h2><ol class="sources">{"".join(items)}</ol></section>')


# ---------------------------------------------------------------- the document


def build_html(
    ruleset: m.Ruleset,
    results: Any | None,
    figures: Sequence[Figure] | None = None,
    *,
    manifest: Path | None = None,
    timing: bool = True,
    graph_note: str | None = None,
    tool: str = "ruleproof",
    source_text: str | None = None,
    tables: tuple[str, Mapping[str, Any]] | None = None,
) -> str:
    """The whole report. ``results``: a ``RulesetReport`` or its JSON (None: not checked);
    ``figures``: the drawings (see ``report_figures``); ``manifest``: the generated cases'
    manifest.json, if any (``source_text``: the rules file, to tell a stale suite); ``timing=False`` leaves check times out (byte-identical reports);
    ``tables``: (DMN file name, its table analysis as JSON) for the "Decision tables" section."""
    data = results_json(results, ruleset.name) if results is not None else None
    has_matrix = any(r.get("matrix") for r in (data or {}).get("results", []))
    parts: Iterable[str] = (
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(ruleset.name)} {e(ruleset.version)}: ruleset review</title>",
        f"<style>{CSS}{HIGHLIGHT_CSS}</style></head><body>",
        _header(ruleset, data, timing),
        _nav(has_matrix, tables is not None),
        '<main><div class="wrap">',
        _summary(ruleset, data, timing),
        _matrices(ruleset, data),
        tables_section(*tables) if tables is not None else "",
        _figures(figures, graph_note),
        _checks(ruleset, data, timing),
        _rules(ruleset),
        _inputs(ruleset),
        cases_section(ruleset, manifest, source_text),
        guards_section(manifest.parent if manifest is not None else None),
        _sources(ruleset),
        "</div></main>",
        f'<footer><div class="wrap">Produced by {e(tool)} from {e(ruleset.path)}. '
        "Self-contained: no scripts, fonts or images are loaded from anywhere.</div></footer>",
        "</body></html>",
    )
    return "\n".join(parts) + "\n"


def report_figures(ruleset: m.Ruleset) -> list[Figure]:
    """The report's drawings, rendered by Graphviz (raises ``verifier.graph.render.GraphvizMissing``)."""
    from verifier.graph.render import render
    from verifier.graph.decision import build_view
    from verifier.graph.decision_dot import overview_dot, section_dot
    from verifier.graph.rules_view import rules_view

    view = build_view(ruleset)
    figs = []
    # The report leads with one rules view per phase, in clinicians' words: the whole-ruleset
    # rules view is too dense to read first (it stays at the end, folded).
    for k, phase in enumerate(ruleset.phases):
        if not any(r.phase == phase.name for r in ruleset.rules):
            continue
        svg = render(rules_view(ruleset, phase=phase.name, labels=True), "svg").decode("utf-8")
        n = sum(1 for r in ruleset.rules if r.phase == phase.name)
        figs.append(Figure(f"fig-rules-phase-{k}", f"Rules of phase: {phase.doc or phase.name}",
                           f"— {n} rule{'s' if n != 1 else ''}: what they read and what they give", svg, fit=_fits(svg)))
    if len(view.overview.nodes) > 1:
        svg = render(overview_dot(view), "svg").decode("utf-8")
        figs.append(Figure("fig-overview", "Which phase applies", "— the questions that sort a record into a phase",
                           svg, fit=_fits(svg)))
    for k, s in enumerate(view.sections):
        titles = " + ".join(ruleset.definition(p).doc or p for p in s.phases) or "No phase"
        nq = sum(len(p.diagram.nodes) - len(p.diagram.leaves()) for p in s.parts)
        note = f"— {len(s.parts)} part{'s' if len(s.parts) != 1 else ''}, {nq} questions"
        # A page scrolls down more easily than sideways: keep the narrower of the two layouts.
        svg = min((render(section_dot(view, s, rankdir=d), "svg").decode("utf-8") for d in ("LR", "TB")), key=_width)
        figs.append(Figure(f"fig-phase-{k}", f"Phase: {titles}", note, svg, fit=_fits(svg)))
    svg = render(rules_view(ruleset), "svg").decode("utf-8")
    figs.append(Figure("fig-rules", "Rules view", "— inputs and conditions feeding each rule, rules feeding actions",
                       svg, fit=_fits(svg), collapsed=True))
    return figs


_PAGE_PX = 1180  # the report's content width
_FIT_LIMIT = 1.6  # shrink a drawing to the page only while its text stays readable


def _width(svg: str) -> float:
    """The natural width of a Graphviz SVG in CSS pixels."""
    found = re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg)
    return float(found.group(1)) * 4 / 3 if found else float(_PAGE_PX)


def _fits(svg: str) -> bool:
    return _width(svg) <= _PAGE_PX * _FIT_LIMIT
