"""What every subcommand shares: exit codes, error output, loading inputs."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

import dsl
from dsl.model import Ruleset
from verifier.exit_codes import ExitCode


def fail(message: str, code: ExitCode = ExitCode.BAD_INPUT) -> NoReturn:
    """Print one error line to stderr and exit with ``code``."""
    click.echo(message, err=True)
    sys.exit(int(code))


def load_ruleset_and_text_or_exit(path: str, show_warnings: bool = False) -> tuple[Ruleset, str]:
    """The checked ruleset at ``path`` and the text it was read from (the file is
    read once: it may be a pipe); on any error print the diagnostics and exit 2."""
    try:
        text = dsl.read_rules_file(path)
        ruleset, warnings = dsl.check_text(text, path)
    except dsl.RulesetError as err:
        fail(err.render())
    if show_warnings:
        for w in warnings:
            click.echo(w.render(None), err=True)
    return ruleset, text


def load_ruleset_or_exit(path: str, show_warnings: bool = False) -> Ruleset:
    """The checked ruleset at ``path``; on any error print the diagnostics and exit 2."""
    return load_ruleset_and_text_or_exit(path, show_warnings)[0]
