"""Reading the rows of a decision table (issue 14).

The grammar takes a whole row, from its first ``|`` to the end of the line,
as one token; this module reads the cells in it. A table of thousands of rows
then costs the LALR parser one token a row, and each cell is read by a small
scanner instead of the general expression machinery.

A row is ``| cell | cell | ... | gives``. The first row of a table names the
columns (``| age | stage | ... |``, nothing after the last bar). A cell is

* ``-``: any value;
* a list of tests, any of which may hold: ``a, b`` (enum values), ``true`` /
  ``false``, a number (equal to it), a comparison ``< 5``, ``>= 2.5``, ``= 3``,
  or a range ``[0..10)`` with ``[``/``]`` for a closed end and ``(``/``)`` for
  an open one (DMN's S-FEEL notation, so a table reads the same in both);
* ``not(...)`` around such a list: none of the tests holds.

What a row gives is ``recommend a``, ``consider b``, ``avoid c`` or
``recommend one of {a, b}``, several separated by commas. Each carries the
table's evidence unless it says its own: ``recommend a category 1 sources [s]``
(either part may be left out).

Everything here is syntax: which tests suit which column is the checker's
business (``dsl.table_check``). Offsets are 0-based positions in the row text,
so a mistake is reported at its own column.
"""

from __future__ import annotations

import difflib
import re
from typing import Union

# One token of a cell or of the gives: a range's "..", a comparison, a bracket
# or brace, a comma, a number, a word; anything else is one stray character.
_TOKEN = re.compile(r"\s*(\.\.|<=|>=|!=|[<>=\[\](),{}]|-?[0-9]+(?:\.[0-9]+)?|[A-Za-z_][A-Za-z0-9_]*|\S)")
# What follows the last bar: words, evidence levels (2A, IIa-B), braces, brackets, commas.
_GIVE_TOKEN = re.compile(r"\s*([{}\[\],]|[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*|\S)")
_CATEGORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*\Z")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# The commonest cells, read without the scanner: a single range, a single word.
_RANGE = re.compile(r"\s*([\[(])\s*(-?[0-9]+(?:\.[0-9]+)?)\s*\.\.\s*(-?[0-9]+(?:\.[0-9]+)?)\s*([\])])\s*\Z")

# A test: ("range", lo, lo_closed, hi, hi_closed, offset)
#         ("cmp", op, number, offset)     op one of < <= > >= =
#         ("word", word, offset)           an enum value, true or false
Test = tuple
# A cell: None for "-", else (negated, tests, offset, length).
Cell = Union[None, tuple[bool, tuple[Test, ...], int, int]]
# A give: (strength, alternatives, ((action, offset), ...), offset, length,
#          its own (category, offset) or None, its own ((source, offset), ...) or None).
Give = tuple

STRENGTHS = ("recommend", "consider", "avoid")


class RowError(Exception):
    """A mistake in a row: the message and where it is in the row text."""

    def __init__(self, message: str, offset: int, length: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.length = max(1, length)


def split_row(text: str) -> tuple[list[tuple[str, int]], tuple[str, int]]:
    """The cells of a row (text and offset of each, between bars) and what follows the last bar.

    A ``#`` starts a comment, as everywhere in a rules file: no cell holds one.
    """
    hash_at = text.find("#")
    if hash_at >= 0:
        text = text[:hash_at]
    parts = text.split("|")
    cells: list[tuple[str, int]] = []
    pos = len(parts[0]) + 1  # the row starts with its first bar
    for part in parts[1:-1]:
        cells.append((part, pos))
        pos += len(part) + 1
    return cells, (parts[-1], pos)


def _tokens(text: str, base: int, pattern: re.Pattern[str] | None = None) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    pos = 0
    n = len(text)
    match = (pattern or _TOKEN).match
    while pos < n:
        found = match(text, pos)
        if found is None:  # only blanks are left
            break
        out.append((found.group(1), base + found.start(1)))
        pos = found.end()
    return out


def _number(tok: str, offset: int, max_digits: int) -> str:
    if not _NUMBER.match(tok):
        raise RowError(f"expected a number, not '{tok}'", offset, len(tok))
    if len(tok) > max_digits and sum(ch.isdigit() for ch in tok) > max_digits:
        raise RowError(f"number {tok[:16]}... is too long (at most {max_digits} digits)", offset, len(tok))
    return tok


def read_cell(text: str, offset: int, max_digits: int = 30, max_name: int = 200) -> Cell:
    """One cell (see the module docstring); ``offset`` is where ``text`` starts in its row."""
    stripped = text.strip()
    start = offset + (len(text) - len(text.lstrip()))
    if stripped == "-":
        return None
    if not stripped:
        raise RowError("empty cell; write '-' for any value", offset, max(1, len(text)))
    fast = _RANGE.match(text)
    if fast is not None:
        lo, hi = fast.group(2), fast.group(3)
        if (len(lo) <= max_digits and len(hi) <= max_digits) or max(
                sum(ch.isdigit() for ch in lo), sum(ch.isdigit() for ch in hi)) <= max_digits:
            test = ("range", lo, fast.group(1) == "[", hi, fast.group(4) == "]", start)
            return (False, (test,), start, len(stripped))
    if _WORD.match(stripped) and stripped != "not":
        if len(stripped) > max_name:
            raise RowError(f"name {stripped[:20]}... is too long (at most {max_name} characters)", start, len(stripped))
        return (False, (("word", stripped, start),), start, len(stripped))
    toks = _tokens(text, offset)
    negated = False
    if toks and toks[0][0] == "not":
        if len(toks) < 3 or toks[1][0] != "(" or toks[-1][0] != ")":
            raise RowError("write not(...) around the tests a value must fail", toks[0][1], 3)
        negated = True
        toks = toks[2:-1]
        if not toks:
            raise RowError("not() needs at least one test inside", start, len(stripped))
    tests: list[Test] = []
    i = 0
    n = len(toks)
    while i < n:
        tok, at = toks[i]
        if tok in ("[", "("):
            # lo .. hi close
            if i + 4 >= n:
                raise RowError("a range is [low..high] with [ ] for closed ends and ( ) for open ones", at, 1)
            lo = _number(toks[i + 1][0], toks[i + 1][1], max_digits)
            if toks[i + 2][0] != "..":
                raise RowError(f"expected '..' between the ends of a range, not '{toks[i + 2][0]}'",
                               toks[i + 2][1], len(toks[i + 2][0]))
            hi = _number(toks[i + 3][0], toks[i + 3][1], max_digits)
            close, close_at = toks[i + 4]
            if close not in ("]", ")"):
                raise RowError(f"a range ends with ']' (closed) or ')' (open), not '{close}'", close_at, len(close))
            tests.append(("range", lo, tok == "[", hi, close == "]", at))
            i += 5
        elif tok in ("<", "<=", ">", ">=", "="):
            if i + 1 >= n:
                raise RowError(f"'{tok}' needs a number after it", at, len(tok))
            tests.append(("cmp", tok, _number(toks[i + 1][0], toks[i + 1][1], max_digits), at))
            i += 2
        elif _NUMBER.match(tok):
            tests.append(("cmp", "=", _number(tok, at, max_digits), at))
            i += 1
        elif _WORD.match(tok):
            if len(tok) > max_name:
                raise RowError(f"name {tok[:20]}... is too long (at most {max_name} characters)", at, len(tok))
            tests.append(("word", tok, at))
            i += 1
        elif tok == "!=":
            raise RowError("a cell has no '!='; write not(...) around the values to exclude", at, 2)
        else:
            raise RowError(f"unexpected '{tok}' in a cell", at, len(tok))
        if i < n:
            if toks[i][0] != ",":
                raise RowError(f"expected ',' between tests, not '{toks[i][0]}'", toks[i][1], len(toks[i][0]))
            i += 1
            if i == n:
                raise RowError("a test must follow ','", toks[i - 1][1], 1)
    return (negated, tuple(tests), start, len(stripped))


def _name_list(toks: list[tuple[str, int]], i: int, close: str, what: str,
               where: str) -> tuple[list[tuple[str, int]], int]:
    """The names of ``toks[i:]`` up to ``close`` (``a, b}``), and the index after it."""
    out: list[tuple[str, int]] = []
    n = len(toks)
    while True:
        if i >= n or not _WORD.match(toks[i][0]):
            shown = f", not '{toks[i][0]}'" if i < n else ""
            raise RowError(f"expected {what}{shown}", toks[i][1] if i < n else toks[i - 1][1], 1)
        out.append(toks[i])
        i += 1
        if i < n and toks[i][0] == ",":
            i += 1
        elif i < n and toks[i][0] == close:
            return out, i + 1
        else:
            raise RowError(f"expected ',' or '{close}' in {where}", toks[i][1] if i < n else toks[i - 1][1], 1)


def read_gives(text: str, offset: int, max_name: int = 200) -> list[Give]:
    """What a row gives: ``recommend a, avoid b, consider one of {c, d}``."""
    toks = _tokens(text, offset, _GIVE_TOKEN)
    if not toks:
        raise RowError("this row gives nothing; end it with what it gives, e.g. 'recommend ACTION'",
                       offset, max(1, len(text)))
    gives: list[Give] = []
    i = 0
    n = len(toks)
    while i < n:
        strength, at = toks[i]
        if strength not in STRENGTHS:
            close = difflib.get_close_matches(strength, STRENGTHS, n=1, cutoff=0.7)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise RowError(f"expected recommend, consider or avoid, not '{strength}'{hint}", at, len(strength))
        i += 1
        if i >= n:
            raise RowError(f"'{strength}' needs an action after it", at, len(strength))
        actions: list[tuple[str, int]] = []
        alternatives = False
        if toks[i][0] == "one" and i + 1 < n and toks[i + 1][0] == "of":
            alternatives = True
            i += 2
            if i >= n or toks[i][0] != "{":
                raise RowError("write one of {a, b}", toks[i - 1][1], 2)
            listed, i = _name_list(toks, i + 1, "}", "an action name", "one of {...}")
            actions.extend(listed)
        else:
            name, name_at = toks[i]
            if not _WORD.match(name):
                raise RowError(f"expected an action name, not '{name}'", name_at, len(name))
            actions.append((name, name_at))
            i += 1
        for name, name_at in actions:
            if len(name) > max_name:
                raise RowError(f"name {name[:20]}... is too long (at most {max_name} characters)", name_at, len(name))
        # A give may carry its own evidence, as a rule's outcome line does; else the table's.
        category: tuple[str, int] | None = None
        sources: tuple[tuple[str, int], ...] | None = None
        if i < n and toks[i][0] == "category":
            if i + 1 >= n or not _CATEGORY.match(toks[i + 1][0]):
                raise RowError("'category' needs a level of the grading scheme after it (such as 1 or 2A)", toks[i][1], 8)
            category = toks[i + 1]
            i += 2
        if i < n and toks[i][0] == "sources":
            if i + 1 >= n or toks[i + 1][0] != "[":
                raise RowError("write sources [id, id]", toks[i][1], 7)
            found, i = _name_list(toks, i + 2, "]", "a source id", "sources [...]")
            sources = tuple(found)
        end = toks[i - 1][1] + len(toks[i - 1][0])
        gives.append((strength, alternatives, tuple(actions), at, end - at, category, sources))
        if i < n:
            if toks[i][0] != ",":
                raise RowError(f"expected ',' between gives, not '{toks[i][0]}'", toks[i][1], len(toks[i][0]))
            i += 1
            if i == n:
                raise RowError("a give must follow ','", toks[i - 1][1], 1)
    return gives


def read_header(text: str, offset: int, max_name: int = 200) -> list[tuple[str, int]]:
    """The column names of a table's first row (each cell one name)."""
    cells, (rest, rest_at) = split_row(text)
    if rest.strip():
        raise RowError("the first row of a table names its columns and gives nothing; "
                       "end it with '|'", rest_at + len(rest) - len(rest.lstrip()), len(rest.strip()))
    if not cells:
        raise RowError("the first row of a table names its columns: | name | name | ... |", 0, len(text))
    out: list[tuple[str, int]] = []
    for cell, at in cells:
        name = cell.strip()
        pos = offset + at + len(cell) - len(cell.lstrip())
        if not _WORD.match(name):
            raise RowError(f"a column is named by an input, not '{name}'" if name else "empty column name",
                           pos, max(1, len(name)))
        if len(name) > max_name:
            raise RowError(f"name {name[:20]}... is too long (at most {max_name} characters)", pos, len(name))
        out.append((name, pos))
    return out
