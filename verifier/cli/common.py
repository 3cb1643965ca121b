"""What every subcommand shares: exit codes, error output, loading inputs."""

from __future__ import annotations

import math
import sys
from typing import Any, Callable, NoReturn, TypeVar

import click

import dsl
from dsl.model import Ruleset
from verifier.exit_codes import ExitCode
from verifier.solver import DEFAULT_TIMEOUT_S

F = TypeVar("F", bound=Callable[..., Any])


# Z3 takes a query's timeout as an unsigned 32-bit count of milliseconds.
_MAX_TIMEOUT_S = (2**32 - 1) / 1000


def _finite_timeout(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds", ctx, param)
    return value


def timeout_option(help: str = "Seconds the solver may spend on each query; past that the query is unknown.",
                   default: float | None = DEFAULT_TIMEOUT_S) -> Callable[[F], F]:
    """``--timeout SECONDS``, the same bounds and checks in every command."""
    return click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=_MAX_TIMEOUT_S),
                        default=default, show_default=default is not None, callback=_finite_timeout, help=help)


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
