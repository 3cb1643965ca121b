"""The S-FEEL subset of DMN cells: unary tests (input entries) and literals.

Supported input entries: ``-``; a comma-separated list (a disjunction) of
simple tests, optionally wrapped in ``not(...)``; a simple test is a literal
(equality), a comparison ``< <= > >= =`` with a literal, an interval
``[a..b]``, ``(a..b)``, ``]a..b[`` and mixed ends, or ``null``. Literals are
numbers, strings and booleans. Anything else (names of other variables,
function calls, dates, arithmetic) raises ``FeelUnsupported`` naming it: a
cell is translated exactly or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

Literal = Union[Fraction, str, bool, None]  # None is FEEL null


class FeelUnsupported(ValueError):
    """The text is outside the S-FEEL subset (message says what is not supported)."""


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # "<", "<=", ">", ">=", "="
    value: Literal


@dataclass(frozen=True, slots=True)
class Interval:
    lo: Fraction
    lo_closed: bool
    hi: Fraction
    hi_closed: bool


SimpleTest = Union[Compare, Interval]


@dataclass(frozen=True, slots=True)
class UnaryTests:
    """``any`` for ``-``; otherwise a disjunction of ``tests``, negated by ``not(...)``."""

    any: bool
    tests: tuple[SimpleTest, ...]
    negated: bool


ANY = UnaryTests(True, (), False)

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\]|\\.)*")
    | (?P<num>\d+(?:\.\d+)?|\.\d+)
    | (?P<op><=|>=|!=|\.\.|[<>=\[\]\(\),-])
    | (?P<name>[A-Za-z_?][A-Za-z0-9_?]*)
    | (?P<bad>\S)
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        pos = m.end()
        kind = m.lastgroup
        assert kind is not None
        if kind == "bad":
            raise FeelUnsupported(f"unexpected character {m.group(kind)!r}")
        out.append((kind, m.group(kind)))
    return out


def _unescape(s: str) -> str:
    body = s[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        t = self.peek()
        if t is None:
            raise FeelUnsupported(f"unexpected end of {self.text!r}")
        self.i += 1
        return t

    def expect(self, op: str) -> None:
        t = self.take()
        if t != ("op", op):
            raise FeelUnsupported(f"expected {op!r} but found {t[1]!r} in {self.text!r}")

    def at_end(self) -> bool:
        return self.i >= len(self.toks)

    def literal(self) -> Literal:
        t = self.take()
        if t[0] == "str":
            return _unescape(t[1])
        if t[0] == "num":
            return Fraction(t[1])
        if t == ("op", "-"):
            n = self.take()
            if n[0] != "num":
                raise FeelUnsupported(f"expected a number after '-' in {self.text!r}")
            return -Fraction(n[1])
        if t[0] == "name":
            if t[1] == "true":
                return True
            if t[1] == "false":
                return False
            if t[1] == "null":
                return None
            nxt = self.peek()
            if nxt == ("op", "("):
                raise FeelUnsupported(f"function call {t[1]}(...) is not S-FEEL supported by ruleproof")
            raise FeelUnsupported(f"name {t[1]!r} (a reference to another variable) is not supported in a cell")
        raise FeelUnsupported(f"unexpected {t[1]!r} in {self.text!r}")

    def number(self) -> Fraction:
        v = self.literal()
        if not isinstance(v, Fraction) or isinstance(v, bool):
            raise FeelUnsupported(f"an interval end must be a number in {self.text!r}")
        return v

    def simple(self) -> SimpleTest:
        t = self.peek()
        if t is not None and t[0] == "op" and t[1] in ("<", "<=", ">", ">=", "="):
            self.take()
            return Compare(t[1], self.literal())
        if t is not None and t[0] == "op" and t[1] == "!=":
            raise FeelUnsupported("'!=' is not an S-FEEL unary test (write not(...))")
        if t is not None and t[0] == "op" and t[1] in ("[", "(", "]"):
            self.take()
            lo_closed = t[1] == "["
            lo = self.number()
            self.expect("..")
            hi = self.number()
            end = self.take()
            if end not in (("op", "]"), ("op", ")"), ("op", "[")):
                raise FeelUnsupported(f"an interval must end with ']', ')' or '[' in {self.text!r}")
            return Interval(lo, lo_closed, hi, end[1] == "]")
        return Compare("=", self.literal())

    def tests(self) -> tuple[SimpleTest, ...]:
        out = [self.simple()]
        while self.peek() == ("op", ","):
            self.take()
            out.append(self.simple())
        return tuple(out)


def parse_unary_tests(text: str) -> UnaryTests:
    """The unary tests of an input entry; raises ``FeelUnsupported``."""
    stripped = text.strip()
    if stripped in ("-", ""):
        return ANY
    p = _Parser(stripped)
    negated = False
    if p.peek() == ("name", "not"):
        p.take()
        p.expect("(")
        negated = True
        tests = p.tests()
        p.expect(")")
    else:
        tests = p.tests()
    if not p.at_end():
        raise FeelUnsupported(f"unexpected {p.peek()[1]!r} in {stripped!r} (only S-FEEL unary tests are supported)")  # type: ignore[index]
    return UnaryTests(False, tests, negated)


def parse_literal(text: str) -> Literal:
    """A literal output entry or value-list item; empty text is null."""
    stripped = text.strip()
    if stripped == "":
        return None
    p = _Parser(stripped)
    v = p.literal()
    if not p.at_end():
        raise FeelUnsupported(f"{stripped!r} is not a literal (only numbers, strings, booleans and null are supported as outputs)")
    return v


def parse_literal_list(text: str) -> tuple[Literal, ...]:
    """A comma-separated list of literals (an ``outputValues`` or ``allowedValues`` list)."""
    p = _Parser(text.strip())
    out = [p.literal()]
    while p.peek() == ("op", ","):
        p.take()
        out.append(p.literal())
    if not p.at_end():
        raise FeelUnsupported(f"{text.strip()!r} is not a list of literals")
    return tuple(out)


def matches(tests: UnaryTests, value: Literal) -> bool:
    """Whether ``value`` satisfies ``tests`` (FEEL semantics; null fails every test but ``-`` and ``null``)."""
    if tests.any:
        return True
    if value is None:
        # A test against null is null (not a match), negated or not, except the test null itself.
        hit = any(isinstance(t, Compare) and t.op == "=" and t.value is None for t in tests.tests)
        return hit != tests.negated if hit else False
    results = [_simple(t, value) for t in tests.tests]
    if any(r is True for r in results):
        return not tests.negated
    if tests.negated and all(r is False for r in results):
        return True
    return False


def _simple(t: SimpleTest, v: Literal) -> bool | None:
    """True, False, or None when FEEL gives null (comparing values of different types)."""
    if isinstance(t, Interval):
        if not isinstance(v, Fraction):
            return None
        lo_ok = v >= t.lo if t.lo_closed else v > t.lo
        hi_ok = v <= t.hi if t.hi_closed else v < t.hi
        return lo_ok and hi_ok
    w = t.value
    if w is None:
        return False  # a non-null value is not null
    if type(w) is not type(v):
        return None
    if t.op == "=":
        return v == w
    if isinstance(v, bool):
        return None  # booleans are not ordered
    return {"<": v < w, "<=": v <= w, ">": v > w, ">=": v >= w}[t.op]  # type: ignore[operator]
