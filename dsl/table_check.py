"""Decision tables (issue 14): checking a table and spelling it out as definitions and rules.

A table is sugar. Each data row becomes one rule ``<table>_r<k>`` whose
condition is the row's cells, and the hit policy becomes definitions over the
rows' conditions, exactly the shapes ``ruleproof import dmn`` writes longhand
(see ``verifier.dmn.translate``), so every tool reads a table as the rules it
stands for and the engine and the Z3 encoding keep one semantics:

* ``unique``: a row gives only when no other row matches. ``<t>__m<k>`` is
  row k's condition, ``<t>__multi`` "at least two rows match" (a linear chain
  ``<t>__multi_seen<k>`` / ``<t>__multi<k>``); row k fires on
  ``<t>__m<k> and not <t>__multi``. Two matching rows give nothing, which is
  DMN's null result for a broken UNIQUE table (and ``check`` reports the overlap).
* ``any``: rows that match together must give the same; ``<t>__out<j>`` is
  "a row giving the j-th distinct outcome matches", ``<t>__clash`` "two
  different outcomes match", and a row fires on ``<t>__m<k> and not <t>__clash``.
* ``first``: the first matching row in table order gives: ``<t>__before<k>``
  is "one of rows 1..k matches"; row k fires on ``<t>__m<k> and not <t>__before<k-1>``.
* ``collect``: every matching row gives; no definitions.

The cells are read here against their column's input, and checked model
nodes are built directly: going through the general expression checker
would cost a table of 10,000 rows seconds it does not need (a cell can only
be a comparison, a range or a membership, whose types are known from the column).
"""

from __future__ import annotations

import difflib
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from dsl import ast
from dsl import model as m
from dsl.span import Span
from dsl.table_rows import RowError, read_cell, read_gives, read_header, split_row

if TYPE_CHECKING:  # pragma: no cover
    from dsl.checker import _Checker

POLICIES = ("unique", "any", "first", "collect")
_LETTER = {"unique": "U", "any": "A", "first": "F", "collect": "C"}
# Far above a real table (a handful of ranges); each test is a disjunct every tool
# carries, so a hostile cell of 200,000 values would cost the checks minutes.
MAX_NUMBER_TESTS = 1000
_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=="}


def _hint(name: str, pool: Any) -> str:
    close = difflib.get_close_matches(name, sorted(set(pool)), n=1, cutoff=0.7)
    return f"; did you mean '{close[0]}'?" if close else ""


def rule_ids(decl: ast.TableDecl) -> list[tuple[str, Span]]:
    """The rules a table stands for, one per data row, with the row's place."""
    path = decl.span.path
    return [(f"{decl.name.name}_r{k}", Span(path, r.line, r.col, r.line, r.col + len(r.text)))
            for k, r in enumerate(decl.rows[1:], start=1)]


class _Table:
    """One table being checked: its columns, its rows' conditions and gives."""

    def __init__(self, c: "_Checker", decl: ast.TableDecl) -> None:
        self.c = c
        self.decl = decl
        self.path = decl.span.path
        self.ok = True
        self.fractions: dict[str, Fraction] = {}

    def error(self, row: ast.TableRow, offset: int, length: int, message: str) -> None:
        col = row.col + offset
        self.c.error(Span(self.path, row.line, col, row.line, col + max(1, length)), message)
        self.ok = False

    # -- columns

    def columns(self) -> list[tuple[str, m.InputType, m.InputRef]] | None:
        header = self.decl.rows[0]
        try:
            names = read_header(header.text, 0)
        except RowError as err:
            self.error(header, err.offset, err.length, err.message)
            return None
        out = []
        c = self.c
        for name, at in names:
            c.used_names.add(name)
            span = Span(self.path, header.line, header.col + at, header.line, header.col + at + len(name))
            if name not in c.inputs:
                what = "a definition" if name in c.defines else "not an input"
                self.error(header, at, len(name),
                           f"column '{name}' of table {self.decl.name.name} is {what} (a column reads an input)"
                           + ("" if name in c.defines else _hint(name, c.inputs)))
                continue
            typ = c.input_types.get(name)
            if typ is None:  # its declaration had an error, already reported
                self.ok = False
                continue
            if name in c.optional_inputs:
                self.error(header, at, len(name), f"column '{name}' is an optional input; a table reads inputs "
                                                  "every record gives (write rules with known(...) for it)")
                continue
            out.append((name, typ, m.InputRef(name, m.expr_type_of(typ), span)))
        return out if self.ok else None

    # -- cells

    def number(self, text: str) -> Fraction:
        v = self.fractions.get(text)
        if v is None:
            v = self.fractions[text] = Fraction(text)
        return v

    def cell(self, row: ast.TableRow, text: str, at: int,
             column: tuple[str, m.InputType, m.InputRef]) -> list[m.Expr] | None:
        """The conjuncts one cell adds to its row's condition ([] for '-'), or None after an error."""
        try:
            cell = read_cell(text, at)
        except RowError as err:
            self.error(row, err.offset, err.length, err.message)
            return None
        if cell is None:
            return []
        negated, tests, start, length = cell
        name, typ, ref = column
        span = Span(self.path, row.line, row.col + start, row.line, row.col + start + length)
        if isinstance(typ, (m.IntType, m.RealType)):
            if len(tests) > MAX_NUMBER_TESTS:
                self.error(row, start, length, f"this cell holds {len(tests)} tests; a number cell holds at most "
                                               f"{MAX_NUMBER_TESTS} (split the row, or group the values in ranges)")
                return None
            parts: list[m.Expr] = []
            for t in tests:
                if t[0] == "range":
                    _, lo, lo_closed, hi, hi_closed, _at = t
                    lo_v, hi_v = self.number(lo), self.number(hi)
                    if lo_v > hi_v or (lo_v == hi_v and not (lo_closed and hi_closed)):
                        self.c.warning(span, f"range {lo}..{hi} in column '{name}' holds no value")
                    parts.append(m.And((
                        m.Compare(">=" if lo_closed else ">", ref, m.NumLit(lo_v, "." not in lo, span), span),
                        m.Compare("<=" if hi_closed else "<", ref, m.NumLit(hi_v, "." not in hi, span), span),
                    ), span))
                elif t[0] == "cmp":
                    _, op, num, _at = t
                    parts.append(m.Compare(_OPS[op], ref, m.NumLit(self.number(num), "." not in num, span), span))
                else:
                    word, w_at = t[1], t[2]
                    self.error(row, w_at, len(word), f"column '{name}' is a number: a cell holds numbers, "
                                                     f"comparisons (< 5) or ranges ([0..10)), not '{word}'")
                    return None
            body: m.Expr = parts[0] if len(parts) == 1 else m.Or(tuple(parts), span)
            if negated:
                return [m.Not(body, span)]
            # A lone range joins the row's conjunction, as `(x >= a and x < b) and ...` would.
            return list(body.args) if isinstance(body, m.And) else [body]
        values: tuple
        if isinstance(typ, m.BoolType):
            values = (True, False)
            listed = set()
            for t in tests:
                if t[0] != "word" or t[1] not in ("true", "false"):
                    shown = t[1] if t[0] == "word" else t[2] if t[0] == "cmp" else "a range"
                    self.error(row, t[-1], len(str(shown)), f"column '{name}' is true or false: a cell is "
                                                            f"true, false or -, not {shown}")
                    return None
                listed.add(t[1] == "true")
        else:
            assert isinstance(typ, m.EnumType)
            values = typ.values
            listed = set()
            for t in tests:
                if t[0] != "word":
                    self.error(row, t[-1], 1, f"column '{name}' is an enum: a cell lists its values "
                                              f"({', '.join(typ.values)})")
                    return None
                if t[1] not in typ.values:
                    self.error(row, t[2], len(t[1]), f"'{t[1]}' is not a value of {name} "
                                                     f"(values: {', '.join(typ.values)}){_hint(t[1], typ.values)}")
                    return None
                listed.add(t[1])
        ok = [v for v in values if (v in listed) != negated]
        if len(ok) == len(values):
            return [m.BoolLit(True, span)]
        if not ok:
            return [m.BoolLit(False, span)]
        if isinstance(typ, m.BoolType):
            return [ref] if ok[0] is True else [m.Not(ref, span)]
        return [m.InSet(ref, tuple(ok), False, span)]

    # -- gives

    def gives(self, row: ast.TableRow, text: str, at: int, category: str,
              sources: tuple[str, ...]) -> tuple[m.Give, ...] | None:
        try:
            found = read_gives(text, at)
        except RowError as err:
            self.error(row, err.offset, err.length, err.message)
            return None
        out = []
        seen: set[str] = set()
        for strength, alternatives, actions, g_at, g_len, own_category, own_sources in found:
            span = Span(self.path, row.line, row.col + g_at, row.line, row.col + g_at + g_len)
            give_category, give_sources = category, sources
            if own_category is not None:
                level, l_at = own_category
                scheme = self.c.scheme
                if scheme is not None and level not in scheme.levels:
                    self.error(row, l_at, len(level), f"'{level}' is not a level of grading {scheme.name} "
                                                      f"(levels: {', '.join(scheme.levels)}){_hint(level, scheme.levels)}")
                    return None
                give_category = level
            if own_sources is not None:
                cited: list[str] = []
                for sid, s_at in own_sources:
                    if sid not in self.c.sources:
                        self.error(row, s_at, len(sid), f"this row cites unknown source '{sid}'{_hint(sid, self.c.sources)}")
                        return None
                    self.c.used_sources.add(sid)
                    if sid not in cited:
                        cited.append(sid)
                give_sources = tuple(cited)
            ids = []
            for name, n_at in actions:
                if name in seen:
                    self.error(row, n_at, len(name), f"this row gives action '{name}' twice; give each action once")
                    return None
                seen.add(name)
                ident = ast.Ident(name, Span(self.path, row.line, row.col + n_at, row.line, row.col + n_at + len(name)))
                a = self.c.action_ref(ident)
                if a is None:
                    self.ok = False
                    return None
                ids.append(a)
            if alternatives and len(ids) < 2:
                self.error(row, g_at, g_len, "'one of' needs at least two different actions")
                return None
            out.append(m.Give(strength, tuple(ids), alternatives, give_category, give_sources, span))
        return tuple(out)


def check_table(c: "_Checker", decl: ast.TableDecl) -> None:
    """Check ``decl``, then add the definitions it stands for to the checker and
    keep its rules in ``c.table_rules`` (None for each rule after an error)."""
    t = _Table(c, decl)
    rules = rule_ids(decl)
    for rid, _ in rules:
        c.table_rules[rid] = None
    name = decl.name.name
    policy = decl.policy.name
    if policy not in POLICIES:
        c.error(decl.policy.span, f"unknown hit policy '{policy}'{_hint(policy, POLICIES)} "
                                  f"(a table is {', '.join(POLICIES[:-1])} or {POLICIES[-1]})")
        t.ok = False
    if len(decl.rows) < 2:
        c.error(decl.name.span, f"table {name} has no rows: after the row naming its columns, "
                                "write one row a line: | cell | cell | ... | recommend ACTION")
        return
    category = decl.category.name
    if c.scheme is not None and category not in c.scheme.levels:
        c.error(decl.category.span, f"'{category}' is not a level of grading {c.scheme.name} "
                                    f"(levels: {', '.join(c.scheme.levels)}){_hint(category, c.scheme.levels)}")
        t.ok = False
    sources: list[str] = []
    for s in decl.sources:
        if s.name in c.sources:
            c.used_sources.add(s.name)
            if s.name not in sources:
                sources.append(s.name)
        else:
            c.error(s.span, f"table {name} cites unknown source '{s.name}'{_hint(s.name, c.sources)}")
            t.ok = False
    columns = t.columns()
    if columns is None or not t.ok:
        _mark_given(c, decl)
        return
    width = len(columns)
    src = tuple(sources)
    conds: list[tuple[m.Expr, ...] | None] = []
    gives: list[tuple[m.Give, ...] | None] = []
    for row in decl.rows[1:]:
        cells, (rest, rest_at) = split_row(row.text)
        if len(cells) != width:
            t.error(row, 0, len(row.text.rstrip()),
                    f"this row has {len(cells)} cell{'s' if len(cells) != 1 else ''}; table {name} has "
                    f"{width} column{'s' if width != 1 else ''} (cells are separated by '|', then what the row gives)")
            conds.append(None)
            gives.append(None)
            continue
        parts: list[m.Expr] = []
        good = True
        for (text, at), column in zip(cells, columns):
            got = t.cell(row, text, at, column)
            if got is None:
                good = False
            else:
                parts.extend(got)
        conds.append(tuple(parts) if good else None)
        gives.append(t.gives(row, rest, rest_at, category, src))
    if not t.ok or any(x is None for x in conds) or any(g is None for g in gives):
        return
    _spell_out(c, decl, policy, rules, conds, gives)  # type: ignore[arg-type]


def _mark_given(c: "_Checker", decl: ast.TableDecl) -> None:
    """The actions a table's rows name count as used even when the table has an error
    (the error is the message; "never given" warnings on top of it would be noise)."""
    for row in decl.rows[1:]:
        rest, at = split_row(row.text)[1]
        try:
            found = read_gives(rest, at)
        except RowError:
            continue
        for give in found:
            c.used_actions.update(name for name, _ in give[2])


def _spell_out(c: "_Checker", decl: ast.TableDecl, policy: str, rules: list[tuple[str, Span]],
               conds: list[tuple[m.Expr, ...]], gives: list[tuple[m.Give, ...]]) -> None:
    """The definitions and rules of a checked table (see the module docstring)."""
    name = decl.name.name
    here = decl.name.span
    bool_t = m.BOOL
    defs: list[m.Definition] = []

    def define(dname: str, expr: m.Expr, span: Span) -> m.DefRef:
        defs.append(m.Definition(dname, expr, bool_t, None, False, span))
        return m.DefRef(dname, bool_t, span)

    def whole(parts: tuple[m.Expr, ...], span: Span) -> m.Expr:
        if not parts:
            return m.BoolLit(True, span)
        return parts[0] if len(parts) == 1 else m.And(parts, span)

    def chain(refs: list[m.DefRef], kind: str) -> list[m.DefRef]:
        """Definitions ``<t>__<kind><k>``: one of refs[0..k-1] holds."""
        out: list[m.DefRef] = []
        prev: m.DefRef | None = None
        for k, r in enumerate(refs, start=1):
            prev = define(f"{name}__{kind}{k}", r if prev is None else m.Or((prev, r), here), here)
            out.append(prev)
        return out

    def at_least_two(refs: list[m.DefRef], kind: str) -> m.DefRef:
        seen = chain(refs[:-1], kind + "_seen")
        prev: m.DefRef | None = None
        for k in range(1, len(refs)):
            step = m.And((refs[k], seen[k - 1]), here)
            prev = define(f"{name}__{kind}{k + 1}", step if prev is None else m.Or((prev, step), here), here)
        return define(f"{name}__{kind}", prev if prev is not None else m.BoolLit(False, here), here)

    n = len(conds)
    guarded = policy in ("unique", "any", "first") and n > 1
    guards: list[m.DefRef | None] = [None] * n
    refs: list[m.DefRef] = []
    if guarded:
        refs = [define(f"{name}__m{k}", whole(p, s), s) for k, (p, (_, s)) in enumerate(zip(conds, rules), start=1)]
        if policy == "unique":
            multi = at_least_two(refs, "multi")
            guards = [multi] * n
        elif policy == "any":
            keyed: dict[tuple, list[m.DefRef]] = {}
            for g, r in zip(gives, refs):
                keyed.setdefault(tuple((x.strength, x.actions, x.alternatives) for x in g), []).append(r)
            if len(keyed) > 1:
                outs = [define(f"{name}__out{j}", rs[0] if len(rs) == 1 else m.Or(tuple(rs), here), here)
                        for j, rs in enumerate(keyed.values(), start=1)]
                clash = at_least_two(outs, "clash")
                guards = [clash] * n
        else:  # first
            guards = [None] + chain(refs[:-1], "before")  # type: ignore[operator]
    for d in defs:
        c.add_table_definition(d, decl)
    row_names = tuple(r.name for r in refs)
    row_set = set(row_names)
    c.table_records.append(m.Table(name, decl.title, policy, tuple(rid for rid, _ in rules), row_names,
                                   tuple(d.name for d in defs if d.name not in row_set), here))
    title = decl.title
    for k, ((rid, span), parts, g) in enumerate(zip(rules, conds, gives), start=1):
        guard = guards[k - 1]
        if guard is None:
            when = refs[k - 1] if guarded else whole(parts, span)
        elif parts:
            when = m.And((refs[k - 1], m.Not(guard, span)), span)
        else:
            when = m.Not(guard, span)
        c.table_rules[rid] = m.Rule(rid, f"{title}, row {k} ({_LETTER[policy]})", None, when, g, None, span)
