"""The ``ruleproof`` command: one click group, one module per subcommand.

The subcommands stay thin: parse options, call library functions, format the
result, choose the exit code (``verifier.cli.common.ExitCode``).
"""

from __future__ import annotations

import difflib
import importlib
import os
import sys
import traceback

import click

from verifier.entry import Interrupted, exit_interrupted, install_interrupt_handler
from verifier.exit_codes import ExitCode

# Each subcommand is imported only when it runs: `ruleproof eval` must start
# fast on a hospital system, and it needs neither Z3, Hypothesis nor Graphviz.
_COMMANDS = {
    "check": "verifier.cli.check_cmd:check_command",
    "eval": "verifier.cli.eval_cmd:eval_command",
    "diff": "verifier.cli.diff_cmd:diff_command",
    "gate": "verifier.cli.gate_cmd:gate_command",
    "cases": "verifier.cli.cases_cmd:cases_command",
    "mutate": "verifier.cli.mutate_cmd:mutate_command",
    "graph": "verifier.cli.graph_cmd:graph_command",
    "report": "verifier.cli.report_cmd:report_command",
    # Authoring tools (issue #13): a skeleton, the canonical layout, the language server.
    "init": "verifier.cli.init_cmd:init_command",
    "fmt": "verifier.cli.fmt_cmd:fmt_command",
    "lsp": "verifier.cli.lsp_cmd:lsp_command",
    "export": "verifier.cli.export_cmd:export_command",
    # DMN decision tables in (and out, as an `export` target)
    "import": "verifier.cli.dmn_cmd:import_group",
    "tables": "verifier.cli.dmn_cmd:tables_command",
    "simulate": "verifier.cli.simulate_cmd:simulate_command",
}

def _internal_error(err: Exception) -> None:
    """The one place a bug in ruleproof becomes exit 4: a plain message, the traceback one flag away."""
    click.echo(f"ruleproof: internal error: {type(err).__name__}: {err}", err=True)
    if "RULEPROOF_DEBUG" in os.environ:
        traceback.print_exc()
    else:
        click.echo("(set RULEPROOF_DEBUG=1 for the traceback, and please report it)", err=True)
    sys.exit(int(ExitCode.INTERNAL))


# Shown under every subcommand's help that does not list its own exit codes
# (a script author reads `ruleproof eval --help`, not the top-level help).
_EXIT_CODES_EPILOG = """\b
Exit codes:
  0  done
  1  a finding (see the command's description)
  2  bad input: unreadable file, ruleset syntax/type error, invalid record, bad option
  3  undecided: the solver gave up (never reported as proved)
  4  internal error in ruleproof itself (please report it)"""


class _LazyGroup(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # usage errors and exits are click's to report
        except Exception as err:  # noqa: BLE001 - any other exception is a bug of ours
            _internal_error(err)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = _COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        if "Exit codes" not in (command.help or "") + (command.epilog or ""):
            command.epilog = _EXIT_CODES_EPILOG
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]):
        # A mistyped subcommand gets the closest names, not just "No such command".
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in _COMMANDS:
            close = difflib.get_close_matches(name, list(_COMMANDS), n=2, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint} Commands: {', '.join(_COMMANDS)}.")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Click cuts each summary at ~45 characters with "..."; print the whole first sentence.
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

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
        install_interrupt_handler()
        try:
            cli(standalone_mode=True)
        finally:
            sys.stdout.flush()  # what was written before an interrupt is complete lines; send it
    except (Interrupted, KeyboardInterrupt):
        exit_interrupted()
