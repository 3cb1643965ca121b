"""Reports of ``ruleproof check`` for people (text) and for tools (JSON)."""

from __future__ import annotations

import json
import textwrap
from typing import Any, Callable, Iterable

from verifier.facts.values import value_text
from verifier.check.results import (
    COVERED,
    EXCLUDED,
    GAP,
    PROVED,
    REFUTED,
    UNKNOWN,
    CheckResult,
    CoverageMatrix,
    RulesetReport,
)

_SECTION = {
    "coverage": "coverage",
    "coverage-matrix": "coverage matrices",
    "contradiction": "contradictions",
    "dead-rule": "dead rules",
    "invariant": "invariants",
    "example": "examples",
    "pathway": "pathway properties (journeys)",
}
_STATUS_WORD = {PROVED: "proved", REFUTED: "REFUTED", UNKNOWN: "UNKNOWN"}
_WIDTH = 100


def render_json(reports: Iterable[RulesetReport], timing: bool = True) -> str:
    """One JSON document (sorted keys are not used: field order follows the spec's example)."""
    doc = {"rulesets": [r.to_json(timing) for r in reports]}
    return json.dumps(doc, indent=2, ensure_ascii=False)



def format_record(record: dict[str, Any], indent: str) -> list[str]:
    """``name=value`` pairs, wrapped: compact enough to read a whole record at a glance."""
    text = "  ".join(f"{k}={value_text(v)}" for k, v in record.items())
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


# Lines that replace a counterexample's default rendering (``verifier.counterexamples`` supplies them).
CounterexampleLines = Callable[[RulesetReport, CheckResult], "list[str] | None"]


def _result_lines(r: CheckResult, width: int, timing: bool,
                  cx_lines: "list[str] | None" = None) -> list[str]:
    secs = f"{r.seconds:7.3f}s " if timing else ""
    head = f"    {_STATUS_WORD[r.status]:<8} {r.property:<{width}} {secs} {r.message}".rstrip()
    lines = [head]
    if r.status == PROVED:
        return lines
    pad = " " * 13
    if r.location:
        lines.append(f"{pad}at {r.location}")
    for d in r.detail:
        lines.extend(textwrap.wrap(d, _WIDTH, initial_indent=pad, subsequent_indent=pad + "  "))
    # A matrix lists the record of each of its gaps under its table.
    if cx_lines is not None:
        lines.extend(pad + ln for ln in cx_lines)
    elif r.counterexample is not None and r.matrix is None:
        lines.append(f"{pad}counterexample (every input):")
        lines.extend(format_record(r.counterexample, pad + "  "))
        fired = ", ".join(r.fired or ()) or "(none)"
        lines.extend(textwrap.wrap(f"fired: {fired}", _WIDTH, initial_indent=pad, subsequent_indent=pad + "  "))
    if r.journey is not None:
        from verifier.pathway.journeys import journey_table

        lines.append(f"{pad}counterexample journey:")
        for row in journey_table(r.journey):
            lines.extend(textwrap.wrap(row, _WIDTH, initial_indent=pad + "  ", subsequent_indent=pad + "  " + " " * 5 + "|     ",
                                       break_long_words=False, break_on_hyphens=False))
    return lines


def _cell_text(status: str, rules: tuple[str, ...], constraints: tuple[str, ...]) -> str:
    if status == COVERED:
        return f"covered ({len(rules)})"
    if status == EXCLUDED:
        return "excluded " + ",".join(constraints) if constraints else "excluded"
    if status == GAP:
        return "GAP"
    return "unknown"


def format_matrix(title: str, matrix: CoverageMatrix) -> list[str]:
    """Rows: every coverage input but the last; columns: the last input's values."""
    inputs = matrix.inputs
    row_inputs, col_input = inputs[:-1], inputs[-1]
    # One input: a single row, labelled so the table still reads as one.
    label_inputs = row_inputs or ("cells",)
    cols: list[str] = []
    for c in matrix.cells:
        if c.values[-1] not in cols:
            cols.append(c.values[-1])
    rows: dict[tuple[str, ...], dict[str, str]] = {}
    for c in matrix.cells:
        rows.setdefault(c.values[:-1], {})[c.values[-1]] = _cell_text(c.status, c.rules, c.constraints)
    if not row_inputs:
        rows = {("all",): row for row in rows.values()}
    key_w = [max([len(n)] + [len(k[i]) for k in rows]) for i, n in enumerate(label_inputs)]
    col_w = {col: max([len(col)] + [len(r.get(col, "")) for r in rows.values()]) for col in cols}
    lines = [f"  coverage matrix {title}"]
    header = "  ".join(f"{n:<{w}}" for n, w in zip(label_inputs, key_w))
    lines.append("    " + header + " | " + "  ".join(f"{c:<{col_w[c]}}" for c in cols) + f"   <- {col_input}")
    lines.append("    " + "-" * (len(header) + 3 + sum(col_w.values()) + 2 * (len(cols) - 1)))
    for key, row in rows.items():
        left = "  ".join(f"{k:<{w}}" for k, w in zip(key, key_w))
        lines.append(("    " + left + " | " + "  ".join(f"{row.get(c, ''):<{col_w[c]}}" for c in cols)).rstrip())
    lines.append("    covered (n): n rules can fire there and give an action; excluded: the constraints that rule the cell out")
    covered = [c for c in matrix.cells if c.status == COVERED]
    if covered:
        lines.append("    rules serving each covered cell:")
        for c in covered:
            text = f"{' '.join(c.values)}: {', '.join(c.rules)}"
            lines.extend(textwrap.wrap(text, _WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 10))
    for c in matrix.cells:
        if c.status == GAP and c.counterexample is not None:
            lines.append(f"    GAP {' '.join(c.values)}: this record gets nothing recommended or considered:")
            lines.extend(format_record(c.counterexample, " " * 8))
    return lines


def render_text(reports: Iterable[RulesetReport], timing: bool = True, verbose: bool = True,
                counterexample_lines: CounterexampleLines | None = None) -> str:
    """The report for people.

    ``verbose``: every check on its own line and every coverage matrix. Otherwise
    a count per section, full detail only for what is not proved (and for a
    matrix with a gap), and the checks not proved named again on the last line,
    where a reader's eye lands.
    """
    reports = list(reports)
    out: list[str] = []
    for rep in reports:
        out.append(f"{rep.path}: ruleset {rep.name} {rep.version}")
        width = max((len(r.property) for r in rep.results), default=10)
        cx = (lambda r: counterexample_lines(rep, r)) if counterexample_lines else (lambda r: None)
        if verbose:
            section = None
            for r in rep.results:
                if r.kind != section:
                    section = r.kind
                    out.append(f"  {_SECTION.get(section, section)}")
                out.extend(_result_lines(r, width, timing, cx(r)))
        else:
            out.extend(_summary_lines(rep))
            open_results = [r for r in rep.results if r.status != PROVED]
            if open_results:
                out.append("")
                for r in open_results:
                    out.extend(_result_lines(r, width, timing, cx(r)))
        for r in rep.results:
            if r.matrix is not None and (verbose or any(c.status not in (COVERED, EXCLUDED) for c in r.matrix.cells)):
                out.append("")
                out.extend(format_matrix(r.property, r.matrix))
        total = f" in {rep.seconds:.2f}s" if timing else ""
        out.append("")
        out.append(
            f"  {rep.name}: {rep.count(PROVED)} proved, {rep.count(REFUTED)} refuted, "
            f"{rep.count(UNKNOWN)} unknown, {len(rep.warnings)} warnings{total}"
        )
        out.append("")
    failed = [(rep, r) for rep in reports for r in rep.results if r.status != PROVED]
    if failed:
        several = len(reports) > 1
        names = [f"{rep.path}: " * several + f"{r.property} ({'refuted' if r.status == REFUTED else 'unknown'})"
                 for rep, r in failed]
        out.append("NOT PROVED: " + "; ".join(names))
    return "\n".join(out).rstrip("\n")


def _summary_lines(rep: RulesetReport) -> list[str]:
    """One line per section: how many checks of each status."""
    counts: dict[str, dict[str, int]] = {}
    for r in rep.results:
        counts.setdefault(r.kind, {}).setdefault(r.status, 0)
        counts[r.kind][r.status] += 1
    width = max((len(_SECTION.get(k, k)) for k in counts), default=0)
    lines = []
    for kind, by in counts.items():
        parts = [f"{by[s]} {_STATUS_WORD[s]}" for s in (PROVED, REFUTED, UNKNOWN) if by.get(s)]
        lines.append(f"  {_SECTION.get(kind, kind):<{width}}  {', '.join(parts)}")
    return lines
