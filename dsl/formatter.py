"""``ruleproof fmt``: one canonical layout for a rules file, comments kept.

The layout is a function of the syntax tree alone (plus the comments and the
paragraph breaks of the original), so formatting is idempotent, and two
authors who write the same ruleset differently get the same text. It prints
the tree back, never the checked model, so names, number spellings and the
order of declarations stay as written: the meaning cannot change, and the
tests check that the checked ruleset is the same before and after.

Conventions: two spaces per level; a declaration that fits in ``WIDTH``
columns stays on one line, otherwise its optional parts (``year``, ``url``,
``unit``, ``doc``) go on their own indented lines; the body of a constraint
or property is on its own line; each rule clause (``when``, outcomes,
``because``) is on its own line; a long condition breaks before its
top-level ``and``/``or``/``implies``/``iff``; parentheses appear only where
precedence needs them. Comments stay in order: a comment on its own line
stays before what follows it; a comment inside or after a declaration moves
to the line above that declaration. Runs of blank lines become one, and a
blank line is kept wherever the original had one between declarations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence, Union

from dsl import ast
from dsl.checker import check
from dsl.errors import RulesetError
from dsl.lexical import scan_line
from dsl.parser import parse
from dsl.table_rows import split_row

WIDTH = 100
_IND = "  "

# Binding strength of the syntax tree's operators, loosest first; mirrors the grammar.
_PREC = {"iff": 1, "implies": 2, "or": 3, "and": 4, "not": 5,
         "<": 6, "<=": 6, ">": 6, ">=": 6, "==": 6, "!=": 6, "in": 6,
         "+": 7, "-": 7, "*": 8, "neg": 9}
_ATOM = 10
# (left, right) minimum strengths for each binary operator, from the grammar's rules:
# and/or/+/-/* are left-associative, implies right-associative, iff and comparisons do not chain.
_SIDES = {"iff": (2, 2), "implies": (3, 2), "or": (3, 4), "and": (4, 5),
          "+": (7, 8), "-": (7, 8), "*": (8, 9)}
_CMP = ("<", "<=", ">", ">=", "==", "!=")
_BREAK_OPS = ("iff", "implies", "or", "and")


def quote(value: str) -> str:
    """A string literal whose value is ``value`` (the inverse of the parser's unquoting)."""
    body = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{body}"'


# ---------------------------------------------------------------- expressions


def _prec(e: ast.RawExpr) -> int:
    if isinstance(e, ast.Conditional):
        return 0  # `if` binds loosest of all: inside any operator it needs parentheses
    if isinstance(e, ast.Binary):
        return _PREC[e.op]
    if isinstance(e, ast.Unary):
        return _PREC["not"] if e.op == "not" else _PREC["neg"]
    if isinstance(e, ast.Membership):
        return _PREC["in"]
    return _ATOM


def _clarify(parent: str, child: ast.RawExpr) -> bool:
    """Parentheses the grammar does not need but a reader does: ``a or (b and c)``, ``a iff (b and c)``."""
    if not (isinstance(child, ast.Binary) and child.op in _BREAK_OPS):
        return False
    return (parent == "or" and child.op == "and") or parent == "iff"


def _needs_parens(parent: str, child: ast.RawExpr, min_prec: int) -> bool:
    return _prec(child) < min_prec or _clarify(parent, child)


def _wrap(e: ast.RawExpr, min_prec: int, parent: str = "") -> str:
    text = format_raw_expr(e)
    return f"({text})" if _needs_parens(parent, e, min_prec) else text


def format_action_set(s: ast.RawActionSet) -> str:
    if isinstance(s, ast.SetName):
        return s.name
    if isinstance(s, ast.SetKind):
        return f"kind {s.kind}"
    if isinstance(s, ast.SetAny):
        return "any"
    if isinstance(s, ast.SetUnion):
        return "{" + ", ".join(format_action_set(i) for i in s.items) + "}"
    if isinstance(s, ast.SetExcept):
        return f"{format_action_set(s.base)} except {format_action_set(s.minus)}"
    raise TypeError(f"not an action set: {s!r}")


def format_raw_expr(e: ast.RawExpr) -> str:
    """One-line text of an expression as written (parentheses only where needed)."""
    if isinstance(e, ast.Name):
        return e.name
    if isinstance(e, ast.Number):
        return e.text
    if isinstance(e, ast.Boolean):
        return "true" if e.value else "false"
    if isinstance(e, ast.Unary):
        if e.op == "not":
            return "not " + _wrap(e.arg, _PREC["not"])
        return "-" + _wrap(e.arg, _PREC["neg"])
    if isinstance(e, ast.Membership):
        word = "not in" if e.negated else "in"
        return f"{_wrap(e.subject, _PREC['+'])} {word} {{{', '.join(v.name for v in e.values)}}}"
    if isinstance(e, ast.Status):
        return f"{e.status}({format_action_set(e.actions)})"
    if isinstance(e, ast.Conditional):
        return (f"if {format_raw_expr(e.cond)} then {format_raw_expr(e.then)} "
                f"else {format_raw_expr(e.else_)}")
    if isinstance(e, ast.CategoryTest):
        cats = [c.name for c in e.categories]
        if e.op in ("==", "!="):
            return f"category({e.action.name}) {e.op} {cats[0]}"
        return f"category({e.action.name}) {e.op} {{{', '.join(cats)}}}"
    if isinstance(e, ast.AlternativesTest):
        return f"alternatives({e.left.name}, {e.right.name})"
    if isinstance(e, ast.Known):
        return f"known({e.name.name})"
    if isinstance(e, ast.Call):
        return f"{e.function.name}({', '.join(format_raw_expr(a) for a in e.args)})"
    if isinstance(e, ast.Points):
        return "points {" + ", ".join(f"{format_raw_expr(x.cond)}: {x.weight.text}" for x in e.terms) + "}"
    if isinstance(e, ast.Binary):
        if e.op in _CMP:
            return f"{_wrap(e.left, _PREC['+'])} {e.op} {_wrap(e.right, _PREC['+'])}"
        lo, hi = _SIDES[e.op]
        return f"{_wrap(e.left, lo, e.op)} {e.op} {_wrap(e.right, hi, e.op)}"
    raise TypeError(f"not an expression: {e!r}")


def _operands(e: ast.RawExpr, op: str) -> list[ast.RawExpr]:
    """The chain ``a op b op c`` as [a, b, c], in the grouping the grammar gives it."""
    if not (isinstance(e, ast.Binary) and e.op == op):
        return [e]
    if op == "implies":  # right-associative: a implies (b implies c)
        return [e.left, *_operands(e.right, op)]
    if op == "iff":  # does not chain
        return [e.left, e.right]
    return [*_operands(e.left, op), e.right]  # left-associative


def expr_lines(e: ast.RawExpr, column: int, indent: str) -> list[str]:
    """``e`` laid out from ``column``: one line if it fits, else broken before its top-level operator.

    The first line has no indentation (it follows a keyword); the others start
    with ``indent``. Operands of ``and``/``or`` are packed onto each line as
    far as they fit; ``implies`` and ``iff`` always start a line when broken.
    """
    flat = format_raw_expr(e)
    if column + len(flat) <= WIDTH or not (isinstance(e, ast.Binary) and e.op in _BREAK_OPS):
        return [flat]
    op = e.op
    lo, hi = _SIDES[op]
    parts = _operands(e, op)
    pack = op in ("and", "or")
    lines: list[str] = []
    for k, part in enumerate(parts):
        if op == "implies":  # right-associative: every part but the last is a left side
            need = lo if k < len(parts) - 1 else hi
        else:
            need = lo if k == 0 else hi
        if _needs_parens(op, part, need):
            text = [f"({format_raw_expr(part)})"]
        else:
            start = column if k == 0 else len(indent) + len(op) + 1
            text = expr_lines(part, start, indent + _IND * 2)
        if k == 0:
            lines += text
        elif pack and len(text) == 1 and len(lines) and \
                (column if len(lines) == 1 else 0) + len(lines[-1]) + len(op) + 2 + len(text[0]) <= WIDTH:
            lines[-1] += f" {op} {text[0]}"
        else:
            lines.append(f"{indent}{op} {text[0]}")
            lines += text[1:]
    return lines


# ---------------------------------------------------------------- declarations


def _one_or_more(head: str, tails: Sequence[str], indent: str) -> list[str]:
    """``head tail tail`` on one line when it fits, else each tail on its own indented line."""
    flat = " ".join([head, *tails])
    if len(indent) + len(flat) <= WIDTH or not tails:
        return [indent + flat]
    return [indent + head] + [indent + _IND + t for t in tails]


def _body_decl(head: str, expr: ast.RawExpr, indent: str) -> list[str]:
    """``head:`` then the expression on its own indented line(s)."""
    inner = indent + _IND
    body = expr_lines(expr, len(inner), inner)
    return [indent + head, inner + body[0], *body[1:]]


def _rule(r: ast.RuleDecl, indent: str) -> list[str]:
    inner = indent + _IND
    when = expr_lines(r.when, len(inner) + len("when "), inner + _IND)
    lines = [f"{indent}rule {r.id.name} {quote(r.title)}", f"{inner}when {when[0]}", *when[1:]]
    for g in r.gives:
        target = g.actions[0].name if not g.alternatives else \
            "one of {" + ", ".join(a.name for a in g.actions) + "}"
        sources = ", ".join(s.name for s in g.sources)
        line = f"{inner}{g.strength} {target} category {g.category.name}"
        if len(line) + len(sources) + 11 <= WIDTH:
            lines.append(f"{line} sources [{sources}]")
        else:
            lines += [line, f"{inner}{_IND}sources [{sources}]"]
    if r.rationale is not None:
        lines.append(f"{inner}because {quote(r.rationale)}")
    return lines


def _fields(head: str, fields: Sequence[ast.FieldValue], indent: str) -> list[str]:
    """``head {a: 1, b: x}`` on one line when it fits, else one field per line."""
    items = [f"{f.name.name}: {f.text}" for f in fields]
    flat = f"{indent}{head} {{{', '.join(items)}}}"
    if len(flat) <= WIDTH or not items:
        return [flat]
    return [f"{indent}{head} {{", *(f"{indent}{_IND}{x}," for x in items), f"{indent}}}"]


def _assignment(a: ast.AssignDecl) -> str:
    if a.advance is not None:
        return f"{a.input.name} += {a.advance.text}"
    values = [_effect_value(v) for v in a.values]
    if len(values) == 1:
        return f"{a.input.name} := {values[0]}"
    return f"{a.input.name} := one of {{{', '.join(values)}}}"


def _effect_value(v: ast.EffectValue) -> str:
    if isinstance(v.value, bool):
        return "true" if v.value else "false"
    return v.value if isinstance(v.value, str) else v.value.text


def _event(e: ast.EventDecl | None) -> str:
    assert e is not None
    if e.actions is not None:
        return f"taken({format_action_set(e.actions)})"
    assert e.expr is not None
    return format_raw_expr(e.expr)


def _temporal(d: ast.PathwayDecl) -> str:
    """The form of a pathway property, as the grammar writes it."""
    if d.form == "always":
        return f"always {_event(d.first)}"
    if d.form in ("before", "after"):
        return f"never {_event(d.first)} {d.form} {_event(d.second)}"
    if d.form == "eventually":
        return f"eventually {_event(d.first)} within {d.bound} steps"
    if d.form == "until":
        return f"always {_event(d.first)} until {_event(d.second)}"
    assert d.form == "leaves" and d.phase is not None
    return f"leaves {d.phase.name} within {d.bound} steps"


def _type(t: ast.TypeDecl) -> str:
    if t.kind == "bool":
        return "bool"
    if t.kind == "enum":
        return "enum {" + ", ".join(v.name for v in t.values) + "}"
    assert t.lo is not None and t.hi is not None
    return f"{t.kind} [{t.lo.text}, {t.hi.text}]"


def _decl(d: ast.Decl, indent: str = "") -> list[str]:
    if isinstance(d, ast.SourceDecl):
        tails = ([f"year {d.year}"] if d.year is not None else []) + ([f"url {quote(d.url)}"] if d.url is not None else [])
        return _one_or_more(f"source {d.id.name} {quote(d.citation)}", [" ".join(tails)] if tails else [], indent)
    if isinstance(d, ast.InputDecl):
        head = f"input {d.name.name}: {'optional ' if d.optional else ''}{_type(d.type)}" + (f" unit {quote(d.unit)}" if d.unit is not None else "")
        return _one_or_more(head, [f"doc {quote(d.doc)}"] if d.doc is not None else [], indent)
    if isinstance(d, ast.DefineDecl):
        head = f"define {d.name.name} = "
        body = expr_lines(d.expr, len(indent) + len(head), indent + _IND * 2)
        lines = [indent + head + body[0], *body[1:]]
        if d.doc is not None:
            doc = f"doc {quote(d.doc)}"
            if len(body) == 1 and len(lines[0]) + 1 + len(doc) <= WIDTH:
                lines[0] += " " + doc
            else:
                lines.append(indent + _IND + doc)
        return lines
    if isinstance(d, ast.ActionDecl):
        return [f"{indent}action {d.id.name}: {d.kind.name} {quote(d.label)}"]
    if isinstance(d, ast.GroupDecl):
        head = f"{indent}actions {d.name.name} = "
        flat = head + format_action_set(d.actions)
        if len(flat) <= WIDTH or not isinstance(d.actions, ast.SetUnion):
            return [flat]
        # A long braced list: as many members per line as fit, aligned after the brace.
        items = [format_action_set(i) for i in d.actions.items]
        lines = [head + "{" + items[0]]
        for item in items[1:]:
            if len(lines[-1]) + 2 + len(item) + 1 <= WIDTH:
                lines[-1] += ", " + item
            else:
                lines[-1] += ","
                lines.append(" " * (len(head) + 1) + item)
        lines[-1] += "}"
        return lines
    if isinstance(d, ast.ConstraintDecl):
        return _body_decl(f"constraint {d.id.name} {quote(d.message)}:", d.expr, indent)
    if isinstance(d, ast.PropertyDecl):
        return _body_decl(f"property {d.id.name} {quote(d.title)}:", d.expr, indent)
    if isinstance(d, ast.ConflictDecl):
        return [f"{indent}conflict {format_action_set(d.left)} with {format_action_set(d.right)}"]
    if isinstance(d, ast.CoverageDecl):
        title = f" {quote(d.title)}" if d.title is not None else ""
        return [f"{indent}coverage {d.id.name}{title}: {' x '.join(i.name for i in d.inputs)}"]
    if isinstance(d, ast.RuleDecl):
        return _rule(d, indent)
    if isinstance(d, ast.GradingDecl):
        if d.title is None:
            return [f"{indent}grading {d.name.name}"]
        return [f"{indent}grading {d.name.name} {quote(d.title)} levels {{{', '.join(x.name for x in d.levels)}}}"]
    if isinstance(d, ast.BaselineDecl):
        return _fields(f"baseline {d.name.name}", d.fields, indent)
    if isinstance(d, ast.ExampleDecl):
        base = f" from {d.baseline.name}" if d.baseline is not None else ""
        lines = _fields(f"example {d.id.name} {quote(d.title)}{base}", d.fields, indent)
        for x in d.expects:
            items = ", ".join(a.name + (f" category {c.name}" if c is not None else "") for a, c in x.items)
            lines.append(f"{indent}{_IND}expect {x.status.replace('_', ' ')} {{{items}}}")
        return lines
    if isinstance(d, ast.EffectDecl):
        parts = [_assignment(a) for a in d.assignments]
        head = f"{indent}effect {d.action.name}: "
        if len(head) + len(", ".join(parts)) <= WIDTH:
            return [head + ", ".join(parts)]
        return [head + parts[0] + ","] + [f"{indent}{_IND * 2}{x}," for x in parts[1:-1]] + [f"{indent}{_IND * 2}{parts[-1]}"]
    if isinstance(d, ast.PathwayDecl):
        start = f"from {format_raw_expr(d.start)} " if d.start is not None else ""
        return [f"{indent}pathway {d.id.name} {quote(d.title)}:", f"{indent}{_IND}{start}{_temporal(d)}"]
    if isinstance(d, ast.TableDecl):
        return _table(d, indent)
    raise TypeError(f"not a declaration: {d!r}")  # phases are laid out by _Layout


def _table(d: ast.TableDecl, indent: str) -> list[str]:
    """A decision table with its columns aligned; cells and gives keep their text, trimmed.

    A comment at the end of a row is moved above the table, like a comment inside any declaration.
    """
    sources = ", ".join(s.name for s in d.sources)
    head = f"{indent}table {d.name.name} {quote(d.title)} {d.policy.name} category {d.category.name} sources [{sources}]"
    rows = []
    for r in d.rows:
        cells, (rest, _) = split_row(r.text)
        rows.append(([" ".join(c.split()) for c, _ in cells], " ".join(rest.split())))
    widths: list[int] = []
    for cells, _ in rows:
        for k, c in enumerate(cells):
            if k == len(widths):
                widths.append(0)
            widths[k] = max(widths[k], len(c))
    lines = [head]
    for cells, rest in rows:
        body = " | ".join(c.ljust(widths[k]) for k, c in enumerate(cells))
        lines.append(f"{indent}{_IND}| {body} |" + (f" {rest}" if rest else ""))
    return lines


# ---------------------------------------------------------------- comments and layout


@dataclass(frozen=True, slots=True)
class Comment:
    line: int
    text: str


def comments(text: str) -> list[Comment]:
    """Every ``#`` comment of ``text`` (a ``#`` inside a string is not one)."""
    out: list[Comment] = []
    for n, line in enumerate(text.split("\n"), start=1):
        col, _ = scan_line(line)
        if col is not None:
            out.append(Comment(n, line[col:].rstrip()))
    return out


Node = Union[ast.Decl, ast.Header]


class _Layout:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")

    def _blank_before(self, line: int) -> bool:
        return line >= 2 and self.lines[line - 2].strip() == ""

    def block(self, nodes: Sequence[Node], notes: list[Comment], indent: str, first: bool) -> list[str]:
        """``nodes`` in order, each after the comments that precede or sit inside it."""
        out: list[str] = []
        pending = sorted(notes, key=lambda c: c.line)
        for node in nodes:
            mine = [c for c in pending if c.line <= node.span.end_line]
            pending = [c for c in pending if c.line > node.span.end_line]
            start = min([node.span.line] + [c.line for c in mine])
            if not first and self._blank_before(start):
                out.append("")
            before = [c for c in mine if c.line < node.span.line]
            inside = [c for c in mine if c.line >= node.span.line]
            if isinstance(node, ast.PhaseDecl):
                header_notes = [c for c in inside if c.line == node.span.line]
                body_notes = [c for c in inside if c.line != node.span.line]
                out += self.notes(before, node.span.line, indent) + [indent + c.text for c in header_notes]
                out += self.phase(node, body_notes, indent)
            else:
                out += self.notes(before, node.span.line, indent) + [indent + c.text for c in inside]
                out += _header(node) if isinstance(node, ast.Header) else _decl(node, indent)
            first = False
        if pending:
            if not first and self._blank_before(pending[0].line):
                out.append("")
            out += self.notes(pending, None, indent)
        return out

    def notes(self, notes: list[Comment], next_line: int | None, indent: str) -> list[str]:
        """Comments on their own lines, keeping the blank lines between them and before ``next_line``."""
        out: list[str] = []
        for k, c in enumerate(notes):
            if k > 0 and self._blank_before(c.line) and c.line - 1 > notes[k - 1].line:
                out.append("")
            out.append(indent + c.text)
        if notes and next_line is not None and next_line - 1 > notes[-1].line and self._blank_before(next_line):
            out.append("")
        return out

    def phase(self, p: ast.PhaseDecl, notes: list[Comment], indent: str) -> list[str]:
        head = f"{indent}phase {p.name.name} {quote(p.label)}"
        when = expr_lines(p.when, len(head) + len(" when "), indent + _IND * 2)
        if len(when) == 1 and len(head) + len(" when ") + len(when[0]) + 2 <= WIDTH:
            lines = [f"{head} when {when[0]} {{"]
        else:
            when = expr_lines(p.when, len(indent + _IND) + len("when "), indent + _IND * 2)
            lines = [head, f"{indent}{_IND}when {when[0]}", *when[1:]]
            lines[-1] += " {"
        lines += self.block(p.rules, notes, indent + _IND, first=True)
        lines.append(indent + "}")
        return lines


def _header(h: ast.Header) -> list[str]:
    return [f"ruleset {h.name.name} version {quote(h.version)}"]


def format_rules(text: str, path: str = "<string>") -> str:
    """The canonical layout of rules ``text``; raises ``RulesetError`` on a syntax error."""
    tree = parse(text, path)
    layout = _Layout(text)
    nodes: list[Node] = [tree.header, *tree.decls]
    lines = layout.block(nodes, comments(text), "", first=True)
    return "\n".join(line.rstrip() for line in lines) + "\n"


# ---------------------------------------------------------------- the safety net

_SPAN = re.compile(r"(span|_span)=Span\([^()]*\)")


def _shape(text: str) -> str | None:
    """The checked ruleset of ``text`` with every source position left out (None if it does not check)."""
    try:
        ruleset, _ = check(parse(text, "<fmt>"), text)
    except RulesetError:
        return None
    return _SPAN.sub("span", repr(ruleset))


def same_meaning(before: str, after: str) -> bool:
    """True when ``after`` checks to the very ruleset ``before`` does, positions aside.

    A file that does not check (a type error) only has to keep not checking.
    """
    return _shape(before) == _shape(after)
