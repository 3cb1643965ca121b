"""``ruleproof export fhir``: the ruleset as HL7 FHIR R4 CPG resources (Library with CQL and ELM, PlanDefinition, ...)."""

from __future__ import annotations

from pathlib import Path

import click

from verifier.cli.common import fail, load_ruleset_or_exit
from verifier.fhir.export import export_fhir, write_export
from verifier.fhir.faithful import UnfaithfulError
from verifier.fhir.resources import DEFAULT_BASE_URL, STATUSES, Options


def _source_text(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


@click.command("fhir")
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", required=True, metavar="DIR|FILE.json",
              help="A directory (one file per resource, the CQL, the ELM and bundle.json) or a .json file (the Bundle alone).")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True,
              help="Canonical URL base of the resources (e.g. https://guidelines.example.org/fhir).")
@click.option("--status", type=click.Choice(STATUSES), default="draft", show_default=True,
              help="Publication status written on every resource.")
def fhir_command(ruleset: str, output: str, base_url: str, status: str) -> None:
    """Export RULESET as HL7 FHIR R4 Clinical Practice Guideline resources.

    Writes a Library holding the ruleset's logic as CQL text and ELM JSON
    (one parameter per input, one define per definition, constraint and
    rule), a PlanDefinition (eca-rule) with one action per rule grouped by
    phase, one ActivityDefinition per action (doNotPerform for avoid), a
    CodeSystem of the action ids, and a transaction Bundle of them all. The
    output depends only on the ruleset and the options.

    A construct with no faithful CQL form (a number needing more than the 8
    decimal places of a CQL Decimal, a range beyond a 32-bit CQL Integer) is
    reported with its location and nothing is written (exit 2).

    \b
    Examples:
      ruleproof export fhir rulesets/liposarcoma.rules -o out/fhir
      ruleproof export fhir rulesets/liposarcoma.rules -o out/liposarcoma-bundle.json \\
          --base-url https://guidelines.example.org/fhir --status active
    """
    if not base_url.startswith(("http://", "https://", "urn:")):
        raise click.BadParameter("must be an absolute URL (http://, https:// or urn:)", param_hint="--base-url")
    rs = load_ruleset_or_exit(ruleset)
    try:
        export = export_fhir(rs, Options(base_url=base_url, status=status))
    except UnfaithfulError as err:
        text = _source_text(ruleset)
        fail("\n".join(d.render(text) for d in err.diagnostics))
    try:
        written = write_export(export, output)
    except OSError as err:
        fail(f"{output}: error: cannot write: {err.strerror or err}")
    click.echo(f"wrote {len(written)} file(s) to {output}", err=True)
