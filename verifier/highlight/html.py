"""Rule-language text as highlighted HTML for the review report (no scripts, classes styled by the report's CSS)."""

from __future__ import annotations

from pygments import highlight
from pygments.formatters import HtmlFormatter

from verifier.highlight.lexer import RulesLexer

_FORMATTER = HtmlFormatter(nowrap=True, classprefix="hl-")
_LEXER = RulesLexer()

# Token classes the report styles (short Pygments names with the prefix): keywords, operators, names...
CSS = (
    ".hl-k,.hl-kd,.hl-kr{color:#7c3aed;font-weight:600}.hl-kt{color:#0369a1}.hl-kc{color:#b45309}"
    ".hl-ow,.hl-o{color:#be185d}.hl-nb{color:#047857;font-weight:600}.hl-nf{color:#1d4ed8;font-weight:600}"
    ".hl-m{color:#b45309}.hl-s2{color:#15803d}.hl-c1{color:#6b7280;font-style:italic}"
)


def highlight_rules(text: str) -> str:
    """``text`` (rule-language source) as escaped HTML with highlighting spans; no trailing newline."""
    return highlight(text, _LEXER, _FORMATTER).rstrip("\n")
