"""`ruleproof gate` stops every unsafe edit of tests/unsafe_edits/gate_edits.toml and
passes every safe refactoring there (which `diff` must also call unchanged).

The gate runs in-process against the real liposarcoma ruleset as the base,
with its committed regression suite, as in a change that does not update the
suite nor the change log. The proofs of `check` are left out here: they have
their own table of edits (tests/check/test_verifier_unsafe_edits.py).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

import dsl
from tests.conftest import LIPO_RULES
from tests.unsafe_edits import HERE, Edit, EditDoesNotApply, load_edits
from verifier.gate.run import FAILED, UNDECIDED, Base, gate_ruleset

SUITE = LIPO_RULES.parent.parent / "generated_cases" / "liposarcoma"
TABLE = HERE / "gate_edits.toml"


@dataclass(frozen=True)
class Entry:
    name: str
    steps: tuple[Edit, ...]
    expect: tuple[str, ...]

    def apply(self, text: str) -> str:
        for k, step in enumerate(self.steps, 1):
            try:
                text = step.apply(text)
            except EditDoesNotApply as err:
                raise EditDoesNotApply(f"{self.name} (step {k}): {err}; update {TABLE.name}") from err
        return text


def _load(kind: str) -> list[Entry]:
    with TABLE.open("rb") as fh:
        table = tomllib.load(fh)
    return [Entry(raw["name"], tuple(Edit(name=raw["name"], why="", expect=(), undetected=False, **s)
                                     for s in raw["steps"]), tuple(raw.get("expect", ())))
            for raw in table[kind]]


UNSAFE, SAFE = _load("unsafe"), _load("safe")


def _gate(entry: Entry, tmp_path: Path):
    original = LIPO_RULES.read_text(encoding="utf-8")
    edited = entry.apply(original)
    assert edited != original, entry.name
    path = tmp_path / "liposarcoma.rules"
    path.write_text(edited, encoding="utf-8")
    base = Base("HEAD", dsl.load_ruleset(LIPO_RULES), (), suite_updated=False)
    return gate_ruleset(dsl.load_ruleset(path), SUITE, base, (), "liposarcoma.changelog.toml", checks=False)


def test_tables_are_big_enough() -> None:
    # With the edits `check` alone refutes (edits.toml; the gate runs check too): 40 or more unsafe edits.
    assert len(UNSAFE) + len(load_edits()) >= 40 and len(SAFE) >= 10
    assert len({e.name for e in UNSAFE + SAFE}) == len(UNSAFE + SAFE)


@pytest.mark.parametrize("entry", UNSAFE, ids=[e.name for e in UNSAFE])
def test_gate_stops_unsafe_edit(entry: Entry, tmp_path: Path) -> None:
    report = _gate(entry, tmp_path)
    assert not report.internal_error, report.internal_error
    failed = report.having(FAILED)
    ids = {i.id for i in failed} | ({"cases"} if any(i.step == "cases" for i in failed) else set())
    assert failed, f"{entry.name}: the gate let it through"
    missing = set(entry.expect) - ids
    assert not missing, f"{entry.name}: {sorted(missing)} did not fail; failed: {sorted(ids)}"
    assert all(i.location for i in failed), "every failure names where to look"


@pytest.mark.parametrize("entry", SAFE, ids=[e.name for e in SAFE])
def test_gate_passes_safe_refactoring(entry: Entry, tmp_path: Path) -> None:
    report = _gate(entry, tmp_path)
    assert not report.internal_error, report.internal_error
    blocking = report.having(FAILED) + report.having(UNDECIDED)
    assert not blocking, f"{entry.name}: " + "; ".join(i.message for i in blocking)
    assert report.diff is not None and report.diff.semantic.status == "unchanged"


def test_an_edit_that_no_longer_applies_names_itself() -> None:
    stale = Entry("stale-edit", (Edit(name="stale-edit", why="", expect=(), undetected=False,
                                      old="no such text anywhere", new="x"),), ())
    with pytest.raises(EditDoesNotApply, match="stale-edit"):
        stale.apply(LIPO_RULES.read_text(encoding="utf-8"))
