"""The suite on disk: ``DIR/manifest.json`` and one ``DIR/cases/NAME.json`` per case.

Reading a suite back, replaying it through the engine of a (possibly edited)
ruleset and saying, case by case, how the decision changed is what
``ruleproof cases --check`` and the regression tests do. Freezing a record
as a regression case (found by a random test, or handed in by a person)
lives here too: it is a case like the others, with purpose ``regression``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from dsl import model as m
from engine import Evaluator, RecordError, compile_ruleset
from verifier.cases.finder import engine_form, plain_value
from verifier.cases.generate import GENERATOR, Suite, source_digest, unusual_inputs
from verifier.cases.case import KINDS, Case, dumps, expected_json, record_digest

MANIFEST = "manifest.json"
CASES = "cases"


class CasesError(Exception):
    """A suite directory that cannot be read (missing, not JSON, not a case)."""


@dataclass(frozen=True, slots=True)
class StoredSuite:
    """A suite as read from disk: its manifest (None if absent) and its case objects, by name."""

    directory: Path
    manifest: dict[str, Any] | None
    cases: tuple[dict[str, Any], ...]

    @property
    def regressions(self) -> tuple[dict[str, Any], ...]:
        return tuple(c for c in self.cases if any(p.get("kind") == "regression" for p in c.get("purposes", ())))


def purpose_label(p: Mapping[str, Any]) -> str:
    """A purpose in one short line, for the manifest's index."""
    kind = p.get("kind", "?")
    if kind == "witness":
        return f"witness {p.get('rule')}" + (f" ({', '.join(p.get('shows', []))})" if p.get("shows") else "")
    if kind == "mcdc":
        return f"mcdc {p.get('rule')} [{p.get('condition')}] = {str(p.get('value')).lower()}"
    if kind == "value":
        return f"value [{p.get('condition')}] {p.get('input')} = {p.get('value')}"
    if kind == "boundary":
        return f"boundary [{p.get('comparison')}] {p.get('subject')} = {p.get('value')} ({p.get('side')})"
    if kind == "cell":
        return f"cell {p.get('coverage')} {' x '.join(str(v) for v in p.get('values', []))}"
    if kind == "counterexample":
        return f"counterexample {p.get('check')}"
    return f"{kind} {p.get('note', '')}".strip()


def manifest_json(header: Mapping[str, Any], cases: Sequence[Mapping[str, Any]], gaps: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The manifest: where the suite comes from, an index of the cases, and what could not be covered."""
    purposes = {k: sum(1 for c in cases for p in c["purposes"] if p.get("kind") == k) for k in KINDS}
    first = {k: sum(1 for c in cases if c["purposes"] and c["purposes"][0].get("kind") == k) for k in KINDS}
    uncovered: dict[str, int] = {}
    for g in gaps:
        uncovered[str(g.get("kind"))] = uncovered.get(str(g.get("kind")), 0) + 1
    return {
        **header,
        "summary": {
            "cases": len(cases),
            "cases_by_first_purpose": {k: v for k, v in first.items() if v},
            "purposes": {k: v for k, v in purposes.items() if v},
            "not_covered": uncovered,
        },
        "cases": [{"id": c["id"], "purposes": [purpose_label(p) for p in c["purposes"]]}
                  for c in sorted(cases, key=lambda c: str(c["id"]))],
        "not_covered": list(gaps),
    }


def _header(ruleset: str, version: str, sha: str) -> dict[str, Any]:
    return {"generator": GENERATOR, "ruleset": ruleset, "version": version, "source_sha256": sha}


def _write_if_changed(path: Path, text: str) -> None:
    # Leave unchanged files alone: their timestamps then say what an update touched.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def write_suite(directory: str | Path, suite: Suite) -> list[Path]:
    """Write every case and the manifest; remove case files the suite no longer holds."""
    root = Path(directory)
    cases_dir = root / CASES
    cases_dir.mkdir(parents=True, exist_ok=True)
    objects = [c.to_json(suite.ruleset) for c in suite.cases]
    written = []
    keep = set()
    for case in objects:
        path = cases_dir / f"{case['id']}.json"
        _write_if_changed(path, dumps(case))
        keep.add(path.name)
        written.append(path)
    for stale in sorted(cases_dir.glob("*.json")):
        if stale.name not in keep:
            stale.unlink()
    manifest = manifest_json(_header(suite.ruleset, suite.version, suite.source_sha256), objects,
                             [g.to_json() for g in suite.gaps])
    _write_if_changed(root / MANIFEST, dumps(manifest))
    return written


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise CasesError(f"{path}: cannot read: {err}") from None
    except json.JSONDecodeError as err:
        raise CasesError(f"{path}: not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from None


def load_suite(directory: str | Path, must_exist: bool = True) -> StoredSuite:
    """The suite in ``directory``; ``CasesError`` when it is missing (if ``must_exist``) or malformed."""
    root = Path(directory)
    cases_dir = root / CASES
    if not cases_dir.is_dir():
        if must_exist:
            raise CasesError(f"{root}: no generated cases here (expected {cases_dir}/); "
                             f"generate them with `ruleproof cases RULESET --out {root}`")
        return StoredSuite(root, None, ())
    manifest = _read_json(root / MANIFEST) if (root / MANIFEST).exists() else None
    cases = []
    for path in sorted(cases_dir.glob("*.json")):
        obj = _read_json(path)
        if not isinstance(obj, dict) or not {"id", "record", "expected", "purposes"} <= set(obj):
            raise CasesError(f"{path}: not a test case (needs id, record, expected and purposes)")
        if obj["id"] != path.stem:
            raise CasesError(f"{path}: the case id {obj['id']!r} does not match the file name")
        cases.append(obj)
    return StoredSuite(root, manifest, tuple(cases))


# ---------------------------------------------------------------- replay


@dataclass(frozen=True, slots=True)
class Change:
    """A case whose expected decision the ruleset no longer gives.

    ``after`` is the decision now (None when the record is no longer valid;
    ``problem`` then says why).
    """

    case: str
    before: dict[str, Any]
    after: dict[str, Any] | None
    problem: str = ""

    def summary(self) -> list[str]:
        """What changed, one line per aspect (fired rules, each status, details)."""
        if self.after is None:
            return [f"the record is no longer valid: {self.problem}"]
        return describe_difference(self.before, self.after)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"case": self.case, "before": self.before, "after": self.after,
                               "changes": self.summary()}
        if self.problem:
            out["problem"] = self.problem
        return out


def _delta(name: str, before: Iterable[str], after: Iterable[str]) -> str | None:
    b, a = list(before), list(after)
    gone = [x for x in b if x not in a]
    new = [x for x in a if x not in b]
    if not gone and not new:
        return None
    parts = [f"-{x}" for x in gone] + [f"+{x}" for x in new]
    return f"{name}: {' '.join(parts)}"


def describe_difference(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Human-readable differences between two expected decisions."""
    out = []
    for key in ("fired", "recommended", "considered", "avoided"):
        line = _delta(key, before.get(key, []), after.get(key, []))
        if line:
            out.append(line)
    if before.get("fired") != after.get("fired") and not any(line.startswith("fired") for line in out):
        out.append("fired: same rules, different order")
    old = {r["action"]: r for r in before.get("recommendations", [])}
    new = {r["action"]: r for r in after.get("recommendations", [])}
    for action in [a for a in old if a in new]:
        for field in ("strength", "category", "rules", "sources", "alternatives"):
            if old[action].get(field) != new[action].get(field):
                out.append(f"{action}: {field} {_show(old[action].get(field))} -> {_show(new[action].get(field))}")
    for key in ("contradictions",):
        line = _delta(key, before.get(key, []), after.get(key, []))
        if line:
            out.append(line)
    return out or ["no difference"]


def _show(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(str(x) for x in v) + "]"
    return str(v)


def brief(expected: Mapping[str, Any] | None) -> str:
    """An expected decision on one line."""
    if expected is None:
        return "(invalid record)"
    parts = [f"fired [{', '.join(expected.get('fired', []))}]"]
    for key in ("recommended", "considered", "avoided"):
        if expected.get(key):
            parts.append(f"{key} [{', '.join(expected[key])}]")
    return "; ".join(parts)


def decision_now(ev: Evaluator, record: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The expected decision ``record`` gets now, or (None, why the record is invalid)."""
    try:
        return expected_json(ev.evaluate(engine_form(ev, record))), ""
    except RecordError as err:
        return None, str(err)


def advice(expected: Mapping[str, Any]) -> dict[str, Any]:
    """What a patient is advised: each action with its strength, category and "one of" alternatives.

    Which rules fired, under which names and in which order, and the sources
    they cite are the ruleset's bookkeeping: renaming, reordering or splitting
    rules changes them without changing any advice.
    """
    recs = sorted(
        (str(r.get("action")), str(r.get("strength")), str(r.get("category")), tuple(sorted(r.get("alternatives", ()))))
        for r in expected.get("recommendations", [])
    )
    return {key: sorted(expected.get(key, [])) for key in ("recommended", "considered", "avoided", "contradictions")} | {
        "recommendations": recs}


def replay_split(ruleset: m.Ruleset, cases: Sequence[Mapping[str, Any]]) -> tuple[list[Change], list[Change]]:
    """The cases ``ruleset`` no longer reproduces, in name order: (advice changed, only bookkeeping changed)."""
    ev = compile_ruleset(ruleset)
    changed, bookkeeping = [], []
    for case in sorted(cases, key=lambda c: str(c["id"])):
        now, problem = decision_now(ev, case["record"])
        if now == case["expected"]:
            continue
        change = Change(str(case["id"]), case["expected"], now, problem)
        if now is not None and advice(now) == advice(case["expected"]):
            bookkeeping.append(change)
        else:
            changed.append(change)
    return changed, bookkeeping


def replay(ruleset: m.Ruleset, cases: Sequence[Mapping[str, Any]]) -> list[Change]:
    """The cases whose expected *advice* ``ruleset`` no longer gives, in name order (see ``advice``)."""
    return replay_split(ruleset, cases)[0]


# ---------------------------------------------------------------- regressions


def freeze_regression(
    directory: str | Path,
    ruleset: m.Ruleset,
    record: Mapping[str, Any],
    note: str,
    source_text: str | None = None,
) -> Path:
    """Write ``record`` as a regression case of the suite in ``directory``; returns its path.

    The expected decision is the engine's. ``RecordError`` if the record is
    invalid. Regenerating the suite keeps the case while its record stays
    valid. Use it for a record a random test found to disagree between the
    engine and Z3, or to break a property: the suite then replays it forever.
    """
    ev = compile_ruleset(ruleset)
    normal = engine_form(ev, record)
    plain = {i.name: plain_value(record[i.name]) for i in ruleset.inputs}
    name = f"regression-{record_digest(plain)}"
    case = Case(
        name=name,
        record=plain,
        expected=expected_json(ev.evaluate(normal)),
        purposes=({"kind": "regression", "why": note or "a record frozen as a regression", "note": note},),
        notable=unusual_inputs(ruleset, plain),
    )
    root = Path(directory)
    (root / CASES).mkdir(parents=True, exist_ok=True)
    path = root / CASES / f"{name}.json"
    path.write_text(dumps(case.to_json(ruleset.name)), encoding="utf-8")
    _refresh_manifest(root, ruleset, source_text)
    return path


def _refresh_manifest(root: Path, ruleset: m.Ruleset, source_text: str | None) -> None:
    """Rewrite the manifest's index after a case was added by hand (its other parts kept)."""
    stored = load_suite(root)
    old = stored.manifest or {}
    sha = old.get("source_sha256") or (source_digest(source_text) if source_text is not None else "")
    header = _header(ruleset.name, ruleset.version, sha)
    (root / MANIFEST).write_text(dumps(manifest_json(header, stored.cases, old.get("not_covered", []))),
                                 encoding="utf-8")
