"""Decision tables in the rule language (issue 14): syntax, semantics, errors, tools.

The semantics is held against an oracle written here from the README's words
(a row matches when every cell holds; unique: a row gives when it is the only
match; any: when no row with another outcome matches; first: the first match;
collect: every match), on every record of a small grid. The importer's table
output is held against its longhand output: same rules, same decisions on
random records, and ``diff`` proves the two rulesets mean the same.
"""

from __future__ import annotations

import itertools
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import dsl
import engine
from dsl.formatter import format_rules, same_meaning
from tests.dmn.random_tables import random_table
from verifier.cli import cli
from verifier.diff.compare import semantic_diff
from verifier.dmn import read_dmn
from verifier.dmn.translate import translate

HEAD = """ruleset t version "1"
source s "A source"
input age: int [0, 120]
input dose: real [0, 10]
input stage: enum {I, II, III, IV}
input frail: bool
action a: treatment "A"
action b: treatment "B"
action c: treatment "C"
"""

# Each row: the cells for age, dose, stage, frail, then the gives.
ROWS = [
    ("[0..18)", "-", "-", "-", "avoid a"),
    ("[18..65]", "< 5", "I, II", "false", "recommend a"),
    (">= 40", "[2.5..10]", "not(I)", "-", "recommend b"),
    ("-", "-", "IV", "true", "consider c, recommend b"),
    ("70, 80", "(0..1]", "-", "-", "recommend one of {a, c}"),
    ("not([0..30])", "-", "III", "-", "recommend a"),
]


def _table(policy: str, rows=ROWS) -> str:
    lines = [f'table g "Grid" {policy} category 2A sources [s]', "  | age | dose | stage | frail |"]
    lines += [f"  | {' | '.join(r[:4])} | {r[4]}" for r in rows]
    return HEAD + "\n".join(lines) + "\n"


def _cell_holds(cell: str, value) -> bool:
    """The oracle's reading of one cell (independent of dsl.table_rows)."""
    cell = cell.strip()
    if cell == "-":
        return True
    negated = cell.startswith("not(")
    if negated:
        cell = cell[4:-1]
    hit = False
    for test in (t.strip() for t in re.split(r",(?![^\[(]*[\])])", cell)):
        if test in ("true", "false"):
            hit |= value is (test == "true")
        elif re.fullmatch(r"[A-Za-z_]\w*", test):
            hit |= value == test
        elif test[0] in "[(":
            lo, hi = (Decimal(x) for x in test[1:-1].split(".."))
            hit |= (lo <= value if test[0] == "[" else lo < value) and (value <= hi if test[-1] == "]" else value < hi)
        else:
            op, num = re.fullmatch(r"(<=|>=|<|>|=)?\s*(\S+)", test).groups()
            num = Decimal(num)
            hit |= {"<": value < num, "<=": value <= num, ">": value > num, ">=": value >= num}.get(op or "=", value == num)
    return hit != negated


def _oracle(policy: str, record: dict) -> set[str]:
    """The ids of the rows that give, by the README's semantics."""
    keys = ("age", "dose", "stage", "frail")
    matching = [k for k, r in enumerate(ROWS, start=1) if all(_cell_holds(c, record[n]) for c, n in zip(r, keys))]
    if policy == "collect":
        return {f"g_r{k}" for k in matching}
    if policy == "unique":
        return {f"g_r{matching[0]}"} if len(matching) == 1 else set()
    if policy == "first":
        return {f"g_r{matching[0]}"} if matching else set()
    outcomes = {ROWS[k - 1][4] for k in matching}  # any
    return {f"g_r{k}" for k in matching} if len(outcomes) == 1 else set()


GRID = [
    {"age": age, "dose": dose, "stage": stage, "frail": frail}
    for age, dose, stage, frail in itertools.product(
        (0, 17, 18, 30, 31, 40, 65, 66, 70, 80, 120), (Decimal(0), Decimal("0.5"), Decimal(1), Decimal("2.5"), Decimal(5), Decimal(10)),
        ("I", "II", "III", "IV"), (True, False))
]


@pytest.mark.parametrize("policy", ["unique", "any", "first", "collect"])
def test_each_policy_gives_what_the_oracle_says_on_every_record_of_a_grid(policy: str) -> None:
    ruleset = dsl.parse_ruleset(_table(policy), "t.rules")
    ev = engine.compile_ruleset(ruleset)
    assert [r.id for r in ruleset.rules] == [f"g_r{k}" for k in range(1, len(ROWS) + 1)]
    disagreements = []
    for record in GRID:
        fired = set(ev.evaluate(ev.validate(record)).fired)
        if fired != _oracle(policy, record):
            disagreements.append((record, fired, _oracle(policy, record)))
    assert not disagreements, disagreements[:3]
    # Every policy both fires and stays silent somewhere on the grid: the test can tell them apart.
    assert any(_oracle(policy, r) for r in GRID) and any(not _oracle(policy, r) for r in GRID)


def test_rows_carry_the_tables_evidence_and_several_gives() -> None:
    ruleset = dsl.parse_ruleset(_table("collect"), "t.rules")
    r4 = ruleset.rule("g_r4")
    assert [(g.strength, g.actions, g.category, g.sources) for g in r4.gives] == [
        ("consider", ("c",), "2A", ("s",)), ("recommend", ("b",), "2A", ("s",))]
    r5 = ruleset.rule("g_r5")
    assert r5.gives[0].alternatives and r5.gives[0].actions == ("a", "c")
    assert r4.title == "Grid, row 4 (C)"
    assert (r4.span.line, r4.span.col) == (15, 3)


def test_the_guard_definitions_can_be_read_by_properties(tmp_path: Path) -> None:
    text = _table("unique") + 'property one_row "never two rows at once": not g__multi\n'
    ruleset = dsl.parse_ruleset(text, "t.rules")
    assert {"g__m1", "g__multi"} <= {d.name for d in ruleset.definitions}
    path = tmp_path / "t.rules"
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", str(path)])
    # Rows 2 and 3 overlap (age 40..65, dose 2.5..5, stage II, not frail): the property is refuted, with a record.
    assert res.exit_code == 1, res.output
    assert "one_row (refuted)" in res.output


# ---------------------------------------------------------------- errors

ERRORS = [
    # (row text replacing row 2, message fragment, column of the caret in that row's line)
    ("  | [18..65] | < 5 | I, II | recommend a", "this row has 3 cells; table g has 4 columns", 3),
    ("  | [18..65 | < 5 | I, II | false | recommend a", "a range is [low..high]", 5),
    ("  | [18..65] | < 5 | I, V | false | recommend a", "'V' is not a value of stage", 25),
    ("  | [18..65] | < 5 | 3 | false | recommend a", "column 'stage' is an enum", 22),
    ("  | [18..65] | low | I | false | recommend a", "column 'dose' is a number", 16),
    ("  | [18..65] | < 5 | I | maybe | recommend a", "column 'frail' is true or false", 26),
    ("  | [18..65] | < 5 | I | false | recomend a", "did you mean 'recommend'?", 34),
    ("  | [18..65] | < 5 | I | false | recommend aa", "action 'aa' is used but never declared", 44),
    ("  | [18..65] | < 5 | I | false |", "this row gives nothing", 33),
    ("  | [18..65] | != 5 | I | false | recommend a", "a cell has no '!='", 16),
    ("  | [18..65] |  | I | false | recommend a", "empty cell; write '-' for any value", 15),
    ("  | [18..65] | < 5 | I | false | recommend a, recommend a", "gives action 'a' twice", 57),
]


@pytest.mark.parametrize("row,message,col", ERRORS)
def test_a_mistake_in_a_row_is_located_with_a_caret(row: str, message: str, col: int) -> None:
    lines = _table("unique").split("\n")
    at = lines.index(next(x for x in lines if x.startswith("  | [18..65]")))
    lines[at] = row
    text = "\n".join(lines)
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(text, "t.rules")
    rendered = info.value.render()
    assert message in rendered, rendered
    assert f"t.rules:{at + 1}:{col}:" in rendered, rendered
    shown, caret = rendered.split("\n")[1:3]
    assert caret.index("^") - shown.index("|") == col - 1 - row.index("|"), rendered


@pytest.mark.parametrize("change,message", [
    (("unique category", "unqiue category"), "unknown hit policy 'unqiue'; did you mean 'unique'?"),
    (("| age | dose |", "| agee | dose |"), "column 'agee' of table g is not an input (a column reads an input); did you mean 'age'?"),
    (("category 2A", "category 4"), "'4' is not a level of grading"),
    (("sources [s]", "sources [t]"), "table g cites unknown source 't'"),
    (("| age | dose | stage | frail |", "| age | dose | stage | frail | recommend a"), "names its columns and gives nothing"),
    (("input frail: bool", "input frail: optional bool"), "column 'frail' is an optional input"),
    (("action c:", "define g__m2 = age > 3\naction c:"), "table g defines 'g__m2', the name of the definition"),
    (("action c:", 'rule g_r1 "x" when age > 3 recommend a category 1 sources [s]\naction c:'),
     "duplicate rule 'g_r1' (first declared at line 9)"),
])
def test_a_mistake_in_the_table_head_names_it(change: tuple[str, str], message: str) -> None:
    text = _table("unique").replace(*change, 1)
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(text, "t.rules")
    assert message in info.value.render(), info.value.render()


def test_a_table_with_no_rows_is_an_error_and_the_command_exits_2(tmp_path: Path) -> None:
    text = HEAD + 'table g "Grid" unique category 2A sources [s]\n  | age |\n'
    path = tmp_path / "t.rules"
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", str(path)])
    assert res.exit_code == 2
    assert "table g has no rows" in res.output and f"{path}:10:7" in res.output


# ---------------------------------------------------------------- tools

def test_fmt_aligns_a_table_keeps_its_meaning_and_is_idempotent() -> None:
    messy = HEAD + 'table g "Grid"   first category 2A sources [s]\n |age|dose|stage|frail|\n' \
                   '    | [0..18) |-| I,II |  true | recommend   a   # young\n | - | - | - | - |avoid b\n'
    tidy = format_rules(messy)
    assert format_rules(tidy) == tidy
    assert same_meaning(messy, tidy)
    assert "  | age     | dose | stage | frail |\n  | [0..18) | -    | I,II  | true  | recommend a\n" in tidy
    assert "# young" in tidy.split("table g")[0]  # the row's comment moves above the table


def _random_record(ruleset, rng: random.Random) -> dict:
    record = {}
    for i in ruleset.inputs:
        t = i.type
        if hasattr(t, "values"):
            record[i.name] = rng.choice(t.values)
        elif type(t).__name__ == "BoolType":
            record[i.name] = rng.random() < 0.5
        else:
            record[i.name] = Decimal(rng.randrange(-2, 24)) / 2
    return record


def test_import_writes_tables_that_mean_what_the_longhand_means() -> None:
    rng = random.Random(14)
    tables = eligible = 0
    for seed in range(150):
        model = read_dmn(random_table(seed), "r.dmn")
        short, long = translate(model).text, translate(model, tables=False).text
        a, b = dsl.parse_ruleset(short, "a.rules"), dsl.parse_ruleset(long, "b.rules")
        tables += "\ntable " in short
        policy = model.decisions[0].table
        eligible += policy.hit_policy != "P" and policy.aggregation not in ("MIN", "MAX")
        assert [r.id for r in a.rules] == [r.id for r in b.rules]
        ea, eb = engine.compile_ruleset(a), engine.compile_ruleset(b)
        for _ in range(25):
            record = _random_record(a, rng)
            try:
                ra = ea.validate(record)
            except engine.RecordError:
                continue
            da, db = ea.evaluate(ra), eb.evaluate(eb.validate(record))
            assert [(x.action, x.strength) for x in da.recommendations] == [(x.action, x.strength) for x in db.recommendations]
        if seed < 30:
            assert semantic_diff(b, a).status == "unchanged", seed
    # Every table whose policy the syntax spells (all but P, C< and C>) came out as a table.
    assert tables == eligible > 50


def test_the_lsp_knows_a_table_and_its_rows() -> None:
    from verifier.lsp.analysis import parse_symbols

    symbols = parse_symbols(_table("any"), "t.rules")
    assert symbols is not None
    assert symbols["g"].kind == "table" and "hit policy `any`, 6 row(s)" in symbols["g"].hover
    assert symbols["g_r3"].kind == "rule" and "| >= 40 | [2.5..10] | not(I) | - | recommend b" in symbols["g_r3"].hover


def test_a_give_may_carry_its_own_evidence() -> None:
    text = _table("collect").replace("| avoid a", "| avoid a category 1 sources [s2, s]").replace(
        'source s "A source"', 'source s "A source"\nsource s2 "Another"')
    ruleset = dsl.parse_ruleset(text, "t.rules")
    g = ruleset.rule("g_r1").gives[0]
    assert (g.category, g.sources) == ("1", ("s2", "s"))
    assert (ruleset.rule("g_r2").gives[0].category, ruleset.rule("g_r2").gives[0].sources) == ("2A", ("s",))
    for bad, message in [("category 7", "'7' is not a level of grading"), ("sources [nope]", "unknown source 'nope'"),
                         ("category", "'category' needs a level"), ("sources s", "write sources [id, id]")]:
        with pytest.raises(dsl.RulesetError) as info:
            dsl.check_text(_table("collect").replace("| avoid a", f"| avoid a {bad}"), "t.rules")
        assert message in info.value.render()


def test_the_readme_table_is_the_example_file_and_means_the_wound_rules() -> None:
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```rules-table\n(.*?)```", readme, re.S).group(1)
    example = (REPO / "examples" / "wound_table.rules").read_text(encoding="utf-8")
    assert block in example
    rules = dsl.load_ruleset(REPO / "examples" / "wound.rules")
    table = dsl.load_ruleset(REPO / "examples" / "wound_table.rules")
    assert semantic_diff(rules, table).status == "unchanged"


def test_a_hostile_number_cell_is_refused_in_words_not_checked_for_minutes() -> None:
    from dsl.table_check import MAX_NUMBER_TESTS

    cell = ", ".join(str(k % 9) for k in range(MAX_NUMBER_TESTS + 1))
    text = _table("collect").replace("| [0..18) | - |", f"| {cell} | - |", 1)
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text(text, "t.rules")
    assert f"this cell holds {MAX_NUMBER_TESTS + 1} tests" in info.value.render()
    # An enum cell may list every value of a long code list: the values are a set, not a disjunction.
    codes = [f"c{k}" for k in range(3000)]
    text = (HEAD.replace("input frail: bool", f"input code: enum {{{', '.join(codes)}}}") +
            'table g "Codes" collect category 1 sources [s]\n  | code |\n'
            f"  | {', '.join(codes[:2500])} | recommend a\n")
    ruleset = dsl.parse_ruleset(text, "t.rules")
    assert len(ruleset.rule("g_r1").when.values) == 2500


@pytest.mark.parametrize("policy", ["unique", "any", "first"])
def test_explain_speaks_of_a_tables_guard_as_the_rows_that_match(policy: str, tmp_path: Path) -> None:
    import json as _json

    path = tmp_path / "t.rules"
    path.write_text(_table(policy), encoding="utf-8")
    ruleset = dsl.load_ruleset(path)
    table = ruleset.tables[0]
    assert table.rules == tuple(f"g_r{k}" for k in range(1, 7)) and table.rows == tuple(f"g__m{k}" for k in range(1, 7))
    ev = engine.compile_ruleset(ruleset)
    shown = 0
    for record in GRID[::7]:
        keys = ("age", "dose", "stage", "frail")
        rows = [k for k, r in enumerate(ROWS, start=1) if all(_cell_holds(c, record[n]) for c, n in zip(r, keys))]
        res = CliRunner().invoke(cli, ["eval", str(path), "-", "--explain"], input=_json.dumps(
            {k: (float(v) if isinstance(v, Decimal) else v) for k, v in record.items()}))
        assert res.exit_code == 0, res.output
        listed = re.findall(r"where (g__\w+) = (\w+)\s+\((.*)\)", res.output)
        for name, value, formula in listed:
            assert not re.fullmatch(r"g__(multi|clash)\w*\d|g__\w+_seen\d+|g__out\d+", name), res.output  # the chain stays out
            if re.fullmatch(r"g__m\d+", name):  # a row the rule reads itself
                continue
            shown += 1
            # The guard's line names exactly the rows that match (the oracle's), and its value is the engine's.
            assert formula == f"rows of table g matching this record: {', '.join(map(str, rows)) or 'none'}"
        fired = set(ev.evaluate(ev.validate(record)).fired)
        assert fired == _oracle(policy, record)
    assert shown  # some fired row read its guard


def test_explain_of_a_large_table_stays_short(tmp_path: Path) -> None:
    from verifier.dmn.synthetic import synthetic_dmn

    model = read_dmn(synthetic_dmn(300, 4).encode(), "s.dmn")
    path = tmp_path / "s.rules"
    path.write_text(translate(model).text, encoding="utf-8")
    record = {"c0": 1, "c1": 1, "c2": "a", "c3": 1}
    res = CliRunner().invoke(cli, ["eval", str(path), "-", "--explain"], input=__import__("json").dumps(record))
    assert res.exit_code == 0, res.output
    assert res.output.count("where ") <= 4, res.output  # was 900: every row and both chains
    # JSON keeps every definition, for tools.
    res = CliRunner().invoke(cli, ["eval", str(path), "-", "--explain", "--format", "json"],
                             input=__import__("json").dumps(record))
    assert sum(len(t["definitions"]) for t in __import__("json").loads(res.output)["trace"]) > 800


def test_a_dmn_table_with_no_input_column_is_imported_longhand() -> None:
    xml = b'''<?xml version="1.0"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="m" id="m" namespace="x">
  <decision id="d1" name="Out"><decisionTable hitPolicy="UNIQUE"><output name="o"/>
    <rule><outputEntry><text>"x"</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>'''
    text = translate(read_dmn(xml, "z.dmn")).text
    assert "\ntable " not in text  # a table needs a column to name
    assert [r.id for r in dsl.parse_ruleset(text, "z.rules").rules] == ["Out_r1"]
