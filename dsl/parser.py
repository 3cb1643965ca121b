"""Text to syntax tree: the Lark LALR parser and a transformer into ``dsl.ast``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import copy
import difflib
import hashlib
import os
import re

from lark import Lark, Token, v_args
from lark import __version__ as lark_version
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
from lark.visitors import Transformer_NonRecursive

from dsl import ast
from dsl.errors import Diagnostic, RulesetError
from dsl.private_cache import cache_folder, trusted_file
from dsl.span import Span

_GRAMMAR = Path(__file__).with_name("grammar.lark")


_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WORD_RE = re.compile(r"[A-Za-z0-9_.]+")


class _Keywords:
    """Post-lexer that makes reserved words whole words.

    The contextual lexer only tries the terminals the parser can accept next,
    so where no name is expected it would happily cut ``ruleset`` into
    ``rule`` + ``set`` or ``a andy`` into ``a and y``. Always offering NAME
    (``always_accept``) makes the lexer read whole words; a word that is a
    reserved word then gets its keyword's type here, so ``input when: bool``
    is a syntax error rather than an input called "when".
    """

    always_accept = ("NAME",)

    def __init__(self) -> None:
        self.types: dict[str, str] = {}

    def process(self, stream):
        types = self.types
        for tok in stream:
            if tok.type == "NAME" and tok.value in types:
                yield Token.new_borrow_pos(types[tok.value], tok.value, tok)
            else:
                yield tok


_KEYWORDS = _Keywords()


def _cache_path(grammar: str) -> str | None:
    """Where the built parser tables are kept between runs, or None for no cache.

    Building the LALR tables is most of `ruleproof eval`'s start-up. Lark's own
    ``cache=True`` keeps them in the shared temp dir, where another user could
    plant a pickle for us to load; ours live in the user's private cache folder
    (``dsl.private_cache``), keyed by the grammar and the Lark version so that a
    stale file is never read.
    """
    folder = cache_folder()
    if folder is None:
        return None
    key = hashlib.sha256(f"{lark_version}\0{grammar}".encode()).hexdigest()[:20]
    return os.path.join(folder, f"grammar-{key}.lark-cache")


def _build(grammar: str, cache: str | bool) -> Lark:
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        postlex=_KEYWORDS,
        propagate_positions=True,
        maybe_placeholders=True,
        cache=cache,
    )


def _build_cached(grammar: str) -> Lark:
    """The parser, its tables read from (or written to) the private cache when there is one."""
    path = _cache_path(grammar)
    if path is None:
        return _build(grammar, False)
    if trusted_file(path):
        return _build(grammar, path)
    # No usable cache file (or an odd one: a link, someone else's): build and
    # write a fresh file beside it, then rename it over the old name, so a
    # reader never sees half a file and a planted link is replaced, not followed.
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.unlink(tmp)
    except OSError:
        pass
    lark = _build(grammar, tmp)
    try:
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:
        pass
    return lark


@lru_cache(maxsize=1)
def _lark() -> Lark:
    # Built once per process: building the LALR tables is the slow part.
    keywords = _KEYWORDS
    grammar = _GRAMMAR.read_text(encoding="utf-8")
    lark = _build_cached(grammar)
    keywords.types.update(
        (t.pattern.value, t.name) for t in lark.terminals
        if t.pattern.type == "str" and _NAME_RE.match(t.pattern.value)
    )
    return lark


def reserved_words() -> frozenset[str]:
    """The words of the language that cannot be used as names."""
    _lark()
    return frozenset(_KEYWORDS.types)


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


# Numbers are exact decimals; more digits than this is a typo, not a dose.
MAX_DIGITS = 30
# Hostile-input limits (see README, Security): far above any real guideline,
# far below what would cost memory or flood a terminal.
MAX_STRING = 4000
MAX_NAME = 200
MAX_TEXT_CHARS = 16 * 1024 * 1024
# Control characters (a tab aside), line separators and bidirectional overrides.
_UNSHOWABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class _SourceProblem(Exception):
    """A mistake found while building the tree (the grammar cannot express it)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _ToAst(Transformer_NonRecursive):
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
        if len(tok) > MAX_NAME:
            raise _SourceProblem(Diagnostic(
                "error", f"name {str(tok)[:20]}... is too long ({len(tok)} characters; at most {MAX_NAME})",
                self._tok(tok)))
        return ast.Ident(str(tok), self._tok(tok))

    def _string(self, tok: Token) -> str:
        """A string's value; one too long, or holding a character that would act on a
        terminal or reorder the text around it, is an error (labels reach terminals,
        reports and pull-request comments as written)."""
        if len(tok) > MAX_STRING + 2:
            raise _SourceProblem(Diagnostic(
                "error", f"string is too long ({len(tok) - 2} characters; at most {MAX_STRING})", self._tok(tok)))
        value = _unquote(str(tok))
        bad = _UNSHOWABLE.search(value)
        if bad:
            raise _SourceProblem(Diagnostic(
                "error", f"string holds the control character U+{ord(bad.group()):04X}; "
                         "a string is one line of plain text", self._tok(tok)))
        return value

    # -- header and declarations

    @v_args(meta=True)
    def start(self, meta, children):
        header, *decls = children
        return ast.RulesFile(self.path, header, tuple(decls))

    @v_args(meta=True)
    def header(self, meta, c):
        return ast.Header(self._ident(c[0]), self._string(c[1]), self._span(meta))

    @v_args(meta=True)
    def source(self, meta, c):
        year = int(c[2]) if c[2] is not None else None
        url = c[3]
        return ast.SourceDecl(self._ident(c[0]), self._string(c[1]), year, url, self._span(meta))

    def source_year(self, c):
        return self._number(c[0]).text

    def source_url(self, c):
        return self._string(c[0])

    @v_args(meta=True)
    def input(self, meta, c):
        return ast.InputDecl(self._ident(c[0]), c[2], c[3], c[4], self._span(meta), optional=c[1] is not None)

    def optional(self, c):  # issue 12
        return True

    def input_unit(self, c):
        return self._string(c[0])

    def input_doc(self, c):
        return self._string(c[0])

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

    def _number(self, tok: Token) -> ast.Number:
        """A number token; one too long to be a value is an error (and would overflow int())."""
        digits = sum(ch in "0123456789" for ch in str(tok))
        if digits > MAX_DIGITS:
            shown = str(tok) if len(tok) <= 20 else str(tok)[:16] + "..."
            raise _SourceProblem(Diagnostic(
                "error", f"number {shown} is too long (at most {MAX_DIGITS} digits)", self._tok(tok)))
        return ast.Number(str(tok), self._tok(tok))

    def number(self, c):
        return self._number(c[0])

    def name_list(self, c):
        return tuple(self._ident(t) for t in c)

    @v_args(meta=True)
    def define(self, meta, c):
        return ast.DefineDecl(self._ident(c[0]), c[1], c[2], self._span(meta))

    @v_args(meta=True)
    def action(self, meta, c):
        return ast.ActionDecl(self._ident(c[0]), self._ident(c[1]), self._string(c[2]), self._span(meta))

    @v_args(meta=True)
    def group(self, meta, c):
        return ast.GroupDecl(self._ident(c[0]), c[1], self._span(meta))

    @v_args(meta=True)
    def constraint(self, meta, c):
        return ast.ConstraintDecl(self._ident(c[0]), self._string(c[1]), c[2], self._span(meta))

    @v_args(meta=True)
    def phase(self, meta, c):
        name, label, when, *rules = c
        return ast.PhaseDecl(self._ident(name), self._string(label), when, tuple(rules), self._span(meta))

    @v_args(meta=True)
    def rule(self, meta, c):
        rid, title, when, *gives, rationale = c
        return ast.RuleDecl(self._ident(rid), self._string(title), when, tuple(gives), rationale, self._span(meta))

    def because(self, c):
        return self._string(c[0])

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
        return ast.PropertyDecl(self._ident(c[0]), self._string(c[1]), c[2], self._span(meta))

    @v_args(meta=True)
    def coverage(self, meta, c):
        cid, title, *inputs = c
        return ast.CoverageDecl(
            self._ident(cid), self._string(title) if title is not None else None,
            tuple(self._ident(t) for t in inputs), self._span(meta),
        )

    # -- pathways: effects and journey properties (issue 16)

    @v_args(meta=True)
    def effect(self, meta, c):
        return ast.EffectDecl(self._ident(c[0]), tuple(c[1:]), self._span(meta))

    @v_args(meta=True)
    def assign_value(self, meta, c):
        return ast.AssignDecl(self._ident(c[0]), (c[1],), None, self._span(meta))

    @v_args(meta=True)
    def assign_choice(self, meta, c):
        return ast.AssignDecl(self._ident(c[0]), tuple(c[1:]), None, self._span(meta))

    @v_args(meta=True)
    def assign_advance(self, meta, c):
        return ast.AssignDecl(self._ident(c[0]), (), c[1], self._span(meta))

    @v_args(meta=True)
    def effect_number(self, meta, c):
        return ast.EffectValue(c[0], self._span(meta))

    def effect_name(self, c):
        return ast.EffectValue(str(c[0]), self._tok(c[0]))

    @v_args(meta=True)
    def effect_true(self, meta, c):
        return ast.EffectValue(True, self._span(meta))

    @v_args(meta=True)
    def effect_false(self, meta, c):
        return ast.EffectValue(False, self._span(meta))

    @v_args(meta=True)
    def pathway(self, meta, c):
        pid, title, start, (form, first, second, bound, phase) = c
        return ast.PathwayDecl(self._ident(pid), _unquote(title), start, form, first, second,
                               bound, phase, self._span(meta))

    def pathway_from(self, c):
        return c[0]

    def t_always(self, c):
        return ("always", ast.EventDecl(None, c[0], c[0].span), None, None, None)

    def t_before(self, c):
        return ("before", c[0], c[1], None, None)

    def t_after(self, c):
        return ("after", c[0], c[1], None, None)

    def t_eventually(self, c):
        return ("eventually", ast.EventDecl(None, c[0], c[0].span), None, int(c[1]), None)

    def t_until(self, c):
        return ("until", ast.EventDecl(None, c[0], c[0].span), ast.EventDecl(None, c[1], c[1].span), None, None)

    def t_leaves(self, c):
        return ("leaves", None, None, int(c[1]), self._ident(c[0]))

    @v_args(meta=True)
    def event_taken(self, meta, c):
        return ast.EventDecl(c[0], None, self._span(meta))

    def event_state(self, c):
        return ast.EventDecl(None, c[0], c[0].span)

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
        return self._number(c[0])

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

    # -- issue 12: worked examples

    @v_args(meta=True)
    def baseline(self, meta, c):
        return ast.BaselineDecl(self._ident(c[0]), tuple(f for f in c[1:] if f is not None), self._span(meta))

    @v_args(meta=True)
    def example(self, meta, c):
        fields = tuple(x for x in c[3:] if isinstance(x, ast.FieldValue))
        expects = tuple(x for x in c[3:] if isinstance(x, ast.ExpectDecl))
        base = self._ident(c[2]) if c[2] is not None else None
        return ast.ExampleDecl(self._ident(c[0]), _unquote(c[1]), base, fields, expects, self._span(meta))

    @v_args(meta=True)
    def field(self, meta, c):
        kind, text = c[1]
        return ast.FieldValue(self._ident(c[0]), kind, text, self._span(meta))

    def field_number(self, c):
        return ("number", self._number(c[0]).text)

    def field_true(self, c):
        return ("bool", "true")

    def field_false(self, c):
        return ("bool", "false")

    def field_null(self, c):
        return ("null", "null")

    def field_name(self, c):
        return ("name", str(c[0]))

    @v_args(meta=True)
    def expect(self, meta, c):
        items = tuple(x for x in c[1:] if x is not None)
        return ast.ExpectDecl(c[0], items, self._span(meta))

    def exp_recommended(self, c):
        return "recommended"

    def exp_considered(self, c):
        return "considered"

    def exp_avoided(self, c):
        return "avoided"

    def exp_not_given(self, c):
        return "not_given"

    def expect_item(self, c):
        return (self._ident(c[0]), self._ident(c[1]) if c[1] is not None else None)

    # -- issue 12: grading scheme, conditional expression, score tables, function calls

    # -- issue 14: decision tables (rows are read by dsl.table_rows in the checker)

    @v_args(meta=True)
    def table(self, meta, c):
        name, title, policy, category, sources, *rows = c
        return ast.TableDecl(self._ident(name), self._string(title), policy, self._ident(category), sources,
                             tuple(ast.TableRow(str(r), r.line, r.column) for r in rows), self._span(meta))

    @v_args(meta=True)
    def table_policy(self, meta, c):
        if not c:  # the keyword "any" (kept out of the children like every keyword)
            return ast.Ident("any", self._span(meta))
        return self._ident(c[0])

    @v_args(meta=True)
    def grading(self, meta, c):
        title = _unquote(c[1]) if c[1] is not None else None
        levels = tuple(self._ident(t) for t in c[2:] if t is not None)
        return ast.GradingDecl(self._ident(c[0]), title, levels, self._span(meta))

    @v_args(meta=True)
    def conditional(self, meta, c):
        return ast.Conditional(c[0], c[1], c[2], self._span(meta))

    def known(self, c):
        return ast.Known(self._ident(c[0]), self._tok(c[0]))

    @v_args(meta=True)
    def points_term(self, meta, c):
        return ast.PointsTerm(c[0], c[1], self._span(meta))

    @v_args(meta=True)
    def points(self, meta, c):
        return ast.Points(tuple(t for t in c if t is not None), self._span(meta))

    @v_args(meta=True)
    def call(self, meta, c):
        return ast.Call(self._ident(c[0]), tuple(c[1:]), self._span(meta))

    # Evidence category and "one of" choice of a decision (properties only).
    def cat_lit(self, c):
        return self._ident(c[0])

    def cat_list(self, c):
        return tuple(c)

    @v_args(meta=True)
    def category_compare(self, meta, c):
        return ast.CategoryTest(self._ident(c[0]), str(c[1]), (c[2],), self._span(meta))

    @v_args(meta=True)
    def category_in(self, meta, c):
        return ast.CategoryTest(self._ident(c[0]), "in", c[1], self._span(meta))

    @v_args(meta=True)
    def category_not_in(self, meta, c):
        return ast.CategoryTest(self._ident(c[0]), "not in", c[1], self._span(meta))

    @v_args(meta=True)
    def alternatives(self, meta, c):
        return ast.AlternativesTest(self._ident(c[0]), self._ident(c[1]), self._span(meta))


# ---------------------------------------------------------------- syntax errors

# Readable names for the grammar's terminals, used in "expected ..." messages.
_TERMINAL_NAMES = {
    "NAME": "a name",
    "STRING": 'a string ("...")',
    "SIGNED_NUMBER": "a number",
    "SIGNED_NUMBER_LIT": "a number",
    "INT": "a whole number",
    "CATEGORY": "an evidence category (such as 1, 2A, IIa-B)",
    "COMPARE_OP": "a comparison (<, <=, >, >=, ==, !=)",
    "TABLE_ROW": "a table row ('| cell | ... | gives')",
}

# Tokens that can start an expression (an operand); when all of the core ones
# are acceptable the message says "an expression" instead of listing them.
_EXPR_START = {
    "LPAR", "MINUS", "NOT", "TRUE", "FALSE", "NAME", "SIGNED_NUMBER_LIT",
    "RECOMMENDED", "CONSIDERED", "GIVEN", "AVOIDED", "IF", "POINTS", "KNOWN",
    "CATEGORY", "ALTERNATIVES",  # category(A) == ..., alternatives(A, B) in properties
}
_EXPR_CORE = {"LPAR", "NAME", "SIGNED_NUMBER_LIT", "TRUE"}
# Tokens that can continue an expression after an operand; "an operator"
# when 'and' and 'or' are both acceptable (that is, right after an operand).
_OPERATORS = {"STAR", "PLUS", "MINUS", "AND", "OR", "IMPLIES", "IFF", "COMPARE_OP", "IN", "NOT"}
_OPERATOR_CORE = {"AND", "OR"}
# Where an operand is expected, these words are a doubled operator or the start of
# the next clause or declaration (the operand is missing), not a name.
_NOT_A_NAME_IN_EXPRESSIONS = {
    "and", "or", "implies", "iff", "in", "recommend", "consider", "avoid", "because", "category",
    "sources", "when", "ruleset", "source", "input", "define", "action", "actions", "constraint",
    "phase", "rule", "conflict", "property", "coverage",
}
# Keywords that start a declaration; "a declaration" when all are acceptable.
_DECLARATIONS = {
    "SOURCE", "INPUT", "DEFINE", "ACTION", "ACTIONS", "CONSTRAINT", "PHASE",
    "RULE", "CONFLICT", "PROPERTY", "COVERAGE", "EFFECT", "PATHWAY",
    "GRADING", "BASELINE", "EXAMPLE",  # issue 12
    "TABLE",  # issue 14
}
_IGNORED = {"WS", "COMMENT"}


def _terminal_word(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    term = next((t for t in _lark().terminals if t.name == name), None)
    if term is not None and term.pattern.type == "str":
        return f"'{term.pattern.value}'"
    return name


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _keyword_terminals(*words: str) -> set[str]:
    """The terminal names Lark gave these keywords ('category' shares its word with the
    CATEGORY literal terminal, so Lark names the keyword itself)."""
    return {t.name for t in _lark().terminals if t.pattern.type == "str" and t.pattern.value in words}


def _describe_expected(names: set[str]) -> str:
    """``names`` (terminal names the parser could accept) in words, short."""
    names = set(names) - _IGNORED
    if names == {"RULESET"}:
        return "the header 'ruleset NAME version \"...\"'"
    head: list[str] = []
    tail: list[str] = []
    if _EXPR_CORE <= names:
        head.append("an expression")
        names -= _EXPR_START | _keyword_terminals("category")
    if _OPERATOR_CORE <= names:
        head.append("an operator")
        names -= _OPERATORS
        names.discard("LPAR")  # issue 12: after a name, '(' would start a call; not worth listing
    if _DECLARATIONS <= names:
        tail.append("a new declaration")
        names -= _DECLARATIONS
    if "$END" in names:
        tail.append("end of file")
        names.discard("$END")
    middle = sorted({_terminal_word(n) for n in names}, key=lambda w: (not w.startswith("'"), w))
    words = head + middle + tail
    if len(words) > 10:
        words = words[:9] + ["..."]
    return _join(words)


def _keyword_hint(word: str, names: set[str]) -> str:
    """"; did you mean 'recommend'?" when ``word`` is close to a keyword the parser accepts."""
    if not _NAME_RE.match(word):
        return ""
    keywords = [
        t.pattern.value for t in _lark().terminals
        if t.name in names and t.pattern.type == "str" and _NAME_RE.match(t.pattern.value)
    ]
    close = difflib.get_close_matches(word, sorted(keywords), n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""


def _token_words(tok: Token) -> str:
    """How the message names an unexpected token."""
    value = str(tok)
    if tok.type == "STRING":
        return "string " + (value if len(value) <= 30 else value[:26] + '..."')
    if value in _KEYWORDS.types:
        return f"reserved word '{value}'"
    return f"'{value}'" if len(value) <= 40 else f"'{value[:36]}...'"


def _state_accepts(state) -> set[str]:
    """The terminals the LALR parser in ``state`` can really go on with.

    The parse table of a state also lists lookaheads of reductions that fail
    later (LALR merges states), so each candidate is tried on a copy, as lark's
    interactive parser does for ``UnexpectedToken.accepts``.
    """
    try:
        candidates = [t for t in state.parse_conf.parse_table.states[state.position] if t.isupper()]
        conf = copy.copy(state.parse_conf)
        conf.callbacks = {}
    except (AttributeError, KeyError, TypeError):  # pragma: no cover - defensive
        return set()
    accepts: set[str] = set()
    for t in candidates:
        trial = state.copy()
        trial.parse_conf = conf
        try:
            trial.feed_token(Token(t, ""), is_end=(t == "$END"))
        except (UnexpectedToken, AssertionError):
            continue
        accepts.add(t)
    return accepts


# What people type from other languages, and what this language spells instead.
_CHARACTER_HINTS = {
    "&": "write 'and'",
    "|": "write 'or'",
    "!": "write 'not' (or '!=')",
    "=": "write '==' to compare",
    "/": "there is no division; multiply instead",
    "'": 'strings use double quotes "..."',
}


def _syntax_diagnostic(err: UnexpectedInput, path: str, text: str) -> Diagnostic:
    line = max(1, getattr(err, "line", 1) or 1)
    col = max(1, getattr(err, "column", 1) or 1)
    end_line, end_col = line, col + 1
    if isinstance(err, UnexpectedToken) and err.token.type == "$END":
        # Lark places $END on the last token: point just after it.
        tok = err.token
        if tok.end_line is not None and tok.end_column is not None and tok.line and tok.line > 0:
            line, col = tok.end_line, tok.end_column
        else:
            line, col = 1, 1
        end_line, end_col = line, col + 1
        expected = set(err.accepts or err.expected)
        msg = f"unexpected end of file; expected {_describe_expected(expected)}"
    elif isinstance(err, UnexpectedToken):
        tok = err.token
        expected = set(err.accepts or err.expected)
        if tok.end_line == tok.line and tok.end_column is not None:
            end_line, end_col = tok.end_line, tok.end_column
        words = _token_words(tok)
        if tok.type in ("INT", "SIGNED_NUMBER", "SIGNED_NUMBER_LIT", "CATEGORY") and tok.start_pos is not None:
            # The lexer could not read a word such as ``2C``: show all of it.
            word = _WORD_RE.match(text, tok.start_pos)
            if word and word.end() > tok.start_pos + len(str(tok)):
                words = f"'{word.group()}'"
                end_col = col + len(word.group())
        starts_line = tok.start_pos is not None and text[text.rfind("\n", 0, tok.start_pos) + 1: tok.start_pos].strip() == ""
        if (str(tok) in _KEYWORDS.types and "NAME" in expected
                and not ("LPAR" in expected and str(tok) in _NOT_A_NAME_IN_EXPRESSIONS)
                # A declaration keyword opening a line starts the next declaration: this one is unfinished.
                and not (starts_line and str(tok).upper() in _DECLARATIONS)):
            # A name was acceptable here, so the author meant ``x``/``kind``/``any``... as one.
            msg = (f"'{tok}' is a reserved word of the rule language and cannot be used as a name; "
                   f"rename it (for example '{tok}_')")
        elif tok.type == "COMPARE_OP" and "AND" in expected and "COMPARE_OP" not in expected:
            msg = f"unexpected '{tok}': comparisons do not chain; write 'a < b and b < c'"
        else:
            msg = f"unexpected {words}; expected {_describe_expected(expected)}"
            msg += _keyword_hint(str(tok), expected)
            if str(tok) in _CHARACTER_HINTS and "AND" in expected:  # after an operand
                msg += f" ({_CHARACTER_HINTS[str(tok)]})"
    elif isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream
        ch = text[pos] if 0 <= pos < len(text) else "?"
        if ch == '"':
            close = text.find('"', pos + 1)
            newline = text.find("\n", pos + 1)
            if close < 0 or (0 <= newline < close):
                msg = 'unterminated string: a string must end with " on the same line'
            else:  # pragma: no cover - a whole string always lexes
                msg = "unexpected string"
        else:
            expected = _state_accepts(err.state) if err.state is not None else set()
            msg = f"unexpected character {ch!r}"
            if expected:
                msg += f"; expected {_describe_expected(expected)}"
            if ch in _CHARACTER_HINTS:
                msg += f" ({_CHARACTER_HINTS[ch]})"
    else:  # pragma: no cover - lark raises no other UnexpectedInput from an LALR parse
        msg = "syntax error"
    span = Span(path, line, col, end_line, end_col)
    return Diagnostic("error", msg, span)


def parse(text: str, path: str = "<string>") -> ast.RulesFile:
    """Parse a rules file into its syntax tree; raises ``RulesetError`` on a syntax error."""
    # A byte-order mark is not part of the text, and editors do not count it as a column.
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_TEXT_CHARS:
        raise RulesetError([Diagnostic(
            "error", f"the ruleset is too large ({len(text)} characters; at most {MAX_TEXT_CHARS})",
            Span(path, 0, 0, 0, 0))], None)
    source = text
    try:
        tree = _lark().parse(source)
    except UnexpectedInput as err:
        raise RulesetError([_syntax_diagnostic(err, path, text)], text) from None
    except RecursionError:  # pragma: no cover - the LALR parser is iterative
        raise RulesetError([too_deep(path)], text) from None
    try:
        return _ToAst(path).transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, _SourceProblem):
            raise RulesetError([err.orig_exc.diagnostic], text) from None
        raise err.orig_exc from None  # pragma: no cover - a transformer bug, not a user error


def too_deep(path: str) -> Diagnostic:
    """The error for a file nested beyond what the tools can follow."""
    return Diagnostic("error", "expression nested too deeply", Span(path, 1, 1, 1, 2))
