"""Exact record values: numbers as Fractions, and back to plain JSON.

The solver-free half of the verifier's reading of a record. Everything that
only converts, compares or prints values lives here, so that the graphs and
the replay of cases need no Z3.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
import json
from typing import Any, Mapping

from dsl import model as m
from dsl.printer import format_number
from engine import Evaluator, load_record_json

# A record as the verifier handles it internally: bool, int, enum value (str)
# or an exact Fraction for reals. ``json_record`` turns it into what the engine
# and the JSON output take.
Value = bool | int | str | Fraction


def to_fraction(value: Any) -> Fraction:
    """An exact rational for a record number (int, Decimal, float as printed, Fraction)."""
    if isinstance(value, float):
        # A float in a record stands for the decimal it prints as (as in the engine).
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def default_value(inp: m.Input) -> Value:
    """The value a "typical" record holds, used to keep counterexamples simple.

    Booleans are false and enums take their first value; numbers take the
    roundest value in range (0, else 1, else the lower bound).
    """
    t = inp.type
    if isinstance(t, m.BoolType):
        return False
    if isinstance(t, m.EnumType):
        return t.values[0]
    lo, hi = (Fraction(t.lo), Fraction(t.hi))
    for v in (Fraction(0), Fraction(1)):
        if lo <= v <= hi:
            return int(v)
    return lo if lo.denominator != 1 else int(lo)


def json_value(value: Value) -> bool | int | str | float:
    """A record value as plain JSON data.

    A non-integral real becomes the float that prints as its exact decimal
    (the engine reads a float as the decimal it prints as). Callers choose
    values with short decimal expansions so that this is exact; a rational
    no JSON number can hold exactly (1/3) becomes the string "1/3", which
    ``is_exact_record`` reports.
    """
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        if not is_json_exact(value):
            return str(value)
        return float(exact_decimal(value))
    return value


def exact_decimal(value: Fraction) -> Decimal:
    """The exact decimal of a Fraction whose denominator has only factors 2 and 5."""
    d = value.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        raise ValueError(f"{value} has no finite decimal expansion")
    scale = max(twos, fives)
    return Decimal(value.numerator * 10**scale // value.denominator).scaleb(-scale)


def is_json_exact(value: Fraction) -> bool:
    """True when ``json_value(value)`` stands for exactly ``value``."""
    if value.denominator == 1:
        return True
    try:
        dec = exact_decimal(value)
    except ValueError:
        return False
    return Decimal(repr(float(dec))) == dec


def is_exact_record(record: Mapping[str, Value]) -> bool:
    """True when every real of ``record`` is a number JSON can hold exactly."""
    return all(not isinstance(v, Fraction) or is_json_exact(v) for v in record.values())


def json_record(record: Mapping[str, Value]) -> dict[str, bool | int | str | float]:
    """A verifier record as the plain dict the engine validates and JSON prints."""
    return {k: json_value(v) for k, v in record.items()}


def plain_value(value: Any) -> Any:
    """A record value as plain JSON data: a Decimal (as read from a file) becomes the
    int or the float that prints as exactly that decimal; ValueError if none does."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        if Decimal(repr(as_float)) != value:
            raise ValueError(f"{value} has no exact JSON number")
        return as_float
    return value


def plain_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """``plain_value`` of every field."""
    return {k: plain_value(v) for k, v in record.items()}


def engine_form(ev: Evaluator, record: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON record as the engine reads it from a file (exact decimals, validated).

    ``RecordError`` if the record is invalid.
    """
    return ev.validate(load_record_json(json.dumps(plain_record(record))))


def value_text(value: Any, *, words: tuple[str, str] = ("true", "false"), none: str = "null") -> str:
    """A record value as text: booleans as the language writes them (or as
    ``words``, e.g. ("yes", "no") for clinicians), an unknown value (an optional
    input left out) as ``none``, anything else as printed."""
    if value is None:
        return none
    if isinstance(value, bool):
        return words[0] if value else words[1]
    return str(value)


def type_text(inp: m.Input) -> str:
    """An input's type in words a clinician reads ("whole number 0–4 months")."""
    t = inp.type
    unit = f" {inp.unit}" if inp.unit else ""
    if isinstance(t, m.BoolType):
        return "yes / no"
    if isinstance(t, m.EnumType):
        return " | ".join(t.values)
    word = "whole number" if isinstance(t, m.IntType) else "number"
    return f"{word} {format_number(Fraction(t.lo))}–{format_number(Fraction(t.hi))}{unit}"
