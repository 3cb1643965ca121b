"""Acknowledgements of weakened guarantees: the ruleset's change log.

A weakened property, a removed conflict or coverage declaration, or a change
of the valid records is a decision a reviewer must see and sign off. It is
acknowledged by an entry in the change log that sits beside the ruleset
(``rulesets/NAME.rules`` -> ``rulesets/NAME.changelog.toml``) and that lands
*in the same change*: an entry already present at the base revision
acknowledges nothing new, so an old entry cannot wave a later weakening
through.

    [[weakened]]
    ids = ["P11"]                       # property, conflict(a,b), coverage id or "constraints"
    why = "R1 margins: radiotherapy now decided by the board (guideline 2026 update)"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


class ChangelogError(Exception):
    """A change log that cannot be read or does not have the expected shape (bad input)."""


@dataclass(frozen=True, slots=True)
class Entry:
    ids: tuple[str, ...]
    why: str
    line: int  # 1-based line of the entry's [[weakened]] header, for reports

    def key(self) -> tuple[tuple[str, ...], str]:
        return (tuple(sorted(self.ids)), self.why.strip())


def changelog_path(ruleset_path: str | Path) -> Path:
    """Where a ruleset's change log lives: beside it, ``NAME.changelog.toml``."""
    p = Path(ruleset_path)
    return p.with_name(p.stem + ".changelog.toml")


def parse_changelog(text: str, where: str) -> tuple[Entry, ...]:
    """The entries of a change log; ``ChangelogError`` naming the file and the problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ChangelogError(f"{where}: error: not valid TOML: {err}") from err
    unknown = sorted(set(data) - {"weakened"})
    if unknown:
        raise ChangelogError(f"{where}: error: unknown table {unknown[0]!r} (expected [[weakened]] entries)")
    raw = data.get("weakened", [])
    if not isinstance(raw, list):
        raise ChangelogError(f"{where}: error: 'weakened' must be an array of tables ([[weakened]])")
    headers = [k + 1 for k, line in enumerate(text.splitlines()) if line.strip().startswith("[[weakened]]")]
    out = []
    for k, item in enumerate(raw):
        line = headers[k] if k < len(headers) else 1
        ids, why = item.get("ids"), item.get("why")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i.strip() for i in ids):
            raise ChangelogError(f"{where}:{line}: error: entry {k + 1}: 'ids' must be a non-empty list of names")
        if not isinstance(why, str) or not why.strip():
            raise ChangelogError(f"{where}:{line}: error: entry {k + 1}: 'why' must say why (a non-empty string)")
        extra = sorted(set(item) - {"ids", "why"})
        if extra:
            raise ChangelogError(f"{where}:{line}: error: entry {k + 1}: unknown key {extra[0]!r}")
        out.append(Entry(tuple(i.strip() for i in ids), why.strip(), line))
    return tuple(out)


def new_acknowledgements(now: tuple[Entry, ...], base: tuple[Entry, ...]) -> dict[str, Entry]:
    """Each id acknowledged by an entry that the base revision did not have."""
    old = {e.key() for e in base}
    out: dict[str, Entry] = {}
    for e in now:
        if e.key() in old:
            continue
        for i in e.ids:
            out.setdefault(i, e)
    return out
