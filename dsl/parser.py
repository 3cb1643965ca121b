"""Text to syntax tree: the Lark LALR parser and a transformer into ``dsl.ast``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from dsl import ast
from dsl.errors import Diagnostic, RulesetError
from dsl.span import Span

_GRAMMAR = Path(__file__).with_name("grammar.lark")


@lru_cache(maxsize=1)
def _lark() -> Lark:
    # Built once per process: building the LALR tables is the slow part.
    return Lark(
        _GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
    )


def _unquote(token: str) -> str:
    """The value of a STRING token: strip the quotes, honour \\" \\\\ \\n \\t."""
    body = token[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


class _ToAst(Transformer):
    """Builds ``dsl.ast`` nodes; every node gets the span of its text."""

    def __init__(self, path: str) -> None:
        super().__init__(visit_tokens=False)
        self.path = path

    def _span(self, meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.path, 0, 0, 0, 0)
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok(self, tok: Token) -> Span:
        return Span(self.path, tok.line, tok.column, tok.end_line, tok.end_column)

    def _ident(self, tok: Token) -> ast.Ident:
        return ast.Ident(str(tok), self._tok(tok))

    # -- header and declarations

    @v_args(meta=True)
    def start(self, meta, children):
        header, *decls = children
        return ast.RulesFile(self.path, header, tuple(decls))

    @v_args(meta=True)
    def header(self, meta, c):
        return ast.Header(self._ident(c[0]), _unquote(c[1]), self._span(meta))

    @v_args(meta=True)
    def source(self, meta, c):
        year = int(c[2]) if c[2] is not None else None
        url = c[3]
        return ast.SourceDecl(self._ident(c[0]), _unquote(c[1]), year, url, self._span(meta))

    def source_year(self, c):
        return c[0]

    def source_url(self, c):
        return _unquote(c[0])

    @v_args(meta=True)
    def input(self, meta, c):
        return ast.InputDecl(self._ident(c[0]), c[1], c[2], c[3], self._span(meta))

    def input_unit(self, c):
        return _unquote(c[0])

    def input_doc(self, c):
        return _unquote(c[0])

    define_doc = input_doc

    @v_args(meta=True)
    def bool_type(self, meta, c):
        return ast.TypeDecl("bool", None, None, (), self._span(meta))

    @v_args(meta=True)
    def int_type(self, meta, c):
        return ast.TypeDecl("int", c[0], c[1], (), self._span(meta))

    @v_args(meta=True)
    def real_type(self, meta, c):
        return ast.TypeDecl("real", c[0], c[1], (), self._span(meta))

    @v_args(meta=True)
    def enum_type(self, meta, c):
        return ast.TypeDecl("enum", None, None, c[0], self._span(meta))

    def number(self, c):
        return ast.Number(str(c[0]), self._tok(c[0]))

    def name_list(self, c):
        return tuple(self._ident(t) for t in c)

    @v_args(meta=True)
    def define(self, meta, c):
        return ast.DefineDecl(self._ident(c[0]), c[1], c[2], self._span(meta))

    @v_args(meta=True)
    def action(self, meta, c):
        return ast.ActionDecl(self._ident(c[0]), self._ident(c[1]), _unquote(c[2]), self._span(meta))

    @v_args(meta=True)
    def group(self, meta, c):
        return ast.GroupDecl(self._ident(c[0]), c[1], self._span(meta))

    @v_args(meta=True)
    def constraint(self, meta, c):
        return ast.ConstraintDecl(self._ident(c[0]), _unquote(c[1]), c[2], self._span(meta))

    @v_args(meta=True)
    def phase(self, meta, c):
        name, label, when, *rules = c
        return ast.PhaseDecl(self._ident(name), _unquote(label), when, tuple(rules), self._span(meta))

    @v_args(meta=True)
    def rule(self, meta, c):
        rid, title, when, *gives, rationale = c
        return ast.RuleDecl(self._ident(rid), _unquote(title), when, tuple(gives), rationale, self._span(meta))

    def because(self, c):
        return _unquote(c[0])

    @v_args(meta=True)
    def give(self, meta, c):
        strength, (alternatives, actions), category, sources = c
        return ast.GiveDecl(strength, actions, alternatives, self._ident(category), sources, self._span(meta))

    def recommend(self, c):
        return "recommend"

    def consider(self, c):
        return "consider"

    def avoid(self, c):
        return "avoid"

    def give_one(self, c):
        return (False, (self._ident(c[0]),))

    def give_alternatives(self, c):
        return (True, c[0])

    @v_args(meta=True)
    def conflict(self, meta, c):
        return ast.ConflictDecl(c[0], c[1], self._span(meta))

    @v_args(meta=True)
    def property(self, meta, c):
        return ast.PropertyDecl(self._ident(c[0]), _unquote(c[1]), c[2], self._span(meta))

    @v_args(meta=True)
    def coverage(self, meta, c):
        cid, title, *inputs = c
        return ast.CoverageDecl(
            self._ident(cid), _unquote(title) if title is not None else None,
            tuple(self._ident(t) for t in inputs), self._span(meta),
        )

    # -- action sets

    @v_args(meta=True)
    def action_set(self, meta, c):
        if len(c) == 2 and c[1] is not None:
            return ast.SetExcept(c[0], c[1], self._span(meta))
        return c[0]

    def set_name(self, c):
        return ast.SetName(str(c[0]), self._tok(c[0]))

    def set_kind(self, c):
        return ast.SetKind(str(c[0]), self._tok(c[0]))

    @v_args(meta=True)
    def set_any(self, meta, c):
        return ast.SetAny(self._span(meta))

    @v_args(meta=True)
    def set_union(self, meta, c):
        return ast.SetUnion(tuple(c), self._span(meta))

    # -- expressions

    def _binary(self, op: str, meta, c):
        return ast.Binary(op, c[0], c[-1], self._span(meta))

    @v_args(meta=True)
    def iff(self, meta, c):
        return self._binary("iff", meta, c)

    @v_args(meta=True)
    def implies(self, meta, c):
        return self._binary("implies", meta, c)

    @v_args(meta=True)
    def or_(self, meta, c):
        return self._binary("or", meta, c)

    @v_args(meta=True)
    def and_(self, meta, c):
        return self._binary("and", meta, c)

    @v_args(meta=True)
    def add(self, meta, c):
        return self._binary("+", meta, c)

    @v_args(meta=True)
    def sub(self, meta, c):
        return self._binary("-", meta, c)

    @v_args(meta=True)
    def mul(self, meta, c):
        return self._binary("*", meta, c)

    @v_args(meta=True)
    def compare(self, meta, c):
        return ast.Binary(str(c[1]), c[0], c[2], self._span(meta))

    @v_args(meta=True)
    def not_(self, meta, c):
        return ast.Unary("not", c[0], self._span(meta))

    @v_args(meta=True)
    def neg(self, meta, c):
        return ast.Unary("-", c[0], self._span(meta))

    @v_args(meta=True)
    def in_set(self, meta, c):
        return ast.Membership(c[0], c[1], False, self._span(meta))

    @v_args(meta=True)
    def not_in_set(self, meta, c):
        return ast.Membership(c[0], c[1], True, self._span(meta))

    def num(self, c):
        return ast.Number(str(c[0]), self._tok(c[0]))

    @v_args(meta=True)
    def true(self, meta, c):
        return ast.Boolean(True, self._span(meta))

    @v_args(meta=True)
    def false(self, meta, c):
        return ast.Boolean(False, self._span(meta))

    def name(self, c):
        return ast.Name(str(c[0]), self._tok(c[0]))

    def _status(self, status: str, meta, c):
        return ast.Status(status, c[0], self._span(meta))

    @v_args(meta=True)
    def recommended(self, meta, c):
        return self._status("recommended", meta, c)

    @v_args(meta=True)
    def considered(self, meta, c):
        return self._status("considered", meta, c)

    @v_args(meta=True)
    def given(self, meta, c):
        return self._status("given", meta, c)

    @v_args(meta=True)
    def avoided(self, meta, c):
        return self._status("avoided", meta, c)


# Readable names for the grammar's terminals, used in "expected ..." messages.
_TERMINAL_NAMES = {
    "NAME": "a name",
    "STRING": 'a string ("...")',
    "SIGNED_NUMBER": "a number",
    "SIGNED_NUMBER_LIT": "a number",
    "INT": "a whole number",
    "CATEGORY": "an evidence category (1, 2A, 2B or 3)",
    "COMPARE_OP": "a comparison (<, <=, >, >=, ==, !=)",
    "$END": "end of file",
}


def _describe_expected(names: set[str]) -> str:
    lark = _lark()
    words: set[str] = set()
    for n in names:
        if n in _TERMINAL_NAMES:
            words.add(_TERMINAL_NAMES[n])
            continue
        term = next((t for t in lark.terminals if t.name == n), None)
        if term is not None and term.pattern.type == "str":
            words.add(f"'{term.pattern.value}'")
        else:
            words.add(n)
    ordered = sorted(words)
    if len(ordered) > 12:
        ordered = ordered[:12] + ["..."]
    return ", ".join(ordered)


def _syntax_diagnostic(err: UnexpectedInput, path: str, text: str) -> Diagnostic:
    line = max(1, getattr(err, "line", 1) or 1)
    col = max(1, getattr(err, "column", 1) or 1)
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        lines = text.splitlines() or [""]
        line = len(lines)
        col = len(lines[-1]) + 1
        expected = _describe_expected(set(err.expected))
        msg = f"unexpected end of file; expected {expected}"
    elif isinstance(err, UnexpectedToken):
        expected = _describe_expected(set(err.accepts or err.expected))
        msg = f"unexpected {err.token!r}; expected {expected}".replace(
            f"{err.token!r}", f"'{err.token}'"
        )
    elif isinstance(err, UnexpectedCharacters):
        ch = text[err.pos_in_stream] if 0 <= err.pos_in_stream < len(text) else "?"
        expected = _describe_expected(set(err.allowed or ()))
        msg = f"unexpected character {ch!r}" + (f"; expected {expected}" if expected else "")
    else:  # pragma: no cover - lark has no other UnexpectedInput subclasses today
        msg = "syntax error"
    span = Span(path, line, col, line, col + 1)
    return Diagnostic("error", msg, span)


def parse(text: str, path: str = "<string>") -> ast.RulesFile:
    """Parse a rules file into its syntax tree; raises ``RulesetError`` on a syntax error."""
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as err:
        raise RulesetError([_syntax_diagnostic(err, path, text)], text) from None
    try:
        return _ToAst(path).transform(tree)
    except VisitError as err:  # pragma: no cover - a transformer bug, not a user error
        raise err.orig_exc from None
