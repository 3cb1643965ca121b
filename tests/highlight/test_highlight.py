"""Syntax highlighting: the Pygments lexer (and its entry point), the TextMate grammar, the report."""

from __future__ import annotations

import json
import re
from importlib.metadata import entry_points

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String

from dsl.parser import reserved_words
from tests.conftest import LIPO_RULES, REPO
from verifier.highlight.html import highlight_rules
from verifier.highlight.lexer import ALL_WORDS, RulesLexer

README_BLOCKS = re.findall(r"```rules(?:-reference)?\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), flags=re.S)
TEXTS = [LIPO_RULES.read_text(encoding="utf-8"), *README_BLOCKS]
GRAMMAR = json.loads((REPO / "editors" / "textmate" / "ruleproof.tmLanguage.json").read_text(encoding="utf-8"))


def test_lexer_is_registered_for_fences_and_files() -> None:
    (ep,) = [e for e in entry_points(group="pygments.lexers") if e.value.startswith("verifier.")]
    assert ep.load() is RulesLexer
    assert isinstance(get_lexer_by_name("rules"), RulesLexer)
    assert isinstance(get_lexer_for_filename("guideline.rules"), RulesLexer)


def test_lexer_knows_exactly_the_reserved_words() -> None:
    assert ALL_WORDS == reserved_words()


@pytest.mark.parametrize("text", TEXTS, ids=["liposarcoma"] + [f"readme{k}" for k in range(len(README_BLOCKS))])
def test_lexer_reads_real_rules_without_errors(text: str) -> None:
    tokens = list(RulesLexer().get_tokens(text))
    assert "".join(v for _, v in tokens) == text if text.endswith("\n") else text + "\n"
    assert not [v for t, v in tokens if t in Error]
    words = reserved_words()
    assert not [v for t, v in tokens if t is Name and v in words]  # a reserved word is never shown as a name
    assert any(t in Comment for t, _ in tokens) or "#" not in text


def test_lexer_roles() -> None:
    toks = [(t, v) for t, v in RulesLexer().get_tokens('rule r "t" when given(kind a) and n >= 2.5 # c\n') if v.strip()]
    assert toks == [
        (Keyword.Declaration, "rule"), (Name.Function, "r"), (String.Double, '"t"'), (Keyword.Declaration, "when"),
        (Name.Builtin, "given"), (toks[5][0], "("), (Operator.Word, "kind"), (Name, "a"), (toks[8][0], ")"),
        (Operator.Word, "and"), (Name, "n"), (Operator, ">="), (Number, "2.5"), (Comment.Single, "# c"),
    ]


def test_report_highlights_conditions() -> None:
    html = highlight_rules('size_cm > 5 and subtype != "x<y"')
    assert '<span class="hl-ow">and</span>' in html and '<span class="hl-m">5</span>' in html
    assert "&lt;" in html and "<y" not in html  # escaped


# ---------------------------------------------------------------- TextMate grammar


def _rules(node: dict, repo: dict) -> list[dict]:
    """The grammar's match rules in priority order (includes resolved)."""
    out: list[dict] = []
    for p in node.get("patterns", []):
        if "include" in p:
            out += _rules(repo[p["include"][1:]], repo) if "patterns" in repo[p["include"][1:]] else [repo[p["include"][1:]]]
        else:
            out.append(p)
    return out


def _scopes(line: str) -> list[tuple[str, str]]:
    """A minimal TextMate tokenizer: at each position, the earliest match of the first rule wins."""
    rules = _rules(GRAMMAR, GRAMMAR["repository"])
    compiled = [(re.compile(r["match"]), r) for r in rules]
    pos, out = 0, []
    while pos < len(line):
        best = None
        for rx, r in compiled:
            m = rx.search(line, pos)
            if m and m.end() > m.start() and (best is None or m.start() < best[0].start()):
                best = (m, r)
        if best is None:
            break
        m, r = best
        if "captures" in r:
            out += [(m.group(int(k)), c["name"]) for k, c in sorted(r["captures"].items())]
        else:
            out.append((m.group(), r["name"]))
        pos = m.end()
    return out


def test_textmate_grammar_patterns_compile_and_cover_the_reserved_words() -> None:
    assert GRAMMAR["scopeName"] == "source.ruleproof" and GRAMMAR["fileTypes"] == ["rules"]
    listed: set[str] = set()
    for r in _rules(GRAMMAR, GRAMMAR["repository"]):
        re.compile(r["match"])
        if "name" in r and r["match"].startswith("\\b(") and r["match"].endswith(")\\b"):
            listed |= set(r["match"][3:-3].split("|"))
    assert listed == set(reserved_words())


def test_textmate_grammar_scopes() -> None:
    assert _scopes('rule r "a # b" when not given(kind surgery) and n <= 5  # why') == [
        ("rule", "keyword.declaration.ruleproof"), ("r", "entity.name.function.ruleproof"),
        ('"a # b"', "string.quoted.double.ruleproof"), ("when", "keyword.control.ruleproof"),
        ("not", "keyword.operator.word.ruleproof"), ("given", "support.function.status.ruleproof"),
        ("(", "punctuation.ruleproof"), ("kind", "keyword.operator.word.ruleproof"),
        (")", "punctuation.ruleproof"), ("and", "keyword.operator.word.ruleproof"),
        ("<=", "keyword.operator.ruleproof"), ("5", "constant.numeric.ruleproof"),
        ("# why", "comment.line.number-sign.ruleproof"),
    ]
    assert ("2A", "constant.numeric.category.ruleproof") in _scopes("recommend a category 2A sources [s]")
