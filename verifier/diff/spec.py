"""The specification diff: what an edit does to the ruleset's own guarantees.

``ruleproof diff`` says which patients get other advice. This module says
what happened to the promises the ruleset makes about all patients:

- each property present in both versions is **equivalent**, **stronger**,
  **weaker** or **incomparable** in NEW, compared with every definition of
  its own version expanded (so a property written through ``ready`` moves
  when ``ready`` is edited, and that shows here); where the two part, a
  witness: a record valid under both versions and a decision (the actions
  recommended, considered and avoided) that one version's property accepts
  and the other's rejects, re-evaluated by the concrete evaluator;
- a property, conflict or coverage declaration **removed** (a removed
  property that the new properties together still imply is "restated", not
  lost: that is how a renamed property reads) or **added**;
- the set of valid records **grew** or **shrank** (the constraints), with
  the region examples of the semantic diff as witnesses;
- for every changed definition, the properties and rules whose meaning moved
  with it.

Properties are compared as predicates over a record *and a free decision*:
the question is what each version promises, not whether today's rules happen
to keep both promises.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable

import z3

import engine
from dsl import model as m
from dsl.printer import format_expr
from verifier.diff.semantic import NEW, OLD, SAT, UNKNOWN, UNSAT, JointEncoding
from verifier.diff.compare import SemanticDiff
from verifier.diff.structure import StructuralChange
from verifier.facts.evaluation import Statuses, environment, evaluate
from verifier.solver.encoding import Encoding
from verifier.facts.values import is_exact_record, json_record

EQUIVALENT, STRONGER, WEAKER, INCOMPARABLE = "equivalent", "stronger", "weaker", "incomparable"
ADDED, REMOVED, RESTATED = "added", "removed", "restated"
GREW, SHRANK = "grew", "shrank"
# The verdicts that lose a promise: a gate wants a reviewer's acknowledgement for each.
WEAKENING = frozenset({WEAKER, INCOMPARABLE, REMOVED, GREW, SHRANK})

_STATUS_NAMES = ("recommended", "considered", "avoided")


class SpecDisagreement(Exception):
    """A witness the concrete evaluator does not confirm: a bug in ruleproof, not a finding."""


@dataclass(frozen=True, slots=True)
class Witness:
    """A record valid under both versions and a decision on which the two versions' statements differ."""

    record: dict[str, Any]
    recommended: tuple[str, ...]
    considered: tuple[str, ...]
    avoided: tuple[str, ...]
    old_holds: bool
    new_holds: bool
    categories: dict[str, str] = field(default_factory=dict)  # action -> evidence category
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)  # action -> its "one of" partners
    note: str = ""

    def decision_text(self) -> str:
        def show(a: str) -> str:
            extra = [f"category {self.categories[a]}"] if a in self.categories else []
            if self.alternatives.get(a):
                extra.append(f"one of with {', '.join(self.alternatives[a])}")
            return f"{a} ({'; '.join(extra)})" if extra else a

        parts = [f"{k} [{', '.join(show(a) for a in v)}]" for k, v in
                 (("recommended", self.recommended), ("considered", self.considered), ("avoided", self.avoided)) if v]
        return "; ".join(parts) or "nothing given or avoided"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"record": self.record, "recommended": list(self.recommended),
                               "considered": list(self.considered), "avoided": list(self.avoided),
                               "old_holds": self.old_holds, "new_holds": self.new_holds,
                               "categories": self.categories,
                               "alternatives": {a: list(bs) for a, bs in self.alternatives.items()}}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class SpecChange:
    """One statement of the specification and what the edit did to it.

    ``kind``: property | conflict | coverage | constraints | definition.
    ``id``: what a reviewer (and an acknowledgement) names it by.
    ``verdict``: equivalent, stronger, weaker, incomparable, added, removed,
    restated, grew, shrank, or for a definition ``changed``.
    ``location``: the declaration a reviewer must read (NEW's, else OLD's).
    """

    kind: str
    id: str
    verdict: str
    location: str | None
    message: str
    witnesses: tuple[Witness, ...] = ()
    examples: tuple[dict[str, Any], ...] = ()
    dependents: tuple[str, ...] = ()

    @property
    def weakens(self) -> bool:
        return self.verdict in WEAKENING

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "id": self.id, "verdict": self.verdict,
                               "location": self.location, "message": self.message,
                               "weakens": self.weakens}
        if self.witnesses:
            out["witnesses"] = [w.to_json() for w in self.witnesses]
        if self.examples:
            out["examples"] = list(self.examples)
        if self.dependents:
            out["dependents"] = list(self.dependents)
        return out


@dataclass(frozen=True, slots=True)
class SpecDiff:
    changes: tuple[SpecChange, ...]
    undecided: tuple[str, ...] = ()

    @property
    def weakened(self) -> tuple[SpecChange, ...]:
        return tuple(c for c in self.changes if c.weakens)

    def to_json(self) -> dict[str, Any]:
        return {"changes": [c.to_json() for c in self.changes], "undecided": list(self.undecided)}


# ---------------------------------------------------------------- properties over a free decision


def _status_atom(ctx: z3.Context, status: str, action: str) -> z3.BoolRef:
    return z3.Bool(f"decision!{status}!{action}", ctx)


def _category_atom(ctx: z3.Context, action: str) -> z3.ArithRef:
    return z3.Int(f"decision!category!{action}", ctx)


def _alternative_atom(ctx: z3.Context, action: str, partner: str) -> z3.BoolRef:
    return z3.Bool(f"decision!alternative!{action}!{partner}", ctx)


class _FreeDecision(Encoding):
    """Categories and alternatives of the decision as free variables (see ``_free_decision_encoding``)."""

    def decision_category(self, action: str) -> z3.ArithRef:
        return _category_atom(self.ctx, action)

    def alternative_of(self, action: str, partner: str) -> z3.BoolRef:
        return _alternative_atom(self.ctx, action, partner)


def _free_decision_encoding(ruleset: m.Ruleset) -> Encoding:
    """The ruleset's encoding with every action status a free variable instead of the rules' verdict."""
    enc = _FreeDecision(ruleset)
    for status in _STATUS_NAMES:
        setattr(enc, status, {a.id: _status_atom(enc.ctx, status, a.id) for a in ruleset.actions})
    enc.given = {a.id: z3.Or(enc.recommended[a.id], enc.considered[a.id]) for a in ruleset.actions}
    return enc


class _Statements:
    """Both versions' properties, translated into the joint encoding over a shared free decision."""

    def __init__(self, joint: JointEncoding) -> None:
        self.joint = joint
        self.prop: dict[str, dict[str, z3.BoolRef]] = {}
        for side, rs in ((OLD, joint.old), (NEW, joint.new)):
            enc = _free_decision_encoding(rs)
            vec = z3.AstVector(ctx=enc.ctx)
            for p in rs.properties:
                vec.push(enc.term(p.expr))
            moved = vec.translate(joint.ctx)
            terms = [moved[k] for k in range(len(moved))]
            pairs = joint._renames(side)
            if pairs:
                terms = [z3.substitute(t, *pairs) for t in terms]
            self.prop[side] = {p.id: t for p, t in zip(rs.properties, terms)}
        # A well-formed decision: "considered" is what is considered and not recommended;
        # an action has a category exactly when it is in the decision; alternatives are in it.
        ctx = joint.ctx
        self.background = [joint.valid_lit[OLD], joint.valid_lit[NEW],
                           joint.lit("decision:well-formed", lambda: z3.And(self._well_formed() or [z3.BoolVal(True, ctx)]))]

    def _well_formed(self) -> list[z3.BoolRef]:
        ctx, actions = self.joint.ctx, self.joint.actions

        def present(a: str) -> z3.BoolRef:
            return z3.Or([_status_atom(ctx, s, a) for s in _STATUS_NAMES])

        facts = []
        for a in actions:
            cat = _category_atom(ctx, a)
            facts += [z3.Not(z3.And(_status_atom(ctx, "recommended", a), _status_atom(ctx, "considered", a))),
                      cat >= -1, cat < len(self.joint.new.grading.levels), (cat == -1) == z3.Not(present(a))]
            for b in actions:
                if b != a:
                    facts.append(z3.Implies(_alternative_atom(ctx, a, b), z3.And(present(a), present(b))))
        return facts

    def differ(self, name: str, holds: z3.BoolRef, fails: z3.BoolRef) -> tuple[str, z3.ModelRef | None]:
        """Is there a record valid in both and a decision where ``holds`` holds and ``fails`` fails?"""
        lit = self.joint.lit(f"spec:{name}", lambda: z3.And(holds, z3.Not(fails)))
        probe = self.joint.solve(self.background + [lit])
        if probe.status != SAT:
            return probe.status, probe.model
        return SAT, self._plain(self.background + [lit]) or probe.model

    def _plain(self, lits: list[z3.BoolRef]) -> z3.ModelRef | None:
        """A model whose decision names as few actions as it can: a readable witness.

        Every action is asked to be absent; the ones an unsat core names are
        let go, a few rounds at most (a witness is shown, not optimised).
        """
        joint, ctx = self.joint, self.joint.ctx
        quiet = {joint.lit(f"quiet:{s}:{a}", z3.Not(_status_atom(ctx, s, a))).get_id():
                 joint.lit(f"quiet:{s}:{a}", z3.Not(_status_atom(ctx, s, a)))
                 for a in joint.actions for s in _STATUS_NAMES}
        for _ in range(6):
            probe = joint.solve(lits + list(quiet.values()))
            if probe.status == SAT:
                return probe.model
            if probe.status != UNSAT or not (probe.core & quiet.keys()):
                return None
            for k in probe.core & quiet.keys():
                del quiet[k]
        return None

    def witness(self, model: z3.ModelRef, old: m.Property | None, new: m.Property | None,
                expect_old: bool, expect_new: bool) -> Witness:
        joint = self.joint
        values = joint.values(model)
        ctx = joint.ctx
        statuses = {s: tuple(a for a in joint.actions
                             if z3.is_true(model.eval(_status_atom(ctx, s, a), model_completion=True)))
                    for s in _STATUS_NAMES}
        present = sorted(set().union(*statuses.values()), key=joint.actions.index)
        levels = joint.new.grading.levels  # a category atom is a rank in the scheme (both versions share it)
        categories = {a: levels[model.eval(_category_atom(ctx, a), model_completion=True).as_long()]
                      for a in present}
        alternatives = {a: tuple(b for b in present if b != a and z3.is_true(
            model.eval(_alternative_atom(ctx, a, b), model_completion=True))) for a in present}
        record = json_record(values)
        w = Witness(record, statuses["recommended"], statuses["considered"], statuses["avoided"],
                    expect_old, expect_new, categories, {a: bs for a, bs in alternatives.items() if bs})
        if not is_exact_record(values):
            return replace(w, note="the record needs a value no decimal can hold; not replayed")
        decision = Statuses(*(frozenset(statuses[s]) for s in _STATUS_NAMES), categories, alternatives)
        for side, rs, prop, expected in ((OLD, joint.old, old, expect_old), (NEW, joint.new, new, expect_new)):
            version_record = json_record(joint.version_record(values, side))
            ev = engine.compile_ruleset(rs)
            try:
                ev.validate(version_record)
            except engine.RecordError as err:
                raise SpecDisagreement(f"the {side} engine rejects a record Z3 found valid ({err}): {record}") from err
            if prop is not None:
                got = bool(evaluate(prop.expr, environment(rs, version_record), decision))
                if got != expected:
                    raise SpecDisagreement(
                        f"property {prop.id} of {side} evaluates to {got} where Z3 says {expected}: {record}")
        return w


def _same_text(old_rs: m.Ruleset, new_rs: m.Ruleset, old: m.Property, new: m.Property) -> bool:
    """The property and every definition it reaches read the same in both versions (no solver needed)."""
    if format_expr(old.expr) != format_expr(new.expr):
        return False
    old_defs = {d.name: d for d in old_rs.definitions}
    new_defs = {d.name: d for d in new_rs.definitions}
    todo, seen = list(_names_used(new.expr)), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        a, b = old_defs.get(name), new_defs.get(name)
        if a is None or b is None or format_expr(a.expr) != format_expr(b.expr):
            return False
        todo.extend(_names_used(b.expr))
    return True


def _compare_property(st: _Statements, old: m.Property, new: m.Property, undecided: list[str]) -> SpecChange:
    p_old, p_new = st.prop[OLD][old.id], st.prop[NEW][new.id]
    # Lost: OLD's promise holds, NEW's does not -> NEW promises more somewhere (stronger).
    s1, m1 = st.differ(f"{old.id}:old-not-new", p_old, p_new)
    # Gained: NEW's holds where OLD's does not -> NEW lets through what OLD forbade (weaker).
    s2, m2 = st.differ(f"{old.id}:new-not-old", p_new, p_old)
    if UNKNOWN in (s1, s2):
        undecided.append(f"property {old.id}: the solver gave up comparing the two versions")
    witnesses: list[Witness] = []
    if s2 == SAT and m2 is not None:
        witnesses.append(st.witness(m2, old, new, expect_old=False, expect_new=True))
    if s1 == SAT and m1 is not None:
        witnesses.append(st.witness(m1, old, new, expect_old=True, expect_new=False))
    if s1 == SAT and s2 == SAT:
        verdict, msg = INCOMPARABLE, "allows some decisions the old version forbade, and forbids others it allowed"
    elif s2 == SAT:
        verdict, msg = WEAKER, "now allows decisions the old version forbade"
    elif s1 == SAT:
        verdict, msg = STRONGER, "now forbids decisions the old version allowed (and forbids everything it forbade)"
    elif UNKNOWN in (s1, s2):
        verdict, msg = INCOMPARABLE, "undecided: the solver gave up; treated as possibly weaker"
    else:
        verdict, msg = EQUIVALENT, "the same promise (definitions expanded)"
    text = format_expr(new.expr)
    if format_expr(old.expr) != text:
        msg += f"; was: {format_expr(old.expr)}; now: {text}"
    return SpecChange("property", new.id, verdict, str(new.span), f"property {new.id} is {verdict}: {msg}",
                      tuple(witnesses))


def _restated(st: _Statements, old: m.Property) -> str:
    """Does the conjunction of NEW's properties still imply a property NEW no longer has?"""
    everything = z3.And(list(st.prop[NEW].values()) or [z3.BoolVal(True, st.joint.ctx)])
    status, _ = st.differ(f"{old.id}:restated", everything, st.prop[OLD][old.id])
    return status


# ---------------------------------------------------------------- the other declarations


def _conflict_changes(old: m.Ruleset, new: m.Ruleset) -> list[SpecChange]:
    def pairs(rs: m.Ruleset) -> dict[frozenset[str], str]:
        return {frozenset(p): str(c.span) for c in rs.conflicts for p in c.pairs if p[0] != p[1]}

    po, pn = pairs(old), pairs(new)
    out = []
    for key in sorted(po.keys() - pn.keys(), key=sorted):
        a, b = sorted(key)
        out.append(SpecChange("conflict", f"conflict({a},{b})", REMOVED, po[key],
                              f"{a} and {b} are no longer declared in conflict (was at {po[key]})"))
    for key in sorted(pn.keys() - po.keys(), key=sorted):
        a, b = sorted(key)
        out.append(SpecChange("conflict", f"conflict({a},{b})", ADDED, pn[key], f"{a} and {b} newly declared in conflict"))
    return out


def _coverage_changes(old: m.Ruleset, new: m.Ruleset) -> list[SpecChange]:
    co = {c.inputs: c for c in old.coverages}
    cn = {c.inputs: c for c in new.coverages}
    out = []
    for key in [k for k in co if k not in cn]:
        c = co[key]
        out.append(SpecChange("coverage", c.id, REMOVED, str(c.span),
                              f"coverage {c.id} over {' x '.join(key)} is no longer declared (was at {c.span})"))
    for key in [k for k in cn if k not in co]:
        c = cn[key]
        out.append(SpecChange("coverage", c.id, ADDED, str(c.span), f"coverage {c.id} over {' x '.join(key)} newly declared"))
    return out


def _constraint_changes(old: m.Ruleset, new: m.Ruleset, semantic: SemanticDiff,
                        structure: Iterable[StructuralChange]) -> list[SpecChange]:
    touched = [c for c in structure if c.kind in ("constraint", "input")]
    ids = ", ".join(f"{c.kind} {c.id} {c.change}" for c in touched) or "no constraint text changed"
    where = next((c.location for c in touched if c.location), None) or new.path
    out = []
    for v in semantic.validity:
        if not v.regions:
            continue
        verdict = GREW if v.side == NEW else SHRANK
        what = ("the new version accepts records the old one rejected" if verdict == GREW
                else "the new version rejects records the old one accepted")
        out.append(SpecChange("constraints", "constraints", verdict, where, f"valid records {verdict}: {what} ({ids})",
                              examples=tuple(r.example for r in v.regions[:3])))
    return out


def _names_used(e: m.Expr) -> set[str]:
    out: set[str] = set()
    stack: list[Any] = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, m.DefRef):
            out.add(x.name)
        for f in getattr(x, "__slots__", ()):
            v = getattr(x, f, None)
            if isinstance(v, tuple):
                stack.extend(v)
            elif v is not None and not isinstance(v, (str, bool, int)) and hasattr(v, "__slots__"):
                stack.append(v)
    return out


class _Uses:
    """The definitions each definition, rule and property of one ruleset names directly, read once.

    Asked per changed definition, re-reading every expression made the diff
    of two 1,500-row decision tables (150 changed rows, 3,000 definitions)
    spend minutes here.
    """

    def __init__(self, rs: m.Ruleset) -> None:
        self.rs = rs
        self.definitions = [(d.name, _names_used(d.expr)) for d in rs.definitions]
        self.rules = [(r.id, _names_used(r.condition)) for r in rs.rules]
        self.properties = [(p.id, _names_used(p.expr)) for p in rs.properties]


def definition_dependents(rs: m.Ruleset, name: str, uses: _Uses | None = None) -> tuple[str, ...]:
    """Every definition, rule and property of ``rs`` whose meaning depends on definition ``name``."""
    u = uses if uses is not None and uses.rs is rs else _Uses(rs)
    moved = {name}
    for d, used in u.definitions:  # dependency order: what a definition uses comes first
        if not used.isdisjoint(moved):
            moved.add(d)
    out = [f"definition {d}" for d, _ in u.definitions if d in moved and d != name]
    out += [f"rule {r}" for r, used in u.rules if not used.isdisjoint(moved)]
    out += [f"property {p}" for p, used in u.properties if not used.isdisjoint(moved)]
    return tuple(out)


def _definition_changes(new: m.Ruleset, structure: Iterable[StructuralChange]) -> list[SpecChange]:
    out = []
    names = {d.name for d in new.definitions}
    uses: _Uses | None = None
    for c in structure:
        if c.kind in ("definition", "phase") and c.change == "changed" and c.id in names:
            uses = uses or _Uses(new)
            deps = definition_dependents(new, c.id, uses)
            out.append(SpecChange("definition", c.id, "changed", c.location,
                                  f"definition {c.id} changed; its meaning moves into: {', '.join(deps) or 'nothing'}",
                                  dependents=deps))
    return out


# ---------------------------------------------------------------- entry point


def spec_diff(old: m.Ruleset, new: m.Ruleset, semantic: SemanticDiff, structure: Iterable[StructuralChange],
              timeout_s: float | None = 10.0) -> SpecDiff:
    """What the edit from ``old`` to ``new`` does to the ruleset's statements (see the module doc).

    ``semantic`` and ``structure`` are the advice diff of the same pair (their
    validity regions witness a change of the constraints).
    """
    structure = tuple(structure)
    timeout_ms = None if timeout_s is None else max(1, int(timeout_s * 1000))
    built: list[_Statements] = []

    def statements() -> _Statements:
        # Built only when some property needs the solver: most rule edits leave every
        # property's text and definitions alone.
        if not built:
            built.append(_Statements(JointEncoding(old, new, timeout_ms)))
        return built[0]

    undecided: list[str] = []
    changes: list[SpecChange] = []
    old_props = {p.id: p for p in old.properties}
    new_props = {p.id: p for p in new.properties}
    for p in new.properties:
        if p.id in old_props and _same_text(old, new, old_props[p.id], p):
            changes.append(SpecChange("property", p.id, EQUIVALENT, str(p.span),
                                      f"property {p.id} is equivalent: the same text, over the same definitions"))
        elif p.id in old_props:
            changes.append(_compare_property(statements(), old_props[p.id], p, undecided))
        else:
            changes.append(SpecChange("property", p.id, ADDED, str(p.span), f"property {p.id} added: {format_expr(p.expr)}"))
    for p in old.properties:
        if p.id in new_props:
            continue
        status = _restated(statements(), p)
        if status == UNSAT:
            changes.append(SpecChange("property", p.id, RESTATED, str(p.span),
                                      f"property {p.id} removed, but the new properties together still imply it"))
        else:
            if status == UNKNOWN:
                undecided.append(f"property {p.id}: the solver gave up on whether the new properties imply it")
            changes.append(SpecChange("property", p.id, REMOVED, str(p.span),
                                      f"property {p.id} removed (was at {p.span}): {format_expr(p.expr)}"))
    changes += _conflict_changes(old, new)
    changes += _coverage_changes(old, new)
    changes += _constraint_changes(old, new, semantic, structure)
    changes += _definition_changes(new, structure)
    return SpecDiff(tuple(changes), tuple(undecided))
