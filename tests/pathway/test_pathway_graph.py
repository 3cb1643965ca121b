"""The pathway view of `ruleproof graph`: phases, Z3-decided moves, a highlighted journey."""

from __future__ import annotations

from click.testing import CliRunner

from verifier.cli import cli
from verifier.pathway.view import pathway_dot, pathway_edges
from tests.pathway.helpers import SMALL, load
from tests.pathway.test_prove import EARLY_SURGERY


def test_edges_are_the_moves_effects_allow():
    edges = pathway_edges(load(SMALL))
    assert edges == {
        ("workup", "workup"): ["refer", "image"],
        ("workup", "treat"): ["refer", "image"],
        # A record operated on before referral or imaging is in work-up; finishing it moves on.
        ("workup", "followup"): ["refer", "image"],
        ("treat", "followup"): ["operate"],
        ("followup", "followup"): ["follow"],
    }


def test_seeded_fault_adds_a_move_and_the_journey_is_drawn(tmp_path):
    text = EARLY_SURGERY + 'pathway p "t": never taken(operate) before referred\n'
    path = tmp_path / "t.rules"
    path.write_text(text, encoding="utf-8")
    # Operating before referral keeps the patient in work-up: a move the correct rules never make.
    assert "operate" in pathway_edges(load(text))[("workup", "workup")]
    assert "operate" not in pathway_edges(load(SMALL))[("workup", "workup")]
    out = tmp_path / "p.dot"
    res = CliRunner().invoke(cli, ["graph", str(path), "--view", "pathway", "--counterexample", "p", "-o", str(out)])
    assert res.exit_code == 0, res.output
    dot = out.read_text()
    assert "operate" in dot and "penwidth=\"2.5\"" in dot and "counterexample journey of p" in dot


def test_pathway_view_errors(tmp_path):
    path = tmp_path / "t.rules"
    path.write_text(SMALL + 'pathway p "t": leaves workup within 2 steps\n', encoding="utf-8")
    run = lambda *a: CliRunner().invoke(cli, ["graph", str(path), "--view", "pathway", *a, "-o", str(tmp_path / "x.dot")])
    res = run("--counterexample", "nope")
    assert res.exit_code == 2 and "no pathway property 'nope'" in res.output
    res = run("--counterexample", "p")
    assert res.exit_code == 2 and "is proved: no counterexample journey" in res.output


def test_dot_is_deterministic():
    rs = load(SMALL)
    assert pathway_dot(rs, pathway_edges(rs)) == pathway_dot(rs, pathway_edges(rs))
