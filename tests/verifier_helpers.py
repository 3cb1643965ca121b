"""Small rulesets for the verifier's tests, written inline."""

from __future__ import annotations

import dsl
from dsl.model import Ruleset

HEADER = 'ruleset t version "1"\nsource s "A source"\n'


def ruleset(body: str, name: str = "<test>") -> Ruleset:
    """A checked ruleset from declarations (the header and a source ``s`` are added)."""
    try:
        return dsl.parse_ruleset(HEADER + body, name)
    except dsl.RulesetError as err:  # show the diagnostics, not just "1 error(s)"
        raise AssertionError(err.render()) from None


def rule(rid: str, when: str, *gives: str) -> str:
    """A rule line: ``gives`` like "recommend a" (category 1, source s are added)."""
    lines = [f'rule {rid} "{rid}" when {when}']
    lines += [f"  {g} category 1 sources [s]" for g in gives]
    return "\n".join(lines) + "\n"
