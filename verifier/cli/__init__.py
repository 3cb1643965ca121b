"""The ``ruleproof`` command: one click group, one module per subcommand.

The subcommands stay thin: parse options, call library functions, format the
result, choose the exit code (``verifier.cli.common.ExitCode``).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

import click

from verifier.cli.common import ExitCode

# Each subcommand is imported only when it runs: `ruleproof eval` must start
# fast on a hospital system, and it needs neither Z3, Hypothesis nor Graphviz.
_COMMANDS = {
    "check": "verifier.cli.check_cmd:check_command",
    "eval": "verifier.cli.eval_cmd:eval_command",
    "diff": "verifier.cli.diff_cmd:diff_command",
    "cases": "verifier.cli.cases_cmd:cases_command",
    "mutate": "verifier.cli.mutate_cmd:mutate_command",
    "graph": "verifier.cli.graph_cmd:graph_command",
    "report": "verifier.cli.report_cmd:report_command",
    "simulate": "verifier.cli.simulate_cmd:simulate_command",
}

class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = _COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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

def main() -> None:
    """Console entry point: no Python traceback reaches a user."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # a bug in ruleproof: say so plainly, keep the details one flag away
        click.echo(f"ruleproof: internal error: {type(err).__name__}: {err}", err=True)
        if "RULEPROOF_DEBUG" in os.environ:
            traceback.print_exc()
        else:
            click.echo("(set RULEPROOF_DEBUG=1 for the traceback, and please report it)", err=True)
        sys.exit(int(ExitCode.INTERNAL))
