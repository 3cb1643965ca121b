"""``ruleproof gate``: the one command a CI job runs (check + regression suite + diff against a base)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import dsl
from verifier.cli.common import fail, load_ruleset_or_exit
from verifier.gate.acks import ChangelogError, Entry, changelog_path, parse_changelog
from verifier.gate.git import GitError, Repo
from verifier.gate.render import RENDERERS
from verifier.gate.run import Base, GateReport, exit_code, gate_ruleset


def default_cases_dir(ruleset_path: str) -> Path:
    """``rulesets/NAME.rules`` -> ``generated_cases/NAME`` beside the rulesets directory."""
    p = Path(ruleset_path)
    return p.resolve().parent.parent / "generated_cases" / p.stem


def _relative(p: Path) -> Path:
    try:
        return p.relative_to(Path.cwd().resolve())
    except ValueError:
        return p


def _changelog(text: str | None, where: str) -> tuple[Entry, ...]:
    if text is None:
        return ()
    try:
        return parse_changelog(text, where)
    except ChangelogError as err:
        fail(str(err))


def _base(rev: str, path: str, cases_dir: Path, log: Path) -> Base:
    try:
        repo = Repo(path, rev)
        old_text = repo.read(path)
        old = None
        if old_text is not None:
            try:
                old = dsl.parse_ruleset(old_text, f"{rev}:{repo.relative(path)}")
            except dsl.RulesetError as err:
                fail(err.render())
        base_log = repo.read(log) if log.parent.is_dir() else None
        updated = cases_dir.is_dir() and repo.changed_since(cases_dir / "cases")
    except GitError as err:
        fail(f"{path}: error: {err}")
    return Base(rev, old, _changelog(base_log, f"{rev}:{log}"), updated)


@click.command("gate")
@click.argument("rulesets", nargs=-1, required=True, metavar="RULESET...")
@click.option("--base", metavar="GITREV",
              help="Also diff each ruleset (its advice and its specification) against its version in GITREV.")
@click.option("--cases", "cases", type=click.Path(file_okay=False, path_type=Path),
              help="The regression suite (one RULESET only). Default: generated_cases/NAME beside rulesets/.")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
              help="text for people, markdown for a review, json for tools, sarif for code scanning, junit for CI.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="Seconds the solver may spend on each query.")
@click.option("--no-timing", is_flag=True, help="Leave the time out, so reports are byte-identical.")
def gate_command(rulesets: tuple[str, ...], base: str | None, cases: Path | None, fmt: str, timeout: float,
                 no_timing: bool) -> None:
    """Everything CI must know before a ruleset change lands, in one verdict.

    \b
    1. every check of `ruleproof check` proved;
    2. the regression suite replays with unchanged advice (`cases --check`);
    3. with --base: no patient's advice changed unless this change also
       updates the regression suite; no property, conflict, coverage
       declaration or constraint weakened unless this change adds an entry
       naming it to the ruleset's change log (NAME.changelog.toml).

    \b
    Exit codes:
      0  passed
      1  something failed (listed at the end, each with the file:line to read)
      2  bad input: unreadable ruleset or change log, git error, bad option
      3  undecided: the solver gave up somewhere (never a pass)
      4  internal error (a bug in ruleproof)
    """
    if cases is not None and len(rulesets) != 1:
        fail("ruleproof gate: error: --cases goes with a single RULESET")
    reports: list[GateReport] = []
    for path in rulesets:
        rs = load_ruleset_or_exit(path)
        suite = cases if cases is not None else _relative(default_cases_dir(path))
        log = changelog_path(path)
        try:
            log_text = log.read_text(encoding="utf-8") if log.exists() else None
        except (OSError, UnicodeDecodeError) as err:
            fail(f"{log}: error: cannot read the change log: {err}")
        entries = _changelog(log_text, str(log))
        base_info = _base(base, path, suite, log) if base is not None else None
        reports.append(gate_ruleset(rs, suite, base_info, entries, str(log), timeout_s=timeout))
    output = RENDERERS[fmt](reports, timing=not no_timing)
    click.echo(output, nl=False)
    for r in reports:
        if r.internal_error:
            click.echo(f"ruleproof gate: internal error: {r.internal_error}", err=True)
    sys.exit(exit_code(reports))
