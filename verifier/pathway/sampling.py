"""Random journeys drawn with Hypothesis (``ruleproof simulate --random``).

Hypothesis chooses, at each step, which of the possible steps to take; with a
fixed seed the same journeys come out on every run.
"""

from __future__ import annotations

from typing import Any

from engine.pathway import Journey, Stepper


def _key(j: Journey) -> tuple:
    return tuple((tuple(sorted(s.record.items())), s.action) for s in j.steps) + (tuple(sorted(j.final.items())),)


def sample_journeys(stepper: Stepper, record: dict[str, Any], steps: int, count: int, seed: int) -> list[Journey]:
    """Up to ``count`` distinct journeys of at most ``steps`` steps from ``record``, in the order drawn."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed
    from hypothesis import strategies as st

    found: dict[tuple, Journey] = {}

    @fixed_seed(seed)
    @settings(max_examples=count, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def draw(data: Any) -> None:
        journey = stepper.walk(record, steps, choose=lambda options: data.draw(
            st.integers(0, len(options) - 1), label="step"))
        found.setdefault(_key(journey), journey)

    draw()
    return list(found.values())[:count]
