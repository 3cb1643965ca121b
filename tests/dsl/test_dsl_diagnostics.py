"""Golden diagnostics: each broken ruleset in tests/dsl_cases renders exactly as its .expected file.

NAME.rules is checked as ``tests/dsl_cases/NAME.rules``; NAME.expected holds
``RulesetError.render()`` (or, when the file only has warnings, the rendered
warnings) followed by a newline.

To regenerate after a deliberate change, run

    RULEPROOF_UPDATE_GOLDEN=1 .venv/bin/pytest tests/dsl/test_dsl_diagnostics.py

and review every changed .expected file by eye (git diff) before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import dsl

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "dsl_cases"
UPDATE = os.environ.get("RULEPROOF_UPDATE_GOLDEN") == "1"

CASE_NAMES = sorted(p.stem for p in CASES.glob("*.rules"))


def render_case(name: str) -> tuple[str, list[dsl.Diagnostic]]:
    """The rendered diagnostics of one case, and the diagnostics themselves."""
    # Bytes, not read_text(): keep the file's line endings exactly as they are.
    text = (CASES / f"{name}.rules").read_bytes().decode("utf-8")
    path = f"tests/dsl_cases/{name}.rules"
    try:
        _, warnings = dsl.check_text(text, path)
    except dsl.RulesetError as err:
        return err.render(), err.diagnostics
    return "\n".join(w.render(text) for w in warnings), warnings


def test_there_are_cases():
    assert len(CASE_NAMES) >= 20


@pytest.mark.parametrize("name", CASE_NAMES)
def test_golden(name):
    rendered, diagnostics = render_case(name)
    assert diagnostics, f"{name}.rules gives no diagnostic at all"
    golden = CASES / f"{name}.expected"
    if UPDATE:
        golden.write_text(rendered + "\n", encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}; run with RULEPROOF_UPDATE_GOLDEN=1 to create it"
    assert rendered + "\n" == golden.read_text(encoding="utf-8")


def test_every_expected_file_has_a_case():
    orphans = sorted(p.name for p in CASES.glob("*.expected") if not (CASES / f"{p.stem}.rules").exists())
    assert orphans == []


# ---------------------------------------------------------------- properties of all cases


@pytest.mark.parametrize("name", CASE_NAMES)
def test_diagnostics_are_in_file_order_and_point_into_the_file(name):
    text = (CASES / f"{name}.rules").read_bytes().decode("utf-8")
    lines = text.split("\n")
    _, diagnostics = render_case(name)
    keys = [(d.span.line, d.span.col) for d in diagnostics]
    assert keys == sorted(keys)
    for d in diagnostics:
        assert d.severity in ("error", "warning")
        assert d.span.path == f"tests/dsl_cases/{name}.rules"
        assert 1 <= d.span.line <= len(lines)
        assert 1 <= d.span.col <= len(lines[d.span.line - 1].rstrip("\r")) + 1
        assert d.message and not d.message[0].isupper() and not d.message.endswith(".")


@pytest.mark.parametrize("name", [n for n in CASE_NAMES if n.startswith("syntax_")])
def test_syntax_errors_say_what_was_expected(name):
    _, diagnostics = render_case(name)
    [d] = diagnostics  # parsing stops at the first syntax error
    assert d.severity == "error"
    assert "expected" in d.message or "unterminated string" in d.message or "is a reserved word" in d.message


def test_warnings_only_case_does_not_raise():
    text = (CASES / "unused_declarations.rules").read_text(encoding="utf-8")
    _, warnings = dsl.check_text(text, "x.rules")
    assert warnings and {w.severity for w in warnings} == {"warning"}


def test_several_errors_are_reported_together():
    _, diagnostics = render_case("several_errors")
    errors = [d for d in diagnostics if d.severity == "error"]
    assert len(errors) >= 6
    assert len({d.span.line for d in errors}) >= 6


def test_render_without_text_is_just_the_heads():
    with pytest.raises(dsl.RulesetError) as info:
        dsl.check_text('ruleset t version "1"\ninput a: bool\nconstraint C "c": a and 2\n', "p.rules")
    err = info.value
    assert [d.render(None) for d in err.diagnostics] == [
        "p.rules:3:25: error: each side of 'and' must be a condition (bool), not a number"]
    assert str(err) == "1 error(s) in ruleset"
