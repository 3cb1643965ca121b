"""Is a saved ``ruleproof check --format json`` document shaped as the report expects?

``ruleproof report --results FILE`` renders a file someone handed in; a file
of the wrong shape must be a bad input (exit 2, naming what is wrong), not a
crash half-way through the HTML. Only what the report reads is checked.
"""

from __future__ import annotations

from typing import Any

_STATUSES = ("proved", "refuted", "unknown")
_CELL_STATUSES = ("covered", "excluded", "gap", "unknown")


def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _record_problem(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, dict) or not all(isinstance(k, str) for k in v):
        return "must be a record (an object) or null"
    if any(isinstance(x, (dict, list)) for x in v.values()):
        return "must hold plain values"
    return None


def _matrix_problem(v: Any) -> str | None:
    if not isinstance(v, dict) or not _is_str_list(v.get("inputs")) or not v["inputs"]:
        return "matrix must have a non-empty list of input names"
    cells = v.get("cells")
    if not isinstance(cells, list):
        return "matrix must have a list of cells"
    width = len(v["inputs"])
    for k, c in enumerate(cells):
        if not isinstance(c, dict) or not isinstance(c.get("values"), list) or len(c["values"]) != width:
            return f"matrix cell {k + 1} must have {width} values"
        if any(isinstance(x, (dict, list)) for x in c["values"]):
            return f"matrix cell {k + 1}: values must be plain"
        if c.get("status") not in _CELL_STATUSES:
            return f"matrix cell {k + 1}: status must be one of {', '.join(_CELL_STATUSES)}"
        for key in ("rules", "constraints"):
            if key in c and not _is_str_list(c[key]):
                return f"matrix cell {k + 1}: {key} must be a list of strings"
        problem = _record_problem(c.get("counterexample"))
        if problem:
            return f"matrix cell {k + 1}: counterexample {problem}"
    return None


def _result_problem(r: Any) -> str | None:
    if not isinstance(r, dict):
        return "must be an object"
    for key in ("property", "kind"):
        if not isinstance(r.get(key), str):
            return f"{key} must be a string"
    if r.get("status") not in _STATUSES:
        return f"status must be one of {', '.join(_STATUSES)}"
    for key in ("message", "location"):
        if r.get(key) is not None and not isinstance(r[key], str):
            return f"{key} must be a string"
    seconds = r.get("seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))):
        return "seconds must be a number"
    for key in ("detail", "fired"):
        if r.get(key) is not None and not _is_str_list(r[key]):
            return f"{key} must be a list of strings"
    problem = _record_problem(r.get("counterexample"))
    if problem:
        return f"counterexample {problem}"
    if r.get("matrix") is not None:
        return _matrix_problem(r["matrix"])
    return None


def results_shape_problem(data: Any) -> str | None:
    """What is wrong with one ruleset's results (``{"results": [...], "warnings": [...]}``), or None."""
    if not isinstance(data, dict):
        return "the results must be a JSON object"
    results = data.get("results")
    if not isinstance(results, list):
        return "\"results\" must be a list"
    for k, r in enumerate(results):
        problem = _result_problem(r)
        if problem:
            return f"result {k + 1}: {problem}"
    warnings = data.get("warnings", [])
    if not isinstance(warnings, list) or not all(
            isinstance(w, dict) and all(isinstance(w.get(key), (str, type(None))) for key in ("message", "location"))
            for w in warnings):
        return "\"warnings\" must be a list of objects with string message and location"
    return None
