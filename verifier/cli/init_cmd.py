"""``ruleproof init NAME``: start a rulesets project."""

from __future__ import annotations

from pathlib import Path

import click

from verifier.authoring.skeleton import InitError, write_skeleton
from verifier.cli.common import fail


@click.command("init")
@click.argument("name")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None,
              help="Folder to create (default: NAME in the current folder).")
def init_command(name: str, folder: str | None) -> None:
    """Create a new rulesets project NAME: a ruleset skeleton that proves, an example patient, a CI file.

    \b
    Then:
      cd NAME
      ruleproof check NAME.rules
      ruleproof eval NAME.rules examples/patient.json

    \b
    Exit codes:
      0  created
      2  bad input: NAME is not a valid ruleset name, or the folder exists and is not empty
      4  internal error in ruleproof itself (please report it)
    """
    target = Path(folder) if folder is not None else Path(name)
    try:
        written = write_skeleton(name, target)
    except InitError as err:
        fail(f"ruleproof init: error: {err}")
    except OSError as err:
        fail(f"ruleproof init: error: cannot write {target}: {err.strerror or err}")
    for path in written:
        click.echo(f"created {path}")
    click.echo(f"next: cd {target} && ruleproof check {name}.rules")
