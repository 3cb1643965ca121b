"""Reports of ``ruleproof diff``: text for the author, markdown for a review, JSON for tools.

All three say the same things in the same order, and nothing in them depends
on the run but the timing (``timing=False`` drops it), so the report of one
edit is byte-identical from run to run.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from verifier.diff.compare import CHANGED, UNCHANGED, ActionChange, DiffReport, Region, ValidityChange
from verifier.diff.semantic import OLD
from verifier.diff.structure import StructuralChange
from verifier.facts.values import value_text

_WIDTH = 100


def render_json(report: DiffReport, timing: bool = True) -> str:
    return json.dumps(report.to_json(timing), indent=2, ensure_ascii=False)


# ---------------------------------------------------------------- shared wording



def _rules(rules: tuple[str, ...]) -> str:
    return ", ".join(rules) if rules else "(no rule gives it)"


def _regions_word(n: int) -> str:
    return f"{n} region{'s' if n != 1 else ''}"


def _validity_title(v: ValidityChange) -> str:
    if v.side == OLD:
        return "records valid under OLD only: NEW rejects them"
    return "records valid under NEW only: OLD rejected them"


def _headline(report: DiffReport) -> str:
    sem = report.semantic
    if sem.status == UNCHANGED:
        return ("UNCHANGED (proved): every record valid under one version is valid under the other, "
                "and gets the same actions with the same strengths and categories")
    parts: list[str] = []
    if sem.actions:
        n = sum(len(t.regions) for a in sem.actions for t in a.transitions)
        parts.append(f"{len(sem.actions)} action{'s' if len(sem.actions) != 1 else ''} "
                     f"change{'s' if len(sem.actions) == 1 else ''} ({_regions_word(n)})")
    for v in sem.validity:
        parts.append(f"{_regions_word(len(v.regions))} of records valid under {v.side.upper()} only")
    if sem.status == CHANGED:
        return "CHANGED: " + "; ".join(parts)
    return "UNDECIDED: the solver gave up before the meaning was settled (see below); nothing is proved"


def _more_note(more: bool, undecided: bool) -> list[str]:
    out = []
    if more:
        out.append("and more: other records change too; the listing stops at --max-regions regions")
    if undecided:
        out.append("UNDECIDED: the solver gave up before every region was found; the list may be incomplete")
    return out


# ---------------------------------------------------------------- text


def _wrap(text: str, indent: str, hanging: str = "   ") -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent + hanging,
                         break_long_words=False, break_on_hyphens=False)


def _record_lines(record: dict[str, Any], indent: str) -> list[str]:
    text = "  ".join(f"{k}={value_text(v)}" for k, v in record.items())
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def _region_text(k: int, r: Region, indent: str, validity: ValidityChange | None = None) -> list[str]:
    lines = _wrap(f"{k}. {r.text}", indent)
    pad = indent + "   "
    if validity is None:
        lines += _wrap(f"rules: OLD {_rules(r.old_rules)}; NEW {_rules(r.new_rules)}", pad)
    else:
        fired = r.old_rules if validity.side == OLD else r.new_rules
        other = "NEW" if validity.side == OLD else "OLD"
        lines += _wrap(f"{other} rejects it: {', '.join(r.rejected_by)}", pad)
        lines += _wrap(f"{validity.side.upper()} fires: {', '.join(fired) or '(nothing)'}", pad)
    if r.note:
        lines += _wrap(f"note: {r.note}", pad)
    lines.append(f"{pad}example:")
    lines += _record_lines(r.example, pad + "  ")
    return lines


def _action_text(a: ActionChange) -> list[str]:
    lines = [f"  {a.action}: {a.label}"]
    for t in a.transitions:
        lines.append(f"    {t.change}: {t.old.text()} -> {t.new.text()}, in {_regions_word(len(t.regions))}")
        for k, r in enumerate(t.regions, 1):
            lines += _region_text(k, r, "      ")
    lines += [f"    {n}" for n in _more_note(a.more, a.undecided)]
    return lines


def _structure_text(c: StructuralChange) -> list[str]:
    where = ""
    if c.old_location and c.new_location:
        where = f"  ({c.old_location} -> {c.new_location})"
    elif c.location:
        where = f"  ({c.location})"
    lines = [f"  {c.kind} {c.id} {c.change}{where}"]
    for d in c.details:
        if len(d) + 4 <= _WIDTH:
            lines.append(f"    {d}")
            continue
        # Old and new values one above the other, continuation lines aligned under them.
        field, _, change = d.partition(": ")
        before, _, after = change.partition(" -> ")
        col = " " * (4 + len(field) + 2)
        lines += textwrap.wrap(f"    {field}: {before}", _WIDTH, subsequent_indent=col,
                               break_long_words=False, break_on_hyphens=False)
        lines += textwrap.wrap(f"{col[:-3]}-> {after}", _WIDTH, subsequent_indent=col,
                               break_long_words=False, break_on_hyphens=False)
    return lines


def render_text(report: DiffReport, timing: bool = True) -> str:
    sem = report.semantic
    out = ["ruleproof diff",
           f"  old: {report.old.path} ({report.old.name} {report.old.version})",
           f"  new: {report.new.path} ({report.new.name} {report.new.version})",
           ""]
    out.append(f"Structure: {len(report.structure) or 'no'} change{'s' if len(report.structure) != 1 else ''}")
    for c in report.structure:
        out += _structure_text(c)
    out.append("")
    out += _wrap(f"Meaning: {_headline(report)}", "", "  ")
    if sem.actions or sem.validity:
        out.append("  (a region names only the inputs it restricts: the others may take any valid value)")
    for a in sem.actions:
        out.append("")
        out += _action_text(a)
    for v in sem.validity:
        out.append("")
        out.append(f"  {_validity_title(v)}, in {_regions_word(len(v.regions))}")
        for k, r in enumerate(v.regions, 1):
            out += _region_text(k, r, "      ", v)
        out += [f"    {n}" for n in _more_note(v.more, v.undecided)]
    for u in sem.undecided:
        out.append(f"  undecided: {u}")
    out += _spec_text(report)
    out.append("")
    took = f" in {report.seconds:.2f}s" if timing else ""
    out.append(f"Summary: meaning {sem.status}; {len(report.structure)} structural "
               f"change{'s' if len(report.structure) != 1 else ''}{took}")
    return "\n".join(out)


def _spec_changes(report: DiffReport) -> list[Any]:
    return [c for c in report.spec.changes if c.verdict != "equivalent"] if report.spec is not None else []


def _spec_text(report: DiffReport) -> list[str]:
    """The specification: statements whose promise changed (properties equivalent are not listed)."""
    changes = _spec_changes(report)
    if report.spec is None or (not changes and not report.spec.undecided):
        return []
    out = ["", f"Specification: {len(changes)} statement{'s' if len(changes) != 1 else ''} changed"
               f" ({sum(1 for c in changes if c.weakens)} weakened)"]
    for c in changes:
        out += _wrap(f"{'WEAKENED ' if c.weakens else ''}{c.kind} {c.id}: {c.verdict}  ({c.location})", "  ", "    ")
        out += _wrap(c.message, "    ", "  ")
        for w in c.witnesses:
            holds = f"OLD {'holds' if w.old_holds else 'fails'}, NEW {'holds' if w.new_holds else 'fails'}"
            out += _wrap(f"witness ({holds}): decision {w.decision_text()}", "    ", "  ")
            out += _record_lines(w.record, "      ")
        for e in c.examples[:1]:
            out.append("    example record:")
            out += _record_lines(e, "      ")
    out += [f"  undecided: {u}" for u in report.spec.undecided]
    return out


# ---------------------------------------------------------------- markdown


# Labels, versions and paths come from the rules files under review, so the
# pull-request comment must show them as written and never let them act as
# markdown or HTML: a newline followed by `<!--` would hide the rest of the
# comment, a `|` would end a table cell (and with it the code span), an `@`
# would notify someone.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MD_RISKY = re.compile(r"[|`\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]<>()#+!|~@&:$=-]")


def _visible(text: str) -> str:
    """Control characters as escapes (``\\n``, ``\\x1b``): one line, nothing hidden."""
    return _CONTROL.sub(lambda mt: repr(mt.group())[1:-1], text)


def _md_plain(text: str) -> str:
    """Text shown literally in markdown: every markup character as an HTML entity."""
    return _MD_SPECIAL.sub(lambda mt: f"&#{ord(mt.group())};", _visible(text))


def _md(text: str) -> str:
    """Inline code. Text that could break out of a code span (a `|` in a table, a
    newline, a backtick) is written as an entity-escaped ``<code>`` element instead."""
    if _MD_RISKY.search(text):
        return f"<code>{_md_plain(text)}</code>"
    return f"`{text}`"


def _md_region(k: int, r: Region, validity: ValidityChange | None = None) -> list[str]:
    lines = [f"{k}. " + " and ".join(_md(b.text) for b in r.bounds) if r.bounds else f"{k}. every record"]
    if validity is None:
        old = ", ".join(_md(x) for x in r.old_rules) or "no rule"
        new = ", ".join(_md(x) for x in r.new_rules) or "no rule"
        lines.append(f"   <br>rules: OLD {old}; NEW {new}")
    else:
        other = "NEW" if validity.side == OLD else "OLD"
        fired = r.old_rules if validity.side == OLD else r.new_rules
        lines.append(f"   <br>{other} rejects it: {', '.join(_md(x) for x in r.rejected_by)}; "
                     f"{validity.side.upper()} fires: {', '.join(_md(x) for x in fired) or 'nothing'}")
    if r.note:
        lines.append(f"   <br>note: {_md_plain(r.note)}")
    lines += ["", "   <details><summary>example record</summary>", "", "   ```json"]
    lines += ["   " + line for line in json.dumps(r.example, indent=2, ensure_ascii=False).splitlines()]
    lines += ["   ```", "", "   </details>", ""]
    return lines


def render_markdown(report: DiffReport, timing: bool = True) -> str:
    """A report to paste into a review: summary table first, details below."""
    sem = report.semantic
    out = [f"### ruleproof diff: {_md(report.old.name)} {_md_plain(report.old.version)} → "
           f"{_md_plain(report.new.version)}", "",
           f"OLD {_md(report.old.path)}, NEW {_md(report.new.path)}", "",
           f"**Meaning: {_headline(report)}**", ""]
    if sem.actions:
        out += ["| action | change | OLD | NEW | regions |", "| --- | --- | --- | --- | --- |"]
        for a in sem.actions:
            for t in a.transitions:
                more = "+" if a.more else ""
                out.append(f"| {_md(a.action)} | {t.change} | {t.old.text()} | {t.new.text()} | {len(t.regions)}{more} |")
        out.append("")
    for v in sem.validity:
        out.append(f"- {_validity_title(v)}: {_regions_word(len(v.regions))}{' (and more)' if v.more else ''}")
    if sem.validity:
        out.append("")
    if sem.actions or sem.validity:
        out += ["A region names only the inputs it restricts; the others may take any valid value.", ""]
    for a in sem.actions:
        out += [f"#### {_md(a.action)}: {_md_plain(a.label)}", ""]
        for t in a.transitions:
            out += [f"**{t.change}**: {t.old.text()} → {t.new.text()}", ""]
            for k, r in enumerate(t.regions, 1):
                out += _md_region(k, r)
        out += [f"_{n}_" for n in _more_note(a.more, a.undecided)]
    for v in sem.validity:
        out += [f"#### {_validity_title(v)}", ""]
        for k, r in enumerate(v.regions, 1):
            out += _md_region(k, r, v)
        out += [f"_{n}_" for n in _more_note(v.more, v.undecided)]
    for u in sem.undecided:
        out.append(f"- undecided: {_md_plain(str(u))}")
    spec = _spec_changes(report)
    if spec:
        out += ["", f"#### Specification: {len(spec)} statement{'s' if len(spec) != 1 else ''} changed", "",
                "| statement | verdict | weakens | what |", "| --- | --- | --- | --- |"]
        for c in spec:
            out.append(f"| {c.kind} {_md(c.id)} | {c.verdict} | {'**yes**' if c.weakens else 'no'} | "
                       f"{c.message.replace('|', '/')} |")
    out += ["", f"#### Structure: {len(report.structure)} change{'s' if len(report.structure) != 1 else ''}", ""]
    if report.structure:
        out += ["| declaration | change | details |", "| --- | --- | --- |"]
        for c in report.structure:
            details = "<br>".join(_md(d) for d in c.details)
            out.append(f"| {c.kind} {_md(c.id)} | {c.change} | {details} |")
    if timing:
        out += ["", f"_{report.seconds:.2f}s_"]
    return "\n".join(out).rstrip() + "\n"


def render(report: DiffReport, fmt: str, timing: bool = True) -> str:
    if fmt == "json":
        return render_json(report, timing)
    if fmt == "markdown":
        return render_markdown(report, timing)
    return render_text(report, timing)


def render_all(reports: list[DiffReport], fmt: str, timing: bool = True) -> str:
    """One report as ``render`` makes it; several (``--base`` with many files) one after another,
    or for JSON one document ``{"diffs": [...]}``."""
    if len(reports) == 1:
        return render(reports[0], fmt, timing)
    if fmt == "json":
        return json.dumps({"diffs": [r.to_json(timing) for r in reports]}, indent=2, ensure_ascii=False)
    sep = "\n\n" if fmt == "text" else "\n---\n\n"
    return sep.join(render(r, fmt, timing).rstrip("\n") for r in reports) + ("\n" if reports else "")
