"""How a drawing names things: the ruleset's identifiers, or (labels mode) the words of its docs and labels.

A clinician reviewing a drawing reads "Re-excision possible without major
morbidity?" more easily than ``reexcision_feasible?``. In labels mode every
input and definition is named by the first clause of its ``doc``, a rule by
its title, an action by its label, an enum value with spaces for
underscores; the identifier stays beside it in small grey type so that a
reviewer can still find it in the rules file. Without a doc, a name is
shown with spaces for underscores.
"""

from __future__ import annotations

import re

from dsl import model as m

_CUT = re.compile(r"[;:]|\.(\s|$)|\s\(|\s-\s")
MAX_CHARS = 60


def short_doc(text: str) -> str:
    """The first clause of a doc (up to ``;``, ``:``, the end of a sentence or a parenthesis), at most ``MAX_CHARS``."""
    text = " ".join(text.split())
    cut = _CUT.search(text)
    head = (text[: cut.start()] if cut else text).rstrip(" .")
    if len(head) > MAX_CHARS:
        head = head[: MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return head or text


def humane(identifier: str) -> str:
    """``reexcision_feasible`` -> ``reexcision feasible``."""
    return identifier.replace("_", " ")


class Wording:
    """Names for one ruleset's drawing; ``labels`` picks the clinicians' words."""

    def __init__(self, ruleset: m.Ruleset, labels: bool = False) -> None:
        self.labels = labels
        self._docs: dict[str, str | None] = {i.name: i.doc for i in ruleset.inputs}
        self._docs.update({d.name: d.doc for d in ruleset.definitions})
        for i in ruleset.inputs:
            # A doc that opens by explaining a value ("unstaged until staging ...") does not name the input.
            if isinstance(i.type, m.EnumType) and i.doc:
                first = re.split(r"[\s,;:=(]", i.doc.strip(), maxsplit=1)[0]
                if first in i.type.values:
                    self._docs[i.name] = None

    def name(self, identifier: str) -> str:
        """An input, definition or phase as the drawing calls it."""
        if not self.labels:
            return identifier
        doc = self._docs.get(identifier)
        return short_doc(doc) if doc else humane(identifier)

    def value(self, v: str) -> str:
        """An enum value as the drawing calls it."""
        return humane(v) if self.labels else v
