"""Checked expressions to CQL: the CQL text and its ELM JSON from one walk.

No CQL-to-ELM translator is part of ruleproof (the reference one is Java),
so ELM is generated from the model directly, node by node beside the CQL
text it stands for; the two cannot drift apart. The ELM follows what the
reference translator emits for the same CQL: binary ``And``/``Or``,
``Not(Equal)`` for ``!=``, an explicit ``ToDecimal`` where an Integer meets
a Decimal, ``In`` over a ``List`` for set membership.

Decimal arithmetic is wrapped in ``Round(x, scale)`` where ``scale`` is the
exact result's number of decimal places (``faithful.Sizer``). In exact CQL
this is the identity; in an engine that computes with doubles (the reference
JavaScript engine does) it removes the rounding error of the operation, so
``0.1 + 0.2 = 0.3`` holds as it does in ruleproof.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from dsl import model as m
from verifier.fhir.faithful import Sizer, literal_scale

ELM_TYPES = "urn:hl7-org:elm-types:r1"

def elm_type(name: str) -> str:
    return "{" + ELM_TYPES + "}" + name


def input_cql_type(t: m.InputType) -> str:
    if isinstance(t, m.BoolType):
        return "Boolean"
    if isinstance(t, m.IntType):
        return "Integer"
    if isinstance(t, m.RealType):
        return "Decimal"
    return "String"


def expr_cql_type(t: m.ExprType) -> str:
    if isinstance(t, m.BoolType):
        return "Boolean"
    if isinstance(t, m.NumType):
        return "Integer" if t.integral else "Decimal"
    return "String"


def quote_identifier(name: str) -> str:
    """A CQL quoted identifier (names in rules files are plain, but quote anyway for safety)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_string(text: str) -> str:
    """A CQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def decimal_text(v: Fraction, scale: int) -> str:
    """``v`` written with exactly ``max(scale, 1)`` decimals (CQL Decimal literals have a point)."""
    scale = max(scale, 1)
    n = v * 10**scale
    assert n.denominator == 1, (v, scale)
    digits = str(abs(n.numerator)).rjust(scale + 1, "0")
    sign = "-" if v < 0 else ""
    return f"{sign}{digits[:-scale]}.{digits[-scale:]}"


@dataclass(frozen=True, slots=True)
class Code:
    """One expression in both forms."""

    cql: str
    elm: dict[str, Any]
    atomic: bool = False  # needs no parentheses inside a larger CQL expression

    def wrapped(self) -> str:
        return self.cql if self.atomic else f"({self.cql})"


def literal(type_name: str, value: str) -> dict[str, Any]:
    return {"type": "Literal", "valueType": elm_type(type_name), "value": value}


def _binary(elm: str, cql_op: str, a: Code, b: Code) -> Code:
    return Code(f"{a.wrapped()} {cql_op} {b.wrapped()}", {"type": elm, "operand": [a.elm, b.elm]})


def _not(a: Code) -> Code:
    return Code(f"not {a.wrapped()}", {"type": "Not", "operand": a.elm})


class Translator:
    """Translates the expressions of one (sized, faithful) ruleset."""

    def __init__(self, ruleset: m.Ruleset, sizer: Sizer) -> None:
        self.ruleset = ruleset
        self.sizer = sizer

    # ------------------------------------------------------------ booleans and enums

    def expr(self, e: m.Expr) -> Code:
        if isinstance(e, m.BoolLit):
            v = "true" if e.value else "false"
            return Code(v, literal("Boolean", v), atomic=True)
        if isinstance(e, m.EnumLit):
            return Code(quote_string(e.value), literal("String", e.value), atomic=True)
        if isinstance(e, m.InputRef):
            return Code(quote_identifier(e.name), {"type": "ParameterRef", "name": e.name}, atomic=True)
        if isinstance(e, m.DefRef):
            return Code(quote_identifier(e.name), {"type": "ExpressionRef", "name": e.name}, atomic=True)
        if isinstance(e, m.Not):
            return _not(self.expr(e.arg))
        if isinstance(e, (m.And, m.Or)):
            elm, word = ("And", "and") if isinstance(e, m.And) else ("Or", "or")
            parts = [self.expr(a) for a in e.args]
            acc = Code(parts[0].wrapped(), parts[0].elm)
            for nxt in parts[1:]:  # ELM And/Or are binary: fold from the left, as CQL reads `a and b and c`
                acc = Code(f"{acc.cql} {word} {nxt.wrapped()}", {"type": elm, "operand": [acc.elm, nxt.elm]})
            return acc
        if isinstance(e, m.Implies):
            return _binary("Implies", "implies", self.expr(e.left), self.expr(e.right))
        if isinstance(e, m.Iff):
            # CQL has no iff; on two non-null Booleans it is equality (every parameter is given).
            return _binary("Equal", "=", self.expr(e.left), self.expr(e.right))
        if isinstance(e, m.Compare):
            return self._compare(e)
        if isinstance(e, m.InSet):
            subject = self.expr(e.subject)
            items = [Code(quote_string(v), literal("String", v), atomic=True) for v in e.values]
            lst = Code("{ " + ", ".join(i.cql for i in items) + " }", {"type": "List", "element": [i.elm for i in items]},
                       atomic=True)
            inside = _binary("In", "in", subject, lst)
            return _not(inside) if e.negated else inside
        if isinstance(e, (m.NumLit, m.Arith, m.Neg)):
            return self.number(e, decimal=False)
        raise TypeError(f"no CQL form for {type(e).__name__}")  # ActionStatus: refused by faithful.size_ruleset

    def _compare(self, e: m.Compare) -> Code:
        numeric = _numeric(e.left) or _numeric(e.right)
        if numeric:
            dec = not (_integral(e.left) and _integral(e.right))
            a, b = self.number(e.left, dec), self.number(e.right, dec)
        else:
            a, b = self.expr(e.left), self.expr(e.right)
        if e.op == "!=":
            return _not(_binary("Equal", "=", a, b))
        elm, cql = {"==": ("Equal", "="), "<": ("Less", "<"), "<=": ("LessOrEqual", "<="),
                    ">": ("Greater", ">"), ">=": ("GreaterOrEqual", ">=")}[e.op]
        return _binary(elm, cql, a, b)

    # ------------------------------------------------------------ numbers

    def number(self, e: m.Expr, decimal: bool) -> Code:
        """Numeric ``e``; as a Decimal when ``decimal`` (an Integer is converted explicitly)."""
        code = self._number(e)
        if decimal and _integral(e):
            return Code(f"ToDecimal({code.cql})", {"type": "ToDecimal", "operand": code.elm}, atomic=True)
        return code

    def _number(self, e: m.Expr) -> Code:
        if isinstance(e, m.NumLit):
            if e.integral:
                v = str(e.value.numerator)
                return Code(v, literal("Integer", v), atomic=True)
            v = decimal_text(e.value, literal_scale(e.value))
            return Code(v, literal("Decimal", v), atomic=True)
        if isinstance(e, (m.InputRef, m.DefRef)):
            return self.expr(e)
        if isinstance(e, m.Neg):
            a = self.number(e.arg, decimal=not e.integral)
            return Code(f"-{a.wrapped()}", {"type": "Negate", "operand": a.elm})
        if isinstance(e, m.Arith):
            a, b = self.number(e.left, not e.integral), self.number(e.right, not e.integral)
            elm = {"+": "Add", "-": "Subtract", "*": "Multiply"}[e.op]
            code = _binary(elm, e.op, a, b)
            if e.integral:
                return code
            scale = self.sizer.num(e).scale
            return Code(f"Round({code.cql}, {scale})",
                        {"type": "Round", "operand": code.elm, "precision": literal("Integer", str(scale))},
                        atomic=True)
        raise TypeError(f"not a numeric expression: {type(e).__name__}")


def _numeric(e: m.Expr) -> bool:
    if isinstance(e, (m.NumLit, m.Arith, m.Neg)):
        return True
    if isinstance(e, (m.InputRef, m.DefRef)):
        return isinstance(e.type, m.NumType)
    return False


def _integral(e: m.Expr) -> bool:
    if isinstance(e, (m.NumLit, m.Arith, m.Neg)):
        return e.integral
    if isinstance(e, (m.InputRef, m.DefRef)):
        return isinstance(e.type, m.NumType) and e.type.integral
    return False
