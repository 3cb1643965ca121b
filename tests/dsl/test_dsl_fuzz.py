"""Fuzzing the front end: whatever the text, the dsl raises nothing but ``dsl.RulesetError``.

Inputs are arbitrary text, soups of the language's own tokens, and random
mutations (characters, tokens, lines, truncation) of the real ruleset. Every
error must also render, and every diagnostic must point into the file.

Checking the whole real ruleset takes ~70 ms (a mutation usually stops the
parse earlier), so besides mutations of the whole file there are many more
of a window of it (the header plus a run of its lines). The whole file runs
in well under 30 s.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dsl

ROOT = Path(__file__).resolve().parents[2]
REAL_RULESET = ROOT / "rulesets" / "liposarcoma.rules"

# Used only until rulesets/liposarcoma.rules exists.
_FALLBACK = """\
ruleset lipo version "1.0"
source nccn "NCCN" year 2024 url "http://x"
input x1: real [0.1, 100] unit "cm" doc "d"
input s: enum {a, b, none}
input k: int [0, 10]
define hi = x1 > 5 and s in {a, none} or not (x1 - 2 * 3 >= -1)
action wide: surgery "Wide"
action chemo: systemic "Chemo"
actions cyt = {chemo, kind systemic}
conflict wide with cyt
constraint C1 "m": s == a implies x1 <= 2
phase primary "Primary" when hi {
  rule r1 "t" when s != b and k >= 2
    recommend one of {wide, chemo} category 1 sources [nccn]
    consider wide category 2B sources [nccn, nccn]
    because "x"
}
property P1 "p": given(kind surgery) implies recommended(any except {wide})
coverage cells "c": s
"""

SOURCE = REAL_RULESET.read_text(encoding="utf-8") if REAL_RULESET.exists() else _FALLBACK
LINES = SOURCE.split("\n")
HEADER_LINE = next(line for line in LINES if line.startswith("ruleset "))

# The file's tokens (words, numbers, strings, comments, operators), for token-level mutations.
_TOKEN_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|<=|>=|==|!=|\S')
VOCABULARY = sorted({m.group() for m in _TOKEN_RE.finditer(SOURCE) if not m.group().startswith("#")})
# Characters worth inserting: the language's punctuation, whitespace and some troublemakers.
SPECIAL_CHARS = list('{}[]()<>=!,:#"\\-+*./&|@\'\t\r\n \x00\x0c\ufeff\u2028é0129_')

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_robust(text: str) -> None:
    """``text`` checks, or raises a ``RulesetError`` that renders; nothing else may escape."""
    try:
        _, diagnostics = dsl.check_text(text, "fuzz.rules")
    except dsl.RulesetError as err:
        diagnostics = err.diagnostics
        assert any(d.severity == "error" for d in diagnostics)
        assert isinstance(err.render(), str)
    else:
        assert all(d.severity == "warning" for d in diagnostics)
    line_count = len(text.split("\n"))
    for d in diagnostics:
        assert d.message
        assert d.span.path == "fuzz.rules"
        assert 1 <= d.span.line <= line_count, d
        assert d.span.col >= 1, d
        assert isinstance(d.render(text), str)


# ---------------------------------------------------------------- mutations


@st.composite
def char_mutation(draw, text: str) -> str:
    i = draw(st.integers(0, max(0, len(text) - 1)))
    op = draw(st.sampled_from(["delete", "insert", "replace"]))
    if op == "delete":
        return text[:i] + text[i + 1:]
    c = draw(st.one_of(st.sampled_from(SPECIAL_CHARS), st.characters()))
    if op == "insert":
        return text[:i] + c + text[i:]
    return text[:i] + c + text[i + 1:]


@st.composite
def token_mutation(draw, text: str) -> str:
    spans = [m.span() for m in _TOKEN_RE.finditer(text)]
    if not spans:
        return text
    start, end = spans[draw(st.integers(0, len(spans) - 1))]
    op = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
    token = draw(st.sampled_from(VOCABULARY))
    if op == "delete":
        return text[:start] + text[end:]
    if op == "insert":
        return text[:start] + token + " " + text[start:]
    if op == "replace":
        return text[:start] + token + text[end:]
    return text[:end] + " " + text[start:end] + text[end:]


@st.composite
def line_mutation(draw, text: str) -> str:
    lines = text.split("\n")
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines) - 1))
    op = draw(st.sampled_from(["swap", "duplicate", "delete", "truncate"]))
    if op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "duplicate":
        lines.insert(j, lines[i])
    elif op == "delete":
        del lines[i]
    else:
        return text[: draw(st.integers(0, len(text)))]
    return "\n".join(lines)


def mutation(text: str) -> st.SearchStrategy[str]:
    return st.one_of(char_mutation(text), token_mutation(text), line_mutation(text))


@st.composite
def mutated(draw, base: str, max_mutations: int = 3) -> str:
    text = base
    for _ in range(draw(st.integers(1, max_mutations))):
        text = draw(mutation(text))
    return text


@st.composite
def window(draw) -> str:
    """The header and a run of consecutive lines of the real ruleset."""
    length = draw(st.integers(1, 80))
    start = draw(st.integers(0, max(0, len(LINES) - length)))
    chunk = LINES[start:start + length]
    if HEADER_LINE not in chunk:
        chunk = [HEADER_LINE] + chunk
    return "\n".join(chunk) + "\n"


@st.composite
def mutated_window(draw) -> str:
    return draw(mutated(draw(window())))


# ---------------------------------------------------------------- the tests


@settings(FAST, max_examples=500)
@given(st.text())
def test_arbitrary_text(text):
    check_robust(text)


@settings(FAST, max_examples=300)
@given(st.text())
def test_arbitrary_text_after_a_header(text):
    check_robust(HEADER_LINE + "\n" + text)


TOKEN_SOUP = st.lists(
    st.one_of(st.sampled_from(VOCABULARY), st.sampled_from([" ", " ", "\n", "(", ")", "{", "}", "-", "0.5"])),
    max_size=60,
).map(" ".join)


@settings(FAST, max_examples=500)
@given(TOKEN_SOUP)
def test_soup_of_the_languages_tokens(body):
    check_robust(HEADER_LINE + "\n" + body)


@settings(FAST, max_examples=500)
@given(mutated_window())
def test_mutations_of_windows_of_the_real_ruleset(text):
    check_robust(text)


@settings(FAST, max_examples=200)
@given(mutated(SOURCE, max_mutations=2))
def test_mutations_of_the_whole_real_ruleset(text):
    check_robust(text)


def test_unmutated_real_ruleset_checks():
    rs, _ = dsl.check_text(SOURCE, "fuzz.rules")
    assert rs.rules
