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
        """``PATH:LINE:COL: error: MESSAGE`` then the offending line and a caret.

        Lines are counted by ``\\n`` alone, as the parser counts them (a form
        feed or a lone carriage return does not start a line); tabs are shown
        as spaces with the caret kept under the right character.
        """
        where = str(self.span) if self.span.line > 0 else self.span.path
        head = f"{where}: {self.severity}: {self.message}"
        if text is None or self.span.line <= 0:
            return head
        lines = text.split("\n")
        if self.span.line > len(lines):
            return head
        raw = lines[self.span.line - 1].rstrip("\r")
        col = max(1, self.span.col)
        end = col + 1
        if self.span.end_line == self.span.line and self.span.end_col > col:
            end = self.span.end_col
        elif self.span.end_line > self.span.line:  # a span over several lines: mark the rest of the first
            end = len(raw.rstrip()) + 1
        end = max(col + 1, min(end, len(raw) + 1))
        if len(raw) > _SHOWN:
            # A huge line (minified, or an attack) is shown as a window around the error.
            lo = max(0, min(col - 1 - _SHOWN // 2, len(raw) - _SHOWN))
            hi = lo + _SHOWN
            left, right = ("..." if lo > 0 else ""), ("..." if hi < len(raw) else "")
            raw = left + raw[lo:hi] + right
            col = col - lo + len(left)
            end = min(end - lo + len(left), len(raw) + 1)
            end = max(col + 1, end)
        src = _printable(raw)
        start_at = len(_printable(raw[: col - 1]))
        width = max(1, len(_printable(raw[: end - 1])) - start_at)
        caret = " " * start_at + "^" + "~" * (width - 1)
        return f"{head}\n    {src}\n    {caret}"


_TAB = 4
_SHOWN = 160  # characters of a long source line shown under a diagnostic


def _printable(s: str) -> str:
    """``s`` as shown under a diagnostic: tabs expanded, other control characters as spaces."""
    s = s.expandtabs(_TAB)
    return "".join(c if c.isprintable() else " " for c in s)


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
