"""The report's "Generated cases" section: is the suite current, what it holds, one example per purpose.

A reviewer wants three answers from the generated regression suite: was it
generated from *this* ruleset (a stale suite is flagged in red: its manifest
hash is not the rules file's), how many cases serve each purpose, and what a
case looks like, with its record and the decision it pins down. The raw
manifest is not shown: its ids and snake_case keys speak to tools, not to
people.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Mapping

from dsl import model as m
from engine import load_json_strict

# Purposes in the order the generator writes them, with what each means to a reviewer.
PURPOSES = (
    ("witness", "Rule witness", "a record on which the rule fires"),
    ("mcdc", "MC/DC pair", "only one condition flips, and the rule's outcome flips with it"),
    ("value", "Enum value", "every value of each enum test"),
    ("boundary", "Boundary", "just below, on and just above a numeric threshold"),
    ("cell", "Coverage cell", "one record per covered cell of a coverage matrix"),
    ("counterexample", "Counterexample", "a record on which `ruleproof check` found a failure"),
    ("regression", "Regression", "a record frozen by hand or by a random test"),
)


def _e(text: object) -> str:
    import html

    return html.escape(str(text), quote=True)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    return "—" if v is None else str(v)


def _why(p: Mapping[str, Any]) -> str:
    """A purpose in words: the generator's own sentence when it wrote one."""
    if p.get("why"):
        return str(p["why"])
    from verifier.cases.store import purpose_label

    return purpose_label(p)


def cases_section(rs: m.Ruleset, manifest: Path | None, source_text: str | None) -> str:
    out = ['<section class="card" id="cases"><h2>Generated cases</h2>']
    if manifest is None or not manifest.is_file():
        where = f" (<code>{_e(manifest)}</code> not found)" if manifest is not None else ""
        out.append(f'<p class="note">No generated test cases for this ruleset yet{where}. Generate them with '
                   f"<code>ruleproof cases {_e(rs.path)} --out generated_cases/{_e(rs.name)}</code>.</p></section>")
        return "".join(out)
    try:
        data = load_json_strict(manifest.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, UnicodeDecodeError, ValueError) as err:
        out.append(f'<p class="note bad">{_e(manifest)} could not be read: {_e(err)}</p></section>')
        return "".join(out)
    out.append(f'<p class="lead">The regression suite in <code>{_e(manifest.parent)}</code>, replayed by the tests '
               "and by <code>ruleproof cases --check</code>.</p>")
    out.append(_staleness(rs, data, manifest, source_text))
    out.append(_counts(data))
    out.append(_examples(rs, data, manifest.parent / "cases"))
    out.append(_not_covered(data))
    out.append("</section>")
    return "".join(out)


def _staleness(rs: m.Ruleset, data: Mapping[str, Any], manifest: Path, source_text: str | None) -> str:
    problems = []
    if data.get("ruleset") != rs.name:
        problems.append(f"they were generated for ruleset <b>{_e(data.get('ruleset'))}</b>, not {_e(rs.name)}")
    if data.get("version") != rs.version:
        problems.append(f"they were generated from version {_e(data.get('version'))}, this is {_e(rs.version)}")
    if source_text is not None:
        digest = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
        if data.get("source_sha256") != digest:
            problems.append("the rules file has changed since they were generated (its SHA-256 is "
                            f"<code>{digest[:12]}…</code>, the manifest's <code>{_e(str(data.get('source_sha256'))[:12])}…</code>)")
    if not problems:
        return ('<p class="verdict ok">Current: generated from this very rules file '
                f"(SHA-256 <code>{_e(str(data.get('source_sha256'))[:12])}…</code>).</p>")
    fix = f"ruleproof cases {rs.path} --out {manifest.parent} --check"
    return ('<p class="verdict bad"><b>Stale:</b> ' + "; ".join(problems) + ". The expectations below may not be "
            f"what this ruleset decides. Run <code>{_e(fix)}</code> to see which cases changed, then "
            "<code>--update</code>.</p>")


def _counts(data: Mapping[str, Any]) -> str:
    summary = data.get("summary") or {}
    first = summary.get("cases_by_first_purpose") or {}
    served = summary.get("purposes") or {}
    gaps = summary.get("not_covered") or {}
    rows = []
    for kind, title, meaning in PURPOSES:
        if not (first.get(kind) or served.get(kind) or gaps.get(kind)):
            continue
        rows.append(f"<tr><td><b>{_e(title)}</b><br><span class='muted small'>{_e(meaning)}</span></td>"
                    f"<td class='num'>{first.get(kind, 0)}</td><td class='num'>{served.get(kind, 0)}</td>"
                    f"<td class='num'>{gaps.get(kind, 0) or '—'}</td></tr>")
    total = summary.get("cases", len(data.get("cases") or []))
    return (f"<h3>{_e(total)} cases by purpose</h3>"
            "<table><tr><th>Purpose</th><th>Cases (first purpose)</th><th>Purposes served</th>"
            f"<th>Could not be covered</th></tr>{''.join(rows)}</table>"
            "<p class='muted small'>One record often serves several purposes and is written once: "
            "a case counts under its first purpose.</p>")


def _examples(rs: m.Ruleset, data: Mapping[str, Any], cases_dir: Path) -> str:
    """The first case (by id) of each purpose, with its record and expected decision."""
    picked: dict[str, dict[str, Any]] = {}
    for entry in data.get("cases") or []:
        cid = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(cid, str):
            continue
        try:
            case = load_json_strict((cases_dir / f"{cid}.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        purposes = case.get("purposes") or []
        kind = purposes[0].get("kind") if purposes and isinstance(purposes[0], dict) else None
        if kind and kind not in picked:
            picked[kind] = case
    if not picked:
        return '<p class="note bad">The case files listed in the manifest could not be read.</p>'
    out = ["<h3>One example per purpose</h3>"]
    titles = {k: t for k, t, _ in PURPOSES}
    units = {i.name: i.unit for i in rs.inputs}
    for kind, _, _ in PURPOSES:
        case = picked.get(kind)
        if case is None:
            continue
        p = case["purposes"][0]
        others = len(case["purposes"]) - 1
        also = f" <span class='muted small'>(and {others} more purpose{'s' if others != 1 else ''})</span>" if others else ""
        unusual = [n for n in case.get("unusual_inputs") or [] if n in (case.get("record") or {})]
        record = case.get("record") or {}
        ordered = unusual + [k for k in record if k not in unusual]
        hi = ' class="hi"'
        cells = "".join(
            f"<div{hi if k in unusual else ''}><span>{_e(k)}</span>"
            f"<span>{_e(_value(record[k]))}{_e(' ' + units[k] if units.get(k) else '')}</span></div>"
            for k in ordered)
        out.append(
            f"<div class='case'><h4>{_e(titles[kind])}: <code>{_e(case.get('id'))}</code></h4>"
            f"<p>{_e(_why(p))}{also}</p>"
            f"<p class='small'><b>Record:</b> {_inline(record, unusual, units)}</p>"
            f"<p class='small'><b>Expected decision:</b> {_decision(case.get('expected'))}</p>"
            f"<details><summary class='small'>All {len(record)} inputs of the record</summary>"
            f"<div class='record'>{cells}</div></details></div>")
    return "".join(out)


def _inline(record: Mapping[str, Any], unusual: list[str], units: Mapping[str, str | None]) -> str:
    """The inputs that set this record apart from a typical patient, inline; the rest are typical."""
    shown = [f"<code>{_e(k)}</code> = <b>{_e(_value(record[k]))}{_e(' ' + units[k] if units.get(k) else '')}</b>"
             for k in unusual]
    rest = len(record) - len(unusual)
    if not shown:
        return f"every one of its {rest} inputs at its typical value"
    return ", ".join(shown) + f" <span class='muted'>(the other {rest} inputs at their typical value)</span>"


def _decision(expected: Any) -> str:
    if not isinstance(expected, dict):
        return "(invalid record)"
    parts = []
    for key, pill in (("recommended", "recommend"), ("considered", "consider"), ("avoided", "avoid")):
        for a in expected.get(key) or []:
            parts.append(f"<span class='pill {pill}'>{pill}</span> {_e(a)}")
    fired = ", ".join(expected.get("fired") or []) or "none"
    return ("; ".join(parts) or "nothing") + f" <span class='muted'>(rules fired: {_e(fired)})</span>"


def _not_covered(data: Mapping[str, Any]) -> str:
    items = [x for x in data.get("not_covered") or [] if isinstance(x, dict)]
    if not items:
        return ""
    titles = {k: t for k, t, _ in PURPOSES}
    rows = "".join(
        f"<tr><td>{_e(titles.get(x.get('kind'), x.get('kind')))}</td><td><code>{_e(x.get('rule') or x.get('subject') or '')}</code></td>"
        f"<td><code>{_e(x.get('condition') or x.get('comparison') or '')}</code></td><td class='small'>{_e(x.get('reason', ''))}</td></tr>"
        for x in items)
    return (f"<details><summary>{len(items)} purposes that could not be covered, with the reason</summary>"
            f"<table><tr><th>Purpose</th><th>Rule or input</th><th>Condition</th><th>Why not</th></tr>{rows}</table></details>")
