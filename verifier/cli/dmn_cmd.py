"""``ruleproof import dmn`` and ``ruleproof export dmn``: DMN decision tables in and out."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import dsl
from verifier.cli.common import ExitCode, fail, load_ruleset_or_exit


def _write(text: str, out: str | None) -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as err:
        fail(f"{out}: error: cannot write: {err.strerror or err}")


@click.group("import")
def import_group() -> None:
    """Translate a model from another format into a rules file."""


@import_group.command("dmn")
@click.argument("dmn_file", type=click.Path(dir_okay=False))
@click.option("-o", "--out", type=click.Path(dir_okay=False), help="Write the rules file here (default: stdout).")
@click.option("--longhand", is_flag=True,
              help="Write every row as a rule with its definitions, instead of a `table` block.")
def import_dmn(dmn_file: str, out: str | None, longhand: bool) -> None:
    """Translate the decision tables of a DMN 1.1-1.5 file into a ruleset.

    Every hit policy keeps its meaning (see README "DMN decision tables").
    A table is written in the language's table syntax (one line a row) when
    it fits; --longhand spells out the same rules. A construct outside the
    S-FEEL subset is an error naming it and its line (exit 2); nothing is
    approximated.
    """
    from verifier.dmn import DmnError, read_dmn_file, translate

    try:
        tr = translate(read_dmn_file(dmn_file), tables=not longhand)
    except DmnError as err:
        fail(err.render())
    from dsl.parser import MAX_TEXT_CHARS
    if len(tr.text) > MAX_TEXT_CHARS:  # the model is too big for a rules file, not a translation bug
        fail(f"{dmn_file}: error: the translation would be {len(tr.text)} characters, more than a rules file "
             f"may hold ({MAX_TEXT_CHARS}); split the model into smaller decisions")
    try:
        # What is written must check. Checked under the output path, a large one is
        # kept (dsl.checked_cache): the next command on the file does not check it again.
        if out is not None:
            dsl.check_text_cached(tr.text, out)
        else:
            dsl.parse_ruleset(tr.text, "<import>")
    except dsl.RulesetError as err:
        fail("ruleproof: internal error: the translation does not check:\n" + err.render(), ExitCode.INTERNAL)
    _write(tr.text, out)


@click.command("dmn")
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("-o", "--out", type=click.Path(dir_okay=False), help="Write the DMN file here (default: stdout).")
def export_dmn_command(ruleset: str, out: str | None) -> None:
    """Write a ruleset as one DMN 1.5 COLLECT decision table.

    Properties, conflicts and coverage declarations have no place in DMN and
    are left out; the advice every record gets is kept (import the file back
    with `ruleproof import dmn` and compare with `ruleproof diff`).
    """
    from verifier.dmn.export import ExportError, export_dmn

    rs = load_ruleset_or_exit(ruleset)
    try:
        text = export_dmn(rs)
    except ExportError as err:
        fail(f"{ruleset}: error: cannot export to DMN: {err}")
    _write(text, out)


@click.command("tables")
@click.argument("dmn_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
def tables_command(dmn_file: str, fmt: str) -> None:
    """Analyse the decision tables of a DMN file, hit-policy aware, without a solver.

    Lists every overlap as a maximal set of rows with a witness box, every
    gap as merged boxes, and masked and subsumed rows. Overlaps are errors
    under U (and under A when the outputs differ); gaps and masked rows are
    errors; subsumed rows are warnings. Exit 1 when there is an error.
    """
    from importlib import metadata

    from verifier.dmn import DmnError, read_dmn_file
    from verifier.dmn.analysis import analyse
    from verifier.dmn.analysis_render import render_json, render_sarif, render_text

    try:
        tables = analyse(read_dmn_file(dmn_file))
    except DmnError as err:
        fail(err.render())
    if fmt == "json":
        click.echo(render_json(dmn_file, tables), nl=False)
    elif fmt == "sarif":
        try:
            version = metadata.version("ruleproof")
        except metadata.PackageNotFoundError:
            version = "0.0.0"
        click.echo(render_sarif(dmn_file, tables, version), nl=False)
    else:
        click.echo(render_text(dmn_file, tables), nl=False)
    sys.exit(int(ExitCode.FINDING if any(t.errors for t in tables) else ExitCode.OK))
