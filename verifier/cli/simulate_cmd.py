"""``ruleproof simulate``: step a patient's journey through a ruleset with the engine."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import click

from dsl import model as m
from engine import RecordError, compile_ruleset
from engine.pathway import Journey, Stepper, compile_conditions
from verifier.cli.common import ExitCode, fail, load_ruleset_or_exit
from verifier.cli.sources import display_name, read_record, record_error_lines


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def _phase_of(ruleset: m.Ruleset):
    phases = ruleset.phases
    fn = compile_conditions(ruleset, [m.DefRef(p.name, m.BOOL, p.span) for p in phases])

    def phase(record: dict, decision: Any) -> str:
        hits = [p.name for p, v in zip(phases, fn(record, decision)) if v]
        return ", ".join(hits) or "(no phase)"

    return phase


def journey_json(journey: Journey, stepper: Stepper, phase) -> dict[str, Any]:
    entries = []
    for k, rec in enumerate(journey.records):
        entries.append({
            "step": k,
            "phase": phase(rec, stepper.evaluator.evaluate(rec)),
            "record": {n: _plain(v) for n, v in rec.items()},
            "given": list(journey.steps[k].given if k < len(journey.steps) else journey.final_given),
            "action": journey.steps[k].action if k < len(journey.steps) else None,
        })
    return {"steps": len(journey.steps), "ended": journey.ended, "journey": entries}


def _text(doc: dict[str, Any], title: str) -> list[str]:
    from verifier.pathway.journeys import journey_table

    rows = doc["journey"]
    last = rows[-1]
    how = "no given action can change the record: the journey ends here" if doc["ended"] \
        else "step limit reached"
    lines = [f"{title}: {doc['steps']} step(s); ends in phase {last['phase']} ({how})"]
    lines += ["  " + row for row in journey_table(rows)]
    lines.append("  phases: " + " -> ".join(r["phase"] for r in rows))
    return lines


@click.command("simulate")
@click.argument("ruleset_path", metavar="RULESET")
@click.argument("patient", metavar="PATIENT")
@click.option("--steps", type=click.IntRange(0, 1000), default=20, show_default=True,
              help="At most this many steps per journey.")
@click.option("--random", "random_count", type=click.IntRange(1, 10000), default=None,
              help="Sample this many journeys, choosing each step at random (Hypothesis).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --random (same seed, same journeys).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def simulate_command(ruleset_path: str, patient: str, steps: int, random_count: int | None,
                     seed: int, fmt: str) -> None:
    """Follow PATIENT's journey through RULESET: at each record carry out an action the rules give.

    \b
    Without --random, the journey takes the first possible step each time (the
    first given action in declaration order with an effect that changes the
    record, and that effect's first valid outcome). With --random N, N
    journeys are drawn, each step chosen at random among the possible ones.

    \b
    Exit codes: 0 done; 2 bad input (ruleset or record); 4 internal error.
    """
    ruleset = load_ruleset_or_exit(ruleset_path)
    ev = compile_ruleset(ruleset)
    try:
        record = ev.validate(read_record(patient, ruleset)[0])
    except RecordError as err:
        fail("\n".join(record_error_lines(display_name(patient), err)))
    stepper = Stepper(ev)
    phase = _phase_of(ruleset)
    if random_count is None:
        journeys = [stepper.walk(record, steps)]
    else:
        from verifier.pathway.sampling import sample_journeys

        journeys = sample_journeys(stepper, record, steps, random_count, seed)
    docs = [journey_json(j, stepper, phase) for j in journeys]
    if fmt == "json":
        click.echo(json.dumps({"ruleset": ruleset.name, "journeys": docs}, ensure_ascii=False, indent=2))
        return
    out: list[str] = []
    if random_count is not None:
        out.append(f"{len(docs)} distinct journey(s) sampled (Hypothesis, seed {seed}; "
                   f"{random_count} requested, duplicates dropped)")
    for k, doc in enumerate(docs, 1):
        out.extend(_text(doc, f"journey {k}" if random_count is not None else "journey"))
        out.append("")
    click.echo("\n".join(out).rstrip())
    raise SystemExit(int(ExitCode.OK))
