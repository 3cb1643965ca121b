"""Shared fixtures: the real liposarcoma ruleset, compiled once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings


import dsl
from engine import Evaluator, compile_ruleset

# Property tests explore with a fixed seed: the same commit gives the same
# verdict on every machine, so a red CI run is a real failure to reproduce,
# not bad luck. (Set RULEPROOF_HYPOTHESIS=random to explore with fresh seeds.)
settings.register_profile("ruleproof", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("random", deadline=None, print_blob=True)
settings.load_profile("random" if os.environ.get("RULEPROOF_HYPOTHESIS") == "random" else "ruleproof")

REPO = Path(__file__).resolve().parents[1]
LIPO_RULES = REPO / "rulesets" / "liposarcoma.rules"
# The spec's worked examples, copied into the repository: it must stand alone.
EXAMPLES_DIR = REPO / "examples" / "liposarcoma"


@pytest.fixture(scope="session")
def lipo_ruleset() -> dsl.Ruleset:
    return dsl.load_ruleset(LIPO_RULES)


@pytest.fixture(scope="session")
def lipo_evaluator(lipo_ruleset: dsl.Ruleset) -> Evaluator:
    return compile_ruleset(lipo_ruleset)
