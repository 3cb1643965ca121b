"""The suite on disk: ``DIR/manifest.json`` and one ``DIR/cases/NAME.json`` per case.

Reading a suite back, replaying it through the engine of a (possibly edited)
ruleset and saying, case by case, how the decision changed is what
``ruleproof cases --check`` and the regression tests do. Freezing a record
as a regression case (found by a random test, or handed in by a person)
lives here too: it is a case like the others, with purpose ``regression``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from dsl import model as m
from engine import Evaluator, RecordError, compile_ruleset, load_json_strict
from verifier.facts.values import engine_form, plain_value
from verifier.cases.case import GENERATOR, Suite, source_digest, unusual_inputs
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
    if kind == "example":  # issue 12
        return f"example {p.get('example')}"
    if kind == "score":  # issue 12
        return f"score [{p.get('comparison')}] {p.get('line')}: {p.get('score')} = {p.get('value')} ({p.get('side')})"
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
    if path.is_symlink() or not path.exists() or path.read_text(encoding="utf-8") != text:
        _write_new(path, text)


def _write_new(path: Path, text: str) -> None:
    """Write ``path`` by renaming a fresh file over it: a symlink planted at
    ``path`` is replaced, never followed, and a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def claim_directory(directory: str | Path) -> Path:
    """``directory`` if ruleproof may write a suite there, else ``CasesError``.

    Ours: a folder that does not exist yet, an empty one, or one whose
    manifest.json was written by ``ruleproof cases``. Anything else (a
    project folder, someone's unrelated manifest.json) is left untouched.
    """
    root = Path(directory)
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise CasesError(f"{root}: error: not a folder (give a new or empty folder, or an existing suite)")
    if not root.exists() or not any(root.iterdir()):
        return root
    manifest = root / MANIFEST
    if manifest.is_file() and not manifest.is_symlink():
        header = _read_json(manifest)
        if isinstance(header, dict) and str(header.get("generator", "")).startswith("ruleproof cases"):
            if (root / CASES).is_symlink():
                raise CasesError(f"{root / CASES}: error: a symbolic link, not the suite's own folder")
            return root
    raise CasesError(f"{root}: error: not a ruleproof case suite (no manifest.json written by `ruleproof cases`); "
                     f"give a new or empty folder")


def write_suite(directory: str | Path, suite: Suite) -> list[Path]:
    """Write every case and the manifest; remove case files the suite no longer holds."""
    root = claim_directory(directory)
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
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CasesError(f"{path}: cannot read: {err}") from None
    try:
        # Strict: a repeated key or a monster number in a case file is an error, not a guess.
        return load_json_strict(text)
    except ValueError as err:
        raise CasesError(f"{path}: {err}") from None


def load_suite(directory: str | Path, must_exist: bool = True) -> StoredSuite:
    """The suite in ``directory``; ``CasesError`` when it is missing (if ``must_exist``) or malformed."""
    try:
        return _load_suite(directory, must_exist)
    except OSError as err:  # a name too long, a folder we may not enter: bad input, said plainly
        raise CasesError(f"{directory}: error: cannot read the suite: {err.strerror or err}") from None


def _load_suite(directory: str | Path, must_exist: bool) -> StoredSuite:
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
        if path.is_symlink():
            raise CasesError(f"{path}: a symbolic link; a suite holds its own case files")
        obj = _read_json(path)
        if not isinstance(obj, dict) or not {"id", "record", "expected", "purposes"} <= set(obj):
            raise CasesError(f"{path}: not a test case (needs id, record, expected and purposes)")
        if obj["id"] != path.stem:
            raise CasesError(f"{path}: the case id {json.dumps(obj['id'])} does not match the file name")
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
    root = claim_directory(directory)
    (root / CASES).mkdir(parents=True, exist_ok=True)
    path = root / CASES / f"{name}.json"
    _write_new(path, dumps(case.to_json(ruleset.name)))
    _refresh_manifest(root, ruleset, source_text)
    return path


def _refresh_manifest(root: Path, ruleset: m.Ruleset, source_text: str | None) -> None:
    """Rewrite the manifest's index after a case was added by hand (its other parts kept)."""
    stored = load_suite(root)
    old = stored.manifest or {}
    sha = old.get("source_sha256") or (source_digest(source_text) if source_text is not None else "")
    header = _header(ruleset.name, ruleset.version, sha)
    _write_new(root / MANIFEST, dumps(manifest_json(header, stored.cases, old.get("not_covered", []))))
