"""`cases --check` judges advice: renaming, reordering or splitting rules is information, not a change."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.conftest import LIPO_RULES
from verifier.cli.cases_cmd import cases_command

SUITE = LIPO_RULES.parent.parent / "generated_cases" / "liposarcoma"


def _check(tmp_path: Path, old: str, new: str) -> tuple[int, str]:
    text = LIPO_RULES.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    rules = tmp_path / "liposarcoma.rules"
    rules.write_text(text.replace(old, new), encoding="utf-8")
    res = CliRunner().invoke(cases_command, [str(rules), "--out", str(SUITE), "--check"])
    return res.exit_code, res.stdout


def test_a_renamed_rule_is_bookkeeping(tmp_path: Path) -> None:
    code, out = _check(tmp_path, 'rule surv_low_grade "Follow-up for low grade"',
                       'rule surv_grade_low "Follow-up for low grade"')
    assert code == 0, out
    total = len(list((SUITE / "cases").glob("*.json")))
    assert f"0 of {total} cases change" in out
    assert "keep their advice; only bookkeeping differs" in out and "+surv_grade_low" in out


def test_a_changed_category_is_advice(tmp_path: Path) -> None:
    code, out = _check(tmp_path, "recommend follow_up_low_grade category 2A", "recommend follow_up_low_grade category 2B")
    assert code == 1 and "follow_up_low_grade: category 2A -> 2B" in out


def test_a_split_one_of_is_advice(tmp_path: Path) -> None:
    code, out = _check(tmp_path, "recommend one of {preoperative_rt, postoperative_rt} category 1",
                       "recommend preoperative_rt category 1 sources [base, nccn, astro2021, esmo2021]\n"
                       "    recommend postoperative_rt category 1")
    assert code == 1 and "alternatives" in out
