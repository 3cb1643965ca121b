"""Checking effects and pathway properties (issue 16), called from ``dsl.checker``.

Kept apart from the checker proper so that the journey language stays one
block: effects are validated against the inputs' declared types (every value
an effect may give must be a value of the input), pathway properties against
the expression checker the rest of the language uses. Whether an effect can
produce a record that satisfies the constraints is a question for the solver
(``verifier.pathway``), not for the type checker.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from dsl import ast
from dsl import model as m

if TYPE_CHECKING:  # the checker imports this module
    from dsl.checker import _Checker

# A bound beyond this is not a journey a clinician can read, and would make
# bounded model checking unrolls needlessly large.
MAX_BOUND = 200
# Outcomes of one effect (the product of its choices); kept small because the
# engine enumerates them at each step.
MAX_OUTCOMES = 4096


def _number(text: str) -> Fraction:
    return Fraction(text)


def _value(ck: "_Checker", inp: str, t: m.InputType, v: ast.EffectValue) -> m.EffectValue | None:
    """``v`` as a value of input ``inp`` of type ``t``, or None after an error."""
    raw = v.value
    if isinstance(t, m.BoolType):
        if isinstance(raw, bool):
            return raw
        ck.error(v.span, f"{inp} is a bool input; an effect can set it to true or false")
        return None
    if isinstance(t, m.EnumType):
        if isinstance(raw, str) and raw in t.values:
            return raw
        from dsl.checker import _did_you_mean

        shown = raw if isinstance(raw, str) else ("true" if raw is True else "false" if raw is False else raw.text)
        hint = _did_you_mean(shown, t.values) if isinstance(raw, str) else ""
        ck.error(v.span, f"'{shown}' is not a value of {inp} (values: {', '.join(t.values)}){hint}")
        return None
    if not isinstance(raw, ast.Number):
        ck.error(v.span, f"{inp} is a number input; an effect must give it a number")
        return None
    value = _number(raw.text)
    if isinstance(t, m.IntType) and value.denominator != 1:
        ck.error(v.span, f"{inp} is an int input; {raw.text} is not a whole number")
        return None
    if not (Fraction(t.lo) <= value <= Fraction(t.hi)):
        ck.error(v.span, f"{raw.text} is outside the range of {inp} [{t.lo}, {t.hi}]")
        return None
    return int(value) if isinstance(t, m.IntType) else value


def _assignment(ck: "_Checker", a: ast.AssignDecl) -> m.Assignment | None:
    name = a.input.name
    ck.used_names.add(name)
    if name not in ck.input_types:
        if name not in ck.inputs:
            from dsl.checker import _did_you_mean

            what = "a definition or phase; effects change inputs only" if name in ck.defines else \
                f"unknown input '{name}'{_did_you_mean(name, ck.inputs)}"
            ck.error(a.input.span, what if what.startswith("unknown") else f"'{name}' is {what}")
        return None
    t = ck.input_types[name]
    if a.advance is not None:
        if not isinstance(t, (m.IntType, m.RealType)):
            ck.error(a.input.span, f"'+=' advances a number; {name} is {t}")
            return None
        delta = _number(a.advance.text)
        if isinstance(t, m.IntType) and delta.denominator != 1:
            ck.error(a.advance.span, f"{name} is an int input; {a.advance.text} is not a whole number")
            return None
        if delta == 0:
            ck.error(a.advance.span, f"advancing {name} by 0 changes nothing")
            return None
        return m.Assignment(name, (), delta, a.span)
    values: list[m.EffectValue] = []
    ok = True
    for v in a.values:
        x = _value(ck, name, t, v)
        if x is None:
            ok = False
        elif x in values:
            ck.error(v.span, f"value listed twice for {name}")
            ok = False
        else:
            values.append(x)
    return m.Assignment(name, tuple(values), None, a.span) if ok else None


def _effect(ck: "_Checker", d: ast.EffectDecl, seen: dict[str, ast.EffectDecl]) -> m.Effect | None:
    action = d.action.name
    ok = True
    if action in seen:
        ck.error(d.action.span, f"action '{action}' already has an effect (line {seen[action].span.line})")
        ok = False
    else:
        seen[action] = d
    if ck.action_ref(d.action) is None:
        ok = False
    assignments: list[m.Assignment] = []
    named: set[str] = set()
    outcomes = 1
    for a in d.assignments:
        if a.input.name in named:
            ck.error(a.input.span, f"effect of {action} assigns {a.input.name} twice")
            ok = False
            continue
        named.add(a.input.name)
        x = _assignment(ck, a)
        if x is None:
            ok = False
            continue
        outcomes *= max(1, len(x.values))
        assignments.append(x)
    if ok and outcomes > MAX_OUTCOMES:
        ck.error(d.span, f"effect of {action} has {outcomes} possible outcomes (at most {MAX_OUTCOMES})")
        ok = False
    return m.Effect(action, tuple(assignments), d.span) if ok else None


def _event(ck: "_Checker", e: ast.EventDecl, what: str, moving: set[str]) -> m.Event | None:
    if e.actions is not None:
        ids = ck.top_action_set(e.actions)
        if ids is not None and not moving.intersection(ids):
            # Only an action whose effect changes the record makes a step; these never do.
            ck.warning(e.span, f"in {what}: none of {', '.join(ids)} has an effect, so taken(...) never happens")
        return None if ids is None else m.Event(ids, None, e.span)
    assert e.expr is not None
    x = ck.top_bool(e.expr, True, what)
    return None if x is None else m.Event(None, x, e.span)


def _pathway(ck: "_Checker", d: ast.PathwayDecl, moving: set[str]) -> m.Pathway | None:
    pid = d.id.name
    ok = True
    start = None
    if d.start is not None:
        start = ck.top_bool(d.start, True, f"the start of pathway {pid}")
        ok = start is not None
    first = second = None
    if d.first is not None:
        first = _event(ck, d.first, f"pathway {pid}", moving)
        ok = ok and first is not None
    if d.second is not None:
        second = _event(ck, d.second, f"pathway {pid}", moving)
        ok = ok and second is not None
    if d.form == "leaves" and d.start is not None:
        # Every valid record starts a journey, so a stay in the phase is judged wherever it begins.
        ck.error(d.start.span, f"pathway {pid}: 'leaves' applies to every journey and takes no 'from'")
        ok = False
    if d.bound is not None and not (1 <= d.bound <= MAX_BOUND):
        ck.error(d.span, f"the bound of pathway {pid} must be between 1 and {MAX_BOUND} steps")
        ok = False
    phase = None
    if d.phase is not None:
        phase = d.phase.name
        ck.used_names.add(phase)
        decl = ck.defines.get(phase)
        if not isinstance(decl, ast.PhaseDecl):
            from dsl.checker import _did_you_mean

            phases = [n for n, x in ck.defines.items() if isinstance(x, ast.PhaseDecl)]
            ck.error(d.phase.span, f"'{phase}' is not a phase{_did_you_mean(phase, phases)}")
            ok = False
    if not ok:
        return None
    return m.Pathway(pid, d.title, start, d.form, first, second, d.bound, phase, d.span)


def check_pathway_decls(ck: "_Checker") -> tuple[tuple[m.Effect, ...], tuple[m.Pathway, ...]]:
    """The checked effects and pathway properties of the file (errors go to ``ck``)."""
    effects: list[m.Effect] = []
    seen: dict[str, ast.EffectDecl] = {}
    for d in ck.tree.decls:
        if isinstance(d, ast.EffectDecl):
            x = _effect(ck, d, seen)
            if x is not None:
                effects.append(x)
    pathways: list[m.Pathway] = []
    ids: dict[str, ast.PathwayDecl] = {}
    for d in ck.tree.decls:
        if not isinstance(d, ast.PathwayDecl):
            continue
        pid = d.id.name
        if pid in ids or pid in ck.properties:
            first = ids[pid].span.line if pid in ids else ck.properties[pid].span.line
            ck.error(d.id.span, f"duplicate property '{pid}' (first declared at line {first})")
            continue
        ids[pid] = d
        x = _pathway(ck, d, {e.action for e in effects if e.assignments})
        if x is not None:
            pathways.append(x)
    return tuple(effects), tuple(pathways)
