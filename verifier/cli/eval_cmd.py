"""``ruleproof eval``: evaluate patient records against a ruleset."""

from __future__ import annotations

import gc
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
from dsl.printer import conjuncts as _conjuncts
from engine import Decision, Evaluator, Problem, RecordError, compile_ruleset, load_record_json
from engine.explain import WhyNot, definition_values, definitions_read, shown_definitions, why_not
from engine.record_id import DEFAULT_ID_FIELD, split_record_id
from verifier.cli.common import ExitCode, fail, load_ruleset_or_exit
from verifier.facts.values import value_text
from verifier.cli.sources import display_name, read_record, record_error_lines
from verifier.fhir.resources import DEFAULT_BASE_URL


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    raise TypeError(f"not JSON-serialisable: {type(v).__name__}")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=_json_default)


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


def _lines_of(decision: Decision, ruleset: Ruleset) -> list[tuple[str, str, str, str, str]]:
    """(strength, action text, grade, label, rules/sources) per printed line.

    A "one of" group is one line: its actions are alternatives, to be chosen
    between, so two RECOMMEND lines would read as "give both". The grade is the
    scheme's own words ("Class I, level A"), or "category 2A" for NCCN.
    """
    scheme = ruleset.grading
    by_action = {(r.action, r.strength): r for r in decision.recommendations}
    done: set[tuple[str, str]] = set()
    out = []
    for r in decision.recommendations:
        if (r.action, r.strength) in done:
            continue
        group = [r]
        if r.alternatives:
            group += [by_action[(a, r.strength)] for a in r.alternatives if (a, r.strength) in by_action]
        done.update((g.action, g.strength) for g in group)
        rules = list(dict.fromkeys(x for g in group for x in g.rules))
        sources = list(dict.fromkeys(x for g in group for x in g.sources))
        why = f"rules: {', '.join(rules)}; sources: {', '.join(sources)}"
        strongest = min(group, key=lambda g: scheme.rank(g.category))
        grade = strongest.evidence or f"category {strongest.category:<2}"
        if len(group) == 1:
            out.append((r.strength, r.action, grade, r.label, why))
        else:
            names = "one of: " + " | ".join(g.action for g in group)
            labels = " | ".join(g.label for g in group)
            out.append((r.strength, names, grade, f"choose one: {labels}", why))
    return out


def format_decision(decision: Decision, ruleset: Ruleset, explain: bool,
                    record: dict[str, Any] | None = None, why_not: tuple[WhyNot, ...] = ()) -> str:
    """The decision as a person reads it: actions by strength, then why."""
    lines = [f"{ruleset.name} {ruleset.version}"]
    if not decision.recommendations:
        lines.append("  no recommendation")
    rows = _lines_of(decision, ruleset)
    width = max((len(a) for _, a, _, _, _ in rows), default=0)
    for strength, action, grade, label, why in rows:
        lines.append(f"  {_STRENGTH_WORD[strength]:<9} {action:<{width}}  {grade}  {label}")
        lines.append(f"  {'':<9} {'':<{width}}  {why}")
    for c in decision.contradictions:
        lines.append(f"  WARNING: {c} (run `ruleproof check` on this ruleset)")
    lines.append("")
    lines.append(f"fired rules ({len(decision.fired)}):")
    if decision.trace is not None:
        rules = {r.id: r for r in ruleset.rules}
        for t in decision.trace:
            lines.append(f"  {t.rule}: {t.title}  [{t.location}]")
            if explain:
                for c in t.conditions:
                    lines.append(f"      {'holds' if c.holds else 'fails'}: {c.condition}")
                    lines.extend(f"             {v}" for v in c.values)  # the numbers it computed
                if record is not None:
                    lines.extend(_definition_lines(ruleset, record, [rules[t.rule].condition]))
    else:  # the same lines without a trace (compiling one costs more than the decision on a big table)
        for rid in decision.fired:
            rule = ruleset.rule(rid)
            lines.append(f"  {rid}: {rule.title}  [{rule.span}]")
    for w in why_not:
        lines.append("")
        lines.extend(_why_not_lines(ruleset, record or {}, w))
    return "\n".join(lines)


def _definition_lines(ruleset: Ruleset, record: dict[str, Any], exprs: list[Any]) -> list[str]:
    """``where NAME = VALUE  (formula)`` for every definition the expressions read."""
    # A decision table's guard chain is shown as the rows that match (engine.explain.shown_definitions).
    values = shown_definitions(ruleset, record, exprs)
    if not values:
        return []
    width = max(len(v.name) + len(value_text(v.value)) for v in values)
    return [f"        where {v.name} = {value_text(v.value):<{width - len(v.name)}}  ({v.formula})" for v in values]


def _why_not_lines(ruleset: Ruleset, record: dict[str, Any], w: WhyNot) -> list[str]:
    lines = [f"why not {w.action}? it is {w.status}."]
    if not w.rules:
        lines.append(f"  no rule of {ruleset.name} has an outcome line naming {w.action}")
    rules = {r.id: r for r in ruleset.rules}
    for r in w.rules:
        state = "fired" if r.fired else "did not fire"
        lines.append(f"  {r.rule} ({r.strength} {w.action}) {state}: {r.title}  [{r.location}]")
        for cond, holds in r.conditions:
            lines.append(f"      {'holds' if holds else 'fails'}: {cond}")
        failed = [c for c, (_, h) in zip(_conjuncts(rules[r.rule].condition), r.conditions) if not h]
        lines.extend(_definition_lines(ruleset, record, failed))
    return lines


def _status(decision: Decision, action: str) -> str:
    for status, held in (("recommended", decision.recommended), ("considered", decision.considered),
                         ("avoided", decision.avoided)):
        if action in held:
            return status
    return "not given"


def _eval_one(ev: Evaluator, ruleset: Ruleset, patient: str, fmt: str, explain: bool,
              why_not_actions: tuple[str, ...] = (), base_url: str = DEFAULT_BASE_URL,
              id_field: str | None = None) -> None:
    try:
        obj, rid = split_record_id(read_record(patient, ruleset)[0], id_field)
        record = ev.validate(obj)
    except RecordError as err:
        fail("\n".join(record_error_lines(display_name(patient), err)))
    decision = ev.evaluate(record, trace=explain)
    answers = tuple(why_not(ruleset, record, a, _status(decision, a)) for a in why_not_actions)
    if fmt == "json":
        out = decision.to_json()
        if not explain:
            out.pop("trace", None)
        else:
            rules = {r.id: r for r in ruleset.rules}
            for t in out["trace"]:
                names = definitions_read(ruleset, [rules[t["rule"]].condition])
                t["definitions"] = [v.to_json() for v in definition_values(ruleset, record, names)]
        if answers:
            out["why_not"] = [w.to_json() for w in answers]
        if rid is not None:
            out = {"id": rid, **out}
        click.echo(_dumps(out))
    elif fmt == "fhir":  # a CarePlan with its RequestGroup, as PlanDefinition/$apply returns (see README, FHIR)
        from verifier.fhir.decision import care_plan
        from verifier.fhir.resources import Options

        click.echo(json.dumps(care_plan(ruleset, decision, Options(base_url=base_url)), indent=2, ensure_ascii=False))
    else:
        text = format_decision(decision, ruleset, explain, record, answers)
        if rid is not None:  # the record's own id under the header line
            head, _, rest = text.partition("\n")
            text = f"{head}\n  record id: {rid}\n{rest}"
        click.echo(text)


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


def _eval_batch(ev: Evaluator, batch: str, out: TextIO, explain: bool, id_field: str | None = None) -> int:
    """One JSON result per non-blank line, in order; returns how many lines were bad."""
    where = display_name(batch)
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
            rid: str | int | None = None
            try:
                if raw is None:
                    raise RecordError([Problem(f"line longer than {MAX_LINE_BYTES} bytes; not read")])
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise RecordError([Problem(f"not valid UTF-8: byte {err.start + 1} of the line")]) from None
                obj, rid = split_record_id(load_record_json(line), id_field)
                record = ev.validate(obj)
            except RecordError as err:
                bad += 1
                tag = "" if rid is None else f"[id {rid}] "
                for msg in record_error_lines(f"{where}:{lineno}", err):
                    click.echo(msg.replace(": error: ", f": error: {tag}", 1), err=True)
                failure: dict[str, Any] = {} if rid is None else {"id": rid}
                failure.update({"error": "; ".join(str(p) for p in err.problems), "line": lineno,
                                "problems": _problem_json(err)})
                chunk.append(_dumps(failure) + "\n")
                continue
            decision = ev.evaluate(record, trace=explain)
            if explain:
                result = decision.to_json()
                chunk.append(_dumps(result if rid is None else {"id": rid, **result}) + "\n")
            else:
                # Decisions without a trace are shared between records (see Evaluator), so is their JSON.
                line_out = rendered.get(id(decision))
                if line_out is None or line_out[0] is not decision:
                    if len(rendered) > 8192:
                        rendered.clear()
                    line_out = rendered[id(decision)] = (decision, _dumps(decision.to_json()) + "\n")
                if rid is None:
                    chunk.append(line_out[1])
                else:  # the shared text with the record's id put first
                    chunk.append('{"id": ' + _dumps(rid) + ", " + line_out[1][1:])
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


def _load_without_gc(path: str) -> Ruleset:
    """The checked ruleset, read with the cyclic garbage collector paused.

    Reading a 1,500-row table's checked model makes some 200,000 objects, and
    the collector, run every few hundred allocations, would walk them over and
    over (a third of a single `eval`'s time). None of them is garbage, so the
    pause frees nothing late. They are then moved straight to the oldest
    generation (freeze, then unfreeze: nothing stays frozen in a process that
    runs many commands, such as the tests); left in the youngest, the first
    collection after the pause would walk them all once more.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        rs = load_ruleset_or_exit(path)
    finally:
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()
    return rs


def _id_field(rs: Ruleset, chosen: str | None) -> str | None:
    """The id field to use: an input of the same name wins over the default, never over a choice."""
    names = {i.name for i in rs.inputs}
    if chosen is None:
        return None if DEFAULT_ID_FIELD in names else DEFAULT_ID_FIELD
    if chosen in names:
        fail(f"ruleproof eval: error: --id-field {chosen}: '{chosen}' is an input of ruleset {rs.name}; "
             "a record id is never an input, choose another field")
    return chosen


@click.command("eval")
@click.argument("ruleset")  # no click.Path: the reader says "Is a directory" in one line
@click.argument("patient", required=False)
@click.option("--batch", "batch", metavar="FILE.jsonl",
              help="Evaluate one record per line of FILE (or - for stdin); writes one JSON result per line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "fhir"]), default="text", show_default=True,
              help="Output for a single record (batch output is always JSON lines); fhir: a FHIR R4 CarePlan "
                   "holding a RequestGroup, as PlanDefinition/$apply returns it.")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True,
              help="With --format fhir: the canonical URL base the ruleset was exported with (`ruleproof export fhir`).")
@click.option("--explain", is_flag=True,
              help="Show each fired rule's conditions, whether they held, and the values of the definitions "
                   "they read (JSON: a \"trace\" field).")
@click.option("--why-not", "why_not_actions", multiple=True, metavar="ACTION",
              help="Explain an action's status: every rule that could give it and which of its conditions "
                   "failed (repeatable; JSON: a \"why_not\" field).")
@click.option("--id-field", "id_field", default=None, metavar="NAME",
              help="The record field holding the patient's id, copied into each result and error "
                   "and never read as an input [default: id].")
def eval_command(ruleset: str, patient: str | None, batch: str | None, fmt: str, explain: bool,
                 why_not_actions: tuple[str, ...], base_url: str,
                 id_field: str | None) -> None:
    """Evaluate a patient record against RULESET.

    PATIENT is a JSON file holding one record (a flat object with every input
    the ruleset declares), or - for stdin. A worked-example file whose record
    sits under "patient", and a case file written by `ruleproof cases` (record
    under "record"), are accepted too. An invalid record is reported on
    stderr, one line per problem, naming the field or the constraint, and the
    exit code is 2.

    \b
    Examples:
      ruleproof eval rulesets/liposarcoma.rules patient.json
      ruleproof eval rulesets/liposarcoma.rules patient.json --format json --explain
      ruleproof eval rulesets/liposarcoma.rules patient.json --why-not preoperative_rt
      ruleproof eval rulesets/liposarcoma.rules --batch records.jsonl > decisions.jsonl

    With --batch, a bad line yields an {"error": ...} line for that record and
    the run goes on; the exit code is 2 at the end if any line was bad.
    """
    if (patient is None) == (batch is None):
        raise click.UsageError("give either PATIENT or --batch FILE, not both and not neither")
    rs = _load_without_gc(ruleset)
    if why_not_actions and batch is not None:
        raise click.UsageError("--why-not explains one record: give PATIENT, not --batch")
    known = {a.id for a in rs.actions}
    for a in why_not_actions:
        if a not in known:
            import difflib

            close = difflib.get_close_matches(a, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            fail(f"{ruleset}: error: --why-not {a}: no action named {a!r} in ruleset {rs.name}{hint}")
    ev = compile_ruleset(rs)
    id_field = _id_field(rs, id_field)
    if batch is not None:
        bad = _eval_batch(ev, batch, sys.stdout, explain, id_field)
        sys.stdout.flush()
        if bad:
            click.echo(f"{display_name(batch)}: error: {bad} invalid record(s)", err=True)
            sys.exit(int(ExitCode.BAD_INPUT))
        return
    assert patient is not None
    _eval_one(ev, rs, patient, fmt, explain, why_not_actions, base_url, id_field)
