"""``ruleproof diff``: which patients get different advice from a new version of a ruleset.

The semantic diff answers with concrete patients. Over the records valid
under both versions it finds, for every action, where the action is newly
given, no longer given, or given with another strength or evidence category;
separately it finds the records only one version accepts. Each change comes
as a few regions (boxes over the inputs, see ``verifier.diff.regions``), each
with an example record that both engines are made to confirm: a region whose
example the engines do not reproduce is a bug in ruleproof, reported as such.
When no such record exists at all, the edit is proved not to change meaning.

Decision tables (both versions read exactly as boxes, ``verifier.facts.boxrules``)
take a faster road to the same verdicts (``verifier.diff.boxgrow``): records
that change are first looked for where the tables' boxes differ and next to
the regions found, read by the engines; each region is the box around its
seed in which neither table's matching rows change, proved by box algebra
instead of grown query by query; seeds and examples are made typical by exact
box tests. The solver still answers every "no" (an action unchanged, no
record left outside the regions), and the validity comparison is settled by
the two domain boxes. Regions are then smaller and more numerous than the
solver's greedy growth would make them, so the region cap is met sooner.

The structural diff (``verifier.diff.structure``) stands beside it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import engine
from dsl import model as m
from verifier.solver import DEFAULT_TIMEOUT_S
from verifier.diff.boxgrow import BoxProposer
from verifier.diff.regions import Box, Bound, Focus, FoundBox, Lits, RegionFinder, lits_of
from verifier.diff.semantic import (
    NEW, OLD, SAT, UNKNOWN, JointEncoding, ActionStatus, Probe, action_support, deciding_order, validity_support,
)
from verifier.diff.structure import StructuralChange, structural_diff
from verifier.exit_codes import ExitCode, verdict
from verifier.solver.replay import EngineDisagreement
from verifier.facts.values import Value, is_exact_record, json_record

DEFAULT_MAX_REGIONS = 8  # per action (and per side of the validity change)

# Order of change kinds in a report: losses first, they are what reviewers miss.
CHANGE_KINDS = ("no longer given", "newly given", "strength changed", "category changed",
                "alternatives changed", "no longer avoided", "newly avoided")


@dataclass(frozen=True, slots=True)
class Region:
    """One box of records showing a change, with one example record inside it.

    ``example`` holds every input of both versions (plain JSON values).
    For an action change, ``old_rules``/``new_rules`` are the rules giving the
    action to the example in each version; for a validity change,
    ``rejected_by`` says why the other version rejects it and ``old_rules``
    (or ``new_rules``) lists the rules that fire where it is valid.
    """

    bounds: tuple[Bound, ...]
    example: dict[str, Any]
    old_rules: tuple[str, ...] = ()
    new_rules: tuple[str, ...] = ()
    rejected_by: tuple[str, ...] = ()
    note: str = ""

    @property
    def text(self) -> str:
        return " and ".join(b.text for b in self.bounds) or "every record"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "region": self.text,
            "bounds": [b.to_json() for b in self.bounds],
            "example": self.example,
            "old_rules": list(self.old_rules),
            "new_rules": list(self.new_rules),
        }
        if self.rejected_by:
            out["rejected_by"] = list(self.rejected_by)
        if self.note:
            out["note"] = self.note
        return out


def change_kind(old: ActionStatus, new: ActionStatus) -> str:
    if old.strength is None:
        return "newly avoided" if new.strength == "avoid" else "newly given"
    if new.strength is None:
        return "no longer avoided" if old.strength == "avoid" else "no longer given"
    if old.strength != new.strength:
        return "strength changed"
    if old.category != new.category:
        return "category changed"
    return "alternatives changed"


@dataclass(frozen=True, slots=True)
class Transition:
    """Records where one action goes from ``old`` to ``new``."""

    old: ActionStatus
    new: ActionStatus
    regions: tuple[Region, ...]

    @property
    def change(self) -> str:
        return change_kind(self.old, self.new)

    def to_json(self) -> dict[str, Any]:
        return {"change": self.change, "old": self.old.to_json(), "new": self.new.to_json(),
                "regions": [r.to_json() for r in self.regions]}


@dataclass(frozen=True, slots=True)
class ActionChange:
    """Every change of one action. ``more``: the listing stopped at the region cap."""

    action: str
    label: str
    transitions: tuple[Transition, ...]
    more: bool = False
    undecided: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "label": self.label,
                "transitions": [t.to_json() for t in self.transitions],
                "more": self.more, "undecided": self.undecided}


@dataclass(frozen=True, slots=True)
class ValidityChange:
    """Records valid under one version only (``side``: the version that accepts them)."""

    side: str
    regions: tuple[Region, ...]
    more: bool = False
    undecided: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"valid_under": self.side, "regions": [r.to_json() for r in self.regions],
                "more": self.more, "undecided": self.undecided}


UNCHANGED, CHANGED, UNDECIDED = "unchanged", "changed", "unknown"


@dataclass(frozen=True, slots=True)
class SemanticDiff:
    """The meaning of the edit. ``undecided`` lists what the solver could not settle."""

    actions: tuple[ActionChange, ...]
    validity: tuple[ValidityChange, ...]
    undecided: tuple[str, ...] = ()
    queries: int = 0

    @property
    def changed(self) -> bool:
        """A change was found (entries the solver gave up on without a region are no evidence)."""
        return any(a.transitions for a in self.actions) or any(v.regions for v in self.validity)

    @property
    def status(self) -> str:
        if self.changed:
            return CHANGED
        return UNDECIDED if self.undecided else UNCHANGED

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status,
                "actions": [a.to_json() for a in self.actions],
                "validity": [v.to_json() for v in self.validity],
                "undecided": list(self.undecided)}


@dataclass(frozen=True, slots=True)
class Version:
    path: str
    name: str
    version: str

    @staticmethod
    def of(rs: m.Ruleset) -> "Version":
        return Version(rs.path, rs.name, rs.version)

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "ruleset": self.name, "version": self.version}


@dataclass(frozen=True, slots=True)
class DiffReport:
    old: Version
    new: Version
    structure: tuple[StructuralChange, ...]
    semantic: SemanticDiff
    seconds: float = 0.0
    # What the edit does to the ruleset's own statements (verifier.diff.spec.SpecDiff).
    spec: Any = None

    def to_json(self, timing: bool = True) -> dict[str, Any]:
        out = {"old": self.old.to_json(), "new": self.new.to_json(),
               "meaning": self.semantic.to_json(),
               "structure": [c.to_json() for c in self.structure],
               "seconds": round(self.seconds, 3) if timing else 0.0}
        if self.spec is not None:
            out["specification"] = self.spec.to_json()
        return out


def exit_code(report: DiffReport, fail_on_change: bool) -> ExitCode:
    """A change is a finding only under ``--fail-on-change``; an undecided part is unknown."""
    return verdict(finding=fail_on_change and report.semantic.changed,
                   unknown=bool(report.semantic.undecided))


# ---------------------------------------------------------------- engines


class _Engines:
    """Both versions' engines: every example is run through them before it is reported."""

    def __init__(self, joint: JointEncoding) -> None:
        self.joint = joint
        self.ev = {OLD: engine.compile_ruleset(joint.old), NEW: engine.compile_ruleset(joint.new)}

    def decide(self, values: dict[str, Value], side: str) -> engine.Decision | tuple[str, ...]:
        """The decision of one version, or the problems for which it rejects the record."""
        record = json_record(self.joint.version_record(values, side))
        try:
            return self.ev[side].evaluate(self.ev[side].validate(record))
        except engine.RecordError as err:
            return tuple(p.constraint or str(p) for p in err.problems)

    @staticmethod
    def outcome(decision: engine.Decision, action: str) -> tuple[ActionStatus, tuple[str, ...]]:
        for r in decision.recommendations:
            if r.action == action:
                return ActionStatus(r.strength, r.category, tuple(r.alternatives)), r.rules
        return ActionStatus(None, None), ()

    def changed(self, values: dict[str, Value]) -> set[str]:
        """The actions whose outcome the engines give differently for a record valid under both."""
        if not is_exact_record(values):
            return set()
        d_old, d_new = self.decide(values, OLD), self.decide(values, NEW)
        if isinstance(d_old, tuple) or isinstance(d_new, tuple):
            return set()
        return {a for a in self.joint.actions if self.outcome(d_old, a)[0] != self.outcome(d_new, a)[0]}

    def change(self, values: dict[str, Value], action: str) -> tuple[Any, Any] | None:
        """The change of ``action`` the engines show for a record valid under both, and the
        literal denying it; None when the record is rejected by either or shows no change."""
        if not is_exact_record(values):
            return None
        d_old, d_new = self.decide(values, OLD), self.decide(values, NEW)
        if isinstance(d_old, tuple) or isinstance(d_new, tuple):
            return None
        (o, _), (n, _) = self.outcome(d_old, action), self.outcome(d_new, action)
        if o == n:
            return None
        return (o, n), lambda: self.joint.not_transition_lit(action, o, n)

    def action_region(self, fb: FoundBox, bounds: tuple[Bound, ...], action: str) -> Region:
        old, new = fb.key  # type: ignore[misc]
        example = json_record(self.joint.shown_record(fb.seed))
        if not is_exact_record(fb.seed):
            return Region(bounds, example, note="the example needs a value no decimal can hold; not replayed")
        rules: dict[str, tuple[str, ...]] = {}
        for side, expected in ((OLD, old), (NEW, new)):
            d = self.decide(fb.seed, side)
            if isinstance(d, tuple):
                raise EngineDisagreement(f"the {side} engine rejects an example Z3 found valid ({', '.join(d)}): {example}")
            got, rules[side] = self.outcome(d, action)
            if got != expected:
                raise EngineDisagreement(
                    f"the {side} engine gives {action} {got.text()} where Z3 says {expected.text()}: {example}")
        return Region(bounds, example, old_rules=rules[OLD], new_rules=rules[NEW])

    def validity_region(self, fb: FoundBox, bounds: tuple[Bound, ...], side: str) -> Region:
        other = NEW if side == OLD else OLD
        example = json_record(self.joint.shown_record(fb.seed))
        if not is_exact_record(fb.seed):
            return Region(bounds, example, note="the example needs a value no decimal can hold; not replayed")
        accepted, rejected = self.decide(fb.seed, side), self.decide(fb.seed, other)
        if isinstance(accepted, tuple) or not isinstance(rejected, tuple):
            raise EngineDisagreement(f"the engines do not confirm that only the {side} version accepts {example}")
        fired = tuple(accepted.fired)
        return Region(bounds, example, old_rules=fired if side == OLD else (),
                      new_rules=fired if side == NEW else (), rejected_by=rejected)


# ---------------------------------------------------------------- the diff


def _transitions(finder: RegionFinder, engines: _Engines, found: list[FoundBox], action: str,
                 background: Lits, nonempty: Callable[[Box], bool] | None = None) -> tuple[Transition, ...]:
    by_key: dict[tuple[ActionStatus, ActionStatus], list[Region]] = {}
    for fb in finder.merge(found):
        bounds = finder.describe(fb.box, background, fb.seed, nonempty)
        by_key.setdefault(fb.key, []).append(engines.action_region(fb, bounds, action))  # type: ignore[arg-type]
    out = [Transition(o, n, tuple(sorted(rs, key=lambda r: r.text))) for (o, n), rs in by_key.items()]
    return tuple(sorted(out, key=lambda t: (CHANGE_KINDS.index(t.change), -t.old.code(), -t.new.code())))


def semantic_diff(old: m.Ruleset, new: m.Ruleset, timeout_s: float | None = DEFAULT_TIMEOUT_S,
                  max_regions: int = DEFAULT_MAX_REGIONS, boxes: bool = True) -> SemanticDiff:
    """Every change of meaning from ``old`` to ``new`` (see the module doc).

    ``boxes``: when both versions read as decision-table boxes, regions are
    proposed and proved by box algebra (``verifier.diff.boxgrow``); False keeps
    every region on the solver's input-by-input growth (the differential tests
    compare the two).
    """
    timeout_ms = None if timeout_s is None else max(1, int(timeout_s * 1000))
    joint = JointEncoding(old, new, timeout_ms)
    finder = RegionFinder(joint)
    proposer = BoxProposer.of(finder) if boxes else None
    if proposer is not None:
        finder.propose = proposer.propose
    engines = _Engines(joint)

    def valid_both() -> list[Any]:
        return [joint.valid_lit[OLD], joint.valid_lit[NEW]]

    # On the box path the literals wait for the first query (the encoding is built then).
    both: Lits = valid_both if proposer is not None else valid_both()
    undecided: list[str] = []
    labels = {a.id: a.label for a in new.actions} | {a.id: a.label for a in old.actions}

    actions: list[ActionChange] = []
    # Records that show a change, found from the boxes the tables do not share
    # (the engines read them): each answers "does this action change?" with yes
    # at no query. "No" is only ever the solver's answer.
    witness = proposer.witnesses(engines.changed, set(joint.actions)) if proposer is not None else {}
    # One query settles a refactoring; only when it fails is each action asked.
    probe = Probe(SAT) if witness else finder.solve(lits_of(both) + [joint.any_changed_lit()])
    if probe.status == UNKNOWN:
        undecided.append(f"whether any action changes: the solver gave up ({probe.reason})")
    for action in joint.actions if probe.status == SAT else ():
        changed: Lits = ((lambda a=action: lits_of(both) + [joint.changed_lit(a)]) if proposer is not None
                         else lits_of(both) + [joint.changed_lit(action)])
        first = Probe(SAT) if action in witness else finder.solve(lits_of(changed))
        if first.status == UNKNOWN:
            undecided.append(f"action {action}: the solver gave up ({first.reason})")
            actions.append(ActionChange(action, labels[action], (), undecided=True))
        if first.status != SAT:
            continue

        def classify(model: Any, a: str = action) -> tuple[Any, Any]:
            o, n = joint.outcome(model, OLD, a), joint.outcome(model, NEW, a)
            return (o, n), joint.not_transition_lit(a, o, n)

        support = action_support(joint, action)
        fired = proposer.fired if proposer is not None else None
        focus = Focus(support, lambda seed, a=action, s=support: deciding_order(joint, a, s, seed, fired))
        same = proposer.same(action) if proposer is not None else None
        key_of = (lambda values, a=action: engines.change(values, a)) if proposer is not None else None
        found, more, gave_up = finder.find(changed, both, classify, focus, max_regions, same, key_of,
                                           start=witness.get(action))
        if gave_up:
            undecided.append(f"action {action}: the solver gave up before every region was found")
        nonempty = proposer.nonempty if proposer is not None else None
        actions.append(ActionChange(action, labels[action],
                                    _transitions(finder, engines, found, action, both, nonempty),
                                    more=more, undecided=gave_up))

    validity: list[ValidityChange] = []
    # Both tables accepting the same box of records proves there is nothing to find.
    sides = () if proposer is not None and proposer.same_validity() else ((OLD, NEW), (NEW, OLD))
    for side, other in sides:
        base = [joint.valid_lit[side], joint.invalid_lit[other]]
        not_p = joint.valid_lit[other]
        focus = Focus(validity_support(joint, other))
        found, more, gave_up = finder.find(base, [joint.valid_lit[side]], lambda _m, lit=not_p: ("valid", lit),
                                           focus, max_regions)
        if gave_up:
            undecided.append(f"records valid under {side} only: the solver gave up")
        if found or gave_up:
            regions = [engines.validity_region(fb, finder.describe(fb.box, [joint.valid_lit[side]], fb.seed), side)
                       for fb in finder.merge(found)]
            validity.append(ValidityChange(side, tuple(sorted(regions, key=lambda r: r.text)), more, gave_up))
    return SemanticDiff(tuple(actions), tuple(validity), tuple(undecided), finder.queries)


def diff_rulesets(old: m.Ruleset, new: m.Ruleset, timeout_s: float | None = DEFAULT_TIMEOUT_S,
                  max_regions: int = DEFAULT_MAX_REGIONS) -> DiffReport:
    """The structural, semantic and specification diff of two versions of a ruleset."""
    from verifier.diff.spec import SpecDisagreement, spec_diff  # it builds on this module's results

    start = time.perf_counter()
    semantic = semantic_diff(old, new, timeout_s, max_regions)
    structure = structural_diff(old, new)
    try:
        spec = spec_diff(old, new, semantic, structure, timeout_s)
    except SpecDisagreement as err:
        raise EngineDisagreement(str(err)) from err
    return DiffReport(Version.of(old), Version.of(new), structure, semantic,
                      time.perf_counter() - start, spec)
