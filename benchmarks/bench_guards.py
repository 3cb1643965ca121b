"""Guard strength of the liposarcoma properties, before and after the row properties (issue 11).

"Before" is the ruleset with the block "section 3, row by row" cut out (the
spec_* terms, the derived-term anchors and the row_* properties); "after" is
the ruleset as committed. Each figure is the share of the non-equivalent
mutants of `ruleproof mutate` that `ruleproof check` refutes.
"""

from __future__ import annotations

import time
from pathlib import Path

import dsl
from verifier.mutation.analysis import EQUIVALENT, UNDECIDED, EquivalenceChecker
from verifier.mutation.guards import guard_report
from verifier.mutation.mutants import mutants

RULESET = Path(__file__).resolve().parents[1] / "rulesets" / "liposarcoma.rules"
START = "# ------------------------------------------- section 3, row by row (raw inputs)"
END = "# ----------------------------------------------------------------- coverage"


def measure(text: str, label: str) -> None:
    start = time.perf_counter()
    rs = dsl.parse_ruleset(text, str(RULESET))
    checker = EquivalenceChecker(rs)
    candidates = [mu for mu in mutants(rs) if checker.decide(mu)[0] not in (EQUIVALENT, UNDECIDED)]
    report = guard_report(rs, checker.enc, checker._fires, candidates)
    o = report.overall
    print(f"{label}: {o.refuted} / {o.total} non-equivalent mutants refuted by check = {100 * o.rate:.1f}% "
          f"({len(rs.properties)} properties; unguarded rules: {', '.join(report.unguarded) or 'none'}; "
          f"{time.perf_counter() - start:.0f} s)")


def main() -> None:
    text = RULESET.read_text(encoding="utf-8")
    if START in text and END in text:
        measure(text[: text.index(START)] + text[text.index(END):], "before (P1-P14, anchors)")
    measure(text, "after (plus the rows of section 3)")


if __name__ == "__main__":
    main()
