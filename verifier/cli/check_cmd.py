"""``ruleproof check``: prove every property of one or more rulesets."""

from __future__ import annotations

import sys

import click

import dsl
from dsl.model import Ruleset
from verifier.check.run import DEFAULT_TIMEOUT_S, check_ruleset
from verifier.pathway.prove import DEFAULT_DEPTH, DEFAULT_MAX_K, DEFAULT_PATHWAY_TIMEOUT_S, PathwayOptions
from verifier.cli.common import ExitCode
from verifier.check.render import render_json, render_text
from verifier.check.junit import render_junit
from verifier.check.results import UNKNOWN, RulesetReport, exit_code
from verifier.check.sarif import render_sarif


def _load_all(paths: tuple[str, ...]) -> list[tuple[Ruleset, list[dsl.Diagnostic]]] | None:
    """Every ruleset, or None after printing the errors of each that failed to load."""
    loaded = []
    failed = False
    for path in paths:
        try:
            loaded.append(dsl.load_ruleset_with_warnings(path))
        except dsl.RulesetError as err:
            click.echo(err.render(), err=True)
            failed = True
    return None if failed else loaded


def _stderr_notes(reports: list[RulesetReport], fmt: str) -> None:
    """Warnings (text mode: JSON carries them) and, in every mode, internal errors and undecided checks."""
    for rep in reports:
        if fmt == "text":
            for w in rep.warnings:
                click.echo(w.render(), err=True)
        for r in rep.results:
            if r.internal_error:
                click.echo(f"{rep.path}: internal error in check {r.property}: {r.message}", err=True)
            elif r.status == UNKNOWN:
                click.echo(f"{rep.path}: undecided: {r.property} ({r.kind}): {r.message}", err=True)


@click.command("check")
@click.argument("rulesets", nargs=-1, required=True, metavar="RULESET...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit"]), default="text",
              show_default=True, help="text for people, json for tools, sarif for code scanning, junit for CI.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT_S,
              show_default=True, help="Seconds the solver may spend on each query; past that the check is unknown.")
@click.option("--no-timing", is_flag=True, help="Report every time as 0, so that reports of one ruleset are byte-identical.")
@click.option("--depth", type=click.IntRange(0, 200), default=DEFAULT_DEPTH, show_default=True,
              help="Pathway properties: steps of bounded model checking before a safety property is reported "
                   "as holding up to that depth (never as proved).")
@click.option("--max-k", type=click.IntRange(0, 200), default=DEFAULT_MAX_K, show_default=True,
              help="Pathway properties: the largest k tried by k-induction.")
@click.option("--pathway-timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_PATHWAY_TIMEOUT_S,
              show_default=True, help="Seconds each pathway query may take (one query covers N steps of journeys).")
@click.option("--skip-pathways", is_flag=True,
              help="Leave the pathway properties out (snapshot checks only: a quick run while editing rules).")
def check_command(rulesets: tuple[str, ...], fmt: str, timeout: float, no_timing: bool, depth: int,
                  max_k: int, pathway_timeout: float, skip_pathways: bool) -> None:
    """Prove coverage, contradictions, dead rules and every property of each RULESET.

    \b
    Exit codes:
      0  every check proved
      1  a finding: a refuted property, a coverage gap, a contradiction, a dead rule
         (a finding wins over an undecided check)
      2  bad input: unreadable file, ruleset syntax/type error, bad option
      3  undecided: the solver gave up on some check and nothing was refuted
      4  internal error: the engine and Z3 disagree (a bug in ruleproof)
    """
    loaded = _load_all(rulesets)
    if loaded is None:
        sys.exit(int(ExitCode.BAD_INPUT))
    timing = not no_timing
    try:
        pathway = None if skip_pathways else PathwayOptions(depth=depth, max_k=max_k, timeout_s=pathway_timeout)
        reports = [check_ruleset(rs, timeout_s=timeout, dsl_warnings=warnings, pathway=pathway)
                   for rs, warnings in loaded]
        render = {"json": render_json, "sarif": render_sarif, "junit": render_junit}.get(fmt, render_text)
        output = render(reports, timing)
    except Exception as err:  # noqa: BLE001 - a bug of ours: a message and exit 4, never a traceback
        click.echo(f"ruleproof check: internal error: {type(err).__name__}: {err}", err=True)
        sys.exit(int(ExitCode.INTERNAL))
    click.echo(output)
    _stderr_notes(reports, fmt)
    sys.exit(exit_code(reports))
