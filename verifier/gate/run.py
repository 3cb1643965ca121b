"""One ruleset through the gate: every check, the regression suite, and the diff against a base.

The gate's verdict is a list of items, each one thing a reviewer must know:

- ``failed``: blocks the change (a refuted check, a case whose advice
  changed, a behaviour change the regression suite does not show, a weakened
  guarantee no change-log entry of this change acknowledges);
- ``undecided``: the solver gave up (never a pass);
- ``acknowledged``: a change the same change set owns up to;
- ``info``: worth reading, blocks nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsl import model as m
from verifier.cases.store import CasesError, brief, load_suite, replay_split
from verifier.check.results import REFUTED, UNKNOWN
from verifier.check.run import check_ruleset
from verifier.diff.compare import DiffReport, diff_rulesets
from verifier.diff.spec import SpecDiff, SpecDisagreement, spec_diff
from verifier.gate.acks import Entry, new_acknowledgements
from verifier.solver.replay import EngineDisagreement

FAILED, UNDECIDED, ACKNOWLEDGED, INFO = "failed", "undecided", "acknowledged", "info"
STEPS = ("check", "cases", "diff", "spec")


@dataclass(frozen=True, slots=True)
class Item:
    step: str
    id: str
    verdict: str
    location: str | None
    message: str
    details: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "id": self.id, "verdict": self.verdict, "location": self.location,
                "message": self.message, "details": list(self.details)}


@dataclass(frozen=True, slots=True)
class Base:
    """What the gate knows about the base revision of one ruleset.

    ``old``: the ruleset there (None: it is new since). ``changelog``: the
    change-log entries there. ``suite_updated``: the regression suite's files
    differ between the base and the working tree.
    """

    rev: str
    old: m.Ruleset | None
    changelog: tuple[Entry, ...] = ()
    suite_updated: bool = False


@dataclass(frozen=True, slots=True)
class GateReport:
    path: str
    name: str
    version: str
    base: str | None
    items: tuple[Item, ...]
    internal_error: str = ""
    seconds: float = 0.0
    diff: DiffReport | None = field(default=None, compare=False)
    spec: SpecDiff | None = field(default=None, compare=False)

    def having(self, verdict: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.verdict == verdict)

    def to_json(self, timing: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "ruleset": self.name, "version": self.version, "base": self.base,
                               "passed": not self.having(FAILED) and not self.having(UNDECIDED)
                               and not self.internal_error,
                               "items": [i.to_json() for i in self.items],
                               "seconds": round(self.seconds, 3) if timing else 0.0}
        if self.internal_error:
            out["internal_error"] = self.internal_error
        if self.diff is not None:
            out["diff"] = self.diff.to_json(timing)
        if self.spec is not None:
            out["spec"] = self.spec.to_json()
        return out


def exit_code(reports: list[GateReport]) -> int:
    """4 internal error; else 1 anything failed; else 3 anything undecided; else 0."""
    if any(r.internal_error for r in reports):
        return 4
    if any(r.having(FAILED) for r in reports):
        return 1
    if any(r.having(UNDECIDED) for r in reports):
        return 3
    return 0


# ---------------------------------------------------------------- the steps


def _check_items(rs: m.Ruleset, timeout_s: float | None) -> tuple[list[Item], str]:
    report = check_ruleset(rs, timeout_s)
    items: list[Item] = []
    internal = ""
    for r in report.results:
        if r.internal_error:
            internal = r.message
        if r.status == REFUTED:
            details = list(r.detail)
            if r.counterexample is not None:
                details.append("counterexample: " + ", ".join(f"{k}={v}" for k, v in r.counterexample.items()))
                details.append(f"fired: {', '.join(r.fired or ()) or '(none)'}")
            items.append(Item("check", r.property, FAILED, r.location, f"{r.property}: refuted: {r.message}",
                              tuple(details)))
        elif r.status == UNKNOWN:
            items.append(Item("check", r.property, UNDECIDED, r.location, f"{r.property}: {r.message}"))
    proved = sum(1 for r in report.results if r.status not in (REFUTED, UNKNOWN))
    items.insert(0, Item("check", "check", INFO, rs.path, f"{proved} of {len(report.results)} checks proved"))
    return items, internal


def _cases_items(rs: m.Ruleset, cases_dir: Path | None) -> tuple[list[Item], bool]:
    """The regression suite replayed; the bool says whether it is present and current."""
    if cases_dir is None or not cases_dir.is_dir():
        return [Item("cases", "cases", INFO, str(cases_dir) if cases_dir else rs.path,
                     f"no regression suite at {cases_dir}: generate one with "
                     f"`ruleproof cases {rs.path} --out {cases_dir}`")], False
    try:
        stored = load_suite(cases_dir)
    except CasesError as err:
        return [Item("cases", "cases", FAILED, str(cases_dir), f"cannot read the regression suite: {err}")], False
    changed, bookkeeping = replay_split(rs, stored.cases)
    items = [Item("cases", "cases", INFO, str(cases_dir),
                  f"{len(stored.cases)} cases replayed, {len(changed)} with changed advice")]
    for c in changed:
        items.append(Item("cases", c.case, FAILED, str(cases_dir / "cases" / f"{c.case}.json"),
                          f"case {c.case}: advice changed; accept an intended change with "
                          f"`ruleproof cases {rs.path} --out {cases_dir} --update`",
                          (f"before: {brief(c.before)}", f"after:  {brief(c.after)}", *c.summary())))
    if bookkeeping:
        items.append(Item("cases", "bookkeeping", INFO, str(cases_dir),
                          f"{len(bookkeeping)} cases keep their advice but fire other rules or cite other sources "
                          f"(information; --update refreshes them)"))
    return items, not changed


def _rule_location(rs: m.Ruleset, rules: tuple[str, ...]) -> str | None:
    for r in rules:
        if r in {x.id for x in rs.rules}:
            return str(rs.rule(r).span)
    return None


def _diff_items(old: m.Ruleset, new: m.Ruleset, report: DiffReport, acknowledged: bool, cases_dir: Path | None) -> list[Item]:
    sem = report.semantic
    verdict = ACKNOWLEDGED if acknowledged else FAILED
    how = ("the regression suite is updated in this change" if acknowledged else
           f"not acknowledged: update the regression suite in this change (`ruleproof cases {new.path} --out "
           f"{cases_dir} --update`, or `--freeze` the example below), so the new decisions are in the reviewed diff")
    items: list[Item] = []
    for a in sem.actions:
        for t in a.transitions:
            r = t.regions[0] if t.regions else None
            where = (r and (_rule_location(new, r.new_rules) or _rule_location(old, r.old_rules))) or next(
                (c.location for c in report.structure if c.location), None) or new.path
            details = [f"in {len(t.regions)} region(s), e.g. {r.text}" if r else ""]
            if r is not None:
                details.append("example: " + ", ".join(f"{k}={v}" for k, v in r.example.items()))
            items.append(Item("diff", a.action, verdict, where,
                              f"{a.action}: {t.change} ({t.old.text()} -> {t.new.text()}); {how}",
                              tuple(d for d in details if d)))
    for v in sem.validity:
        if v.regions:
            items.append(Item("diff", f"valid-under-{v.side}-only", verdict, new.path,
                              f"records valid under {v.side.upper()} only: {v.regions[0].text}; {how}"))
    for u in sem.undecided:
        items.append(Item("diff", "undecided", UNDECIDED, new.path, f"diff: {u}"))
    if not sem.changed and not sem.undecided:
        items.append(Item("diff", "diff", INFO, new.path, "no patient's advice changes (proved)"))
    return items


def _spec_items(spec: SpecDiff, acks: dict[str, Entry], changelog: str, new: m.Ruleset) -> list[Item]:
    items: list[Item] = []
    constraint_ids = {c.id for c in new.constraints}
    for c in spec.changes:
        if c.verdict == "equivalent":
            continue
        details = tuple(f"witness: {w.decision_text()} for " + ", ".join(f"{k}={v}" for k, v in w.record.items())
                        for w in c.witnesses[:1]) + tuple(
            "example: " + ", ".join(f"{k}={v}" for k, v in e.items()) for e in c.examples[:1])
        if not c.weakens:
            items.append(Item("spec", c.id, INFO, c.location, c.message, details + tuple(f"moves with it: {d}" for d in c.dependents)))
            continue
        names = {c.id} | (constraint_ids if c.kind == "constraints" else set())
        entry = next((acks[n] for n in sorted(names) if n in acks), None)
        if entry is not None:
            items.append(Item("spec", c.id, ACKNOWLEDGED, c.location,
                              f"{c.message}; acknowledged at {changelog}:{entry.line}: {entry.why}", details))
        else:
            items.append(Item("spec", c.id, FAILED, c.location,
                              f"{c.message}; a weakened guarantee: acknowledge it with a [[weakened]] entry naming "
                              f"{c.id!r} in {changelog}, in this change", details))
    for u in spec.undecided:
        items.append(Item("spec", "undecided", UNDECIDED, new.path, f"spec: {u}"))
    return items


def gate_ruleset(rs: m.Ruleset, cases_dir: Path | None, base: Base | None, changelog: tuple[Entry, ...],
                 changelog_path: str, timeout_s: float | None = 10.0, checks: bool = True) -> GateReport:
    """Every step of the gate for one ruleset (see the module doc).

    ``checks=False`` leaves out the proofs of ``ruleproof check`` (for tests
    of the other steps alone; the command always runs them).
    """
    start = time.perf_counter()
    items: list[Item] = []
    diff: DiffReport | None = None
    spec: SpecDiff | None = None
    internal = ""
    try:
        if checks:
            check, internal = _check_items(rs, timeout_s)
            items += check
        case_items, suite_current = _cases_items(rs, cases_dir)
        items += case_items
        if base is not None and base.old is None:
            items.append(Item("diff", "diff", INFO, rs.path, f"not in {base.rev}: a new ruleset, nothing to compare"))
        elif base is not None and base.old is not None:
            diff = diff_rulesets(base.old, rs, timeout_s=timeout_s)
            items += _diff_items(base.old, rs, diff, suite_current and base.suite_updated, cases_dir)
            spec = diff.spec if diff.spec is not None else spec_diff(
                base.old, rs, diff.semantic, diff.structure, timeout_s=timeout_s)
            items += _spec_items(spec, new_acknowledgements(changelog, base.changelog), changelog_path, rs)
    except (SpecDisagreement, EngineDisagreement) as err:
        internal = str(err)
    return GateReport(rs.path, rs.name, rs.version, base.rev if base else None, tuple(items), internal,
                      time.perf_counter() - start, diff, spec)
