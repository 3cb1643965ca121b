"""The parser-table cache holds pickles, and loading a pickle runs code: it is
used only in a folder that is this account's alone, never through a link, and
written by rename (issue 10, D4). Each case runs in a fresh process, as the
parser is built once per process."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

_PARSE = "import dsl; dsl.parse_ruleset('ruleset t version \"1\"\\ninput q: bool\\n'); print('parsed')"


class _Boom:
    """A pickle that, when loaded, writes a marker file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _run(cache_home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    return subprocess.run([sys.executable, "-c", _PARSE], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def _cache_name(cache_home: Path) -> Path:
    # The file name the parser would use, computed in-process with the same environment.
    code = "import dsl.parser as p; print(p._cache_path(p._GRAMMAR.read_text(encoding='utf-8')))"
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    return Path(out)


def _evil_cache(tmp_path: Path, marker: Path) -> bytes:
    """A cache file Lark would accept (the right header line) whose pickle runs code."""
    genuine = tmp_path / "genuine"
    assert _run(genuine).returncode == 0
    [made] = (genuine / "ruleproof").iterdir()
    header = made.read_bytes().split(b"\n", 1)[0]
    return header + b"\n" + pickle.dumps(_Boom(str(marker)))


def test_the_planted_pickle_would_run_code(tmp_path: Path) -> None:
    # The attack the next tests defend against is real: from a trusted file it runs.
    path = _cache_name(tmp_path)
    marker = tmp_path / "code-ran"
    path.write_bytes(_evil_cache(tmp_path, marker))
    path.chmod(0o600)
    _run(tmp_path)
    assert marker.exists()


def test_a_private_folder_gets_a_private_cache_file(tmp_path: Path) -> None:
    res = _run(tmp_path)
    assert res.returncode == 0 and "parsed" in res.stdout, res.stderr
    folder = tmp_path / "ruleproof"
    files = list(folder.iterdir())
    assert len(files) == 1 and files[0].name.endswith(".lark-cache")
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert (files[0].stat().st_mode & 0o077) == 0
    assert _run(tmp_path).returncode == 0  # and it is read back without trouble


def test_a_shared_folder_is_never_read(tmp_path: Path) -> None:
    path = _cache_name(tmp_path)
    folder = path.parent
    folder.chmod(0o777)  # as if another account had created it for us
    marker = tmp_path / "code-ran"
    path.write_bytes(_evil_cache(tmp_path, marker))
    res = _run(tmp_path)
    assert res.returncode == 0 and "parsed" in res.stdout, res.stderr
    assert not marker.exists()


def test_a_file_that_is_not_ours_alone_is_replaced_not_read(tmp_path: Path) -> None:
    path = _cache_name(tmp_path)
    marker = tmp_path / "code-ran"
    path.write_bytes(_evil_cache(tmp_path, marker))
    path.chmod(0o666)  # writable by anyone: it may have been planted
    res = _run(tmp_path)
    assert res.returncode == 0 and "parsed" in res.stdout, res.stderr
    assert not marker.exists()
    assert (path.stat().st_mode & 0o077) == 0 and not path.is_symlink()


def test_a_planted_link_is_replaced_not_followed(tmp_path: Path) -> None:
    path = _cache_name(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    path.symlink_to(victim)
    res = _run(tmp_path)
    assert res.returncode == 0, res.stderr
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not path.is_symlink() and path.is_file()
