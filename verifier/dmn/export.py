"""A checked ruleset as one DMN 1.5 decision table (hit policy COLLECT).

Each rule's condition (its phase and definitions inlined) is put in
disjunctive normal form; each conjunction becomes one row per give line,
with one S-FEEL cell per input and the outputs ``action``, ``strength``,
``category`` and ``sources``. What DMN cannot say (int inputs, constraints,
action labels, source citations) travels as rules text in a ruleproof
extension element, so that ``import dmn`` restores the same ruleset meaning;
other DMN tools see a plain COLLECT table. Properties, conflicts, coverage
declarations and definitions are not exported (a DMN table has no place
for them; ``ruleproof diff`` compares the advice, which is kept).
A condition that no row of cells can express (arithmetic, two inputs
compared, action statuses) is an ``ExportError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from xml.sax.saxutils import escape, quoteattr

from dsl import model as m
from dsl.printer import format_expr, format_number

RULEPROOF_NS = "urn:ruleproof:dmn"
DMN15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"
MAX_TERMS = 4096  # per rule; a condition needing more rows is refused, not truncated


class ExportError(ValueError):
    """The ruleset holds something a DMN decision table cannot express."""


# A term: input name -> cell constraint. Numbers: (lo, lo_closed, hi, hi_closed), None for unbounded ends;
# enums: frozenset of allowed values; bools: the value.
Term = dict


MAX_DEPTH = 100  # definitions inside definitions; deeper is refused (see ``inline``)


def inline(rs: m.Ruleset, e: m.Expr, depth: int = 0) -> m.Expr:
    """``e`` with every definition (and phase) reference replaced by its expression.

    A chain of definitions deeper than ``MAX_DEPTH`` is an ``ExportError``: the
    hit-policy guard of an imported table (``<t>__multi``) chains two
    definitions per row, and inlining it into every row would overflow the
    stack, and then the table, long before it said anything a cell can hold.
    """
    if isinstance(e, m.DefRef):
        if depth >= MAX_DEPTH:
            raise ExportError(f"definition {e.name} sits under more than {MAX_DEPTH} levels of definitions "
                              "(such as the hit-policy guard of an imported table); DMN cells cannot hold it")
        return inline(rs, rs.definition(e.name).expr, depth + 1)
    if isinstance(e, m.Not):
        return m.Not(inline(rs, e.arg, depth), e.span)
    if isinstance(e, (m.And, m.Or)):
        return type(e)(tuple(inline(rs, a, depth) for a in e.args), e.span)
    if isinstance(e, (m.Implies, m.Iff)):
        return type(e)(inline(rs, e.left, depth), inline(rs, e.right, depth), e.span)
    if isinstance(e, m.Compare):
        return m.Compare(e.op, inline(rs, e.left, depth), inline(rs, e.right, depth), e.span)
    if isinstance(e, m.InSet):
        return m.InSet(inline(rs, e.subject, depth), e.values, e.negated, e.span)
    return e


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEG = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


class _Dnf:
    def __init__(self, rs: m.Ruleset, rule: str) -> None:
        self.rs = rs
        self.rule = rule

    def fail(self, e: m.Expr) -> ExportError:
        return ExportError(f"rule {self.rule}: {format_expr(e)!r} cannot be written as a DMN cell (only an input compared with a literal)")

    def terms(self, e: m.Expr, positive: bool = True) -> list[Term]:
        if isinstance(e, m.BoolLit):
            return [{}] if e.value == positive else []
        if isinstance(e, m.Not):
            return self.terms(e.arg, not positive)
        if isinstance(e, (m.And, m.Or)):
            conj = isinstance(e, m.And) == positive
            parts = [self.terms(a, positive) for a in e.args]
            if not conj:
                return prune([t for p in parts for t in p])
            out: list[Term] = [{}]
            for p in parts:
                out = prune([c for a in out for b in p if (c := self.meet(a, b)) is not None])
                if len(out) > MAX_TERMS:
                    raise ExportError(f"rule {self.rule}: its condition needs more than {MAX_TERMS} DMN rows")
            return out
        if isinstance(e, m.Implies):
            return self.terms(m.Or((m.Not(e.left, e.span), e.right), e.span), positive)
        if isinstance(e, m.Iff):
            both = m.And((e.left, e.right), e.span)
            neither = m.And((m.Not(e.left, e.span), m.Not(e.right, e.span)), e.span)
            return self.terms(m.Or((both, neither), e.span), positive)
        return self.atom(e, positive)

    def atom(self, e: m.Expr, positive: bool) -> list[Term]:
        if isinstance(e, m.InputRef) and isinstance(e.type, m.BoolType):
            return [{e.name: positive}]
        if isinstance(e, m.InSet) and isinstance(e.subject, m.InputRef):
            values = self.enum_values(e.subject.name)
            chosen = frozenset(e.values) if positive != e.negated else frozenset(values) - frozenset(e.values)
            return [{e.subject.name: chosen}] if chosen else []
        if isinstance(e, m.Compare):
            left, right, op = e.left, e.right, e.op
            if isinstance(right, m.InputRef) and not isinstance(left, m.InputRef):
                left, right, op = right, left, _FLIP[op]
            if not positive:
                op = _NEG[op]
            if isinstance(left, m.InputRef) and isinstance(right, m.EnumLit):
                values = self.enum_values(left.name)
                chosen = frozenset([right.value]) if op == "==" else frozenset(values) - {right.value}
                return [{left.name: chosen}] if chosen else []
            if isinstance(left, m.InputRef) and isinstance(right, m.BoolLit):
                return [{left.name: right.value == (op == "==")}]
            if isinstance(left, m.InputRef) and isinstance(right, m.InputRef):
                raise self.fail(e)
            value = self.number(right)
            if isinstance(left, m.InputRef) and value is not None:
                x = left.name
                if op == "!=":
                    return [{x: (None, False, value, False)}, {x: (value, False, None, False)}]
                return [{x: {"<": (None, False, value, False), "<=": (None, False, value, True),
                             ">": (value, False, None, False), ">=": (value, True, None, False),
                             "==": (value, True, value, True)}[op]}]
        raise self.fail(e)

    def number(self, e: m.Expr) -> Fraction | None:
        if isinstance(e, m.NumLit):
            return e.value
        if isinstance(e, m.Neg) and isinstance(e.arg, m.NumLit):
            return -e.arg.value
        return None

    def enum_values(self, name: str) -> tuple[str, ...]:
        t = self.rs.input(name).type
        assert isinstance(t, m.EnumType)
        return t.values

    def meet(self, a: Term, b: Term) -> Term | None:
        out = dict(a)
        for k, v in b.items():
            if k not in out:
                out[k] = v
                continue
            w = out[k]
            if isinstance(v, bool):
                if w != v:
                    return None
            elif isinstance(v, frozenset):
                both = w & v
                if not both:
                    return None
                out[k] = both
            else:
                lo, lc, hi, hc = w
                vlo, vlc, vhi, vhc = v
                if vlo is not None and (lo is None or vlo > lo or (vlo == lo and not vlc)):
                    lo, lc = vlo, vlc
                if vhi is not None and (hi is None or vhi < hi or (vhi == hi and not vhc)):
                    hi, hc = vhi, vhc
                if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lc and hc))):
                    return None
                out[k] = (lo, lc, hi, hc)
        return out


def _weaker(a: object, b: object) -> bool:
    """True when cell constraint ``a`` allows everything ``b`` allows (None allows all)."""
    if a is None:
        return True
    if b is None:
        return False
    if isinstance(a, frozenset):
        return isinstance(b, frozenset) and b <= a
    if isinstance(a, bool):
        return a == b
    lo, lc, hi, hc = a  # type: ignore[misc]
    blo, blc, bhi, bhc = b  # type: ignore[misc]
    lo_ok = lo is None or (blo is not None and (blo > lo or (blo == lo and (lc or not blc))))
    hi_ok = hi is None or (bhi is not None and (bhi < hi or (bhi == hi and (hc or not bhc))))
    return lo_ok and hi_ok


def prune(terms: list[Term]) -> list[Term]:
    """The terms without those another term already covers (same meaning, fewer rows)."""
    kept: list[Term] = []
    for t in sorted(terms, key=len):  # fewer constraints first: the likelier to cover others
        if any(all(_weaker(k.get(x), t.get(x)) for x in set(k) | set(t)) for k in kept):
            continue
        kept.append(t)
    order = {id(t): i for i, t in enumerate(terms)}
    return sorted(kept, key=lambda t: order[id(t)])


def _cell(inp: m.Input, c: object) -> str:
    if c is None:
        return "-"
    if isinstance(c, bool):
        return "true" if c else "false"
    if isinstance(c, frozenset):
        t = inp.type
        assert isinstance(t, m.EnumType)
        if len(c) == len(t.values):
            return "-"
        return ",".join(f'"{v}"' for v in t.values if v in c)
    lo, lc, hi, hc = c  # type: ignore[misc]
    n = format_number
    if lo is not None and hi is not None:
        if lo == hi:
            return n(lo)
        return f"{'[' if lc else '('}{n(lo)}..{n(hi)}{']' if hc else ')'}"
    if lo is not None:
        return f"{'>=' if lc else '>'} {n(lo)}"
    if hi is not None:
        return f"{'<=' if hc else '<'} {n(hi)}"
    return "-"


def _type(t: m.InputType) -> str:
    if isinstance(t, m.BoolType):
        return "bool"
    if isinstance(t, m.IntType):
        return f"int [{t.lo}, {t.hi}]"
    if isinstance(t, m.RealType):
        return f"real [{format_number(t.lo)}, {format_number(t.hi)}]"
    return "enum {" + ", ".join(t.values) + "}"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def declarations(rs: m.Ruleset) -> str:
    """Rules text of what the table cannot carry: header, sources, inputs, actions, constraints."""
    out = [f"ruleset {rs.name} version {_q(rs.version)}"]
    for s in rs.sources:
        out.append(f"source {s.id} {_q(s.citation)}" + (f" year {s.year}" if s.year is not None else "")
                   + (f" url {_q(s.url)}" if s.url else ""))
    for i in rs.inputs:
        out.append(f"input {i.name}: {_type(i.type)}" + (f" unit {_q(i.unit)}" if i.unit else ""))
    for a in rs.actions:
        out.append(f"action {a.id}: {a.kind} {_q(a.label)}")
    for c in rs.constraints:
        out.append(f"constraint {c.id} {_q(c.message)}: {format_expr(inline(rs, c.expr))}")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class _Row:
    rule: str
    cells: tuple[str, ...]
    action: str
    strength: str
    category: str
    sources: str


def export_dmn(rs: m.Ruleset) -> str:
    """DMN 1.5 XML text of ``rs``; ``ExportError`` names the first construct a table cannot hold."""
    rows: list[_Row] = []
    for r in rs.rules:
        terms = _Dnf(rs, r.id).terms(inline(rs, r.condition))
        for t in terms:
            cells = tuple(_cell(i, t.get(i.name)) for i in rs.inputs)
            for g in r.gives:
                action = ("one of " + ", ".join(g.actions)) if g.alternatives else None
                targets = [action] if action else list(g.actions)
                for a in targets:
                    rows.append(_Row(r.id, cells, a, g.strength, g.category, " ".join(g.sources)))
    x: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
    x.append(f'<definitions xmlns="{DMN15}" xmlns:rp="{RULEPROOF_NS}" id="{rs.name}" name={quoteattr(rs.name)} '
             f'namespace="urn:ruleproof:{rs.name}">')
    x.append("  <extensionElements>")
    x.append(f"    <rp:declarations>{escape(declarations(rs))}</rp:declarations>")
    x.append("  </extensionElements>")
    for i in rs.inputs:
        base = "boolean" if isinstance(i.type, m.BoolType) else "string" if isinstance(i.type, m.EnumType) else "number"
        x.append(f'  <inputData id="input_{i.name}" name="{i.name}"><variable name="{i.name}" typeRef="{base}"/></inputData>')
    x.append(f'  <decision id="decision_{rs.name}" name="{rs.name}">')
    x.append(f'    <variable name="{rs.name}"/>')
    for i in rs.inputs:
        x.append(f'    <informationRequirement><requiredInput href="#input_{i.name}"/></informationRequirement>')
    x.append('    <decisionTable hitPolicy="COLLECT">')
    for i in rs.inputs:
        base = "boolean" if isinstance(i.type, m.BoolType) else "string" if isinstance(i.type, m.EnumType) else "number"
        values = ""
        if isinstance(i.type, m.EnumType):
            values = "<inputValues><text>" + escape(",".join(f'"{v}"' for v in i.type.values)) + "</text></inputValues>"
        elif isinstance(i.type, (m.IntType, m.RealType)):
            values = f"<inputValues><text>[{format_number(Fraction(i.type.lo))}..{format_number(Fraction(i.type.hi))}]</text></inputValues>"
        x.append(f'      <input id="in_{i.name}" label="{i.name}"><inputExpression typeRef="{base}"><text>{i.name}</text></inputExpression>{values}</input>')
    for o in ("action", "strength", "category", "sources"):
        x.append(f'      <output id="out_{o}" name="{o}" typeRef="string"/>')
    for k, row in enumerate(rows, start=1):
        x.append(f'      <rule id="{row.rule}__{k}">')
        x.append(f"        <description>{escape(row.rule)}</description>")
        for c in row.cells:
            x.append(f"        <inputEntry><text>{escape(c)}</text></inputEntry>")
        for v in (row.action, row.strength, row.category, row.sources):
            x.append(f"        <outputEntry><text>{escape(_q(v))}</text></outputEntry>")
        x.append("      </rule>")
    x.append("    </decisionTable>")
    x.append("  </decision>")
    x.append("</definitions>")
    return "\n".join(x) + "\n"
