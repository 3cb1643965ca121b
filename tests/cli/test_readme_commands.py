"""Every shell block of the README runs as written, on a fresh copy of the repository.

The copy holds the repository's files and nothing beside it (no ../shared),
is a git repository of its own (for `diff --base HEAD`), and finds
`ruleproof` and `make`'s virtualenv through a link to this checkout's
`.venv` (what `. .venv/bin/activate` gives a reader).

Conventions the README follows, so that each line says what it does:

- a line of a ```sh block is one command; `# ...` after it is prose;
- `(exit N)` in that prose: the command is expected to exit N (default 0);
- `(slow ...)` in that prose: the command takes longer than a test should;
  it is not dropped: its options are parsed by the real command line (a
  `make` target is dry-run), and RULEPROOF_README_SLOW=1 runs it for real
  (all but `make test`, which would run this suite inside itself);
- a block whose lines start with `$ ` is a transcript: the output under each
  command is compared with what the command prints.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from tests.conftest import REPO
from verifier.cli import cli

BUDGET_S = 120  # per command: a guard against a hang, not a timing test
RUN_SLOW = os.environ.get("RULEPROOF_README_SLOW") == "1"


@dataclass(frozen=True)
class Command:
    line: int
    text: str
    exit: int
    slow: bool
    output: str | None  # transcripts: the expected stdout


def _blocks() -> list[tuple[int, str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [(text[: m.start()].count("\n") + 2, m.group(1)) for m in re.finditer(r"```sh\n(.*?)```", text, re.S)]


def _commands(start: int, body: str) -> list[Command]:
    lines = body.rstrip("\n").split("\n")
    out: list[Command] = []
    if lines and lines[0].startswith("$ "):
        k = 0
        while k < len(lines):
            cmd = lines[k][2:]
            j = k + 1
            while j < len(lines) and not lines[j].startswith("$ "):
                j += 1
            out.append(_command(start + k, cmd, "\n".join(lines[k + 1 : j])))
            k = j
        return out
    return [_command(start + k, ln, None) for k, ln in enumerate(lines) if ln.strip()]


def _command(line: int, text: str, output: str | None) -> Command:
    exit_ = re.search(r"\(exit (\d)\)", text)
    return Command(line, text, int(exit_.group(1)) if exit_ else 0, "(slow" in text, output)


BLOCKS = _blocks()


def test_the_readme_has_shell_blocks() -> None:
    assert len(BLOCKS) >= 8
    assert all(_commands(*b) for b in BLOCKS)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's files in a fresh folder with nothing beside it, committed to a new git repository."""
    root = tmp_path_factory.mktemp("fresh") / "ruleproof"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = REPO / name
        if src.is_file():
            dst = root / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    (root / ".venv").symlink_to(REPO / ".venv")
    os.utime(root / "pyproject.toml", (0, 0))  # older than the linked virtualenv: `make` does not reinstall
    git = ["git", "-c", "user.name=readme", "-c", "user.email=readme@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "fresh clone"]):
        subprocess.run(git + args, cwd=root, check=True, capture_output=True)
    return root


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{REPO / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.pop("RULEPROOF_DEBUG", None)
    return env


def _parse_only(cmd: Command, root: Path) -> None:
    """A slow command, checked without running it: its arguments must parse."""
    words = shlex.split(cmd.text, comments=True)
    if words[0] == "make":
        res = subprocess.run(["make", "-n", *words[1:]], cwd=root, capture_output=True, text=True, env=_env())
        assert res.returncode == 0, f"README line {cmd.line}: make -n failed: {res.stderr}"
        return
    assert words[0] == "ruleproof", f"README line {cmd.line}: slow marker on a command the test cannot parse"
    with click.Context(cli) as ctx:
        sub = cli.get_command(ctx, words[1])
        assert sub is not None, f"README line {cmd.line}: no subcommand {words[1]}"
        try:
            sub.make_context(words[1], words[2:], parent=ctx)
        except click.UsageError as err:
            raise AssertionError(f"README line {cmd.line}: {err}") from None


@pytest.mark.parametrize("start,body", BLOCKS, ids=[f"line{b[0]}" for b in BLOCKS])
def test_readme_block_runs_as_written(clone: Path, start: int, body: str) -> None:
    for cmd in _commands(start, body):
        # `make test` would run this suite inside itself: it is only ever dry-run.
        if cmd.slow and (not RUN_SLOW or cmd.text.split()[:2] == ["make", "test"]):
            _parse_only(cmd, clone)
            continue
        res = subprocess.run(["bash", "-o", "pipefail", "-c", cmd.text], cwd=clone, capture_output=True, text=True,
                             env=_env(), timeout=BUDGET_S)
        assert res.returncode == cmd.exit, (
            f"README line {cmd.line}: `{cmd.text}` exited {res.returncode}, expected {cmd.exit}\n{res.stderr[-2000:]}")
        assert "Traceback" not in res.stderr
        if cmd.output is not None:
            got = "\n".join(ln.rstrip() for ln in res.stdout.rstrip("\n").split("\n"))
            want = "\n".join(ln.rstrip() for ln in cmd.output.rstrip("\n").split("\n"))
            assert got == want, f"README line {cmd.line}: the output shown differs from the real one"
