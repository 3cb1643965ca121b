"""Evidence grading schemes: the ordered levels a rule's ``category`` names (issue 12).

A ruleset grades its evidence in one scheme, declared with ``grading NAME``
(shipped schemes) or ``grading NAME "title" levels {strongest, ..., weakest}``
(its own). Without a declaration the scheme is NCCN's, as it always was.
"Strongest" everywhere (the category of an action given by several rules,
the diff's category changes, the graph's ordering) is the scheme's order.

Each level has a label in the scheme's own words, used by every output that
is read by people.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GradingScheme:
    """A named scheme; ``levels`` strongest first, ``labels`` in the same order."""

    name: str
    title: str
    levels: tuple[str, ...]
    labels: tuple[str, ...]

    def rank(self, level: str) -> int:
        """0 for the strongest level."""
        return self.levels.index(level)

    def label(self, level: str) -> str:
        return self.labels[self.levels.index(level)]


def _esc() -> GradingScheme:
    levels, labels = [], []
    for cls in ("I", "IIa", "IIb", "III"):
        for lvl in ("A", "B", "C"):
            levels.append(f"{cls}-{lvl}")
            labels.append(f"Class {cls}, level {lvl}")
    return GradingScheme("esc", "ESC: class of recommendation (I, IIa, IIb, III) and level of evidence (A, B, C)",
                         tuple(levels), tuple(labels))


def _grade() -> GradingScheme:
    levels, labels = [], []
    for strength in ("strong", "weak"):
        for certainty in ("high", "moderate", "low", "very_low"):
            levels.append(f"{strength}-{certainty}")
            labels.append(f"{strength} recommendation, {certainty.replace('_', ' ')} certainty of evidence")
    return GradingScheme("grade", "GRADE: strength of recommendation (strong, weak) and certainty of evidence",
                         tuple(levels), tuple(labels))


NCCN = GradingScheme(
    "nccn", "NCCN categories of evidence and consensus",
    ("1", "2A", "2B", "3"),
    ("category 1", "category 2A", "category 2B", "category 3"),
)
USPSTF = GradingScheme(
    "uspstf", "USPSTF grades",
    ("A", "B", "C", "D", "I"),
    ("Grade A", "Grade B", "Grade C", "Grade D", "I statement (insufficient evidence)"),
)
ESC = _esc()
GRADE = _grade()

SHIPPED: dict[str, GradingScheme] = {s.name: s for s in (NCCN, ESC, GRADE, USPSTF)}
DEFAULT = NCCN
