"""Unsafe edits of the liposarcoma ruleset, generated from ``edits.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TABLE = HERE / "edits.toml"


class EditDoesNotApply(Exception):
    """The ruleset changed so that an edit no longer finds its place: update edits.toml."""


@dataclass(frozen=True)
class Edit:
    name: str
    why: str
    expect: tuple[str, ...]
    undetected: bool
    old: str | None = None
    new: str | None = None
    delete_rule: str | None = None
    after_rule: str | None = None
    text: str | None = None

    def apply(self, rules: str) -> str:
        """The ruleset text with this edit made."""
        if self.old is not None:
            assert self.new is not None
            # Any run of whitespace in `old` matches any run, so re-indenting
            # the ruleset does not break the table.
            pattern = r"\s+".join(re.escape(tok) for tok in self.old.split())
            if self.old.endswith("\n"):
                pattern += r"[ \t]*\n"
            hits = list(re.finditer(pattern, rules))
            if len(hits) != 1:
                raise EditDoesNotApply(f"edit {self.name}: {len(hits)} matches of {self.old!r} (need exactly 1)")
            return rules[: hits[0].start()] + self.new + rules[hits[0].end():]
        rule_id = self.delete_rule or self.after_rule
        assert rule_id is not None
        block = _rule_block(rules, rule_id)
        if block is None:
            raise EditDoesNotApply(f"edit {self.name}: no rule {rule_id} in the ruleset")
        start, end = block
        if self.delete_rule is not None:
            return rules[:start] + rules[end:]
        assert self.text is not None
        return rules[:end] + self.text + rules[end:]


def _rule_block(rules: str, rule_id: str) -> tuple[int, int] | None:
    """Start and end offsets of a rule: its `rule` line and the lines after it up
    to a blank line, a comment, a closing brace or the next rule."""
    lines = rules.splitlines(keepends=True)
    offset, start = 0, None
    for line in lines:
        stripped = line.strip()
        if start is None:
            if re.match(rf"rule\s+{re.escape(rule_id)}\b", stripped):
                start = offset
        elif not stripped or stripped.startswith(("#", "}", "rule ")):
            return start, offset
        offset += len(line)
    return (start, offset) if start is not None else None


def load_edits() -> list[Edit]:
    with TABLE.open("rb") as fh:
        table = tomllib.load(fh)
    out = []
    for raw in table["edit"]:
        out.append(Edit(
            name=raw["name"], why=raw["why"], expect=tuple(raw["expect"]),
            undetected=bool(raw.get("undetected", False)),
            old=raw.get("old"), new=raw.get("new"), delete_rule=raw.get("delete_rule"),
            after_rule=raw.get("after_rule"), text=raw.get("text"),
        ))
    return out
