"""A patient record's identity, carried beside the record, never into it (issue 12).

Batch files hold many patients; results must name them by their own id, not
only by line number. The id field (``"id"`` unless the caller names another)
is taken out of the record before validation, so it is never an input and a
ruleset cannot test it; it comes back on the record's result or error.
"""

from __future__ import annotations

from typing import Any

from engine.record import Problem, RecordError

DEFAULT_ID_FIELD = "id"
MAX_ID_LENGTH = 200  # an id is a label, not a document


def split_record_id(obj: Any, field: str | None) -> tuple[Any, str | int | None]:
    """``obj`` without its id field, and the id (None when absent or ``field`` is None).

    An id must be a string or a whole number; anything else is a problem
    named by the field, like any other field of the record.
    """
    if field is None or not isinstance(obj, dict) or field not in obj:
        return obj, None
    rest = {k: v for k, v in obj.items() if k != field}
    value = obj[field]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError([Problem(f"the record id must be a string or a whole number, not {_word(value)}", field=field)])
    if isinstance(value, str) and (not value or len(value) > MAX_ID_LENGTH):
        raise RecordError([Problem(f"the record id must be 1 to {MAX_ID_LENGTH} characters long", field=field)])
    return rest, value


def _word(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (list, tuple)):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return f"{v}" if not isinstance(v, str) else "a string"
