"""`ruleproof check` catches each unsafe edit of tests/unsafe_edits/edits.toml.

Each edit is made to the real liposarcoma ruleset at test time; the check
must exit 1 and refute (at least) the properties the table names, with a
replayed counterexample wherever there is a record to show.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import LIPO_RULES
from tests.unsafe_edits import Edit, load_edits
from verifier.cli.check_cmd import check_command

EDITS = load_edits()


def test_table_is_big_enough() -> None:
    detected = [e for e in EDITS if not e.undetected]
    assert len(detected) >= 15
    assert len({e.name for e in EDITS}) == len(EDITS)


@pytest.mark.parametrize("edit", EDITS, ids=[e.name for e in EDITS])
def test_unsafe_edit_is_caught(edit: Edit, tmp_path: Path) -> None:
    original = LIPO_RULES.read_text(encoding="utf-8")
    edited = edit.apply(original)
    assert edited != original
    path = tmp_path / "liposarcoma.rules"
    path.write_text(edited, encoding="utf-8")

    # The edits target snapshot properties; the pathway properties (seconds each) have their
    # own seeded faults in tests/pathway/test_seeded_faults.py.
    res = CliRunner().invoke(check_command, [str(path), "--format", "json", "--skip-pathways"],
                             catch_exceptions=False)
    assert "internal error" not in res.stderr
    results = json.loads(res.stdout)["rulesets"][0]["results"]
    refuted = {r["property"]: r for r in results if r["status"] == "refuted"}
    if edit.undetected:
        assert res.exit_code == 0 and not refuted, f"{edit.name} is now caught: move it to `expect`"
        return
    assert res.exit_code == 1, res.stdout
    missing = set(edit.expect) - set(refuted)
    assert not missing, f"{edit.name}: {sorted(missing)} not refuted; refuted: {sorted(refuted)}"
    for r in refuted.values():
        if r["kind"] == "dead-rule":
            assert r["counterexample"] is None and r["detail"]
        else:
            assert r["counterexample"] is not None and isinstance(r["fired"], list)
