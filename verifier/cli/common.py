"""What every subcommand shares: option types, error output, loading rulesets."""

from __future__ import annotations

import json
import sys
from typing import Any, Callable, NoReturn, TypeVar

import click

import dsl
from dsl.model import Ruleset
from verifier.exit_codes import ExitCode
from verifier.solver import DEFAULT_TIMEOUT_S

F = TypeVar("F", bound=Callable[..., Any])


class Seconds(click.ParamType):
    """A solver time limit in seconds: a finite number in (0, MAX_SECONDS].

    click's FloatRange lets ``nan`` (every comparison false), ``inf`` and
    ``1e308`` through, which then overflow Z3's millisecond limit deep inside a
    check; here they are a plain bad option (exit 2).
    """

    name = "seconds"
    MAX_SECONDS = 86400.0  # a day per query; Z3's own limit (2**32 ms) is about 49 days

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            seconds = value
        else:
            try:
                if not str(value).isascii():  # float() would read any Unicode digit
                    raise ValueError(value)
                seconds = float(str(value))
            except ValueError:
                self.fail(f"{json.dumps(str(value)[:40])} is not a number of seconds (ASCII digits)", param, ctx)
        if not (0 < seconds <= self.MAX_SECONDS):  # also false for NaN
            self.fail(f"{json.dumps(str(value)[:40])} is not a time limit: give seconds in (0, {self.MAX_SECONDS:g}]",
                      param, ctx)
        return seconds


SECONDS = Seconds()


class AsciiIntRange(click.IntRange):
    """click's IntRange, but only ASCII digits: int() reads "৪" (Bengali four) as 4."""

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> object:
        if isinstance(value, str) and not value.isascii():
            self.fail(f"{json.dumps(value[:40])} is not a whole number written in ASCII digits", param, ctx)
        return super().convert(value, param, ctx)


class AsciiFloatRange(click.FloatRange):
    """click's FloatRange, but only ASCII digits, and never NaN (every comparison with it is false)."""

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> object:
        if isinstance(value, str) and (not value.isascii() or value.strip().lower() in ("nan", "+nan", "-nan")):
            self.fail(f"{json.dumps(value[:40])} is not a number (ASCII digits, not NaN)", param, ctx)
        return super().convert(value, param, ctx)


def timeout_option(help: str = "Seconds the solver may spend on each query; past that the query is unknown.",
                   default: float | None = DEFAULT_TIMEOUT_S) -> Callable[[F], F]:
    """``--timeout SECONDS``, the same type and bounds in every command."""
    return click.option("--timeout", type=SECONDS, default=default, show_default=default is not None, help=help)


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


def read_ruleset_or_exit(path: str, show_warnings: bool = False) -> tuple[Ruleset, list[dsl.Diagnostic], str]:
    """The checked ruleset at ``path``, its warnings and its text, from ONE read;
    on any error print the diagnostics and exit 2.

    Reading twice breaks a pipe or process substitution (the second read is
    empty) and can pair a ruleset with the digest of different text.
    """
    try:
        text = dsl.read_rules_file(path)
        ruleset, warnings = dsl.check_text_cached(text, str(path))
    except dsl.RulesetError as err:
        fail(err.render())
    if show_warnings:
        for w in warnings:
            click.echo(w.render(None), err=True)
    return ruleset, warnings, text


def load_ruleset_or_exit(path: str, show_warnings: bool = False) -> Ruleset:
    """The checked ruleset at ``path``; on any error print the diagnostics and exit 2."""
    return read_ruleset_or_exit(path, show_warnings)[0]
