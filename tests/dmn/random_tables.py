"""Small random DMN decision tables for differential tests of the table analysis.

Every cell form the analysis reads appears: comparisons, closed / open /
half-open ranges, lists (also of overlapping ranges), ``not(...)``, ``-``,
strings with and without an allowed-values list, booleans; and the hit
policies whose findings differ (U, A, F, P, C<, C>, R). Numbers are small
integers so that rows share endpoints often.
"""

from __future__ import annotations

import random

POLICIES = (("UNIQUE", None), ("ANY", None), ("FIRST", None), ("PRIORITY", None),
            ("COLLECT", "MIN"), ("COLLECT", "MAX"), ("RULE ORDER", None))


def _num_cell(rng: random.Random) -> str:
    a = rng.randrange(0, 8)
    b = a + rng.randrange(0, 4)
    forms = [
        "-", f"&lt; {a}", f"&lt;= {a}", f"&gt; {a}", f"&gt;= {a}", f"{a}",
        f"[{a}..{b}]", f"({a}..{b})", f"[{a}..{b})", f"({a}..{b}]",
        f"{a}, {b + 2}", f"[{a}..{b}], [{b + 1}..{b + 3})", f"[{a}..{b + 2}], [{b}..{b + 3}]",
        f"not({a})", f"not([{a}..{b}])", f"not(&lt; {a})",
    ]
    weights = [6, 2, 2, 2, 2, 1, 4, 2, 3, 2, 1, 1, 1, 1, 1, 1]
    return rng.choices(forms, weights)[0]


def _str_cell(rng: random.Random, values: list[str]) -> str:
    pick = rng.sample(values, rng.randrange(1, len(values) + 1))
    forms = ["-", ", ".join(f'"{v}"' for v in pick), f'"{rng.choice(values)}"', f'not("{rng.choice(values)}")']
    return rng.choices(forms, [3, 2, 3, 1])[0]


def random_table(seed: int, max_rows: int = 7, max_cols: int = 3) -> bytes:
    """DMN XML of one random decision table (the same seed gives the same XML)."""
    rng = random.Random(seed)
    ncols = rng.randrange(1, max_cols + 1)
    nrows = rng.randrange(1, max_rows + 1)
    policy, agg = rng.choice(POLICIES)
    kinds = [rng.choice(("number", "number", "string", "enum", "boolean")) for _ in range(ncols)]
    items, inputs, clauses = [], [], []
    for c, k in enumerate(kinds):
        type_ref = {"number": "number", "string": "string", "enum": f"t{c}", "boolean": "boolean"}[k]
        if k == "enum":
            items.append(f'  <itemDefinition name="t{c}"><typeRef>string</typeRef>'
                         f'<allowedValues><text>"a","b","c"</text></allowedValues></itemDefinition>')
        inputs.append(f'  <inputData id="i{c}" name="c{c}"><variable name="c{c}" typeRef="{type_ref}"/></inputData>')
        clauses.append(f'      <input><inputExpression typeRef="{type_ref}"><text>c{c}</text></inputExpression></input>')
    outs = ["1", "2", "3"] if agg else ['"x"', '"y"', '"z"']
    if policy == "PRIORITY":
        output = '      <output name="o"><outputValues><text>"z","y","x"</text></outputValues></output>'
    else:
        output = '      <output name="o"/>'
    rules = []
    for _ in range(nrows):
        cells = []
        for k in kinds:
            if k == "number":
                cells.append(_num_cell(rng))
            elif k == "boolean":
                cells.append(rng.choice(["-", "true", "false"]))
            else:
                cells.append(_str_cell(rng, ["a", "b", "c"] if k == "enum" else ["a", "b"]))
        ins = "".join(f"<inputEntry><text>{x}</text></inputEntry>" for x in cells)
        rules.append(f"      <rule>{ins}<outputEntry><text>{rng.choice(outs)}</text></outputEntry></rule>")
    agg_attr = f' aggregation="{agg}"' if agg else ""
    return "\n".join([
        '<?xml version="1.0"?>',
        '<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="m" id="m" namespace="x">',
        *items, *inputs,
        '  <decision id="d1" name="Out">',
        f'    <decisionTable hitPolicy="{policy}"{agg_attr}>',
        *clauses, output, *rules,
        "    </decisionTable>", "  </decision>", "</definitions>", ""]).encode()
