"""The rule language: text to one immutable, checked ``Ruleset``."""

from __future__ import annotations

from pathlib import Path

from dsl.checker import check
from dsl.errors import Diagnostic, RulesetError
from dsl.model import Ruleset
from dsl.parser import parse
from dsl.span import Span

__all__ = ["Diagnostic", "Ruleset", "RulesetError", "load_ruleset", "parse_ruleset", "check_text", "check_text_cached"]


MAX_RULES_BYTES = 16 * 1024 * 1024  # parse() caps the characters the same; a 10,000-row DMN table is 5 MB


def check_text(text: str, path: str = "<string>") -> tuple[Ruleset, list[Diagnostic]]:
    """Parse and check rules text; returns the ruleset and its warnings.

    Raises ``RulesetError`` holding every error found.
    """
    if text.startswith("\ufeff"):  # not part of the text: columns are counted without it
        text = text[1:]
    return check(parse(text, path), text)


def check_text_cached(text: str, path: str = "<string>") -> tuple[Ruleset, list[Diagnostic]]:
    """``check_text``, reusing the checked ruleset kept for this very text and path
    (large rulesets only; see ``dsl.checked_cache``). Errors are never kept: a
    ruleset with errors is checked, and reported, every time."""
    from dsl import checked_cache

    if text.startswith("\ufeff"):
        text = text[1:]
    kept = checked_cache.load(text, path)
    if kept is not None:
        return kept
    ruleset, warnings = check_text(text, path)
    checked_cache.store(text, path, ruleset, warnings)
    return ruleset, warnings


def parse_ruleset(text: str, path: str = "<string>") -> Ruleset:
    """Parse and check rules text, dropping warnings."""
    return check_text(text, path)[0]


def read_rules_file(path: str | Path) -> str:
    """The text of a rules file, or ``RulesetError`` saying why it cannot be read."""
    p = str(path)
    try:
        with open(p, "rb") as fh:
            # One read, bounded: a ruleset is text a committee writes, not gigabytes.
            data = fh.read(MAX_RULES_BYTES + 1)
        if len(data) > MAX_RULES_BYTES:
            reason = f"too large (more than {MAX_RULES_BYTES} bytes)"
        else:
            return data.decode("utf-8")
    except OSError as err:
        reason = err.strerror or str(err)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        reason = f"not valid utf-8 text (byte {err.start + 1}, line {line})"
    raise RulesetError([Diagnostic("error", f"cannot read ruleset: {reason}", Span(p, 0, 0, 0, 0))], None)


def load_ruleset(path: str | Path) -> Ruleset:
    """Read, parse and check a rules file."""
    return parse_ruleset(read_rules_file(path), str(path))


def load_ruleset_with_warnings(path: str | Path) -> tuple[Ruleset, list[Diagnostic]]:
    """Read, parse and check a rules file, keeping the warnings."""
    return check_text(read_rules_file(path), str(path))
