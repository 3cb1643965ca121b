"""``ruleproof report``: one self-contained HTML file for a reviewer of a ruleset."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from dsl.model import Ruleset
from verifier.exit_codes import verdict
from verifier.solver import DEFAULT_TIMEOUT_S
from verifier.cli.common import fail, prepare_output, read_ruleset_or_exit, timeout_option
from verifier.graph.render import GraphvizMissing, dot_available
from verifier.graph.scale import too_large as drawing_too_large
from engine import load_json_strict
from verifier.report.html import build_html, report_figures, results_json
from verifier.report.results_shape import results_shape_problem

# Rules past which the report will not run every check itself (without --results or --force),
# unless the checks read the ruleset as boxes (a decision table: seconds at thousands of rows):
# a 300-rule ruleset the checks put to Z3 rule by rule took 45 s, nearly all of it `ruleproof check`.
CHECK_RULES_LIMIT = 200


def _tool_name() -> str:
    try:
        return f"ruleproof {metadata.version('ruleproof')}"
    except metadata.PackageNotFoundError:
        return "ruleproof"


def _load_results(path: str, name: str) -> dict[str, Any]:
    try:
        raw = Path(path).read_bytes().decode("utf-8")
    except OSError as err:
        fail(f"{path}: error: cannot read results: {err.strerror or err}")
    except UnicodeDecodeError as err:
        fail(f"{path}: error: cannot read results: not valid UTF-8 (byte {err.start + 1})")
    try:
        data = load_json_strict(raw)
        if isinstance(data, dict) and "rulesets" in data and not (
                isinstance(data["rulesets"], list) and all(isinstance(x, dict) for x in data["rulesets"])):
            raise ValueError('"rulesets" must be a list of objects')
        data = results_json(data, name)
    except (ValueError, TypeError) as err:
        fail(f"{path}: error: not the JSON of `ruleproof check --format json`: {err}")
    problem = results_shape_problem(data)
    if problem:
        fail(f"{path}: error: not the JSON of `ruleproof check --format json`: {problem}")
    return data


def _verdict(data: dict[str, Any]) -> int:
    """The exit code `ruleproof check` would give these results (so CI can gate on the report run)."""
    results = data.get("results", [])
    return int(verdict(internal=any(r.get("internal_error") for r in results),
                       finding=any(r.get("status") == "refuted" for r in results),
                       unknown=any(r.get("status") == "unknown" for r in results)))


def _manifest(cases_root: str | None, rs: Ruleset) -> Path:
    """The manifest to summarise. A folder given with --cases must hold the cases of this ruleset:
    the report never silently shows "no cases" for a path that was meant."""
    if cases_root is None:
        return Path("generated_cases") / rs.name / "manifest.json"
    root = Path(cases_root)
    for candidate in (root / "manifest.json", root / rs.name / "manifest.json"):
        if candidate.is_file():
            try:
                name = load_json_strict(candidate.read_text(encoding="utf-8")).get("ruleset")
            except (OSError, UnicodeDecodeError, ValueError, AttributeError) as err:
                fail(f"{candidate}: error: cannot read the cases manifest: {err}")
            if name != rs.name:
                fail(f"{candidate}: error: these are the cases of ruleset {name!r}, not {rs.name!r}")
            return candidate
    fail(f"{cases_root}: error: no generated cases here (looked for {root / 'manifest.json'} and "
         f"{root / rs.name / 'manifest.json'}); write them with `ruleproof cases {rs.path} --out {root}`")


def _tables(path: str) -> tuple[str, dict[str, Any]]:
    """The DMN file's table analysis as JSON (read before any check runs: a bad file fails fast)."""
    from verifier.dmn import DmnError, read_dmn_file
    from verifier.dmn.analysis import analyse
    from verifier.dmn.analysis_render import to_json

    try:
        return Path(path).name, to_json(path, analyse(read_dmn_file(path)))
    except DmnError as err:
        fail(err.render())


def _box_readable(rs: Ruleset) -> bool:
    from verifier.facts.boxrules import BoxModel

    return BoxModel.of(rs) is not None


@click.command("report")
@click.argument("ruleset")  # no click.Path: the reader says "Is a directory" in one line
@click.option("-o", "--output", "output", required=True, metavar="FILE.html", help="Where to write the report.")
@click.option("--results", "results_path", metavar="FILE.json",
              help="Use saved `ruleproof check --format json` output instead of running the checks.")
@timeout_option("Seconds the solver may spend on each query (default: as `ruleproof check`).", default=None)
@click.option("--cases", "cases_root", default=None, metavar="DIR",
              help="The generated cases to summarise: the folder `ruleproof cases --out` wrote (holding "
                   "manifest.json), or its parent holding <ruleset name>/. Default: generated_cases/<ruleset name> "
                   "if present.")
@click.option("--no-timing", is_flag=True,
              help="Leave check times out, so that reports of one ruleset are byte-identical.")
@click.option("--tables", "tables_path", default=None, metavar="FILE.dmn",
              help="Add a \"Decision tables\" section: the analysis of this DMN file's tables "
                   "(as `ruleproof tables`), for a ruleset imported from it.")
@click.option("--force", is_flag=True,
              help="Run the checks and draw the figures even for a ruleset too large to do so in reasonable time.")
def report_command(ruleset: str, output: str, results_path: str | None, timeout: float | None,
                   cases_root: str | None, no_timing: bool, tables_path: str | None, force: bool) -> None:
    """Write a review report of RULESET as one self-contained HTML file.

    The report holds the ruleset's name, version and sources; every check with
    its status, time and counterexample; the coverage matrix; the decision
    diagram; every rule with its condition, actions, evidence category and
    sources; and a summary of the generated cases. It loads nothing from the
    network: open it in any browser, attach it to a review.

    \b
    Exit codes: as `ruleproof check` (0 all proved, 1 a finding, 3 undecided),
    once the report is written; 2 for bad input.

    \b
    Examples:
      ruleproof report rulesets/liposarcoma.rules -o out/liposarcoma.html
      ruleproof check rulesets/liposarcoma.rules --format json > out/check.json
      ruleproof report rulesets/liposarcoma.rules --results out/check.json -o out/liposarcoma.html
    """
    rs, warnings, text = read_ruleset_or_exit(ruleset)
    tables = _tables(tables_path) if tables_path is not None else None
    manifest = _manifest(cases_root, rs)
    if results_path is None and not force and len(rs.rules) > CHECK_RULES_LIMIT and not _box_readable(rs):
        # Before any work: every check of a large table takes minutes, and the
        # user can run that phase alone and hand its result over.
        fail(f"ruleproof report: error: {ruleset}: not reported: running every check of {len(rs.rules):,} rules "
             f"(past {CHECK_RULES_LIMIT:,}, and not a decision table the checks read as boxes) takes a minute or more. Instead run the checks as their own step, "
             f"`ruleproof check {ruleset} --format json > check.json`, then "
             f"`ruleproof report {ruleset} --results check.json -o {output}`; or add --force")
    too_large = None if force else drawing_too_large(rs)
    prepare_output(output)
    if results_path is not None:
        data = _load_results(results_path, rs.name)
    else:
        from verifier.check.run import check_ruleset

        report = check_ruleset(rs, timeout_s=timeout if timeout is not None else DEFAULT_TIMEOUT_S, dsl_warnings=warnings)
        data = report.to_json(not no_timing)
    figures = None
    note = None
    if too_large is not None:
        note = (f"The drawings are left out: {too_large}. `ruleproof check` lists the table's overlaps and "
                f"gaps; `ruleproof report --force` draws them anyway")
    elif dot_available():
        from verifier.graph.feasible import UndecidedPaths

        try:
            figures = report_figures(rs)
        except GraphvizMissing as err:
            note = str(err)
        except UndecidedPaths as err:  # never draw paths that may be impossible
            note = f"The decision diagram is missing: {err}"
    else:
        note = f"The drawings are missing: {GraphvizMissing()}"
    if note:
        click.echo(f"ruleproof report: warning: {note}", err=True)
    text = build_html(rs, data, figures, manifest=manifest, timing=not no_timing, graph_note=note, tool=_tool_name(),
                      source_text=text, tables=tables)
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as err:
        fail(f"{output}: error: cannot write: {err.strerror or err}")
    results = data.get("results", [])
    counts = ", ".join(f"{sum(1 for r in results if r.get('status') == s)} {s}" for s in ("proved", "refuted", "unknown"))
    click.echo(f"wrote {output} ({rs.name} {rs.version}: {counts})")
    sys.exit(_verdict(data))
