"""Valid snippets of the rule language: each construct parses and checks to the right model.

Also the edges of the input: keyword boundaries, empty files, line endings,
tabs, encodings and deep nesting.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest

import dsl
from dsl import model as m
from dsl.parser import reserved_words

ROOT = Path(__file__).resolve().parents[2]
REAL_RULESET = ROOT / "rulesets" / "liposarcoma.rules"

HEADER = 'ruleset t version "1"\n'

# Declarations most snippets build on.
BASE = """\
source s1 "Source one" year 2020
source s2 "Source two"
input a: bool
input b: bool
input c: bool
input n: int [0, 10]
input sz: real [0, 100] unit "cm"
input site: enum {extremity, trunk, other}
input rt: enum {none, pre, post}
action act1: surgery "Act one"
action act2: surgery "Act two"
action act3: systemic "Act three"
"""


def check(body: str, *, base: bool = True) -> tuple[m.Ruleset, list[dsl.Diagnostic]]:
    return dsl.check_text(HEADER + (BASE if base else "") + body, "t.rules")


def ruleset(body: str, *, base: bool = True) -> m.Ruleset:
    return check(body, base=base)[0]


def errors(text: str) -> list[str]:
    """The error messages of ``text`` (a whole file); fails if it checks."""
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(text, "t.rules")
    return [d.message for d in info.value.diagnostics if d.severity == "error"]


def shape(e):
    """A checked expression without spans, as nested tuples, for comparing trees."""
    if isinstance(e, m.BoolLit):
        return e.value
    if isinstance(e, m.NumLit):
        return ("num", e.value, e.integral)
    if isinstance(e, m.EnumLit):
        return ("enum", e.enum, e.value)
    if isinstance(e, (m.InputRef, m.DefRef)):
        return e.name
    if isinstance(e, m.Not):
        return ("not", shape(e.arg))
    if isinstance(e, m.Neg):
        return ("neg", shape(e.arg))
    if isinstance(e, m.And):
        return ("and", *map(shape, e.args))
    if isinstance(e, m.Or):
        return ("or", *map(shape, e.args))
    if isinstance(e, m.Implies):
        return ("implies", shape(e.left), shape(e.right))
    if isinstance(e, m.Iff):
        return ("iff", shape(e.left), shape(e.right))
    if isinstance(e, (m.Compare, m.Arith)):
        return (e.op, shape(e.left), shape(e.right))
    if isinstance(e, m.InSet):
        return ("not in" if e.negated else "in", shape(e.subject), e.values)
    if isinstance(e, m.ActionStatus):
        return (e.status, e.actions)
    raise AssertionError(f"unknown node {e!r}")


def cond(expr: str, *, extra: str = "") -> object:
    """The shape of ``expr`` checked as a constraint over BASE."""
    rs = ruleset(extra + f'constraint K "k": {expr}\n')
    return shape(rs.constraints[-1].expr)


def prop(expr: str, *, extra: str = "") -> object:
    rs = ruleset(extra + f'property P "p": {expr}\n')
    return shape(rs.properties[-1].expr)


# ---------------------------------------------------------------- header and sources


def test_header():
    rs = dsl.parse_ruleset('ruleset liposarcoma version "1.0.0"\n', "some/path.rules")
    assert (rs.name, rs.version, rs.path) == ("liposarcoma", "1.0.0", "some/path.rules")
    assert rs.inputs == rs.rules == rs.sources == ()


def test_sources_with_and_without_year_and_url():
    rs, _ = check(
        'source y "Year only" year 2021\n'
        'source u "Url only" url "https://example.org/g"\n'
        'source both "Both" year 1999 url "http://x"\n',
        base=False,
    )
    by_id = {s.id: s for s in rs.sources}
    assert (by_id["y"].citation, by_id["y"].year, by_id["y"].url) == ("Year only", 2021, None)
    assert (by_id["u"].year, by_id["u"].url) == (None, "https://example.org/g")
    assert (by_id["both"].year, by_id["both"].url) == (1999, "http://x")
    assert [s.id for s in rs.sources] == ["y", "u", "both"]
    assert rs.source("both").span.line == 4


def test_source_without_year_or_url():
    rs = ruleset('source plain "Plain citation, Journal 2020;1:2-3"\n', base=False)
    assert rs.sources[0] == m.Source("plain", "Plain citation, Journal 2020;1:2-3", None, None, rs.sources[0].span)


def test_string_escapes():
    rs = ruleset(r'source q "say \"hi\" \\ done" url "a\tb"' + "\n", base=False)
    assert rs.sources[0].citation == 'say "hi" \\ done'
    assert rs.sources[0].url == "a\tb"


# ---------------------------------------------------------------- inputs


def test_bool_input():
    rs = ruleset('input referred: bool doc "At a sarcoma centre."\n', base=False)
    assert rs.input("referred") == m.Input("referred", m.BOOL, None, "At a sarcoma centre.", rs.inputs[0].span)


def test_int_input_range():
    rs = ruleset("input lines: int [-2, 10]\n", base=False)
    t = rs.input("lines").type
    assert t == m.IntType(-2, 10)
    assert isinstance(t.lo, int) and isinstance(t.hi, int)


def test_real_input_with_unit_and_doc_is_exact():
    rs = ruleset('input size_cm: real [0.1, 100] unit "cm" doc "Greatest dimension."\n', base=False)
    i = rs.input("size_cm")
    assert i.type == m.RealType(Fraction(1, 10), Fraction(100))
    assert i.type.lo == Fraction("0.1")
    assert (i.unit, i.doc) == ("cm", "Greatest dimension.")


def test_real_input_unit_only_and_single_point_range():
    rs = ruleset('input w: real [2.5, 2.5] unit "kg"\n', base=False)
    assert rs.input("w").type == m.RealType(Fraction(5, 2), Fraction(5, 2))
    assert (rs.input("w").unit, rs.input("w").doc) == ("kg", None)


def test_enum_input_keeps_value_order():
    rs = ruleset('input grade: enum {G1, G2, G3, GX} doc "FNCLCC"\n', base=False)
    assert rs.input("grade").type == m.EnumType("grade", ("G1", "G2", "G3", "GX"))
    assert rs.input("grade").doc == "FNCLCC"


def test_input_span_covers_the_declaration():
    rs = ruleset("input flag: bool\n", base=False)
    span = rs.inputs[0].span
    assert (span.path, span.line, span.col, span.end_line, span.end_col) == ("t.rules", 2, 1, 2, 17)


# ---------------------------------------------------------------- definitions


def test_bool_and_numeric_definitions():
    rs = ruleset('define big = sz > 5 doc "Over 5 cm."\ndefine twice = 2 * n\n')
    big, twice = rs.definition("big"), rs.definition("twice")
    assert big.type == m.BOOL and big.doc == "Over 5 cm." and not big.is_phase
    assert shape(big.expr) == (">", "sz", ("num", 5, True))
    assert twice.type == m.NumType(True) and twice.doc is None
    assert shape(twice.expr) == ("*", ("num", 2, True), "n")


def test_real_definition_type():
    rs = ruleset("define half = sz * 0.5\n")
    assert rs.definition("half").type == m.NumType(False)


def test_forward_references_and_dependency_order():
    rs = ruleset(
        "define top = mid and a\n"
        "define mid = low or b\n"
        "define low = later > 3\n"
        "input later: int [0, 9]\n"
    )
    names = [d.name for d in rs.definitions]
    assert names.index("low") < names.index("mid") < names.index("top")
    ref = rs.definition("top").expr.args[0]
    assert isinstance(ref, m.DefRef) and ref.type == m.BOOL
    assert isinstance(rs.definition("low").expr.left, m.InputRef)


def test_numeric_definition_used_in_comparison():
    rs = ruleset("define total = n + 2\nconstraint K \"k\": total <= 12\n")
    assert shape(rs.constraints[0].expr) == ("<=", "total", ("num", 12, True))
    assert rs.constraints[0].expr.left.type == m.NumType(True)


def test_long_definition_chain_does_not_recurse():
    body = "".join(f"define d{i} = d{i + 1}\n" for i in range(3000)) + "define d3000 = a\n"
    rs = ruleset(body + 'constraint K "k": d0\n')
    assert [d.name for d in rs.definitions][:2] == ["d3000", "d2999"]
    assert rs.definitions[-1].name == "d0"


# ---------------------------------------------------------------- actions and groups


def test_actions():
    rs = ruleset('action wide_excision: surgery "Wide en bloc resection"\n', base=False)
    assert rs.action("wide_excision") == m.Action("wide_excision", "surgery", "Wide en bloc resection",
                                                  rs.actions[0].span)


def test_action_groups():
    rs = ruleset(
        "actions g1 = {act2, act1}\n"
        "actions g2 = {g1, kind systemic}\n"
        "actions g3 = any except {act1}\n"
        "actions g4 = kind surgery\n"
        "actions g5 = act3\n"
        "conflict act3 with {g1, g2, g3, g4, g5}\n"
    )
    groups = {g.name: g.actions for g in rs.groups}
    assert groups == {
        "g1": ("act1", "act2"),
        "g2": ("act1", "act2", "act3"),
        "g3": ("act2", "act3"),
        "g4": ("act1", "act2"),
        "g5": ("act3",),
    }


def test_group_declared_after_its_use_and_long_group_chain():
    body = "".join(f"actions g{i} = {{g{i + 1}}}\n" for i in range(500)) + "actions g500 = {act1}\n"
    rs = ruleset("conflict g0 with act2\n" + body)
    assert rs.conflicts[0].pairs == (("act1", "act2"),)


# ---------------------------------------------------------------- constraints


def test_constraint():
    rs = ruleset('constraint C1 "a well-differentiated tumour is G1":\n    site == trunk implies not a\n')
    c = rs.constraints[0]
    assert (c.id, c.message) == ("C1", "a well-differentiated tumour is G1")
    assert shape(c.expr) == ("implies", ("==", "site", ("enum", "site", "trunk")), ("not", "a"))


# ---------------------------------------------------------------- phases and rules

RULES = """\
phase work "Work-up" when a and not b {
  rule r1 "Refer" when not c
    recommend act1 category 2A sources [s1, s2]
    because "Better outcomes."
  rule r2 "Two lines"
    when n >= 2
    consider act2 category 1 sources [s1]
    avoid act3 category 3 sources [s2]
}
rule r3 "Outside any phase" when work or sz < 1.5
  recommend one of {act2, act1, act3} category 2B sources [s2]
define in_work = work and c
"""


def test_phase_is_a_bool_definition_owning_rules():
    rs = ruleset(RULES)
    work = rs.definition("work")
    assert work.is_phase and work.type == m.BOOL and work.doc == "Work-up"
    assert shape(work.expr) == ("and", "a", ("not", "b"))
    assert rs.phases == (work,)
    assert [r.phase for r in rs.rules] == ["work", "work", None]


def test_phase_name_usable_as_bool_in_expressions():
    rs = ruleset(RULES)
    assert shape(rs.rule("r3").when) == ("or", "work", ("<", "sz", ("num", Fraction(3, 2), False)))
    ref = rs.rule("r3").when.args[0]
    assert isinstance(ref, m.DefRef) and ref.type == m.BOOL
    assert shape(rs.definition("in_work").expr) == ("and", "work", "c")


def test_rule_condition_includes_its_phase():
    rs = ruleset(RULES)
    assert shape(rs.rule("r1").condition) == ("and", "work", ("not", "c"))
    assert rs.rule("r3").condition is rs.rule("r3").when


def test_rule_gives_and_rationale():
    rs = ruleset(RULES)
    r1, r2, r3 = rs.rule("r1"), rs.rule("r2"), rs.rule("r3")
    assert (r1.title, r1.rationale) == ("Refer", "Better outcomes.")
    assert r2.rationale is None
    [g] = r1.gives
    assert (g.strength, g.actions, g.alternatives, g.category, g.sources) == (
        "recommend", ("act1",), False, "2A", ("s1", "s2"))
    assert [(g.strength, g.actions, g.category) for g in r2.gives] == [
        ("consider", ("act2",), "1"), ("avoid", ("act3",), "3")]
    [alt] = r3.gives
    assert (alt.strength, alt.actions, alt.alternatives, alt.category) == (
        "recommend", ("act2", "act1", "act3"), True, "2B")


@pytest.mark.parametrize("category", ["1", "2A", "2B", "3"])
@pytest.mark.parametrize("strength", ["recommend", "consider", "avoid"])
def test_every_strength_and_category(strength, category):
    rs = ruleset(f'rule r "t" when a {strength} act1 category {category} sources [s1]\n')
    g = rs.rules[0].gives[0]
    assert (g.strength, g.category) == (strength, category)


def test_rule_outside_phase_and_rule_span():
    rs = ruleset('rule solo "Solo"\n  when true\n  recommend act1 category 1 sources [s1]\n')
    r = rs.rule("solo")
    assert r.phase is None and r.when == m.BoolLit(True, r.when.span)
    assert (r.span.line, r.span.end_line) == (14, 16)


def test_repeated_source_is_listed_once():
    rs = ruleset('rule r "t" when a recommend act1 category 1 sources [s1, s2, s1]\n')
    assert rs.rules[0].gives[0].sources == ("s1", "s2")


# ---------------------------------------------------------------- conflicts


def test_conflict_action_with_action_and_with_group():
    rs = ruleset(
        "actions both = {act2, act3}\n"
        "conflict act1 with act2\n"
        "conflict act1 with both\n"
    )
    assert rs.conflicts[0].pairs == (("act1", "act2"),)
    assert rs.conflicts[1].pairs == (("act1", "act2"), ("act1", "act3"))
    assert rs.conflict_pairs() == (("act1", "act2"), ("act1", "act3"))


def test_conflict_within_one_set_skips_self_pairs():
    rs = ruleset("conflict kind surgery with kind surgery\n")
    assert rs.conflicts[0].pairs == (("act1", "act2"),)


# ---------------------------------------------------------------- properties


@pytest.mark.parametrize("status", ["recommended", "considered", "given", "avoided"])
def test_action_status_predicates(status):
    assert prop(f"{status}(act1)") == (status, ("act1",))


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        ("act2", ("act2",)),
        ("grp", ("act1", "act3")),
        ("kind surgery", ("act1", "act2")),
        ("any", ("act1", "act2", "act3")),
        ("{act3, act1}", ("act1", "act3")),
        ("{grp, kind surgery}", ("act1", "act2", "act3")),
        ("any except act2", ("act1", "act3")),
        ("any except {act1, act2}", ("act3",)),
        ("kind surgery except grp", ("act2",)),
        ("{kind systemic, {act1}}", ("act1", "act3")),
    ],
)
def test_action_sets_in_properties(actions, expected):
    assert prop(f"given({actions})", extra="actions grp = {act1, act3}\n") == ("given", expected)


def test_property_mixes_status_with_inputs():
    assert prop("not a implies not given(any except {act1}) and avoided(act3)") == (
        "implies", ("not", "a"), ("and", ("not", ("given", ("act2", "act3"))), ("avoided", ("act3",))))


def test_property_fields():
    rs = ruleset('property P1 "no surgery before the board":\n    given(kind surgery) implies b\n')
    p = rs.properties[0]
    assert (p.id, p.title) == ("P1", "no surgery before the board")


# ---------------------------------------------------------------- coverage


def test_coverage_with_and_without_title():
    rs = ruleset('coverage cells "site x rt x a": site x rt x a\ncoverage plain: site\n')
    c1, c2 = rs.coverages
    assert (c1.id, c1.title, c1.inputs) == ("cells", "site x rt x a", ("site", "rt", "a"))
    assert (c2.id, c2.title, c2.inputs) == ("plain", None, ("site",))


# ---------------------------------------------------------------- expressions: precedence


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("a or b and c", "a or (b and c)"),
        ("a and b or c", "(a and b) or c"),
        ("not a and b", "(not a) and b"),
        ("not a or b", "(not a) or b"),
        ("a implies b implies c", "a implies (b implies c)"),
        ("a or b implies c", "(a or b) implies c"),
        ("a implies b or c", "a implies (b or c)"),
        ("a implies b iff c", "(a implies b) iff c"),
        ("a iff b implies c", "a iff (b implies c)"),
        ("a iff b and c", "a iff (b and c)"),
        ("not n > 2", "not (n > 2)"),
        ("not site in {trunk}", "not (site in {trunk})"),
        ("n + 1 > sz * 2", "(n + 1) > (sz * 2)"),
        ("n - 1 - 2 > 0", "((n - 1) - 2) > 0"),
        ("n + 2 * 3 > 0", "n + (2 * 3) > 0"),
        ("-n * 2 > 0", "(-n) * 2 > 0"),
        ("2 * -n > 0", "2 * (-n) > 0"),
        ("- - n > 0", "-(-n) > 0"),
        ("a and b and c", "a and (b and c)"),
        ("a or b or c", "(a or b) or c"),
        ("a == b and c", "(a == b) and c"),
    ],
)
def test_precedence(left, right):
    assert cond(left) == cond(right)


def test_and_or_are_flat_nodes():
    assert cond("a and b and c and n > 1") == ("and", "a", "b", "c", (">", "n", ("num", 1, True)))
    assert cond("a or (b or c)") == ("or", "a", "b", "c")
    assert cond("a or b and c") == ("or", "a", ("and", "b", "c"))


def test_implies_is_right_associative():
    assert cond("a implies b implies c") == ("implies", "a", ("implies", "b", "c"))


def test_iff_does_not_chain():
    assert any("unexpected reserved word 'iff'" in e
               for e in errors(HEADER + BASE + 'constraint K "k": a iff b iff c\n'))


def test_comparisons_do_not_chain():
    msgs = errors(HEADER + BASE + 'constraint K "k": 1 < n < 5\n')
    assert msgs and msgs[0].startswith("unexpected '<'")


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_numeric_comparisons(op):
    assert cond(f"n {op} 3") == (op, "n", ("num", 3, True))
    assert cond(f"sz {op} n") == (op, "sz", "n")


def test_enum_and_bool_equality():
    assert cond("rt == none") == ("==", "rt", ("enum", "rt", "none"))
    assert cond("none == rt") == ("==", ("enum", "rt", "none"), "rt")
    assert cond("site != other") == ("!=", "site", ("enum", "site", "other"))
    assert cond("site == site") == ("==", "site", "site")
    assert cond("a == true") == ("==", "a", True)
    assert cond("a != (n > 2)") == ("!=", "a", (">", "n", ("num", 2, True)))


def test_membership():
    assert cond("site in {trunk, extremity}") == ("in", "site", ("extremity", "trunk"))
    assert cond("rt not in {none}") == ("not in", "rt", ("none",))


def test_arithmetic_and_unary_minus():
    rs = ruleset('constraint K "k": -n + sz * 2 - 3 >= -0.5\n')
    e = rs.constraints[0].expr
    assert shape(e) == (">=", ("-", ("+", ("neg", "n"), ("*", "sz", ("num", 2, True))), ("num", 3, True)),
                        ("neg", ("num", Fraction(1, 2), False)))
    assert e.left.integral is False and e.left.left.left.integral is True
    assert m.type_of(e.left) == m.NumType(False)


def test_parentheses_and_comments():
    text = (HEADER + BASE + "# a comment line\n"
            'constraint K "k": # after the colon\n'
            "  (a  # inside an expression\n"
            "   or b) and c # at the end\n")
    rs = dsl.parse_ruleset(text)
    assert shape(rs.constraints[0].expr) == ("and", ("or", "a", "b"), "c")


def test_true_false_literals():
    assert cond("true or false") == ("or", True, False)


@pytest.mark.parametrize(
    ("literal", "value", "integral"),
    [("0.1", Fraction(1, 10), False), ("5", Fraction(5), True), ("5.0", Fraction(5), False),
     ("100.25", Fraction(401, 4), False), ("007", Fraction(7), True)],
)
def test_numbers_are_exact(literal, value, integral):
    rs = ruleset(f'constraint K "k": sz > {literal}\n')
    lit = rs.constraints[0].expr.right
    assert isinstance(lit, m.NumLit)
    assert lit.value == value and type(lit.value) is Fraction and lit.integral is integral
    if literal == "0.1":
        assert lit.value == Fraction("0.1") and lit.value != Fraction(0.1)


def test_expression_spans_point_at_tokens():
    rs = ruleset('constraint K "k": a and n > 10\n')
    e = rs.constraints[0].expr
    assert (e.span.line, e.span.col, e.span.end_col) == (14, 19, 31)
    lit = e.args[1].right
    assert (lit.span.col, lit.span.end_col) == (29, 31)


# ---------------------------------------------------------------- keywords are whole words


def test_names_may_start_with_keywords():
    rs = ruleset(
        "input andy: bool\ninput index: int [0, 3]\ninput notes: bool\ninput oral: bool\n"
        "input rulesets: bool\ninput xray: bool\n"
        "define inputs = andy and notes\n"
        'constraint K "k": inputs or oral and index > 1 or rulesets or xray\n',
        base=False,
    )
    assert shape(rs.constraints[0].expr) == (
        "or", "inputs", ("and", "oral", (">", "index", ("num", 1, True))), "rulesets", "xray")


@pytest.mark.parametrize(
    "text",
    [
        "ruleset t version \"1\"\nruleset",          # was lexed as `rule set`
        HEADER + "inputs: bool\n",                     # was lexed as `input s: bool`
        HEADER + "input a: bool\ndefine d = a andy\n",  # was lexed as `a and y`
        HEADER + "input a: bool\ndefine d = a orb\n",
    ],
)
def test_keyword_prefix_is_not_split_off_a_word(text):
    msgs = errors(text)
    assert len(msgs) == 1 and msgs[0].startswith("unexpected")


@pytest.mark.parametrize("word", sorted(reserved_words()))
def test_reserved_words_cannot_be_names(word):
    msgs = errors(HEADER + f"input {word}: bool\n")
    assert msgs == [f"'{word}' is a reserved word of the rule language and cannot be used as a name; "
                    f"rename it (for example '{word}_')"]


@pytest.mark.parametrize("word", ["x", "kind", "any", "one", "of", "with"])
@pytest.mark.parametrize("where", [
    "input a: bool\ndefine d = a and {w}\n",       # read as an input in an expression
    "input a: enum {{{w}, b}}\n",                   # as an enum value
    "action {w}: surgery \"s\"\n",                 # as an action id
])
def test_reserved_words_used_as_names_say_so(word, where):
    msgs = errors(HEADER + where.format(w=word))
    assert len(msgs) == 1 and msgs[0].startswith(f"'{word}' is a reserved word") and "rename it" in msgs[0]


def test_reserved_words_match_the_language_reference():
    documented = set(
        "ruleset version source year url input unit doc bool int real enum define action actions "
        "constraint phase rule when because recommend consider avoid one of category sources "
        "conflict with property coverage x kind any except and or not implies iff in true false "
        "recommended considered given avoided alternatives "
        # pathways (issue 16)
        "effect pathway from always never before after eventually within steps until leaves taken".split()
    ) | {"if", "then", "else", "points", "grading", "levels", "optional", "known",
         "baseline", "example", "from", "expect", "null"} | {"table"}  # issue 12; 14
    assert reserved_words() == documented


# ---------------------------------------------------------------- file edges


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n# and another", "   \t\n"])
def test_empty_or_comment_only_file_needs_a_header(text):
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(text, "empty.rules")
    [d] = info.value.diagnostics
    assert d.message == "unexpected end of file; expected the header 'ruleset NAME version \"...\"'"
    assert d.span.path == "empty.rules" and d.span.line == 1
    info.value.render()  # renders without error


def test_header_only_file():
    rs, warnings = dsl.check_text('# comment\nruleset t version "1" # trailing', "h.rules")
    assert rs.name == "t" and warnings == []


def test_crlf_line_endings():
    lf = HEADER + BASE + RULES
    crlf = lf.replace("\n", "\r\n")
    assert shape(dsl.parse_ruleset(crlf).rule("r3").when) == shape(dsl.parse_ruleset(lf).rule("r3").when)
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text('ruleset t version "1"\r\ninput a: bool\r\nconstraint K "k": a and 1\r\n', "c.rules")
    assert info.value.render() == (
        "c.rules:3:25: error: each side of 'and' must be a condition (bool), not a number\n"
        '    constraint K "k": a and 1\n'
        "                            ^"
    )


def test_tabs_keep_the_caret_under_the_token():
    text = 'ruleset t version "1"\ninput a: bool\nconstraint K "k":\ta\tand\t7\n'
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(text, "tab.rules")
    [d] = info.value.diagnostics
    assert (d.span.line, d.span.col) == (3, 25)  # a tab is one column
    rendered = info.value.render().splitlines()
    assert rendered[1] == '    constraint K "k":   a   and 7'
    assert rendered[2].index("^") == rendered[1].index("7")


def test_byte_order_mark_is_ignored():
    rs = dsl.parse_ruleset("\ufeff" + HEADER + "input a: bool\n")
    assert rs.name == "t"


def test_form_feed_does_not_shift_lines():
    text = 'ruleset t version "1"\n\x0cinput a: bool # \x0c\nconstraint K "k": a and 1\n'
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(text, "ff.rules")
    assert "\n    constraint K \"k\": a and 1\n" in info.value.render()


def test_load_ruleset_non_utf8(tmp_path):
    p = tmp_path / "bad.rules"
    p.write_bytes(b'ruleset t version "1"\ninput \xff\xfe: bool\n')
    with pytest.raises(dsl.RulesetError) as info:
        dsl.load_ruleset(p)
    [d] = info.value.diagnostics
    assert d.severity == "error" and d.message.startswith("cannot read ruleset")
    assert "utf-8" in d.message
    assert info.value.render().startswith(f"{p}: error: cannot read ruleset")


def test_load_ruleset_missing_file(tmp_path):
    with pytest.raises(dsl.RulesetError) as info:
        dsl.load_ruleset(tmp_path / "nope.rules")
    assert "cannot read ruleset" in info.value.render()


def test_load_ruleset_reads_crlf_file(tmp_path):
    p = tmp_path / "ok.rules"
    p.write_bytes((HEADER + BASE + RULES).replace("\n", "\r\n").encode())
    rs = dsl.load_ruleset(p)
    assert rs.path == str(p) and len(rs.rules) == 3


# ---------------------------------------------------------------- deep nesting


def test_deeply_nested_parentheses_parse():
    rs = ruleset('constraint K "k": ' + "(" * 2000 + "a" + ")" * 2000 + "\n")
    assert shape(rs.constraints[0].expr) == "a"


def test_parenthesised_chains_are_flat_at_any_depth():
    nested = "(a and " * 2000 + "b" + ")" * 2000
    assert len(ruleset(f'constraint K "k": {nested}\n').constraints[0].expr.args) == 2001
    long_or = " or ".join(["a"] * 5000)
    assert len(ruleset(f'constraint K "k": {long_or}\n').constraints[0].expr.args) == 5000


@pytest.mark.parametrize(
    "expr",
    [
        "not " * 2000 + "a",
        "-" * 2000 + "n > 0",
        "(a implies " * 2000 + "b" + ")" * 2000,
        "+".join(["n"] * 2000) + " > 0",
        "(a == " * 2000 + "a" + ")" * 2000,
        "(not " * 2000 + "a" + ")" * 2000,
        "given(" + "{" * 2000 + "act1" + "}" * 2000 + ")",
    ],
)
def test_too_deep_nesting_is_an_error_not_a_crash(expr):
    with pytest.raises(dsl.RulesetError) as info:
        check(f'property K "k": {expr}\n')
    msgs = [d.message for d in info.value.diagnostics if d.severity == "error"]
    assert len(msgs) == 1 and "nested too deeply" in msgs[0]
    info.value.render()


def test_deep_action_set_in_group_is_an_error():
    with pytest.raises(dsl.RulesetError) as info:
        check("actions g = " + "{" * 3000 + "act1" + "}" * 3000 + "\nconflict g with act2\n")
    assert [d.message for d in info.value.diagnostics if d.severity == "error"] == [
        "action set nested too deeply (more than 100 levels)"]


def test_nesting_within_the_limit_checks():
    expr = "not " * 90 + "a"
    assert cond(expr)[0] == "not"


# ---------------------------------------------------------------- the real ruleset and determinism


def test_real_ruleset_checks_cleanly():
    rs, warnings = dsl.load_ruleset_with_warnings(REAL_RULESET)
    assert rs.name == "liposarcoma"
    assert rs.rules and rs.properties and rs.phases
    assert [w.render(None) for w in warnings] == []


def test_checking_is_deterministic():
    text = HEADER + BASE + RULES
    a, b = dsl.check_text(text), dsl.check_text(text)
    assert a == b


def test_model_is_immutable():
    rs = ruleset(RULES)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rs.rules[0].id = "other"  # type: ignore[misc]


# ---------------------------------------------------------------- odd but possible mistakes


@pytest.mark.parametrize(
    "body",
    [
        'source s "x" year ' + "9" * 5000,
        "input n: int [0, " + "9" * 5000 + "]",
        'input n: real [0, 1]\nconstraint K "k": n > 0.' + "9" * 5000,
    ],
)
def test_huge_numbers_are_an_error_not_a_crash(body):
    msgs = errors(HEADER + body + "\n")
    assert len(msgs) == 1 and "is too long (at most 30 digits)" in msgs[0]


def test_thirty_digits_are_fine():
    rs = ruleset("input n: int [0, " + "9" * 30 + "]\n", base=False)
    assert rs.input("n").type.hi == 10**30 - 1


def test_did_you_mean_never_suggests_the_definition_being_checked():
    assert errors(HEADER + "input size_cm: real [0, 9]\ndefine huge = hige or size_cm > 1\n") == [
        "unknown name 'hige'"]
    assert errors(HEADER + "input size_cm: real [0, 9]\ndefine huge = sise_cm > 1\n") == [
        "unknown name 'sise_cm'; did you mean 'size_cm'?"]


def test_a_declaration_keyword_opening_a_line_is_not_called_a_name():
    # `conflict a with` left unfinished: the next line's `property` starts a declaration.
    msgs = errors(HEADER + 'input a: bool\naction x1: t "x"\nconflict x1 with\nproperty P1 "p": a\n')
    assert msgs == ["unexpected reserved word 'property'; expected 'any', 'kind', '{' or a name"]
