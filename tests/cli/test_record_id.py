"""Issue 12: a record's id passes through `eval` (single and --batch) and is never an input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from verifier.cli import cli

RULES = """ruleset t version "1"
source s "S"
input age: int [18, 110]
input bleed: bool
action doac: drug "DOAC"
action watch: surveillance "Watch"
rule r1 "old" when age >= 75 recommend doac category 1 sources [s]
rule r2 "young" when age < 75 or bleed recommend watch category 1 sources [s]
"""


def _rules(tmp_path: Path, text: str = RULES) -> str:
    p = tmp_path / "t.rules"
    p.write_text(text, encoding="utf-8")
    return str(p)


def _run(args: list[str], stdin: str) -> tuple[int, list[dict], str]:
    res = CliRunner().invoke(cli, args, input=stdin)
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.strip()]
    return res.exit_code, lines, res.stderr


def test_batch_results_and_errors_carry_the_id(tmp_path: Path) -> None:
    batch = "\n".join([
        '{"id": "P-1", "age": 80, "bleed": false}',
        '{"age": 80, "bleed": false}',
        '{"id": 7, "age": 800, "bleed": false}',
        '{"id": "P-4", "age": 30, "bleed": true}',
        '{"id": "P-5", "age": 80, "bleed": false}',
        '{"id": 1.5, "age": 30, "bleed": true}',
    ]) + "\n"
    code, out, err = _run(["eval", _rules(tmp_path), "--batch", "-"], batch)
    assert code == 2
    assert [o.get("id") for o in out] == ["P-1", None, 7, "P-4", "P-5", None]
    assert [list(o)[0] for o in out] == ["id", "ruleset", "id", "id", "id", "error"]  # the id comes first
    assert out[0]["recommendations"][0]["action"] == "doac" and out[4] == {**out[1], "id": "P-5"}
    assert out[2]["line"] == 3 and out[2]["problems"][0]["field"] == "age"
    assert out[5]["problems"][0] == {"field": "id", "message": "the record id must be a string or a whole number, not 1.5"}
    assert "<stdin>:3: error: [id 7] age: 800 is out of range [18, 110]" in err.splitlines()
    assert "<stdin>:6: error: id: the record id must be a string or a whole number, not 1.5" in err.splitlines()


def test_explain_and_single_record_keep_the_id(tmp_path: Path) -> None:
    code, out, _ = _run(["eval", _rules(tmp_path), "--batch", "-", "--explain"], '{"id": "A", "age": 80, "bleed": false}\n')
    assert code == 0 and out[0]["id"] == "A" and "trace" in out[0]
    code, out, _ = _run(["eval", _rules(tmp_path), "-", "--format", "json"], '{"id": "B", "age": 80, "bleed": false}')
    assert code == 0 and out[0]["id"] == "B"
    res = CliRunner().invoke(cli, ["eval", _rules(tmp_path), "-"], input='{"id": "C", "age": 80, "bleed": false}')
    assert res.exit_code == 0 and "record id: C" in res.stdout


def test_id_field_is_configurable_and_never_an_input(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    code, out, _ = _run(["eval", rules, "--batch", "-", "--id-field", "mrn"], '{"mrn": "X9", "age": 80, "bleed": false}\n')
    assert code == 0 and out[0]["id"] == "X9"
    # With another id field, "id" is an unknown field again.
    code, out, err = _run(["eval", rules, "--batch", "-", "--id-field", "mrn"], '{"id": "X9", "age": 80, "bleed": false}\n')
    assert code == 2 and "unknown field" in err
    res = CliRunner().invoke(cli, ["eval", rules, "--batch", "-", "--id-field", "age"], input="{}\n")
    assert res.exit_code == 2 and "'age' is an input of ruleset t" in res.stderr


def test_an_input_called_id_stays_an_input(tmp_path: Path) -> None:
    text = RULES.replace("input bleed: bool", "input bleed: bool\ninput id: int [0, 9]")
    code, out, _ = _run(["eval", _rules(tmp_path, text), "--batch", "-"], '{"id": 3, "age": 80, "bleed": false}\n')
    assert code == 0 and "id" not in out[0]
