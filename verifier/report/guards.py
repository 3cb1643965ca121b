"""The report's guard-strength section, from the mutation report `ruleproof mutate --report` wrote."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

MUTATION_REPORT = "mutation-report.json"


def guards_section(suite_dir: Path | None) -> str:
    """Guard strength (how much of the ruleset `check` guards): overall, the weakest rules and the
    rules no property guards. Empty when no mutation report with guard strength is there."""
    if suite_dir is None:
        return ""
    path = suite_dir / MUTATION_REPORT
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    guards = data.get("guards") if isinstance(data, dict) else None
    if not isinstance(guards, dict) or not isinstance(guards.get("overall"), dict):
        return ""
    o = guards["overall"]
    rows = sorted(((v.get("rate", 1.0), r, v) for r, v in guards.get("by_rule", {}).items()
                   if isinstance(v, dict) and v.get("rate", 1.0) < 1.0), key=lambda t: (t[0], t[1]))
    out = ['<section id="guards"><h2>Guard strength</h2>',
           f'<p class="lead">Of {escape(str(o.get("non_equivalent")))} mutants of the rules that change some '
           f'patient\'s advice, <code>ruleproof check</code> refutes {escape(str(o.get("refuted")))} '
           f'(<strong>{100 * float(o.get("rate", 0)):.1f}%</strong>): a mutant it does not refute is an edit '
           f'the specification would let through. From <code>{escape(str(path))}</code>.</p>']
    if rows:
        out.append("<table><thead><tr><th>rule</th><th>refuted</th><th>mutants</th></tr></thead><tbody>")
        out += [f"<tr><td><code>{escape(r)}</code></td><td>{escape(str(v.get('refuted')))}</td>"
                f"<td>{escape(str(v.get('non_equivalent')))}</td></tr>" for _, r, v in rows[:25]]
        out.append("</tbody></table>")
    unguarded = guards.get("unguarded_rules") or []
    out.append(f"<p>Rules no property guards: {', '.join(f'<code>{escape(str(r))}</code>' for r in unguarded) or 'none'}.</p>")
    out.append("</section>")
    return "".join(out)
