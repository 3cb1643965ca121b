"""The ``ruleproof`` command: one click group, one module per subcommand.

The subcommands stay thin: parse options, call library functions, format the
result, choose the exit code (``verifier.cli.common.ExitCode``).
"""

from __future__ import annotations

import sys
import traceback

import click

from verifier.cli.common import ExitCode
from verifier.cli.check_cmd import check_command
from verifier.cli.diff_cmd import diff_command
from verifier.cli.eval_cmd import eval_command
from verifier.cli.graph_cmd import graph_command
from verifier.cli.report_cmd import report_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="ruleproof")
def cli() -> None:
    """Prove clinical guideline rulesets safe, and evaluate patient records against them.

    \b
    Exit codes (every subcommand):
      0  done; for `check`, every property proved
      1  a finding: a refuted property, a coverage gap, a contradiction, a dead rule
      2  bad input: unreadable file, ruleset syntax/type error, invalid record, bad option
      3  undecided: the solver gave up on some check (never reported as proved)
      4  internal error in ruleproof itself (please report it)

    Run `ruleproof COMMAND --help` for each command.
    """


cli.add_command(check_command)
cli.add_command(diff_command)
cli.add_command(eval_command)
cli.add_command(graph_command)
cli.add_command(report_command)


def main() -> None:
    """Console entry point: no Python traceback reaches a user."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # a bug in ruleproof: say so plainly, keep the details one flag away
        click.echo(f"ruleproof: internal error: {type(err).__name__}: {err}", err=True)
        if "RULEPROOF_DEBUG" in __import__("os").environ:
            traceback.print_exc()
        else:
            click.echo("(set RULEPROOF_DEBUG=1 for the traceback, and please report it)", err=True)
        sys.exit(int(ExitCode.INTERNAL))
