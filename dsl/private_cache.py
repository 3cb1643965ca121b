"""The user's private cache folder: where the parser tables and checked rulesets are kept.

Both are pickles, and loading a pickle can run code. A file is only read from
a folder this account alone owns and can write (not a link), only if it is a
plain file of ours, and it is written under a temporary name and renamed into
place, so a reader never sees half a file and a planted link is replaced,
never followed (issue 10, D4).
"""

from __future__ import annotations

import os
import stat


def private_dir(folder: str) -> bool:
    """True if ``folder`` is a real directory that only this account can read or write."""
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return (stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()
            and stat.S_IMODE(st.st_mode) & 0o077 == 0)


def trusted_file(path: str) -> bool:
    """True if ``path`` is a plain file of ours (no symlink, no hard link, not writable by others)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and st.st_nlink == 1
            and stat.S_IMODE(st.st_mode) & 0o022 == 0)


def cache_folder() -> str | None:
    """``$XDG_CACHE_HOME/ruleproof`` (or ``~/.cache/ruleproof``), made if missing;
    None when there is no ownership to check or the folder is not ours alone."""
    if not hasattr(os, "getuid"):  # pragma: no cover - no ownership to check: no cache
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "ruleproof")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return folder if private_dir(folder) else None


def write_by_rename(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a private temporary file renamed over it (errors ignored:
    a cache that cannot be written is only a slower next run)."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.unlink(tmp)
    except OSError:
        pass
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
