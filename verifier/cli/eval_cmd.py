"""``ruleproof eval``: evaluate patient records against a ruleset."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any, Iterator, TextIO

import click

from dsl.model import Ruleset
from engine import Decision, Evaluator, RecordError, compile_ruleset, load_record_json
from engine.record_id import DEFAULT_ID_FIELD, split_record_id
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
        # issue 12: a non-NCCN scheme's level in its own words ("Class I, level A")
        grade = f"category {r.category:<2}" if not r.evidence else r.evidence
        lines.append(f"  {_STRENGTH_WORD[r.strength]:<9} {r.action:<{width}}  {grade}  {r.label}{alt}")
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
                    lines.extend(f"             {v}" for v in c.values)  # issue 12: computed numbers
    else:
        lines.extend(f"  {rid}" for rid in decision.fired)
    return "\n".join(lines)


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        fail(f"{path}: error: cannot read patient record: {reason}")


def _unwrap_example(obj: Any, ruleset: Ruleset) -> Any:
    """The record inside a worked-example file (``{"title", "patient", "expected"}``).

    Only when the object holds a "patient" object and no input of the
    ruleset, so a real record is never reinterpreted.
    """
    if (isinstance(obj, dict) and isinstance(obj.get("patient"), dict)
            and not any(i.name in obj for i in ruleset.inputs)):
        return obj["patient"]
    return obj


def _eval_one(ev: Evaluator, ruleset: Ruleset, patient: str, fmt: str, explain: bool,
              id_field: str | None = None) -> None:
    where = "<stdin>" if patient == "-" else patient
    try:
        obj, rid = split_record_id(_unwrap_example(load_record_json(_read_text(patient)), ruleset), id_field)
        record = ev.validate(obj)
    except RecordError as err:
        fail("\n".join(_record_error_lines(where, err)))
    decision = ev.evaluate(record, trace=True)
    if fmt == "json":
        out = decision.to_json()
        if not explain:
            out.pop("trace", None)
        if rid is not None:
            out = {"id": rid, **out}
        click.echo(_dumps(out))
    else:
        text = format_decision(decision, ruleset, explain)
        if rid is not None:  # issue 12: the record's own id under the header line
            head, _, rest = text.partition("\n")
            text = f"{head}\n  record id: {rid}\n{rest}"
        click.echo(text)


def _open_lines(path: str) -> Iterator[str]:
    """The lines of a batch file (or stdin), read as they come: batches may not fit in memory."""
    if path == "-":
        yield from sys.stdin
        return
    try:
        fh = open(path, encoding="utf-8")
    except OSError as err:
        fail(f"{path}: error: cannot read patient records: {err.strerror or err}")
    with fh:
        try:
            yield from fh
        except UnicodeDecodeError as err:
            fail(f"{path}: error: cannot read patient records: {err}")


def _eval_batch(ev: Evaluator, batch: str, out: TextIO, explain: bool, id_field: str | None = None) -> int:
    """One JSON result per non-blank line, in order; returns how many lines were bad."""
    where = "<stdin>" if batch == "-" else batch
    bad = 0
    # Results leave in chunks: one write per result made the pipe, not the
    # evaluation, the bottleneck of a large batch.
    chunk: list[str] = []
    rendered: dict[int, tuple[Decision, str]] = {}
    for lineno, line in enumerate(_open_lines(batch), start=1):
        if not line.strip():
            continue  # blank lines separate nothing and are not records
        rid: str | int | None = None
        try:
            obj, rid = split_record_id(load_record_json(line), id_field)
            record = ev.validate(obj)
        except RecordError as err:
            bad += 1
            tag = "" if rid is None else f"[id {rid}] "
            for msg in _record_error_lines(f"{where}:{lineno}", err):
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
    out.write("".join(chunk))
    return bad


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
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.argument("patient", required=False)
@click.option("--batch", "batch", metavar="FILE.jsonl",
              help="Evaluate one record per line of FILE (or - for stdin); writes one JSON result per line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output for a single record (batch output is always JSON lines).")
@click.option("--explain", is_flag=True,
              help="Show each fired rule's conditions and whether they held (JSON: a \"trace\" field).")
@click.option("--id-field", "id_field", default=None, metavar="NAME",
              help="The record field holding the patient's id, copied into each result and error "
                   "and never read as an input [default: id].")
def eval_command(ruleset: str, patient: str | None, batch: str | None, fmt: str, explain: bool,
                 id_field: str | None) -> None:
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
    id_field = _id_field(rs, id_field)
    if batch is not None:
        bad = _eval_batch(ev, batch, sys.stdout, explain, id_field)
        sys.stdout.flush()
        if bad:
            click.echo(f"{'<stdin>' if batch == '-' else batch}: error: {bad} invalid record(s)", err=True)
            sys.exit(int(ExitCode.BAD_INPUT))
        return
    assert patient is not None
    _eval_one(ev, rs, patient, fmt, explain, id_field)
