"""The diff's table-scale paths agree with the plain ones: galloping region growth, cached dependents."""

from __future__ import annotations

import json
import random
from typing import Any, Callable

import pytest

from dsl import check_text
from verifier.diff import regions
from verifier.diff.compare import diff_rulesets
from verifier.diff.render import render_json
from verifier.diff.spec import _Uses, definition_dependents
from tests.scale.tables import table, table_text


def _linear(holds: Callable[[int], bool], room: int) -> None:
    """The step-by-step widening the galloping search replaced."""
    while room > 0 and holds(1):
        room -= 1


@pytest.mark.parametrize("seed", range(200))
def test_widen_finds_the_same_end_as_stepping(seed: int) -> None:
    rng = random.Random(seed)
    room = rng.randrange(0, 40)
    end = rng.randrange(0, room + 1)  # a monotone predicate: growth up to `end` pieces holds

    def run(widen: Callable[[Callable[[int], bool], int], None]) -> tuple[int, int]:
        pos, asked = [0], [0]

        def holds(k: int) -> bool:
            asked[0] += 1
            if pos[0] + k <= end:
                pos[0] += k
                return True
            return False

        widen(holds, room)
        return pos[0], asked[0]

    (fast, fast_asked), (slow, _) = run(regions._widen), run(_linear)
    assert fast == slow == end
    assert fast_asked <= 2 * max(1, end).bit_length() + 2  # logarithmic, not linear


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_diff_of_small_tables_is_the_same_with_stepping(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    old, _ = check_text(table_text(10, 4, perturb=0.0, seed=seed), "old.rules")
    new, _ = check_text(table_text(10, 4, perturb=0.3, seed=seed), "new.rules")
    fast = json.loads(render_json(diff_rulesets(old, new, timeout_s=30), timing=False))
    monkeypatch.setattr(regions, "_widen", _linear)
    slow = json.loads(render_json(diff_rulesets(old, new, timeout_s=30), timing=False))
    # The answers are the same: the same actions change, with the same transitions,
    # over the same records. The regions themselves may be cut differently: each
    # is grown from a seed record, the solver's model, which depends on the
    # queries asked before it.
    assert fast["meaning"]["status"] == slow["meaning"]["status"] == "changed"
    a, b = _transitions(fast), _transitions(slow)
    assert a.keys() == b.keys() and a
    rng = random.Random(seed)
    compared = 0
    for key in a:
        (regions_a, more_a), (regions_b, more_b) = a[key], b[key]
        if more_a or more_b:
            continue  # a capped list covers only part of the records
        compared += 1
        for _ in range(400):
            record = {"c0": rng.choice([rng.randrange(-50, 1500) / 10, rng.randrange(0, 100)]),
                      "c1": rng.randrange(-50, 1050), "c2": rng.choice("abcdefg"),
                      "c3": rng.randrange(-50, 1500) / 10}
            assert _inside_any(regions_a, record) == _inside_any(regions_b, record), (key, record)
    assert compared


def _transitions(doc: dict[str, Any]) -> dict[str, tuple[list[dict[str, Any]], bool]]:
    out = {}
    for action in doc["meaning"]["actions"]:
        for t in action["transitions"]:
            key = json.dumps([action["action"], t["old"], t["new"]], sort_keys=True)
            out[key] = (t["regions"], bool(action["more"]))
    return out


def _inside_any(regions_: list[dict[str, Any]], record: dict[str, Any]) -> bool:
    def inside(bound: dict[str, Any]) -> bool:
        v = record.get(bound["input"])
        if v is None:
            return True
        if "values" in bound:
            return v in bound["values"]
        iv = bound["interval"]
        lo_ok = iv["lo"] is None or v > iv["lo"] or (iv["lo_closed"] and v == iv["lo"])
        hi_ok = iv["hi"] is None or v < iv["hi"] or (iv["hi_closed"] and v == iv["hi"])
        return lo_ok and hi_ok

    return any(all(inside(b) for b in r["bounds"]) for r in regions_)


def _plain_dependents(rs, name):  # type: ignore[no-untyped-def]
    """definition_dependents as it was: every expression re-read for each question."""
    from verifier.diff.spec import _names_used

    moved = {name}
    for d in rs.definitions:
        if _names_used(d.expr) & moved:
            moved.add(d.name)
    out = [f"definition {d}" for d in (d.name for d in rs.definitions) if d in moved and d != name]
    out += [f"rule {r.id}" for r in rs.rules if _names_used(r.condition) & moved]
    out += [f"property {p.id}" for p in rs.properties if _names_used(p.expr) & moved]
    return tuple(out)


def test_cached_dependents_agree_with_plain_ones() -> None:
    from dsl import load_ruleset

    for rs in (table(12, 5, seed=2), load_ruleset("rulesets/liposarcoma.rules")):
        uses = _Uses(rs)
        for d in rs.definitions:
            assert definition_dependents(rs, d.name, uses) == _plain_dependents(rs, d.name)
