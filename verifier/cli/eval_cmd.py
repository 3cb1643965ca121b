"""``ruleproof eval``: evaluate patient records against a ruleset."""

from __future__ import annotations

import io
import json
import os
import select
import stat
import sys
from decimal import Decimal
from typing import Any, BinaryIO, Callable, Iterator, TextIO

import click

from dsl.model import Ruleset
from engine import Decision, Evaluator, Problem, RecordError, compile_ruleset, load_record_json
from verifier.cli.common import ExitCode, fail, load_ruleset_or_exit


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    raise TypeError(f"not JSON-serialisable: {type(v).__name__}")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=_json_default)


def _record_error_lines(where: str, err: RecordError) -> list[str]:
    """``PATH: error: FIELD: MESSAGE`` / ``PATH: error: constraint C1 (...): MESSAGE``."""
    return [f"{where}: error: {p}" for p in err.problems]


def _problem_json(err: RecordError) -> list[dict[str, Any]]:
    out = []
    for p in err.problems:
        item: dict[str, Any] = {"message": p.message}
        if p.field is not None:
            item["field"] = p.field
        if p.constraint is not None:
            item["constraint"] = p.constraint
        out.append(item)
    return out


_STRENGTH_WORD = {"recommend": "RECOMMEND", "consider": "CONSIDER", "avoid": "AVOID"}


def format_decision(decision: Decision, ruleset: Ruleset, explain: bool) -> str:
    """The decision as a person reads it: actions by strength, then why."""
    lines = [f"{ruleset.name} {ruleset.version}"]
    if not decision.recommendations:
        lines.append("  no recommendation")
    width = max((len(r.action) for r in decision.recommendations), default=0)
    for r in decision.recommendations:
        alt = f"  (one of: {', '.join((r.action, *r.alternatives))})" if r.alternatives else ""
        lines.append(f"  {_STRENGTH_WORD[r.strength]:<9} {r.action:<{width}}  category {r.category:<2}  {r.label}{alt}")
        lines.append(f"  {'':<9} {'':<{width}}  rules: {', '.join(r.rules)}; sources: {', '.join(r.sources)}")
    for c in decision.contradictions:
        lines.append(f"  WARNING: {c} (run `ruleproof check` on this ruleset)")
    lines.append("")
    lines.append(f"fired rules ({len(decision.fired)}):")
    if decision.trace is not None:
        for t in decision.trace:
            lines.append(f"  {t.rule}: {t.title}  [{t.location}]")
            if explain:
                for c in t.conditions:
                    lines.append(f"      {'holds' if c.holds else 'fails'}: {c.condition}")
    else:
        lines.extend(f"  {rid}" for rid in decision.fired)
    return "\n".join(lines)


def _read_text(path: str) -> str:
    """The record's text, strictly UTF-8 (stdin too: never the locale's guess, never raw bytes back out)."""
    where = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
        return data.decode("utf-8")
    except OSError as err:
        fail(f"{where}: error: cannot read patient record: {err.strerror or err}")
    except UnicodeDecodeError as err:
        fail(f"{where}: error: cannot read patient record: not valid UTF-8 (byte {err.start + 1})")


def _unwrap_example(obj: Any, ruleset: Ruleset) -> Any:
    """The record inside a worked-example file (``{"title", "patient", "expected"}``).

    Only when the object holds a "patient" object and no input of the
    ruleset, so a real record is never reinterpreted.
    """
    if (isinstance(obj, dict) and isinstance(obj.get("patient"), dict)
            and not any(i.name in obj for i in ruleset.inputs)):
        return obj["patient"]
    return obj


def _eval_one(ev: Evaluator, ruleset: Ruleset, patient: str, fmt: str, explain: bool) -> None:
    where = "<stdin>" if patient == "-" else patient
    try:
        record = ev.validate(_unwrap_example(load_record_json(_read_text(patient)), ruleset))
    except RecordError as err:
        fail("\n".join(_record_error_lines(where, err)))
    decision = ev.evaluate(record, trace=True)
    if fmt == "json":
        out = decision.to_json()
        if not explain:
            out.pop("trace", None)
        click.echo(_dumps(out))
    else:
        click.echo(format_decision(decision, ruleset, explain))


_READ_SIZE = 1 << 16


def _open_batch(path: str) -> BinaryIO:
    """The batch as bytes: each line is decoded on its own, so one bad byte costs one record."""
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as err:
        fail(f"{path}: error: cannot read patient records: {err.strerror or err}")


def _stalled(fh: BinaryIO) -> Callable[[], bool]:
    """A test for "the next read would wait": true for a pipe or terminal with nothing
    ready. A regular file (or an in-memory stream) never stalls."""
    try:
        fd = fh.fileno()
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return lambda: False
    except (OSError, ValueError, io.UnsupportedOperation):
        return lambda: False
    return lambda: not select.select([fd], [], [], 0)[0]


class _ReadFailed(Exception):
    """Reading the batch failed (as opposed to writing the results)."""

    def __init__(self, err: OSError) -> None:
        super().__init__(err.strerror or str(err))


# One record per line: a line longer than this is not a patient record but a
# runaway (a file without newlines, an attack); it is skipped unread, so memory
# stays bounded by this, not by the input.
MAX_LINE_BYTES = 16 * 1024 * 1024


def _batch_lines(fh: BinaryIO, before_wait: Callable[[], None]) -> Iterator[bytes | None]:
    """The lines of ``fh`` (without their newline), read in large blocks; None for a
    line longer than ``MAX_LINE_BYTES`` (dropped as it streams by).

    Reading blocks ourselves (``read1`` drains the buffer, so an empty buffer
    means the next read goes to the OS) lets the caller flush its results
    before the read would block: a live stream gets each answer as soon as its
    record is in, and a file or a fast pipe still gets large writes.
    """
    stalled = _stalled(fh)
    read = getattr(fh, "read1", fh.read)
    pending: list[bytes] = []  # pieces of a line longer than a block: joined once, not re-copied per block
    pending_size = 0
    overlong = False
    while True:
        if stalled():
            before_wait()
        try:
            data = read(_READ_SIZE)
        except OSError as err:
            raise _ReadFailed(err) from None
        if not data:
            break
        start = 0
        while True:
            nl = data.find(b"\n", start)
            piece = data[start:] if nl < 0 else data[start:nl]
            if pending or overlong or nl < 0:
                pending_size += len(piece)
                if pending_size > MAX_LINE_BYTES:
                    overlong = True
                    pending.clear()
                elif piece:
                    pending.append(piece)
            if nl < 0:
                break
            if overlong:
                yield None
            elif pending:
                yield b"".join(pending)
            else:
                yield piece
            pending.clear()
            pending_size = 0
            overlong = False
            start = nl + 1
    if overlong:
        yield None
    elif pending:
        yield b"".join(pending)


def _eval_batch(ev: Evaluator, batch: str, out: TextIO, explain: bool) -> int:
    """One JSON result per non-blank line, in order; returns how many lines were bad."""
    where = "<stdin>" if batch == "-" else batch
    bad = 0
    # Results leave in chunks: one write per result made the pipe, not the
    # evaluation, the bottleneck of a large batch. The chunk is also written
    # whenever the input would make us wait (see _batch_lines).
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            out.write("".join(chunk))
            chunk.clear()
        out.flush()

    rendered: dict[int, tuple[Decision, str]] = {}
    fh = _open_batch(batch)
    try:
        for lineno, raw in enumerate(_batch_lines(fh, flush), start=1):
            if raw is not None and not raw.strip():
                continue  # blank lines separate nothing and are not records
            try:
                if raw is None:
                    raise RecordError([Problem(f"line longer than {MAX_LINE_BYTES} bytes; not read")])
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise RecordError([Problem(f"not valid UTF-8: byte {err.start + 1} of the line")]) from None
                record = ev.validate(load_record_json(line))
            except RecordError as err:
                bad += 1
                for msg in _record_error_lines(f"{where}:{lineno}", err):
                    click.echo(msg, err=True)
                chunk.append(_dumps({"error": "; ".join(str(p) for p in err.problems), "line": lineno,
                                     "problems": _problem_json(err)}) + "\n")
                continue
            decision = ev.evaluate(record, trace=explain)
            if explain:
                chunk.append(_dumps(decision.to_json()) + "\n")
            else:
                # Decisions without a trace are shared between records (see Evaluator), so is their JSON.
                line_out = rendered.get(id(decision))
                if line_out is None or line_out[0] is not decision:
                    if len(rendered) > 8192:
                        rendered.clear()
                    line_out = rendered[id(decision)] = (decision, _dumps(decision.to_json()) + "\n")
                chunk.append(line_out[1])
            if len(chunk) >= 1024:
                out.write("".join(chunk))
                chunk.clear()
    except _ReadFailed as err:
        fail(f"{where}: error: cannot read patient records: {err}")
    except OSError as err:  # stdout: a closed pipe, a full disk
        fail(f"ruleproof eval: error: cannot write the results: {err.strerror or err}")
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()
    out.write("".join(chunk))
    return bad


@click.command("eval")
@click.argument("ruleset")  # no click.Path: the reader says "Is a directory" in one line
@click.argument("patient", required=False)
@click.option("--batch", "batch", metavar="FILE.jsonl",
              help="Evaluate one record per line of FILE (or - for stdin); writes one JSON result per line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output for a single record (batch output is always JSON lines).")
@click.option("--explain", is_flag=True,
              help="Show each fired rule's conditions and whether they held (JSON: a \"trace\" field).")
def eval_command(ruleset: str, patient: str | None, batch: str | None, fmt: str, explain: bool) -> None:
    """Evaluate a patient record against RULESET.

    PATIENT is a JSON file holding one record (a flat object with every input
    the ruleset declares), or - for stdin. A worked-example file whose record
    sits under "patient" is accepted too. An invalid record is reported on
    stderr, one line per problem, naming the field or the constraint, and the
    exit code is 2.

    \b
    Examples:
      ruleproof eval rulesets/liposarcoma.rules patient.json
      ruleproof eval rulesets/liposarcoma.rules patient.json --format json --explain
      ruleproof eval rulesets/liposarcoma.rules --batch records.jsonl > decisions.jsonl

    With --batch, a bad line yields an {"error": ...} line for that record and
    the run goes on; the exit code is 2 at the end if any line was bad.
    """
    if (patient is None) == (batch is None):
        raise click.UsageError("give either PATIENT or --batch FILE, not both and not neither")
    rs = load_ruleset_or_exit(ruleset)
    ev = compile_ruleset(rs)
    if batch is not None:
        bad = _eval_batch(ev, batch, sys.stdout, explain)
        sys.stdout.flush()
        if bad:
            click.echo(f"{'<stdin>' if batch == '-' else batch}: error: {bad} invalid record(s)", err=True)
            sys.exit(int(ExitCode.BAD_INPUT))
        return
    assert patient is not None
    _eval_one(ev, rs, patient, fmt, explain)
