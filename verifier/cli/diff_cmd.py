"""``ruleproof diff``: what an edit of a ruleset changes, in meaning and in text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

import dsl
from dsl.model import Ruleset
from verifier.cli.common import ExitCode, fail, load_ruleset_or_exit
from verifier.diff.compare import DEFAULT_MAX_REGIONS, DEFAULT_TIMEOUT_S, DiffDisagreement, diff_rulesets, exit_code
from verifier.diff.render import render_all


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        fail("ruleproof diff: error: --base needs git, and no git command was found")
    except OSError as err:
        fail(f"ruleproof diff: error: cannot run git: {err.strerror or err}")


def _stderr_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return text[0] if text else f"git exited with status {proc.returncode}"


def ruleset_at_revision(rev: str, path: str, missing_ok: bool = False) -> Ruleset | None:
    """The ruleset at ``path`` as committed in git revision ``rev``; exit 2 saying why if it cannot be read.

    ``missing_ok``: None when ``rev`` does not have the file (a ruleset added since).
    """
    target = Path(path).resolve()
    where = target.parent
    if not where.is_dir():
        fail(f"{path}: error: no such directory {where}")
    top = _git(["rev-parse", "--show-toplevel"], where)
    if top.returncode != 0:
        fail(f"{path}: error: --base {rev}: not inside a git repository ({_stderr_line(top)})")
    root = Path(top.stdout.decode("utf-8", "replace").strip()).resolve()
    try:
        rel = target.relative_to(root).as_posix()
    except ValueError:
        fail(f"{path}: error: --base {rev}: the file is outside the git repository at {root}")
    if rev.startswith("-") or not rev.strip():
        fail(f"{path}: error: --base: {rev!r} is not a git revision")
    commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root)
    if commit.returncode != 0:
        fail(f"{path}: error: --base {rev}: unknown git revision in {root}")
    if missing_ok and _git(["cat-file", "-e", f"{rev}:{rel}"], root).returncode != 0:
        return None
    shown = _git(["show", f"{rev}:{rel}"], root)
    if shown.returncode != 0:
        fail(f"{path}: error: --base {rev}: {rel} does not exist in {rev} ({_stderr_line(shown)})")
    try:
        text = shown.stdout.decode("utf-8")
    except UnicodeDecodeError:
        fail(f"{rev}:{rel}: error: cannot read ruleset: not UTF-8 text")
    try:
        return dsl.parse_ruleset(text, f"{rev}:{rel}")
    except dsl.RulesetError as err:
        fail(err.render())


@click.command("diff")
@click.argument("rulesets", nargs=-1, required=True, metavar="[OLD] NEW...")
@click.option("--base", metavar="GITREV",
              help="Take OLD from git: each NEW file's path as committed in GITREV (e.g. HEAD, main).")
@click.option("--skip-new", is_flag=True,
              help="With --base: a file GITREV does not have is noted and skipped, not an error (for hooks).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for people, markdown for a review comment, json for tools.")
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when the meaning changed (for CI and pre-commit).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT_S, show_default=True,
              help="Seconds the solver may spend on each query.")
@click.option("--max-regions", type=click.IntRange(min=1), default=DEFAULT_MAX_REGIONS, show_default=True,
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
    try:
        reports = [diff_rulesets(old, new, timeout_s=timeout, max_regions=max_regions) for old, new in pairs]
        output = render_all(reports, fmt, timing=not no_timing)
    except DiffDisagreement as err:
        click.echo(f"ruleproof diff: internal error: {err}", err=True)
        sys.exit(int(ExitCode.INTERNAL))
    except Exception as err:  # noqa: BLE001 - a bug of ours: a message and exit 4, never a traceback
        click.echo(f"ruleproof diff: internal error: {type(err).__name__}: {err}", err=True)
        sys.exit(int(ExitCode.INTERNAL))
    if output:
        click.echo(output, nl=not output.endswith("\n"))
    for report in reports:
        for u in report.semantic.undecided:
            click.echo(f"{report.new.path}: undecided: {u}", err=True)
    codes = [exit_code(r, fail_on_change) for r in reports]
    # A change found (1) stands whatever else was undecided (3), as in `ruleproof check`.
    sys.exit(1 if 1 in codes else max(codes, default=0))
