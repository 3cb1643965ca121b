"""The ``ruleproof`` command: one click group, one module per subcommand.

The subcommands stay thin: parse options, call library functions, format the
result, choose the exit code (``verifier.cli.common.ExitCode``).
"""

from __future__ import annotations

import click

from verifier.cli.eval_cmd import eval_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ruleproof")
def main() -> None:
    """Prove clinical guideline rulesets safe and evaluate patient records.

    \b
    Exit codes (every subcommand):
      0  done; for `check`, every property proved
      1  a finding: a refuted property, a coverage gap, a contradiction, a dead rule
      2  bad input: unreadable file, ruleset syntax/type error, invalid record, bad option
      3  undecided: the solver gave up on some property (never reported as proved)
    """


main.add_command(eval_command)
