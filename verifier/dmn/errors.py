"""Errors about a DMN file: where it is and what is wrong or unsupported."""

from __future__ import annotations


class DmnError(Exception):
    """Bad or unsupported DMN input, located at ``path:line:col`` (1-based)."""

    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.col = col
        self.message = message

    def render(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: error: {self.message}"
