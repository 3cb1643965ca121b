"""Counterexamples in ``ruleproof check`` output, and saved as files ``ruleproof eval`` reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dsl import model as m
from verifier.check.render import format_record
from verifier.check.results import GAP, REFUTED, CheckResult, RulesetReport
from verifier.counterexamples.annotate import annotate
from verifier.counterexamples.gaps import Gaps, gap_regions
from verifier.facts.conditions import slug


class Explainer:
    """Annotations of the refuted checks of some rulesets, computed once and shared by every output."""

    def __init__(self, rulesets: dict[str, m.Ruleset], timeout_s: float | None) -> None:
        self.rulesets = rulesets  # by path
        self.timeout_s = timeout_s
        self._gaps: dict[str, Gaps] = {}

    def gaps(self, rep: RulesetReport, r: CheckResult) -> Gaps | None:
        """The gap regions of a refuted ``coverage`` check."""
        if r.property != "coverage" or r.status != REFUTED:
            return None
        if rep.path not in self._gaps:
            self._gaps[rep.path] = gap_regions(self.rulesets[rep.path], self.timeout_s)
        return self._gaps[rep.path]

    def lines(self, rep: RulesetReport, r: CheckResult) -> list[str] | None:
        """What the text report prints under a refuted check in place of the bare record."""
        a = annotate(self.rulesets[rep.path], r)
        if a is None:
            return None
        out: list[str] = []
        dep = {k: a.record[k] for k in a.depends_on}
        if dep and len(dep) < len(a.record):
            out.append("inputs the failing formula reads:")
            out.extend(format_record(dep, "  "))
        if a.definitions:
            out.append("definitions on this record:")
            out.extend(format_record(dict(a.definitions), "  "))
        out.append(f"record (every input, as JSON for `ruleproof eval {rep.path} -`):")
        out.append("  " + a.json_line())
        out.append(f"fired: {', '.join(r.fired or ()) or '(none)'}")
        gaps = self.gaps(rep, r)
        if gaps is not None and gaps.skipped is not None:
            out.append(f"records that get nothing, by region: {gaps.skipped}")
        elif gaps is not None:
            more = " (more not listed)" if gaps.more else ""
            undecided = " (the solver gave up: the list may be incomplete)" if gaps.undecided else ""
            out.append(f"records that get nothing, by region ({len(gaps.regions)}{more}){undecided}:")
            for g in gaps.regions:
                out.append(f"  {g.text}")
                out.append(f"    e.g. {json.dumps(g.example, ensure_ascii=False)}")
        return out

    def enrich(self, doc: dict[str, Any], reports: list[RulesetReport]) -> dict[str, Any]:
        """``check --format json``: each refuted check gains ``depends_on`` and ``definitions``
        (and ``gap_regions`` for coverage)."""
        for rep_doc, rep in zip(doc["rulesets"], reports):
            for r_doc, r in zip(rep_doc["results"], rep.results):
                a = annotate(self.rulesets[rep.path], r)
                if a is not None:
                    r_doc.update(a.to_json())
                gaps = self.gaps(rep, r)
                if gaps is not None:
                    r_doc["gap_regions"] = gaps.to_json()
        return doc

    def save(self, root: Path, reports: list[RulesetReport]) -> list[Path]:
        """One JSON file per counterexample under ``root/<ruleset>/``; ``ruleproof eval`` reads each as it is."""
        written: list[Path] = []
        for rep in reports:
            rs = self.rulesets[rep.path]
            folder = root / rep.name
            for r in rep.results:
                for name, record, extra in self._records(rep, r):
                    folder.mkdir(parents=True, exist_ok=True)
                    doc: dict[str, Any] = {"ruleset": rs.name, "version": rs.version, "check": r.property,
                                           "location": r.location, "message": r.message, **extra,
                                           "record": record}
                    path = folder / f"{name}.json"
                    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
                    written.append(path)
        return written

    def _records(self, rep: RulesetReport, r: CheckResult) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        a = annotate(self.rulesets[rep.path], r)
        if a is not None and r.matrix is None:
            out.append((slug(r.property), a.record, {**a.to_json(), "fired": list(r.fired or ())}))
        gaps = self.gaps(rep, r)
        for k, g in enumerate(gaps.regions if gaps else (), start=1):
            out.append((f"coverage-gap-{k}", g.example, {"region": g.text}))
        if r.matrix is not None:
            for c in r.matrix.cells:
                if c.status == GAP and c.counterexample is not None:
                    out.append((slug(f"{r.property}-gap-{'-'.join(c.values)}"), c.counterexample,
                                {"cell": list(c.values), "fired": list(c.fired or ())}))
        return out
