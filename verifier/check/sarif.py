"""``ruleproof check --format sarif``: findings as SARIF 2.1.0, for code-scanning UIs.

One run per invocation; its rules (``tool.driver.rules``) are the kinds of
check and of warning. Only what needs attention becomes a result: a refuted
check is an ``error``, an undecided one (the solver gave up) a ``warning``,
as is every warning of the checker; proved checks produce no result, so a
clean ruleset uploads an empty list. Each result points at the declaration
it is about (the file path relative to the working directory, line and
column) and carries the counterexample in its message, where a reviewer
reads it, and as data in its property bag.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from verifier.check.results import REFUTED, UNKNOWN, CheckResult, Finding, RulesetReport

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

# (id, name, short description, full description), in the order a report lists them.
_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("coverage", "Coverage", "A valid record gets no action",
     "Every valid patient record must be recommended or considered at least one action."),
    ("coverage-matrix", "CoverageMatrix", "A declared coverage cell is not served",
     "Every combination of the inputs a coverage declaration lists, reached by a valid record, must be served."),
    ("contradiction", "Contradiction", "Conflicting advice for one record",
     "No valid record may be given two conflicting actions, or be given and told to avoid the same action."),
    ("dead-rule", "DeadRule", "A rule can never fire",
     "Every rule must fire on some valid record; a rule that cannot is a mistake in its condition or in the constraints."),
    ("invariant", "Invariant", "A declared property does not hold",
     "Every property the ruleset declares must hold for every valid record."),
    ("example", "Example", "A worked example does not get its expected outcome",
     "Every example the ruleset declares must be a valid record whose decision meets its expectations."),
    ("checker", "CheckerWarning", "A warning of the ruleset checker",
     "The ruleset checker found something suspicious that does not stop it from being proved."),
    ("redundant-rule", "RedundantRule", "A rule adds nothing",
     "Wherever the rule fires, other rules already give the same actions with the same strengths."),
    ("constraint-excludes-nothing", "ConstraintExcludesNothing", "A constraint excludes nothing",
     "The input domains and the other constraints already imply the constraint."),
)
_WARNING_KINDS = ("checker", "redundant-rule", "constraint-excludes-nothing")


def _version() -> str:
    try:
        return metadata.version("ruleproof")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _uri(path: str) -> str:
    """A relative URI for a file under the working directory, else an absolute file URI."""
    p = Path(path)
    try:
        rel = p.resolve().relative_to(Path.cwd().resolve()) if p.is_absolute() else p
    except ValueError:
        return p.resolve().as_uri()
    return quote(rel.as_posix())


def _location(where: str | None, default_path: str) -> dict[str, Any]:
    """A SARIF location from ``PATH:LINE:COL`` (or a bare path: the whole file)."""
    path, region = where or default_path, None
    parts = path.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit() and int(parts[1]) > 0:
        path = parts[0]
        region = {"startLine": int(parts[1]), "startColumn": max(1, int(parts[2]))}
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
    if region is not None:
        physical["region"] = region
    return {"physicalLocation": physical}


def _record_text(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


def _rules(reports: list[RulesetReport]) -> list[tuple[str, str, str, str]]:
    """The known kinds, then any kind a newer check reports that this table does not know yet."""
    known = {r[0] for r in _RULES}
    seen = [r.kind for rep in reports for r in rep.results] + [w.kind for rep in reports for w in rep.warnings]
    extra = sorted({k for k in seen if k not in known})
    return list(_RULES) + [(k, k, f"ruleproof check: {k}", f"ruleproof check: {k}") for k in extra]


def _check_result(rep: RulesetReport, r: CheckResult, index: dict[str, int]) -> dict[str, Any]:
    verdict = "refuted" if r.status == REFUTED else "undecided"
    if r.internal_error:
        verdict = "internal error (a bug in ruleproof, not a verdict)"
    lines = [f"{r.property} ({r.kind}) {verdict}: {r.message}"]
    lines += list(r.detail)
    if r.counterexample is not None:
        lines.append(f"counterexample: {_record_text(r.counterexample)}")
        lines.append(f"fired: {', '.join(r.fired or ()) or '(none)'}")
    if r.matrix is not None:
        for cell in r.matrix.cells:
            if cell.counterexample is not None:
                lines.append(f"gap {' x '.join(cell.values)}: {_record_text(cell.counterexample)}")
    props: dict[str, Any] = {"ruleset": rep.name, "property": r.property, "status": r.status}
    if r.counterexample is not None:
        props["counterexample"] = r.counterexample
        props["fired"] = list(r.fired or ())
    return {
        "ruleId": r.kind,
        "ruleIndex": index[r.kind],
        "level": "error" if r.status == REFUTED or r.internal_error else "warning",
        "message": {"text": "\n".join(lines)},
        "locations": [_location(r.location, rep.path)],
        "partialFingerprints": {"ruleproofCheck/v1": f"{rep.name}:{r.property}"},
        "properties": props,
    }


def _warning_result(rep: RulesetReport, w: Finding, index: dict[str, int]) -> dict[str, Any]:
    kind = w.kind
    return {
        "ruleId": kind,
        "ruleIndex": index[kind],
        "level": "warning",
        "message": {"text": w.message},
        "locations": [_location(w.location, rep.path)],
        "partialFingerprints": {"ruleproofCheck/v1": f"{rep.name}:{kind}:{w.message}"},
        "properties": {"ruleset": rep.name},
    }


def sarif_log(reports: Iterable[RulesetReport]) -> dict[str, Any]:
    """The SARIF log of ``ruleproof check`` over ``reports``."""
    reports = list(reports)
    table = _rules(reports)
    index = {r[0]: k for k, r in enumerate(table)}
    results: list[dict[str, Any]] = []
    for rep in reports:
        results += [_check_result(rep, r, index) for r in rep.results
                    if r.status in (REFUTED, UNKNOWN) or r.internal_error]
        results += [_warning_result(rep, w, index) for w in rep.warnings]
    rules = [{"id": rid, "name": name, "shortDescription": {"text": short}, "fullDescription": {"text": full},
              "defaultConfiguration": {"level": "warning" if rid in _WARNING_KINDS else "error"}}
             for rid, name, short, full in table]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "ruleproof", "version": _version(), "rules": rules}},
            "invocations": [{"executionSuccessful": not any(r.internal_error for rep in reports for r in rep.results)}],
            # Columns in findings count characters, as the rules-file diagnostics do.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render_sarif(reports: Iterable[RulesetReport], timing: bool = True) -> str:
    """The SARIF log as JSON text. (SARIF has no per-result time; ``timing`` is accepted for symmetry.)"""
    del timing
    return json.dumps(sarif_log(reports), indent=2, ensure_ascii=False)
