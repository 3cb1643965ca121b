"""``ruleproof fmt``: rewrite rules files in the canonical layout."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

import dsl
from dsl.formatter import format_rules, same_meaning
from verifier.cli.common import ExitCode


def _format_one(path: str, text: str) -> str | None:
    """The formatted text, or None after printing why it cannot be formatted."""
    try:
        out = format_rules(text, path)
    except dsl.RulesetError as err:
        click.echo(err.render(), err=True)
        return None
    if not same_meaning(text, out):  # never write a file whose meaning moved: that is our bug
        click.echo(f"ruleproof fmt: internal error: formatting {path} would change its meaning; left as is", err=True)
        sys.exit(int(ExitCode.INTERNAL))
    return out


@click.command("fmt")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 if a file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print a unified diff of what would change.")
def fmt_command(files: tuple[str, ...], check_only: bool, show_diff: bool) -> None:
    """Rewrite each rules FILE in the canonical layout (comments kept, meaning unchanged).

    FILE `-` reads stdin and writes the result to stdout. Formatting twice
    changes nothing, and the checked ruleset is verified to be the same
    before and after.

    \b
    Exit codes:
      0  done (with --check: every file already formatted)
      1  with --check or --diff: some file is not formatted
      2  bad input: unreadable file or a syntax error (that file is left as is)
      4  internal error in ruleproof itself (please report it)
    """
    unformatted = bad = False
    for path in files:
        if path == "-":
            text = sys.stdin.read()
        else:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                click.echo(f"{path}: error: cannot read ruleset: {getattr(err, 'strerror', None) or err}", err=True)
                bad = True
                continue
        out = _format_one(path, text)
        if out is None:
            bad = True
            continue
        if path == "-" and not (check_only or show_diff):
            click.echo(out, nl=False)
            continue
        if out == text:
            continue
        unformatted = True
        if show_diff:
            click.echo("".join(difflib.unified_diff(
                text.splitlines(keepends=True), out.splitlines(keepends=True), f"{path} (now)", f"{path} (formatted)")),
                nl=False)
        elif check_only:
            click.echo(f"{path}: not formatted (run `ruleproof fmt {path}`)", err=True)
        else:
            Path(path).write_text(out, encoding="utf-8")
            click.echo(f"formatted {path}", err=True)
    if bad:
        sys.exit(int(ExitCode.BAD_INPUT))
    sys.exit(int(ExitCode.FINDING) if unformatted and (check_only or show_diff) else int(ExitCode.OK))
