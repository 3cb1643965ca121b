"""`ruleproof tables`: the sweep's overlaps, gaps and masked rows agree with evaluating the rows point by point."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.dmn.test_dmn import MODELS, dmn_doc, sample_values
from verifier.cli import cli
from verifier.dmn import read_dmn, read_dmn_file
from verifier.dmn.analysis import Column, analyse
from verifier.dmn.feel import matches

OTHER = "\x00other"


def point_in(col: Column, cell) -> object:  # type: ignore[no-untyped-def]
    """Some value inside a box's cell."""
    if isinstance(cell, frozenset):
        v = next(v for v in col.values if v in cell)
        return "zzz-unlisted" if v == OTHER else v
    lo, lc, hi, hc = cell[0]
    if lo is not None and hi is not None:
        return lo if lo == hi else (lo + hi) / 2
    if lo is not None:
        return lo if lc else lo + 1
    if hi is not None:
        return hi if hc else hi - 1
    return Fraction(0)


def in_cell(col: Column, cell, v) -> bool:  # type: ignore[no-untyped-def]
    if isinstance(cell, frozenset):
        return (OTHER if v not in col.values else v) in cell
    return any((lo is None or v > lo or (lc and v == lo)) and (hi is None or v < hi or (hc and v == hi))
               for lo, lc, hi, hc in cell)


def hits(table, values: dict) -> frozenset[int]:  # type: ignore[no-untyped-def]
    return frozenset(r.number for r in table.rows
                     if all(matches(tests, values.get(c.expr)) for c, tests in zip(table.inputs, r.inputs)))


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_findings_agree_with_point_evaluation(path: Path) -> None:
    model = read_dmn_file(str(path))
    for d, res in zip(model.decisions, analyse(model)):
        names = [c.name for c in res.columns]
        # Every witness box is a region where exactly its rows match; every gap where none does.
        for o in res.overlaps:
            point = {n: point_in(c, cell) for n, c, cell in zip(names, res.columns, o.box)}
            assert hits(d.table, point) == frozenset(o.rows), (path.stem, o)
        for g in res.gaps:
            point = {n: point_in(c, cell) for n, c, cell in zip(names, res.columns, g)}
            assert hits(d.table, point) == frozenset(), (path.stem, g)
        # Every sampled record: its matching rows sit inside a reported maximal overlap, or it is in a gap.
        for values in sample_values(model):
            if any(c.kind == "finite" and values.get(n) not in c.values and OTHER not in c.values
                   for n, c in zip(names, res.columns)):
                continue  # outside the column's allowed values
            h = hits(d.table, values)
            if len(h) >= 2:
                assert any(h <= set(o.rows) for o in res.overlaps), (path.stem, values, h)
            if not h and all(n in values for n in names):
                assert any(all(in_cell(c, cell, values[n]) for n, c, cell in zip(names, res.columns, g))
                           for g in res.gaps), (path.stem, values)


def _table(policy: str, rows: list[tuple[str, str]]) -> bytes:
    body = "\n".join(f'      <rule><inputEntry><text>{i}</text></inputEntry><outputEntry><text>"{o}"</text></outputEntry></rule>'
                     for i, o in rows)
    return dmn_doc(body).replace('hitPolicy="UNIQUE"', f'hitPolicy="{policy}"').encode()


def test_unique_overlaps_gaps_and_grades() -> None:
    rows = [("&lt; 10", "a"), ("[5..20]", "b"), ("[8..9]", "b"), ("&gt; 30", "c")]
    (res,) = analyse(read_dmn(_table("UNIQUE", rows), "u.dmn"))
    assert [o.rows for o in res.overlaps] == [(1, 2, 3)]  # {1, 2} alone is not maximal
    assert res.overlap_grades == ["error"]
    assert len(res.gaps) == 1  # (20..30]
    assert res.subsumed == [(3, 2)]
    assert res.errors == 2


def test_any_overlap_with_the_same_output_is_fine() -> None:
    (res,) = analyse(read_dmn(_table("ANY", [("&lt;= 10", "a"), ("&gt;= 5", "a"), ("-", "a")]), "a.dmn"))
    assert res.overlap_grades == ["info"] and res.errors == 0 and not res.gaps
    (res,) = analyse(read_dmn(_table("ANY", [("&lt;= 10", "a"), ("&gt;= 5", "b")]), "a.dmn"))
    assert res.overlap_grades == ["error"]


def test_first_masks_a_row_covered_by_earlier_rows() -> None:
    (res,) = analyse(read_dmn(_table("FIRST", [("&lt; 10", "a"), ("&gt;= 10", "b"), ("[3..12]", "c")]), "f.dmn"))
    assert res.masked == [3]
    (res,) = analyse(read_dmn(_table("FIRST", [("&lt; 10", "a"), ("[3..12]", "c")]), "f.dmn"))
    assert res.masked == []


def test_tables_command_formats_and_exit_codes(tmp_path: Path) -> None:
    p = tmp_path / "u.dmn"
    p.write_bytes(_table("UNIQUE", [("&lt; 10", "a"), ("[5..20]", "b")]))
    runner = CliRunner()
    text = runner.invoke(cli, ["tables", str(p)])
    assert text.exit_code == 1 and "rows 1, 2 all match where Age in [5..10)" in text.output
    doc = json.loads(runner.invoke(cli, ["tables", str(p), "--format", "json"]).output)
    assert doc["tables"][0]["overlaps"] == [{"rows": [1, 2], "grade": "error", "witness": {"Age": "[5..10)"}}]
    assert doc["tables"][0]["gaps"] == [{"Age": "(20..+inf)"}]
    sarif = json.loads(runner.invoke(cli, ["tables", str(p), "--format", "sarif"]).output)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"table-overlap", "table-gap"}
    ok = tmp_path / "ok.dmn"
    ok.write_bytes(_table("UNIQUE", [("&lt; 10", "a"), ("&gt;= 10", "b")]))
    assert runner.invoke(cli, ["tables", str(ok)]).exit_code == 0
    assert runner.invoke(cli, ["tables", str(tmp_path / "missing.dmn")]).exit_code == 2


def test_sarif_validates_against_the_schema(tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads((Path(__file__).parents[1] / "schemas" / "sarif-schema-2.1.0.json").read_text())
    p = tmp_path / "u.dmn"
    p.write_bytes(_table("UNIQUE", [("&lt; 10", "a"), ("[5..20]", "b"), ("[5..20]", "b")]))
    sarif = json.loads(CliRunner().invoke(cli, ["tables", str(p), "--format", "sarif"]).output)
    jsonschema.validate(sarif, schema)
