"""``ruleproof mutate``: how many plausible mistakes in a ruleset its test cases would catch."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine import RecordError
from verifier.mutation.baselines import pairwise_suite, random_suite
from verifier.cases.store import CasesError, load_suite
from verifier.cli.common import AsciiFloatRange, ExitCode, fail, load_ruleset_or_exit, timeout_option
from verifier.cli.progress import Progress
from verifier.mutation.mutants import OPERATORS, mutants
from verifier.mutation.analysis import UNDECIDED, TestSuite, analyse, render_text, suite_from_cases, suite_from_records


@click.command("mutate")
@click.argument("ruleset", metavar="RULESET")
@click.option("--cases", "cases_dir", required=True, type=click.Path(path_type=Path),
              help="The suite directory written by `ruleproof cases`.")
@click.option("--baselines", is_flag=True,
              help="Also score a random and a pairwise suite of the same size, for comparison.")
@click.option("--operators", default=",".join(OPERATORS), show_default=True,
              help="Comma-separated mutation operators to apply.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Also write the JSON report to this file.")
@click.option("--fail-under", type=AsciiFloatRange(0, 100), default=None,
              help="Exit 1 when the suite kills less than this percentage of the non-equivalent mutants.")
@timeout_option("Seconds the solver may spend on each equivalence query.")
@click.option("--guards/--no-guards", default=True, show_default=True,
              help="Also measure guard strength: the share of the mutants `ruleproof check` refutes.")
@click.option("--force", is_flag=True,
              help="Run even an analysis too large to finish in reasonable time (a large decision table).")
def mutate_command(ruleset: str, cases_dir: Path, baselines: bool, operators: str, fmt: str,
                   report_path: Path | None, fail_under: float | None, timeout: float, guards: bool,
                   force: bool) -> None:
    """Mutate RULESET (negate or drop a condition, shift a threshold, swap an operator,
    replace an enum value, drop a rule, drop or swap an action, change a strength),
    set aside the mutants Z3 proves equivalent, and report how many of the rest the
    cases in --cases kill, listing the survivors.

    \b
    Exit codes: 0 done; 1 the kill rate is below --fail-under; 2 bad input;
    3 the solver could not decide some mutant's equivalence.
    """
    chosen = [o.strip() for o in operators.split(",") if o.strip()]
    unknown = [o for o in chosen if o not in OPERATORS]
    if unknown:
        fail(f"ruleproof mutate: error: unknown operator(s) {', '.join(unknown)}; choose from {', '.join(OPERATORS)}")
    rs = load_ruleset_or_exit(ruleset)
    if not force:
        from verifier.mutation.scale import too_large

        reason = too_large(rs)
        if reason is not None:
            fail(f"ruleproof mutate: error: {ruleset}: not analysed: {reason}. Instead replay the suite with "
                 f"`ruleproof cases {ruleset} --out {cases_dir} --check` and find the table's overlaps and gaps "
                 f"with `ruleproof check {ruleset}`; or add --force")
    try:
        stored = load_suite(cases_dir)
        ours = suite_from_cases("generated", rs, stored.cases)
    except CasesError as err:
        fail(str(err))
    except (RecordError, KeyError, TypeError, ValueError) as err:
        # A case this ruleset cannot replay (another ruleset's suite, a hand-mangled file).
        fail(f"{cases_dir}: error: a case cannot be replayed against {ruleset}: {type(err).__name__}: {err}")
    suites: list[TestSuite] = [ours]
    with Progress("ruleproof mutate") as progress:  # on stderr, only when it is a terminal
        if baselines:
            progress.step("random baseline suite")
            suites.append(suite_from_records("random", rs, random_suite(rs, ours.size)))
            progress.step("pairwise baseline suite")
            suites.append(suite_from_records("pairwise", rs, pairwise_suite(rs, ours.size)))
        progress.step("making mutants")
        report = analyse(rs, mutants(rs, frozenset(chosen)), suites, timeout_s=timeout,
                         progress=lambda k, n, mid: progress.count(k, n, f"mutant {mid}"), guards=guards)
    doc = json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n"
    if report_path is not None:
        try:
            report_path.write_text(doc, encoding="utf-8")
        except OSError as err:
            fail(f"{report_path}: error: cannot write the report: {err.strerror or err}")
    click.echo(doc if fmt == "json" else render_text(report), nl=fmt != "json")
    score = report.score(ours.name)
    if fail_under is not None and 100 * score.rate < fail_under:
        sys.exit(int(ExitCode.FINDING))
    sys.exit(int(ExitCode.UNKNOWN if report.count(UNDECIDED) else ExitCode.OK))
