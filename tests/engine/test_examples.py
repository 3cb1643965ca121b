"""The worked examples of the spec evaluate to exactly the expected decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import load_record_json

from tests.conftest import EXAMPLES_DIR

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))


def test_examples_are_found() -> None:
    # The worked examples are copied into examples/liposarcoma; an empty glob must not pass as "all examples agree".
    assert len(EXAMPLES) >= 9


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_decision(path: Path, lipo_evaluator) -> None:
    example = json.loads(path.read_text())
    # Through the same exact-decimal JSON reader the command uses.
    record = lipo_evaluator.validate(load_record_json(json.dumps(example["patient"])))
    decision = lipo_evaluator.evaluate(record)
    expected = example["expected"]
    assert sorted(decision.recommended) == sorted(expected["recommended"])
    assert sorted(decision.considered) == sorted(expected["considered"])
    assert set(expected["avoided"]) <= decision.avoided
    assert decision.contradictions == ()
