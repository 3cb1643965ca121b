"""How ruleproof's strength and NCCN category map to the CPG grading extensions.

One explicit mapping, documented in the README's FHIR section:

* ``cqf-strengthOfRecommendation`` (code system recommendation-strength):
  ``strong`` for a ``recommend`` or ``avoid`` line of category 1 or 2A
  (uniform consensus); ``weak`` for category 2B or 3, and for every
  ``consider`` line (the committee offers the action, it does not ask for it).
* ``cqf-qualityOfEvidence`` (code system evidence-quality), from the category
  alone: 1 -> high, 2A -> moderate, 2B -> low, 3 -> very-low. NCCN categories
  mix evidence level with the panel's consensus; the order is kept and the
  exact category travels in the CodeableConcept's text ("NCCN category 2A").
"""

from __future__ import annotations

from typing import Any

STRENGTH_EXT = "http://hl7.org/fhir/StructureDefinition/cqf-strengthOfRecommendation"
EVIDENCE_EXT = "http://hl7.org/fhir/StructureDefinition/cqf-qualityOfEvidence"
STRENGTH_SYSTEM = "http://terminology.hl7.org/CodeSystem/recommendation-strength"
EVIDENCE_SYSTEM = "http://terminology.hl7.org/CodeSystem/evidence-quality"

_STRONG_CATEGORIES = ("1", "2A")
EVIDENCE = {"1": "high", "2A": "moderate", "2B": "low", "3": "very-low"}
_EVIDENCE_DISPLAY = {"high": "High quality", "moderate": "Moderate quality", "low": "Low quality",
                     "very-low": "Very low quality"}


def strength_code(strength: str, category: str) -> str:
    """``strong`` or ``weak`` for one line of a rule (``strength`` is recommend/consider/avoid)."""
    if strength == "consider":
        return "weak"
    return "strong" if category in _STRONG_CATEGORIES else "weak"


def grading_extensions(strength: str, category: str) -> list[dict[str, Any]]:
    """The two CPG extensions for one line of a rule."""
    s = strength_code(strength, category)
    q = EVIDENCE[category]
    return [
        {"url": STRENGTH_EXT, "valueCodeableConcept": {
            "coding": [{"system": STRENGTH_SYSTEM, "code": s, "display": s.capitalize()}],
            "text": f"ruleproof {strength}, NCCN category {category}"}},
        {"url": EVIDENCE_EXT, "valueCodeableConcept": {
            "coding": [{"system": EVIDENCE_SYSTEM, "code": q, "display": _EVIDENCE_DISPLAY[q]}],
            "text": f"NCCN category {category}"}},
    ]
