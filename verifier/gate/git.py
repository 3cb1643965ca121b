"""What the gate reads from git: a file at the base revision, and whether a directory changed since."""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    """git is missing, the path is outside a repository, or the revision is unknown (bad input)."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as err:
        raise GitError("--base needs git, and no git command was found") from err
    except OSError as err:
        raise GitError(f"cannot run git: {err.strerror or err}") from err


def _first_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return text[0] if text else f"git exited with status {proc.returncode}"


class Repo:
    """The git repository holding ``anchor``, and one base revision of it."""

    def __init__(self, anchor: str | Path, rev: str) -> None:
        where = Path(anchor).resolve()
        where = where if where.is_dir() else where.parent
        if not where.is_dir():
            raise GitError(f"{anchor}: no such directory")
        top = _git(["rev-parse", "--show-toplevel"], where)
        if top.returncode != 0:
            raise GitError(f"--base {rev}: {anchor} is not inside a git repository ({_first_line(top)})")
        self.root = Path(top.stdout.decode("utf-8", "replace").strip()).resolve()
        if rev.startswith("-") or not rev.strip():
            raise GitError(f"--base: {rev!r} is not a git revision")
        commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], self.root)
        if commit.returncode != 0:
            raise GitError(f"--base {rev}: unknown git revision in {self.root}")
        self.rev = rev
        self.commit = commit.stdout.decode().strip()

    def relative(self, path: str | Path) -> str:
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError as err:
            raise GitError(f"{path}: outside the git repository at {self.root}") from err

    def read(self, path: str | Path) -> str | None:
        """The text of ``path`` at the base revision; None if the revision does not have it."""
        rel = self.relative(path)
        if _git(["cat-file", "-e", f"{self.commit}:{rel}"], self.root).returncode != 0:
            return None
        shown = _git(["show", f"{self.commit}:{rel}"], self.root)
        if shown.returncode != 0:
            raise GitError(f"{self.rev}:{rel}: {_first_line(shown)}")
        try:
            return shown.stdout.decode("utf-8")
        except UnicodeDecodeError as err:
            raise GitError(f"{self.rev}:{rel}: not UTF-8 text") from err

    def changed_since(self, directory: str | Path) -> bool:
        """Do the files under ``directory`` (working tree, untracked ones included) differ from the base?"""
        rel = self.relative(directory)
        diff = _git(["diff", "--quiet", self.commit, "--", rel], self.root)
        if diff.returncode not in (0, 1):
            raise GitError(f"git diff {self.rev} -- {rel}: {_first_line(diff)}")
        if diff.returncode == 1:
            return True
        untracked = _git(["ls-files", "--others", "--exclude-standard", "--", rel], self.root)
        return bool(untracked.stdout.strip())
