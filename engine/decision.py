"""What the engine says about one record: recommendations, fired rules, trace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One action of a decision, listed once however many rules give it.

    ``strength`` is recommend, consider or avoid; ``category`` is the strongest
    evidence category among the rules that give it at that strength;
    ``alternatives`` names the other actions of a "one of" line it belongs to.
    """

    action: str
    kind: str
    label: str
    strength: str
    category: str
    rules: tuple[str, ...]
    sources: tuple[str, ...]
    alternatives: tuple[str, ...]
    # issue 12: the category in the grading scheme's own words ("Class I, level A");
    # empty for the default NCCN scheme, whose outputs stay as they were.
    evidence: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": self.action,
            "strength": self.strength,
            "category": self.category,
            **({"evidence": self.evidence} if self.evidence else {}),
            "rules": list(self.rules),
            "sources": list(self.sources),
            "kind": self.kind,
            "label": self.label,
        }
        if self.alternatives:
            out["alternatives"] = list(self.alternatives)
        return out


@dataclass(frozen=True, slots=True)
class ConditionTrace:
    condition: str
    holds: bool
    # issue 12: the computed numbers the condition reads ("cha2ds2_va = 4 (...)").
    values: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"condition": self.condition, "holds": self.holds}
        if self.values:
            out["values"] = list(self.values)
        return out


@dataclass(frozen=True, slots=True)
class RuleTrace:
    rule: str
    title: str
    location: str
    conditions: tuple[ConditionTrace, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "location": self.location,
            "conditions": [c.to_json() for c in self.conditions],
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of evaluating one valid record.

    For a ruleset that ``ruleproof check`` proved, ``avoided_but_given`` and
    ``conflicts`` are empty. The engine still reports them rather than
    silently letting one rule override another.
    """

    ruleset: str
    version: str
    recommendations: tuple[Recommendation, ...]
    fired: tuple[str, ...]
    avoided_but_given: tuple[str, ...] = ()
    conflicts: tuple[tuple[str, str], ...] = ()
    trace: tuple[RuleTrace, ...] | None = None
    grading: str = "nccn"  # issue 12: the ruleset's grading scheme

    @property
    def recommended(self) -> frozenset[str]:
        return frozenset(r.action for r in self.recommendations if r.strength == "recommend")

    @property
    def considered(self) -> frozenset[str]:
        return frozenset(r.action for r in self.recommendations if r.strength == "consider")

    @property
    def avoided(self) -> frozenset[str]:
        """Every action some fired rule says to avoid (even one another rule gives)."""
        plain = frozenset(r.action for r in self.recommendations if r.strength == "avoid")
        return plain | frozenset(self.avoided_but_given)

    @property
    def given(self) -> frozenset[str]:
        return self.recommended | self.considered

    @property
    def contradictions(self) -> tuple[str, ...]:
        out = [f"{a} is both given and avoided" for a in self.avoided_but_given]
        out += [f"{a} and {b} conflict but are both given" for a, b in self.conflicts]
        return tuple(out)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ruleset": self.ruleset,
            "version": self.version,
            **({"grading": self.grading} if self.grading != "nccn" else {}),
            "recommendations": [r.to_json() for r in self.recommendations],
            "fired": list(self.fired),
        }
        if self.contradictions:
            out["contradictions"] = list(self.contradictions)
        if self.trace is not None:
            out["trace"] = [t.to_json() for t in self.trace]
        return out
