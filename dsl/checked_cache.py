"""Checked rulesets kept between runs, keyed by their content (issue 14).

Parsing and checking a 1,500-row decision table takes seconds; every command
run on it again (``eval`` after ``check``, a CI job's ``check`` then ``cases
--check``, an author evaluating patient after patient) would pay that again.
A ruleset of at least ``MIN_CHARS`` characters is therefore kept, checked, in
the private cache folder (``dsl.private_cache``), under a key made of its
path, its text, this package's code and the Python and Lark versions: an edit
of the file, or of ruleproof, never reads a stale entry.

Loading a pickle can run code. Besides the folder's rules (ours alone, no
links, writes by rename), the loader only builds classes of this package and
a few plain value types: a planted file can at worst be refused, it cannot
run anything. Anything odd about an entry (unreadable, refused, wrong key) is
a miss, and the ruleset is checked afresh.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path

from lark import __version__ as lark_version

from dsl.errors import Diagnostic
from dsl.model import Ruleset
from dsl.private_cache import cache_folder, trusted_file, write_by_rename

# Below this a ruleset checks in a fraction of a second: not worth a file.
MIN_CHARS = 64 * 1024
# The newest entries kept; older ones are removed as new ones are written.
MAX_ENTRIES = 16
_FORMAT = b"ruleproof-checked-2"
# What an entry may contain besides the classes of the ``dsl`` package.
_PLAIN = {("fractions", "Fraction"), ("decimal", "Decimal"), ("builtins", "frozenset"), ("builtins", "set")}
_MODEL_MODULES = {"dsl.model", "dsl.span", "dsl.errors", "dsl.grading"}


class _Refused(Exception):
    pass


class _ModelOnly(pickle.Unpickler):
    """An unpickler that builds nothing but the checked model's own types."""

    def find_class(self, module: str, name: str):  # type: ignore[override]
        # Classes of the model modules only (a function such as a file writer is
        # refused), whose constructors only store values, and plain value types.
        if module in _MODEL_MODULES and name[:1] != "_":
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        elif (module, name) in _PLAIN:
            return super().find_class(module, name)
        raise _Refused(f"{module}.{name}")


def _reducer(cls: type):
    """Pickle an instance as a call of its class with its fields, in order.

    The default for frozen, slotted dataclasses sets each slot from Python
    through ``dataclasses.fields``; a 1,500-row table has 170,000 objects and
    that took seconds. The class's own ``__init__`` is faster, and it is the
    only thing a kept entry can call (see ``_ModelOnly``). A ruleset's lookup
    tables are not kept: its ``__post_init__`` rebuilds them.
    """
    import dataclasses

    names = tuple(f.name for f in dataclasses.fields(cls) if f.init and f.name != "_index")

    def reduce(obj: object) -> tuple:
        return cls, tuple(getattr(obj, n) for n in names)
    return reduce


@lru_cache(maxsize=1)
def _register() -> None:
    """Pickle every slotted dataclass of the model packages through its ``__init__``."""
    import dataclasses
    import inspect

    from dsl import errors, grading, model, span

    for mod in (model, span, errors, grading):
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ == mod.__name__ and dataclasses.is_dataclass(cls) and "__slots__" in cls.__dict__:
                copyreg.pickle(cls, _reducer(cls))


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """What the checked model depends on: this package's sources and grammar, Python and Lark."""
    h = hashlib.sha256()
    h.update(f"{sys.version}\0{lark_version}\0".encode())
    here = Path(__file__).parent
    for p in sorted(here.glob("*.py")) + sorted(here.glob("*.lark")):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.digest()


def _key(text: str, path: str) -> str:
    h = hashlib.sha256(_FORMAT + _code_digest())
    h.update(path.encode("utf-8", "surrogatepass") + b"\0" + text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _entry(folder: str, key: str) -> str:
    return os.path.join(folder, f"checked-{key[:32]}.pickle")


def enabled() -> bool:
    """Off when ``RULEPROOF_CACHE=0`` (for timing a cold run, or a read-only home)."""
    return os.environ.get("RULEPROOF_CACHE", "1") != "0"


def load(text: str, path: str) -> tuple[Ruleset, list[Diagnostic]] | None:
    """The checked ruleset kept for exactly this text and path, or None."""
    if len(text) < MIN_CHARS or not enabled():
        return None
    folder = cache_folder()
    if folder is None:
        return None
    key = _key(text, path)
    entry = _entry(folder, key)
    if not trusted_file(entry):
        return None
    try:
        with open(entry, "rb") as fh:
            data = fh.read()
        head, _, body = data.partition(b"\n")
        if head != _FORMAT + b" " + key.encode():
            return None
        stored_key, ruleset, warnings = _ModelOnly(io.BytesIO(body)).load()
    except (OSError, EOFError, _Refused, pickle.UnpicklingError, AttributeError, ValueError, TypeError,
            IndexError, KeyError, ImportError):
        return None
    if stored_key != key or not isinstance(ruleset, Ruleset) or not isinstance(warnings, list):
        return None
    try:
        os.utime(entry)  # recently used: kept longest
    except OSError:
        pass
    return ruleset, warnings


def store(text: str, path: str, ruleset: Ruleset, warnings: list[Diagnostic]) -> None:
    """Keep a freshly checked ruleset (no-op for small ones or without a private folder)."""
    if len(text) < MIN_CHARS or not enabled():
        return
    folder = cache_folder()
    if folder is None:
        return
    key = _key(text, path)
    _register()
    try:
        body = pickle.dumps((key, ruleset, warnings), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError, TypeError):  # pragma: no cover - the model pickles
        return
    write_by_rename(_entry(folder, key), _FORMAT + b" " + key.encode() + b"\n" + body)
    _evict(folder)


def _evict(folder: str) -> None:
    try:
        names = [n for n in os.listdir(folder) if n.startswith("checked-") and n.endswith(".pickle")]
        if len(names) <= MAX_ENTRIES:
            return
        aged = sorted(names, key=lambda n: os.lstat(os.path.join(folder, n)).st_mtime)
        for n in aged[:len(names) - MAX_ENTRIES]:
            os.unlink(os.path.join(folder, n))
    except OSError:
        pass
