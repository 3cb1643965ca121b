"""``ruleproof graph``: draw a ruleset for reviewers (rules view or decision diagram)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from dsl.model import Ruleset
from engine import RecordError
from verifier.cli.common import AsciiIntRange, ExitCode, fail, load_ruleset_or_exit, prepare_output
from verifier.cli.sources import read_record
from verifier.graph.render import (
    GraphvizMissing, Highlight, NoCounterexample, counterexample_highlight, dot_available, format_for,
    highlight_record, render,
)


def _read_record(path: str, ruleset: Ruleset) -> tuple[Any, str]:
    """The record in a JSON file (or under "patient" in a worked example) and a title for it."""
    record, title = read_record(path, ruleset)
    return record, title or Path(path).name


def _highlight(ruleset: Ruleset, patient: str | None, counterexample: str | None) -> Highlight | None:
    if patient is not None:
        record, title = _read_record(patient, ruleset)
        try:
            return highlight_record(ruleset, record, title)
        except RecordError as err:
            fail("\n".join(f"{patient}: error: {p}" for p in err.problems))
    if counterexample is not None:
        try:
            return counterexample_highlight(ruleset, counterexample)
        except NoCounterexample as err:
            fail(f"{ruleset.path}: error: {err}")
    return None


def _pathway_source(rs: Ruleset, patient: str | None, phase: str | None, whole: bool,
                    counterexample: str | None) -> tuple[str, str]:
    """The pathway view (issue 16) and what it shows; a counterexample is a refuted pathway property's journey."""
    if patient is not None or phase is not None or whole:
        raise click.UsageError("the pathway view takes --counterexample PATHWAY_ID only (no --patient, --phase or --whole)")
    from verifier.pathway.view import pathway_dot, pathway_edges

    if not rs.effects:
        fail(f"{rs.path}: error: the ruleset declares no effects, so no action moves a patient between phases")
    journey, title, what = None, None, "pathway view"
    if counterexample is not None:
        from verifier.check.results import REFUTED
        from verifier.pathway.prove import check_pathway
        from verifier.check.session import Session
        from verifier.solver import DEFAULT_TIMEOUT_S

        props = {p.id: p for p in rs.pathways}
        if counterexample not in props:
            fail(f"{rs.path}: error: no pathway property {counterexample!r}; "
                 f"the pathway properties are: {', '.join(props) or '(none)'}")
        result = check_pathway(Session(rs, DEFAULT_TIMEOUT_S), props[counterexample])
        if result.status != REFUTED or result.journey is None:
            fail(f"{rs.path}: error: pathway property {counterexample} is {result.status}: no counterexample journey to draw")
        journey = result.journey
        title = f"counterexample journey of {counterexample}: {len(journey) - 1} step(s)"
        what = f"pathway view, highlighting the journey refuting {counterexample}"
    return pathway_dot(rs, pathway_edges(rs), journey, title), what


def _refuse_if_too_large(rs: Ruleset, path: str, view: str, fmt: str, phase: str | None) -> None:
    """Stop before any work when Graphviz could not lay the drawing out in reasonable time (exit 2)."""
    from verifier.graph import scale

    if view == "rules" and fmt == "dot":
        return  # the rules view's DOT text needs no layout: seconds even for a 1,500-row table
    if phase is not None:
        rules = [r for r in rs.rules if r.phase == phase]
        if len(rules) * 3 <= scale.DRAW_LIMIT:  # one phase's part of the drawing is what gets laid out
            return
    reason = scale.too_large(rs)
    if reason is None:
        return
    instead = [f"`ruleproof check {path}` for the table's overlaps, gaps and dead rules",
               f"`ruleproof graph {path} -o FILE.dot` for the rules view's DOT text, without a layout"]
    if rs.phases:
        instead.append(f"`ruleproof graph {path} --view {view} --phase NAME -o FILE.svg` for one phase")
    fail(f"ruleproof graph: error: {path}: not drawn: {reason}. Instead run " + "; or ".join(instead)
         + "; or add --force to draw it anyway")


def _write(output: str, fmt: str, dpi: int | None, source: str) -> None:
    try:
        data = render(source, fmt, dpi if fmt == "png" else None)
    except GraphvizMissing as err:
        fail(f"ruleproof graph: {err}")
    try:
        Path(output).write_bytes(data)
    except OSError as err:
        fail(f"{output}: error: cannot write: {err.strerror or err}")


def graph_source(ruleset: Ruleset, view: str, phase: str | None, whole: bool, highlight: Highlight | None,
                 labels: bool = False) -> str:
    """The DOT text of the requested view (``labels``: the ruleset's words instead of identifiers)."""
    if view == "rules":
        from verifier.graph.rules_view import rules_view

        return rules_view(ruleset, highlight, phase, labels=labels)
    from verifier.graph.decision import build_view, build_whole
    from verifier.graph.decision_dot import decision_dot, whole_dot

    if whole:
        return whole_dot(ruleset, build_whole(ruleset), highlight, labels=labels)
    return decision_dot(build_view(ruleset), highlight, phase, labels=labels)


@click.command("graph")
@click.argument("ruleset")  # no click.Path: the reader says "Is a directory" in one line
@click.option("-o", "--output", "output", required=True, metavar="FILE",
              help="Where to write the drawing; the extension picks the format: .svg, .png, .pdf or .dot.")
@click.option("--view", type=click.Choice(["rules", "decision", "pathway"]), default="rules", show_default=True,
              help="rules: inputs -> conditions -> rules -> actions. decision: the decision diagram, one question at a time. "
                   "pathway: phases as states, the actions that move a patient between them as edges.")
@click.option("--phase", metavar="NAME", help="Draw one phase only.")
@click.option("--whole", is_flag=True,
              help="Decision view: the single unfactored diagram of the whole ruleset (large; for completeness).")
@click.option("--labels", is_flag=True,
              help="For clinicians: name inputs and conditions by their docs, rules by their titles and actions "
                   "by their labels (identifiers stay beside them in small type).")
@click.option("--dpi", type=AsciiIntRange(24, 600), default=None,
              help="Resolution of a PNG (default 96); lower makes a smaller file.")
@click.option("--patient", metavar="RECORD.json", help="Highlight the path this record takes and the rules it fires.")
@click.option("--force", is_flag=True,
              help="Draw even a ruleset too large for Graphviz to lay out in reasonable time (past 400 nodes).")
@click.option("--counterexample", metavar="CHECK",
              help="Highlight the counterexample of a refuted check (a property id such as P3, or a check name "
                   "as `ruleproof check` prints it). Runs the checks first.")
def graph_command(ruleset: str, output: str, view: str, phase: str | None, whole: bool, labels: bool,
                  dpi: int | None, patient: str | None, force: bool, counterexample: str | None) -> None:
    """Draw RULESET for a reviewer, rendered by Graphviz's `dot`.

    \b
    Views:
      rules     every input and derived condition feeding the rules, the rules grouped
                by phase, and the actions they give, coloured by strength with their
                evidence category
      decision  the decision diagram: first the questions that decide the phase, then
                per phase small diagrams read one question at a time down to what is
                recommended; a record gets everything its phase's parts give
      pathway   phases as states and the actions whose effects move a patient from one
                to another (each edge decided by Z3); with --counterexample PATHWAY_ID
                the refuting journey is drawn over it, step by step

    \b
    Examples:
      ruleproof graph rulesets/liposarcoma.rules -o out/rules.svg
      ruleproof graph rulesets/liposarcoma.rules --view decision --phase postop -o out/postop.png
      ruleproof graph rulesets/liposarcoma.rules --view decision --patient patient.json -o out/path.svg
      ruleproof graph rulesets/liposarcoma.rules --counterexample P3 -o out/p3.svg

    .dot output needs no Graphviz; the other formats need its `dot` program.
    """
    if patient is not None and counterexample is not None:
        raise click.UsageError("give --patient or --counterexample, not both")
    if whole and (view != "decision" or phase is not None):
        raise click.UsageError("--whole draws the whole decision diagram: use it with --view decision and no --phase")
    try:
        fmt = format_for(output)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    if fmt != "dot" and not dot_available():
        fail(f"ruleproof graph: {GraphvizMissing()}")
    rs = load_ruleset_or_exit(ruleset)
    if phase is not None and phase not in {p.name for p in rs.phases}:
        names = ", ".join(p.name for p in rs.phases) or "(none)"
        fail(f"{ruleset}: error: no phase named {phase!r}; the phases are: {names}")
    if not force and view != "pathway":
        _refuse_if_too_large(rs, ruleset, view, fmt, phase)
    if view == "pathway":
        source, what = _pathway_source(rs, patient, phase, whole, counterexample)
        prepare_output(output)
        _write(output, fmt, dpi, source)
        click.echo(f"wrote {output} ({what})")
        return
    prepare_output(output)
    highlight = _highlight(rs, patient, counterexample)
    from verifier.graph.feasible import UndecidedPaths

    try:
        source = graph_source(rs, view, phase, whole, highlight, labels)
    except UndecidedPaths as err:
        fail(f"{ruleset}: undecided: {err}; no diagram drawn", ExitCode.UNKNOWN)
    _write(output, fmt, dpi, source)
    what = f"{view} view" + (f", phase {phase}" if phase else "") + (f", highlighting {highlight.title}" if highlight else "")
    click.echo(f"wrote {output} ({what})")
    if highlight is not None and view == "rules" and not highlight.fired:
        click.echo("note: no rule fires on this record", err=True)
