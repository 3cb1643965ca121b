"""``ruleproof diff``: what an edit of a ruleset changes, in meaning and in text."""

from __future__ import annotations

import sys

import click

from dsl.model import Ruleset
from verifier.cli.common import AsciiIntRange, fail, load_ruleset_or_exit, timeout_option
from verifier.cli.sources import ruleset_at_revision
from verifier.exit_codes import combine
from verifier.diff.compare import DEFAULT_MAX_REGIONS, diff_rulesets, exit_code
from verifier.diff.render import render_all


@click.command("diff")
@click.argument("rulesets", nargs=-1, required=True, metavar="[OLD] NEW...")
@click.option("--base", metavar="GITREV",
              help="Take OLD from git: each NEW file's path as committed in GITREV (e.g. HEAD, main).")
@click.option("--skip-new", is_flag=True,
              help="With --base: a file GITREV does not have is noted and skipped, not an error (for hooks).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for people, markdown for a review comment, json for tools.")
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when the meaning changed (for CI and pre-commit).")
@timeout_option()
@click.option("--max-regions", type=AsciiIntRange(min=1), default=DEFAULT_MAX_REGIONS, show_default=True,
              help="Regions listed per action (and per validity change) before saying 'and more'.")
@click.option("--no-timing", is_flag=True, help="Leave the time out, so reports of one edit are byte-identical.")
def diff_command(rulesets: tuple[str, ...], base: str | None, skip_new: bool, fmt: str, fail_on_change: bool,
                 timeout: float, max_regions: int, no_timing: bool) -> None:
    """Which patients get different advice from NEW than from OLD, and what changed in the text.

    \b
    ruleproof diff OLD NEW
    ruleproof diff --base HEAD rulesets/liposarcoma.rules [MORE.rules...]

    For every action: the regions of records (valid under both versions)
    where it is newly given, no longer given, or given with another strength
    or category, each with an example record both engines confirm; the
    records only one version accepts; and the declarations added, removed or
    changed. An edit that changes no advice is proved so. With --base and
    several files, each is compared with its own committed version (JSON:
    {"diffs": [...]}).

    \b
    Exit codes:
      0  done (with --fail-on-change: the meaning is unchanged)
      1  with --fail-on-change: the meaning changed
      2  bad input: unreadable file, ruleset error, git error, bad option
      3  undecided: the solver gave up on part of the diff (and 1 does not apply)
      4  internal error: the engines do not confirm an example (a bug in ruleproof)
    """
    pairs: list[tuple[Ruleset, Ruleset]] = []
    if base is not None:
        for path in rulesets:
            new = load_ruleset_or_exit(path)
            old = ruleset_at_revision(base, path, skip_new)
            if old is None:
                click.echo(f"{path}: note: not in {base}: a new ruleset, nothing to compare", err=True)
            else:
                pairs.append((old, new))
    else:
        if len(rulesets) != 2:
            fail("ruleproof diff: error: give two rulesets, OLD and NEW (or NEW... with --base GITREV)")
        if skip_new:
            fail("ruleproof diff: error: --skip-new goes with --base")
        pairs.append((load_ruleset_or_exit(rulesets[0]), load_ruleset_or_exit(rulesets[1])))
    reports = [diff_rulesets(old, new, timeout_s=timeout, max_regions=max_regions) for old, new in pairs]
    output = render_all(reports, fmt, timing=not no_timing)
    if output:
        click.echo(output, nl=not output.endswith("\n"))
    for report in reports:
        for u in report.semantic.undecided:
            click.echo(f"{report.new.path}: undecided: {u}", err=True)
    sys.exit(int(combine(exit_code(r, fail_on_change) for r in reports)))
