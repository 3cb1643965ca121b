"""`ruleproof simulate`: a journey, sampled journeys, and bad input."""

from __future__ import annotations

import json

from click.testing import CliRunner

from verifier.cli import cli
from tests.pathway.helpers import SMALL
from tests.pathway.test_stepper import START


def _files(tmp_path, record=START):
    rules = tmp_path / "t.rules"
    rules.write_text(SMALL, encoding="utf-8")
    patient = tmp_path / "p.json"
    patient.write_text(json.dumps(record), encoding="utf-8")
    return str(rules), str(patient)


def test_one_journey_as_a_step_table(tmp_path):
    rules, patient = _files(tmp_path)
    res = CliRunner().invoke(cli, ["simulate", rules, patient, "--steps", "4"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "journey: 4 step(s); ends in phase followup (step limit reached)"
    assert "   1 | refer | referred: false -> true" in res.output
    assert lines[-1] == "  phases: workup -> workup -> treat -> followup -> followup"


def test_random_journeys_are_reproducible_and_json(tmp_path):
    rules, patient = _files(tmp_path)
    run = lambda seed: CliRunner().invoke(cli, ["simulate", rules, patient, "--random", "8", "--seed", str(seed),
                                                "--format", "json", "--steps", "6"])
    a, b = run(3), run(3)
    assert a.exit_code == 0 and a.output == b.output
    doc = json.loads(a.output)
    journeys = doc["journeys"]
    assert 1 < len(journeys) <= 8
    # Every sampled journey starts at the patient and follows what the rules give.
    for j in journeys:
        assert j["journey"][0]["record"] == START
        assert all(e["action"] in e["given"] for e in j["journey"] if e["action"] is not None)


def test_invalid_record_is_exit_2(tmp_path):
    rules, patient = _files(tmp_path, dict(START, imaged=True))
    res = CliRunner().invoke(cli, ["simulate", rules, patient])
    assert res.exit_code == 2
    assert "constraint K1" in res.output
