"""Synthetic decision tables shaped like Calvanese et al.'s benchmark, for benchmarks and tests.

A table of ``rules`` rows over ``columns`` columns (cycling real ranges, int
ranges and enums) is a decision-tree partition of the input space: the box
with the most room is split on a column until there are enough boxes, so the
clean table has no overlap and no gap. ``perturb`` widens or shrinks that
share of the rows on one numeric column, which creates overlaps and gaps.
The same arguments always give the same XML.
"""

from __future__ import annotations

import random
from fractions import Fraction

ENUM_VALUES = ("a", "b", "c", "d", "e", "f")


def _kind(c: int) -> str:
    return ("real", "int", "enum")[c % 3]


def synthetic_dmn(rules: int, columns: int, perturb: float = 0.1, seed: int = 1) -> str:
    """DMN 1.3 XML of one UNIQUE decision table with ``rules`` rows over ``columns`` inputs."""
    rng = random.Random(seed)
    full: list[object] = []
    for c in range(columns):
        k = _kind(c)
        full.append(frozenset(ENUM_VALUES) if k == "enum" else (Fraction(0), Fraction(1000 if k == "int" else 100)))
    boxes = [tuple(full)]
    splittable = [0]
    while len(boxes) < rules and splittable:
        i = splittable.pop(rng.randrange(len(splittable)))
        box = boxes[i]
        cols = list(range(columns))
        rng.shuffle(cols)
        for c in cols:
            cell = box[c]
            if isinstance(cell, frozenset):
                if len(cell) < 2:
                    continue
                vals = sorted(cell)
                cut = rng.randrange(1, len(vals))
                a, b = frozenset(vals[:cut]), frozenset(vals[cut:])
            else:
                lo, hi = cell  # type: ignore[misc]
                step = Fraction(1) if _kind(c) == "int" else Fraction(1, 10)
                if hi - lo < 2 * step:
                    continue
                n = int((hi - lo) / step)
                mid = lo + step * rng.randrange(1, n)
                a, b = (lo, mid), (mid, hi)
            boxes[i] = box[:c] + (a,) + box[c + 1:]
            boxes.append(box[:c] + (b,) + box[c + 1:])
            splittable += [i, len(boxes) - 1]
            break
    # Perturb: widen or shrink one numeric side of some rows.
    numeric = [c for c in range(columns) if _kind(c) != "enum"]
    rows = list(boxes)
    if numeric:
        for i in rng.sample(range(len(rows)), int(len(rows) * perturb)):
            c = rng.choice(numeric)
            lo, hi = rows[i][c]  # type: ignore[misc]
            delta = (hi - lo) / 4
            lo, hi = (lo - delta, hi) if rng.random() < 0.5 else (lo + delta, hi)
            rows[i] = rows[i][:c] + ((lo, hi),) + rows[i][c + 1:]
    return _xml(rows, columns, rng)


def _num(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{float(v):.6g}" if float(v) == v else str(round(float(v), 6))


def _xml(rows: list[tuple], columns: int, rng: random.Random) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="synthetic" name="synthetic" namespace="urn:synthetic">']
    for c in range(columns):
        t = "string" if _kind(c) == "enum" else "number"
        out.append(f'  <inputData id="c{c}" name="c{c}"><variable name="c{c}" typeRef="{t}"/></inputData>')
    out.append('  <decision id="d" name="decision"><decisionTable hitPolicy="UNIQUE">')
    for c in range(columns):
        t = "string" if _kind(c) == "enum" else "number"
        values = ""
        if _kind(c) == "enum":
            values = "<inputValues><text>" + ",".join(f"&quot;{v}&quot;" for v in ENUM_VALUES) + "</text></inputValues>"
        out.append(f'    <input><inputExpression typeRef="{t}"><text>c{c}</text></inputExpression>{values}</input>')
    out.append('    <output name="risk"/>')
    for r in rows:
        cells = []
        for c, cell in enumerate(r):
            if isinstance(cell, frozenset):
                cells.append(",".join(f"&quot;{v}&quot;" for v in sorted(cell)))
            else:
                lo, hi = cell
                cells.append(f"[{_num(lo)}..{_num(hi)})")
        out.append("    <rule>" + "".join(f"<inputEntry><text>{x}</text></inputEntry>" for x in cells)
                   + f"<outputEntry><text>&quot;{rng.choice(('low', 'medium', 'high'))}&quot;</text></outputEntry></rule>")
    out.append("  </decisionTable></decision>")
    out.append("</definitions>")
    return "\n".join(out) + "\n"
