"""What the language server knows about one rules file, without any LSP types.

Everything is computed from the text alone: the diagnostics are the checker's
(the ones ``ruleproof check`` prints), and the symbol table comes from the
syntax tree, so hover and go-to-definition keep working in a file that has a
type error. While a syntax error is being typed, the last table that parsed
is kept by the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import dsl
from dsl.lexical import scan_line
from dsl import ast
from dsl.errors import Diagnostic
from dsl.formatter import format_action_set, format_raw_expr
from dsl.parser import parse
from dsl.span import Span
from dsl.table_check import rule_ids

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Symbol:
    """A declared name: where its id is written, and the Markdown shown on hover."""

    name: str
    kind: str
    span: Span
    hover: str


def diagnostics(text: str, path: str) -> list[Diagnostic]:
    """Every error and warning of the checker for ``text``, in file order."""
    try:
        _, warnings = dsl.check_text(text, path)
    except dsl.RulesetError as err:
        return list(err.diagnostics)
    return list(warnings)


def _code(text: str) -> str:
    return f"```rules\n{text}\n```"


def _type(t: ast.TypeDecl) -> str:
    if t.kind == "enum":
        return "enum {" + ", ".join(v.name for v in t.values) + "}"
    if t.kind == "bool":
        return "bool"
    assert t.lo is not None and t.hi is not None
    return f"{t.kind} [{t.lo.text}, {t.hi.text}]"


def _gives(r: ast.RuleDecl) -> list[str]:
    out = []
    for g in r.gives:
        target = g.actions[0].name if not g.alternatives else "one of {" + ", ".join(a.name for a in g.actions) + "}"
        out.append(f"{g.strength} {target} category {g.category.name} sources [{', '.join(s.name for s in g.sources)}]")
    return out


def _rule_symbol(r: ast.RuleDecl, phase: ast.PhaseDecl | None) -> Symbol:
    lines = [f"**rule** `{r.id.name}`: {r.title}"]
    if phase is not None:
        lines.append(f"in phase `{phase.name.name}` ({phase.label})")
    lines.append(_code("when " + format_raw_expr(r.when) + "\n" + "\n".join(_gives(r))))
    if r.rationale:
        lines.append(f"*Because:* {r.rationale}")
    return Symbol(r.id.name, "rule", r.id.span, "\n\n".join(lines))


def symbols(tree: ast.RulesFile) -> dict[str, Symbol]:
    """Every declared name of the file (the first declaration wins on a duplicate, as the checker reports)."""
    out: dict[str, Symbol] = {}

    def add(sym: Symbol) -> None:
        out.setdefault(sym.name, sym)

    h = tree.header
    add(Symbol(h.name.name, "ruleset", h.name.span, f"**ruleset** `{h.name.name}` version {h.version}"))
    for d in tree.decls:
        if isinstance(d, ast.SourceDecl):
            extra = (f" ({d.year})" if d.year is not None else "") + (f" <{d.url}>" if d.url else "")
            add(Symbol(d.id.name, "source", d.id.span, f"**source** `{d.id.name}`\n\n{d.citation}{extra}"))
        elif isinstance(d, ast.InputDecl):
            unit = f" ({d.unit})" if d.unit else ""
            doc = f"\n\n{d.doc}" if d.doc else ""
            add(Symbol(d.name.name, "input", d.name.span, f"**input** `{d.name.name}`: {_type(d.type)}{unit}{doc}"))
            for v in d.type.values:  # an enum value is declared by its input
                add(Symbol(v.name, "enum value", v.span, f"**value** `{v.name}` of enum input `{d.name.name}`{doc}"))
        elif isinstance(d, ast.DefineDecl):
            doc = f"\n\n{d.doc}" if d.doc else ""
            add(Symbol(d.name.name, "definition", d.name.span,
                       f"**define** `{d.name.name}`{doc}\n\n" + _code(f"{d.name.name} = {format_raw_expr(d.expr)}")))
        elif isinstance(d, ast.ActionDecl):
            add(Symbol(d.id.name, "action", d.id.span, f"**action** `{d.id.name}` (kind `{d.kind.name}`)\n\n{d.label}"))
        elif isinstance(d, ast.GroupDecl):
            add(Symbol(d.name.name, "action group", d.name.span,
                       f"**actions** `{d.name.name}`\n\n" + _code(format_action_set(d.actions))))
        elif isinstance(d, ast.ConstraintDecl):
            add(Symbol(d.id.name, "constraint", d.id.span,
                       f"**constraint** `{d.id.name}`: {d.message}\n\n" + _code(format_raw_expr(d.expr))))
        elif isinstance(d, ast.PropertyDecl):
            add(Symbol(d.id.name, "property", d.id.span,
                       f"**property** `{d.id.name}`: {d.title}\n\n" + _code(format_raw_expr(d.expr))))
        elif isinstance(d, ast.CoverageDecl):
            add(Symbol(d.id.name, "coverage", d.id.span,
                       f"**coverage** `{d.id.name}`: {d.title or ''}\n\n" + " x ".join(i.name for i in d.inputs)))
        elif isinstance(d, ast.PhaseDecl):
            add(Symbol(d.name.name, "phase", d.name.span,
                       f"**phase** `{d.name.name}`: {d.label}\n\n" + _code("when " + format_raw_expr(d.when))
                       + f"\n\n{len(d.rules)} rule(s)"))
            for r in d.rules:
                add(_rule_symbol(r, d))
        elif isinstance(d, ast.RuleDecl):
            add(_rule_symbol(d, None))
        elif isinstance(d, ast.TableDecl):  # issue 14
            add(Symbol(d.name.name, "table", d.name.span,
                       f"**table** `{d.name.name}`: {d.title}\n\nhit policy `{d.policy.name}`, "
                       f"{max(0, len(d.rows) - 1)} row(s); row k is rule `{d.name.name}_r<k>`\n\n"
                       + _code(d.rows[0].text if d.rows else "")))
            for (rid, span), row in zip(rule_ids(d), d.rows[1:]):
                add(Symbol(rid, "rule", span, f"**rule** `{rid}`: row of table `{d.name.name}` ({d.title})\n\n"
                           + _code(d.rows[0].text + "\n" + row.text)))
    return out


def parse_symbols(text: str, path: str) -> dict[str, Symbol] | None:
    """The symbol table of ``text``, or None when it does not parse."""
    try:
        return symbols(parse(text, path))
    except dsl.RulesetError:
        return None


def _in_code(src: str, at: int) -> bool:
    """Whether column ``at`` of a line is code (not inside a string or a comment)."""
    comment, in_string = scan_line(src, at)
    return comment is None and not in_string


def word_at(text: str, line: int, character: int) -> tuple[str, int, int] | None:
    """The name under a 0-based (line, character) position, with its 0-based start and end columns."""
    lines = text.split("\n")
    if not 0 <= line < len(lines):
        return None
    src = lines[line]
    for m in _WORD.finditer(src):
        if m.start() <= character <= m.end():
            return (m.group(), m.start(), m.end()) if _in_code(src, m.start()) else None
    return None
