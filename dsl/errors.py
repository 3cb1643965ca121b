"""Diagnostics as data, and the one error type the dsl raises."""

from __future__ import annotations

from dataclasses import dataclass

from dsl.span import Span


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about a rules file: ``severity`` is "error" or "warning"."""

    severity: str
    message: str
    span: Span

    def render(self, text: str | None) -> str:
        """``PATH:LINE:COL: error: MESSAGE`` then the offending line and a caret."""
        where = str(self.span) if self.span.line > 0 else self.span.path
        head = f"{where}: {self.severity}: {self.message}"
        if text is None or self.span.line <= 0:
            return head
        lines = text.splitlines()
        if self.span.line > len(lines):
            return head
        src = lines[self.span.line - 1].expandtabs(1)
        width = 1
        if self.span.end_line == self.span.line and self.span.end_col > self.span.col:
            width = self.span.end_col - self.span.col
        width = max(1, min(width, len(src) - self.span.col + 1))
        caret = " " * (self.span.col - 1) + "^" + "~" * (width - 1)
        return f"{head}\n    {src}\n    {caret}"


class RulesetError(Exception):
    """A rules file that cannot be turned into a checked ruleset.

    ``diagnostics`` holds every error (and warning) found, in file order.
    """

    def __init__(self, diagnostics: list[Diagnostic], text: str | None) -> None:
        self.diagnostics = diagnostics
        self.text = text
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in ruleset")

    def render(self) -> str:
        return "\n".join(d.render(self.text) for d in self.diagnostics)
