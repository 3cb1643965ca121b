"""Decision-table analysis as text (people), JSON (tools) and SARIF 2.1.0 (code scanning)."""

from __future__ import annotations

import json
from typing import Any

from verifier.dmn.analysis import Column, TableAnalysis, fmt_cell

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_RULES = (
    ("table-overlap", "TableOverlap", "Rows of a decision table overlap where its hit policy forbids it"),
    ("table-gap", "TableGap", "No row of a decision table matches some inputs (the result is null)"),
    ("table-masked-row", "TableMaskedRow", "A row never decides: rows that win over it cover its whole box"),
    ("table-subsumed-row", "TableSubsumedRow", "A row lies inside another row with the same outputs"),
)


def _box(cols: tuple[Column, ...], box: tuple) -> dict[str, str]:
    """A box as {column: cell}, leaving out columns it does not restrict."""
    out = {}
    for c, cell in zip(cols, box):
        text = fmt_cell(c, cell).replace('"\x00other"', "any other string")
        if text != "-":
            out[c.name] = text
    return out


def _box_text(cols: tuple[Column, ...], box: tuple) -> str:
    parts = _box(cols, box)
    return " and ".join(f"{k} in {v}" for k, v in parts.items()) or "every input"


def to_json(path: str, tables: list[TableAnalysis]) -> dict[str, Any]:
    return {"file": path, "tables": [{
        "decision": t.decision, "hit_policy": t.policy, "rows": t.rows,
        "overlaps": [{"rows": list(o.rows), "grade": g, "witness": _box(t.columns, o.box)}
                     for o, g in zip(t.overlaps, t.overlap_grades)],
        "gaps": [_box(t.columns, g) for g in t.gaps],
        "subsumed": [{"row": a, "by": b} for a, b in t.subsumed],
        "masked": list(t.masked),
        "errors": t.errors,
    } for t in tables]}


def render_json(path: str, tables: list[TableAnalysis]) -> str:
    return json.dumps(to_json(path, tables), indent=2, sort_keys=False) + "\n"


def render_text(path: str, tables: list[TableAnalysis]) -> str:
    lines = [f"{path}: {len(tables)} decision table(s)"]
    for t in tables:
        errs = t.overlap_grades.count("error")
        lines.append(f"  {t.decision} (hit policy {t.policy}, {t.rows} rows): {len(t.overlaps)} overlaps"
                     f" ({errs} errors), {len(t.gaps)} gaps, {len(t.masked)} masked, {len(t.subsumed)} subsumed")
        for o, g in zip(t.overlaps, t.overlap_grades):
            word = "ERROR  " if g == "error" else "overlap"
            lines.append(f"    {word} rows {', '.join(map(str, o.rows))} all match where {_box_text(t.columns, o.box)}")
        for g in t.gaps:
            lines.append(f"    GAP     no row matches where {_box_text(t.columns, g)}")
        for r in t.masked:
            lines.append(f"    MASKED  row {r} never decides: rows that win over it cover all of it")
        for a, b in t.subsumed:
            lines.append(f"    subsumed row {a} lies inside row {b}, with the same outputs")
    total = sum(t.errors for t in tables)
    lines.append(f"  {total} error(s)")
    return "\n".join(lines) + "\n"


def render_sarif(path: str, tables: list[TableAnalysis], version: str) -> str:
    results = []

    def result(rule: str, level: str, message: str, line: int, col: int, props: dict[str, Any]) -> None:
        results.append({"ruleId": rule, "level": level, "message": {"text": message},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": path},
                                                            "region": {"startLine": max(line, 1), "startColumn": max(col, 1)}}}],
                        "properties": props})

    for t in tables:
        for o, g in zip(t.overlaps, t.overlap_grades):
            if g == "error":
                loc = t.row_locs[o.rows[0]]
                result("table-overlap", "error", f"{t.decision} ({t.policy}): rows {', '.join(map(str, o.rows))} all match where "
                       f"{_box_text(t.columns, o.box)}", loc.line, loc.col, {"rows": list(o.rows), "witness": _box(t.columns, o.box)})
        for g in t.gaps:
            result("table-gap", "error", f"{t.decision}: no row matches where {_box_text(t.columns, g)}",
                   t.loc.line, t.loc.col, {"box": _box(t.columns, g)})
        for r in t.masked:
            loc = t.row_locs[r]
            result("table-masked-row", "error", f"{t.decision} ({t.policy}): row {r} never decides", loc.line, loc.col, {"row": r})
        for a, b in t.subsumed:
            loc = t.row_locs[a]
            result("table-subsumed-row", "warning", f"{t.decision}: row {a} lies inside row {b} with the same outputs",
                   loc.line, loc.col, {"row": a, "by": b})
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "ruleproof", "version": version,
                            "rules": [{"id": i, "name": n, "shortDescription": {"text": d}} for i, n, d in _RULES]}},
        "results": results}]}
    return json.dumps(log, indent=2) + "\n"
