"""Where a command's inputs come from: record files, stdin and git revisions.

Every subcommand reads patient records and old versions of rulesets through
these functions, so a file that cannot be read, a record that is not JSON or
a revision git does not know gets the same one-line error everywhere.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import dsl
from dsl.model import Ruleset
from engine import RecordError, load_record_json
from verifier.cli.common import fail


def read_text_arg(path: str, what: str) -> str:
    """The text of file ``path`` ('-': stdin), strictly UTF-8 (stdin too: never the locale's
    guess, never raw bytes back out); exit 2 naming ``what`` could not be read."""
    where = display_name(path)
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
        return data.decode("utf-8")
    except OSError as err:
        fail(f"{where}: error: cannot read {what}: {err.strerror or err}")
    except UnicodeDecodeError as err:
        fail(f"{where}: error: cannot read {what}: not valid UTF-8 (byte {err.start + 1})")


def display_name(path: str) -> str:
    """How error lines name a record argument."""
    return "<stdin>" if path == "-" else path


def record_error_lines(where: str, err: RecordError) -> list[str]:
    """One ``WHERE: error: ...`` line per problem of an invalid record."""
    return [f"{where}: error: {p}" for p in err.problems]


def unwrap_record(obj: Any, ruleset: Ruleset) -> tuple[Any, str | None]:
    """The record inside a worked-example file (``{"title", "patient", "expected"}``)
    or a case or counterexample file written by ruleproof (``{"id", "record", ...}``),
    with its title; any other object is the record itself, with no title.

    Only when the object holds a "patient" or "record" object and no input of
    the ruleset, so a real record is never reinterpreted.
    """
    if isinstance(obj, dict) and not any(i.name in obj for i in ruleset.inputs):
        for key in ("patient", "record"):
            if isinstance(obj.get(key), dict):
                title = obj.get("title") or obj.get("id")
                return obj[key], title if isinstance(title, str) else None
    return obj, None


def read_record(path: str, ruleset: Ruleset) -> tuple[Any, str | None]:
    """The (unvalidated) record in file ``path`` ('-': stdin) and its title, if a
    worked example; exit 2 if it cannot be read as JSON."""
    try:
        return unwrap_record(load_record_json(read_text_arg(path, "patient record")), ruleset)
    except RecordError as err:
        fail("\n".join(record_error_lines(display_name(path), err)))


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
