"""Where a line's code ends: strings and ``#`` comments, read the way the lexer reads them.

The formatter keeps every comment and the language server must not take a
word inside a string or a comment for a name; both ask this one scanner.
"""

from __future__ import annotations


def scan_line(line: str, upto: int | None = None) -> tuple[int | None, bool]:
    """For ``line[:upto]``: the column where a ``#`` comment starts (None if none does),
    and whether a string is still open at the end (a ``#`` inside a string is text)."""
    in_string = escaped = False
    for k, ch in enumerate(line if upto is None else line[:upto]):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "#":
            return k, False
    return None, in_string
