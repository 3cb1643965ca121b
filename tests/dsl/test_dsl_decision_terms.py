"""category(A) ... and alternatives(A, B): parsing, checking, printing and their errors."""

from __future__ import annotations

import pytest

import dsl
from dsl import model as m
from dsl.printer import format_expr

HEAD = '''ruleset t version "1"
source s "A source"
input size: real [0, 20]
action a: surgery "A"
action b: surgery "B"
rule r "big" when size > 5
  recommend one of {a, b} category 1 sources [s]
'''


def _prop(text: str) -> m.Expr:
    return dsl.parse_ruleset(HEAD + f'property P "p": {text}\n', "t.rules").properties[0].expr


def _error(text: str) -> str:
    with pytest.raises(dsl.RulesetError) as info:
        dsl.parse_ruleset(HEAD + text, "t.rules")
    return info.value.render()


@pytest.mark.parametrize("text, printed", [
    ("category(a) == 1", "category(a) == 1"),
    ("category(a) != 2A", "category(a) != 2A"),
    ("category(a) in {2B, 1}", "category(a) in {1, 2B}"),  # in the scheme's order
    ("category(a) not in {3}", "category(a) != 3"),
    ("alternatives(b, a)", "alternatives(b, a)"),
    ("size > 5 implies category(a) == 1 and alternatives(a, b)",
     "size > 5 implies category(a) == 1 and alternatives(a, b)"),
])
def test_parse_and_print_round_trip(text: str, printed: str) -> None:
    e = _prop(text)
    assert format_expr(e) == printed
    assert format_expr(_prop(printed)) == printed


def test_model_nodes() -> None:
    e = _prop("category(a) in {1, 2A}")
    assert e == m.ActionCategory("a", ("1", "2A"), False, e.span)
    alt = _prop("alternatives(a, b)")
    assert isinstance(alt, m.Alternatives) and (alt.left, alt.right) == ("a", "b")


@pytest.mark.parametrize("text, message", [
    ('property P "p": category(a) == 4\n', "unknown evidence category '4' (the levels of grading nccn are 1, 2A, 2B, 3)"),
    ('property P "p": category(a) == IIa\n', "unknown evidence category 'IIa' (the levels of grading nccn are 1, 2A, 2B, 3)"),
    ('property P "p": category(a) >= 1\n', "a category is compared with ==, != or in {...}, not >="),
    ('property P "p": alternatives(a, a)\n', "an action is never its own alternative"),
    ('property P "p": alternatives(a, c)\n', "action 'c' is used but never declared"),
    ('rule q "q" when category(a) == 1\n  recommend b category 2A sources [s]\n',
     "category(...) describes a decision; it can only be used in a property"),
    ('rule q "q" when alternatives(a, b)\n  recommend b category 2A sources [s]\n',
     "alternatives(...) describes a decision; it can only be used in a property"),
])
def test_errors(text: str, message: str) -> None:
    rendered = _error(text)
    assert "t.rules:" in rendered and message in rendered
