"""Shared fixtures: the real liposarcoma ruleset, compiled once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

import dsl
from engine import Evaluator, compile_ruleset

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LIPO_RULES = REPO / "rulesets" / "liposarcoma.rules"
EXAMPLES_DIR = SHARED / "spec" / "liposarcoma" / "examples"


@pytest.fixture(scope="session")
def lipo_ruleset() -> dsl.Ruleset:
    return dsl.load_ruleset(LIPO_RULES)


@pytest.fixture(scope="session")
def lipo_evaluator(lipo_ruleset: dsl.Ruleset) -> Evaluator:
    return compile_ruleset(lipo_ruleset)
