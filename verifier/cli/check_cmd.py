"""``ruleproof check``: prove every property of one or more rulesets."""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import replace
from pathlib import Path

import click

import dsl
from dsl.model import Ruleset
from verifier.check.run import check_ruleset
from verifier.cli.common import SECONDS, ExitCode, fail, timeout_option
from verifier.cli.progress import Progress
from verifier.exit_codes import combine
from verifier.check.render import render_text
from verifier.counterexamples.output import Explainer
from verifier.pathway.prove import DEFAULT_DEPTH, DEFAULT_MAX_K, DEFAULT_PATHWAY_TIMEOUT_S, PathwayOptions
from verifier.check.junit import render_junit
from verifier.check.results import UNKNOWN, RulesetReport, exit_code
from verifier.check.sarif import render_sarif


def _load_all(paths: tuple[str, ...]) -> tuple[list[tuple[Ruleset, list[dsl.Diagnostic]]], list[dsl.RulesetError]]:
    """The rulesets that load, and the errors of those that do not (printed on stderr).

    One bad file must not hide the results of the others: they are still checked.
    """
    loaded = []
    errors = []
    for path in paths:
        try:
            loaded.append(dsl.load_ruleset_with_warnings(path))
        except dsl.RulesetError as err:
            click.echo(err.render(), err=True)
            errors.append(err)
    return loaded, errors


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


def _only(reports: list[RulesetReport], wanted: list[str]) -> list[RulesetReport]:
    """The reports cut down to the checks named (by name or section); an unknown name is bad input."""
    names = {r.property for rep in reports for r in rep.results} | {r.kind for rep in reports for r in rep.results}
    for w in wanted:
        if w not in names:
            close = difflib.get_close_matches(w, sorted(names), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            click.echo(f"ruleproof check: error: --only {w}: no check or section of that name{hint}", err=True)
            sys.exit(int(ExitCode.BAD_INPUT))
    keep = set(wanted)
    return [replace(rep, results=tuple(r for r in rep.results if r.property in keep or r.kind in keep))
            for rep in reports]


@click.command("check")
@click.argument("rulesets", nargs=-1, required=True, metavar="RULESET...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit"]), default="text",
              show_default=True, help="text for people, json for tools, sarif for code scanning, junit for CI.")
@timeout_option("Seconds the solver may spend on each query; past that the check is unknown.")
@click.option("--no-timing", is_flag=True, help="Report every time as 0, so that reports of one ruleset are byte-identical.")
@click.option("-v", "--verbose", is_flag=True,
              help="Text: every check on its own line and every coverage matrix (default: a count per section "
                   "and full detail for what is not proved).")
@click.option("--only", "only", multiple=True, metavar="CHECK",
              help="Report only these checks (repeatable or comma-separated): a property id (P1), a check name "
                   "as printed (conflict(a,b), fires(rule), coverage) or a section (coverage, coverage-matrix, "
                   "contradiction, dead-rule, invariant). The exit code follows the checks reported.")
@click.option("--save-counterexamples", "save_dir", metavar="DIR",
              help="Write each counterexample (and each coverage gap region's example) to DIR/<ruleset>/<check>.json, "
                   "a file `ruleproof eval` reads as it is.")
@click.option("--depth", type=click.IntRange(0, 200), default=DEFAULT_DEPTH, show_default=True,
              help="Pathway properties: steps of bounded model checking before a safety property is reported "
                   "as holding up to that depth (never as proved).")
@click.option("--max-k", type=click.IntRange(0, 200), default=DEFAULT_MAX_K, show_default=True,
              help="Pathway properties: the largest k tried by k-induction.")
@click.option("--pathway-timeout", type=SECONDS, default=DEFAULT_PATHWAY_TIMEOUT_S,
              show_default=True, help="Seconds each pathway query may take (one query covers N steps of journeys).")
@click.option("--skip-pathways", is_flag=True,
              help="Leave the pathway properties out (snapshot checks only: a quick run while editing rules).")
def check_command(rulesets: tuple[str, ...], fmt: str, timeout: float, no_timing: bool, verbose: bool,
                  only: tuple[str, ...], save_dir: str | None, depth: int, max_k: int, pathway_timeout: float,
                  skip_pathways: bool) -> None:
    """Prove coverage, contradictions, dead rules and every property of each RULESET.

    \b
    Exit codes:
      0  every check proved
      1  a finding: a refuted property, a coverage gap, a contradiction, a dead rule
         (a finding wins over an undecided check)
      2  bad input: unreadable file, ruleset syntax/type error, bad option
         (the other files are still checked and reported)
      3  undecided: the solver gave up on some check and nothing was refuted
      4  internal error: the engine and Z3 disagree (a bug in ruleproof)

    \b
    Examples:
      ruleproof check rulesets/liposarcoma.rules
      ruleproof check rulesets/liposarcoma.rules --verbose
      ruleproof check rulesets/liposarcoma.rules --only P1,P3 --only coverage
      ruleproof check examples/wound_flawed.rules --save-counterexamples out/cx
    """
    loaded, load_errors = _load_all(rulesets)
    if load_errors and not loaded and fmt != "sarif":
        sys.exit(int(ExitCode.BAD_INPUT))
    timing = not no_timing
    wanted = [w.strip() for item in only for w in item.split(",") if w.strip()]
    with Progress("ruleproof check") as progress:  # on stderr, only when it is a terminal
        pathway = None if skip_pathways else PathwayOptions(depth=depth, max_k=max_k, timeout_s=pathway_timeout)
        reports = [check_ruleset(rs, timeout_s=timeout, dsl_warnings=warnings, pathway=pathway,
                                 progress=lambda k, n, name, rs=rs: progress.count(k, n, f"{rs.name}: {name}"))
                   for rs, warnings in loaded]
    if wanted:
        reports = _only(reports, wanted)
    explainer = Explainer({rep.path: rs for rep, (rs, _) in zip(reports, loaded)}, timeout)
    if fmt == "text":
        output = render_text(reports, timing, verbose, explainer.lines)
    elif fmt == "json":
        output = json.dumps(explainer.enrich({"rulesets": [r.to_json(timing) for r in reports]}, reports),
                            indent=2, ensure_ascii=False)
    elif fmt == "sarif":  # the files that did not load are results too, and rules locate refutations
        output = render_sarif(reports, timing, load_errors, {rs.path: rs for rs, _ in loaded})
    else:
        output = render_junit(reports, timing)
    click.echo(output)
    if save_dir is not None:
        try:
            saved = explainer.save(Path(save_dir), reports)
        except OSError as err:
            fail(f"{save_dir}: error: cannot save counterexamples: {err.strerror or err}")
        click.echo(f"saved {len(saved)} counterexample file(s) under {save_dir}", err=True)
    _stderr_notes(reports, fmt)
    # A file that did not load is bad input; the others' results are still reported.
    sys.exit(int(combine([exit_code(reports)] + [ExitCode.BAD_INPUT] * bool(load_errors))))
