"""The exit codes of every ``ruleproof`` subcommand, and the one rule that picks them.

The codes are the contract of the command (see the README): CI jobs branch
on them. Library code decides *what* it found (refuted, undecided, an
internal error); this module alone turns findings into a code, so that
`check`, `diff`, `cases`, `mutate` and `report` cannot disagree on
precedence.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Iterable


class ExitCode(IntEnum):
    """What a run of ``ruleproof`` ended with."""

    OK = 0
    FINDING = 1  # a refuted property, a gap, a contradiction, a dead rule, a changed case or diff
    BAD_INPUT = 2  # unreadable file, ruleset error, invalid record, bad option
    UNKNOWN = 3  # the solver gave up somewhere; never reported as proved
    INTERNAL = 4  # a bug in ruleproof itself, never a verdict about the input
    INTERRUPTED = 130  # Ctrl-C: no verdict at all


# Which code wins when one run has several outcomes. An internal error
# means no verdict can be trusted; input that could not be read means the run
# did not do what was asked (and a script that gave a bad file must hear so,
# whatever the other files showed); a finding stands whatever an undecided
# check turns out to be.
_PRECEDENCE = (ExitCode.INTERRUPTED, ExitCode.INTERNAL, ExitCode.BAD_INPUT, ExitCode.FINDING,
               ExitCode.UNKNOWN, ExitCode.OK)


def verdict(*, internal: bool = False, finding: bool = False, unknown: bool = False) -> ExitCode:
    """The code of one run from what it found."""
    return combine([ExitCode.INTERNAL] * internal + [ExitCode.FINDING] * finding + [ExitCode.UNKNOWN] * unknown)


def combine(codes: Iterable[ExitCode | int]) -> ExitCode:
    """The code of a run made of several parts (several files, several checks)."""
    seen = {ExitCode(int(c)) for c in codes}
    return next((c for c in _PRECEDENCE if c in seen), ExitCode.OK)
