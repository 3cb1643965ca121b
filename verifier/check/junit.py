"""``ruleproof check --format junit``: one JUnit test case per check, for CI test reports.

The dialect is the widely read Jenkins/Ant one (the xunit plugin's
``junit-10.xsd``): ``<testsuites>`` holding a ``<testsuite>`` per ruleset,
a ``<testcase>`` per check with its time. A refuted check is a
``<failure type="refuted">``; an undecided one an ``<error type="unknown">``,
never ``<skipped>``: CI must not read "the solver gave up" as "nothing to
do". The checker's warnings go to the suite's ``<system-out>``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Iterable

from verifier.check.results import REFUTED, UNKNOWN, CheckResult, RulesetReport

# Characters XML 1.0 cannot carry at all (a rules file could hold them in a string).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _time(seconds: float, timing: bool) -> str:
    return f"{seconds:.3f}" if timing else "0.000"


def _body(r: CheckResult) -> str:
    lines = []
    if r.location:
        lines.append(f"at {r.location}")
    lines += list(r.detail)
    if r.counterexample is not None:
        lines.append("counterexample: " + json.dumps(r.counterexample, ensure_ascii=False))
        lines.append(f"fired: {', '.join(r.fired or ()) or '(none)'}")
    if r.matrix is not None:
        for cell in r.matrix.cells:
            if cell.counterexample is not None:
                lines.append(f"gap {' x '.join(cell.values)}: " + json.dumps(cell.counterexample, ensure_ascii=False))
    return _clean("\n".join(lines))


def _testcase(suite: ET.Element, rep: RulesetReport, r: CheckResult, timing: bool) -> None:
    case = ET.SubElement(suite, "testcase", {
        "name": _clean(r.property),
        "classname": _clean(f"{rep.name}.{r.kind}"),
        "time": _time(r.seconds, timing),
    })
    if r.internal_error:
        el = ET.SubElement(case, "error", {"type": "internal-error", "message": _clean(r.message)})
    elif r.status == REFUTED:
        el = ET.SubElement(case, "failure", {"type": "refuted", "message": _clean(r.message)})
    elif r.status == UNKNOWN:
        el = ET.SubElement(case, "error", {"type": "unknown", "message": _clean(r.message)})
    else:
        return
    el.text = _body(r)


def junit_tree(reports: Iterable[RulesetReport], timing: bool = True) -> ET.Element:
    """The ``<testsuites>`` element for ``reports``."""
    reports = list(reports)
    root = ET.Element("testsuites", {"name": "ruleproof check"})
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for rep in reports:
        failures = sum(1 for r in rep.results if r.status == REFUTED and not r.internal_error)
        errors = sum(1 for r in rep.results if r.status == UNKNOWN or r.internal_error)
        suite = ET.SubElement(root, "testsuite", {
            "name": _clean(rep.name),
            "tests": str(len(rep.results)),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": "0",
            "time": _time(rep.seconds, timing),
            "file": _clean(rep.path),
        })
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "version", "value": _clean(rep.version)})
        ET.SubElement(props, "property", {"name": "path", "value": _clean(rep.path)})
        for r in rep.results:
            _testcase(suite, rep, r, timing)
        if rep.warnings:
            out = ET.SubElement(suite, "system-out")
            out.text = _clean("\n".join(w.render() for w in rep.warnings))
        totals["tests"] += len(rep.results)
        totals["failures"] += failures
        totals["errors"] += errors
        seconds += rep.seconds
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", _time(seconds, timing))
    return root


def render_junit(reports: Iterable[RulesetReport], timing: bool = True) -> str:
    """The JUnit XML document (UTF-8 declared; ``timing=False`` writes every time as 0)."""
    root = junit_tree(reports, timing)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
