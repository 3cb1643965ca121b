"""The compact suite of large decision tables: chosen by size, every claim checked against Z3, replayable."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dsl import load_ruleset
from engine import compile_ruleset
from verifier.cases.compact import FULL_LIMIT, compact_wanted, mcdc_items
from verifier.cases.finder import Fact, RecordFinder, _record_key
from verifier.cases.generate import generate
from verifier.cases.store import load_suite, replay_split, write_suite
from verifier.facts.conditions import ConditionIndex
from verifier.facts.thresholds import thresholds
from verifier.facts.values import engine_form, to_fraction
from verifier.solver.encoding import Encoding
from tests.scale.tables import table, table_text


def test_the_shipped_rulesets_keep_the_full_suite() -> None:
    for name in ("liposarcoma", "af_stroke", "hepb_perinatal"):
        rs = load_ruleset(f"rulesets/{name}.rules")
        index = ConditionIndex(rs)
        assert mcdc_items(rs) == sum(len(index.conditions(r)) for r in rs.rules) <= FULL_LIMIT
        assert not compact_wanted(rs)


def test_a_table_gets_the_compact_suite_and_the_count_stops_early() -> None:
    rs = table(30, 7)
    assert compact_wanted(rs)
    assert FULL_LIMIT < mcdc_items(rs) <= FULL_LIMIT + 200  # stopped just past the limit
    small = table(4, 3)
    index = ConditionIndex(small)
    assert mcdc_items(small) == sum(len(index.conditions(r)) for r in small.rules)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_compact_witnesses_and_gaps_agree_with_z3(seed: int) -> None:
    rs = table(14, 5, perturb=0.4, seed=seed)
    suite = generate(rs, table_text(14, 5, 0.4, seed), suite="compact", timeout_s=30)
    assert suite.note.startswith("compact suite")
    finder = RecordFinder(rs, Encoding(rs, 30_000))
    ev = compile_ruleset(rs)
    witnessed = {}
    for case in suite.cases:
        for p in case.purposes:
            if p["kind"] == "witness":
                witnessed[p["rule"]] = case.record
    gaps = {dict(g.fields)["rule"] for g in suite.gaps if g.kind == "witness"}
    assert witnessed.keys() | gaps == {r.id for r in rs.rules} and not witnessed.keys() & gaps
    for rule in rs.rules:
        status = finder.satisfiable([Fact(rule.condition)])
        assert status == ("unsat" if rule.id in gaps else "sat"), rule.id
        if rule.id in witnessed:
            record = witnessed[rule.id]
            assert rule.id in ev.evaluate(engine_form(ev, record)).fired
            assert rule.id in finder.enc.decide(record).fired  # Z3 reads the same firing


@pytest.mark.parametrize("seed", [1, 2])
def test_compact_boundaries_sit_on_every_threshold_point(seed: int) -> None:
    rs = table(12, 4, seed=seed)
    suite = generate(rs, table_text(12, 4, 0.1, seed), suite="compact", timeout_s=30)
    on_points = {(p["subject"], to_fraction(p["value"])): c.record for c in suite.cases
                 for p in c.purposes if p["kind"] == "boundary"}
    for th in thresholds(rs):
        for side in ("below", "on", "above"):
            key = (th.subject.name, th.point(side))
            if th.outside_domain(rs, side) is None:
                assert key in on_points
                assert to_fraction(on_points[key][th.subject.name]) == th.point(side)


def test_compact_suite_replays_and_is_deterministic(tmp_path: Path) -> None:
    rs = table(20, 7, seed=3)
    text = table_text(20, 7, 0.1, 3)
    a = generate(rs, text, suite="compact")
    b = generate(rs, text, suite="compact")
    assert a == b
    write_suite(tmp_path / "s", a)
    changes, _ = replay_split(rs, load_suite(tmp_path / "s").cases)
    assert changes == []
    assert a.count("witness") >= 18 and a.count("boundary") > 0


def test_the_full_suite_can_still_be_asked_for_a_small_table() -> None:
    rs = table(3, 2, seed=1)
    full = generate(rs, table_text(3, 2, 0.1, 1), suite="full")
    assert full.note == "" and full.count("mcdc") > 0


def test_cli_prints_the_choice(tmp_path: Path) -> None:
    from verifier.cli.cases_cmd import cases_command

    path = tmp_path / "t.rules"
    path.write_text(table_text(30, 7), encoding="utf-8")
    result = CliRunner().invoke(cases_command, [str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "compact suite (more than 5,000 MC/DC pairs" in result.output
    check = CliRunner().invoke(cases_command, [str(path), "--out", str(tmp_path / "out"), "--check"])
    assert check.exit_code == 0 and "0 of" in check.output


def test_pool_keys_equal_exactly_when_records_are_equal() -> None:
    assert _record_key({"a": 1, "b": "x"}) == _record_key({"b": "x", "a": 1.0})
    assert _record_key({"a": 1}) != _record_key({"a": 2})
    assert _record_key({"a": [1]}) is None
