"""What a generated test case is: a record, its expected decision, and why it exists.

A case is data, written as one JSON file and replayed by the tests. Its
``purposes`` say why it is in the suite (a rule's witness, one side of an
MC/DC pair, a boundary, a coverage cell, a counterexample, a frozen
regression); one record may serve several. The case is named after its
first purpose in a fixed order, so a name says what the case is for and
stays the same from one generation to the next.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from dsl import model as m
from engine import Decision
from verifier.facts.values import default_value, to_fraction

# Purpose kinds, in the order that picks a case's name (its first purpose).
KINDS = ("example", "witness", "mcdc", "value", "boundary", "score", "cell", "counterexample", "regression")  # example, score: issue 12
_KIND_RANK = {k: n for n, k in enumerate(KINDS)}

_MAX_NAME = 120


@dataclass(frozen=True, slots=True)
class Purpose:
    """One reason a record is in the suite.

    ``name`` is unique in a suite and becomes the case's file name when this
    is the case's first purpose; ``order`` sorts purposes (kind first, then
    rule order and condition order, not the alphabet); ``fields`` is what
    the case file shows (rule, condition, value, ...); ``partner`` is the
    pool index of the other record of an MC/DC pair, turned into its case
    name when the suite is written.
    """

    kind: str
    name: str
    why: str
    fields: tuple[tuple[str, Any], ...]
    order: tuple[Any, ...]
    partner: int | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (_KIND_RANK[self.kind], self.order, self.name)

    def to_json(self, partner_name: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "why": self.why}
        out.update(self.fields)
        if partner_name is not None:
            out["pair"] = partner_name
        return out


def side_word(value: bool) -> str:
    return "true" if value else "false"


def file_name(name: str) -> str:
    """A purpose name as a file stem: long names keep a readable head and a hash of the whole."""
    if len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[:_MAX_NAME - 11]}-{digest}"


def expected_json(d: Decision) -> dict[str, Any]:
    """The expected decision a case stores: the status sets first (what a reviewer
    scans), then the engine's recommendations in full (categories, rules, sources)."""
    recs = []
    for r in d.recommendations:
        item: dict[str, Any] = {
            "action": r.action,
            "strength": r.strength,
            "category": r.category,
            "rules": list(r.rules),
            "sources": list(r.sources),
        }
        if r.alternatives:
            item["alternatives"] = list(r.alternatives)
        recs.append(item)
    out: dict[str, Any] = {
        "fired": list(d.fired),
        "recommended": sorted(d.recommended),
        "considered": sorted(d.considered),
        "avoided": sorted(d.avoided),
        "recommendations": recs,
    }
    if d.contradictions:
        out["contradictions"] = list(d.contradictions)
    return out


def decision_statuses(d: Any) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(recommended, considered, avoided) of an engine or Z3 decision."""
    return (frozenset(d.recommended), frozenset(d.considered), frozenset(d.avoided))


@dataclass(frozen=True, slots=True)
class Case:
    """One test case as written: its name, record, expected decision and purposes (JSON-ready)."""

    name: str
    record: dict[str, Any]
    expected: dict[str, Any]
    purposes: tuple[dict[str, Any], ...]
    notable: tuple[str, ...]

    def to_json(self, ruleset: str) -> dict[str, Any]:
        return {
            "id": self.name,
            "ruleset": ruleset,
            "purposes": list(self.purposes),
            "unusual_inputs": list(self.notable),
            "record": self.record,
            "expected": self.expected,
        }


def dumps(obj: Any) -> str:
    """The one JSON layout of every generated file: sorted keys, two-space indent, final newline."""
    return json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def record_digest(record: Mapping[str, Any]) -> str:
    """A short stable digest of a record's content (names regression cases)."""
    return hashlib.sha256(json.dumps(dict(record), sort_keys=True).encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Gap:
    """A purpose no valid record can serve (or the solver could not decide): listed with the reason."""

    kind: str
    fields: tuple[tuple[str, Any], ...]
    reason: str
    undecided: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "reason": self.reason}
        out.update(self.fields)
        if self.undecided:
            out["undecided"] = True
        return out


GENERATOR = "ruleproof cases 1"


@dataclass(frozen=True, slots=True)
class Suite:
    """A generated suite: the cases (sorted by name) and what could not be covered."""

    ruleset: str
    version: str
    source_sha256: str
    cases: tuple[Case, ...]
    gaps: tuple[Gap, ...]
    dropped: tuple[str, ...] = field(default=())  # regression cases whose record is no longer valid
    queries: int = 0
    note: str = ""  # how the suite was chosen, when it is not the full one (the compact suite of a large table)

    @property
    def undecided(self) -> int:
        return sum(1 for g in self.gaps if g.undecided)

    def count(self, kind: str) -> int:
        """How many purposes of ``kind`` the suite serves."""
        return sum(1 for c in self.cases for p in c.purposes if p["kind"] == kind)


def source_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unusual_inputs(ruleset: m.Ruleset, record: Mapping[str, Any]) -> tuple[str, ...]:
    """The inputs holding something other than their typical value, in declaration order."""
    out = []
    for inp in ruleset.inputs:
        want, have = default_value(inp), record[inp.name]
        if have is None:  # unknown is not the typical value
            out.append(inp.name)
            continue
        if isinstance(want, bool) or isinstance(want, str):
            same = have == want and type(have) is type(want)
        else:
            same = not isinstance(have, (bool, str)) and to_fraction(have) == to_fraction(want)
        if not same:
            out.append(inp.name)
    return tuple(out)
