"""``ruleproof cases``: generate, check, update and extend a ruleset's regression suite."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from dsl.model import Ruleset
from engine import RecordError
from verifier.cases.case import Suite, source_digest
from verifier.cases.store import (
    CasesError, Change, StoredSuite, brief, claim_directory, freeze_regression, load_suite, replay_split, write_suite,
)
from verifier.cli.common import ExitCode, fail, read_ruleset_or_exit, timeout_option
from verifier.cli.progress import Progress
from verifier.cli.sources import display_name, read_record, record_error_lines


def _changes_text(directory: Path, total: int, changes: list[Change]) -> str:
    lines = [f"{directory}: {len(changes)} of {total} case{'s' if total != 1 else ''} "
             f"{'changes' if len(changes) == 1 else 'change'}"]
    for c in changes:
        lines.append(f"  {c.case}")
        lines.append(f"    before: {brief(c.before)}")
        lines.append(f"    after:  {brief(c.after)}")
        lines.extend(f"    {line}" for line in c.summary())
    return "\n".join(lines)


def _bookkeeping_text(bookkeeping: list[Change]) -> str:
    """Cases whose advice is the same but whose fired rules or sources differ: information only."""
    lines = [f"note: {len(bookkeeping)} case{'s' if len(bookkeeping) != 1 else ''} keep their advice; only "
             f"bookkeeping differs (rule names, order or sources), not a changed decision; --update refreshes them"]
    for c in bookkeeping:
        lines.append(f"  {c.case}: " + "; ".join(c.summary()))
    return "\n".join(lines)


def _changes_json(directory: Path, total: int, changes: list[Change], stale: bool,
                  bookkeeping: list[Change] | None = None) -> str:
    return json.dumps({
        "directory": str(directory),
        "cases": total,
        "changed": [c.to_json() for c in changes],
        "bookkeeping_only": [c.to_json() for c in bookkeeping or []],
        "ruleset_changed_since_generation": stale,
    }, indent=2, sort_keys=True)


def _suite_text(directory: Path, suite: Suite) -> str:
    kinds = ("example", "witness", "mcdc", "value", "boundary", "score", "cell", "counterexample", "regression")
    served = ", ".join(f"{suite.count(k)} {k}" for k in kinds if suite.count(k))
    uncovered: dict[str, int] = {}
    for g in suite.gaps:
        uncovered[g.kind] = uncovered.get(g.kind, 0) + 1
    lines = [f"{directory}: {len(suite.cases)} cases ({served})"]
    if suite.note:
        lines.append(f"  {suite.note}")
    if uncovered:
        lines.append("  not coverable (listed with reasons in manifest.json): "
                     + ", ".join(f"{n} {k}" for k, n in uncovered.items()))
    if suite.dropped:
        lines.append(f"  regression cases dropped (record no longer valid): {', '.join(suite.dropped)}")
    if suite.undecided:
        lines.append(f"  undecided: the solver gave up on {suite.undecided} purposes (see manifest.json)")
    return "\n".join(lines)


def _stored(out: Path, must_exist: bool) -> StoredSuite:
    try:
        return load_suite(out, must_exist=must_exist)
    except CasesError as err:
        fail(f"{err}", ExitCode.BAD_INPUT)


def _stale(stored: StoredSuite, text: str) -> bool:
    return stored.manifest is not None and stored.manifest.get("source_sha256") != source_digest(text)


def _freeze(ruleset: Ruleset, text: str, out: Path, freeze: str, note: str) -> None:
    record, _ = read_record(freeze, ruleset)
    if not isinstance(record, dict):
        fail(f"{display_name(freeze)}: error: a patient record must be a JSON object")
    try:
        path = freeze_regression(out, ruleset, record, note, text)
    except RecordError as err:
        fail("\n".join(record_error_lines(display_name(freeze), err)))
    except ValueError as err:
        fail(f"{display_name(freeze)}: error: {err}")
    except CasesError as err:
        fail(str(err))
    except OSError as err:
        fail(f"{getattr(err, 'filename', None) or out}: error: cannot write the case: {err.strerror or err}")
    click.echo(f"froze {path}")


@click.command("cases")
@click.argument("ruleset", metavar="RULESET")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="The suite directory (manifest.json and cases/).")
@click.option("--check", "mode", flag_value="check",
              help="Replay the suite; report every case whose decision would change (exit 1 if any).")
@click.option("--update", "mode", flag_value="update",
              help="Regenerate the suite after an intended edit, reporting what changed.")
@click.option("--freeze", "freeze", metavar="RECORD.json",
              help="Add the patient record in this file ('-': stdin) as a regression case.")
@click.option("--note", default="", help="Why the frozen record matters (with --freeze).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--suite", "suite_kind", type=click.Choice(["auto", "full", "compact"]), default="auto",
              show_default=True,
              help="full: witnesses, MC/DC pairs, enum values, boundaries, cells, counterexamples. compact: a witness "
                   "per rule and each threshold's boundaries (for large decision tables). auto: compact past "
                   "5,000 MC/DC pairs (rule x condition it reaches), else full.")
@timeout_option()
def cases_command(ruleset: str, out: Path, mode: str | None, freeze: str | None, note: str, fmt: str,
                  suite_kind: str, timeout: float) -> None:
    """Generate the regression suite of RULESET into --out: a witness per rule, MC/DC
    pairs per condition, threshold boundaries, coverage cells and counterexamples,
    each case a record with its expected decision and why it exists. A large
    decision table (past 5,000 MC/DC pairs) gets the compact suite instead: a
    witness per rule and each threshold's boundaries (--suite full forces the
    full one); the output says which was made.

    \b
    Without --check/--update, an existing suite whose decisions would change is
    left alone (exit 1): review with --check, accept with --update.
    Exit codes: 0 done; 1 cases change (or would); 2 bad input; 3 the solver
    gave up on some purpose; 4 internal error (engine and Z3 disagree).
    """
    if freeze is not None and mode is not None:
        fail("ruleproof cases: error: --freeze cannot be combined with --check or --update")
    rs, _, text = read_ruleset_or_exit(ruleset)
    if mode != "check":
        # Before any work: a folder that is not a suite of ours is never written to.
        try:
            claim_directory(out).mkdir(parents=True, exist_ok=True)
        except CasesError as err:
            fail(str(err))
        except OSError as err:
            fail(f"{out}: error: cannot use as the suite folder: {err.strerror or err}")
    if freeze is not None:
        _freeze(rs, text, out, freeze, note)
        return

    stored = _stored(out, must_exist=mode == "check")
    changes, bookkeeping = replay_split(rs, stored.cases)
    total = len(stored.cases)
    if mode == "check":
        if fmt == "json":
            click.echo(_changes_json(out, total, changes, _stale(stored, text), bookkeeping))
        else:
            click.echo(_changes_text(out, total, changes))
            if bookkeeping:
                click.echo(_bookkeeping_text(bookkeeping))
            if not changes and _stale(stored, text):
                click.echo(f"note: {ruleset} changed since the suite was generated (no decision changed); "
                           f"regenerate with --update to refresh the purposes")
        sys.exit(int(ExitCode.FINDING if changes else ExitCode.OK))

    if changes and mode != "update":
        click.echo(_changes_text(out, total, changes))
        fail(f"{out}: {len(changes)} existing case(s) would change; review them with --check and "
             f"accept with --update", ExitCode.FINDING)
    from verifier.cases.generate import generate  # Z3 and Hypothesis: only to generate, not to replay

    with Progress("ruleproof cases") as progress:  # on stderr, only when it is a terminal
        suite = generate(rs, text, stored.regressions, timeout_s=timeout, step=progress.step, suite=suite_kind)
    before = {str(c["id"]) for c in stored.cases}
    after = {c.name for c in suite.cases}
    try:
        write_suite(out, suite)
    except CasesError as err:
        fail(str(err))
    except OSError as err:
        fail(f"{getattr(err, 'filename', None) or out}: error: cannot write the suite: {err.strerror or err}")
    if fmt == "json":
        report: dict[str, Any] = {
            "directory": str(out), "cases": len(suite.cases),
            "purposes": {k: suite.count(k) for k in ("example", "witness", "mcdc", "value", "boundary", "score", "cell",
                                                     "counterexample", "regression")},
            "not_covered": len(suite.gaps), "undecided": suite.undecided,
            "changed": [c.to_json() for c in changes],
            "added": sorted(after - before), "removed": sorted(before - after),
        }
        if suite.note:
            report["suite"], report["note"] = "compact", suite.note
        click.echo(json.dumps(report, indent=2, sort_keys=True))
    else:
        if changes:
            click.echo(_changes_text(out, total, changes))
        if stored.cases:
            click.echo(f"{out}: {len(after - before)} cases added, {len(before - after)} removed")
        click.echo(_suite_text(out, suite))
    sys.exit(int(ExitCode.UNKNOWN if suite.undecided else ExitCode.OK))
