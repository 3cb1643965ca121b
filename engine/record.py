"""Patient records: JSON in, a validated record out, every problem named.

A record is a flat JSON object holding every input the ruleset declares. Real
numbers are kept exact: JSON numbers are read as ``Decimal`` (see
``load_record_json``) so that ``5.0`` is exactly five and ``0.1`` exactly one
tenth, as in the Z3 encoding.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dsl import model as m
from dsl.printer import format_expr
from engine.codegen import fraction_to_decimal


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a record is invalid: about a ``field``, a ``constraint``, or the whole record."""

    message: str
    field: str | None = None
    constraint: str | None = None

    def __str__(self) -> str:
        if self.field is not None:
            return f"{self.field}: {self.message}"
        return self.message


class RecordError(Exception):
    """An invalid patient record; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in problems))


class _NonFinite(float):
    """What NaN / Infinity in JSON text parse to, so validation can name the field."""


def _parse_constant(name: str) -> float:
    return _NonFinite(float(name.replace("Infinity", "inf")))


# A real in a record is a dose, a size or a count. A value so small that its
# first digit lies beyond this many decimal places would be in range, and cost
# exact arithmetic on 10**1000000000 downstream (Fractions in graphs and
# cases): it is refused (see RecordValidator). A huge one is merely out of range.
MAX_EXPONENT = 1000


class _Unreadable(Exception):
    """A JSON text that parses but must not be read as a record (duplicate key, monster number)."""


def _parse_real(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:  # an exponent beyond what Decimal can hold at all
        shown = text if len(text) <= 40 else text[:36] + "..."
        raise _Unreadable(f"not valid JSON: the number {shown} is too large to read") from None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key given twice is ambiguous (which value is meant?), so it is an error."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _Unreadable(f"{show_name(dup)}: given more than once (a field must appear once)")
    return obj


# Built once: json.loads with options would build a decoder per record. The
# fast one has no Python hook per object (a quarter of the decoding time);
# load_record_json falls back on the strict one only when a repeated key is
# possible at all.
_FAST_DECODER = json.JSONDecoder(parse_float=_parse_real, parse_constant=_parse_constant)
_DECODER = json.JSONDecoder(parse_float=_parse_real, parse_constant=_parse_constant, object_pairs_hook=_object)


def load_record_json(text: str) -> Any:
    """Parse JSON text with exact decimals; raises ``RecordError`` if it is not JSON.

    Also an error: a key repeated in an object (Python's json would keep the
    last silently), and numbers too long or too large to read.
    """
    if text.startswith("\ufeff"):
        raise RecordError([Problem("not valid JSON: the text starts with a byte-order mark (save it as UTF-8 without BOM)")])
    try:
        obj = _FAST_DECODER.decode(text)
        # A flat object of n pairs holds exactly n - 1 commas; every comma more (a
        # repeated key, a nested value, a comma inside a string) sends the text
        # through the strict decoder, which names any repeated key.
        if type(obj) is dict and text.count(",") == len(obj) - 1:
            return obj
        return _DECODER.decode(text)
    except json.JSONDecodeError as err:
        raise RecordError([Problem(f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}")]) from None
    except RecursionError:
        raise RecordError([Problem("not valid JSON: nested too deeply")]) from None
    except _Unreadable as err:
        raise RecordError([Problem(str(err))]) from None
    except ValueError:  # int() refusing a number of thousands of digits (sys.get_int_max_str_digits)
        raise RecordError([Problem("not valid JSON: a number has too many digits to read")]) from None


_PLAIN_DECODER = json.JSONDecoder(object_pairs_hook=_object)


def load_json_strict(text: str) -> Any:
    """Any other JSON input (saved results, manifests): plain floats, but a repeated key
    or a monster number is a ``ValueError`` saying so, never silently resolved."""
    try:
        return _PLAIN_DECODER.decode(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply") from None
    except _Unreadable as err:
        raise ValueError(str(err)) from None
    except ValueError:
        raise ValueError("not valid JSON: a number has too many digits to read") from None


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z")


def show_name(name: Any) -> str:
    """A field name from a record as shown in a message: plain names as they are,
    anything else quoted with escapes (no control characters reach a terminal)."""
    if isinstance(name, str) and _PLAIN_NAME.match(name):
        return name
    text = name if isinstance(name, str) else str(name)
    if len(text) > 64:
        text = text[:60] + "..."
    return json.dumps(text)  # ASCII-only: escapes control characters, lone surrogates, bidi marks


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, (int, float, Decimal)):
        return "a number"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


def _show(v: Any) -> str:
    """A value quoted in a message: one line, ASCII, and short (records may be hostile)."""
    if isinstance(v, str):
        return json.dumps(v if len(v) <= 64 else v[:60] + "...")
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None or isinstance(v, (list, dict)):
        return ""  # the JSON type says it all; never a Python repr
    text = str(v)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"


def _what(v: Any) -> str:
    """"a string \"8\"", "null", "an array": the JSON type and the value in one phrase."""
    shown = _show(v)
    return f"{_json_type(v)} {shown}" if shown else _json_type(v)


class RecordValidator:
    """Validates records against one ruleset's inputs and constraints."""

    def __init__(self, ruleset: m.Ruleset, failed_constraints: Any) -> None:
        self.ruleset = ruleset
        self.inputs = ruleset.inputs
        self.names = frozenset(i.name for i in ruleset.inputs)
        self.failed_constraints = failed_constraints
        self._fast = self._build_fast_check()

    def _build_fast_check(self) -> Any:
        """A generated all-good check: one test per input, no messages.

        Most records in a batch are valid; this is the path they take. Anything
        it rejects goes through the slow path, which says exactly why.
        """
        consts: dict[str, Any] = {"Decimal": Decimal}
        lines = ["def fast(r):", f"    if len(r) != {len(self.inputs)}: return False", "    g = r.get"]
        for k, i in enumerate(self.inputs):
            t = i.type
            lines.append(f"    v = g({i.name!r})")
            if isinstance(t, m.BoolType):
                test = "type(v) is bool"
            elif isinstance(t, m.EnumType):
                consts[f"_e{k}"] = frozenset(t.values)
                test = f"type(v) is str and v in _e{k}"
            elif isinstance(t, m.IntType):
                test = f"type(v) is int and {t.lo} <= v <= {t.hi}"
            else:
                # Whole bounds as ints: most values are ints too, and int-int compares are the cheapest.
                consts[f"_lo{k}"], consts[f"_hi{k}"] = (
                    int(b) if b.denominator == 1 else fraction_to_decimal(b) for b in (t.lo, t.hi))
                test = (f"(type(v) is int or (type(v) is Decimal and v.is_finite() and "
                        f"(not v or v.adjusted() >= -{MAX_EXPONENT}))) and _lo{k} <= v <= _hi{k}")
            if i.optional:  # null is "unknown" (a missing key takes the slow path)
                test = f"v is None or ({test})"
            lines.append(f"    if not ({test}): return False")
        lines.append("    return True")
        src = "\n".join(lines) + "\n"
        exec(compile(src, "<validator>", "exec"), consts)  # noqa: S102 - built from the checked model
        return consts["fast"]

    def validate(self, record: Any) -> dict[str, Any]:
        """The record with values normalised (ints as int, reals as Decimal or int).

        Raises ``RecordError`` with every field problem, or, when the fields are
        all well-typed, with every violated constraint.
        """
        if type(record) is dict and self._fast(record):
            failed = self.failed_constraints(record)
            if failed:
                raise RecordError([self._constraint_problem(k) for k in failed])
            return record
        if not isinstance(record, dict):
            raise RecordError([Problem(f"a patient record must be a JSON object, not {_json_type(record)}")])
        problems: list[Problem] = []
        out: dict[str, Any] = {}
        for i in self.inputs:
            if i.optional and record.get(i.name) is None:  # issue 12: omitted or null: unknown
                out[i.name] = None
                continue
            if i.name not in record:
                problems.append(Problem("missing (every input of the ruleset must be given)", field=i.name))
                continue
            value, problem = self._field(i, record[i.name])
            if problem is not None:
                problems.append(Problem(problem, field=i.name))
            else:
                out[i.name] = value
        for name in sorted(k for k in record if k not in self.names):
            key = show_name(name)
            # difflib is quadratic: no hint for a name far longer than any input's.
            close = difflib.get_close_matches(name, sorted(self.names), n=1) if len(name) <= 200 else []
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(Problem(f"unknown field (not an input of ruleset {self.ruleset.name}){hint}", field=key))
        if problems:
            raise RecordError(problems)
        failed = self.failed_constraints(out)
        if failed:
            raise RecordError([self._constraint_problem(k) for k in failed])
        return out

    def _constraint_problem(self, k: int) -> Problem:
        c = self.ruleset.constraints[k]
        return Problem(f"constraint {c.id} ({format_expr(c.expr)}): {c.message}", constraint=c.id)

    def _field(self, i: m.Input, v: Any) -> tuple[Any, str | None]:
        t = i.type
        if isinstance(t, m.BoolType):
            if type(v) is bool:
                return v, None
            return None, f"must be true or false, not {_what(v)}"
        if isinstance(t, m.EnumType):
            if type(v) is not str:
                return None, f"must be one of {', '.join(t.values)} (a string), not {_what(v)}"
            if v not in t.values:
                close = difflib.get_close_matches(v, t.values, n=1) if len(v) <= 200 else []
                hint = f"; did you mean '{close[0]}'?" if close else ""
                return None, f"{_show(v)} is not one of {', '.join(t.values)}{hint}"
            return v, None
        # Numbers.
        if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
            return None, f"must be a number, not {_what(v)}"
        if isinstance(v, float):
            if not math.isfinite(v):
                return None, f"must be a finite number, not {'NaN' if math.isnan(v) else 'an infinity'}"
            v = Decimal(repr(v))  # a float handed in by an embedding program: take the decimal it prints as
        if isinstance(v, Decimal) and not v.is_finite():
            return None, "must be a finite number"
        if isinstance(v, Decimal) and v and v.adjusted() < -MAX_EXPONENT:
            return None, f"{_show(v)} is too small to read (its first digit is beyond {MAX_EXPONENT} decimal places)"
        # Compare as Decimal / int: exact, and safe for 1e999999999 (no huge Fraction).
        lo, hi = (t.lo, t.hi) if isinstance(t, m.IntType) else (fraction_to_decimal(t.lo), fraction_to_decimal(t.hi))
        if not lo <= v <= hi:
            unit = f" {i.unit}" if i.unit else ""
            return None, f"{_show(v)} is out of range [{lo}, {hi}]{unit}"
        integral = v == int(v) if isinstance(v, Decimal) else True
        if isinstance(t, m.IntType):
            if not integral:
                return None, f"must be a whole number, not {_show(v)}"
            v = int(v)
        elif integral and isinstance(v, Decimal):
            v = int(v)  # 8.0 and 8 are the same number; ints are faster downstream
        return v, None
