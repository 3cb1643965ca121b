"""The review report and `ruleproof check` show pathway verdicts and journeys."""

from __future__ import annotations

import json

from click.testing import CliRunner

from verifier.cli import cli
from tests.pathway.test_prove import EARLY_SURGERY

PROPS = ('pathway early "no operation before referral": never taken(operate) before referred\n'
         'pathway progress "follow-up only after referral": never taken(follow) before referred\n')


def test_report_has_a_journey_step_table(tmp_path):
    path = tmp_path / "t.rules"
    path.write_text(EARLY_SURGERY + PROPS, encoding="utf-8")
    out = tmp_path / "r.html"
    res = CliRunner().invoke(cli, ["report", str(path), "-o", str(out), "--no-timing"])
    assert res.exit_code == 1, res.output  # a refuted pathway property is a finding
    page = out.read_text(encoding="utf-8")
    assert "Pathway properties" in page and "no operation before referral" in page
    assert "Counterexample journey:" in page and "<code>operate</code>" in page


def test_check_exit_codes_and_json(tmp_path):
    path = tmp_path / "t.rules"
    path.write_text(EARLY_SURGERY + PROPS, encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", str(path), "--format", "json", "--no-timing"])
    assert res.exit_code == 1
    results = {r["property"]: r for r in json.loads(res.output)["rulesets"][0]["results"] if r["kind"] == "pathway"}
    assert results["early"]["status"] == "refuted" and results["early"]["journey"][-2]["action"] == "operate"
    assert results["progress"]["status"] == "proved"
    # Byte-identical reports for the same input.
    again = CliRunner().invoke(cli, ["check", str(path), "--format", "json", "--no-timing"])
    assert again.output == res.output
