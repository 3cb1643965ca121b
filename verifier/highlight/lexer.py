"""A Pygments lexer for ruleproof rules files.

Registered as a ``pygments.lexers`` entry point (pyproject.toml), so any
Pygments-based tool (Sphinx, MkDocs, pandoc with a Pygments filter, the
``pygmentize`` command) highlights ```` ```rules ```` fences and ``*.rules``
files once ruleproof is installed. The keyword list is the grammar's own
(``dsl.parser.reserved_words``), split by role; a test keeps the two equal.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

# The reserved words, by what they do in a file.
DECLARATIONS = ("ruleset", "version", "source", "year", "url", "input", "unit", "doc", "define", "action",
                "actions", "constraint", "phase", "rule", "when", "because", "conflict", "with", "property",
                "coverage", "x", "category", "sources", "grading", "levels", "baseline", "example", "from",
                "expect", "effect", "pathway", "table")
STRENGTHS = ("recommend", "consider", "avoid", "one", "of")
TYPES = ("bool", "int", "real", "enum", "optional")
OPERATORS = ("and", "or", "not", "implies", "iff", "in", "except", "kind", "any", "if", "then", "else", "points",
             "known", "always", "never", "before", "after", "eventually", "within", "steps", "until", "leaves",
             "taken")
CONSTANTS = ("true", "false", "null")
STATUSES = ("recommended", "considered", "given", "avoided", "alternatives")
ALL_WORDS = frozenset(DECLARATIONS + STRENGTHS + TYPES + OPERATORS + CONSTANTS + STATUSES)

_END = r"(?![A-Za-z0-9_])"


class RulesLexer(RegexLexer):
    """Lexer for the ruleproof rule language (clinical guideline rulesets)."""

    name = "ruleproof rules"
    aliases = ["rules", "ruleproof"]
    filenames = ["*.rules"]
    mimetypes = ["text/x-ruleproof-rules"]
    url = "https://github.com/"  # the project has no public home yet; Pygments only shows it

    tokens = {
        "root": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"(?:[^"\\\n]|\\.)*"', String.Double),
            # The id right after a declaring keyword is a definition site.
            (r"(ruleset|input|define|action|actions|constraint|rule|property|coverage|phase|source|grading|baseline|"
             r"example|effect|pathway|table)(\s+)"
             r"([A-Za-z_][A-Za-z0-9_]*)",
             bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (r"(category)(\s+)([A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)" + _END, bygroups(Keyword.Declaration, Whitespace, Number)),
            (words(STATUSES, suffix=_END), Name.Builtin),
            (words(STRENGTHS, suffix=_END), Keyword.Reserved),
            (words(TYPES, suffix=_END), Keyword.Type),
            (words(CONSTANTS, suffix=_END), Keyword.Constant),
            (words(OPERATORS, suffix=_END), Operator.Word),
            (words(DECLARATIONS, suffix=_END), Keyword.Declaration),
            (r"\d+(?:\.\d+)?", Number),
            (r"<=|>=|==|!=|<|>|\+|-|\*|=", Operator),
            (r"[{}\[\](),:|]", Punctuation),  # '|' separates the cells of a table row
            (r"\.\.", Operator),  # a range in a table cell: [0..10)
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
            (r".", Text),
        ],
    }
