"""Runs the vendored DMN TCK models through `import dmn` and the engine, case by case."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import dsl
from engine import RecordError, compile_ruleset
from verifier.dmn import DmnError, read_dmn_file, translate
from verifier.dmn.xmltree import Node, parse_xml

TCK = Path(__file__).parent / "tck"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class Outcome:
    model: str
    case: str
    status: str  # passed, failed, unsupported
    reason: str


def parse_value(node: Node) -> Any:
    """A TCK value element (value, expected, component or item) as Python data."""
    if node.attrib.get("nil") == "true":
        return None
    lst = node.find("list")
    if lst is not None:
        return [parse_value(i) for i in lst.findall("item")]
    comps = node.findall("component")
    if comps:
        return {c.attrib["name"]: parse_value(c) for c in comps}
    val = node.find("value")
    if val is not None and node.tag != "value":
        return parse_value(val)
    kind = node.attrib.get("type", "")
    text = node.text.strip()
    if kind.endswith(("decimal", "double", "int", "integer", "long", "float")):
        return Fraction(text)
    if kind.endswith("boolean"):
        return text == "true"
    if kind.endswith("string") or not kind:
        return node.text
    raise ValueError(f"value type {kind} is outside the subset")


def same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(same(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(same(expected[k], actual[k]) for k in expected)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return expected == actual


def run_model(folder: Path) -> list[Outcome]:
    dmn = next(folder.glob("*.dmn"))
    tests = sorted(folder.glob("*-test-*.xml"))
    cases = [(t, c) for t in tests for c in parse_xml(t.read_bytes(), str(t)).findall("testCase")]
    try:
        tr = translate(read_dmn_file(str(dmn)))
        ruleset = dsl.parse_ruleset(tr.text, str(dmn))
    except DmnError as err:
        reason = err.message
        return [Outcome(folder.name, c.attrib.get("id", "?"), "unsupported", reason) for _, c in cases]
    ev = compile_ruleset(ruleset)
    out = []
    for _, c in cases:
        cid = c.attrib.get("id", "?")
        if c.attrib.get("type", "decision") != "decision" or c.attrib.get("invocableName"):
            out.append(Outcome(folder.name, cid, "unsupported", "the case invokes a decision service or a BKM"))
            continue
        try:
            values = {n.attrib["name"]: parse_value(n) for n in c.findall("inputNode")}
            record = tr.record(values)
        except ValueError as err:
            out.append(Outcome(folder.name, cid, "unsupported", f"input value outside the subset: {err}"))
            continue
        try:
            decision = ev.evaluate(ev.validate(record))
        except RecordError as err:
            out.append(Outcome(folder.name, cid, "unsupported", f"input record not representable: {err.problems[0]}"))
            continue
        given = {r.action for r in decision.recommendations}
        bad = []
        for res in c.findall("resultNode"):
            name = res.attrib["name"]
            expected = parse_value(res.find("expected"))  # type: ignore[arg-type]
            if name not in tr.outputs:
                bad.append(f"{name}: not a decision table result")
                continue
            actual = tr.result(name, given)
            if not same(expected, actual):
                bad.append(f"{name}: expected {expected!r}, got {actual!r}")
        out.append(Outcome(folder.name, cid, "failed" if bad else "passed", "; ".join(bad)))
    return out


def run_all() -> list[Outcome]:
    out: list[Outcome] = []
    for level in sorted(TCK.glob("compliance-level-*")):
        for folder in sorted(p for p in level.iterdir() if p.is_dir()):
            out.extend(run_model(folder))
    return out


if __name__ == "__main__":
    from collections import Counter
    res = run_all()
    for o in res:
        print(o.model, o.case, o.status, o.reason)
    print(Counter(o.status for o in res))
