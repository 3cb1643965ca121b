"""``ruleproof check --format sarif``: findings as SARIF 2.1.0, for code-scanning UIs.

One run per invocation; its rules (``tool.driver.rules``) are the kinds of
check and of warning. Only what needs attention becomes a result: a refuted
check is an ``error``, an undecided one (the solver gave up) a ``warning``,
as is every warning of the checker; proved checks produce no result, so a
clean ruleset uploads an empty list. Each result points at the declaration
it is about (the file path relative to the working directory, line and
column) and carries the counterexample in its message, where a reviewer
reads it, and as data in its property bag. A refuted check is placed at the
rules that gave the offending action on its counterexample (``blame``), with
the declaration as a related location; a file that does not load gives
``ruleset-error`` results instead of an empty log.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import quote

import dsl
from dsl import model as m
from dsl.errors import Diagnostic
from dsl.span import Span
from verifier.check.blame import culprit_rules
from verifier.check.results import REFUTED, UNKNOWN, CheckResult, CheckWarning, RulesetReport

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
    ("ruleset-error", "RulesetError", "The rules file cannot be read, parsed or checked",
     "A syntax or type error, or an unreadable file: nothing in it was checked."),
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


def _span_location(span: Span, message: str | None = None) -> dict[str, Any]:
    """A SARIF location covering ``span`` (a whole rule: an edit on any of its lines is inside)."""
    region: dict[str, Any] = {"startLine": span.line, "startColumn": max(1, span.col)}
    if span.end_line >= span.line > 0:
        region["endLine"] = span.end_line
        if span.end_col > 0:
            region["endColumn"] = max(1, span.end_col)
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": _uri(span.path)}, "region": region}}
    if message:
        loc["message"] = {"text": message}
    return loc


def _record_text(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


def _rules(reports: list[RulesetReport]) -> list[tuple[str, str, str, str]]:
    """The known kinds, then any kind a newer check reports that this table does not know yet."""
    known = {r[0] for r in _RULES}
    seen = [r.kind for rep in reports for r in rep.results] + [w.kind for rep in reports for w in rep.warnings]
    extra = sorted({k for k in seen if k not in known})
    return list(_RULES) + [(k, k, f"ruleproof check: {k}", f"ruleproof check: {k}") for k in extra]


def _check_result(rep: RulesetReport, r: CheckResult, index: dict[str, int],
                  ruleset: m.Ruleset | None = None) -> dict[str, Any]:
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
    declared = _location(r.location, rep.path)
    culprits = culprit_rules(ruleset, r) if ruleset is not None and r.status == REFUTED else ()
    out: dict[str, Any] = {
        "ruleId": r.kind,
        "ruleIndex": index[r.kind],
        "level": "error" if r.status == REFUTED or r.internal_error else "warning",
        "message": {"text": "\n".join(lines)},
        "locations": [declared],
        "partialFingerprints": {"ruleproofCheck/v1": f"{rep.name}:{r.property}"},
        "properties": props,
    }
    if culprits:
        # The rules that gave the offending action come first: that is where the edit is.
        out["locations"] = [_span_location(rule.span, f"rule {rule.id} fired on the counterexample")
                            for rule in culprits]
        related = dict(declared, id=1, message={"text": f"{r.property} is declared here"})
        out["relatedLocations"] = [related]
        props["culprits"] = [rule.id for rule in culprits]
        where = r.location or rep.path
        out["message"]["text"] += (f"\nbroken by rule(s) {', '.join(rule.id for rule in culprits)}: they gave the "
                                   f"offending action on the counterexample ({r.property} is declared at {where})")
    return out


def _load_error_result(diagnostic: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    """A rules file that could not be read, parsed or checked: an error at the diagnostic's place."""
    span = diagnostic.span
    location = _span_location(span) if span.line > 0 else _location(None, span.path)
    return {
        "ruleId": "ruleset-error",
        "ruleIndex": index["ruleset-error"],
        "level": "error" if diagnostic.severity == "error" else "warning",
        "message": {"text": diagnostic.message},
        "locations": [location],
        "partialFingerprints": {"ruleproofCheck/v1": f"{span.path}:ruleset-error:{diagnostic.message}"},
        "properties": {"path": span.path},
    }


def _warning_result(rep: RulesetReport, w: CheckWarning, index: dict[str, int]) -> dict[str, Any]:
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


def _ruleset_of(rep: RulesetReport) -> m.Ruleset | None:
    """The checked ruleset a report came from, read again (None if it no longer loads)."""
    try:
        return dsl.load_ruleset(rep.path)
    except dsl.RulesetError:
        return None


def sarif_log(reports: Iterable[RulesetReport], load_errors: Iterable[dsl.RulesetError] = (),
              rulesets: Mapping[str, m.Ruleset] | None = None) -> dict[str, Any]:
    """The SARIF log of ``ruleproof check`` over ``reports``.

    ``load_errors``: the files that did not load (each diagnostic becomes an
    error result, so a syntax error still gives a valid log and the other
    files keep their results). ``rulesets`` (by path) places a refuted
    check at the rules that broke it; a ruleset not given is read again.
    """
    reports = list(reports)
    diagnostics = [d for err in load_errors for d in err.diagnostics]
    table = _rules(reports)
    index = {r[0]: k for k, r in enumerate(table)}
    results: list[dict[str, Any]] = [_load_error_result(d, index) for d in diagnostics]
    for rep in reports:
        failing = [r for r in rep.results if r.status in (REFUTED, UNKNOWN) or r.internal_error]
        rs = None
        if any(r.status == REFUTED for r in failing):
            rs = rulesets.get(rep.path) if rulesets is not None else None
            rs = rs if rs is not None else _ruleset_of(rep)
        results += [_check_result(rep, r, index, rs) for r in failing]
        results += [_warning_result(rep, w, index) for w in rep.warnings]
    rules = [{"id": rid, "name": name, "shortDescription": {"text": short}, "fullDescription": {"text": full},
              "defaultConfiguration": {"level": "warning" if rid in _WARNING_KINDS else "error"}}
             for rid, name, short, full in table]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "ruleproof", "version": _version(), "rules": rules}},
            "invocations": [{"executionSuccessful": not diagnostics and
                             not any(r.internal_error for rep in reports for r in rep.results)}],
            # Columns in findings count characters, as the rules-file diagnostics do.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render_sarif(reports: Iterable[RulesetReport], timing: bool = True,
                 load_errors: Iterable[dsl.RulesetError] = (),
                 rulesets: Mapping[str, m.Ruleset] | None = None) -> str:
    """The SARIF log as JSON text. (SARIF has no per-result time; ``timing`` is accepted for symmetry.)"""
    del timing
    return json.dumps(sarif_log(reports, load_errors, rulesets), indent=2, ensure_ascii=False)
