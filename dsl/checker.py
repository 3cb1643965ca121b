"""Syntax tree to checked ``Ruleset``: resolve every name, check every type.

The checker keeps going after an error so that an author sees every problem
of a file in one run. A subexpression that failed to check becomes ``None``
and its parents stay quiet about it, so one mistake gives one message.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable, Iterable, TypeVar

from dsl import ast
from dsl import model as m
from dsl.errors import Diagnostic, RulesetError
from dsl.optional import unguarded
from dsl.grading import DEFAULT as DEFAULT_GRADING, SHIPPED as SHIPPED_GRADINGS, GradingScheme
from dsl.span import Span
from dsl.table_check import check_table, rule_ids

_NUMERIC_OPS = ("<", "<=", ">", ">=")
_EQUALITY_OPS = ("==", "!=")

# What the duplicate-name messages call each kind of declaration.
_DECL_WORDS = {
    ast.SourceDecl: "source", ast.InputDecl: "input", ast.DefineDecl: "definition",
    ast.PhaseDecl: "phase", ast.ActionDecl: "action", ast.GroupDecl: "action group",
    ast.ConstraintDecl: "constraint", ast.RuleDecl: "rule", ast.PropertyDecl: "property",
    ast.CoverageDecl: "coverage", ast.TableDecl: "table",
}


def _varies(e: m.Expr) -> bool:
    """True when ``e`` mentions an input or a definition (it is not a constant)."""
    return any(isinstance(n, (m.InputRef, m.DefRef)) for n in m.walk(e))


def _did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """"; did you mean 'x'?" for a likely typo (or a shortened name), else nothing."""
    pool = sorted(set(candidates) - {name})
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.7)
    if not close and len(name) >= 3:
        close = [c for c in pool if c.startswith(name) or name.startswith(c) and len(c) >= 3][:1]
    return f"; did you mean '{close[0]}'?" if close else ""


def _fraction(text: str) -> Fraction:
    return Fraction(text)


class _Checker:
    def __init__(self, tree: ast.RulesFile) -> None:
        self.scheme: GradingScheme | None = DEFAULT_GRADING  # set by run() from the grading declaration
        self.tree = tree
        self.diags: list[Diagnostic] = []
        # Declarations by name, first one wins; duplicates are reported.
        self.sources: dict[str, ast.SourceDecl] = {}
        self.inputs: dict[str, ast.InputDecl] = {}
        self.defines: dict[str, ast.DefineDecl | ast.PhaseDecl] = {}
        self.actions: dict[str, ast.ActionDecl] = {}
        self.groups: dict[str, ast.GroupDecl] = {}
        self.constraints: dict[str, ast.ConstraintDecl] = {}
        self.rules: dict[str, tuple[ast.RuleDecl, str | None]] = {}
        self.properties: dict[str, ast.PropertyDecl] = {}
        self.coverages: dict[str, ast.CoverageDecl] = {}
        # Results.
        self.input_types: dict[str, m.InputType] = {}
        self.checked_defs: dict[str, m.Definition | None] = {}
        self.def_order: list[m.Definition] = []
        self.visiting: list[str] = []
        self.group_sets: dict[str, tuple[str, ...] | None] = {}
        self.group_visiting: list[str] = []
        # Usage, for the "declared but never used" warnings.
        self.used_names: set[str] = set()
        self.used_actions: set[str] = set()
        self.used_sources: set[str] = set()
        self.used_groups: set[str] = set()
        self.optional_inputs: set[str] = set()  # issue 12
        # issue 14: decision tables, and the rules they stand for (None after an error).
        self.tables: dict[str, ast.TableDecl] = {}
        self.table_rules: dict[str, m.Rule | None] = {}
        self.table_records: list[m.Table] = []

    # ------------------------------------------------------------ reporting

    def error(self, span: Span, message: str) -> None:
        self.diags.append(Diagnostic("error", message, span))

    def warning(self, span: Span, message: str) -> None:
        self.diags.append(Diagnostic("warning", message, span))

    # ------------------------------------------------------------ collection

    def _declare(self, table: dict, key: ast.Ident, decl, what: str, value=None) -> None:
        if key.name in table:
            first = table[key.name]
            first = first[0] if isinstance(first, tuple) else first
            where = f"line {first.span.line}"
            kind = _DECL_WORDS.get(type(first), what)
            if kind == what:
                self.error(key.span, f"duplicate {what} '{key.name}' (first declared at {where})")
            else:
                self.error(key.span, f"{what} '{key.name}' has the name of the {kind} declared at {where}")
            return
        table[key.name] = decl if value is None else value

    def collect(self) -> None:
        for d in self.tree.decls:
            if isinstance(d, ast.SourceDecl):
                self._declare(self.sources, d.id, d, "source")
            elif isinstance(d, ast.InputDecl):
                if d.name.name in self.defines:
                    self._declare(self.defines, d.name, d, "input")
                else:
                    self._declare(self.inputs, d.name, d, "input")
            elif isinstance(d, (ast.DefineDecl, ast.PhaseDecl)):
                what = "phase" if isinstance(d, ast.PhaseDecl) else "definition"
                if d.name.name in self.inputs:
                    self._declare(self.inputs, d.name, d, what)
                else:
                    self._declare(self.defines, d.name, d, what)
                if isinstance(d, ast.PhaseDecl):
                    for r in d.rules:
                        self._declare(self.rules, r.id, r, "rule", (r, d.name.name))
            elif isinstance(d, ast.ActionDecl):
                if d.id.name in self.groups:
                    self._declare(self.groups, d.id, d, "action")
                else:
                    self._declare(self.actions, d.id, d, "action")
            elif isinstance(d, ast.GroupDecl):
                if d.name.name in self.actions:
                    self._declare(self.actions, d.name, d, "action group")
                else:
                    self._declare(self.groups, d.name, d, "action group")
            elif isinstance(d, ast.ConstraintDecl):
                self._declare(self.constraints, d.id, d, "constraint")
            elif isinstance(d, ast.RuleDecl):
                self._declare(self.rules, d.id, d, "rule", (d, None))
            elif isinstance(d, ast.PropertyDecl):
                self._declare(self.properties, d.id, d, "property")
            elif isinstance(d, ast.CoverageDecl):
                self._declare(self.coverages, d.id, d, "coverage")
            elif isinstance(d, ast.TableDecl):  # issue 14
                self._declare(self.tables, d.name, d, "table")
                for rid, span in rule_ids(d):
                    self._declare(self.rules, ast.Ident(rid, span), d, "rule", (d, None))

    def add_table_definition(self, d: m.Definition, table: ast.TableDecl) -> None:
        """A definition a table stands for (``dsl.table_check``), checked already."""
        taken = self.defines.get(d.name) or self.inputs.get(d.name)
        if taken is not None:
            kind = _DECL_WORDS.get(type(taken), "definition")
            self.error(table.name.span, f"table {table.name.name} defines '{d.name}', the name of the {kind} "
                                        f"declared at line {taken.span.line}")
            return
        self.defines[d.name] = table  # type: ignore[assignment]
        self.checked_defs[d.name] = d
        self.def_order.append(d)

    # ------------------------------------------------------------ inputs

    def check_input(self, d: ast.InputDecl) -> m.Input | None:
        t = d.type
        typ: m.InputType | None
        if t.kind == "bool":
            typ = m.BOOL
        elif t.kind == "enum":
            seen: set[str] = set()
            for v in t.values:
                if v.name in seen:
                    self.error(v.span, f"duplicate value '{v.name}' in enum input '{d.name.name}'")
                seen.add(v.name)
            typ = m.EnumType(d.name.name, tuple(dict.fromkeys(v.name for v in t.values)))
        else:
            assert t.lo is not None and t.hi is not None
            lo, hi = _fraction(t.lo.text), _fraction(t.hi.text)
            ok = True
            if t.kind == "int":
                for bound, val in ((t.lo, lo), (t.hi, hi)):
                    if val.denominator != 1:
                        self.error(bound.span, f"bound {bound.text} of int input '{d.name.name}' is not a whole number")
                        ok = False
            if lo > hi:
                self.error(t.lo.span, f"range of '{d.name.name}' is empty: minimum {t.lo.text} exceeds maximum {t.hi.text}")
                ok = False
            if not ok:
                typ = None
            elif t.kind == "int":
                typ = m.IntType(int(lo), int(hi))
            else:
                typ = m.RealType(lo, hi)
        if typ is None:
            return None
        self.input_types[d.name.name] = typ
        if d.optional:
            self.optional_inputs.add(d.name.name)
        return m.Input(d.name.name, typ, d.unit, d.doc, d.span, optional=d.optional)

    # ------------------------------------------------------------ definitions

    def check_definitions(self) -> None:
        """Check every definition after the ones it uses, reporting cycles.

        The order is found without recursion, so a long chain of definitions
        cannot exhaust Python's stack.
        """
        names = list(self.defines)
        order, cycles = _dependency_order(names, lambda n: self._def_deps(n))
        cyclic: set[str] = set()
        for cycle in cycles:
            if cyclic.intersection(cycle):
                continue  # one message per tangle of definitions
            decl = self.defines[cycle[0]]
            self.error(decl.name.span, "cyclic definition: " + " -> ".join(cycle))
            cyclic.update(cycle)
        for n in cyclic:
            self.checked_defs[n] = None
        for n in order:
            self.definition(n)

    def _def_deps(self, name: str) -> list[str]:
        """The definitions (and phases) named in the condition of ``name``, in text order."""
        decl = self.defines[name]
        if isinstance(decl, ast.TableDecl):  # checked with its table; reads inputs only
            return []
        raw = decl.when if isinstance(decl, ast.PhaseDecl) else decl.expr
        names = [n.name for n in _raw_names(raw)]
        self.used_names.update(names)  # used, even if a cycle stops the check
        return [n for n in names if n in self.defines and n not in self.inputs]

    def definition(self, name: str) -> m.Definition | None:
        """The checked definition ``name``; its dependencies are checked first (see ``check_definitions``)."""
        if name in self.checked_defs:
            return self.checked_defs[name]
        decl = self.defines[name]
        if name in self.visiting:  # pragma: no cover - cycles are found before checking
            self.checked_defs[name] = None
            return None
        self.visiting.append(name)
        expr = decl.when if isinstance(decl, ast.PhaseDecl) else decl.expr
        checked = self.top_expr(expr, allow_status=False)
        self.visiting.pop()
        result: m.Definition | None = None
        if checked is not None:
            e, typ = checked
            if isinstance(decl, ast.PhaseDecl) and typ != m.BOOL:
                self.error(decl.when.span, f"the condition of phase '{name}' must be a condition (bool), not {_type_word(typ)}")
            elif isinstance(typ, m.EnumType):
                self.error(expr.span, f"definition '{name}' must be a condition (bool) or a number, not {_type_word(typ)}")
            else:
                doc = decl.label if isinstance(decl, ast.PhaseDecl) else decl.doc
                result = m.Definition(name, e, typ, doc, isinstance(decl, ast.PhaseDecl), decl.span)
                self.def_order.append(result)
        self.checked_defs[name] = result
        return result

    # ------------------------------------------------------------ expressions

    def too_deep(self, raw: ast.RawExpr | ast.RawActionSet, what: str) -> bool:
        """Report (and return True) when ``raw`` nests deeper than the checker follows."""
        span = _nesting_beyond(raw, MAX_NESTING)
        if span is None:
            return False
        self.error(span, f"{what} nested too deeply (more than {MAX_NESTING} levels)")
        return True

    def top_expr(self, raw: ast.RawExpr, allow_status: bool) -> tuple[m.Expr, m.ExprType] | None:
        """A whole expression of a declaration: its nesting is bounded, then it is checked."""
        if self.too_deep(raw, "expression"):
            return None
        return self.expr(raw, allow_status)

    def top_bool(self, raw: ast.RawExpr, allow_status: bool, what: str) -> m.Expr | None:
        if self.too_deep(raw, "expression"):
            return None
        return self.bool_expr(raw, allow_status, what)

    def bool_expr(self, raw: ast.RawExpr, allow_status: bool, what: str) -> m.Expr | None:
        checked = self.expr(raw, allow_status)
        if checked is None:
            return None
        e, typ = checked
        if typ != m.BOOL:
            self.error(raw.span, f"{what} must be a condition (bool), not {_type_word(typ)}")
            return None
        return e

    def expr(self, raw: ast.RawExpr, allow_status: bool) -> tuple[m.Expr, m.ExprType] | None:
        """Check one expression; ``None`` means an error was already reported."""
        if isinstance(raw, ast.Boolean):
            return m.BoolLit(raw.value, raw.span), m.BOOL
        if isinstance(raw, ast.Number):
            integral = "." not in raw.text
            return m.NumLit(_fraction(raw.text), integral, raw.span), m.NumType(integral)
        if isinstance(raw, ast.Name):
            return self.name(raw)
        if isinstance(raw, ast.Status):
            if not allow_status:
                self.error(raw.span, f"{raw.status}(...) describes a decision; it can only be used in a property")
                for ref in _set_names(raw.actions):  # named, so not "unused" on top of this error
                    (self.used_actions if ref.name in self.actions else self.used_groups).add(ref.name)
                return None
            actions = self.action_set(raw.actions)
            if actions is None:
                return None
            return m.ActionStatus(raw.status, actions, raw.span), m.BOOL
        if isinstance(raw, (ast.CategoryTest, ast.AlternativesTest)):
            return self.decision_test(raw, allow_status)
        if isinstance(raw, ast.Unary):
            inner = self.expr(raw.arg, allow_status)
            if inner is None:
                return None
            e, typ = inner
            if raw.op == "not":
                if typ != m.BOOL:
                    self.error(raw.arg.span, f"'not' needs a condition (bool), not {_type_word(typ)}")
                    return None
                return m.Not(e, raw.span), m.BOOL
            if not isinstance(typ, m.NumType):
                self.error(raw.arg.span, f"'-' needs a number, not {_type_word(typ)}")
                return None
            return m.Neg(e, typ.integral, raw.span), typ
        if isinstance(raw, ast.Membership):
            return self.membership(raw, allow_status)
        if isinstance(raw, ast.Conditional):  # issue 12
            return self.conditional(raw, allow_status)
        if isinstance(raw, ast.Points):
            return self.points(raw, allow_status)
        if isinstance(raw, ast.Call):
            return self.call(raw, allow_status)
        if isinstance(raw, ast.Known):
            return self.known(raw)
        assert isinstance(raw, ast.Binary)
        return self.binary(raw, allow_status)

    def name(self, raw: ast.Name) -> tuple[m.Expr, m.ExprType] | None:
        n = raw.name
        self.used_names.add(n)
        if n in self.input_types:
            typ = m.expr_type_of(self.input_types[n])
            return m.InputRef(n, typ, raw.span), typ
        if n in self.inputs:  # declared, but its declaration had an error
            return None
        if n in self.defines:
            d = self.definition(n)
            if d is None:
                return None
            return m.DefRef(n, d.type, raw.span), d.type
        values = {v for t in self.input_types.values() if isinstance(t, m.EnumType) for v in t.values}
        if n in values:
            owners = sorted(t.name for t in self.input_types.values() if isinstance(t, m.EnumType) and n in t.values)
            self.error(raw.span, f"'{n}' is a value of {', '.join(owners)}; compare it, e.g. {owners[0]} == {n}")
            return None
        # Not the definition being checked: suggesting it would make a cycle.
        hint = _did_you_mean(n, [x for x in list(self.inputs) + list(self.defines) if x not in self.visiting])
        self.error(raw.span, f"unknown name '{n}'{hint}")
        return None

    def enum_value(self, raw: ast.RawExpr, enum: m.EnumType) -> m.EnumLit | None | bool:
        """``raw`` read as a value of ``enum``: an EnumLit, None (error reported) or False (not a bare name)."""
        if not isinstance(raw, ast.Name):
            return False
        if raw.name in enum.values:
            return m.EnumLit(enum.name, raw.name, raw.span)
        if raw.name in self.inputs or raw.name in self.defines:
            return False
        hint = _did_you_mean(raw.name, enum.values)
        self.error(raw.span, f"'{raw.name}' is not a value of {enum.name} (values: {', '.join(enum.values)}){hint}")
        return None

    def membership(self, raw: ast.Membership, allow_status: bool) -> tuple[m.Expr, m.ExprType] | None:
        subject = self.expr(raw.subject, allow_status)
        if subject is None:
            return None
        e, typ = subject
        if not isinstance(typ, m.EnumType):
            word = "not in" if raw.negated else "in"
            self.error(raw.subject.span, f"'{word}' needs an enum input on the left, not {_type_word(typ)}")
            return None
        ok = True
        for v in raw.values:
            if v.name not in typ.values:
                hint = _did_you_mean(v.name, typ.values)
                self.error(v.span, f"'{v.name}' is not a value of {typ.name} (values: {', '.join(typ.values)}){hint}")
                ok = False
        if not ok:
            return None
        values = tuple(v for v in typ.values if v in {x.name for x in raw.values})
        return m.InSet(e, values, raw.negated, raw.span), m.BOOL

    def binary(self, raw: ast.Binary, allow_status: bool) -> tuple[m.Expr, m.ExprType] | None:
        op = raw.op
        if op in ("and", "or"):
            # A chain ``a and b and c`` (however bracketed) is one n-ary node;
            # walk it with a stack so a long chain cannot exhaust the stack.
            operands = [self.bool_operand(x, allow_status, op) for x in _chain(raw)]
            if any(x is None for x in operands):
                return None
            node = m.And if op == "and" else m.Or
            return node(tuple(operands), raw.span), m.BOOL  # type: ignore[arg-type]
        if op in ("implies", "iff"):
            left = self.bool_operand(raw.left, allow_status, op)
            right = self.bool_operand(raw.right, allow_status, op)
            if left is None or right is None:
                return None
            if op == "implies":
                return m.Implies(left, right, raw.span), m.BOOL
            return m.Iff(left, right, raw.span), m.BOOL
        if op in _EQUALITY_OPS:
            return self.equality(raw, allow_status)
        # Check the left side first: when it is not a number (``grade > G1``)
        # that is the mistake to report, not the enum value on the right.
        left_t = self.expr(raw.left, allow_status)
        if left_t is not None and not isinstance(left_t[1], m.NumType):
            self.error(raw.left.span, f"'{op}' needs numbers, not {_type_word(left_t[1])}")
            return None
        right_t = self.expr(raw.right, allow_status)
        if left_t is None or right_t is None:
            return None
        (le, lt), (re_, rt) = left_t, right_t
        if not isinstance(rt, m.NumType):
            self.error(raw.right.span, f"'{op}' needs numbers, not {_type_word(rt)}")
            return None
        assert isinstance(lt, m.NumType) and isinstance(rt, m.NumType)
        if op in _NUMERIC_OPS:
            return m.Compare(op, le, re_, raw.span), m.BOOL
        integral = lt.integral and rt.integral
        if op == "*" and not integral and _varies(le) and _varies(re_):
            # Issue 10 (D8): records are finite decimals. A product of two
            # varying reals makes the solver reason over irrationals (v * v == 2
            # holds at v = sqrt 2, which no record can be), so its verdicts
            # would not be about records. Linear real arithmetic has rational
            # answers only, and int * int integer ones.
            self.error(raw.span, "a product of two varying reals is not supported (records are finite "
                                 "decimals; the solver would answer over irrationals); multiply by a number")
            return None
        return m.Arith(op, le, re_, integral, raw.span), m.NumType(integral)

    # -- issue 12: conditional expression, score tables, min/max

    def _bare_value(self, raw: ast.RawExpr) -> bool:
        """A bare name that is neither an input nor a definition (so maybe an enum value)."""
        return isinstance(raw, ast.Name) and raw.name not in self.inputs and raw.name not in self.defines

    def conditional(self, raw: ast.Conditional, allow_status: bool) -> tuple[m.Expr, m.ExprType] | None:
        cond = self.bool_expr(raw.cond, allow_status, "the condition of 'if'")
        # As in ``==``: a bare enum value takes its enum from the other branch.
        then_bare = self._bare_value(raw.then)
        first, second = (raw.else_, raw.then) if then_bare else (raw.then, raw.else_)
        first_t = self.expr(first, allow_status)
        if first_t is None:
            return None
        fe, ft = first_t
        second_t: tuple[m.Expr, m.ExprType] | None
        lit = self.enum_value(second, ft) if isinstance(ft, m.EnumType) else False
        if lit is None:
            return None
        second_t = (lit, ft) if lit is not False else self.expr(second, allow_status)  # type: ignore[assignment]
        if second_t is None or cond is None:
            return None
        se, st = second_t
        if isinstance(ft, m.NumType) and isinstance(st, m.NumType):
            typ: m.ExprType = m.NumType(ft.integral and st.integral)
        elif ft == st:
            typ = ft
        else:
            self.error(raw.span, f"the branches of 'if' must have the same type, not {_type_word(ft)} and {_type_word(st)}")
            return None
        then_e, else_e = (se, fe) if then_bare else (fe, se)
        return m.Ite(cond, then_e, else_e, typ, raw.span), typ

    def known(self, raw: ast.Known) -> tuple[m.Expr, m.ExprType] | None:
        n = raw.name.name
        self.used_names.add(n)
        if n in self.optional_inputs:
            return m.Known(n, raw.span), m.BOOL
        if n in self.inputs:
            if n in self.input_types:
                self.error(raw.name.span, f"input '{n}' is not optional, so it is always known; "
                                          f"declare it 'input {n}: optional ...' if records may lack it")
            return None
        hint = _did_you_mean(n, sorted(self.optional_inputs))
        self.error(raw.name.span, f"known(...) takes an optional input, and '{n}' is not an input{hint}")
        return None

    def points(self, raw: ast.Points, allow_status: bool) -> tuple[m.Expr, m.ExprType] | None:
        conds = [self.bool_expr(t.cond, allow_status, "each line of 'points'") for t in raw.terms]
        if any(c is None for c in conds):
            return None
        weights = tuple(_fraction(t.weight.text) for t in raw.terms)
        integral = all("." not in t.weight.text for t in raw.terms)
        return m.Points(tuple(conds), weights, integral, raw.span), m.NumType(integral)  # type: ignore[arg-type]

    def call(self, raw: ast.Call, allow_status: bool) -> tuple[m.Expr, m.ExprType] | None:
        fn = raw.function.name
        if fn not in ("min", "max"):
            hint = _did_you_mean(fn, ("min", "max"))
            self.error(raw.function.span, f"unknown function '{fn}' (functions: min, max){hint}")
            return None
        args = [self.expr(a, allow_status) for a in raw.args]
        if any(a is None for a in args):
            return None
        ok = True
        for a, checked in zip(raw.args, args):
            assert checked is not None
            if not isinstance(checked[1], m.NumType):
                self.error(a.span, f"'{fn}' needs numbers, not {_type_word(checked[1])}")
                ok = False
        if ok and len(args) < 2:
            self.error(raw.span, f"'{fn}' needs at least two numbers")
            ok = False
        if not ok:
            return None
        integral = all(t.integral for _, t in args)  # type: ignore[union-attr,misc]
        return m.MinMax(fn, tuple(e for e, _ in args), integral, raw.span), m.NumType(integral)  # type: ignore[misc]

    def bool_operand(self, raw: ast.RawExpr, allow_status: bool, op: str) -> m.Expr | None:
        return self.bool_expr(raw, allow_status, f"each side of '{op}'")

    def equality(self, raw: ast.Binary, allow_status: bool) -> tuple[m.Expr, m.ExprType] | None:
        # A bare name on one side of an enum comparison is read as a value of
        # that enum, so check the side that is not a bare value first.
        left_is_value = isinstance(raw.left, ast.Name) and raw.left.name not in self.inputs and raw.left.name not in self.defines
        first, second = (raw.right, raw.left) if left_is_value else (raw.left, raw.right)
        first_t = self.expr(first, allow_status)
        if first_t is None:
            return None
        fe, ft = first_t
        if isinstance(ft, m.EnumType):
            lit = self.enum_value(second, ft)
            if lit is None:
                return None
            if lit is not False:
                assert isinstance(lit, m.EnumLit)
                pair = (lit, fe) if left_is_value else (fe, lit)
                return m.Compare(raw.op, pair[0], pair[1], raw.span), m.BOOL
        second_t = self.expr(second, allow_status)
        if second_t is None:
            return None
        se, st = second_t
        if isinstance(ft, m.NumType) and isinstance(st, m.NumType):
            pass
        elif ft != st:
            self.error(raw.span, f"cannot compare {_type_word(ft)} with {_type_word(st)}")
            return None
        le, re_ = (se, fe) if left_is_value else (fe, se)
        return m.Compare(raw.op, le, re_, raw.span), m.BOOL

    # ------------------------------------------------------------ category and alternatives of a decision

    def decision_test(self, raw: ast.CategoryTest | ast.AlternativesTest,
                      allow_status: bool) -> tuple[m.Expr, m.ExprType] | None:
        """``category(A) == LIT`` / ``in {...}`` and ``alternatives(A, B)``: properties only."""
        idents = (raw.action,) if isinstance(raw, ast.CategoryTest) else (raw.left, raw.right)
        word = "category" if isinstance(raw, ast.CategoryTest) else "alternatives"
        if not allow_status:
            self.error(raw.span, f"{word}(...) describes a decision; it can only be used in a property")
            for ident in idents:
                (self.used_actions if ident.name in self.actions else self.used_groups).add(ident.name)
            return None
        ids = [self.action_ref(i) for i in idents]
        if any(i is None for i in ids):
            return None
        if isinstance(raw, ast.AlternativesTest):
            if ids[0] == ids[1]:
                self.error(raw.span, f"alternatives({ids[0]}, {ids[1]}): an action is never its own alternative")
                return None
            return m.Alternatives(ids[0], ids[1], raw.span), m.BOOL  # type: ignore[arg-type]
        if raw.op not in ("==", "!=", "in", "not in"):
            self.error(raw.span, f"a category is compared with ==, != or in {{...}}, not {raw.op}: categories "
                                 f"name levels of evidence, not numbers")
            return None
        # The levels of the ruleset's grading scheme, strongest first (NCCN's unless it declares another).
        grading = self.scheme
        if grading is None:
            return None  # the grading declaration has an error of its own
        scheme = grading.levels
        bad = [c for c in raw.categories if c.name not in scheme]
        for c in bad:
            self.error(c.span, f"unknown evidence category '{c.name}' (the levels of grading {grading.name} "
                               f"are {', '.join(scheme)})")
        if bad:
            return None
        chosen = tuple(c for c in scheme if c in {x.name for x in raw.categories})
        return m.ActionCategory(ids[0], chosen, raw.op in ("!=", "not in"), raw.span), m.BOOL  # type: ignore[arg-type]

    # ------------------------------------------------------------ action sets

    def action_ref(self, ident: ast.Ident) -> str | None:
        if ident.name in self.actions:
            self.used_actions.add(ident.name)
            return ident.name
        if ident.name in self.groups:
            self.used_groups.add(ident.name)
            self.error(ident.span, f"'{ident.name}' is an action group; a rule gives single actions "
                                   f"(list them, e.g. one of {{...}})")
            return None
        hint = _did_you_mean(ident.name, self.actions)
        self.error(ident.span, f"action '{ident.name}' is used but never declared{hint}")
        return None

    def top_action_set(self, raw: ast.RawActionSet) -> tuple[str, ...] | None:
        if self.too_deep(raw, "action set"):
            return None
        return self.action_set(raw)

    def action_set(self, raw: ast.RawActionSet) -> tuple[str, ...] | None:
        ids = self._action_set(raw)
        if ids is None:
            return None
        return tuple(sorted(ids))

    def _action_set(self, raw: ast.RawActionSet) -> set[str] | None:
        if isinstance(raw, ast.SetAny):
            return set(self.actions)
        if isinstance(raw, ast.SetKind):
            found = {a for a, d in self.actions.items() if d.kind.name == raw.kind}
            if not found:
                kinds = {d.kind.name for d in self.actions.values()}
                self.error(raw.span, f"no action is of kind '{raw.kind}'{_did_you_mean(raw.kind, kinds)}")
                return None
            return found
        if isinstance(raw, ast.SetName):
            if raw.name in self.actions:
                self.used_actions.add(raw.name)
                return {raw.name}
            if raw.name in self.groups:
                self.used_groups.add(raw.name)
                group = self.group(raw.name)
                return set(group) if group is not None else None
            hint = _did_you_mean(raw.name, list(self.actions) + list(self.groups))
            self.error(raw.span, f"action '{raw.name}' is used but never declared{hint}")
            return None
        if isinstance(raw, ast.SetUnion):
            listed: set[str] = set()
            for i in raw.items:
                if isinstance(i, ast.SetName):
                    if i.name in listed:
                        self.warning(i.span, f"'{i.name}' is listed twice in this set")
                    listed.add(i.name)
            parts = [self._action_set(i) for i in raw.items]
            if any(p is None for p in parts):
                return None
            return set().union(*parts)  # type: ignore[arg-type]
        assert isinstance(raw, ast.SetExcept)
        base, minus = self._action_set(raw.base), self._action_set(raw.minus)
        if base is None or minus is None:
            return None
        return base - minus

    def check_groups(self) -> None:
        """Check every action group after the groups it names, reporting cycles."""
        order, cycles = _dependency_order(list(self.groups), self._group_deps)
        cyclic: set[str] = set()
        for cycle in cycles:
            if cyclic.intersection(cycle):
                continue
            self.error(self.groups[cycle[0]].name.span, "cyclic action group: " + " -> ".join(cycle))
            cyclic.update(cycle)
        for n in cyclic:
            self.group_sets[n] = None
        for n in order:
            self.group(n)

    def _group_deps(self, name: str) -> list[str]:
        names = [s.name for s in _set_names(self.groups[name].actions)]
        self.used_groups.update(n for n in names if n != name)
        return [n for n in names if n in self.groups and n not in self.actions]

    def group(self, name: str) -> tuple[str, ...] | None:
        if name in self.group_sets:
            return self.group_sets[name]
        decl = self.groups[name]
        if name in self.group_visiting:  # pragma: no cover - cycles are found before checking
            self.group_sets[name] = None
            return None
        self.group_visiting.append(name)
        ids = self.top_action_set(decl.actions)
        self.group_visiting.pop()
        self.group_sets.setdefault(name, ids)
        return self.group_sets[name]

    # ------------------------------------------------------------ rules

    def check_rule(self, r: ast.RuleDecl, phase: str | None) -> m.Rule | None:
        when = self.top_bool(r.when, False, f"the condition of rule '{r.id.name}'")
        gives: list[m.Give] = []
        ok = when is not None
        # Issue 10 (D18): a repeat inside a list is a slip that deduplication would hide.
        given_at: dict[str, Span] = {}
        for g in r.gives:
            for a in g.actions:
                first = given_at.get(a.name)
                if first is not None and first is not a.span and not any(x.span is first for x in g.actions):
                    self.error(a.span, f"rule '{r.id.name}' gives action '{a.name}' in two outcome lines "
                                       f"(first at line {first.line}); give each action once")
                    ok = False
                given_at.setdefault(a.name, a.span)
            cited: set[str] = set()
            for s in g.sources:
                if s.name in cited:
                    self.warning(s.span, f"source '{s.name}' is cited twice in the same outcome")
                cited.add(s.name)
        for g in r.gives:
            actions = [self.action_ref(a) for a in g.actions]
            sources = []
            for s in g.sources:
                if s.name in self.sources:
                    self.used_sources.add(s.name)
                    sources.append(s.name)
                else:
                    hint = _did_you_mean(s.name, self.sources)
                    self.error(s.span, f"rule '{r.id.name}' cites unknown source '{s.name}'{hint}")
                    ok = False
            if any(a is None for a in actions):
                ok = False
                continue
            distinct = tuple(dict.fromkeys(a for a in actions if a is not None))
            if len(distinct) < len(actions):
                seen: set[str] = set()
                for a in g.actions:
                    if a.name in seen:
                        self.error(a.span, f"action '{a.name}' is listed twice in 'one of'")
                    seen.add(a.name)
                ok = False
            elif g.alternatives and len(distinct) < 2:
                self.error(g.span, "'one of' needs at least two different actions")
                ok = False
            gives.append(m.Give(g.strength, distinct, g.alternatives, g.category.name,
                                tuple(dict.fromkeys(sources)), g.span))
        if not ok or when is None:
            return None
        return m.Rule(r.id.name, r.title, phase, when, tuple(gives), r.rationale, r.span)

    # ------------------------------------------------------------ the whole file

    # -- issue 12: the grading scheme

    def check_grading(self) -> GradingScheme | None:
        """The ruleset's scheme (NCCN when none is declared); None after an error."""
        decls = [d for d in self.tree.decls if isinstance(d, ast.GradingDecl)]
        for extra in decls[1:]:
            self.error(extra.span, f"a ruleset has one grading scheme (first declared at line {decls[0].span.line})")
        if not decls:
            return DEFAULT_GRADING
        d = decls[0]
        name = d.name.name
        if not d.levels:
            if name in SHIPPED_GRADINGS:
                return SHIPPED_GRADINGS[name]
            hint = _did_you_mean(name, SHIPPED_GRADINGS)
            self.error(d.name.span, f"unknown grading scheme '{name}'{hint} (shipped: {', '.join(SHIPPED_GRADINGS)}; "
                                    f"or declare your own: grading {name} \"title\" levels {{strongest, ..., weakest}})")
            return None
        if name in SHIPPED_GRADINGS:
            self.error(d.name.span, f"grading scheme '{name}' is shipped; give your own scheme another name")
            return None
        seen: set[str] = set()
        for lv in d.levels:
            if lv.name in seen:
                self.error(lv.span, f"level '{lv.name}' is listed twice in grading {name}")
            seen.add(lv.name)
        levels = tuple(dict.fromkeys(lv.name for lv in d.levels))
        return GradingScheme(name, d.title or name, levels, levels)

    def check_optional_uses(self, inputs: list[m.Input], rules: list[m.Rule],
                            constraints: list[m.Constraint], properties: list[m.Property]) -> None:
        """Every read of an optional input's value must wait for known(...) (see dsl.optional)."""
        optional = frozenset(i.name for i in inputs if i.optional)
        if not optional:
            return
        defs = {d.name: d.expr for d in self.def_order}
        lookup = defs.get
        roots: list[m.Expr] = [d.expr for d in self.def_order]
        roots += [c.expr for c in constraints] + [p.expr for p in properties]
        # A rule is read with its phase: a phase that establishes known(x) guards its rules.
        roots += [r.condition for r in rules]
        seen: set[tuple[int, int]] = set()
        for root in roots:
            for ref in unguarded(root, optional, lookup):
                key = (ref.span.line, ref.span.col)
                if key in seen:
                    continue
                seen.add(key)
                self.error(ref.span, f"optional input '{ref.name}' may be unknown here; read it only where "
                                     f"known({ref.name}) holds, e.g. known({ref.name}) and ...")

    # -- issue 12: worked examples

    def _field_value(self, f: ast.FieldValue, where: str) -> tuple[bool, Any]:
        """(ok, value) of one field of a baseline or example, checked against its input."""
        n = f.name.name
        if n not in self.inputs:
            hint = _did_you_mean(n, self.inputs)
            self.error(f.name.span, f"'{n}' in {where} is not an input{hint}")
            return False, None
        t = self.input_types.get(n)
        if t is None:
            return False, None
        if f.kind == "null":
            if n not in self.optional_inputs:
                self.error(f.span, f"'{n}' is not optional, so it cannot be null in {where}")
                return False, None
            return True, None
        if isinstance(t, m.BoolType):
            if f.kind == "bool":
                return True, f.text == "true"
        elif isinstance(t, m.EnumType):
            if f.kind == "name" and f.text in t.values:
                return True, f.text
            if f.kind == "name":
                hint = _did_you_mean(f.text, t.values)
                self.error(f.span, f"'{f.text}' is not a value of {n} (values: {', '.join(t.values)}){hint}")
                return False, None
        elif f.kind == "number":
            v = _fraction(f.text)
            if isinstance(t, m.IntType) and v.denominator != 1:
                self.error(f.span, f"{n} is a whole number, not {f.text}")
                return False, None
            if not t.lo <= v <= t.hi:
                self.error(f.span, f"{n} = {f.text} is out of range [{t.lo}, {t.hi}]")
                return False, None
            return True, int(v) if v.denominator == 1 else Decimal(f.text)
        self.error(f.span, f"{n} needs {_input_type_word(t)}, not {f.text}")
        return False, None

    def _fields(self, fields: tuple[ast.FieldValue, ...], where: str) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        ok = True
        for f in fields:
            self.used_names.add(f.name.name)
            if f.name.name in out:
                self.error(f.name.span, f"'{f.name.name}' is given twice in {where}")
                ok = False
                continue
            good, value = self._field_value(f, where)
            if good:
                out[f.name.name] = value
            ok = ok and good
        return out if ok else None

    def check_examples(self, grading: GradingScheme | None) -> list[m.Example]:
        baselines: dict[str, dict[str, Any] | None] = {}
        for d in self.tree.decls:
            if isinstance(d, ast.BaselineDecl):
                if d.name.name in baselines:
                    self.error(d.name.span, f"duplicate baseline '{d.name.name}'")
                    continue
                baselines[d.name.name] = self._fields(d.fields, f"baseline {d.name.name}")
        out: list[m.Example] = []
        seen: set[str] = set()
        for d in self.tree.decls:
            if not isinstance(d, ast.ExampleDecl):
                continue
            eid = d.id.name
            if eid in seen:
                self.error(d.id.span, f"duplicate example '{eid}'")
                continue
            seen.add(eid)
            record: dict[str, Any] = {}
            ok = True
            if d.baseline is not None:
                if d.baseline.name not in baselines:
                    hint = _did_you_mean(d.baseline.name, baselines)
                    self.error(d.baseline.span, f"unknown baseline '{d.baseline.name}'{hint}")
                    ok = False
                elif baselines[d.baseline.name] is None:
                    ok = False
                else:
                    record.update(baselines[d.baseline.name] or {})
            own = self._fields(d.fields, f"example {eid}")
            if own is None:
                ok = False
            else:
                record.update(own)
            missing = [n for n in self.inputs if n not in record and n not in self.optional_inputs]
            if ok and missing:
                self.error(d.id.span, f"example {eid} gives no value for {', '.join(missing)} "
                                      "(give them in the example or in its baseline: from NAME)")
                ok = False
            expects: list[m.Expectation] = []
            for x in d.expects:
                for action, cat in x.items:
                    self.used_actions.add(action.name)
                    if action.name not in self.actions:
                        hint = _did_you_mean(action.name, self.actions)
                        self.error(action.span, f"unknown action '{action.name}'{hint}")
                        ok = False
                        continue
                    if cat is not None:
                        if x.status == "not_given":
                            self.error(cat.span, "an action expected 'not given' has no category")
                            ok = False
                            continue
                        if grading is not None and cat.name not in grading.levels:
                            self.error(cat.span, f"'{cat.name}' is not a level of grading {grading.name} "
                                                 f"(levels: {', '.join(grading.levels)})")
                            ok = False
                            continue
                    expects.append(m.Expectation(x.status, action.name, cat.name if cat else None, action.span))
            if ok:
                order = [n for n in self.inputs if n in record]
                out.append(m.Example(eid, d.title, tuple((n, record[n]) for n in order), tuple(expects), d.span))
        return out

    def check_categories(self, grading: GradingScheme) -> None:
        for r, _ in self.rules.values():
            if isinstance(r, ast.TableDecl):  # a table's category is checked with the table
                continue
            for g in r.gives:
                if g.category.name not in grading.levels:
                    hint = _did_you_mean(g.category.name, grading.levels)
                    self.error(g.category.span, f"'{g.category.name}' is not a level of grading {grading.name} "
                                                f"(levels: {', '.join(grading.levels)}){hint}")

    def run(self) -> m.Ruleset | None:
        self.collect()
        grading = self.check_grading()  # issue 12
        self.scheme = grading  # what category(...) in properties is checked against
        if grading is not None:
            self.check_categories(grading)
        inputs = [i for i in (self.check_input(d) for d in self.inputs.values()) if i is not None]
        for table in self.tables.values():  # issue 14: before the definitions that may read them
            check_table(self, table)
        self.check_definitions()
        sources = [m.Source(d.id.name, d.citation, d.year, d.url, d.span) for d in self.sources.values()]
        actions = [m.Action(d.id.name, d.kind.name, d.label, d.span) for d in self.actions.values()]
        self.check_groups()
        groups = []
        for name, d in self.groups.items():
            ids = self.group(name)
            if ids is not None:
                groups.append(m.ActionGroup(name, ids, d.span))
        constraints = []
        for cid, d in self.constraints.items():
            e = self.top_bool(d.expr, False, f"constraint {cid}")
            if e is not None:
                constraints.append(m.Constraint(cid, d.message, e, d.span))
        rules = []
        for rid, (r, ph) in self.rules.items():
            x = self.table_rules.get(rid) if isinstance(r, ast.TableDecl) else self.check_rule(r, ph)
            if x is not None:
                rules.append(x)
        conflicts = []
        conflict_at: dict[tuple[tuple[str, str], ...], Span] = {}
        for d in (x for x in self.tree.decls if isinstance(x, ast.ConflictDecl)):
            left, right = self.top_action_set(d.left), self.top_action_set(d.right)
            if left is None or right is None:
                continue
            pairs = sorted({tuple(sorted((a, b))) for a in left for b in right if a != b})
            if not pairs:
                self.error(d.span, "this conflict names no pair of different actions")
                continue
            earlier = conflict_at.setdefault(tuple(pairs), d.span)  # type: ignore[arg-type]
            if earlier is not d.span:
                self.warning(d.span, f"this conflict repeats the one at line {earlier.line}")
            conflicts.append(m.Conflict(tuple(pairs), d.span))  # type: ignore[arg-type]
        properties = []
        for pid, d in self.properties.items():
            e = self.top_bool(d.expr, True, f"property {pid}")
            if e is not None:
                properties.append(m.Property(pid, d.title, e, d.span))
        coverages = []
        for cid, d in self.coverages.items():
            ok = True
            listed: set[str] = set()
            for i in d.inputs:
                self.used_names.add(i.name)
                t = self.input_types.get(i.name)
                if i.name in listed:
                    self.error(i.span, f"input '{i.name}' is listed twice in coverage {cid}")
                    ok = False
                elif i.name in self.defines:
                    self.error(i.span, f"coverage is over enum or bool inputs; '{i.name}' is a definition")
                    ok = False
                elif i.name not in self.inputs:
                    self.error(i.span, f"unknown input '{i.name}'{_did_you_mean(i.name, self.inputs)}")
                    ok = False
                elif t is not None and not isinstance(t, (m.EnumType, m.BoolType)):
                    self.error(i.span, f"coverage is over enum or bool inputs; '{i.name}' is {_article(str(t))} {t} input")
                    ok = False
                listed.add(i.name)
            if ok:
                coverages.append(m.Coverage(cid, d.title, tuple(i.name for i in d.inputs), d.span))
        examples = self.check_examples(grading)  # issue 12
        # Pathways (issue 16): effects and journey properties, checked in their own module.
        from dsl.pathway_check import check_pathway_decls

        effects, pathways = check_pathway_decls(self)
        self.warn_unused()
        self.check_optional_uses(inputs, rules, constraints, properties)  # issue 12
        if any(x.severity == "error" for x in self.diags):
            return None
        return m.Ruleset(
            grading=grading or DEFAULT_GRADING,  # issue 12 (None only after an error)
            examples=tuple(examples),
            name=self.tree.header.name.name,
            version=self.tree.header.version,
            path=self.tree.path,
            sources=tuple(sources),
            inputs=tuple(inputs),
            definitions=tuple(self.def_order),
            actions=tuple(actions),
            groups=tuple(groups),
            constraints=tuple(constraints),
            rules=tuple(rules),
            conflicts=tuple(conflicts),
            properties=tuple(properties),
            coverages=tuple(coverages),
            effects=effects,
            pathways=pathways,
            tables=tuple(self.table_records),
        )

    def warn_unused(self) -> None:
        for name, d in self.inputs.items():
            if name not in self.used_names and isinstance(d, ast.InputDecl):
                self.warning(d.name.span, f"input '{name}' is declared but never used")
        for name, d in self.defines.items():
            if name not in self.used_names and isinstance(d, ast.DefineDecl):
                self.warning(d.name.span, f"definition '{name}' is declared but never used")
        for name, d in self.actions.items():
            if name not in self.used_actions and isinstance(d, ast.ActionDecl):
                self.warning(d.id.span, f"action '{name}' is declared but never given by a rule or named")
        for name, d in self.sources.items():
            if name not in self.used_sources:
                self.warning(d.id.span, f"source '{name}' is declared but never cited")
        for name, d in self.groups.items():
            if name not in self.used_groups and isinstance(d, ast.GroupDecl):
                self.warning(d.name.span, f"action group '{name}' is declared but never used")


# How deeply expressions and action sets may nest. A chain of one connective
# (``a and b and c ...``) counts as one level: it becomes one n-ary node.
# Real guidelines stay far below this; the limit keeps the checker (and every
# tool that walks the model recursively) clear of Python's recursion limit.
MAX_NESTING = 100


def _chain(raw: ast.Binary) -> list[ast.RawExpr]:
    """The operands of the chain of ``raw.op`` rooted at ``raw``, left to right.

    ``a and (b and c)`` as one n-ary node, so traces and MC/DC see every condition.
    """
    out: list[ast.RawExpr] = []
    stack: list[ast.RawExpr] = [raw]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Binary) and node.op == raw.op:
            stack.append(node.right)
            stack.append(node.left)
        else:
            out.append(node)
    return out


def _raw_children(node) -> tuple:
    """The direct children of a raw expression or action-set node."""
    if isinstance(node, ast.Binary):
        return (node.left, node.right)
    if isinstance(node, ast.Unary):
        return (node.arg,)
    if isinstance(node, ast.Membership):
        return (node.subject,)
    if isinstance(node, ast.Status):
        return (node.actions,)
    if isinstance(node, ast.Conditional):  # issue 12
        return (node.cond, node.then, node.else_)
    if isinstance(node, ast.Points):
        return tuple(t.cond for t in node.terms)
    if isinstance(node, ast.Call):
        return node.args
    if isinstance(node, ast.SetUnion):
        return node.items
    if isinstance(node, ast.SetExcept):
        return (node.base, node.minus)
    return ()


def _nesting_beyond(raw, limit: int) -> Span | None:
    """The span of the first node of ``raw`` nested more than ``limit`` deep, if any."""
    stack = [(raw, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return node.span
        for child in reversed(_raw_children(node)):
            same_chain = (
                isinstance(node, ast.Binary) and node.op in ("and", "or")
                and isinstance(child, ast.Binary) and child.op == node.op
            )
            stack.append((child, depth if same_chain else depth + 1))
    return None


N = TypeVar("N")


def _nodes_of(raw: ast.RawExpr | ast.RawActionSet, cls: type[N]) -> list[N]:
    """Every node of type ``cls`` in an expression or action set, in text order."""
    out: list[N] = []
    stack = [raw]
    while stack:
        node = stack.pop()
        if isinstance(node, cls):
            out.append(node)
        stack.extend(reversed(_raw_children(node)))
    return out


def _raw_names(raw: ast.RawExpr) -> list[ast.Name]:
    """Every name used in ``raw``, in text order."""
    return _nodes_of(raw, ast.Name)


def _set_names(raw: ast.RawActionSet) -> list[ast.SetName]:
    """Every name in an action set, in text order."""
    return _nodes_of(raw, ast.SetName)


def _dependency_order(
    names: list[str], deps: Callable[[str], list[str]]
) -> tuple[list[str], list[list[str]]]:
    """``names`` ordered so each follows its dependencies, and the cycles found.

    An iterative depth-first search in the order of ``names``; a cycle is
    reported as the path ``a -> b -> a`` starting from the name it closes on.
    """
    done: set[str] = set()
    on_path: dict[str, int] = {}
    order: list[str] = []
    cycles: list[list[str]] = []
    for root in names:
        if root in done:
            continue
        path = [root]
        on_path[root] = 0
        stack = [iter(deps(root))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                node = path.pop()
                del on_path[node]
                done.add(node)
                order.append(node)
            elif nxt in on_path:
                cycles.append(path[on_path[nxt]:] + [nxt])
            elif nxt not in done:
                on_path[nxt] = len(path)
                path.append(nxt)
                stack.append(iter(deps(nxt)))
    return order, cycles


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _input_type_word(t: m.InputType) -> str:
    if isinstance(t, m.BoolType):
        return "true or false"
    if isinstance(t, m.EnumType):
        return f"one of {', '.join(t.values)}"
    return "a number"


def _type_word(t: m.ExprType) -> str:
    if isinstance(t, m.EnumType):
        return f"a value of enum {t.name}"
    if isinstance(t, m.NumType):
        return "a number"
    return "a condition (bool)"


def check(tree: ast.RulesFile, text: str | None = None) -> tuple[m.Ruleset, list[Diagnostic]]:
    """Check a syntax tree. Returns the ruleset and its warnings, or raises ``RulesetError``."""
    c = _Checker(tree)
    try:
        ruleset = c.run()
    except RecursionError:  # pragma: no cover - nesting is bounded by MAX_NESTING
        c.diags.append(Diagnostic("error", "ruleset nested too deeply to check", Span(tree.path, 1, 1, 1, 2)))
        ruleset = None
    diags = sorted(c.diags, key=lambda d: (d.span.line, d.span.col, d.severity, d.message))
    if ruleset is None:
        raise RulesetError(diags, text)
    return ruleset, diags
