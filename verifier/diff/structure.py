"""The structural diff: declarations added, removed or changed, compared by id.

"Changed" compares printed forms (``dsl.printer.format_expr`` for
expressions), never spans, so moving a declaration or reformatting it is no
change, while renaming a definition shows as one removed, one added, and
every expression that uses it as changed. Order within the file is ignored
(rules are compared by id), because order does not change what a ruleset
says; the semantic diff decides whether anything else does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from dsl import model as m
from dsl.printer import format_expr, format_type

# Declaration kinds, in the order a report lists them.
KINDS = ("ruleset", "source", "input", "definition", "phase", "action", "group", "constraint",
         "rule", "conflict", "property", "coverage")


@dataclass(frozen=True, slots=True)
class StructuralChange:
    """One declaration added, removed or changed; ``details`` lists ``field: old -> new``."""

    kind: str
    id: str
    change: str  # added | removed | changed
    details: tuple[str, ...] = ()
    old_location: str | None = None
    new_location: str | None = None

    @property
    def location(self) -> str | None:
        return self.new_location or self.old_location

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "change": self.change, "details": list(self.details),
                "old_location": self.old_location, "new_location": self.new_location}


def _give_text(g: m.Give) -> str:
    what = ("one of {" + ", ".join(g.actions) + "}") if g.alternatives else ", ".join(g.actions)
    return f"{g.strength} {what} category {g.category} sources [{', '.join(g.sources)}]"


def _opt(v: object) -> str:
    return "(none)" if v is None else str(v)


# Per kind: the fields compared, each a name and a function giving its printed form.
Fields = Sequence[tuple[str, Callable[[Any], str]]]

_FIELDS: dict[str, Fields] = {
    "source": (("citation", lambda s: s.citation), ("year", lambda s: _opt(s.year)), ("url", lambda s: _opt(s.url))),
    "input": (("type", lambda i: format_type(i.type)), ("unit", lambda i: _opt(i.unit)), ("doc", lambda i: _opt(i.doc))),
    "definition": (("=", lambda d: format_expr(d.expr)), ("doc", lambda d: _opt(d.doc))),
    "phase": (("when", lambda d: format_expr(d.expr)), ("title", lambda d: _opt(d.doc))),
    "action": (("kind", lambda a: a.kind), ("label", lambda a: a.label)),
    "group": (("actions", lambda g: "{" + ", ".join(sorted(g.actions)) + "}"),),
    "constraint": (("expr", lambda c: format_expr(c.expr)), ("message", lambda c: c.message)),
    "rule": (
        ("phase", lambda r: _opt(r.phase)),
        ("when", lambda r: format_expr(r.when)),
        # The order of a rule's outcome lines changes nothing in a decision.
        ("gives", lambda r: "; ".join(sorted(_give_text(g) for g in r.gives))),
        ("title", lambda r: r.title),
        ("because", lambda r: _opt(r.rationale)),
    ),
    "property": (("expr", lambda p: format_expr(p.expr)), ("title", lambda p: p.title)),
    "coverage": (("inputs", lambda c: " x ".join(c.inputs)), ("title", lambda c: _opt(c.title))),
}


def _ident(kind: str, decl: Any) -> str:
    return str(decl.name if kind in ("input", "definition", "phase", "group") else decl.id)


def _declarations(rs: m.Ruleset, kind: str) -> list[Any]:
    if kind == "source":
        return list(rs.sources)
    if kind == "input":
        return list(rs.inputs)
    if kind == "definition":
        return [d for d in rs.definitions if not d.is_phase]
    if kind == "phase":
        return list(rs.phases)
    if kind == "action":
        return list(rs.actions)
    if kind == "group":
        return list(rs.groups)
    if kind == "constraint":
        return list(rs.constraints)
    if kind == "rule":
        return list(rs.rules)
    if kind == "property":
        return list(rs.properties)
    return list(rs.coverages)


def _compare(kind: str, old: Iterable[Any], new: Iterable[Any]) -> list[StructuralChange]:
    old_by = {_ident(kind, d): d for d in old}
    new_by = {_ident(kind, d): d for d in new}
    out: list[StructuralChange] = []
    # Removed and changed in OLD's order, then added in NEW's: the order a reader scans both files.
    for ident, o in old_by.items():
        n = new_by.get(ident)
        if n is None:
            out.append(StructuralChange(kind, ident, "removed", old_location=str(o.span)))
            continue
        details = tuple(f"{name}: {fn(o)} -> {fn(n)}" for name, fn in _FIELDS[kind] if fn(o) != fn(n))
        if details:
            out.append(StructuralChange(kind, ident, "changed", details, str(o.span), str(n.span)))
    for ident, n in new_by.items():
        if ident not in old_by:
            out.append(StructuralChange(kind, ident, "added", new_location=str(n.span)))
    return out


def _conflicts(old: m.Ruleset, new: m.Ruleset) -> list[StructuralChange]:
    """Conflicts have no id: compare the declared pairs."""
    o, n = ({tuple(sorted(p)) for p in rs.conflict_pairs()} for rs in (old, new))
    out = [StructuralChange("conflict", f"{a} with {b}", "removed") for a, b in sorted(o - n)]
    out += [StructuralChange("conflict", f"{a} with {b}", "added") for a, b in sorted(n - o)]
    return out


def structural_diff(old: m.Ruleset, new: m.Ruleset) -> tuple[StructuralChange, ...]:
    """Every declaration added, removed or changed from ``old`` to ``new``."""
    out: list[StructuralChange] = []
    header = [f"{f}: {a} -> {b}" for f, a, b in (("name", old.name, new.name), ("version", old.version, new.version))
              if a != b]
    if header:
        out.append(StructuralChange("ruleset", new.name, "changed", tuple(header)))
    for kind in KINDS[1:]:
        if kind == "conflict":
            out += _conflicts(old, new)
        else:
            out += _compare(kind, _declarations(old, kind), _declarations(new, kind))
    return tuple(out)
