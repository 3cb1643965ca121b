"""Checked expressions back to rule-language text, for traces, graphs and reports.

The output parses back to the same expression (parentheses are added only
where precedence needs them), so what a reader sees is what the engine runs.
"""

from __future__ import annotations

from fractions import Fraction

from dsl import model as m

# Binding strength, loosest first; mirrors the grammar.
_PREC = {"if": 0, "iff": 1, "implies": 2, "or": 3, "and": 4, "not": 5, "cmp": 6, "+": 7, "-": 7, "*": 8, "neg": 9, "atom": 10}


def format_number(v: Fraction, integral: bool = False) -> str:
    """A Fraction as the decimal a rules file would hold (finite decimals only)."""
    if v.denominator == 1:
        return str(v.numerator)
    sign = "-" if v < 0 else ""
    v = abs(v)
    whole = v.numerator // v.denominator
    rest = v - whole
    digits = []
    for _ in range(40):  # literals in rules files are short finite decimals
        if rest == 0:
            break
        rest *= 10
        d = rest.numerator // rest.denominator
        digits.append(str(d))
        rest -= d
    return f"{sign}{whole}." + ("".join(digits) or "0")


def format_type(t: m.InputType) -> str:
    """An input type as the language writes it (``int [0, 4]``, ``enum {a, b}``)."""
    if isinstance(t, m.BoolType):
        return "bool"
    if isinstance(t, m.EnumType):
        return "enum {" + ", ".join(t.values) + "}"
    word = "int" if isinstance(t, m.IntType) else "real"
    return f"{word} [{format_number(t.lo)}, {format_number(t.hi)}]"


def _prec(e: m.Expr) -> int:
    if isinstance(e, m.Ite):  # issue 12: loosest of all, parenthesised inside any operator
        return _PREC["if"]
    if isinstance(e, m.Iff):
        return _PREC["iff"]
    if isinstance(e, m.Implies):
        return _PREC["implies"]
    if isinstance(e, m.Or):
        return _PREC["or"]
    if isinstance(e, m.And):
        return _PREC["and"]
    if isinstance(e, m.Not):
        return _PREC["not"]
    if isinstance(e, (m.Compare, m.InSet)):
        return _PREC["cmp"]
    if isinstance(e, m.Arith):
        return _PREC[e.op]
    if isinstance(e, m.Neg):
        return _PREC["neg"]
    return _PREC["atom"]


def _wrap(e: m.Expr, min_prec: int) -> str:
    text = format_expr(e)
    return f"({text})" if _prec(e) < min_prec else text


def format_expr(e: m.Expr) -> str:
    """Rule-language text of a checked expression."""
    if isinstance(e, m.BoolLit):
        return "true" if e.value else "false"
    if isinstance(e, m.NumLit):
        return format_number(e.value, e.integral)
    if isinstance(e, m.EnumLit):
        return e.value
    if isinstance(e, (m.InputRef, m.DefRef)):
        return e.name
    if isinstance(e, m.Not):
        return "not " + _wrap(e.arg, _PREC["not"])
    if isinstance(e, (m.And, m.Or)):
        word = " and " if isinstance(e, m.And) else " or "
        p = _prec(e)
        return word.join(_wrap(a, p + 1) for a in e.args)
    if isinstance(e, m.Implies):
        return f"{_wrap(e.left, _PREC['implies'] + 1)} implies {_wrap(e.right, _PREC['implies'])}"
    if isinstance(e, m.Iff):
        return f"{_wrap(e.left, _PREC['iff'] + 1)} iff {_wrap(e.right, _PREC['iff'] + 1)}"
    if isinstance(e, m.Compare):
        return f"{_wrap(e.left, _PREC['+'])} {e.op} {_wrap(e.right, _PREC['+'])}"
    if isinstance(e, m.InSet):
        word = "not in" if e.negated else "in"
        return f"{_wrap(e.subject, _PREC['+'])} {word} {{{', '.join(e.values)}}}"
    if isinstance(e, m.Arith):
        p = _PREC[e.op]
        return f"{_wrap(e.left, p)} {e.op} {_wrap(e.right, p + 1)}"
    if isinstance(e, m.Neg):
        return "-" + _wrap(e.arg, _PREC["neg"])
    # -- issue 12
    if isinstance(e, m.Ite):
        return f"if {format_expr(e.cond)} then {format_expr(e.then)} else {format_expr(e.else_)}"
    if isinstance(e, m.Points):
        lines = ", ".join(f"{format_expr(c)}: {format_number(w)}" for c, w in zip(e.conds, e.weights))
        return f"points {{{lines}}}"
    if isinstance(e, m.Known):
        return f"known({e.name})"
    if isinstance(e, m.MinMax):
        return f"{e.op}({', '.join(format_expr(a) for a in e.args)})"
    if isinstance(e, m.ActionStatus):
        inner = e.actions[0] if len(e.actions) == 1 else "{" + ", ".join(e.actions) + "}"
        return f"{e.status}({inner})"
    if isinstance(e, m.ActionCategory):
        if len(e.categories) == 1:
            return f"category({e.action}) {'!=' if e.negated else '=='} {e.categories[0]}"
        return f"category({e.action}) {'not in' if e.negated else 'in'} {{{', '.join(e.categories)}}}"
    if isinstance(e, m.Alternatives):
        return f"alternatives({e.left}, {e.right})"
    raise TypeError(f"not an expression: {e!r}")


def conjuncts(e: m.Expr) -> tuple[m.Expr, ...]:
    """The top-level conditions of ``e`` (its arguments if it is an ``and``)."""
    return e.args if isinstance(e, m.And) else (e,)


def interval_text(name: str, lo: Fraction, lo_closed: bool, hi: Fraction, hi_closed: bool,
                  from_min: bool, to_max: bool) -> str:
    """How a region's bound on input ``name`` reads: ``x = 5``, ``x < 5`` (from the
    input's minimum), ``x >= 5`` (to its maximum) or ``x in [2, 5)``."""
    f = format_number
    if lo == hi:
        return f"{name} = {f(lo)}"
    if from_min:
        return f"{name} {'<=' if hi_closed else '<'} {f(hi)}"
    if to_max:
        return f"{name} {'>=' if lo_closed else '>'} {f(lo)}"
    return f"{name} in {'[' if lo_closed else '('}{f(lo)}, {f(hi)}{']' if hi_closed else ')'}"
