"""What every subcommand shares: exit codes, error output, loading inputs."""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import NoReturn

import click

import dsl
from dsl.model import Ruleset


class ExitCode(IntEnum):
    """The exit codes of ../shared/spec/cli.md, the same for every subcommand."""

    OK = 0
    FINDING = 1
    BAD_INPUT = 2
    UNKNOWN = 3
    INTERNAL = 4  # a bug in ruleproof itself, never a verdict about the input


def fail(message: str, code: ExitCode = ExitCode.BAD_INPUT) -> NoReturn:
    """Print one error line to stderr and exit with ``code``."""
    click.echo(message, err=True)
    sys.exit(int(code))


def prepare_output(path: str) -> None:
    """Create the folders an ``-o`` file goes in, before any slow work, so a typo fails fast."""
    from pathlib import Path

    parent = Path(path).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        fail(f"{path}: error: cannot create the folder {parent}: {err.strerror or err}")


def load_ruleset_or_exit(path: str, show_warnings: bool = False) -> Ruleset:
    """The checked ruleset at ``path``; on any error print the diagnostics and exit 2."""
    try:
        ruleset, warnings = dsl.load_ruleset_with_warnings(path)
    except dsl.RulesetError as err:
        fail(err.render())
    if show_warnings:
        for w in warnings:
            click.echo(w.render(None), err=True)
    return ruleset
