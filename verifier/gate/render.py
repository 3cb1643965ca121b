"""The gate's verdict as text (ending with what failed, file:line first), JSON, Markdown, SARIF or JUnit."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path
from typing import Any

from verifier.gate.run import ACKNOWLEDGED, FAILED, INFO, STEPS, UNDECIDED, GateReport, Item

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_MARK = {FAILED: "FAILED", UNDECIDED: "UNDECIDED", ACKNOWLEDGED: "acknowledged", INFO: "info"}
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _where(item: Item) -> str:
    return item.location or "<ruleset>"


def _title(r: GateReport) -> str:
    against = f" against {r.base}" if r.base else ""
    return f"gate {r.path} ({r.name} {r.version}){against}"


def render_text(reports: list[GateReport], timing: bool = True) -> str:
    lines: list[str] = []
    for r in reports:
        lines.append(_title(r) + (f"  [{r.seconds:.2f}s]" if timing else ""))
        for step in STEPS:
            for i in (x for x in r.items if x.step == step):
                lines.append(f"  {step}: {_MARK[i.verdict]}: {i.message}")
                if i.verdict != INFO:
                    lines.append(f"    at {_where(i)}")
                lines.extend(f"    {d}" for d in i.details)
        if r.internal_error:
            lines.append(f"  internal error: {r.internal_error}")
    blocking = [(r, i) for r in reports for i in r.items if i.verdict in (FAILED, UNDECIDED)]
    internal = [r for r in reports if r.internal_error]
    lines.append("")
    if not blocking and not internal:
        lines.append("gate: passed")
    else:
        lines.append(f"gate: {len(blocking) + len(internal)} problem{'s' if len(blocking) + len(internal) != 1 else ''}"
                     " to look at:")
        for r, i in blocking:
            lines.append(f"  {_where(i)}: {_MARK[i.verdict]}: {i.step}: {i.message}")
        for r in internal:
            lines.append(f"  {r.path}: internal error: {r.internal_error}")
    return "\n".join(lines) + "\n"


def render_json(reports: list[GateReport], timing: bool = True) -> str:
    return json.dumps({"gate": [r.to_json(timing) for r in reports]}, indent=2, sort_keys=True) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(reports: list[GateReport], timing: bool = True) -> str:
    lines: list[str] = []
    for r in reports:
        failed = r.having(FAILED) + r.having(UNDECIDED)
        verdict = "**internal error**" if r.internal_error else ("**blocked**" if failed else "**passed**")
        lines += [f"### {_md(_title(r))}: {verdict}", ""]
        lines += ["| step | verdict | what | where |", "| --- | --- | --- | --- |"]
        for i in sorted(r.items, key=lambda i: (STEPS.index(i.step), [FAILED, UNDECIDED, ACKNOWLEDGED, INFO].index(i.verdict))):
            lines.append(f"| {i.step} | {_MARK[i.verdict]} | {_md(i.message)} | `{_md(_where(i))}` |")
        if r.internal_error:
            lines.append(f"| gate | internal error | {_md(r.internal_error)} | `{r.path}` |")
        lines.append("")
    return "\n".join(lines)


def _split_location(loc: str | None) -> tuple[str | None, int | None, int | None]:
    """``PATH:LINE:COL`` (or ``PATH:LINE``, or ``PATH``) into its parts."""
    if not loc:
        return None, None, None
    m = re.match(r"^(.*?):(\d+)(?::(\d+))?$", loc)
    if not m:
        return loc, None, None
    return m.group(1), int(m.group(2)), int(m.group(3)) if m.group(3) else None


def _uri(path: str) -> str:
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.resolve().as_uri()


def render_sarif(reports: list[GateReport], timing: bool = True) -> str:
    """SARIF 2.1.0: every failed item an error, every undecided one a warning, at its file:line."""
    try:
        version = metadata.version("ruleproof")
    except metadata.PackageNotFoundError:
        version = "0.0.0"
    rules = [{"id": f"gate-{s}", "name": f"Gate{s.capitalize()}",
              "shortDescription": {"text": f"The gate's {s} step blocks the change"}} for s in STEPS]
    results: list[dict[str, Any]] = []
    for r in reports:
        for i in r.items:
            if i.verdict not in (FAILED, UNDECIDED):
                continue
            path, line, col = _split_location(i.location or r.path)
            physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path or r.path)}}
            if line:
                physical["region"] = {"startLine": line, **({"startColumn": col} if col else {})}
            text = i.message + ("".join(f"\n{d}" for d in i.details))
            results.append({"ruleId": f"gate-{i.step}", "ruleIndex": STEPS.index(i.step),
                            "level": "error" if i.verdict == FAILED else "warning",
                            "message": {"text": text}, "locations": [{"physicalLocation": physical}],
                            "properties": {"id": i.id, "ruleset": r.name}})
        if r.internal_error:
            results.append({"ruleId": "gate-check", "ruleIndex": 0, "level": "error",
                            "message": {"text": f"internal error: {r.internal_error}"},
                            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(r.path)}}}]})
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "ruleproof-gate", "version": version,
                                         "informationUri": "https://github.com/", "rules": rules}},
                     "results": results}]}
    return json.dumps(log, indent=2, sort_keys=True) + "\n"


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render_junit(reports: list[GateReport], timing: bool = True) -> str:
    """JUnit XML: a test suite per ruleset, a test case per gate item that is not information."""
    root = ET.Element("testsuites")
    for r in reports:
        cases = [i for i in r.items if i.verdict != INFO]
        suite = ET.SubElement(root, "testsuite", name=_clean(r.path), tests=str(len(cases) + 1),
                              failures=str(len(r.having(FAILED))),
                              errors=str(len(r.having(UNDECIDED)) + (1 if r.internal_error else 0)),
                              time=f"{r.seconds:.3f}" if timing else "0.000")
        summary = ET.SubElement(suite, "testcase", classname=f"gate.{r.name}", name="gate", time="0.000")
        if r.internal_error:
            ET.SubElement(summary, "error", type="internal", message=_clean(r.internal_error))
        for i in cases:
            tc = ET.SubElement(suite, "testcase", classname=f"gate.{r.name}.{i.step}", name=_clean(i.id), time="0.000")
            body = _clean("\n".join([f"at {_where(i)}", *i.details]))
            if i.verdict == FAILED:
                ET.SubElement(tc, "failure", type="failed", message=_clean(i.message)).text = body
            elif i.verdict == UNDECIDED:
                ET.SubElement(tc, "error", type="unknown", message=_clean(i.message)).text = body
        out = ET.SubElement(suite, "system-out")
        out.text = _clean("\n".join(f"{i.step}: {i.message}" for i in r.items if i.verdict == INFO))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown, "sarif": render_sarif,
             "junit": render_junit}
