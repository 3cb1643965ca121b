"""Effects and pathway properties in the language: what checks, and the errors authors get."""

from __future__ import annotations

from fractions import Fraction

import pytest

from dsl import model as m
from tests.pathway.helpers import SMALL, errors, load


def test_effects_check_to_the_model():
    rs = load(SMALL)
    image = rs.effect("image")
    assert image is not None
    assert [(a.input, a.values) for a in image.assignments] == [("imaged", (True,)), ("depth", ("superficial", "deep"))]
    op = rs.effect("operate")
    assert op is not None and op.assignments[2].values == (Fraction(0), Fraction(5))
    follow = rs.effect("follow")
    assert follow is not None and follow.assignments[0].advance == 6
    assert rs.effect("pet") is None


@pytest.mark.parametrize("line, form", [
    ("pathway p \"t\": always not operated or imaged", "always"),
    ("pathway p \"t\": never taken(operate) before imaged", "before"),
    ("pathway p \"t\": never taken(kind surgery) after taken(operate)", "after"),
    ("pathway p \"t\": from not referred eventually operated within 4 steps", "eventually"),
    ("pathway p \"t\": always not given(operate) until imaged", "until"),
    ("pathway p \"t\": leaves workup within 3 steps", "leaves"),
])
def test_pathway_forms(line, form):
    rs = load(SMALL + line + "\n")
    [p] = rs.pathways
    assert p.form == form


def test_pathway_parts_are_resolved():
    rs = load(SMALL + 'pathway p "t": from not referred never taken(kind surgery) before given(follow)\n')
    [p] = rs.pathways
    assert p.start is not None and p.first is not None and p.first.actions == ("operate",)
    assert p.second is not None and isinstance(p.second.expr, m.ActionStatus)


@pytest.mark.parametrize("extra, message", [
    ("effect refer: referred := 3", "referred is a bool input; an effect can set it to true or false"),
    ("effect pet: depth := one of {shallow}", "'shallow' is not a value of depth (values: unknown, superficial, deep)"),
    ("effect pet: mm := 60", "60 is outside the range of mm [0, 50]"),
    ("effect pet: months := 1.5", "months is an int input; 1.5 is not a whole number"),
    ("effect pet: depth += 1", "'+=' advances a number; depth is enum depth"),
    ("effect pet: months += 0", "advancing months by 0 changes nothing"),
    ("effect pet: nope := true", "unknown input 'nope'"),
    ("effect pet: imaged := true, imaged := false", "effect of pet assigns imaged twice"),
    ("effect refer: imaged := true", "action 'refer' already has an effect (line 30)"),
    ("effect nothing: imaged := true", "action 'nothing' is used but never declared"),
    ("effect pet: depth := one of {deep, deep}", "value listed twice for depth"),
    ('pathway p "t": leaves treatment within 3 steps', "'treatment' is not a phase; did you mean 'treat'?"),
    ('pathway p "t": leaves treat within 0 steps', "the bound of pathway p must be between 1 and 200 steps"),
    ('pathway p "t": from referred leaves treat within 3 steps', "pathway p: 'leaves' applies to every journey and takes no 'from'"),
    ('pathway p "t": always months', "pathway p must be a condition (bool), not a number"),
    ('pathway p "t": never taken(nothing) before imaged', "action 'nothing' is used but never declared"),
])
def test_pathway_errors(extra, message):
    msgs = errors(SMALL + extra + "\n")
    assert any(message in x for x in msgs), msgs


def test_duplicate_pathway_id_with_a_property():
    msgs = errors(SMALL + 'property p "x": true\npathway p "y": always true\n')
    assert any(x.startswith("duplicate property 'p'") for x in msgs), msgs


def test_taken_is_only_for_pathways():
    msgs = errors(SMALL + 'property q "x": taken(operate)\n')
    # A snapshot property cannot speak of steps: `taken` is refused there as the reserved word it is.
    assert msgs and "'taken' is a reserved word" in msgs[0]


def test_taken_of_actions_without_effects_is_a_warning():
    import dsl

    _, warnings = dsl.check_text(SMALL + 'pathway p "t": never taken(pet) before imaged\n', "t.rules")
    assert any("none of pet has an effect" in w.message for w in warnings)
