"""Coverage gaps as regions, not one record at a time.

When ``coverage`` is refuted, one counterexample shows one record that gets
nothing; an author fixing the ruleset needs every *kind* of record that gets
nothing. The diff's region finder (``verifier.diff.regions``) already covers
a set of records with boxes that Z3 proves hold throughout; here the set is
"valid records given no action", found over the ruleset paired with itself.
Each region comes with an example record inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dsl import model as m

DEFAULT_MAX_GAPS = 8
# Past this many rules the Z3 search is not run (a decision table read as boxes
# does not need it: see ``boxgaps``): every query of the region finder
# carries the ruleset twice, and at thousands of rules growing eight regions
# took minutes (issue 14). The refuted check keeps its counterexample.
MAX_RULES = 1000


@dataclass(frozen=True, slots=True)
class GapRegion:
    text: str  # "site = head and depth_mm <= 5" ("every valid record" for no bound)
    example: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"region": self.text, "example": self.example}


@dataclass(frozen=True, slots=True)
class Gaps:
    regions: tuple[GapRegion, ...]
    more: bool  # the search stopped at the cap with records left uncovered
    undecided: bool  # the solver gave up: the list may be incomplete
    skipped: str | None = None  # why no search was run (then ``regions`` is empty)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"regions": [r.to_json() for r in self.regions], "more": self.more,
                               "undecided": self.undecided}
        if self.skipped is not None:
            out["skipped"] = self.skipped
        return out


def gap_regions(ruleset: m.Ruleset, timeout_s: float | None = 10.0, cap: int = DEFAULT_MAX_GAPS,
                boxes: bool = True) -> Gaps:
    """The distinct regions of valid records that get nothing recommended or considered.

    A decision table read exactly as boxes gets them by box algebra (any size);
    any other ruleset by the diff's Z3 region finder, up to MAX_RULES rules.
    ``boxes=False`` forces the Z3 path (the differential tests compare the two).
    """
    if boxes:
        from verifier.counterexamples.boxgaps import box_gap_regions

        found = box_gap_regions(ruleset, cap)
        if found is not None:
            return found
    if len(ruleset.rules) > MAX_RULES:
        return Gaps((), True, False, skipped=(
            f"not searched for a ruleset of {len(ruleset.rules):,} rules (more than {MAX_RULES:,}); for a decision "
            "table, `ruleproof tables FILE.dmn` lists every gap as boxes"))
    import z3

    from verifier.diff.regions import Focus, RegionFinder
    from verifier.diff.semantic import GIVEN_CODE, OLD, JointEncoding
    from verifier.facts.values import json_record

    joint = JointEncoding(ruleset, ruleset, None if timeout_s is None else max(1, int(timeout_s * 1000)))
    finder = RegionFinder(joint)
    codes = [joint.code[OLD][a] for a in joint.actions]
    # An action is given when its strength level is consider or recommend (see semantic.ActionStatus.code).
    gap = joint.lit("gap", lambda: z3.And([c < GIVEN_CODE for c in codes]))
    served = joint.lit("served", lambda: z3.Or([c >= GIVEN_CODE for c in codes]))
    valid = joint.valid_lit[OLD]
    focus = Focus(frozenset(i.name for i in joint.inputs))
    found, more, gave_up = finder.find([valid, gap], [valid], lambda _model: ("gap", served), focus, cap)
    boxes = finder.merge(found)
    # Growing boxes one at a time can leave one that the others already cover together: drop it.
    from verifier.diff.semantic import UNSAT

    k = 0
    while k < len(boxes):
        others = [finder.block_lit(o.box) for j, o in enumerate(boxes) if j != k]
        if others and finder.solve([valid, *finder.box_lits(boxes[k].box), *others], want_model=False).status == UNSAT:
            del boxes[k]
        else:
            k += 1
    regions = []
    for fb in boxes:
        bounds = finder.describe(fb.box, [valid], fb.seed)
        text = " and ".join(b.text for b in bounds) or "every valid record"
        regions.append(GapRegion(text, json_record(fb.seed)))
    regions.sort(key=lambda r: r.text)
    return Gaps(tuple(regions), more, gave_up)
